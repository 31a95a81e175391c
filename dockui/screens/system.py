"""System screens: disk usage (``:df``) with what prune would reclaim, and image pull progress."""

from __future__ import annotations

import threading
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from .. import format as fmt
from ..ansi import one_line
from ..engine import EngineError


def df_rows(df: dict[str, Any]) -> list[tuple[str, int, int, int, int]]:
    """(type, total, active, size, reclaimable) as ``docker system df`` counts them."""
    images = df.get("Images") or []
    img_active = [i for i in images if (i.get("Containers") or 0) > 0]
    img_size = df.get("LayersSize") or sum(i.get("Size") or 0 for i in images)
    img_reclaim = max(0, img_size - sum((i.get("Size") or 0) - max(0, i.get("SharedSize") or 0) for i in img_active)
                      - (max((i.get("SharedSize") or 0) for i in img_active) if img_active else 0))
    conts = df.get("Containers") or []
    c_active = [c for c in conts if c.get("State") == "running"]
    c_size = sum(c.get("SizeRw") or 0 for c in conts)
    c_reclaim = sum(c.get("SizeRw") or 0 for c in conts if c.get("State") != "running")
    vols = df.get("Volumes") or []
    usage = [(v.get("UsageData") or {}) for v in vols]
    v_active = [u for u in usage if (u.get("RefCount") or 0) > 0]
    v_size = sum(max(0, u.get("Size") or 0) for u in usage)
    v_reclaim = sum(max(0, u.get("Size") or 0) for u in usage if (u.get("RefCount") or 0) == 0)
    cache = df.get("BuildCache") or []
    b_size = sum(b.get("Size") or 0 for b in cache)
    b_reclaim = sum(b.get("Size") or 0 for b in cache if not b.get("InUse"))
    return [
        ("Images", len(images), len(img_active), img_size, img_reclaim),
        ("Containers", len(conts), len(c_active), c_size, c_reclaim),
        ("Local Volumes", len(vols), len(v_active), v_size, v_reclaim),
        ("Build Cache", len(cache), len([b for b in cache if b.get("InUse")]), b_size, b_reclaim),
    ]


class DiskUsageScreen(Screen):
    BINDINGS = [Binding("escape,q", "app.pop_screen", "back", id="df.back"), Binding("ctrl+r", "reload", "reload", id="df.reload")]

    def compose(self) -> ComposeResult:
        yield Static(Text(" Disk usage — :prune images|containers|volumes|networks reclaims it · ctrl+r reload · esc back", style="bold"))
        with VerticalScroll():
            yield Static(Text("loading...", style="dim"), id="df-body")

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.run_worker(self._load, thread=True, group="df", exit_on_error=False)

    def _load(self) -> None:
        try:
            rows = df_rows(self.app.client.df())
            t = Table(expand=False)
            for col in ("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"):
                t.add_column(col, justify="left" if col == "TYPE" else "right")
            for typ, total, active, size, reclaim in rows:
                pct = f" ({reclaim / size * 100:.0f}%)" if size else ""
                t.add_row(Text(typ), Text(str(total)), Text(str(active)), Text(fmt.size(size)), Text(fmt.size(reclaim) + pct))
            body: Any = t
        except EngineError as exc:
            body = Text(f"cannot read disk usage: {one_line(str(exc), 200)}", style="red")
        self.app.call_from_thread(self._show, body)

    def _show(self, body: Any) -> None:
        if self.is_attached:
            self.query_one("#df-body", Static).update(body)


class PullProgress(Message):
    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PullProgress)


class PullScreen(Screen):
    """``:pull IMAGE``: one line per layer with its status and progress, from the engine's stream."""

    BINDINGS = [Binding("escape,q", "close", "back", id="pull.back")]

    def __init__(self, image: str) -> None:
        super().__init__()
        self.image = image
        self.pull_layers: dict[str, tuple[str, int, int]] = {}
        self.pull_lines: list[str] = []
        self.pull_done: str | None = None
        self._lock = threading.Lock()
        self._stream = None

    def compose(self) -> ComposeResult:
        yield Static(Text(f" pull {one_line(self.image, 80)} — esc: back (the pull goes on in the engine)", style="bold"))
        with VerticalScroll():
            yield Static(Text("starting...", style="dim"), id="pull-body")

    def on_mount(self) -> None:
        # a worker of this screen, not a free thread: it ends with the screen (on_unmount closes
        # the stream it reads; the pull itself goes on in the engine)
        self.run_worker(self._run, thread=True, group="pull", exclusive=True, exit_on_error=False)

    def on_unmount(self) -> None:
        stream = self._stream
        if stream is not None:
            stream.close()

    def _run(self) -> None:
        repo, _, tag = self.image.rpartition(":") if ":" in self.image.rsplit("/", 1)[-1] else (self.image, "", "latest")
        try:
            self._stream = self.app.client.clone().pull(repo or self.image, tag or "latest", stream=True, decode=True)
            for msg in self._stream:
                if not isinstance(msg, dict):
                    continue
                with self._lock:
                    if msg.get("error") or msg.get("errorDetail"):
                        self.pull_done = "failed: " + str(msg.get("error") or (msg.get("errorDetail") or {}).get("message"))
                    elif msg.get("id"):
                        d = msg.get("progressDetail") or {}
                        self.pull_layers[str(msg["id"])] = (str(msg.get("status", "")), int(d.get("current") or 0), int(d.get("total") or 0))
                    elif msg.get("status"):
                        self.pull_lines.append(str(msg["status"]))
                self.post_message(PullProgress())
            with self._lock:
                self.pull_done = self.pull_done or "done"
        except EngineError as exc:
            with self._lock:
                self.pull_done = f"failed: {getattr(exc, 'explanation', '') or exc}"
        self.post_message(PullProgress())

    def on_pull_progress(self, message: PullProgress) -> None:
        with self._lock:
            layers, lines, done = dict(self.pull_layers), list(self.pull_lines[-5:]), self.pull_done
        t = Table.grid(padding=(0, 2))
        for lid, (status, cur, total) in layers.items():
            bar = ""
            if total:
                n = int(cur / total * 30)
                bar = "[" + "#" * n + "." * (30 - n) + f"] {fmt.size(cur)}/{fmt.size(total)}"
            # Text, never str: a Rich table reads str cells as markup ([link=...] from the engine would
            # become a hyperlink, and the "[####....]" bar is taken for a tag and vanishes)
            t.add_row(Text(one_line(lid, 14)), Text(one_line(status, 30)), Text(bar))
        for ln in lines:
            t.add_row("", Text(one_line(ln, 100)), "")
        if done:
            t.add_row("", Text(one_line(done, 200), style="green" if done == "done" else "bold red"), "")
        if self.is_attached:
            self.query_one("#pull-body", Static).update(t)

    def action_close(self) -> None:
        self.app.pop_screen()
