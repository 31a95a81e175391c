"""Compose projects: derived from the containers' compose labels (the engine has no such object)."""

from __future__ import annotations

from typing import Any

from ..ansi import one_line
from ..store.model import projects_from
from .base import Kind, Row
from .common import DESCRIBE, LOGS, plain_name


def _logs(row: Row, rid: str, ctx: Any) -> tuple[str, list[Any]]:
    """Every container of the project, lines named by compose service."""
    from ..sessions.logs import Target

    snap = ctx.store.snapshot("containers")
    targets = [Target(cid, one_line(snap[cid].get("Service") or snap[cid].get("Name", ""), 20))
               for cid in row.get("Containers", ()) if cid in snap]
    return f"project {plain_name(row, rid)}", targets


KIND = Kind(
    name="projects",
    title="Compose projects",
    aliases=("proj", "project", "compose", "p"),
    id_key="Id",
    derive=projects_from,
    derived_from="containers",
    derive_when=lambda touched: any(c.get("Project") for c in touched),  # only labelled containers count
    label=plain_name,
    logs=_logs,
    actions=(LOGS, DESCRIBE),
)
