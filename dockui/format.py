"""Small formatters for table cells: sizes, ages, percentages, braille sparklines, and the
container STATUS text ("Up 5 minutes") recomputed from a clock instead of frozen as listed."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

import humanize

from .glyphs import spark_set


def size(n: int | float | None) -> str:
    if n is None or n < 0:
        return "-"
    return humanize.naturalsize(n, binary=True, format="%.1f").replace("ytes", "").replace("iB", "i")


def rate(n: float | None) -> str:
    return "-" if n is None else size(n) + "/s"


_STAMPS: dict[str, float | None] = {}
_RFC3339 = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?([Zz]|[+-]\d\d:\d\d)?$")


def timestamp(ts: str) -> float | None:
    """An RFC 3339 time as the engine writes it (nanoseconds, ``Z``) in unix seconds; parsed once
    per distinct string (an AGE cell is recomputed every second while it is on screen)."""
    hit = _STAMPS.get(ts, False)
    if hit is False:
        from datetime import datetime

        # the seconds and the zone through fromisoformat, the fraction apart: Python 3.10's
        # fromisoformat takes 3 or 6 fraction digits only, and the engine's RFC 3339 "nano" stamps
        # drop trailing zeros (".12345Z", ".5Z", or none)
        m = _RFC3339.match(ts)
        try:
            zone = m[3] if m and m[3] and m[3] not in ("Z", "z") else "+00:00"  # no zone: the engine means UTC
            hit = datetime.fromisoformat(m[1] + zone).timestamp() + float("0" + (m[2] or "")) if m else None
        except ValueError:
            hit = None
        if len(_STAMPS) > 20000:
            _STAMPS.clear()
        _STAMPS[ts] = hit
    return hit


def age(ts: float | int | str | None, now: float | None = None) -> str:
    """Seconds since ``ts`` (unix time, or an RFC 3339 string), in the docker CLI's short style.

    Pass one ``now`` for every cell of a paint: rows made in the same second then show the same age.
    """
    if ts is None or ts == "":
        return "-"
    if isinstance(ts, str):
        ts = timestamp(ts)
        if ts is None:
            return "-"
    secs = max(0.0, (now or time.time()) - float(ts))
    for unit, div in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= div:
            return f"{int(secs // div)}{unit}"
    return f"{int(secs)}s"


def percent(p: float | None) -> str:
    return "-" if p is None else f"{p:.1f}%"


def sparkline(values: Sequence[float], width: int = 10, top: float | None = None) -> str:
    """The last ``width`` values as braille levels scaled to ``top`` (default: their max)."""
    vals = list(values)[-width:]
    if not vals:
        return " " * width
    spark = spark_set()
    hi = top if top else max(vals) or 1.0
    levels = len(spark) - 1
    out = "".join(spark[min(levels, max(0, round(v / hi * levels)))] for v in vals)
    return out.rjust(width)


# --- the STATUS column ---------------------------------------------------------------------------
# The list API's Status ("Up 2 seconds", "Exited (0) 5 minutes ago") is true when it is read and
# then goes stale. The store notes when a status holds a duration (``status_since``: the instant
# it counts from, estimated when the row is read); the cell is then written again against the
# clock (``status``), in the engine's own words (go-units' HumanDuration).

_DURATION = re.compile(
    r"^(Up|Exited \(-?\d+\)|Restarting \(-?\d+\)) "
    r"(Less than a second|About a minute|About an hour|(\d+) (second|minute|hour|day|week|month|year)s?)( ago)?(.*)$", re.S)
_UNIT = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400, "month": 30 * 86400, "year": 365 * 86400}


def _span(words: str, n: str | None, unit: str | None) -> tuple[float, float, float]:
    """The durations (low, high) that HumanDuration writes as ``words``, and a step to round to
    (a sixth of the span, so the middle, rounded, stays well inside it)."""
    if words == "Less than a second":
        return 0.0, 1.0, 1.0
    if words == "About a minute":
        return 60.0, 120.0, 10.0
    if words == "About an hour":
        return 3600.0, 5400.0, 300.0
    k, u = int(n or 0), _UNIT[unit or "second"]
    step = 1.0 if u == 1 else u / 6
    if u == 3600:  # hours are rounded, not cut
        return (k - 0.5) * u, (k + 0.5) * u, step
    if u > 3600:  # days, weeks, months, years: whole (rounded) hours cut to the unit
        hi = (k + 1) * u - 1800
        if u == _UNIT["month"]:
            hi = min(hi, 2 * _UNIT["year"] - 1800)  # "24 months" ends where "2 years" begins
        return k * u - 1800, hi, step
    return float(k * u), float((k + 1) * u), step


def status_since(status: str, now: float) -> float | None:
    """When the duration in a list-API Status, read at ``now``, began (None: it holds none).

    The middle of the span the words allow (within half a second for "N seconds"); from a minute
    on, rounded to a step of a sixth of the span, so that the same words read again a little
    later mostly give the same instant (the store then sees no change).
    """
    m = _DURATION.match(status)
    if m is None:
        return None
    lo, hi, step = _span(m.group(2), m.group(3), m.group(4))
    since = now - (lo + hi) / 2
    if step <= 1:  # seconds: the words change with every read anyway; rounding would only add error
        return since
    return round(since / step) * step


def human_duration(secs: float) -> str:
    """The docker CLI's words for a duration ("Less than a second", "About a minute", "3 hours")."""
    seconds = int(secs)
    if seconds < 1:
        return "Less than a second"
    if seconds == 1:
        return "1 second"
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(secs / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(secs // 3600) // 24 // 365} years"


def status(row: Mapping[str, Any], now: float | None = None) -> str:
    """A container's Status as the engine would write it at ``now`` (default: the time now)."""
    text = str(row.get("Status") or "")
    since = row.get("StatusSince")
    if since is None:
        return text
    m = _DURATION.match(text)
    if m is None:
        return text
    return f"{m.group(1)} {human_duration((now or time.time()) - since)}{m.group(5) or ''}{m.group(6)}"
