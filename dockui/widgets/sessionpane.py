"""SessionPane: a title line and a TerminalView bound to one TermSession (shell, exec or attach).

A shell or attach pane closes when its session ends (the screen removes it on ``SessionEnded``).
An exec pane (a command the user typed) stays when its command ends, showing what it printed
(for a command that does not exist, the engine's own message) under a banner with the exit
status, until q, esc or enter in the pane, or ``close`` (ctrl+w): only then is ``SessionEnded``
posted.
"""

from __future__ import annotations

import itertools

from rich.text import Text
from textual import events
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
        self.held: str | None = None  # the reason an exec ended, while its pane waits for a key

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
        """From the session's thread: show the banner, tell the screen (a message: never blocks).

        An exec that ended by itself keeps its pane until a key (see the module's docstring)."""
        session = self.session
        self._app.sessions.discard(session)
        if self.mode == "exec" and session is not None and not session.closing:
            detail = session.detail
            self.held = f"{reason}: {detail}" if detail else reason
            self.term.closed(reason)
            return
        self.post_message(SessionEnded(self, reason))
        self.term.closed(reason)

    def on_key(self, event: events.Key) -> None:
        """Keys the ended terminal lets through: q, esc or enter close a held pane; other typed
        characters are dropped (not the list's action keys: ``x`` must not stop a container);
        control keys (ctrl+], ctrl+w, ctrl+t) go on to the screen."""
        if self.held is None:
            return
        if event.key in ("q", "escape", "enter"):
            event.stop()
            event.prevent_default()
            self._release()
        elif event.is_printable:
            event.stop()
            event.prevent_default()

    def _release(self) -> None:
        reason, self.held = self.held, None
        if reason is not None:
            self.post_message(SessionEnded(self, reason))

    def close(self):
        """End the session (or close a held pane); returns the thread that hangs its processes up, if any."""
        if self.held is not None:
            self._release()
            return None
        if self.session is not None:
            return self.session.close()
        return None
