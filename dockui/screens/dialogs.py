"""Small screens: confirm a destructive action, the help screen, describe (inspect) a resource."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ..ansi import one_line
from ..kinds import KINDS

# characters json.dumps leaves as they are but a terminal (or the reader) must not get raw:
# DEL, C1 controls, bidi embeddings/overrides/isolates/marks, line and paragraph separators
_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class ConfirmScreen(ModalScreen):
    """Asks before something is destroyed: one of ``options``' keys answers, anything else cancels (None).

    The box has a fixed width (72 cells, at most 95% of the screen) and its lines wrap: a box
    that sizes itself to its text (``width: auto``) around text that fills its container
    collapses to an empty frame in Textual 8 (issue 24), and the user is then asked to confirm
    something without being told what.
    """

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > #confirm-box { width: 72; max-width: 95%; height: auto; max-height: 90%; border: thick $error; padding: 1 2; background: $surface; }
    ConfirmScreen > #confirm-box > Static { width: 1fr; height: auto; }
    ConfirmScreen #confirm-options { margin-top: 1; }
    """

    def __init__(self, question: str, options: dict[str, str] | None = None) -> None:
        super().__init__()
        self.question = question
        self.options = options or {"y": "yes"}

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Text(one_line(self.question, 300), style="bold"), id="confirm-question")
            hint = Text()
            for k, v in [*self.options.items(), ("n / esc", "cancel")]:
                hint.append(f"{k}", style="bold")
                hint.append(f": {v}\n", style="dim" if k == "n / esc" else "")
            hint.rstrip()
            yield Static(hint, id="confirm-options")

    def on_key(self, event) -> None:
        event.stop()
        key = event.key.lower() if len(event.key) == 1 else event.key
        self.dismiss(key if key in self.options else None)


class HelpScreen(Screen):
    """Every key, generated from the kinds registry's actions and the app's bindings."""

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
        rows: dict[tuple[str, str], list[str]] = {}  # (key, label) -> the kinds it applies to, from the registry
        for kind in KINDS.values():
            for a in kind.actions:
                source = f" (from {a.source})" if getattr(a, "source", "") else ""  # a [[commands]] entry of config.toml
                rows.setdefault((a.key, a.label + (" (asks first)" if a.destructive else "") + source), []).append(kind.name)
        for (key, label), kinds in rows.items():
            t.add_row(self.app.key_display(key), Text(label), ", ".join(kinds))  # Text: a user's label is not markup
        with VerticalScroll():
            yield Static(t)


def pretty_json(doc: Any) -> str:
    """Inspect output as JSON text that is inert on a terminal.

    ``json`` escapes C0 controls (ESC becomes ``\\u001b``); DEL, the C1 controls (8-bit CSI,
    OSC, DCS…), bidi overrides and line separators are escaped here the same way, so a
    hostile label shows as text and can never drive the terminal or reorder what is shown.
    """
    text = json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False, default=str)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


class DescribeScreen(Screen):
    """The inspect document of one resource, fetched off the UI thread.

    Values that look secret (env variables and labels named like PASSWORD, TOKEN, KEY…) are
    masked until ``x`` reveals them; ``r`` fetches the document again. A failed refresh (the
    resource was removed, the engine went away) keeps the last copy on screen and says why.
    """

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "back", id="describe.back"),
        Binding("x", "reveal", "reveal secrets", id="describe.reveal"),
        Binding("r,ctrl+r", "refresh", "refresh", id="describe.refresh"),
        Binding("y", "yaml", "JSON / YAML", id="describe.yaml"),
    ]
    DEFAULT_CSS = """
    DescribeScreen #title { height: 1; background: $accent; color: $text; }
    DescribeScreen #describe-status { height: auto; display: none; }
    DescribeScreen #describe-status.-visible { display: block; }
    """

    def __init__(self, title: str, fetch: Callable[[], Any]) -> None:
        super().__init__()
        self.title_text = title
        self.fetch = fetch
        self.doc: Any = None  # the document as the engine sent it
        self.loaded = False
        self.revealed = False
        self.yaml = False  # y: the document as YAML instead of JSON
        self.text = ""  # the JSON text shown now (masked unless revealed)
        self.hidden = 0  # how many values are masked
        self.error = ""  # why the last fetch failed, if it did

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield Static(id="describe-status")
        with VerticalScroll(id="body"):
            yield Static(Text("loading...", style="dim"), id="doc")

    def on_mount(self) -> None:
        self._paint_title()
        self.action_refresh()
        self.query_one("#body").focus()

    def action_refresh(self) -> None:
        self.run_worker(self._load, thread=True, group="describe", exclusive=True, exit_on_error=False)

    def action_yaml(self) -> None:
        self.yaml = not self.yaml
        if self.loaded:
            self._render_doc()
        self._paint_title()

    def action_reveal(self) -> None:
        self.revealed = not self.revealed
        if self.loaded:
            self._render_doc()
        self._paint_title()

    def _load(self) -> None:
        try:
            doc = self.fetch()
        except Exception as exc:  # noqa: BLE001 - shown to the user, never raised
            msg = getattr(exc, "explanation", "") or str(exc) or type(exc).__name__
            self.app.call_from_thread(self._failed, msg)
            return
        self.app.call_from_thread(self._loaded, doc)

    def _loaded(self, doc: Any) -> None:
        if not self.is_attached:
            return
        self.doc, self.loaded, self.error = doc, True, ""
        self._render_doc()
        self._paint_title()

    def _failed(self, msg: str) -> None:
        if not self.is_attached:
            return
        self.error = one_line(msg, 300)
        if self.loaded:  # keep the last copy, marked stale
            status = self.query_one("#describe-status", Static)
            status.update(Text(f"refresh failed: {self.error} (showing the last copy)", style="bold red"))
            status.add_class("-visible")
        else:
            self.query_one("#doc", Static).update(Text(f"cannot describe: {self.error}", style="red"))

    def _render_doc(self) -> None:
        from ..secrets import MASK, mask_document

        show = pretty_json
        if self.yaml:
            from ..yamlout import to_yaml as show
        raw = show(self.doc)
        masked = show(mask_document(self.doc))
        self.hidden = max(0, masked.count(MASK) - raw.count(MASK))
        self.text = raw if self.revealed else masked
        from rich.syntax import Syntax  # pygments: loaded with the first describe view, not at start

        lexer = "yaml" if self.yaml else "json"
        self.query_one("#doc", Static).update(Syntax(self.text, lexer, word_wrap=True, theme="ansi_dark"))
        self.query_one("#describe-status", Static).remove_class("-visible")

    def _paint_title(self) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(one_line(self.title_text, 200))
        t.append("  esc back · r refresh · y " + ("JSON" if self.yaml else "YAML"), style="dim")
        if self.revealed:
            t.append("  SECRETS SHOWN · x hide", style="bold reverse red")
        elif self.hidden:
            t.append(f"  {self.hidden} secret value{'s' if self.hidden != 1 else ''} hidden · x reveal", style="bold yellow")
        else:
            t.append("  x reveal secrets", style="dim")
        self.query_one("#title", Static).update(t)


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
