"""SessionPane: a title line and a TerminalView bound to one TermSession (shell, exec or attach)."""

from __future__ import annotations

import itertools

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from ..ansi import one_line
from ..sessions.terminal import TermSession
from .terminal import TerminalView

_ids = itertools.count(1)


class SessionEnded(Message):
    def __init__(self, pane: SessionPane, reason: str) -> None:
        super().__init__()
        self.pane = pane
        self.reason = reason


class SessionPane(Vertical):
    DEFAULT_CSS = """
    SessionPane { height: 1fr; }
    SessionPane > .pane-title { height: 1; background: $accent-darken-2; color: $text; }
    SessionPane TerminalView { height: 1fr; }
    """

    def __init__(self, app, mode: str, container: str, name: str, command: list[str] | None = None) -> None:
        self.number = next(_ids)
        super().__init__(id=f"session-{self.number}")
        self.mode = mode
        self.container = container
        self.label = one_line(name, 40)
        self.command = command
        self._app = app
        self.session: TermSession | None = None
        self.term = TerminalView(send=self._send, on_resize=self._resize)

    def compose(self) -> ComposeResult:
        t = Text(no_wrap=True, overflow="ellipsis")
        what = {"shell": "shell", "attach": "attach", "exec": "exec " + " ".join(self.command or [])}[self.mode]
        t.append(f" [{self.number}] {what} · {self.label} ", style="bold")
        t.append(" ctrl+] back to the list · from the list: tab this pane · ctrl+t next session · z zoom · ctrl+w close", style="dim")
        yield Static(t, classes="pane-title")
        yield self.term

    def on_mount(self) -> None:
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        rows, cols = self.term.terminal_size
        app = self._app
        self.session = TermSession(
            app.client.clone(), self.container, self.mode, self.command, app.config.shell,
            size=(max(rows, 2), max(cols, 10)), on_output=self.term.feed, on_closed=self._session_closed,
        )
        app.sessions.add(self.session)  # the app ends every session when it quits
        self.session.start()

    def _send(self, data: bytes) -> None:
        if self.session is not None:
            self.session.send(data)

    def _resize(self, rows: int, cols: int) -> None:
        if self.session is not None:
            self.session.resize(rows, cols)

    def _session_closed(self, reason: str) -> None:
        """From the session's thread: show the banner, tell the screen (a message: never blocks)."""
        self._app.sessions.discard(self.session)
        self.post_message(SessionEnded(self, reason))
        self.term.closed(reason)

    def close(self):
        """End the session; returns the thread that hangs its processes up, if any."""
        if self.session is not None:
            return self.session.close()
        return None
