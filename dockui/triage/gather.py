"""Collect the evidence for one container's post-mortem (blocking: run it on a worker thread).

One inspect, one bounded events query (the last hour, ``until`` = the engine's now, filtered to
the container), the last log lines before it stopped (``logs(until=finish, tail=N)``, stdout and
stderr kept apart), the stats samples dockui kept, and whether the image tag it ran now points
elsewhere. A failure of any part but the inspect becomes a note in the evidence, never an error.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..ansi import one_line
from .explain import Row, container_events, when

HISTORY = 3600.0  # seconds of events the post-mortem reads
LOG_LINES = 30


@dataclass
class Evidence:
    rid: str
    info: Mapping[str, Any]
    events: list[Row] = field(default_factory=list)  # this container's, oldest first
    samples: list[Any] = field(default_factory=list)  # StatsSample, oldest first
    logs: list[tuple[int, str]] = field(default_factory=list)  # (1 stdout | 2 stderr, one cleaned line)
    image_now: str | None = ""  # the id the tag points to now; None: the tag is gone; "": not known
    notes: dict[str, str] = field(default_factory=dict)  # part -> why it is missing
    now: float = 0.0


def sources(source: Any) -> tuple[Any, Any]:
    """(store, stats hub) from what the caller has: the app, a ViewContext, a Store or a StatsHub."""
    if source is None:
        return None, None
    store = source if hasattr(source, "snapshot") else getattr(source, "store", None)
    stats = source if hasattr(source, "history") else getattr(source, "stats", None)
    if stats is not None and not hasattr(stats, "history"):
        stats = None
    if store is not None and not hasattr(store, "snapshot"):
        store = None
    return store, stats


def split_lines(pieces: Sequence[tuple[int, bytes]]) -> list[tuple[int, str]]:
    """Framed log pieces as whole lines, each with the stream it came from (pieces may cut lines)."""
    bufs: dict[int, bytes] = {}
    out: list[tuple[int, str]] = []
    for stream, data in pieces:
        s = 2 if stream == 2 else 1
        buf = bufs.get(s, b"") + bytes(data)
        *lines, rest = buf.split(b"\n")
        out.extend((s, one_line(line.rstrip(b"\r"), 500)) for line in lines)
        bufs[s] = rest
    out.extend((s, one_line(rest, 500)) for s, rest in bufs.items() if rest)
    return out


def _events(client: Any, cid: str, now: float) -> list[Row]:
    from ..kinds.events import summary

    stream = client.events(since=now - HISTORY, until=now, filters={"container": cid}, decode=True)
    rows: list[Row] = []
    try:
        for e in stream:
            if isinstance(e, Mapping) and (got := summary(e)) is not None:
                rows.append(got[1])
            if len(rows) > 5000:
                break
    finally:
        stream.close()
    return rows


def logs_before(client: Any, info: Mapping[str, Any], lines: int = LOG_LINES) -> list[tuple[int, str]]:
    """The last ``lines`` log lines before the container stopped (all of them up to now if it runs)."""
    st = info.get("State") or {}
    finished = None if st.get("Running") else when(st.get("FinishedAt"))
    until = int(finished) + 1 if finished else None  # the engine's until has a one-second grain
    tty = bool((info.get("Config") or {}).get("Tty"))
    pieces = client.logs(info["Id"], stream=False, tail=lines, until=until, frames=True, tty=tty)
    return split_lines(pieces)[-lines:]


def gather(client: Any, rid: str, source: Any | None = None, log_lines: int = LOG_LINES) -> Evidence:
    """Everything the post-mortem shows about container ``rid`` (blocking; raises only when the
    inspect fails, e.g. NotFound)."""
    info = client.inspect_container(rid)
    cid = str(info.get("Id") or rid)
    # our clock, not ``server_time()``: that is the Date header of the last ping (one-second grain,
    # and as old as the ping), so a die a moment ago fell after its ``until``
    now = time.time()
    ev = Evidence(cid, info, now=now)
    store, stats = sources(source)
    try:
        rows = _events(client, cid, now)
    except Exception as exc:  # noqa: BLE001 - shown as a note
        rows = []
        ev.notes["events"] = one_line(str(exc) or type(exc).__name__, 200)
    if store is not None and store.version("events"):  # the timeline already holds some: merge them
        seen = {r.get("Id") for r in rows}
        rows += [r for r in store.snapshot("events").values() if r.get("Id") not in seen]
    ev.events = container_events(rows, cid)
    if stats is not None:
        ev.samples = list(stats.history(cid))
    try:
        ev.logs = logs_before(client, info, log_lines)
    except Exception as exc:  # noqa: BLE001 - a logging driver that cannot be read, a removed container
        ev.notes["logs"] = one_line(str(exc) or type(exc).__name__, 200)
    tag = str((info.get("Config") or {}).get("Image") or "")
    if tag and not tag.startswith("sha256:"):
        try:
            ev.image_now = str(client.inspect_image(tag).get("Id") or "")
        except Exception as exc:  # noqa: BLE001 - NotFound: the tag is gone
            if type(exc).__name__ == "NotFound" or getattr(exc, "status_code", 0) == 404:
                ev.image_now = None
            else:
                ev.notes["image"] = one_line(str(exc) or type(exc).__name__, 200)
    return ev


__all__ = ["Evidence", "gather", "logs_before", "sources", "split_lines"]
