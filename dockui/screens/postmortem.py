"""The "Why?" post-mortem of one container (``w`` on a container, ``enter`` in faults-only): the
verdict in plain words at the top, then the evidence (exit code and who sent the signal, memory,
restarts, health probes, the last log lines before it stopped with stderr marked, its events of the
last hour, when it was created, started and finished, the image and where its tag points now).

The evidence is gathered on a worker thread (``dockui.triage.gather``); every line is built as
``rich.text.Text`` from cleaned engine text, never markup. Keys: ``l`` full logs, ``r`` restart,
``s`` shell (if running), ``d`` describe, ``g`` gather again, ``q``/``esc`` back.
"""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ..ansi import one_line

LIVE = ("running", "unhealthy", "restarting")


def render(sections: list[Any]) -> Text:
    """The post-mortem's sections as one Text: the verdict first and loud, then each section."""
    out = Text(no_wrap=False, overflow="fold")
    for i, sec in enumerate(sections):
        if i:
            out.append("\n")
        out.append(f" {sec.title} ", style="bold reverse" if i == 0 else "bold underline")
        out.append("\n")
        for j, (line, style) in enumerate(sec.lines):
            if i == 0 and j == 0:
                style = "bold red" if line not in ("running", "exited normally (0)") else "bold green"
            out.append("  ")
            out.append(Text(line, style=style))  # cleaned engine text, as data
            out.append("\n")
    return out


class PostmortemScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "back", id="postmortem.back"),
        Binding("l", "logs", "full logs", id="postmortem.logs"),
        Binding("r", "restart", "restart", id="postmortem.restart"),
        Binding("s", "shell", "shell", id="postmortem.shell"),
        Binding("d", "describe", "describe", id="postmortem.describe"),
        Binding("g,ctrl+r", "reload", "gather again", id="postmortem.reload"),
    ]
    DEFAULT_CSS = """
    PostmortemScreen #pm-title { height: 1; background: $accent; color: $text; }
    PostmortemScreen #pm-body { height: 1fr; }
    PostmortemScreen #pm-report { height: auto; }
    """

    def __init__(self, rid: str, name: str) -> None:
        super().__init__()
        self.rid, self.name_ = rid, name
        self.evidence: Any = None
        self.text = ""  # the plain text last shown (tests, the incident bundle)

    def compose(self) -> ComposeResult:
        yield Static(id="pm-title")
        with VerticalScroll(id="pm-body"):
            yield Static(Text("gathering the evidence...", style="dim"), id="pm-report")

    def on_mount(self) -> None:
        self._title()
        self._seen_state = self._state()
        self._last_gather = 0.0
        self.app.store_signal.subscribe(self, self._on_touched)
        self.action_reload()
        self.query_one("#pm-body").focus()

    def on_unmount(self) -> None:
        self.app.store_signal.unsubscribe(self)

    def _title(self, note: str = "") -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f" why? {one_line(self.name_, 60)}", style="bold")
        if note:
            t.append(f"  {note}", style="bold red")
        t.append("  l logs · r restart · s shell · d describe · g again · esc back", style="dim")
        self.query_one("#pm-title", Static).update(t)

    def _on_touched(self, touched: Any) -> None:
        """The container changed state (it died, restarted, was removed): gather again, at most every 2 s."""
        ch = getattr(touched, "change", None)
        if ch is None or not self.is_attached:
            return
        if self.rid not in ch.changed.get("containers", ()) and self.rid not in ch.removed.get("containers", ()):
            return
        st = self._state()
        if st == self._seen_state:
            return
        self._seen_state = st
        wait = 2.0 - (time.monotonic() - self._last_gather)
        if wait > 0:
            self.set_timer(wait, self.action_reload)
        else:
            self.action_reload()

    def action_reload(self) -> None:
        self._last_gather = time.monotonic()
        self._gen = getattr(self, "_gen", 0) + 1
        gen = self._gen
        self.run_worker(lambda: self._gather(gen), thread=True, group="postmortem", exclusive=True, exit_on_error=False)

    def _gather(self, gen: int) -> None:
        from ..triage import gather, sections

        app = self.app
        try:
            ev = gather(app.client, self.rid, app.ctx)
            secs = sections(ev)
        except Exception as exc:  # noqa: BLE001 - shown, never raised
            msg = one_line(str(getattr(exc, "explanation", "") or exc or type(exc).__name__), 300)
            app.call_from_thread(self._failed, msg, gen)
            return
        app.call_from_thread(self._show, ev, secs, gen)

    def _failed(self, msg: str, gen: int = 0) -> None:
        if not self.is_attached or (gen and gen != self._gen):  # a later gathering is under way
            return
        if self.evidence is not None:  # keep what was gathered (a removed container's last words), say why no more
            self._title(f"cannot gather again: {msg}")
            return
        self.query_one("#pm-report", Static).update(Text(f"cannot gather the post-mortem: {msg}", style="red"))

    def _show(self, ev: Any, secs: list[Any], gen: int = 0) -> None:
        if not self.is_attached or (gen and gen != self._gen):  # a later gathering is under way
            return
        self.evidence = ev
        self._title()
        body = render(secs)
        self.text = body.plain
        self.query_one("#pm-report", Static).update(body)

    # --- keys ----------------------------------------------------------------------------------
    def _row(self) -> dict[str, Any]:
        return dict(self.app.store.get("containers", self.rid) or {"Id": self.rid, "Name": self.name_})

    def _state(self) -> str:
        from ..kinds import get

        row = self.app.store.get("containers", self.rid)
        return get("containers").state(row) if row is not None else ""

    def action_logs(self) -> None:
        from ..kinds import get
        from .logs import LogsScreen

        kind = get("containers")
        if kind.logs is None:
            return
        title, targets = kind.logs(self._row(), self.rid, self.app.ctx)
        cfg = self.app.config
        self.app.push_screen(LogsScreen(title, targets, tail=cfg.log_tail, max_lines=cfg.log_lines))

    def action_describe(self) -> None:
        from ..kinds import get
        from .dialogs import DescribeScreen

        kind, client, rid = get("containers"), self.app.client, self.rid
        inspect = kind.inspect
        fetch = (lambda: inspect(client, rid)) if inspect is not None else (lambda: self._row())
        self.app.push_screen(DescribeScreen(f"container {one_line(self.name_, 60)}", fetch))

    def action_restart(self) -> None:
        from ..kinds import get
        from ..messages import RunAction

        kind = get("containers")
        act = next((a for a in kind.actions if a.id == "restart"), None)
        if act is None or (self.app.readonly and act.mutating):
            self.notify("read-only mode: restart is disabled", severity="warning", markup=False)
            return
        self.post_message(RunAction(kind, act, [(self.rid, self._row())]))
        self.set_timer(2.0, self.action_reload)

    def action_shell(self) -> None:
        if self._state() not in LIVE:
            self.notify("the container is not running: no shell", severity="warning", markup=False)
            return
        main = getattr(self.app, "main", None)
        if main is None or not hasattr(main, "open_pane"):
            return
        self.app.pop_screen()
        main.open_pane("shell", self.rid, self.name_)


def postmortem_view(rid: str, row: Any) -> PostmortemScreen:
    """The screen ``w`` opens (an ``Action`` with ``view=``)."""
    from ..kinds.common import plain_name

    return PostmortemScreen(rid, plain_name(row, rid))


__all__ = ["PostmortemScreen", "postmortem_view", "render"]
