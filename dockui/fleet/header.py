"""The header's fleet line: each engine's state in a few cells (``prod-1 *`` connected,
``prod-2 ~ reconnecting: why``, ``prod-3 x unreachable: why``, ``bad ! error``), as rich Text."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..ansi import one_line

MARKS = {"connected": ("*", "green"), "connecting": ("?", "yellow"), "reconnecting": ("~", "bold yellow"),
         "unreachable": ("x", "bold red"), "failed": ("!", "bold red")}


def fleet_line(store: Any, reason_width: int = 32, short: bool = False) -> Text:
    """One line: ``fleet 2/3 engines: a *  b ~ reconnecting: refused...  c x unreachable: ...`` (the
    whole reasons are on ``:fleet``)."""
    states = store.states()
    t = Text(no_wrap=True, overflow="ellipsis")
    ok = sum(1 for s in states if s.status == "connected")
    t.append(f" fleet {ok}/{len(states)}:" if short else f" fleet {ok}/{len(states)} engines:", style="bold")
    for s in states:
        mark, style = MARKS.get(s.status, ("?", "yellow"))
        t.append("  " if s.status != "connected" else " ")
        t.append(one_line(s.name, 24), style="bold")
        t.append(f" {mark}", style=style)
        if s.status not in ("connected", "connecting") and not short:
            t.append(f" {s.status}", style=style)
            if s.reason:
                t.append(": " + one_line(s.reason, reason_width), style=style)
    return t


def fleet_header(store: Any) -> tuple[Text, Text] | None:
    """The fleet's lines for the header (full, and short for one-line headers: marks only, the
    reasons are on ``:fleet``), or None for a single engine."""
    if not getattr(store, "fleet", False):
        return None
    return fleet_line(store), fleet_line(store, short=True)
