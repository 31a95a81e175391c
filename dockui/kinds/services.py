"""Swarm services: ``services(status=True)`` on a manager; logs, scale, force update, rollback, remove.

Scaling reads the service's spec and version at the moment it runs (presses on one service run
one after the other: ``serial``), so three quick ``+`` from 2 end at 5; an update that lost a race
("update out of sequence") is read again and retried, never dropped; ``-`` at 0 says so.
"""

from __future__ import annotations

import time
from typing import Any

from .base import Action, Kind, Row
from .common import DESCRIBE, LOGS, inspect_with, spec_name

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


def _logs(row: Row, rid: str, ctx: Any) -> tuple[str, list[Any]]:
    from ..sessions.logs import Target

    name = spec_name(row, rid)
    return f"service {name}", [Target(rid, name, "service")]


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
