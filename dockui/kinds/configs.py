"""Swarm configs (managers only): name, id, age, labels and the services that use each one;
describe shows the data decoded as text; ``:create config NAME PATH`` from a local file;
remove asks, naming the services that use it (the engine refuses while it is in use)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ..ansi import one_line
from .base import Action, Command, Kind
from .common import DESCRIBE, spec_name
from .secrets import ask_users, columns, read_local


def _create(client: Any, args: str) -> str:
    name, data = read_local(args, "config")
    made = client.create_config(name, data)
    return f"created config {one_line(name, 60)} ({str(made.get('ID', ''))[:12]})"


def decode(data: Any) -> str:
    """A config's base64 data as text (shown as text, never as markup); binary data says so."""
    try:
        raw = base64.b64decode(str(data or ""), validate=True)
    except (binascii.Error, ValueError):
        return str(data)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return f"({len(raw)} bytes of binary data, not shown)"


def _inspect(client: Any, rid: str) -> dict:
    doc = dict(client.inspect_config(rid))
    spec = dict(doc.get("Spec") or {})
    spec["Data"] = decode(spec.get("Data"))  # decoded from base64 by dockui
    doc["Spec"] = spec
    return doc


KIND = Kind(
    name="configs",
    title="Configs",
    aliases=("config", "cfg"),
    id_key="ID",
    swarm=True,
    list=lambda c: c.configs(),
    inspect=_inspect,
    events=("config",),
    label=spec_name,
    columns=columns("Configs", "ConfigID"),
    filters={"name": lambda r: str((r.get("Spec") or {}).get("Name") or ""), "id": lambda r: str(r.get("ID") or "")},
    repaint_on=("services",),
    actions=(
        DESCRIBE,
        Action("remove", "ctrl+d", "remove", lambda c, rid, row, arg: c.remove_config(rid) and None, destructive=True,
               ask=ask_users("Configs", "ConfigID")),
    ),
    commands=(Command("create config", ":create config NAME PATH", _create),),
)
