"""Actions are data: key, label, kinds and states they apply to, destructive, mutating.

The footer, the help screen and the read-only guard are all generated from ``ACTIONS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..store.model import container_state


@dataclass(frozen=True)
class Action:
    id: str
    key: str
    label: str
    kinds: tuple[str, ...]
    states: tuple[str, ...] = ()  # container states it applies to (empty: any)
    destructive: bool = False  # confirm first
    mutating: bool = True  # hidden and refused in read-only mode
    footer: bool = True

    def applies(self, kind: str, row: Mapping[str, Any] | None, readonly: bool) -> bool:
        if kind not in self.kinds or (readonly and self.mutating):
            return False
        if self.states and row is not None and kind == "containers":
            st = container_state(row)
            return any(st == s or st.startswith(s) for s in self.states)
        return True


ACTIONS: tuple[Action, ...] = (
    Action("logs", "l", "logs", ("containers", "services", "tasks", "projects"), mutating=False),
    Action("shell", "s", "shell", ("containers",), ("running", "unhealthy", "restarting")),
    Action("attach", "a", "attach", ("containers",), ("running", "unhealthy")),
    Action("exec", "e", "exec command", ("containers",), ("running", "unhealthy", "restarting")),
    Action("handover", "T", "shell (full terminal)", ("containers",), ("running", "unhealthy", "restarting"), footer=False),
    Action("describe", "d", "describe", ("containers", "images", "networks", "volumes", "nodes", "services", "tasks", "projects"), mutating=False),
    Action("start", "u", "start", ("containers",), ("exited", "created", "dead")),
    Action("stop", "x", "stop", ("containers",), ("running", "unhealthy", "restarting", "paused")),
    Action("restart", "r", "restart", ("containers",)),
    Action("pause", "p", "pause/unpause", ("containers",), ("running", "unhealthy", "paused")),
    Action("kill", "ctrl+k", "kill", ("containers",), ("running", "unhealthy", "restarting"), destructive=True),
    Action("remove", "ctrl+d", "remove", ("containers", "images", "networks", "volumes", "services"), destructive=True),
    Action("scale_up", "plus", "scale +1", ("services",)),
    Action("scale_down", "minus", "scale -1", ("services",)),
    Action("force_update", "r", "force update", ("services",)),
    Action("rollback", "R", "rollback", ("services",), destructive=True),
    Action("rename", "R", "rename", ("containers",)),
    Action("drain", "D", "drain", ("nodes",), destructive=True),
    Action("activate", "A", "activate", ("nodes",)),
    Action("node_pause", "P", "pause scheduling", ("nodes",)),
)


def actions_for(kind: str, row: Mapping[str, Any] | None, readonly: bool) -> list[Action]:
    return [a for a in ACTIONS if a.applies(kind, row, readonly)]


def action_by_key(kind: str, key: str) -> Action | None:
    for a in ACTIONS:
        if a.key == key and kind in a.kinds:
            return a
    return None
