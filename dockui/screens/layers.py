"""An image's layers (``enter`` on an image): its history (layer, size, age, created by), read on
a worker thread, and the containers that use it (from the store). ``tab`` moves between the two
tables; ``enter`` on a container shows it in the containers view."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from .. import format as fmt
from ..ansi import one_line

_NOP = re.compile(r"^/bin/sh -c #\(nop\)\s*")


def created_by(text: str) -> str:
    """A layer's command, without the ``/bin/sh -c #(nop)`` prefix the builder writes."""
    return _NOP.sub("", str(text or "")).strip()


def layer_id(h: dict[str, Any]) -> str:
    lid = str(h.get("Id") or "")
    return "<missing>" if lid in ("", "<missing>") else lid.split(":")[-1][:12]


class LayersScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "back", id="layers.back"),
        Binding("tab", "switch", "layers / containers", id="layers.switch", show=False),
    ]
    DEFAULT_CSS = """
    LayersScreen #layers-title, LayersScreen #users-title { height: 1; background: $accent; color: $text; }
    LayersScreen #layers-status { height: auto; }
    LayersScreen #layers-table { height: 2fr; }
    LayersScreen #users-table { height: 1fr; }
    """

    def __init__(self, image_id: str, name: str) -> None:
        super().__init__()
        self.image_id, self.name_ = image_id, name

    def compose(self) -> ComposeResult:
        yield Static(id="layers-title")
        yield Static(id="layers-status")
        yield DataTable(id="layers-table", cursor_type="row")
        yield Static(id="users-title")
        yield DataTable(id="users-table", cursor_type="row")

    def on_mount(self) -> None:
        layers = self.query_one("#layers-table", DataTable)
        for key, label in (("layer", "LAYER"), ("size", "SIZE"), ("age", "AGE"), ("by", "CREATED BY")):
            layers.add_column(label, key=key)
        users = self.query_one("#users-table", DataTable)
        for key, label in (("name", "NAME"), ("state", "STATE"), ("id", "ID")):
            users.add_column(label, key=key)
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f" layers of {one_line(self.name_, 80)}", style="bold")
        t.append("  tab containers · enter open · esc back", style="dim")
        self.query_one("#layers-title", Static).update(t)
        self.query_one("#layers-status", Static).update(Text("loading...", style="dim"))
        self._paint_users()
        self.run_worker(self._load, thread=True, group="layers", exclusive=True, exit_on_error=False)
        layers.focus()

    def _load(self) -> None:
        try:
            hist = self.app.client.history(self.image_id)
        except Exception as exc:  # noqa: BLE001 - shown, never raised
            msg = str(getattr(exc, "explanation", "") or exc or type(exc).__name__)
            self.app.call_from_thread(self._failed, msg)
            return
        self.app.call_from_thread(self._loaded, hist)

    def _failed(self, msg: str) -> None:
        if self.is_attached:
            self.query_one("#layers-status", Static).update(Text(f"cannot read the history: {one_line(msg, 200)}", style="red"))

    def _loaded(self, hist: list[dict[str, Any]]) -> None:
        if not self.is_attached:
            return
        table = self.query_one("#layers-table", DataTable)
        total = 0
        for i, h in enumerate(hist or []):
            size = int(h.get("Size") or 0)
            total += size
            table.add_row(layer_id(h), fmt.size(size), fmt.age(h.get("Created")),
                          Text(one_line(created_by(str(h.get("CreatedBy") or "")), 300)), key=str(i))
        self.query_one("#layers-status", Static).update(
            Text(f"{len(hist or [])} layers, {fmt.size(total)}", style="dim"))

    def _paint_users(self) -> None:
        users = [(cid, c) for cid, c in self.app.store.snapshot("containers").items() if c.get("ImageID") == self.image_id]
        table = self.query_one("#users-table", DataTable)
        table.clear()
        for cid, c in sorted(users, key=lambda u: str(u[1].get("Name") or "")):
            table.add_row(Text(one_line(str(c.get("Name") or ""), 60)), str(c.get("State") or ""), cid[:12], key=cid)
        self.query_one("#users-title", Static).update(
            Text(f" containers using it [{len(users)}]", style="bold"))

    def action_switch(self) -> None:
        layers, users = self.query_one("#layers-table", DataTable), self.query_one("#users-table", DataTable)
        (users if layers.has_focus else layers).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id != "users-table":
            return
        event.stop()
        cid = str(event.row_key.value)
        self.app.pop_screen()
        main = getattr(self.app, "main", None)
        if main is not None:
            main.run_command(f"containers id={cid[:12]}")
