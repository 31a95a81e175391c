"""Engine plugins (``:plugins``): name, enabled, type (what the plugin implements), description;
``u`` enable, ``x`` disable, ``d`` inspect, ``ctrl+d`` remove (asks; ``f`` forces an enabled one)."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..ansi import one_line
from .base import Action, Column, Kind, Row
from .common import DESCRIBE


def name(row: Row, rid: str = "") -> str:
    return one_line(str(row.get("Name") or rid[:12]), 60)


def types(row: Row) -> str:
    """What it implements: ``volumedriver``, ``networkdriver``, ``logdriver``, ``authz``..."""
    out = []
    for t in ((row.get("Config") or {}).get("Interface") or {}).get("Types") or []:
        if isinstance(t, dict):
            out.append(str(t.get("Capability") or ""))
        else:  # "docker.volumedriver/1.0"
            out.append(str(t).split(".", 1)[-1].split("/", 1)[0])
    return ", ".join(x for x in out if x)


def state(row: Row) -> str:
    return "enabled" if row.get("Enabled") else "disabled"


def _remove(client: Any, rid: str, row: Row, arg: str) -> None:
    client.remove_plugin(str(row.get("Name") or rid), force=arg == "f")


KIND = Kind(
    name="plugins",
    title="Plugins",
    aliases=("plugin", "pl"),
    id_key="Id",
    list=lambda c: c.plugins(),
    inspect=lambda c, rid: c.inspect_plugin(rid),
    events=("plugin",),
    label=name,
    state=state,
    columns=(
        Column("name", "NAME", lambda r, c: name(r), lambda r, c: str(r.get("Name") or "").lower(), width=30),
        Column("enabled", "ENABLED", lambda r, c: Text(state(r), style="state.ok" if r.get("Enabled") else "state.muted"),
               lambda r, c: state(r), width=8),
        Column("type", "TYPE", lambda r, c: one_line(types(r), 40), lambda r, c: types(r), width=14),
        Column("description", "DESCRIPTION", lambda r, c: one_line(str((r.get("Config") or {}).get("Description") or ""), 60),
               None, width=30, priority=2),
        Column("id", "ID", lambda r, c: str(r.get("Id") or "")[:12], lambda r, c: str(r.get("Id") or ""), priority=3),
    ),
    filters={"name": lambda r: str(r.get("Name") or ""), "type": types, "state": state},
    actions=(
        DESCRIBE,
        Action("enable", "u", "enable", lambda c, rid, row, arg: c.enable_plugin(str(row.get("Name") or rid), timeout=30) and None,
               states=("disabled",)),
        Action("disable", "x", "disable", lambda c, rid, row, arg: c.disable_plugin(str(row.get("Name") or rid)) and None,
               states=("enabled",)),
        Action("remove", "ctrl+d", "remove", _remove, destructive=True,
               options={"y": "remove (a disabled plugin)", "f": "force (an enabled one too)"}),
    ),
)
