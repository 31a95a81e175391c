"""Compose projects: derived from the containers' compose labels (the engine has no such object)."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..ansi import one_line
from ..filters import term as filter_term
from ..store.model import projects_from
from .base import Column, Kind, Row
from .common import DESCRIBE, LOGS, lower, plain_name


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
    columns=(
        Column("name", "PROJECT", lambda r, c: one_line(str(r.get("Name") or "")), lower("Name")),
        Column("running", "RUNNING", lambda r, c: Text(f"{r['Running']}/{r['Total']}", style="green" if r["Running"] == r["Total"] else "yellow"),
               lambda r, c: -r["Running"]),
        Column("unhealthy", "UNHEALTHY", lambda r, c: Text(str(r["Unhealthy"]), style="bold red" if r["Unhealthy"] else "dim"),
               lambda r, c: -r["Unhealthy"]),
        Column("services", "SERVICES", lambda r, c: one_line(", ".join(r.get("Services") or ()), 60), None),
        Column("dir", "WORKING DIR", lambda r, c: one_line(str(r.get("WorkingDir") or ""), 50), None, width=30, priority=3),
    ),
    fault=lambda r, ctx: r["Running"] < r["Total"] or r["Unhealthy"] > 0,
    drill=lambda r, rid, ctx: ("containers", filter_term("project", str(r["Name"]))),  # the raw name, exactly
    logs=_logs,
    actions=(LOGS, DESCRIBE),
)
