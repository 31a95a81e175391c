"""The progress screen: one engine operation over several containers, a line per container.

Opened by a kind's ``view`` action (start, stop, restart or remove every container of a compose
project or service; an incident bundle of the focused or marked containers). It lists each
container with its state -- ``waiting``, ``working``, ``done`` (or the operation's own note) or
``failed:`` and the engine's message -- and a summary line at the end. A destructive operation
first asks, below the list of every container it will touch (``confirm``); the answer is handed
to the work as ``arg``.

The engine work runs on one thread worker that runs at most ``WORKERS`` calls at a time; each
result reaches the screen as a ``ProgressLine`` message (``post_message``: thread-safe, never
blocks). Names come from the engine: every line is built as ``rich.text.Text`` through
``one_line``, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from ..ansi import one_line

WORKERS = 4

Item = tuple[str, str]  # (container id, name)
# (app, id, name, arg) -> a note to show instead of "done"; raises to fail with the exception's words
Work = Callable[[Any, str, str, str], "str | None"]
# (app, results: id -> note or exception) -> the summary line (None: the default count)
Finish = Callable[[Any, Mapping[str, Any], str], "str | None"]
# (app, items) -> the items' indexes in waves: each wave runs once the one before it ended
Waves = Callable[[Any, Sequence[Item]], "list[list[int]]"]

STYLES = {"waiting": "dim", "working": "yellow", "done": "green", "failed": "bold red", "skipped": "dim"}


def explain(exc: BaseException) -> str:
    """The engine's own message for a failure (``APIError.explanation``), else the exception's words."""
    msg = getattr(exc, "explanation", "") or str(exc) or type(exc).__name__
    return one_line(str(msg), 300)


class ProgressLine(Message):
    """Worker -> screen: container ``index`` is now in ``state`` (``note``: its words)."""

    def __init__(self, index: int, state: str, note: str = "") -> None:
        super().__init__()
        self.index, self.state, self.note = index, state, note


class ProgressDone(Message):
    """Worker -> screen: every container was handled; ``summary`` says how it went."""

    def __init__(self, summary: str, failed: int) -> None:
        super().__init__()
        self.summary, self.failed = summary, failed


class ProgressScreen(Screen):
    """``title``: what is done to what (``stop project shop``); ``items``: the containers, or a
    callable ``(app, screen_below) -> items`` resolved when the screen opens (the marked rows of
    the list it was opened from); ``confirm``: (question, options) asked first, the answer's key
    is ``arg``; ``finish`` runs on the worker after every item (the bundle writes its file)."""

    BINDINGS = [
        Binding("escape,q", "close", "back", id="progress.back"),
    ]
    DEFAULT_CSS = """
    ProgressScreen #progress-title { height: 1; background: $accent; color: $text; text-wrap: nowrap; text-overflow: ellipsis; }
    ProgressScreen #progress-lines { height: 1fr; }
    ProgressScreen #progress-body { height: auto; }
    ProgressScreen #progress-status { height: auto; min-height: 1; padding: 0 1; }
    """

    def __init__(self, title: str, items: Sequence[Item] | Callable[[Any, Any], Sequence[Item]], work: Work,
                 confirm: tuple[str, Mapping[str, str]] | None = None, finish: Finish | None = None,
                 verb: str = "", waves: Waves | None = None) -> None:
        super().__init__()
        self.title_text = title
        self._items_source = items
        self.items: list[Item] = []
        self.states: list[tuple[str, str]] = []  # (state, note) per item
        self.work = work
        self.confirm = confirm
        self.finish = finish
        self.waves = waves
        self.verb = verb or title.split(" ", 1)[0]
        self.asking = confirm is not None
        self.running = False
        self.finished = False
        self.summary = ""
        self.failed = 0
        self.left = False

    def compose(self) -> ComposeResult:
        yield Static(id="progress-title")
        with VerticalScroll(id="progress-lines"):
            yield Static(id="progress-body")
        yield Static(id="progress-status")

    def on_mount(self) -> None:
        src = self._items_source
        if callable(src):
            stack = self.app.screen_stack
            below = stack[-2] if len(stack) > 1 else None
            src = src(self.app, below)
        self.items = [(str(i), str(n)) for i, n in src]
        self.states = [("waiting", "") for _ in self.items]
        self._paint()
        if not self.items:
            self.asking = False
            self.finished = True
            self.summary = "no containers to " + self.verb
        elif not self.asking:
            self._start("y")
        self._paint()

    # --- keys -------------------------------------------------------------------------------
    def on_key(self, event) -> None:
        if not self.asking or self.confirm is None:
            return
        event.stop()
        key = event.key.lower() if len(event.key) == 1 else event.key
        self.asking = False
        if key in self.confirm[1]:
            self._start(key)
        else:
            self.finished = True
            self.summary = "cancelled: nothing was done"
            self.states = [("skipped", "") for _ in self.items]
        self._paint()

    def action_close(self) -> None:
        self.left = self.running  # closed while working: the app tells how it ended (``_run``)
        self.dismiss(None)

    # --- the work (worker thread) -------------------------------------------------------------
    def _start(self, arg: str) -> None:
        self.running = True
        self.run_worker(lambda: self._run(arg), thread=True, group="progress", exit_on_error=False)

    def _run(self, arg: str) -> None:
        app, items = self.app, list(self.items)
        results: dict[str, Any] = {}
        failed = 0

        def one(index: int, cid: str, name: str) -> None:
            self.post_message(ProgressLine(index, "working"))
            try:
                note = self.work(app, cid, name, arg)
            except Exception as exc:  # noqa: BLE001 - the engine's words on the line, never a traceback
                results[cid] = exc
                self.post_message(ProgressLine(index, "failed", explain(exc)))
            else:
                results[cid] = note
                self.post_message(ProgressLine(index, "done", one_line(note, 300) if note else ""))

        waves = [list(range(len(items)))]
        if self.waves is not None:
            try:
                waves = self.waves(app, items)
            except Exception:  # noqa: BLE001 - no order known: all at once
                pass
        with ThreadPoolExecutor(max_workers=min(WORKERS, len(items)) or 1, thread_name_prefix="dockui-progress") as pool:
            for wave in waves:  # a wave starts once the one before it ended (compose's dependency order)
                for f in [pool.submit(one, i, *items[i]) for i in wave]:
                    f.result()
        failed = sum(isinstance(r, BaseException) for r in results.values())
        summary = None
        if self.finish is not None:
            try:
                summary = self.finish(app, results, arg)
            except Exception as exc:  # noqa: BLE001
                failed += 1
                summary = f"failed: {explain(exc)}"
        if summary is None:
            n = len(items)
            summary = f"{self.verb}: {n - failed} of {n} done" + (f", {failed} failed" if failed else "")
        self.post_message(ProgressDone(summary, failed))
        if self.left:  # nobody is looking at this screen any more: a notice instead
            from ..runner import ActionReport

            app.post_message(ActionReport(f"{one_line(self.title_text, 80)}: {one_line(summary, 300)}",
                                          "error" if failed else "information", 8))

    # --- messages (UI thread) -----------------------------------------------------------------
    def on_progress_line(self, message: ProgressLine) -> None:
        if 0 <= message.index < len(self.states):
            self.states[message.index] = (message.state, message.note)
            self._paint()

    def on_progress_done(self, message: ProgressDone) -> None:
        self.running, self.finished = False, True
        self.summary, self.failed = message.summary, message.failed
        self._paint()

    # --- drawing ----------------------------------------------------------------------------
    def _paint(self) -> None:
        if not self.is_attached or not self.query("#progress-body"):
            return
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(" " + one_line(self.title_text, 120), style="bold")
        title.append(f"  [{len(self.items)} container{'s' if len(self.items) != 1 else ''}]", style="dim")
        title.append("  esc back", style="dim")
        self.query_one("#progress-title", Static).update(title)
        body = Text()
        width = max([len(one_line(n, 40)) for _, n in self.items] + [4])
        for (cid, name), (state, note) in zip(self.items, self.states, strict=True):
            body.append(f" {one_line(name, 40):<{width}}  ", style="bold")
            body.append(f"{cid[:12]}  ", style="dim")
            word = state if state != "done" or not note else "done:"
            body.append(word, style=STYLES.get(state, ""))
            if note:
                body.append(" " + note, style="red" if state == "failed" else "")
            body.append("\n")
        body.rstrip()
        self.query_one("#progress-body", Static).update(body)
        status = Text()
        if self.asking and self.confirm is not None:
            question, options = self.confirm
            status.append(one_line(question, 300) + "\n", style="bold")
            for k, v in [*options.items(), ("n / esc", "cancel")]:
                status.append(k, style="bold")
                status.append(f": {v}   ", style="dim" if k == "n / esc" else "")
        elif self.finished:
            status.append(one_line(self.summary, 400), style="bold red" if self.failed else "bold green")
            status.append("   esc back", style="dim")
        elif self.running:
            done = sum(s in ("done", "failed") for s, _ in self.states)
            status.append(f"{self.verb}: {done}/{len(self.items)}...", style="yellow")
        self.query_one("#progress-status", Static).update(status)
