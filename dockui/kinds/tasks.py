"""Swarm tasks: ``tasks()`` on a manager; logs of its container (or of its service), drill to the container."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..ansi import one_line
from .base import Column, Kind, Row
from .common import DESCRIBE, LOGS, age_cell, inspect_with

STYLES = {"running": "state.ok", "failed": "state.failed", "rejected": "state.failed", "shutdown": "state.muted",
          "complete": "state.muted", "orphaned": "state.failed"}  # semantic names: widgets/palette.py colours them


def _state(r: Row) -> str:
    return str((r.get("Status") or {}).get("State") or "")


COLUMNS = (
    Column("name", "NAME", lambda r, c: c.task_name(r) if c else r["ID"][:12], lambda r, c: c.task_name(r) if c else r["ID"]),
    Column("state", "STATE", lambda r, c: Text(_state(r), style=STYLES.get(_state(r), "state.partial")), lambda r, c: _state(r)),
    Column("desired", "DESIRED", lambda r, c: str(r.get("DesiredState") or ""), None),
    Column("node", "NODE", lambda r, c: c.node_name(r.get("NodeID") or "") if c else "", None),
    Column("error", "ERROR", lambda r, c: one_line(str((r.get("Status") or {}).get("Err") or ""), 50), None, width=30, priority=2),
    Column("age", "AGE", age_cell("CreatedAt"), lambda r, c: str(r.get("CreatedAt") or ""), clock=True),
    Column("id", "ID", lambda r, c: r["ID"][:12], lambda r, c: r["ID"], priority=4),
)


def container_id(row: Row) -> str:
    return str(((row.get("Status") or {}).get("ContainerStatus") or {}).get("ContainerID") or "")


def label(row: Row, rid: str) -> str:
    return rid[:12]


def _drill(row: Row, rid: str, ctx: Any) -> tuple[str, str] | None:
    """Its container, when that is on this engine (else enter describes the task)."""
    cid = container_id(row)
    if cid and cid in ctx.store.snapshot("containers"):
        return "containers", f"id={cid[:12]}"
    return None


def _logs(row: Row, rid: str, ctx: Any) -> tuple[str, list[Any]]:
    """Its container when that is on this engine, else the service's logs."""
    from ..sessions.logs import Target

    cid = container_id(row)
    if cid and cid in ctx.store.snapshot("containers"):
        targets = [Target(cid)]
    else:
        sid = str(row.get("ServiceID") or "")
        targets = [Target(sid, ctx.service_name(sid), service=True)]
    return f"task {ctx.task_name(row)}", targets


KIND = Kind(
    name="tasks",
    title="Tasks",
    aliases=("ts", "task", "t"),
    id_key="ID",
    swarm=True,
    list=lambda c: c.tasks(),
    inspect=inspect_with("inspect_task"),
    events=("service",),
    label=label,
    columns=COLUMNS,
    style=lambda r: "dim" if r.get("DesiredState") == "shutdown" else "",
    fault=lambda r, ctx: _state(r) in ("failed", "rejected", "orphaned") or bool((r.get("Status") or {}).get("Err")),
    filters={"node": lambda r: r.get("NodeID", ""), "service": lambda r: r.get("ServiceID", ""), "state": _state},
    drill=_drill,
    wants_poll=True,
    poll=True,
    repaint_on=("services", "nodes", "containers"),
    logs=_logs,
    actions=(LOGS, DESCRIBE),
)
