"""Swarm services: ``services(status=True)`` on a manager; logs, scale, force update, rollback, remove.

Scaling reads the service's spec and version at the moment it runs (presses on one service run
one after the other: ``serial``), so three quick ``+`` from 2 end at 5; an update that lost a race
("update out of sequence") is read again and retried, never dropped; ``-`` at 0 says so.
"""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text

from ..ansi import one_line
from .base import Action, Column, Kind, Row
from .common import DESCRIBE, LOGS, age_cell, inspect_with, spec_name

RETRIES = 5


def _out_of_sequence(exc: Exception) -> bool:
    status = getattr(exc, "status_code", None)
    text = f"{getattr(exc, 'explanation', '') or ''} {exc}".lower()
    return status in (409, 500) and ("out of sequence" in text or "version" in text)


def scale(client: Any, rid: str, delta: int) -> str:
    """Replicas += ``delta`` against the engine's current spec; says what it did (or that it did nothing)."""
    for attempt in range(RETRIES):
        cur = client.inspect_service(rid)
        spec = cur["Spec"]
        mode = spec.get("Mode") or {}
        if "Replicated" not in mode:
            return "a global service runs one task per node: it cannot be scaled"
        was = int(mode["Replicated"].get("Replicas") or 0)
        want = max(0, was + delta)
        if want == was:
            return f"already at {was} replicas: nothing to do"
        mode["Replicated"]["Replicas"] = want
        try:
            client.update_service_spec(rid, cur["Version"]["Index"], spec)
        except Exception as exc:
            if attempt + 1 < RETRIES and _out_of_sequence(exc):
                time.sleep(0.05 * (attempt + 1))
                continue  # someone else updated it meanwhile: read the new version, apply the press again
            raise
        return f"{was} -> {want} replicas"
    raise RuntimeError("the service kept changing; try again")


def _mode(r: Row) -> str:
    mode = (r.get("Spec") or {}).get("Mode") or {}
    return "replicated" if "Replicated" in mode else "global" if "Global" in mode else next(iter(mode), "")


def _counts(r: Row) -> tuple[int, int]:
    st = r.get("ServiceStatus") or {}
    return int(st.get("RunningTasks") or 0), int(st.get("DesiredTasks") or 0)


def _replicas(r: Row, c: Any) -> Text:
    run, want = _counts(r)
    return Text(f"{run}/{want}", style="state.ok" if run == want and want else "state.partial" if run else "state.bad")


def _name(r: Row) -> str:
    return str((r.get("Spec") or {}).get("Name") or "")


def _image(r: Row) -> str:
    return str((((r.get("Spec") or {}).get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("Image") or "").split("@")[0]


COLUMNS = (
    Column("name", "NAME", lambda r, c: one_line(_name(r)), lambda r, c: _name(r).lower()),
    Column("mode", "MODE", lambda r, c: _mode(r), lambda r, c: _mode(r)),
    Column("replicas", "REPLICAS", _replicas, lambda r, c: _counts(r)),
    Column("image", "IMAGE", lambda r, c: one_line(_image(r), 40), lambda r, c: _image(r).lower()),
    Column("update", "UPDATE", lambda r, c: str((r.get("UpdateStatus") or {}).get("State") or ""), None, priority=3),
    Column("age", "AGE", age_cell("CreatedAt"), lambda r, c: str(r.get("CreatedAt") or ""), clock=True),
    Column("id", "ID", lambda r, c: r["ID"][:12], lambda r, c: r["ID"], priority=4),
)


def _fault(r: Row, ctx: Any) -> bool:
    """Short of replicas."""
    run, want = _counts(r)
    return run < want


def _logs(row: Row, rid: str, ctx: Any) -> tuple[str, list[Any]]:
    from ..sessions.logs import Target

    name = spec_name(row, rid)
    return f"service {name}", [Target(rid, name, service=True)]


KIND = Kind(
    name="services",
    title="Services",
    aliases=("svc", "service", "s"),
    id_key="ID",
    swarm=True,
    list=lambda c: c.services(status=True),
    inspect=inspect_with("inspect_service"),
    events=("service",),
    label=spec_name,
    columns=COLUMNS,
    fault=_fault,
    drill=lambda r, rid, ctx: ("tasks", f"service={rid[:12]}"),
    wants_poll=True,
    poll=True,
    logs=_logs,
    actions=(
        LOGS,
        DESCRIBE,
        Action("remove", "ctrl+d", "remove", lambda c, rid, row, arg: c.remove_service(rid), destructive=True),
        Action("scale_up", "plus", "scale +1", lambda c, rid, row, arg: scale(c, rid, +1), serial=True),
        Action("scale_down", "minus", "scale -1", lambda c, rid, row, arg: scale(c, rid, -1), serial=True),
        Action("force_update", "r", "force update", lambda c, rid, row, arg: c.force_update_service(rid), serial=True),
        Action("rollback", "R", "rollback", lambda c, rid, row, arg: c.rollback_service(rid), destructive=True, serial=True),
    ),
)
