"""One spec per resource kind: columns, sort keys, row styles, drill-down — the k9s renderers.

Adding a kind means adding a spec here, not a screen class. Cells are built from untrusted
engine text with ``one_line`` (escapes stripped), never as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from .. import format as fmt
from ..ansi import one_line
from ..filters import term as filter_term
from ..store.model import container_state

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    cell: Callable[[Row, Any], str | Text]
    sort: Callable[[Row, Any], Any] | None = None
    width: int = 12  # a typical width, to decide which columns fit
    stats: bool = False  # depends on stats samples (refreshed on stats ticks)
    priority: int = 1  # 1 always shown; higher numbers are dropped first on narrow terminals
    clock: bool = False  # follows the clock (ages, "Up 5 minutes"): redrawn on screen every second


@dataclass(frozen=True)
class KindSpec:
    kind: str
    title: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    default_sort: str = "name"
    style: Callable[[Row], str] = lambda r: ""
    drill: Callable[[Row], tuple[str, str] | None] = lambda r: None  # (kind, filter) for enter
    swarm: bool = False
    searchable: Callable[[Row], str] = field(default=lambda r: "")


STATE_STYLES = {
    "running": "green",
    "unhealthy": "bold red",
    "paused": "yellow",
    "restarting": "magenta",
    "created": "cyan",
    "dead": "bold red",
    "removing": "dim",
}


def state_style(state: str) -> str:
    if state.startswith("exited"):
        return "dim" if state in ("exited(0)", "exited") else "red"
    return STATE_STYLES.get(state, "")


def _ports(r: Row) -> str:
    out = []
    for p in r.get("Ports") or []:
        if p.get("PublicPort"):
            ip = p.get("IP", "")
            if ip and ":" in ip:
                continue  # the IPv6 twin of an IPv4 binding
            out.append(f"{ip + ':' if ip not in ('', '0.0.0.0') else ''}{p['PublicPort']}->{p.get('PrivatePort')}/{p.get('Type', 'tcp')}")
    return ", ".join(dict.fromkeys(out))


def _cpu(r: Row, ctx: Any) -> str:
    s = ctx.stats.latest(r["Id"]) if ctx and r.get("State") == "running" else None
    return fmt.percent(s.cpu) if s else "-"


def _cpu_sort(r: Row, ctx: Any) -> float:
    s = ctx.stats.latest(r["Id"]) if ctx else None
    return s.cpu if s else -1.0


def _mem(r: Row, ctx: Any) -> str:
    s = ctx.stats.latest(r["Id"]) if ctx and r.get("State") == "running" else None
    return fmt.size(s.mem) if s else "-"


def _mem_sort(r: Row, ctx: Any) -> float:
    s = ctx.stats.latest(r["Id"]) if ctx else None
    return s.mem if s else -1


_NO_SPARK = Text(" " * 10, style="cyan")  # shared by every row without samples; cells are never mutated


def _spark(r: Row, ctx: Any) -> Text:
    hist = ctx.stats.recent(r["Id"], 10) if ctx and r.get("State") == "running" else []
    if not hist:
        return _NO_SPARK
    vals = [s.cpu for s in hist]
    return Text(fmt.sparkline(vals, 10, top=max([5.0, *vals])), style="cyan")


def _state_cell(r: Row, ctx: Any) -> Text:
    st = container_state(r)
    return Text(st, style=state_style(st))


def _name(key: str = "Name") -> Callable[[Row, Any], str]:
    """Names are cut to the width the screen can spare (``ctx.name_width``), 60 at most."""
    return lambda r, ctx: one_line(str(r.get(key) or ""), getattr(ctx, "name_width", 60))


def _now(ctx: Any) -> float | None:
    """The time every time-derived cell of a paint counts from (the screen's clock; None: now)."""
    return getattr(ctx, "now", None)


def _age(key: str) -> Callable[[Row, Any], str]:
    return lambda r, ctx: fmt.age(r.get(key), _now(ctx))


def _lower(key: str) -> Callable[[Row, Any], str]:
    return lambda r, ctx: str(r.get(key) or "").lower()


CONTAINERS = KindSpec(
    kind="containers",
    title="Containers",
    aliases=("co", "c", "container", "containers", "ps"),
    columns=(
        Column("name", "NAME", _name(), _lower("Name"), width=24),
        Column("state", "STATE", _state_cell, lambda r, c: container_state(r)),
        Column("cpu", "CPU", _cpu, _cpu_sort, width=6, stats=True),
        Column("spark", "CPU 60s", _spark, _cpu_sort, width=10, stats=True, priority=3),
        Column("mem", "MEM", _mem, _mem_sort, width=8, stats=True, priority=2),
        Column("image", "IMAGE", lambda r, c: one_line(str(r.get("Image") or ""), 40), _lower("Image"), width=20, priority=2),
        Column("project", "PROJECT", lambda r, c: one_line(r.get("Project") or "", 20), _lower("Project"), width=10, priority=3),
        Column("ports", "PORTS", lambda r, c: one_line(_ports(r), 40), lambda r, c: _ports(r), width=20, priority=3),
        Column("status", "STATUS", lambda r, c: one_line(fmt.status(r, _now(c)), 30), lambda r, c: -(r.get("Created") or 0), width=18, priority=4, clock=True),
        Column("age", "AGE", _age("Created"), lambda r, c: -(r.get("Created") or 0), width=4, priority=2, clock=True),
        Column("id", "ID", lambda r, c: r["Id"][:12], lambda r, c: r["Id"], priority=5),
    ),
    style=lambda r: "bold red" if container_state(r) == "unhealthy" else "",
)


def _tags(r: Row) -> str:
    tags = [t for t in (r.get("RepoTags") or []) if t != "<none>:<none>"]
    return ", ".join(tags) if tags else "<none>"


IMAGES = KindSpec(
    kind="images",
    title="Images",
    aliases=("img", "image", "images", "i"),
    columns=(
        Column("name", "REPOSITORY:TAG", lambda r, c: one_line(_tags(r), 60), lambda r, c: _tags(r).lower()),
        Column("id", "ID", lambda r, c: r["Id"].split(":")[-1][:12], lambda r, c: r["Id"]),
        Column("size", "SIZE", lambda r, c: fmt.size(r.get("Size")), lambda r, c: -(r.get("Size") or 0)),
        Column("containers", "USED BY", lambda r, c: str(c.image_users(r["Id"])) if c else "-", lambda r, c: -(c.image_users(r["Id"]) if c else 0)),
        Column("age", "AGE", _age("Created"), lambda r, c: -(r.get("Created") or 0), clock=True),
    ),
    style=lambda r: "dim" if _tags(r) == "<none>" else "",
)

NETWORKS = KindSpec(
    kind="networks",
    title="Networks",
    aliases=("net", "network", "networks", "n"),
    columns=(
        Column("name", "NAME", _name(), _lower("Name"), width=24),
        Column("driver", "DRIVER", lambda r, c: one_line(str(r.get("Driver") or "")), _lower("Driver")),
        Column("scope", "SCOPE", lambda r, c: str(r.get("Scope") or ""), _lower("Scope")),
        Column("subnet", "SUBNET", lambda r, c: ", ".join(str(x.get("Subnet", "")) for x in ((r.get("IPAM") or {}).get("Config") or [])), None),
        Column("id", "ID", lambda r, c: r["Id"][:12], lambda r, c: r["Id"], priority=4),
    ),
)

VOLUMES = KindSpec(
    kind="volumes",
    title="Volumes",
    aliases=("vol", "volume", "volumes", "v"),
    columns=(
        Column("name", "NAME", lambda r, c: one_line(str(r.get("Name") or ""), 64), _lower("Name")),
        Column("driver", "DRIVER", lambda r, c: one_line(str(r.get("Driver") or "")), _lower("Driver")),
        Column("used", "USED BY", lambda r, c: str(c.volume_users(r["Name"])) if c else "-", lambda r, c: -(c.volume_users(r["Name"]) if c else 0)),
        Column("mount", "MOUNTPOINT", lambda r, c: one_line(str(r.get("Mountpoint") or ""), 60), None, width=40, priority=3),
    ),
)


def _node_state(r: Row) -> str:
    return str((r.get("Status") or {}).get("State") or "")


NODES = KindSpec(
    kind="nodes",
    title="Nodes",
    aliases=("no", "node", "nodes"),
    swarm=True,
    columns=(
        Column("name", "HOSTNAME", lambda r, c: one_line(str((r.get("Description") or {}).get("Hostname") or "")), lambda r, c: str((r.get("Description") or {}).get("Hostname") or "")),
        Column("state", "STATUS", lambda r, c: Text(_node_state(r), style="green" if _node_state(r) == "ready" else "red"), lambda r, c: _node_state(r)),
        Column("avail", "AVAILABILITY", lambda r, c: str((r.get("Spec") or {}).get("Availability") or ""), None),
        Column("role", "ROLE", lambda r, c: str((r.get("Spec") or {}).get("Role") or "") + (" (leader)" if (r.get("ManagerStatus") or {}).get("Leader") else ""), None),
        Column("addr", "ADDRESS", lambda r, c: str((r.get("Status") or {}).get("Addr") or ""), None),
        Column("tasks", "TASKS", lambda r, c: str(c.node_tasks(r["ID"])) if c else "-", lambda r, c: -(c.node_tasks(r["ID"]) if c else 0)),
        Column("engine", "ENGINE", lambda r, c: str(((r.get("Description") or {}).get("Engine") or {}).get("EngineVersion") or ""), None, priority=3),
        Column("id", "ID", lambda r, c: r["ID"][:12], lambda r, c: r["ID"], priority=4),
    ),
    drill=lambda r: ("tasks", f"node={r['ID'][:12]}"),
)


def _svc_mode(r: Row) -> str:
    mode = (r.get("Spec") or {}).get("Mode") or {}
    return "replicated" if "Replicated" in mode else "global" if "Global" in mode else next(iter(mode), "")


def _svc_counts(r: Row) -> tuple[int, int]:
    st = r.get("ServiceStatus") or {}
    return int(st.get("RunningTasks") or 0), int(st.get("DesiredTasks") or 0)


def _svc_replicas(r: Row, c: Any) -> Text:
    run, want = _svc_counts(r)
    return Text(f"{run}/{want}", style="green" if run == want and want else "yellow" if run else "red")


SERVICES = KindSpec(
    kind="services",
    title="Services",
    aliases=("svc", "service", "services", "s"),
    swarm=True,
    columns=(
        Column("name", "NAME", lambda r, c: one_line(str((r.get("Spec") or {}).get("Name") or "")), lambda r, c: str((r.get("Spec") or {}).get("Name") or "").lower()),
        Column("mode", "MODE", lambda r, c: _svc_mode(r), lambda r, c: _svc_mode(r)),
        Column("replicas", "REPLICAS", _svc_replicas, lambda r, c: _svc_counts(r)),
        Column("image", "IMAGE", lambda r, c: one_line(str((((r.get("Spec") or {}).get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("Image") or "").split("@")[0], 40), None),
        Column("update", "UPDATE", lambda r, c: str((r.get("UpdateStatus") or {}).get("State") or ""), None, priority=3),
        Column("age", "AGE", _age("CreatedAt"), None, clock=True),
        Column("id", "ID", lambda r, c: r["ID"][:12], lambda r, c: r["ID"], priority=4),
    ),
    drill=lambda r: ("tasks", f"service={r['ID'][:12]}"),
)

TASK_STYLES = {"running": "green", "failed": "red", "rejected": "red", "shutdown": "dim", "complete": "dim", "orphaned": "red"}


def _task_state(r: Row) -> str:
    return str((r.get("Status") or {}).get("State") or "")


TASKS = KindSpec(
    kind="tasks",
    title="Tasks",
    aliases=("ts", "task", "tasks", "t"),
    swarm=True,
    columns=(
        Column("name", "NAME", lambda r, c: c.task_name(r) if c else r["ID"][:12], lambda r, c: c.task_name(r) if c else r["ID"]),
        Column("state", "STATE", lambda r, c: Text(_task_state(r), style=TASK_STYLES.get(_task_state(r), "yellow")), lambda r, c: _task_state(r)),
        Column("desired", "DESIRED", lambda r, c: str(r.get("DesiredState") or ""), None),
        Column("node", "NODE", lambda r, c: c.node_name(r.get("NodeID") or "") if c else "", None),
        Column("error", "ERROR", lambda r, c: one_line(str((r.get("Status") or {}).get("Err") or ""), 50), None, width=30, priority=2),
        Column("age", "AGE", _age("CreatedAt"), lambda r, c: str(r.get("CreatedAt") or ""), clock=True),
        Column("id", "ID", lambda r, c: r["ID"][:12], lambda r, c: r["ID"], priority=4),
    ),
    style=lambda r: "dim" if r.get("DesiredState") == "shutdown" else "",
)

PROJECTS = KindSpec(
    kind="projects",
    title="Compose projects",
    aliases=("proj", "project", "projects", "compose", "p"),
    columns=(
        Column("name", "PROJECT", lambda r, c: one_line(str(r.get("Name") or "")), _lower("Name")),
        Column("running", "RUNNING", lambda r, c: Text(f"{r['Running']}/{r['Total']}", style="green" if r["Running"] == r["Total"] else "yellow"), lambda r, c: -r["Running"]),
        Column("unhealthy", "UNHEALTHY", lambda r, c: Text(str(r["Unhealthy"]), style="bold red" if r["Unhealthy"] else "dim"), lambda r, c: -r["Unhealthy"]),
        Column("services", "SERVICES", lambda r, c: one_line(", ".join(r.get("Services") or ()), 60), None),
        Column("dir", "WORKING DIR", lambda r, c: one_line(str(r.get("WorkingDir") or ""), 50), None, width=30, priority=3),
    ),
    drill=lambda r: ("containers", filter_term("project", str(r["Name"]))),  # the raw name, exactly
)

def _fault(kind: str, r: Row, ctx: Any) -> bool:
    """What "faults only" (ctrl+z) keeps: the rows that need a human."""
    if kind == "containers":
        st = container_state(r)
        return st in ("unhealthy", "restarting", "dead") or (st.startswith("exited") and st not in ("exited(0)", "exited"))
    if kind == "tasks":
        return _task_state(r) in ("failed", "rejected", "orphaned") or bool((r.get("Status") or {}).get("Err"))
    if kind == "services":
        run, want = _svc_counts(r)
        return run < want
    if kind == "nodes":
        return _node_state(r) != "ready" or (r.get("Spec") or {}).get("Availability") != "active"
    if kind == "projects":
        return r["Running"] < r["Total"] or r["Unhealthy"] > 0
    from ..kinds import KINDS  # a kind added as one module says it itself

    k = KINDS.get(kind)
    return bool(k is not None and k.fault(r, ctx))


class _Specs(dict):
    """The specs above, and for a kind with none here (added as one module in ``dockui/kinds``)
    one drawn from its ``Kind`` record (columns, title, sort, style, swarm)."""

    def __missing__(self, kind: str) -> KindSpec:
        from ..kinds import KINDS

        k = KINDS[kind]
        spec = self[kind] = KindSpec(kind=k.name, title=k.title, columns=k.columns, aliases=k.aliases,  # type: ignore[arg-type]
                                     default_sort=k.default_sort, style=k.style, swarm=k.swarm)
        return spec


SPECS: dict[str, KindSpec] = _Specs({s.kind: s for s in (CONTAINERS, IMAGES, NETWORKS, VOLUMES, NODES, SERVICES, TASKS, PROJECTS)})
ALIASES: dict[str, str] = {a: s.kind for s in SPECS.values() for a in (s.kind, *s.aliases)}
