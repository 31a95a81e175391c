"""Swarm nodes: ``nodes()`` on a manager; drain, activate, pause scheduling."""

from __future__ import annotations

from typing import Any

from ..ansi import one_line
from .base import Action, Kind, Row
from .common import DESCRIBE, inspect_with


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
    wants_poll=True,
    repaint_on=("tasks",),
    actions=(
        DESCRIBE,
        Action("drain", "D", "drain", _availability("drain"), destructive=True),
        Action("activate", "A", "activate", _availability("active")),
        Action("node_pause", "P", "pause scheduling", _availability("pause")),
    ),
)
