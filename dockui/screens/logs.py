"""The logs screen: follow, window keys (0 tail, 1 head, 2-6 since), search, save — k9s style.

Search (``/``) highlights matches or, after ``ctrl+f``, shows only the matching lines (a live
filter: lines that arrive while following are matched as they come). Typing a pattern
re-matches the buffer at most every ``FILTER_EVERY`` seconds, whatever the typing speed.
``v`` ``j`` ``k`` select lines, ``y`` copies them and ``Y`` the lines on screen, over OSC 52
(``App.copy_to_clipboard``, as ``c`` on the lists), at most ``CLIPBOARD_LIMIT`` bytes.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from ..ansi import one_line, plain_text
from ..sessions.logs import LogFeed, Target
from ..widgets.logview import LogView

WINDOWS = {"2": 60, "3": 300, "4": 900, "5": 1800, "6": 3600}
WINDOW_NAMES = {"0": "tail", "1": "head", "2": "1m", "3": "5m", "4": "15m", "5": "30m", "6": "1h"}
WINDOW_HELP = {"0": "tail: the last lines, followed", "1": "head: the first lines"}
CLIPBOARD_LIMIT = 100_000  # bytes (UTF-8) put on the clipboard at once; OSC 52 grows them by a third
FILTER_EVERY = 0.08  # seconds between two re-matches of the buffer while a pattern is typed
HELP_FIRST = {"search", "only matching / highlight", "Next match", "Prev match", "Select lines", "copy selection",
              "copy screen", "Down (extend selection)", "Up (extend selection)", "JSON"}
HINT = ("   ? keys  / search  ctrl+f only matching/highlight  n/N  v select  y/Y copy  J json  t time  w wrap"
        "  s autoscroll  f full  0 tail 1 head 2-6 since  ctrl+s save  q back")


def clip(lines: list[str], limit: int = CLIPBOARD_LIMIT) -> tuple[str, int]:
    """The first of ``lines`` that fit in ``limit`` UTF-8 bytes, joined by newlines, and how
    many lines that is (a first line longer than the limit is cut inside, at a character)."""
    out: list[str] = []
    size = 0
    for line in lines:
        need = len(line.encode("utf-8")) + (1 if out else 0)
        if size + need > limit:
            if not out:
                out.append(line.encode("utf-8")[:limit].decode("utf-8", "ignore"))
            break
        out.append(line)
        size += need
    return "\n".join(out), len(out)


def size_text(n: int) -> str:
    return f"{n} B" if n < 1000 else f"{n / 1000:.1f} KB"


class LinesArrived(Message):
    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LinesArrived)


def save_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "dockui" / "logs"


class LogsHelp(ModalScreen[None]):
    """The logs view's keys, from the bindings in force (a user's keymap included)."""

    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "close")]
    DEFAULT_CSS = """
    LogsHelp { align: center middle; }
    LogsHelp > VerticalScroll { width: 64; max-width: 100%; height: auto; max-height: 100%;
                                background: $panel; border: round $accent; padding: 0 1; }
    """

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table(title="logs keys", expand=False, box=None, show_header=False)
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("does")
        for key, what in self.rows:
            table.add_row(Text(key), Text(what))
        with VerticalScroll():
            yield Static(table)


class LogsScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "close", "back", id="logs.back"),
        Binding("slash", "search", "search", id="logs.search"),
        Binding("ctrl+f", "filter_mode", "only matching / highlight", id="logs.filtermode"),
        Binding("y", "copy_selection", "copy selection", id="logs.copy"),
        Binding("Y", "copy_screen", "copy screen", id="logs.copyscreen"),
        Binding("question_mark", "help", "keys", id="logs.help"),
        Binding("f", "fullscreen", "full screen", id="logs.full"),
        Binding("s", "autoscroll", "autoscroll", id="logs.autoscroll"),
        Binding("ctrl+s", "save", "save", id="logs.save"),
        Binding("c", "clear", "clear", id="logs.clear"),
        *[Binding(k, f"window('{k}')", WINDOW_HELP.get(k, f"since {WINDOW_NAMES[k]}"), show=False, id=f"logs.window{k}")
          for k in WINDOW_NAMES],
    ]
    DEFAULT_CSS = """
    LogsScreen #logs-title { height: 1; background: $accent; color: $text; }
    LogsScreen #logs-status { height: 1; background: $panel; }
    LogsScreen.-full #logs-title, LogsScreen.-full #logs-status { display: none; }
    LogsScreen #logs-search { dock: bottom; height: 1; border: none; display: none; }
    LogsScreen #logs-search.-visible { display: block; }
    LogsScreen LogView { height: 1fr; }
    """

    def __init__(self, title: str, targets: list[Target], tail: int = 500, max_lines: int = 10_000) -> None:
        super().__init__()
        self.title_text = title
        self.targets = targets
        self.tail = tail
        self.max_lines = max_lines
        self.window = "0"
        self.feed: LogFeed | None = None
        self._painted: tuple = ()  # what the footer shows, to repaint it only when that changed
        self.filter_only = False  # ctrl+f: the search shows only matching lines
        self._pattern: str | None = None  # the search as typed, applied by _apply_filter
        self._filter_timer = None
        self._filtered_at = 0.0

    def compose(self) -> ComposeResult:
        yield Static(Text(f" logs: {one_line(self.title_text, 100)}", style="bold"), id="logs-title")
        yield LogView(max_lines=self.max_lines, id="logs-view")
        yield Static(id="logs-status")
        yield Input(placeholder="search (regex ok); ctrl+f only matching lines / highlight; enter keeps it, esc clears",
                    id="logs-search")

    @property
    def view(self) -> LogView:
        return self.query_one("#logs-view", LogView)

    def on_mount(self) -> None:
        self.view.focus()
        self._start_feed()
        self.set_interval(0.1, self._drain)
        self._paint_status()

    def _start_feed(self, tail: int | str | None = None, since: float | None = None, head: bool = False) -> None:
        """Follow the targets (from the last ``tail`` lines, or ``since``), or read the first lines
        of each (``head``: as many as the view holds, shared out; the stream is closed after)."""
        if self.feed is not None:
            self.feed.stop()
        app = self.app
        self.feed = LogFeed(app.client.clone(), self.targets, tail=self.tail if tail is None else tail, since=since,
                            notify=lambda: self.post_message(LinesArrived()), max_buffer=self.max_lines,
                            follow=not head, limit=max(1, self.max_lines // max(1, len(self.targets))) if head else None,
                            task_names=lambda tid: app.ctx.task_name(app.store.get("tasks", tid) or {"ID": tid, "ServiceID": ""}))
        self.feed.start()

    def on_lines_arrived(self, message: LinesArrived) -> None:
        self._drain()

    def _drain(self) -> None:
        if self.feed is None:
            return
        lines = self.feed.take(self.max_lines)
        if lines:
            self.view.append_lines(lines)
            self._paint_status()
        elif self._status_key() != self._painted:  # scrolling paused or resumed the follow
            self._paint_status()

    def _status_key(self) -> tuple:
        return (self.window, self.view.status, self.view.filter_error, bool(self.feed and self.feed.waiting), self.filter_only)

    def _paint_status(self) -> None:
        self._painted = self._status_key()
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f" {WINDOW_NAMES[self.window]} ", style="reverse")
        t.append(" " + self.view.status)
        if self.feed is not None and self.feed.waiting:
            t.append("  engine lost: waiting to resume", style="bold yellow")
        if self.view.filter_error:
            t.append(f"  ({one_line(self.view.filter_error, 60)})", style="yellow")
        if self.filter_only and self.view.filter_pattern is None:
            t.append(" · search shows only matching lines")
        t.append(HINT, style="dim")
        self.query_one("#logs-status", Static).update(t)

    def action_window(self, key: str) -> None:
        self.window = key
        self.view.clear()
        if key == "0":
            self._start_feed(tail=self.tail)
        elif key == "1":
            self._start_feed(tail="all", head=True)
            self.view.following = False
        else:
            self._start_feed(tail="all", since=time.time() - WINDOWS[key])
        self._paint_status()

    def action_fullscreen(self) -> None:
        self.toggle_class("-full")

    def action_autoscroll(self) -> None:
        if self.view.following:
            self.view.following = False
        else:
            self.view.action_bottom()
        self._paint_status()

    def action_clear(self) -> None:
        self.view.clear()
        self._paint_status()

    def action_search(self) -> None:
        box = self.query_one("#logs-search", Input)
        box.add_class("-visible")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._pattern = event.value or None
        if self._filter_timer is not None:
            return  # a re-match is due: it takes the newest pattern
        wait = self._filtered_at + FILTER_EVERY - time.monotonic()
        if wait <= 0:
            self._apply_filter()
        else:
            self._filter_timer = self.set_timer(wait, self._apply_filter)

    def _apply_filter(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        if self._pattern != self.view.filter_pattern:
            self.view.set_filter(self._pattern, regex=True, hide=self.filter_only)
            self._filtered_at = time.monotonic()
        self._paint_status()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._pattern = event.value or None
        self._apply_filter()
        box = self.query_one("#logs-search", Input)
        box.remove_class("-visible")
        self.view.focus()
        if event.value and not self.filter_only:
            self.view.search_next()

    def action_filter_mode(self) -> None:
        """ctrl+f: the search shows only the matching lines, or all lines with matches highlighted."""
        self.filter_only = not self.filter_only
        self.view.set_hide(self.filter_only)
        if self.view.filter_pattern is None:
            self.notify("search: only matching lines" if self.filter_only else "search: highlight matches", timeout=2)
        self._paint_status()

    def action_copy_selection(self) -> None:
        """y: copy the selected lines (v starts a selection), then end the selection."""
        if not self.view.selecting:
            self.notify("no selection: v starts one (j/k extend it), Y copies the lines on screen", timeout=3)
            return
        lines = self.view.selected_lines()
        self.view.clear_selection()
        self._copy(lines)

    def action_copy_screen(self) -> None:
        """Y: copy the lines on screen."""
        self._copy(self.view.lines_on_screen())

    def _copy(self, lines: list) -> None:
        texts = self.view.copy_text(lines)
        if not texts:
            self.app.bell()
            return
        text, kept = clip(texts)
        self.app.copy_to_clipboard(text)
        size = size_text(len(text.encode("utf-8")))
        if kept < len(texts) or (kept == 1 and text != texts[0]):
            line = "line" if len(texts) == 1 else "lines"
            self.notify(f"copied {kept:,} of {len(texts):,} {line} ({size}): cut at the clipboard limit of "
                        f"{size_text(CLIPBOARD_LIMIT)} (OSC 52)", severity="warning", markup=False, timeout=5)
        else:
            self.notify(f"copied {kept:,} line{'' if kept == 1 else 's'} ({size}) to the clipboard (OSC 52)",
                        markup=False, timeout=3)
        self._paint_status()

    def action_help(self) -> None:
        """?: every key of this view, as bound now."""
        rows: dict[tuple[int, str], tuple[list[str], str]] = {}
        for key, active in self.active_bindings.items():
            binding = active.binding
            if not (binding.id or "").startswith(("logs.", "logview.")):
                continue  # Textual's own (arrows, tab, the app's)
            what = binding.description or binding.action
            keys, _ = rows.setdefault((id(active.node), binding.action), ([], what))
            keys.append(self.app.key_display(key))
        order = sorted(rows.values(), key=lambda kw: kw[1] not in HELP_FIRST)
        self.app.push_screen(LogsHelp([(" ".join(keys), what) for keys, what in order]))

    def action_close(self) -> None:
        box = self.query_one("#logs-search", Input)
        if box.has_class("-visible"):
            box.value = ""
            box.remove_class("-visible")
            self._pattern = None
            self._apply_filter()
            self.view.focus()
            return
        if self.view.selecting:
            self.view.clear_selection()
            self._paint_status()
            return
        self.app.pop_screen()

    def action_save(self) -> None:
        lines = [(ln.timestamp or "", plain_text(ln.raw)) for ln in list(self.view._lines)]
        name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in self.title_text)[:60] or "logs"
        path = save_dir() / f"{name}-{datetime.now():%Y%m%d-%H%M%S}.log"

        def write() -> None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    for ts, text in lines:
                        f.write(f"{ts} {text}\n" if ts else text + "\n")
                self.app.call_from_thread(self.app.notify, f"saved {len(lines)} lines to {path}", markup=False)
            except OSError as exc:
                self.app.call_from_thread(self.app.notify, f"cannot save logs: {exc}", severity="error", markup=False)

        self.run_worker(write, thread=True, group="logs-save", exit_on_error=False)

    def on_unmount(self) -> None:
        if self.feed is not None:
            self.feed.stop()
