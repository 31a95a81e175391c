"""Images: ``images()``, named by their first tag, removable."""

from __future__ import annotations

from typing import Any

from .. import format as fmt
from ..ansi import one_line
from .base import Action, Column, Kind, Row
from .common import DESCRIBE, age_cell, inspect_with


def _tags(r: Row) -> str:
    tags = [t for t in (r.get("RepoTags") or []) if t != "<none>:<none>"]
    return ", ".join(tags) if tags else "<none>"


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
    columns=(
        Column("name", "REPOSITORY:TAG", lambda r, c: one_line(_tags(r), 60), lambda r, c: _tags(r).lower()),
        Column("id", "ID", lambda r, c: r["Id"].split(":")[-1][:12], lambda r, c: r["Id"]),
        Column("size", "SIZE", lambda r, c: fmt.size(r.get("Size")), lambda r, c: -(r.get("Size") or 0)),
        Column("containers", "USED BY", lambda r, c: str(c.image_users(r["Id"])) if c else "-",
               lambda r, c: -(c.image_users(r["Id"]) if c else 0)),
        Column("age", "AGE", age_cell("Created"), lambda r, c: -(r.get("Created") or 0), clock=True),
    ),
    style=lambda r: "dim" if _tags(r) == "<none>" else "",
    drill=_layers,
    actions=(DESCRIBE, Action("remove", "ctrl+d", "remove", lambda c, rid, row, arg: c.remove_image(rid), destructive=True)),
)
