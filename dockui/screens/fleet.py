"""The engines of a fleet (``:fleet``): state and why, version, OS, containers, the host's CPUs and
memory, and the round-trip time of the last ping (each engine pinged on its own thread every
``PING_EVERY`` seconds while the screen is open: a stalled engine delays only its own row).
``enter`` shows that engine's containers (``/engine=NAME``)."""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from .. import format as fmt
from ..ansi import one_line
from ..fleet.header import MARKS

PING_EVERY = 2.0
PING_TIMEOUT = 3.0
COLUMNS = (("engine", "ENGINE"), ("state", "STATE"), ("version", "VERSION"), ("os", "OS"), ("containers", "CONTAINERS"),
           ("cpus", "CPU"), ("memory", "MEMORY"), ("ping", "PING"), ("endpoint", "ENDPOINT"), ("why", "WHY"))


class FleetScreen(Screen):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "back", id="fleet.back")]
    DEFAULT_CSS = """
    FleetScreen #fleet-title { height: 1; background: $accent; }
    FleetScreen DataTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rtt: dict[str, tuple[float | None, str]] = {}  # engine -> (seconds, error)
        self._stop = threading.Event()
        self._shown: dict[str, tuple] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text(" Fleet: the engines — enter: that engine's containers · esc: back", style="bold"), id="fleet-title")
        yield DataTable(cursor_type="row", id="fleet-table")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        store = self.app.store
        for m in getattr(store, "members", []):
            if m.client is not None:
                threading.Thread(target=self._pinger, args=(m.name, m.client), name=f"fleet-ping-{m.name}", daemon=True).start()
        self.paint()
        self.set_interval(1.0, self.paint)
        table.focus()

    def on_unmount(self) -> None:
        self._stop.set()

    def _pinger(self, name: str, client: Any) -> None:
        client = client.clone()
        while not self._stop.is_set():
            t0 = time.monotonic()
            try:
                client._send("GET", "/_ping", versioned=False, timeout=PING_TIMEOUT)
                self.rtt[name] = (time.monotonic() - t0, "")
            except Exception as exc:  # noqa: BLE001 - shown in the row
                self.rtt[name] = (None, one_line(str(exc) or type(exc).__name__, 60))
            self._stop.wait(PING_EVERY)

    def rows(self) -> list[tuple[str, tuple]]:
        store = self.app.store
        states = store.states() if hasattr(store, "states") else []
        out = []
        for s in states:
            mark, style = MARKS.get(s.status, ("?", "yellow"))
            f = s.facts
            rtt, perr = self.rtt.get(s.name, (None, ""))
            stale = f" (rows from {fmt.age(s.stale_since)} ago)" if s.stale_since else ""
            counts = s.counts or {}
            cells = (
                Text(one_line(s.name, 30), style="bold"),
                Text(f"{mark} {s.status}", style=style),
                Text(one_line(f.version or "-", 20)),
                Text(one_line(f"{f.os}/{f.arch}" if f.os else "-", 20)),
                Text(f"{counts.get('running', 0)}/{s.containers}" if s.status != "failed" else "-"),
                Text(str(f.cpus) if f.cpus else "-"),
                Text(fmt.size(f.memory) if f.memory else "-"),
                Text(f"{rtt * 1000:.1f} ms" if rtt is not None else ("-" if not perr else "failed"),
                     style="" if rtt is not None else "dim"),
                Text(one_line(s.endpoint or s.source, 50), style="dim"),
                Text(one_line((s.reason or perr) + stale, 200), style=style if s.status != "connected" else "dim"),
            )
            out.append((s.name, cells))
        return out

    def paint(self) -> None:
        if not self.is_attached:
            return
        table = self.query_one(DataTable)
        for name, cells in self.rows():
            if name not in self._shown:
                table.add_row(*cells, key=name)
            elif self._shown[name] != cells:
                for (key, _), new, old in zip(COLUMNS, cells, self._shown[name], strict=True):
                    if new != old:
                        table.update_cell(name, key, new, update_width=True)
            self._shown[name] = cells

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        name = str(event.row_key.value)
        self.app.pop_screen()
        main = getattr(self.app, "main", None)
        if main is not None:
            main.show_kind("containers", f"engine={name}")
