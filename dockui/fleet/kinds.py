"""The ENGINE column and the ``/engine=NAME`` filter, added to every kind when a fleet is shown.

``with_engine(kind)`` is the kind with ENGINE as its second column (the name stays first: it
breaks sort ties and carries the mark) and an ``engine`` filter field; cached per kind. The cell
says when the engine is not live: ``prod-2 stale 40s`` (the rows are kept as last seen), and
follows the clock so the age moves on screen.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text

from .. import format as fmt
from ..ansi import one_line
from ..kinds.base import Column, Kind


def _engine_cell(row: Any, ctx: Any) -> Any:
    name = str(row.get("Engine") or "")
    stale = getattr(getattr(ctx, "store", None), "stale_since", None)
    since = stale(name) if stale is not None else None
    if since is None:
        return one_line(name, 24)
    return Text(f"{one_line(name, 24)} stale {fmt.age(since, getattr(ctx, 'now', None))}", style="bold red")


def _engine_sort(row: Any, ctx: Any) -> str:
    return str(row.get("Engine") or "").lower()


ENGINE = Column("engine", "ENGINE", _engine_cell, sort=_engine_sort, width=12, priority=1, clock=True)

_cache: dict[str, tuple[Kind, Kind]] = {}


def with_engine(kind: Kind) -> Kind:
    hit = _cache.get(kind.name)
    if hit is not None and hit[0] is kind:
        return hit[1]
    cols = kind.columns
    k = replace(kind, columns=(*cols[:1], ENGINE, *cols[1:]) if cols else (ENGINE,),
                filters={**kind.filters, "engine": lambda r: r.get("Engine") or ""})
    _cache[kind.name] = (kind, k)
    return k
