"""Compose services: the containers of each compose project grouped by their
``com.docker.compose.service`` label (derived from the containers, as projects are).

``enter`` on a project lists its services; ``enter`` on a service lists its containers. ``u``
``x`` ``r`` ``ctrl+d`` start, stop, restart and remove every container of the service (the
progress screen, a line per container), ``l`` follows their logs. Scaling is the compose CLI's
job (``docker compose up --scale SERVICE=N``), out of dockui's scope: ``+`` says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rich.text import Text

from ..ansi import one_line
from ..filters import term as filter_term
from ..store.model import COMPOSE_SERVICE
from .base import Action, Column, Kind, Row
from .common import DESCRIBE, LOGS, lower
from .projects import compose_touched, group_actions, group_fault, member_ids, running_column

SCALE_NOTE = "scaling is the compose CLI's job (docker compose up --scale SERVICE=N); dockui does not scale"


def service_id(project: str, service: str) -> str:
    return f"{project}/{service}"


def services_from(containers: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every (project, service) pair of the compose-labelled containers, with its counts. One pass
    to group, one over each group (the store runs it on every change of a labelled container)."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for c in containers.values():
        p = c.get("Project")
        if p:
            key = (p, c.get("Service") or "")
            g = groups.get(key)
            if g is None:
                groups[key] = [c]
            else:
                g.append(c)
    out: dict[str, dict[str, Any]] = {}
    for (p, s), members in groups.items():
        states: dict[str, int] = {}
        images: dict[str, int] = {}
        unhealthy = 0
        for c in members:
            st = c.get("State") or "unknown"
            states[st] = states.get(st, 0) + 1
            im = c.get("Image") or ""
            images[im] = images.get(im, 0) + 1
            if c.get("Health") == "unhealthy":
                unhealthy += 1
        sid = service_id(p, s)
        e = {"Id": sid, "Name": s, "Project": p, "Containers": tuple(sorted(c["Id"] for c in members)),
             "Running": states.get("running", 0), "Total": len(members), "Unhealthy": unhealthy, "States": states,
             "Image": ", ".join(sorted(images, key=lambda i: -images[i]))}  # the most used first
        e["State"] = _state(e)
        out[sid] = e
    return out


def _state(e: Mapping[str, Any]) -> str:
    """One word for the service: running, unhealthy, exited, partial (some running), or the
    containers' one state."""
    if e["Unhealthy"]:
        return "unhealthy"
    if e["Running"] == e["Total"]:
        return "running"
    if e["Running"]:
        return "partial"
    states = e["States"]
    return next(iter(states)) if len(states) == 1 else "stopped"


STATE_STYLES = {"running": "state.running", "unhealthy": "state.unhealthy", "partial": "state.partial", "exited": "state.exited",
                "stopped": "state.exited", "paused": "state.paused", "restarting": "state.restarting", "created": "state.created",
                "dead": "state.dead"}  # semantic names: widgets/palette.py colours them from the theme


def _label(row: Row, rid: str) -> str:
    return one_line(f"{row.get('Project') or ''}/{row.get('Name') or ''}", 60)


def _logs(row: Row, rid: str, ctx: Any) -> tuple[str, list[Any]]:
    """Every container of the service, lines named by container: its name without the project's
    prefix (``web-1`` for ``shop-web-1``), so the part that tells them apart is not cut off."""
    from ..sessions.logs import Target

    snap = ctx.store.snapshot("containers")
    project = str(row.get("Project") or "")

    def short(name: str) -> str:
        for sep in ("-", "_"):  # compose v2 names project-service-N, v1 project_service_N
            if project and name.startswith(project + sep) and len(name) > len(project) + 1:
                return name[len(project) + 1:]
        return name

    targets = [Target(cid, one_line(short(str(snap[cid].get("Name") or cid[:12])), 24))
               for cid in member_ids(row) if cid in snap]
    return f"compose service {_label(row, rid)}", targets


def _drill(row: Row, rid: str, ctx: Any) -> tuple[str, str]:
    """enter: the service's containers (its project and service label, matched exactly)."""
    service = json.dumps(str(row.get("Name") or ""))
    return "containers", f"{filter_term('project', str(row.get('Project') or ''))} label={COMPOSE_SERVICE}={service}"


KIND = Kind(
    name="composeservices",
    title="Compose services",
    aliases=("cs", "csvc", "compose-services", "composeservice"),
    id_key="Id",
    derive=services_from,
    derived_from="containers",
    derive_when=compose_touched,
    label=_label,
    state=lambda r: str(r.get("State") or ""),
    columns=(
        Column("name", "SERVICE", lambda r, c: one_line(str(r.get("Name") or ""), 40), lower("Name"), width=20),
        running_column(width=8),
        Column("image", "IMAGE", lambda r, c: one_line(str(r.get("Image") or ""), 50), lower("Image"), width=24),
        Column("state", "STATE", lambda r, c: Text(str(r.get("State") or ""), style=STATE_STYLES.get(str(r.get("State")), "")),
               lambda r, c: str(r.get("State") or ""), width=10),
        Column("project", "PROJECT", lambda r, c: one_line(str(r.get("Project") or ""), 30), lower("Project"), width=16, priority=2),
    ),
    fault=group_fault,
    filters={"project": lambda r: r.get("Project", ""), "service": lambda r: r.get("Name", ""),
             "state": lambda r: r.get("State", ""), "image": lambda r: r.get("Image", "")},
    drill=_drill,
    logs=_logs,
    actions=(
        LOGS, DESCRIBE, *group_actions("service", _label),
        Action("scale", "plus", "scale (the compose CLI's job)", lambda c, rid, row, arg: SCALE_NOTE,
               mutating=False, footer=False, bulk=False),
    ),
)
