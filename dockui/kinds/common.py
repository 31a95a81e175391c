"""What several kind modules share: the describe and logs actions, and name helpers."""

from __future__ import annotations

from typing import Any

from ..ansi import one_line
from .base import Action, Row

DESCRIBE = Action("describe", "d", "describe", verb="describe", mutating=False, bulk=False)
LOGS = Action("logs", "l", "logs", verb="logs", mutating=False, bulk=False)


def spec_name(row: Row, rid: str) -> str:
    """The name of a swarm object (``Spec.Name``), or its short id."""
    return one_line(str((row.get("Spec") or {}).get("Name") or rid[:12]), 60)


def plain_name(row: Row, rid: str) -> str:
    return one_line(str(row.get("Name") or rid[:12]), 60)


def inspect_with(method: str) -> Any:
    """``client.<method>(rid)``, looked up when called (the client may be swapped for another engine)."""
    return lambda client, rid: getattr(client, method)(rid)


# --- cells shared by several kinds (built from untrusted engine text with ``one_line``) -------
def now(ctx: Any) -> float | None:
    """The time every time-derived cell of a paint counts from (the screen's clock; None: now)."""
    return getattr(ctx, "now", None)


def age_cell(key: str) -> Any:
    """An AGE cell from a creation time (unix seconds or RFC 3339) at ``key``."""
    from .. import format as fmt

    return lambda r, ctx: fmt.age(r.get(key), now(ctx))


def name_cell(key: str = "Name") -> Any:
    """Names are cut to the width the screen can spare (``ctx.name_width``), 60 at most."""
    return lambda r, ctx: one_line(str(r.get(key) or ""), getattr(ctx, "name_width", 60))


def lower(key: str) -> Any:
    """A sort key: the value at ``key``, lower case."""
    return lambda r, ctx: str(r.get(key) or "").lower()


def short_id(key: str) -> Any:
    return lambda r, ctx: str(r[key])[:12]


def sort_id(key: str) -> Any:
    return lambda r, ctx: r[key]
