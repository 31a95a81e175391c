"""Swarm tasks: ``tasks()`` on a manager; logs of its container (or of its service), drill to the container."""

from __future__ import annotations

from typing import Any

from .base import Kind, Row
from .common import DESCRIBE, LOGS, inspect_with


def container_id(row: Row) -> str:
    return str(((row.get("Status") or {}).get("ContainerStatus") or {}).get("ContainerID") or "")


def label(row: Row, rid: str) -> str:
    return rid[:12]


def _logs(row: Row, rid: str, ctx: Any) -> tuple[str, list[Any]]:
    """Its container when that is on this engine, else the service's logs."""
    from ..sessions.logs import Target

    cid = container_id(row)
    if cid and cid in ctx.store.snapshot("containers"):
        targets = [Target(cid)]
    else:
        sid = str(row.get("ServiceID") or "")
        targets = [Target(sid, ctx.service_name(sid), "service")]
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
    wants_poll=True,
    poll=True,
    repaint_on=("services", "nodes", "containers"),
    logs=_logs,
    actions=(LOGS, DESCRIBE),
)
