"""The output view of a custom command (``[[commands]]``, dockui/custom.py): what the command
printed for each row, as it comes, with its exit status.

The jobs (a process on this machine, or an exec in a container) run one after the other on a
thread of this screen's own; they write into a bounded ``OutputBuffer`` that a timer drains
into the log ten times a second. Output is data: every line becomes ``Text`` through
``ansi_line`` (colours kept, every other escape sequence removed), never markup. Leaving the
view (esc, q) stops what is still running.
"""

from __future__ import annotations

import threading

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import RichLog, Static

from ..ansi import ansi_line, one_line
from ..custom import MAX_LINES, Job, OutputBuffer

_OWN = "\x00dockui\x00"  # OutputBuffer.note's prefix: a line of dockui's own


class OutputScreen(Screen):
    PER_TICK = 1_000  # lines drawn per 0.1 s at most
    BINDINGS = [Binding("escape,q", "close", "back (stops the command)", id="output.back")]
    DEFAULT_CSS = """
    OutputScreen #output-title { height: 1; background: $accent; color: $text; }
    OutputScreen #output-status { height: 1; background: $boost; }
    OutputScreen RichLog { height: 1fr; }
    """

    def __init__(self, label: str, command: str, jobs: list[Job]) -> None:
        super().__init__()
        self.label = label
        self.command = command
        self.jobs = jobs
        self.buffer = OutputBuffer()
        self.results: list[str] = []  # one per finished job: "NAME: exited with code N"
        self.failed = False
        self.done = False
        self._thread: threading.Thread | None = None

    def compose(self) -> ComposeResult:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f" {one_line(self.label, 40)}", style="bold")
        names = ", ".join(one_line(j.title, 30) for j in self.jobs[:3]) + (" ..." if len(self.jobs) > 3 else "")
        t.append(f" · {names} ", style="bold yellow")
        t.append(f" {one_line(self.command, 120)}", style="dim")
        t.append("  esc back", style="dim")
        yield Static(t, id="output-title")
        yield RichLog(max_lines=MAX_LINES, wrap=True, markup=False, highlight=False, auto_scroll=True, id="output-log")
        yield Static(Text(" running...", style="yellow"), id="output-status")

    def on_mount(self) -> None:
        self._thread = threading.Thread(target=self._run, name="custom-output", daemon=True)
        self._thread.start()
        self.set_interval(0.1, self._drain)
        self.query_one(RichLog).focus()

    # --- the jobs' thread ------------------------------------------------------------------
    def _run(self) -> None:
        for job in self.jobs:
            if job.stopped:
                break
            if len(self.jobs) > 1:
                self.buffer.note(f"--- {job.title}")
            try:
                code = job.run(self.buffer)
            except Exception as exc:  # noqa: BLE001 - the engine's or the system's words, shown
                why = getattr(exc, "explanation", "") or str(exc) or type(exc).__name__
                result = f"not run: {one_line(why, 200)}"
                self.failed = True
            else:
                result = "stopped" if code is None else f"exited with code {code}"
                self.failed |= code != 0
            self.buffer.note(f"[{result}]")
            self.results.append(f"{job.title}: {result}" if len(self.jobs) > 1 else result)
        self.done = True

    # --- the UI side -------------------------------------------------------------------------
    def _drain(self) -> None:
        # a flood (``yes``) draws at most PER_TICK lines a tick: the keys stay answered, the
        # older lines of the tick are counted as not shown
        lines, _partial = self.buffer.drain(self.PER_TICK)
        log = self.query_one(RichLog)
        for line in lines:
            if line.startswith(_OWN):
                line = line[len(_OWN):]
                log.write(Text(line, style="bold red" if "not run" in line or ("code" in line and "code 0]" not in line)
                               else "bold"))
            else:
                log.write(ansi_line(line))
        self._paint_status()

    def _paint_status(self) -> None:
        status = self.query_one("#output-status", Static)
        if not self.done:
            finished = len(self.results)
            text = Text(f" running{f' ({finished} of {len(self.jobs)} done)' if len(self.jobs) > 1 else ''}..."
                        "  esc stops it", style="yellow")
        else:
            text = Text(" " + "; ".join(self.results), style="bold red" if self.failed else "bold green")
        shown = min(self.buffer.lines - self.buffer.dropped, MAX_LINES)
        if self.buffer.lines > shown:
            text.append(f"  ({self.buffer.lines:,} lines, the last {shown:,} shown)", style="dim")
        if getattr(self, "_status", None) != text.plain:
            self._status = text.plain
            status.update(text)

    def action_close(self) -> None:
        for job in self.jobs:
            job.stop()
        self.app.pop_screen()

    def on_unmount(self) -> None:
        for job in self.jobs:
            job.stop()
