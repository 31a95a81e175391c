"""The contexts screen (``:ctx``): docker contexts and DOCKER_HOST; enter switches the dashboard."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ..ansi import one_line
from ..engine import EngineClient, EngineError
from ..engine.config import Context, list_contexts


class ContextsScreen(Screen):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "back", id="contexts.back")]
    DEFAULT_CSS = """
    ContextsScreen #ctx-title { height: 1; background: $accent; }
    ContextsScreen DataTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.contexts: list[Context] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(" Contexts — enter: switch the dashboard to that engine · esc: back", style="bold"), id="ctx-title")
        yield DataTable(cursor_type="row", id="ctx-table")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in (("cur", " "), ("name", "NAME"), ("endpoint", "ENDPOINT"), ("status", "STATUS"), ("desc", "DESCRIPTION")):
            table.add_column(label, key=key)
        try:
            self.contexts = list_contexts()
        except Exception as exc:  # noqa: BLE001 - a broken docker config is shown, not raised
            self.app.notify(f"cannot read docker contexts: {exc}", severity="error", markup=False)
            self.contexts = []
        shown = self.app.client.endpoint.url
        if not any(c.endpoint.url == shown for c in self.contexts):
            # the engine given with --host (or switched to) is listed too, so it can be chosen again
            self.contexts.insert(0, Context("(current)", shown, self.app.source or "--host", True, self.app.client.endpoint))
        for ctx in self.contexts:
            cur = "*" if ctx.endpoint.url == shown else ""
            table.add_row(cur, Text(one_line(ctx.name, 30)), Text(one_line(ctx.endpoint.display, 60)), Text("checking...", style="dim"),
                          Text(one_line(ctx.description, 50)), key=ctx.name)  # Text: a str cell is read as markup
        table.focus()
        current = next((i for i, c in enumerate(self.contexts) if c.endpoint.url == shown), 0)
        table.move_cursor(row=current)
        self.run_worker(self._probe, thread=True, group="contexts-probe", exit_on_error=False)

    def _probe(self) -> None:
        for ctx in self.contexts:
            try:
                c = EngineClient(ctx.endpoint, timeout=5)
                v = c.version()
                status = Text(f"Docker {one_line(str(v.get('Version', '?')))}", style="green")
            except EngineError as exc:
                status = Text(one_line(str(exc), 60), style="red")
            except Exception as exc:  # noqa: BLE001 - bad TLS files and the like
                status = Text(one_line(f"{type(exc).__name__}: {exc}", 60), style="red")
            self.app.call_from_thread(self._set_status, ctx.name, status)

    def _set_status(self, name: str, status: Text) -> None:
        if self.is_attached:
            self.query_one(DataTable).update_cell(name, "status", status, update_width=True)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        name = event.row_key.value
        ctx = next((c for c in self.contexts if c.name == name), None)
        if ctx is not None:
            self.app.pop_screen()
            self.app.switch_engine(ctx.endpoint, f"context {ctx.name}")
