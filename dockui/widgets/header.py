"""HeaderBar: engine facts, container counts and the connection state; one line on short terminals.

It draws what it is handed (``HeaderState``); it imports neither the store nor the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from .. import format as fmt
from ..ansi import one_line
from ..glyphs import DOT
from .quiet import QuietStatic

# semantic names, coloured from the current theme by widgets/palette.py
COUNT_STYLES = (("running", "state.running"), ("unhealthy", "state.unhealthy"), ("paused", "state.paused"),
                ("restarting", "state.restarting"), ("exited", "state.exited"), ("created", "state.created"))


@dataclass(frozen=True)
class HeaderState:
    endpoint: str
    api_version: str
    facts: Any  # store.model.EngineFacts
    connection: Any  # store.model.ConnectionState
    counts: Mapping[str, int] = field(default_factory=dict)
    readonly: bool = False
    insecure: bool = False  # TLS without certificate verification
    loops: int = 0  # containers in a restart loop (dockui.triage.reasons.store_loops)
    fleet: Any = None  # a fleet's engines line (rich Text, dockui/fleet/header.py), drawn instead of one engine's
    cpu: float | None = None  # CPU % summed over the running containers (the stats hub: streams + sampler)
    mem: int | None = None  # memory used, summed likewise


class HeaderBar(QuietStatic):
    DEFAULT_CSS = """
    HeaderBar { height: 2; background: $panel; text-wrap: nowrap; text-overflow: clip; }
    HeaderBar.-compact { height: 1; }
    """

    def show_state(self, s: HeaderState) -> None:
        f = s.facts
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(" dockui ", style="bold reverse")
        if s.fleet is not None:  # (full line, short line): the engines' slots, with their reasons or without
            t.append_text(s.fleet[0])
        else:
            t.append(" " + one_line(f.endpoint or s.endpoint, 50), style="bold")
        if f.version and s.fleet is None:
            t.append(f"  Docker {one_line(f.version)} (API {one_line(s.api_version or f.api_version)})")
            t.append(f"  {one_line(f.os)}/{one_line(f.arch)}  {f.cpus} CPU  {fmt.size(f.memory)}", style="dim")
            t.append(f"  swarm: {f.swarm}", style="state.info" if f.swarm == "manager" else "dim")
        line2 = Text(no_wrap=True, overflow="ellipsis")
        for key, style in COUNT_STYLES:
            n = s.counts.get(key, 0)
            if n or key in ("running", "exited"):
                line2.append(f" {key} ", style=style)
                line2.append(f"{n} ", style="bold")
        if s.loops:
            line2.append(" restart loops ", style="state.restarting")
            line2.append(f"{s.loops} ", style="bold")
        conn = s.connection
        if s.fleet is not None and self.has_class("-compact"):
            line2 = Text.assemble(s.fleet[1], " ", line2, no_wrap=True, overflow="ellipsis")  # each engine's slot first
        elif s.fleet is not None:
            pass  # each engine's state is on the fleet line
        elif not conn.ok:
            line2.append("  " + DOT + " " + conn.describe(), style="state.fatal" if conn.status != "connecting" else "state.partial")
        else:
            line2.append("  " + DOT + " connected", style="state.ok")
        if s.readonly:
            line2.append("  read-only", style="state.restarting")
        if s.insecure:
            line2.append("  TLS NOT VERIFIED", style="state.alarm")
        if s.cpu is not None:  # after the state, which must stay visible on narrow terminals
            line2.append("   cpu ", style="dim")
            line2.append(fmt.percent(s.cpu), style="bold")
            line2.append("  mem ", style="dim")
            line2.append(fmt.size(s.mem or 0), style="bold")
        if self.has_class("-compact"):
            # one line: the counts and the connection state first, the engine details after them
            line2.append("  |", style="dim")
            line2.append_text(t)
            self.show(line2)
        else:
            both = Text("\n", no_wrap=True, overflow="ellipsis").join([t, line2])
            both.no_wrap, both.overflow = True, "ellipsis"
            self.show(both)
