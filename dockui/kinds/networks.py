"""Networks: ``networks()``, removable."""

from __future__ import annotations

import json

from .base import Action, Kind
from .common import DESCRIBE, inspect_with, plain_name

KIND = Kind(
    name="networks",
    title="Networks",
    aliases=("net", "network", "n"),
    id_key="Id",
    list=lambda c: c.networks(),
    inspect=inspect_with("inspect_network"),
    events=("network",),
    label=plain_name,
    drill=lambda row, rid, ctx: ("containers", f"network={json.dumps(str(row.get('Name') or rid))}"),  # who uses it
    actions=(DESCRIBE, Action("remove", "ctrl+d", "remove", lambda c, rid, row, arg: c.remove_network(rid), destructive=True)),
)
