"""Containers: listed with ``containers(all=True)``, summarised (name, health, compose labels),
with live stats, logs, shells and the lifecycle actions."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text

from .. import format as fmt
from ..ansi import one_line
from ..store.model import container_state as state
from ..store.model import container_summary, state_counts
from ..store.restarts import exit_text
from .base import Action, Column, Command, Kind, Row
from .common import DESCRIBE, LOGS, age_cell, inspect_with, lower, name_cell, now, plain_name

LIVE = ("running", "unhealthy", "restarting")

# semantic names: the screen layer (widgets/palette.py) colours them from the current theme
STATE_STYLES = {
    "running": "state.running",
    "unhealthy": "state.unhealthy",
    "paused": "state.paused",
    "restarting": "state.restarting",
    "created": "state.created",
    "dead": "state.dead",
    "removing": "state.removing",
}


def state_style(st: str) -> str:
    if st.startswith("exited"):
        return "state.exited" if st in ("exited(0)", "exited") else "state.failed"
    return STATE_STYLES.get(st, "")


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
    """Busiest first (every running container has a figure: the stats sampler); then the rest."""
    s = ctx.stats.latest(r["Id"]) if ctx and r.get("State") == "running" else None
    return -s.cpu if s else 1.0


BUSIEST = ("busiest first", "idlest first")  # what the header says of a CPU sort (its key is the negated figure)


def _mem(r: Row, ctx: Any) -> str:
    s = ctx.stats.latest(r["Id"]) if ctx and r.get("State") == "running" else None
    return fmt.size(s.mem) if s else "-"


def _mem_sort(r: Row, ctx: Any) -> float:
    s = ctx.stats.latest(r["Id"]) if ctx and r.get("State") == "running" else None
    return -s.mem if s else 1


_NO_SPARK = Text(" " * 10, style="state.chart")  # shared by every row without samples; cells are never mutated


def _spark(r: Row, ctx: Any) -> Text:
    hist = ctx.stats.recent(r["Id"], 10) if ctx and r.get("State") == "running" else []
    if not hist:
        return _NO_SPARK
    vals = [s.cpu for s in hist]
    return Text(fmt.sparkline(vals, 10, top=max([5.0, *vals])), style="state.chart")


def _restart_info(r: Row, ctx: Any) -> Any:
    book = getattr(getattr(ctx, "store", None), "restarts", None)  # the store's RestartBook (events + inspect)
    return book.get(r["Id"]) if book is not None else None


def _restarts(r: Row, ctx: Any) -> str:
    """``3 (2m)``: restarts seen, and how long ago the last one was."""
    info = _restart_info(r, ctx)
    if info is None:
        return ""
    n = info.count
    return f"{n} ({fmt.age(info.last, now(ctx))})" if n and info.last else str(n)


def _exit_code(r: Row, ctx: Any) -> int | None:
    info = _restart_info(r, ctx)
    if info is not None and info.exit_code is not None:
        return info.exit_code
    st = state(r)
    if st.startswith("exited(") or r.get("State") == "restarting":
        m = re.search(r"\((-?\d+)\)", str(r.get("Status") or ""))
        return int(m.group(1)) if m else None
    return None


def _exit_cell(r: Row, ctx: Any) -> Text:
    """``137 KILL``: the last exit code, with the signal's name for 128+N."""
    code = _exit_code(r, ctx)
    return Text(exit_text(code), style="red" if code else "")


def _exit_sort(r: Row, ctx: Any) -> tuple[int, int]:
    code = _exit_code(r, ctx)
    return (2, 0) if code is None else (0 if code else 1, -code)  # failures first, biggest code first


def _state_cell(r: Row, ctx: Any) -> Text:
    st = state(r)
    return Text(st, style=state_style(st))


def _why() -> Any:
    from ..triage import reasons

    return reasons


def _fault(r: Row, ctx: Any) -> bool:
    """Unhealthy, restarting, dead, or exited non-zero."""
    st = state(r)
    return st in ("unhealthy", "restarting", "dead") or (st.startswith("exited") and st not in ("exited(0)", "exited")) \
        or _why().in_loop(r, ctx)  # a restart loop, caught in the moment it is up


COLUMNS = (
    Column("name", "NAME", name_cell(), lower("Name"), width=24),
    Column("state", "STATE", _state_cell, lambda r, c: state(r)),
    Column("reason", "REASON", lambda r, c: _why().reason_cell(r, c, _fault), lambda r, c: _why().reason_sort(r, c), width=30, faults=True),
    Column("cpu", "CPU", _cpu, _cpu_sort, width=6, stats=True, order=BUSIEST),
    Column("spark", "CPU 60s", _spark, _cpu_sort, width=10, stats=True, priority=3, order=BUSIEST),
    Column("mem", "MEM", _mem, _mem_sort, width=8, stats=True, priority=2, order=("biggest first", "smallest first")),
    Column("restarts", "RESTARTS", _restarts, lambda r, c: -(getattr(_restart_info(r, c), "count", 0)), width=9, priority=6,
           clock=True, order=("most first", "fewest first")),
    Column("exit", "EXIT", _exit_cell, _exit_sort, width=8, priority=6, clock=True, order=("failures first", "failures last")),
    Column("image", "IMAGE", lambda r, c: one_line(str(r.get("Image") or ""), 40), lower("Image"), width=20, priority=2),
    Column("project", "PROJECT", lambda r, c: one_line(r.get("Project") or "", 20), lower("Project"), width=10, priority=3),
    Column("ports", "PORTS", lambda r, c: one_line(_ports(r), 40), lambda r, c: _ports(r), width=20, priority=3),
    Column("status", "STATUS", lambda r, c: one_line(fmt.status(r, now(c)), 30), lambda r, c: -(r.get("Created") or 0), width=18,
           priority=4, clock=True),
    Column("age", "AGE", age_cell("Created"), lambda r, c: -(r.get("Created") or 0), width=4, priority=2, clock=True),
    Column("id", "ID", lambda r, c: r["Id"][:12], lambda r, c: r["Id"], priority=5),
)


