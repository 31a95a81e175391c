"""Baseline apps run in the same pty as dockui: Textual's own floor, with no rows and no engine.

    python -m bench.baseline_app table    an EMPTY table: a header line, a DataTable with dockui's
                                          container columns and no rows, a filter line
    python -m bench.baseline_app empty    an empty App (nothing composed): the memory floor

``table`` answers the same keys as dockui's containers view, and paints the same way:
``j``/``k`` move the (empty) table's cursor and write ``key N`` on the status line, so every
cursor key repaints something (a counter the benchmark waits for); ``/`` opens the filter line
and each keystroke there repaints the header as dockui does (`` [0/0]  filter: TEXT  sort: ...``,
the text bold yellow); ``esc`` closes it; ``ctrl+q`` quits. Both print ``READY`` once mounted.
"""

from __future__ import annotations

import sys

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

COLUMNS = ("NAME", "STATE", "CPU", "CPU 60s", "MEM", "IMAGE", "PROJECT", "PORTS", "STATUS", "AGE", "ID")


class EmptyApp(App):
    BINDINGS = [Binding("ctrl+q", "quit", "quit", priority=True)]

    def on_mount(self) -> None:
        self.notify("READY", timeout=60)


class EmptyTableApp(App):
    CSS = """
    #crumbs { height: 1; }
    #status { dock: bottom; height: 1; }
    #prompt, #prompt:focus { dock: bottom; height: 0; border: none; padding: 0 1; }
    #prompt.-visible, #prompt.-visible:focus { height: 1; }
    DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+q", "quit", "quit", priority=True),
        Binding("j", "down", "down"),
        Binding("k", "up", "up"),
        Binding("slash", "filter", "filter"),
        Binding("escape", "clear", "clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.keys = 0

    def compose(self) -> ComposeResult:
        yield Static(id="crumbs")
        yield DataTable(id="table", cursor_type="row")
        yield Static("READY", id="status")
        yield Input(id="prompt")  # always displayed (height 0 when closed), so it takes focus at once

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for c in COLUMNS:
            table.add_column(c, key=c)
        self._crumbs("")
        table.focus()

    def _crumbs(self, filt: str) -> None:
        t = Text()
        t.append(" Containers", style="bold")
        t.append(" [0/0]" if filt else " [0]")
        if filt:
            t.append("  filter: ", style="dim")
            t.append(filt, style="bold yellow")
        t.append("  sort: name asc", style="dim")
        self.query_one("#crumbs", Static).update(t)

    def _moved(self, key: str) -> None:
        self.keys += 1
        self.query_one("#status", Static).update(f"key {key} {self.keys}")

    def action_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()
        self._moved("j")

    def action_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()
        self._moved("k")

    def action_filter(self) -> None:
        p = self.query_one("#prompt", Input)
        p.add_class("-visible")
        self.set_focus(p)

    def action_clear(self) -> None:
        p = self.query_one("#prompt", Input)
        p.value = ""
        p.remove_class("-visible")
        self._crumbs("")
        self.query_one(DataTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._crumbs(event.value)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    app = EmptyApp() if args[:1] == ["empty"] else EmptyTableApp()
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
