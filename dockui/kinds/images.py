"""Images: ``images()``, named by their first tag, removable."""

from __future__ import annotations

from typing import Any

from ..ansi import one_line
from .base import Action, Kind, Row
from .common import DESCRIBE, inspect_with


def label(row: Row, rid: str) -> str:
    tags = [t for t in (row.get("RepoTags") or []) if t != "<none>:<none>"]
    return one_line(tags[0] if tags else rid.split(":")[-1][:12], 60)


def _layers(row: Row, rid: str, ctx: Any) -> Any:
    """enter: the image's history and the containers that use it."""
    from ..screens.layers import LayersScreen

    return LayersScreen(rid, label(row, rid))


KIND = Kind(
    name="images",
    title="Images",
    aliases=("img", "image", "i"),
    id_key="Id",
    list=lambda c: c.images(all=False),
    inspect=inspect_with("inspect_image"),
    events=("image",),
    label=label,
    drill=_layers,
    actions=(DESCRIBE, Action("remove", "ctrl+d", "remove", lambda c, rid, row, arg: c.remove_image(rid), destructive=True)),
)