def _pause(client: Any, rid: str, row: Row, arg: str) -> None:
    (client.unpause if row.get("State") == "paused" else client.pause)(rid)


def _remove(client: Any, rid: str, row: Row, arg: str) -> None:
    client.remove_container(rid, force=arg in ("f", "v"), v=arg == "v")


def _logs(row: Row, rid: str, ctx: Any) -> tuple[str, list[Any]]:
    from ..sessions.logs import Target

    return f"container {plain_name(row, rid)}", [Target(rid)]


def _processes(rid: str, row: Row) -> Any:
    from ..screens.processes import ProcessesScreen

    return ProcessesScreen(rid, plain_name(row, rid))


def _top(app: Any, args: str) -> Any:
    from ..screens.processes import top_view

    return top_view(app, args)


def _pulse(app: Any, args: str) -> Any:
    from ..screens.pulse import PulseScreen

    return PulseScreen()


ACTIONS = (
    LOGS,
    Action("shell", "s", "shell", verb="shell", states=LIVE, bulk=False),
    Action("attach", "a", "attach", verb="attach", states=("running", "unhealthy"), bulk=False),
    Action("exec", "e", "exec command", verb="exec", states=LIVE, bulk=False,
           prompt="command to run in the container (e.g. ps aux)"),
    Action("handover", "T", "shell (full terminal)", verb="handover", states=LIVE, footer=False, bulk=False),
    DESCRIBE,
    Action("start", "u", "start", lambda c, rid, row, arg: c.start(rid, raise_not_modified=True),
           states=("exited", "created", "dead")),
    Action("stop", "x", "stop", lambda c, rid, row, arg: c.stop(rid, raise_not_modified=True),
           states=(*LIVE, "paused")),
    Action("restart", "r", "restart", lambda c, rid, row, arg: c.restart(rid)),
    Action("pause", "p", "pause/unpause", _pause, states=("running", "unhealthy", "paused")),
    Action("kill", "ctrl+k", "kill", lambda c, rid, row, arg: c.kill(rid), states=LIVE, destructive=True),
    Action("remove", "ctrl+d", "remove", _remove, destructive=True,
           options={"y": "remove", "f": "force (stop first)", "v": "force, with its anonymous volumes"}),
    Action("processes", "P", "processes", verb="view", view=_processes, states=("running", "unhealthy", "paused"),
           mutating=False, bulk=False, footer=False),
    Action("rename", "R", "rename", lambda c, rid, row, arg: c.rename(rid, arg), bulk=False, prompt="new name",
           prompt_value=lambda row: str(row.get("Name") or "")),
    Action("bundle", "B", "incident bundle", verb="view", view=lambda rid, row: __import__("dockui.bundle", fromlist=["x"]).bundle_view(rid, row), mutating=False, footer=False),
    Action("why", "w", "why? (post-mortem)", verb="view", view=lambda rid, row: __import__("dockui.screens.postmortem", fromlist=["x"]).postmortem_view(rid, row), mutating=False, bulk=False),
    Action("files", "F", "files", verb="view", view=lambda rid, row: __import__("dockui.screens.files", fromlist=["x"]).files_view(rid, row), mutating=False, bulk=False, footer=False),
    Action("changes", "D", "changes against the image", verb="view", view=lambda rid, row: __import__("dockui.screens.changes", fromlist=["x"]).changes_view(rid, row), mutating=False, bulk=False, footer=False),
)

KIND = Kind(
    name="containers",
    title="Containers",
    aliases=("co", "c", "container", "ps"),
    id_key="Id",
    list=lambda c: c.containers(all=True),
    summary=container_summary,
    inspect=inspect_with("inspect_container"),
    counts=state_counts,
    label=plain_name,
    state=state,
    logs=_logs,
    columns=COLUMNS,
    style=lambda r: "state.unhealthy" if state(r) == "unhealthy" else "",
    fault=_fault,
    fault_enter="why",  # enter in faults-only opens the post-mortem
    repaint_on=("reasons",),  # REASON cells arrive from dockui.triage.reasons
    stats=True,
    actions=ACTIONS,
    filters={"project": lambda r: r.get("Project", ""), "image": lambda r: r.get("Image", ""), "state": state,
             "id": lambda r: r["Id"], "name": lambda r: r.get("Name", ""),
             "network": lambda r: tuple(((r.get("NetworkSettings") or {}).get("Networks") or {}).keys()),
             "volume": lambda r: tuple(str(m.get("Name")) for m in r.get("Mounts") or [] if m.get("Name"))},
    commands=(Command("top", ":top [CONTAINER]", view=_top, mutating=False),
              Command("pulse", ":pulse", view=_pulse, mutating=False),
              Command("diff", ":diff [CONTAINER]", view=lambda app, args: __import__("dockui.screens.changes", fromlist=["x"]).diff_view(app, args), mutating=False)),
)
