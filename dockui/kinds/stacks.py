"""Stacks (``:stacks``, swarm managers): the swarm services grouped by their
``com.docker.stack.namespace`` label (what ``docker stack deploy`` sets), with the services and
running/desired tasks per stack. ``enter`` shows its services; ``ctrl+d`` removes the stack as
``docker stack rm`` does: its services, then the networks, configs and secrets carrying the
namespace label, asking first.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from rich.text import Text

from ..ansi import one_line
from .base import Action, Column, Kind, Row
from .common import DESCRIBE, plain_name

NAMESPACE = "com.docker.stack.namespace"
NETWORK_RETRY = 10.0  # seconds a network may stay busy while the removed services' tasks wind down


def stacks_from(services: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The derived kind: one row per namespace label found on a service."""
    out: dict[str, dict[str, Any]] = {}
    for sid, s in services.items():
        spec = s.get("Spec") or {}
        ns = (spec.get("Labels") or {}).get(NAMESPACE)
        if not ns:
            continue
        e = out.setdefault(str(ns), {"Id": str(ns), "Name": str(ns), "Services": [], "ServiceNames": [],
                                     "Running": 0, "Desired": 0})
        e["Services"].append(sid)
        e["ServiceNames"].append(str(spec.get("Name") or sid[:12]))
        st = s.get("ServiceStatus") or {}
        e["Running"] += int(st.get("RunningTasks") or 0)
        e["Desired"] += int(st.get("DesiredTasks") or 0)
    for e in out.values():
        e["Services"] = tuple(e["Services"])
        e["ServiceNames"] = tuple(sorted(e["ServiceNames"]))
    return out


def remove(client: Any, ns: str) -> str:
    """``docker stack rm``: the services, then the networks, configs and secrets with the label."""
    label = {"label": [f"{NAMESPACE}={ns}"]}
    counts = {"services": 0, "networks": 0, "configs": 0, "secrets": 0}
    errors: list[str] = []
    for s in client.services(filters=label):
        client.remove_service(s["ID"])
        counts["services"] += 1
    for what, listing, rm in (("configs", client.configs, client.remove_config),
                              ("secrets", client.secrets, client.remove_secret)):
        for o in listing(filters=label):
            try:
                rm(o["ID"])
                counts[what] += 1
            except Exception as exc:  # noqa: BLE001 - reported with the rest
                errors.append(f"{what[:-1]} {o.get('Spec', {}).get('Name')}: {getattr(exc, 'explanation', '') or exc}")
    deadline = time.monotonic() + NETWORK_RETRY
    for n in client.networks(filters=label):
        while True:
            try:
                client.remove_network(n["Id"])
                counts["networks"] += 1
                break
            except Exception as exc:  # noqa: BLE001 - a network stays busy until the tasks are gone
                if time.monotonic() > deadline:
                    errors.append(f"network {n.get('Name')}: {getattr(exc, 'explanation', '') or exc}")
                    break
                time.sleep(0.5)
    done = ", ".join(f"{n} {k}" for k, n in counts.items())
    return f"removed {done}" + (f"; failed: {'; '.join(errors)}" if errors else "")


def _tasks(r: Row, c: Any) -> Text:
    run, want = int(r.get("Running") or 0), int(r.get("Desired") or 0)
    return Text(f"{run}/{want}", style="state.ok" if run == want and want else "state.partial" if run else "state.bad")


KIND = Kind(
    name="stacks",
    title="Stacks",
    aliases=("stack", "st"),
    id_key="Id",
    swarm=True,
    derive=stacks_from,
    derived_from="services",
    label=plain_name,
    wants_poll=True,  # the task counts come from the polled services
    columns=(
        Column("name", "STACK", lambda r, c: one_line(str(r.get("Name") or ""), 60), lambda r, c: str(r.get("Name") or "").lower(), width=20),
        Column("services", "SERVICES", lambda r, c: str(len(r.get("Services") or ())), lambda r, c: -len(r.get("Services") or ()), width=8),
        Column("tasks", "TASKS", _tasks, lambda r, c: (int(r.get("Running") or 0), int(r.get("Desired") or 0)), width=7),
        Column("names", "SERVICE NAMES", lambda r, c: one_line(", ".join(r.get("ServiceNames") or ()), 80), None, width=30, priority=2),
    ),
    fault=lambda r, c: int(r.get("Running") or 0) < int(r.get("Desired") or 0),
    drill=lambda r, rid, ctx: ("services", f"label={NAMESPACE}={json.dumps(str(r.get('Name') or rid))}"),
    actions=(
        DESCRIBE,
        Action("remove", "ctrl+d", "remove", lambda c, rid, row, arg: remove(c, rid), destructive=True, bulk=False,
               ask=lambda r, rid, ctx: f"its {len(r.get('Services') or ())} services, then the networks, configs and "
                                       "secrets labelled with it"),
    ),
)
