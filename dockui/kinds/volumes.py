"""Volumes: ``volumes()['Volumes']``, keyed by name (volumes have no other id), removable."""

from __future__ import annotations

import json

from ..ansi import one_line
from .base import Action, Column, Kind
from .common import DESCRIBE, inspect_with, lower, plain_name

KIND = Kind(
    name="volumes",
    title="Volumes",
    aliases=("vol", "volume", "v"),
    id_key="Name",
    list=lambda c: c.volumes().get("Volumes") or [],
    inspect=inspect_with("inspect_volume"),
    # anonymous volumes come and go with containers
    events=("volume", "container:create", "container:destroy"),
    label=plain_name,
    columns=(
        Column("name", "NAME", lambda r, c: one_line(str(r.get("Name") or ""), 64), lower("Name")),
        Column("driver", "DRIVER", lambda r, c: one_line(str(r.get("Driver") or "")), lower("Driver")),
        Column("used", "USED BY", lambda r, c: str(c.volume_users(r["Name"])) if c else "-",
               lambda r, c: -(c.volume_users(r["Name"]) if c else 0)),
        Column("mount", "MOUNTPOINT", lambda r, c: one_line(str(r.get("Mountpoint") or ""), 60), None, width=40, priority=3),
    ),
    drill=lambda row, rid, ctx: ("containers", f"volume={json.dumps(str(row.get('Name') or rid))}"),  # who uses it
    actions=(DESCRIBE, Action("remove", "ctrl+d", "remove", lambda c, rid, row, arg: c.remove_volume(rid), destructive=True)),
)
