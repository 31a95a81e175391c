"""Volumes: ``volumes()['Volumes']``, keyed by name (volumes have no other id), removable."""

from __future__ import annotations

import json

from .base import Action, Kind
from .common import DESCRIBE, inspect_with, plain_name

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
    drill=lambda row, rid, ctx: ("containers", f"volume={json.dumps(str(row.get('Name') or rid))}"),  # who uses it
    actions=(DESCRIBE, Action("remove", "ctrl+d", "remove", lambda c, rid, row, arg: c.remove_volume(rid), destructive=True)),
)
