"""Events: a live timeline of the engine's event stream (``:events``, ``:ev``), newest first.

The store already follows ``/events``; this kind is fed from that one stream (``Kind.feed``),
never a second one, and keeps the last ``KEEP`` events. Its history (the last hour, so an
incident that already happened is there) is listed with a bounded ``events(since, until)``
query the first time the timeline is shown (``lazy``). Rows filter like any table
(``type=container``, ``action=die``, ``name=web``, text); ``enter`` jumps to the object.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from rich.text import Text

from ..ansi import one_line
from .base import Column, Kind, Row
from .common import DESCRIBE

KEEP = 5_000
HISTORY = 3600.0  # seconds of history the timeline opens with
KEY_ATTRIBUTES = ("exitCode", "signal", "image", "container", "driver", "replicas.old", "replicas.new")
# where enter goes: an event's type -> the kind that lists its object
TARGETS = {"container": "containers", "image": "images", "network": "networks", "volume": "volumes",
           "service": "services", "node": "nodes", "secret": "secrets", "config": "configs", "plugin": "plugins"}
STYLES = {"die": "state.failed", "kill": "state.failed", "oom": "state.fatal", "destroy": "state.muted", "health_status": "state.partial",
          "start": "state.ok", "create": "state.info", "remove": "state.muted", "delete": "state.muted"}  # semantic: widgets/palette.py


def summary(e: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """An engine event as a timeline row (id, row); None when it is not an event."""
    typ, actor = e.get("Type"), e.get("Actor")
    if type(typ) is not str or type(actor) is not dict:  # decoded JSON: exact types (ABC checks cost per event)
        return None
    attrs = actor.get("Attributes")
    if type(attrs) is not dict:
        attrs = {}
    oid = str(actor.get("ID") or e.get("id") or "")
    action = str(e.get("Action") or e.get("status") or "")
    nano = e.get("timeNano")
    if not isinstance(nano, (int, float)) or nano <= 0:
        t = e.get("time")
        nano = int(t * 1e9) if isinstance(t, (int, float)) else int(time.time() * 1e9)
    name = str(attrs.get("name") or (oid if typ in ("image", "volume") else oid[:12]))  # a volume's id is its name
    rid = f"{int(nano)}:{typ}:{action}:{oid}"
    return rid, {"Id": rid, "Time": nano / 1e9, "Type": typ, "Action": action, "Verb": action.split(":", 1)[0],
                 "ObjectID": oid, "Name": name, "Attributes": attrs, "Scope": str(e.get("scope") or "")}


def feed(batch: list[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for e in batch:
        got = summary(e)
        if got is not None:
            out[got[0]] = got[1]
    return out


def history(client: Any) -> list[dict[str, Any]]:
    """The last hour of events (a bounded query that ends at ``until``, not a second follower)."""
    until = client.server_time()
    stream = client.events(since=until - HISTORY, until=until, decode=True)
    try:
        rows = [got[1] for e in stream if isinstance(e, Mapping) and (got := summary(e)) is not None]
    finally:
        stream.close()
    return rows[-KEEP:]


def key_attributes(r: Row) -> str:
    attrs = r.get("Attributes") or {}
    return " ".join(f"{k}={one_line(str(attrs[k]), 60)}" for k in KEY_ATTRIBUTES if attrs.get(k) and attrs[k] != r.get("Name"))


def _time(r: Row, ctx: Any) -> str:
    return time.strftime("%H:%M:%S", time.localtime(r.get("Time") or 0))


def _action(r: Row, ctx: Any) -> Text:
    action = str(r.get("Action") or "")
    verb = str(r.get("Verb") or "")
    style = STYLES.get(verb, "")
    if verb == "die" and (r.get("Attributes") or {}).get("exitCode") == "0":
        style = "state.muted"
    if verb == "health_status" and "unhealthy" in action:
        style = "state.fatal"
    return Text(one_line(action, 40), style=style)


def fault(r: Row, ctx: Any) -> bool:
    """ctrl+z keeps what needs a human: non-zero exits, OOM kills, unhealthy health checks."""
    verb = r.get("Verb")
    return (verb == "die" and (r.get("Attributes") or {}).get("exitCode") not in ("0", None)) or verb == "oom" or \
        (verb == "health_status" and "unhealthy" in str(r.get("Action")))


def drill(row: Row, rid: str, ctx: Any) -> tuple[str, str] | None:
    target = TARGETS.get(str(row.get("Type") or ""))
    if target is None:
        return None
    oid = str(row.get("ObjectID") or "")
    if target == "containers" and oid:
        return target, f"id={oid[:12]}"
    name = str(row.get("Name") or "")
    return target, one_line(name, 80).split(" ")[0] if name else ""


KIND = Kind(
    name="events",
    title="Events",
    aliases=("ev", "event"),
    id_key="Id",
    list=history,
    feed=feed,
    keep=KEEP,
    lazy=True,
    label=lambda r, rid: f"{r.get('Type')} {r.get('Action')} {one_line(str(r.get('Name') or ''), 40)}",
    columns=(
        Column("time", "TIME", _time, lambda r, c: r.get("Time") or 0, width=8),
        Column("type", "TYPE", lambda r, c: str(r.get("Type") or ""), lambda r, c: str(r.get("Type") or ""), width=9),
        Column("action", "ACTION", _action, lambda r, c: str(r.get("Action") or ""), width=14),
        Column("name", "NAME", lambda r, c: one_line(str(r.get("Name") or ""), getattr(c, "name_width", 60)),
               lambda r, c: str(r.get("Name") or "").lower(), width=24),
        Column("attrs", "ATTRIBUTES", lambda r, c: one_line(key_attributes(r), 80), lambda r, c: key_attributes(r), width=30),
        Column("id", "ID", lambda r, c: str(r.get("ObjectID") or "")[:12], lambda r, c: str(r.get("ObjectID") or ""),
               width=12, priority=3),
    ),
    default_sort="time",
    default_reverse=True,  # newest first, and the header says so ("sort: time desc")
    filters={"type": lambda r: str(r.get("Type") or ""), "action": lambda r: str(r.get("Action") or ""),
             "name": lambda r: str(r.get("Name") or ""), "id": lambda r: str(r.get("ObjectID") or "")},
    drill=drill,
    fault=fault,
    actions=(DESCRIBE,),
)
