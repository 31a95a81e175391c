"""What several kind modules share: the describe and logs actions, and name helpers."""

from __future__ import annotations

from typing import Any

from ..ansi import one_line
from .base import Action, Row

DESCRIBE = Action("describe", "d", "describe", verb="describe", mutating=False, bulk=False)
LOGS = Action("logs", "l", "logs", verb="logs", mutating=False, bulk=False)


def spec_name(row: Row, rid: str) -> str:
    """The name of a swarm object (``Spec.Name``), or its short id."""
    return one_line(str((row.get("Spec") or {}).get("Name") or rid[:12]), 60)


def plain_name(row: Row, rid: str) -> str:
    return one_line(str(row.get("Name") or rid[:12]), 60)


def inspect_with(method: str) -> Any:
    """``client.<method>(rid)``, looked up when called (the client may be swapped for another engine)."""
    return lambda client, rid: getattr(client, method)(rid)
