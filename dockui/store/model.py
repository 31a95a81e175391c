"""What the store holds: change notices, connection state, engine facts, row summaries (the kinds
themselves are the registry's, ``dockui.kinds``)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..format import status_since

COMPOSE_PROJECT = "com.docker.compose.project"
COMPOSE_SERVICE = "com.docker.compose.service"


@dataclass(frozen=True)
class StoreChange:
    """What changed in one published batch: per kind, the ids added, changed and removed."""

    added: Mapping[str, frozenset[str]] = field(default_factory=dict)
    changed: Mapping[str, frozenset[str]] = field(default_factory=dict)
    removed: Mapping[str, frozenset[str]] = field(default_factory=dict)
    facts: bool = False
    connection: bool = False

    @property
    def kinds(self) -> set[str]:
        return set(self.added) | set(self.changed) | set(self.removed)

    def merge(self, other: StoreChange) -> StoreChange:
        def m(a: Mapping[str, frozenset[str]], b: Mapping[str, frozenset[str]]) -> dict[str, frozenset[str]]:
            out = dict(a)
            for k, v in b.items():
                out[k] = out.get(k, frozenset()) | v
            return out

        return StoreChange(m(self.added, other.added), m(self.changed, other.changed), m(self.removed, other.removed),
                           self.facts or other.facts, self.connection or other.connection)

    def __bool__(self) -> bool:
        return bool(self.kinds) or self.facts or self.connection


@dataclass(frozen=True)
class ConnectionState:
    """connecting, connected, reconnecting (reason, next retry) or failed, as data for the UI."""

    status: str = "connecting"
    endpoint: str = ""
    reason: str = ""
    next_retry: float | None = None  # time.time() of the next attempt
    since: float = field(default_factory=time.time)

    @property
    def ok(self) -> bool:
        return self.status == "connected"

    def describe(self) -> str:
        if self.status == "connected":
            return f"connected to {self.endpoint}"
        if self.status == "reconnecting":
            wait = max(0.0, (self.next_retry or time.time()) - time.time())
            return f"reconnecting to {self.endpoint} in {wait:.0f}s: {self.reason}"
        if self.status == "failed":
            return f"cannot reach {self.endpoint}: {self.reason}"
        return f"connecting to {self.endpoint}..."


@dataclass(frozen=True)
class EngineFacts:
    endpoint: str = ""
    version: str = ""
    api_version: str = ""
    os: str = ""
    arch: str = ""
    cpus: int = 0
    memory: int = 0
    name: str = ""
    swarm: str = "inactive"  # inactive, manager, worker, pending, error
    node_id: str = ""
    kernel: str = ""
    storage_driver: str = ""
    cgroup: str = ""


def facts_from(endpoint: str, version: Mapping[str, Any], info: Mapping[str, Any]) -> EngineFacts:
    sw = info.get("Swarm") or {}
    state = sw.get("LocalNodeState") or "inactive"
    role = ("manager" if sw.get("ControlAvailable") else "worker") if state == "active" else state
    return EngineFacts(
        endpoint=endpoint, version=str(version.get("Version", "")), api_version=str(version.get("ApiVersion", "")),
        os=str(version.get("Os", "")), arch=str(version.get("Arch", "")), cpus=int(info.get("NCPU") or 0),
        memory=int(info.get("MemTotal") or 0), name=str(info.get("Name", "")), swarm=role,
        node_id=str(sw.get("NodeID", "")), kernel=str(info.get("KernelVersion", "")),
        storage_driver=str(info.get("Driver", "")), cgroup=str(info.get("CgroupVersion", "")),
    )


_HEALTH = re.compile(r"\((healthy|unhealthy|health: starting)\)")


def container_summary(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The list API's container, plus the fields screens need: name, health, compose project."""
    names = raw.get("Names") or []
    name = (names[0] if names else raw.get("Id", "")[:12]).lstrip("/")
    status = str(raw.get("Status") or "")
    m = _HEALTH.search(status)
    health = {"health: starting": "starting"}.get(m.group(1), m.group(1)) if m else ""
    labels = raw.get("Labels") or {}
    d = dict(raw)
    d["Name"] = name
    d["Health"] = health
    d["Project"] = labels.get(COMPOSE_PROJECT, "")
    d["Service"] = labels.get(COMPOSE_SERVICE, "")
    # when the Status' duration ("Up 2 seconds") began, so the STATUS cell can follow the clock
    d["StatusSince"] = status_since(status, time.time())
    return d


