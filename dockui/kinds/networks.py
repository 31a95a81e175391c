"""Networks: ``networks()``, removable."""

from __future__ import annotations

import json

from ..ansi import one_line
from .base import Action, Column, Kind
from .common import DESCRIBE, inspect_with, lower, name_cell, plain_name

KIND = Kind(
    name="networks",
    title="Networks",
    aliases=("net", "network", "n"),
    id_key="Id",
    list=lambda c: c.networks(),
    inspect=inspect_with("inspect_network"),
    events=("network",),
    label=plain_name,
    columns=(
        Column("name", "NAME", name_cell(), lower("Name"), width=24),
        Column("driver", "DRIVER", lambda r, c: one_line(str(r.get("Driver") or "")), lower("Driver")),
        Column("scope", "SCOPE", lambda r, c: str(r.get("Scope") or ""), lower("Scope")),
        Column("subnet", "SUBNET", lambda r, c: ", ".join(str(x.get("Subnet", "")) for x in ((r.get("IPAM") or {}).get("Config") or [])), None),
        Column("id", "ID", lambda r, c: r["Id"][:12], lambda r, c: r["Id"], priority=4),
    ),
    drill=lambda row, rid, ctx: ("containers", f"network={json.dumps(str(row.get('Name') or rid))}"),  # who uses it
    actions=(DESCRIBE, Action("remove", "ctrl+d", "remove", lambda c, rid, row, arg: c.remove_network(rid), destructive=True)),
)
