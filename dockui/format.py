"""Small formatters for table cells: sizes, ages, percentages, braille sparklines."""

from __future__ import annotations

import time
from collections.abc import Sequence

import humanize

from .glyphs import spark_set


def size(n: int | float | None) -> str:
    if n is None or n < 0:
        return "-"
    return humanize.naturalsize(n, binary=True, format="%.1f").replace("ytes", "").replace("iB", "i")


def rate(n: float | None) -> str:
    return "-" if n is None else size(n) + "/s"


def age(ts: float | int | str | None, now: float | None = None) -> str:
    """Seconds since ``ts`` (unix time, or an RFC 3339 string), in the docker CLI's short style."""
    if ts is None or ts == "":
        return "-"
    if isinstance(ts, str):
        from datetime import datetime

        try:
            ts = datetime.fromisoformat(ts.replace("Z", "+00:00")[:26] + ("+00:00" if ts.endswith("Z") else "")).timestamp()
        except ValueError:
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
