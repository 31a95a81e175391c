"""Containers: listed with ``containers(all=True)``, summarised (name, health, compose labels),
with live stats, logs, shells and the lifecycle actions."""

from __future__ import annotations

from typing import Any

from ..store.model import container_state as state
from ..store.model import container_summary, state_counts
from .base import Action, Command, Kind, Row
from .common import DESCRIBE, LOGS, inspect_with, plain_name

LIVE = ("running", "unhealthy", "restarting")


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
    Action("start", "u", "start", lambda c, rid, row, arg: c.start(rid), states=("exited", "created", "dead")),
    Action("stop", "x", "stop", lambda c, rid, row, arg: c.stop(rid), states=(*LIVE, "paused")),
    Action("restart", "r", "restart", lambda c, rid, row, arg: c.restart(rid)),
    Action("pause", "p", "pause/unpause", _pause, states=("running", "unhealthy", "paused")),
    Action("kill", "ctrl+k", "kill", lambda c, rid, row, arg: c.kill(rid), states=LIVE, destructive=True),
    Action("remove", "ctrl+d", "remove", _remove, destructive=True,
           options={"y": "remove", "f": "force (stop first)", "v": "force, with its anonymous volumes"}),
    Action("processes", "P", "processes", verb="view", view=_processes, states=("running", "unhealthy", "paused"),
           mutating=False, bulk=False, footer=False),
    Action("rename", "R", "rename", lambda c, rid, row, arg: c.rename(rid, arg), bulk=False, prompt="new name",
           prompt_value=lambda row: str(row.get("Name") or "")),
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
    stats=True,
    actions=ACTIONS,
    filters={"network": lambda r: tuple(((r.get("NetworkSettings") or {}).get("Networks") or {}).keys()),
             "volume": lambda r: tuple(str(m.get("Name")) for m in r.get("Mounts") or [] if m.get("Name"))},
    commands=(Command("top", ":top [CONTAINER]", view=_top, mutating=False),
              Command("pulse", ":pulse", view=_pulse, mutating=False)),
)