def provisional_summary(event: Mapping[str, Any]) -> dict[str, Any]:
    """A container as its ``create`` event describes it (name, image, labels, time), shaped like
    a list-API row, until the list API's own row replaces it."""
    actor = event.get("Actor") or {}
    attrs = actor.get("Attributes") or {}
    if not isinstance(attrs, dict):
        attrs = {}
    cid = str(actor.get("ID") or event.get("id") or "")
    t = event.get("timeNano")
    created = int(t / 1e9) if isinstance(t, (int, float)) and t > 0 else int(event.get("time") or time.time())
    labels = {str(k): str(v) for k, v in attrs.items() if k not in ("name", "image")}
    return container_summary({
        "Id": cid, "Names": ["/" + str(attrs.get("name") or cid[:12])], "Image": str(attrs.get("image") or ""),
        "ImageID": "", "Command": "", "Created": created, "Ports": [], "Labels": labels, "State": "created",
        "Status": "Created", "Mounts": [], "Provisional": True,
    })


def container_state(c: Mapping[str, Any]) -> str:
    """One word for the state column: running, unhealthy, paused, restarting, exited(3), created, dead..."""
    state = str(c.get("State") or "")
    if state == "running" and c.get("Health") == "unhealthy":
        return "unhealthy"
    if state == "exited":
        m = re.search(r"Exited \((-?\d+)\)", str(c.get("Status") or ""))
        return f"exited({m.group(1)})" if m else "exited"
    return state


def projects_from(containers: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The derived kind: compose projects from the containers' labels."""
    out: dict[str, dict[str, Any]] = {}
    for c in containers.values():
        p = c.get("Project")
        if not p:
            continue
        e = out.setdefault(p, {"Id": p, "Name": p, "Containers": [], "Services": set(), "Running": 0, "Total": 0,
                               "Unhealthy": 0, "WorkingDir": (c.get("Labels") or {}).get("com.docker.compose.project.working_dir", "")})
        e["Containers"].append(c["Id"])
        if c.get("Service"):
            e["Services"].add(c["Service"])
        e["Total"] += 1
        if c.get("State") == "running":
            e["Running"] += 1
        if c.get("Health") == "unhealthy":
            e["Unhealthy"] += 1
    for e in out.values():
        e["Services"] = tuple(sorted(e["Services"]))
        e["Containers"] = tuple(e["Containers"])
    return out


def state_counts(containers: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    _count(counts, containers.values(), 1)
    return counts


def _count(counts: dict[str, int], rows: Iterable[Mapping[str, Any]], sign: int) -> None:
    for c in rows:
        s = str(c.get("State") or "unknown")
        counts[s] = counts.get(s, 0) + sign
        if c.get("Health") == "unhealthy":
            counts["unhealthy"] = counts.get("unhealthy", 0) + sign


def state_counts_after(counts: Mapping[str, int], gone: Iterable[Mapping[str, Any]],
                       came: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """``state_counts`` of a snapshot from the counts before a change and the rows it replaced
    (``gone``) and brought (``came``): O(rows changed), not a pass over 10,000 containers per event."""
    out = dict(counts)
    _count(out, gone, -1)
    _count(out, came, 1)
    return {k: v for k, v in out.items() if v}


state_counts.after = state_counts_after  # type: ignore[attr-defined]  # the store's incremental path
