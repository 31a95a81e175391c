"""Swarm nodes: ``nodes()`` on a manager; drain, activate, pause scheduling."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..ansi import one_line
from .base import Action, Column, Kind, Row
from .common import DESCRIBE, inspect_with


def _state(r: Row) -> str:
    return str((r.get("Status") or {}).get("State") or "")


def _hostname(r: Row) -> str:
    return str((r.get("Description") or {}).get("Hostname") or "")


def _engine(r: Row) -> str:
    return str(((r.get("Description") or {}).get("Engine") or {}).get("EngineVersion") or "")


COLUMNS = (
    Column("name", "HOSTNAME", lambda r, c: one_line(_hostname(r)), lambda r, c: _hostname(r)),
    Column("state", "STATUS", lambda r, c: Text(_state(r), style="state.ok" if _state(r) == "ready" else "state.bad"), lambda r, c: _state(r)),
    Column("avail", "AVAILABILITY", lambda r, c: str((r.get("Spec") or {}).get("Availability") or ""), None),
    Column("role", "ROLE", lambda r, c: str((r.get("Spec") or {}).get("Role") or "")
           + (" (leader)" if (r.get("ManagerStatus") or {}).get("Leader") else ""), None),
    Column("addr", "ADDRESS", lambda r, c: str((r.get("Status") or {}).get("Addr") or ""), None),
    Column("tasks", "TASKS", lambda r, c: str(c.node_tasks(r["ID"])) if c else "-", lambda r, c: -(c.node_tasks(r["ID"]) if c else 0)),
    Column("engine", "ENGINE", lambda r, c: _engine(r), lambda r, c: _engine(r), priority=3),  # E sorts by it
    Column("id", "ID", lambda r, c: r["ID"][:12], lambda r, c: r["ID"], priority=4),
)


def label(row: Row, rid: str) -> str:
    return one_line(str((row.get("Description") or {}).get("Hostname") or rid[:12]), 60)


def _availability(value: str):
    def run(client: Any, rid: str, row: Row, arg: str) -> None:
        node = client.inspect_node(rid)
        spec = node["Spec"]
        spec["Availability"] = value
        client.update_node(rid, node["Version"]["Index"], spec)

    return run


KIND = Kind(
    name="nodes",
    title="Nodes",
    aliases=("no", "node"),
    id_key="ID",
    swarm=True,
    list=lambda c: c.nodes(),
    inspect=inspect_with("inspect_node"),
    events=("node",),
    label=label,
    columns=COLUMNS,
    fault=lambda r, ctx: _state(r) != "ready" or (r.get("Spec") or {}).get("Availability") != "active",
    drill=lambda r, rid, ctx: ("tasks", f"node={rid[:12]}"),
    wants_poll=True,
    repaint_on=("tasks",),
    actions=(
        DESCRIBE,
        Action("drain", "D", "drain", _availability("drain"), destructive=True),
        Action("activate", "A", "activate", _availability("active")),
        Action("node_pause", "P", "pause scheduling", _availability("pause")),
    ),
)
