"""Compose projects: derived from the containers' compose labels (the engine has no such object).

A project's actions work on all of its containers at once: ``u`` start, ``x`` stop, ``r``
restart, ``ctrl+d`` remove (asks, naming every container). Each opens the progress screen
(``dockui/screens/progress.py``): a line per container that says waiting, done, or the
engine's message on failure. ``enter`` lists the project's compose services
(``dockui/kinds/composeservices.py``), whose actions use the same group operations below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rich.text import Text

from ..ansi import one_line
from ..filters import term as filter_term
from ..store.model import projects_from
from .base import Action, Column, Kind, Row
from .common import DESCRIBE, LOGS, lower, plain_name

REMOVE_OPTIONS = {"y": "remove (running ones fail)", "f": "force (stop first)", "v": "force, with their anonymous volumes"}


def _start(client: Any, cid: str, arg: str) -> str | None:
    from ..engine import NotModified

    try:
        client.start(cid, raise_not_modified=True)
    except NotModified:
        return "already running"
    return None


def _stop(client: Any, cid: str, arg: str) -> str | None:
    from ..engine import NotModified

    try:
        client.stop(cid, raise_not_modified=True)
    except NotModified:
        return "already stopped"
    return None


def _restart(client: Any, cid: str, arg: str) -> str | None:
    client.restart(cid)
    return None


def _remove(client: Any, cid: str, arg: str) -> str | None:
    client.remove_container(cid, force=arg in ("f", "v"), v=arg == "v")
    return None


# what the group actions do to each container: (key, label, the call, destructive); stop and
# remove go dependents first, start and restart dependencies first (``com.docker.compose.depends_on``)
OPERATIONS: dict[str, tuple[str, str, Callable[[Any, str, str], str | None], bool]] = {
    "start": ("u", "start all", _start, False),
    "stop": ("x", "stop all", _stop, False),
    "restart": ("r", "restart all", _restart, False),
    "remove": ("ctrl+d", "remove all", _remove, True),
}


DEPENDS_ON = "com.docker.compose.depends_on"  # compose v2: "db:service_started:false,cache:service_healthy:true"


def service_levels(rows: Any) -> dict[str, int]:
    """Each compose service's depth in its ``depends_on`` graph (0: depends on none of these
    services); a cycle or an unknown service counts as no dependency."""
    deps: dict[str, set[str]] = {}
    for r in rows:
        svc = str(r.get("Service") or "")
        label = str((r.get("Labels") or {}).get(DEPENDS_ON) or "")
        deps.setdefault(svc, set()).update(p.split(":", 1)[0].strip() for p in label.split(",") if p.strip())
    levels: dict[str, int] = {}

    def level(s: str, seen: frozenset[str]) -> int:
        if s in levels:
            return levels[s]
        below = [level(d, seen | {s}) for d in deps.get(s, ()) if d in deps and d not in seen and d != s]
        levels[s] = 1 + max(below) if below else 0
        return levels[s]

    for s in deps:
        level(s, frozenset())
    return levels


def containers_of(ids: Any, snap: Mapping[str, Mapping[str, Any]], reverse: bool = False) -> list[tuple[str, str]]:
    """(id, name) of the containers ``ids`` names that the store still has: dependencies first
    (``reverse``: last, as compose stops), then by name."""
    rows = [(cid, snap[cid]) for cid in ids or () if cid in snap]
    levels = service_levels([r for _, r in rows])
    sign = -1 if reverse else 1
    rows.sort(key=lambda it: (sign * levels.get(str(it[1].get("Service") or ""), 0), str(it[1].get("Name") or "")))
    return [(cid, str(r.get("Name") or cid[:12])) for cid, r in rows]


def member_ids(row: Row) -> tuple[str, ...]:
    """The store keys of a project's (or compose service's) containers: their ids, or in a fleet
    ``engine/id`` (the derived row carries its engine's raw ids and an ``Engine`` field)."""
    engine = str(row.get("Engine") or "")
    return tuple(f"{engine}/{cid}" if engine else str(cid) for cid in row.get("Containers") or ())


def waves_of(reverse: bool) -> Any:
    """The progress screen's waves: containers of one dependency level at a time, dependencies
    first (start, restart) or dependents first (stop, remove), as compose orders them."""

    def waves(app: Any, items: Any) -> list[list[int]]:
        snap = app.store.snapshot("containers")
        rows = [snap.get(cid) or {} for cid, _ in items]
        levels = service_levels([r for r in rows if r])
        by: dict[int, list[int]] = {}
        for i, r in enumerate(rows):
            by.setdefault(levels.get(str(r.get("Service") or ""), 0), []).append(i)
        return [by[k] for k in sorted(by, reverse=reverse)]

    return waves


def group_actions(what: str, label: Callable[[Row, str], str]) -> tuple[Action, ...]:
    """Start, stop, restart and remove over every container of a row (``row["Containers"]``),
    each opening the progress screen; ``what`` names the row in titles (project, service)."""

    def make(op: str) -> Action:
        key, text, call, destructive = OPERATIONS[op]

        def view(rid: str, row: Row) -> Any:
            from ..screens.progress import ProgressScreen

            name = label(row, rid)
            ids = member_ids(row)
            reverse = op in ("stop", "remove")
            items = lambda app, below: containers_of(ids, app.store.snapshot("containers"), reverse)  # noqa: E731
            work = lambda app, cid, cname, arg: call(app.client, cid, arg)  # noqa: E731
            confirm = None
            if destructive:
                confirm = (f"{op} every container of {what} {name} listed above ({len(ids)})?", REMOVE_OPTIONS)
            return ProgressScreen(f"{op} {what} {name}", items, work, confirm=confirm, verb=op, waves=waves_of(reverse))

        return Action(f"{what}.{op}", key, text, verb="view", view=view, destructive=destructive, bulk=False)

    return tuple(make(op) for op in OPERATIONS)


def running_column(**kw: Any) -> Column:
    """RUNNING ``2/3`` of a project or compose service, the least running first."""
    return Column("running", "RUNNING", lambda r, c: Text(f"{r['Running']}/{r['Total']}", style="state.ok" if r["Running"] == r["Total"] else "state.partial"),
                  lambda r, c: -r["Running"], **kw)


def group_fault(row: Row, ctx: Any) -> bool:
    """ctrl+z keeps a project or compose service with a container down or unhealthy."""
    return row["Running"] < row["Total"] or row["Unhealthy"] > 0


def compose_touched(touched: list[Mapping[str, Any]]) -> bool:
    """Projects and compose services are derived again only when a compose-labelled container changed."""
    return any(c.get("Project") for c in touched)


def _logs(row: Row, rid: str, ctx: Any) -> tuple[str, list[Any]]:
    """Every container of the project, lines named by compose service."""
    from ..sessions.logs import Target

    snap = ctx.store.snapshot("containers")
    targets = [Target(cid, one_line(snap[cid].get("Service") or snap[cid].get("Name", ""), 20))
               for cid in member_ids(row) if cid in snap]
    return f"project {plain_name(row, rid)}", targets


KIND = Kind(
    name="projects",
    title="Compose projects",
    aliases=("proj", "project", "compose", "p"),
    id_key="Id",
    derive=projects_from,
    derived_from="containers",
    derive_when=compose_touched,
    label=plain_name,
    columns=(
        Column("name", "PROJECT", lambda r, c: one_line(str(r.get("Name") or "")), lower("Name")),
        running_column(),
        Column("unhealthy", "UNHEALTHY", lambda r, c: Text(str(r["Unhealthy"]), style="state.fatal" if r["Unhealthy"] else "state.muted"),
               lambda r, c: -r["Unhealthy"]),
        Column("services", "SERVICES", lambda r, c: one_line(", ".join(r.get("Services") or ()), 60), None),
        Column("dir", "WORKING DIR", lambda r, c: one_line(str(r.get("WorkingDir") or ""), 50), None, width=30, priority=3),
    ),
    fault=group_fault,
    # enter: the project's compose services (the raw name, matched exactly)
    drill=lambda r, rid, ctx: ("composeservices", filter_term("project", str(r["Name"]))),
    logs=_logs,
    actions=(LOGS, DESCRIBE, *group_actions("project", plain_name)),
)
