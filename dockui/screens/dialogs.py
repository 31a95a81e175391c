"""Small screens: confirm a destructive action, the help screen, describe (inspect) a resource."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ..ansi import one_line
from .actions import ACTIONS

_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


class ConfirmScreen(ModalScreen):
    """Asks before something is destroyed: one of ``options``' keys answers, anything else cancels (None)."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: auto; max-width: 90%; height: auto; border: thick $error; padding: 1 2; background: $surface; }
    """

    def __init__(self, question: str, options: dict[str, str] | None = None) -> None:
        super().__init__()
        self.question = question
        self.options = options or {"y": "yes"}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(one_line(self.question, 300), style="bold"))
            hint = "    ".join(f"{k}: {v}" for k, v in self.options.items()) + "    n / esc: cancel"
            yield Static(Text(hint, style="dim"))

    def on_key(self, event) -> None:
        event.stop()
        key = event.key.lower() if len(event.key) == 1 else event.key
        self.dismiss(key if key in self.options else None)


class HelpScreen(Screen):
    """Every key, generated from the actions table and the app's bindings."""

    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "close")]

    def __init__(self, global_keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.global_keys = global_keys

    def compose(self) -> ComposeResult:
        t = Table(title="dockui keys", expand=False, show_lines=False)
        t.add_column("key", style="bold cyan")
        t.add_column("action")
        t.add_column("applies to", style="dim")
        for key, label in self.global_keys:
            t.add_row(key, label, "everywhere")
        for a in ACTIONS:
            t.add_row(a.key, a.label + (" (asks first)" if a.destructive else ""), ", ".join(a.kinds))
        with VerticalScroll():
            yield Static(t)


def pretty_json(doc: Any) -> str:
    """Inspect output as JSON text: control characters escaped by json, bidi overrides dropped."""
    return _BIDI.sub("", json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False, default=str))


class DescribeScreen(Screen):
    """The inspect document of one resource, fetched off the UI thread."""

    BINDINGS = [Binding("escape,q", "app.pop_screen", "back")]
    DEFAULT_CSS = """
    DescribeScreen #title { height: 1; background: $accent; color: $text; }
    """

    def __init__(self, title: str, fetch: Callable[[], Any]) -> None:
        super().__init__()
        self.title_text = title
        self.fetch = fetch

    def compose(self) -> ComposeResult:
        yield Static(Text(one_line(self.title_text, 200) + "  (esc: back)"), id="title")
        with VerticalScroll(id="body"):
            yield Static(Text("loading...", style="dim"), id="doc")

    def on_mount(self) -> None:
        self.run_worker(self._load, thread=True, group="describe", exit_on_error=False)
        self.query_one("#body").focus()

    def _load(self) -> None:
        try:
            doc: Any = Syntax(pretty_json(self.fetch()), "json", word_wrap=True, theme="ansi_dark")
        except Exception as exc:  # noqa: BLE001 - shown to the user, never raised
            doc = Text(f"cannot describe: {one_line(str(exc), 300)}", style="red")
        self.app.call_from_thread(self._show, doc)

    def _show(self, doc: Any) -> None:
        if self.is_attached:
            self.query_one("#doc", Static).update(doc)


class TooSmallScreen(ModalScreen):
    """Shown instead of a broken layout while the terminal is under the minimum size."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; background: $background; }
    TooSmallScreen Static { width: auto; height: auto; }
    """

    def __init__(self, need: tuple[int, int]) -> None:
        super().__init__()
        self.need = need

    def compose(self) -> ComposeResult:
        yield Static(id="too-small")

    def on_mount(self) -> None:
        self.update_size(self.app.size.width, self.app.size.height)

    def update_size(self, width: int, height: int) -> None:
        w, h = self.need
        self.query_one("#too-small", Static).update(
            Text(f"terminal too small: {width}x{height}\nneed at least {w}x{h}\n(ctrl+q quits)", justify="center"))
