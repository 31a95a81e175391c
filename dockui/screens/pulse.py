"""Pulse (``:pulse``): the triage overview. Containers per state, total CPU and memory with
sparklines, the top five by CPU and by memory, what needs a human (unhealthy, restarting, dead,
exited non-zero in the last hour) and the engine's event rate; ``enter`` on a container in any
of the three tables shows it in the containers view, ``tab`` moves between them.

Everything comes from the store (no engine call on the UI thread) plus the app's stats hub, whose
sampler reads every running container (the same figures the containers view sorts by and the
header sums); the totals say over how many of the running ones they were summed.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Static

from .. import format as fmt
from ..ansi import one_line
from ..store.model import container_state

TICK = 1.0
SPARK = 30  # samples in a sparkline
HOUR = 3600.0
# semantic names: widgets/palette.py colours them from the current theme
STATE_STYLES = (("running", "state.running"), ("unhealthy", "state.unhealthy"), ("restarting", "state.restarting"),
                ("paused", "state.paused"), ("exited", "state.exited"), ("created", "state.created"), ("dead", "state.dead"))


def needs_a_human(snap: Any, now: float) -> list[tuple[str, Any, str]]:
    """(id, row, why) for unhealthy, restarting and dead containers, and those that exited
    non-zero within the last hour."""
    out = []
    for cid, c in snap.items():
        st = container_state(c)
        if st in ("unhealthy", "restarting", "dead"):
            out.append((cid, c, st))
        elif st.startswith("exited(") and st != "exited(0)":
            since = c.get("StatusSince")
            if since is None or now - float(since) <= HOUR:
                out.append((cid, c, st))
    return sorted(out, key=lambda x: (x[2] != "unhealthy", x[2], str(x[1].get("Name") or "")))


def event_rate(events: Any, now: float, minutes: int = 10) -> tuple[int, list[int]]:
    """Events in the last minute, and per minute over the last ``minutes``, oldest first."""
    buckets = [0] * minutes
    for e in events.values():
        age = now - float(e.get("Time") or 0)
        if 0 <= age < minutes * 60:
            buckets[minutes - 1 - int(age // 60)] += 1
    return buckets[-1], buckets


FIGURE_FIRST = ("#pulse-cpu", "#pulse-mem")  # boxes whose figure column comes before the name

class PulseScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "back", id="pulse.back"),
        Binding("tab", "next_table", "next table", id="pulse.next", show=False),
    ]
    DEFAULT_CSS = """
    PulseScreen #pulse-title { height: 1; background: $accent; color: $text; }
    PulseScreen #pulse-summary { height: auto; padding: 0 1; }
    PulseScreen #pulse-tables { height: 1fr; }
    PulseScreen DataTable { width: 1fr; height: 1fr; border: round $panel; }
    PulseScreen DataTable:focus { border: round $accent; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.cpu_hist: deque[float] = deque(maxlen=SPARK)
        self.mem_hist: deque[float] = deque(maxlen=SPARK)
        self.hub: Any = None

    def compose(self) -> ComposeResult:
        yield Static(id="pulse-title")
        yield Static(id="pulse-summary")
        with Horizontal(id="pulse-tables"):
            yield DataTable(id="pulse-cpu", cursor_type="row")
            yield DataTable(id="pulse-mem", cursor_type="row")
            yield DataTable(id="pulse-faults", cursor_type="row")

    def on_mount(self) -> None:
        self.hub = self.app.stats  # the app's: streams for the rows on screen, the sampler for the rest
        for tid, cols in (("#pulse-cpu", ("TOP CPU", "CPU")), ("#pulse-mem", ("TOP MEMORY", "MEM")),
                          ("#pulse-faults", ("NEEDS A HUMAN", "STATE"))):
            table = self.query_one(tid, DataTable)
            # a figure first: a long name (a swarm task's) must not push it out of a narrow box;
            # the faults box reads name, then why
            if tid in FIGURE_FIRST:
                table.add_column(cols[1], key="value")
            table.add_column(cols[0], key="name")
            if tid not in FIGURE_FIRST:
                table.add_column(cols[1], key="value")
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(" Pulse", style="bold")
        t.append("  tab next table · enter opens the container · esc back", style="dim")
        self.query_one("#pulse-title", Static).update(t)
        self.tick()
        self.set_interval(TICK, self.tick)
        self.query_one("#pulse-faults", DataTable).focus()

    def tick(self) -> None:
        if not self.is_attached:
            return
        now = time.time()
        store = self.app.store
        snap = store.snapshot("containers")
        running = sorted((cid for cid, c in snap.items() if c.get("State") == "running"),
                         key=lambda cid: str(snap[cid].get("Name") or ""))
        samples = self.app.stats.latest_of(running)  # the app's hub (replaced when the engine is switched)
        cpu = sum(s.cpu for s in samples.values())
        mem = sum(s.mem for s in samples.values())
        if samples:
            self.cpu_hist.append(cpu)
            self.mem_hist.append(float(mem))
        counts: dict[str, int] = {}
        for c in snap.values():
            st = container_state(c)
            st = "exited" if st.startswith("exited") else st
            counts[st] = counts.get(st, 0) + 1
        last_min, per_min = event_rate(store.snapshot("events"), now)
        summary = Text(no_wrap=True, overflow="ellipsis")
        summary.append("containers ", style="bold")
        for key, style in STATE_STYLES:
            if counts.get(key) or key in ("running", "exited"):
                summary.append(f" {key} ", style=style)
                summary.append(f"{counts.get(key, 0)} ", style="bold")
        summary.append(f"  total {len(snap)}\n", style="dim")
        summary.append("CPU      ", style="bold")
        summary.append(f"{fmt.percent(cpu):>7}  ")
        summary.append(fmt.sparkline(list(self.cpu_hist), SPARK, top=max([100.0, *self.cpu_hist])), style="cyan")
        summary.append(f"  over {len(samples)} of {len(running)} running\n", style="dim")
        summary.append("MEMORY   ", style="bold")
        summary.append(f"{fmt.size(mem):>7}  ")
        summary.append(fmt.sparkline(list(self.mem_hist), SPARK), style="magenta")
        summary.append("\n")
        summary.append("EVENTS   ", style="bold")
        summary.append(f"{last_min:>4}/min  ")
        summary.append(fmt.sparkline(per_min, len(per_min)), style="yellow")
        summary.append("  per minute, last 10 min", style="dim")
        self.query_one("#pulse-summary", Static).update(summary)
        name = lambda cid: Text(one_line(str(snap[cid].get("Name") or cid[:12]), 40))  # noqa: E731
        by_cpu = sorted(samples, key=lambda cid: -samples[cid].cpu)[:5]
        by_mem = sorted(samples, key=lambda cid: -samples[cid].mem)[:5]
        self._fill("#pulse-cpu", [(cid, name(cid), fmt.percent(samples[cid].cpu)) for cid in by_cpu])
        self._fill("#pulse-mem", [(cid, name(cid), fmt.size(samples[cid].mem)) for cid in by_mem])
        faults = needs_a_human(snap, now)
        styles = {"unhealthy": "state.unhealthy", "dead": "state.dead", "restarting": "state.restarting"}
        self._fill("#pulse-faults", [(cid, name(cid), Text(why, style=styles.get(why, "state.failed"))) for cid, _c, why in faults])

    def _fill(self, tid: str, rows: list[tuple[str, Any, Any]]) -> None:
        table = self.query_one(tid, DataTable)
        keep = None
        if table.row_count:
            try:
                keep = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            except Exception:  # noqa: BLE001
                keep = None
        if [str(k.value) for k in table.rows] == [r[0] for r in rows]:
            for cid, n, v in rows:  # the same containers: new values in place
                table.update_cell(cid, "name", n)
                table.update_cell(cid, "value", v)
            return
        table.clear()
        for cid, n, v in rows:
            table.add_row(*((v, n) if tid in FIGURE_FIRST else (n, v)), key=cid)
        if keep is not None and keep in [r[0] for r in rows]:
            table.move_cursor(row=table.get_row_index(keep))

    def action_next_table(self) -> None:
        ids = ["pulse-cpu", "pulse-mem", "pulse-faults"]
        cur = self.focused.id if self.focused is not None and self.focused.id in ids else ids[-1]
        self.query_one(f"#{ids[(ids.index(cur) + 1) % 3]}", DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        cid = str(event.row_key.value)
        self.app.pop_screen()
        main = getattr(self.app, "main", None)
        if main is not None:
            main.run_command(f"containers id={cid[:12]}")
