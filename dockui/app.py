"""DockuiApp: wires the engine client, the store and the stats hub to the screens.

The store's watcher thread and the stats threads never touch widgets: they post coalesced
messages (``can_replace``), and the UI repaints at most every ``MIN_REPAINT`` seconds.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message

from . import format as fmt
from .ansi import one_line
from .config import Config
from .engine import EngineClient, EngineError
from .glyphs import DOT
from .kinds import KINDS
from .screens.actions import Action
from .screens.context import ViewContext
from .screens.dialogs import ConfirmScreen, DescribeScreen, HelpScreen, TooSmallScreen
from .screens.resources import ResourcesScreen
from .screens.specs import ALIASES
from .store import StatsHub, Store, StoreChange
from .widgets.quiet import QuietStatic


class StoreChanged(Message):
    """The store published changes; the app takes them all at once (coalesced)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StoreChanged)


class StatsTick(Message):
    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StatsTick)


class HeaderBar(QuietStatic):
    """Engine facts, container counts and the connection state; one line on short terminals."""

    DEFAULT_CSS = """
    HeaderBar { height: 2; background: $panel; text-wrap: nowrap; text-overflow: clip; }
    HeaderBar.-compact { height: 1; }
    """


KEY_NAMES = {"plus": "+", "minus": "-", "question_mark": "?", "colon": ":", "slash": "/", "space": "space"}


class DockuiApp(App):
    TITLE = "dockui"
    MIN_REPAINT = 0.2
    STATS_REPAINT = 1.0
    BINDINGS = [
        Binding("ctrl+q", "quit", "quit", priority=True, id="quit"),
        Binding("ctrl+c", "quit", "quit", show=False, id="quit_c"),
    ]
    CSS = """
    Screen { layers: base; }
    """

    def __init__(
        self, client: EngineClient, source: str = "", first_screen: str = "containers", start_store: bool = True,
        config: Config | None = None, store: Store | None = None,
    ) -> None:
        """``store``: one already started (the command line starts it before Textual is imported,
        so listing the engine overlaps the imports); the app subscribes to it once it runs."""
        import os

        # NO_COLOR (set and not empty, as the convention says): no colour at all, not greys
        self.no_color = bool(os.environ.get("NO_COLOR"))
        super().__init__(ansi_color=self.no_color)
        self.config = config or Config()
        self.MIN_REPAINT = self.config.refresh
        self.STATS_REPAINT = self.config.stats_refresh
        self.client = client
        self.source = source
        self.readonly = client.readonly
        self.first_screen = ALIASES.get(first_screen, "containers")
        self._make_store(client, store)
        self._pending = StoreChange()
        self._pending_lock = threading.Lock()
        self._posted = False
        self._last_stats_paint = 0.0
        self._stats_posted = False
        self._gc_frozen = False
        self._start_store = start_store
        self.sessions: set = set()  # live TermSessions (shell, exec, attach panes)

    def _make_store(self, client: EngineClient, store: Store | None = None) -> None:
        self.client = client
        self.store = store or Store(client.clone())
        self.stats = StatsHub(client.clone(), on_sample=self._on_sample)
        self.ctx = ViewContext(self.store, self.stats)
        self._late_subscribe = store is not None  # subscribed in on_mount, when messages can be posted
        self._unsubscribe = (lambda: None) if self._late_subscribe else self.store.subscribe(self._on_store_change)

    def switch_engine(self, endpoint: Any, source: str) -> None:
        """Point the whole dashboard at another engine, without restarting."""
        if endpoint.url == self.client.endpoint.url and endpoint.tls == self.client.endpoint.tls:
            return
        self.main.close_all_sessions()
        old_unsub, old_store, old_stats = self._unsubscribe, self.store, self.stats
        old_unsub()
        old_stats.close()
        threading.Thread(target=old_store.stop, daemon=True).start()  # never wait on the old engine
        self.source = source
        self._make_store(EngineClient(endpoint, readonly=self.readonly, timeout=self.client.timeout))
        with self._pending_lock:
            self._pending = StoreChange()
        self.store.start()
        self.main.engine_switched()
        self.refresh_header()
        self.notify(f"switched to {endpoint.display} ({source})", markup=False)

    # --- plumbing from threads ---------------------------------------------------------------
    def _on_store_change(self, change: StoreChange) -> None:
        with self._pending_lock:
            self._pending = self._pending.merge(change)
        self.post_message(StoreChanged())

    def _on_sample(self, cid: str) -> None:
        # one message per stats paint, not one per sample (40 streams would wake the loop 40 times
        # a second); the flag is reset when the paint starts, so a later sample posts the next one
        if not self._stats_posted:
            self._stats_posted = True
            self.post_message(StatsTick())

    def on_store_changed(self, message: StoreChanged) -> None:
        with self._pending_lock:
            change, self._pending = self._pending, StoreChange()
        screen = self.main
        if screen is not None:
            screen.on_store_touched(change.kinds)
        self.refresh_header()
        if not self._gc_frozen and self.store.loaded:
            self._gc_frozen = True
            # not at the next refresh: the launch's frames are not done by then (the header came
            # ~60 ms late, behind the full collection below)
            self.set_timer(self.FREEZE_AFTER, self._freeze_heap)

    def _freeze_heap(self) -> None:
        """Once the first full snapshot is on screen: move what exists now (Textual, the loaded
        store, the first rows) out of the collector's sight, and collect young objects less often.
        A full collection over 1,000 containers' objects took ~55 ms, a stall a keystroke could
        land in; what is frozen is still freed by reference counting when the store replaces it."""
        gc.collect()
        gc.freeze()
        gc.set_threshold(2_000, 10, 20)
        gc.enable()  # the command line switches it off for the launch
        sys.setswitchinterval(0.005)  # the default again (the command line lowers it for the launch)

    def on_stats_tick(self, message: StatsTick) -> None:
        wait = self.STATS_REPAINT - (time.monotonic() - self._last_stats_paint)
        if wait > 0:
            self.set_timer(wait, self._stats_paint)
        else:
            self._stats_paint()

    def _stats_paint(self) -> None:
        self._stats_posted = False
        self._last_stats_paint = time.monotonic()
        screen = self.main
        if screen is not None and screen.is_current:
            screen.on_store_touched({"containers"}, stats_only=True)

    # --- lifecycle ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        if self._late_subscribe:
            self._late_subscribe = False
            self._unsubscribe = self.store.subscribe(self._on_store_change)
            # whatever it published before this is in its snapshots: take it all as changed
            self._on_store_change(StoreChange(changed={k: frozenset() for k in KINDS}, facts=True, connection=True))
        self.main = ResourcesScreen(self.first_screen)
        self.header = HeaderBar()
        self.push_screen(self.main)
        self.main.mount(self.header, before=0)
        try:
            import asyncio
            import signal

            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(sig, self._hang_up)
            from .hangup import hear_signals

            hear_signals(loop, self._hang_up)  # heard even when the loop is stuck or flooded (issue 22)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
        if self._start_store:
            self.store.start()
        if self.config.theme:
            try:
                self.theme = self.config.theme
            except Exception:  # noqa: BLE001 - an unknown theme is a warning, not a crash
                self.config.warnings.append(f"unknown theme {self.config.theme!r}")
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        for w in self.config.warnings:
            self.notify(w, severity="warning", markup=False, timeout=8)
        self.set_interval(1.0, self.refresh_header)
        self.set_timer(self.GC_AT_THE_LATEST, lambda: gc.enable())  # an engine that never answers: collect anyway

    MIN_SIZE = (60, 15)
    FREEZE_AFTER = 0.5  # seconds after the first full snapshot came
    GC_AT_THE_LATEST = 5.0  # seconds after mounting, whether or not the first list came

    def on_resize(self, event) -> None:
        w, h = event.size
        compact = h <= 24
        if hasattr(self, "header"):
            self.header.set_class(compact, "-compact")
            self.refresh_header()
        small = w < self.MIN_SIZE[0] or h < self.MIN_SIZE[1]
        top = self.screen
        if small and not isinstance(top, TooSmallScreen):
            self.push_screen(TooSmallScreen(self.MIN_SIZE))
        elif small:
            top.update_size(w, h)
        elif isinstance(top, TooSmallScreen):
            self.pop_screen()

    def _hang_up(self) -> None:
        """SIGHUP (the SSH link dropped) or SIGTERM: end promptly, closing sessions and streams."""
        self.shutdown()
        self.exit(return_code=0)

    def on_unmount(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        if getattr(self, "_shut", False):
            return
        self._shut = True
        # quitting: the shells must not outlive dockui; give their hang-ups a moment to land
        threads = [t for t in (s.close() for s in list(self.sessions)) if t is not None]
        deadline = time.monotonic() + 1.5
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        self._unsubscribe()
        self.stats.close()
        self.store.stop()

    # --- header ---------------------------------------------------------------------------
    def refresh_header(self) -> None:
        if not hasattr(self, "header") or not self.header.is_mounted:
            return
        f, store = self.store.facts, self.store
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(" dockui ", style="bold reverse")
        t.append(" " + one_line(f.endpoint or self.client.endpoint.display, 50), style="bold")
        if f.version:
            t.append(f"  Docker {one_line(f.version)} (API {one_line(self.client.api_version if self.client._api_version else f.api_version)})")
            t.append(f"  {one_line(f.os)}/{one_line(f.arch)}  {f.cpus} CPU  {fmt.size(f.memory)}", style="dim")
            t.append(f"  swarm: {f.swarm}", style="cyan" if f.swarm == "manager" else "dim")
        counts = store.counts
        line2 = Text(no_wrap=True, overflow="ellipsis")
        for key, style in (("running", "green"), ("unhealthy", "bold red"), ("paused", "yellow"), ("restarting", "magenta"), ("exited", "dim"), ("created", "cyan")):
            n = counts.get(key, 0)
            if n or key in ("running", "exited"):
                line2.append(f" {key} ", style=style)
                line2.append(f"{n} ", style="bold")
        conn = store.connection
        if not conn.ok:
            line2.append("  " + DOT + " " + conn.describe(), style="bold red" if conn.status != "connecting" else "yellow")
        else:
            line2.append("  " + DOT + " connected", style="green")
        if self.readonly:
            line2.append("  read-only", style="magenta")
        if getattr(self.client.endpoint, "insecure", False):  # TLS without certificate verification
            line2.append("  TLS NOT VERIFIED", style="bold reverse red")
        if self.header.has_class("-compact"):
            # one line: the counts and the connection state first, the engine details after them
            line2.append("  |", style="dim")
            line2.append_text(t)
            self.header.show(line2)
        else:
            both = Text("\n", no_wrap=True, overflow="ellipsis").join([t, line2])
            both.no_wrap, both.overflow = True, "ellipsis"
            self.header.show(both)

    def key_display(self, key: str) -> str:
        return KEY_NAMES.get(key, key)

    # --- commands, actions ----------------------------------------------------------------------
    def run_command(self, text: str) -> None:
        parts = text.split(None, 1)
        if not parts:
            return
        word, rest = parts[0].lower(), (parts[1] if len(parts) > 1 else "")
        if word in ("q", "q!", "quit", "exit"):
            self.exit()
            return
        if word in ("ctx", "context", "contexts"):
            from .screens.contexts import ContextsScreen

            self.push_screen(ContextsScreen())
            return
        if word == "theme":
            names = sorted(self.available_themes)
            if rest.strip() in names:
                self.theme = rest.strip()
            else:
                self.notify("themes: " + ", ".join(names), markup=False, timeout=8)
            return
        if word == "df":
            from .screens.system import DiskUsageScreen

            self.push_screen(DiskUsageScreen())
            return
        if word == "pull":
            if self.readonly:
                self.notify("read-only mode: pull is disabled", severity="warning", markup=False)
            elif not rest.strip():
                self.notify("usage: :pull IMAGE[:TAG]", severity="warning", markup=False)
            else:
                from .screens.system import PullScreen

                self.push_screen(PullScreen(rest.strip()))
            return
        if word == "prune":
            self.prune(rest.strip())
            return
        kind = ALIASES.get(word) or ALIASES.get(self.config.aliases.get(word, ""))
        if kind:
            self.main.show_kind(kind, rest)
            return
        if self.run_kind_command(text):
            return
        self.notify(f"unknown command: {one_line(text, 60)} (try containers, images, networks, volumes, nodes, services, tasks, projects, q)",
                    severity="warning", markup=False)

    def run_kind_command(self, text: str) -> bool:
        """A ``:`` command a kind adds (``:create secret NAME PATH``), run on a worker thread; False if none matches."""
        from .kinds import command

        found = command(text)
        if found is None:
            return False
        kind, cmd, args = found
        if cmd.view is not None:  # a view (``:top NAME``): opened here, its engine work is its own
            screen = cmd.view(self, args)
            if isinstance(screen, str):
                self.notify(screen, severity="warning", markup=False)
            else:
                self.push_screen(screen)
            return True
        if self.readonly and cmd.mutating:
            self.notify(f"read-only mode: {cmd.words} is disabled", severity="warning", markup=False)
            return True

        def work() -> None:
            try:
                msg = (cmd.run(self.client, args) if cmd.run else None) or f"{cmd.words}: done"
                self.call_from_thread(self.notify, one_line(msg, 200), markup=False)
            except (EngineError, OSError, ValueError) as exc:
                why = getattr(exc, "explanation", "") or str(exc)
                self.call_from_thread(self.notify, f"{cmd.words}: {one_line(why, 200)} (usage: {cmd.usage})",
                                      severity="error", markup=False, timeout=8)

        self.run_worker(work, thread=True, group="actions", exit_on_error=False)
        return True

    def prune(self, what: str) -> None:
        calls = {"images": self.client.prune_images, "containers": self.client.prune_containers,
                 "volumes": self.client.prune_volumes, "networks": self.client.prune_networks}
        if what not in calls:
            self.notify("usage: :prune images|containers|volumes|networks", severity="warning", markup=False)
            return
        if self.readonly:
            self.notify("read-only mode: prune is disabled", severity="warning", markup=False)
            return
        explain = {"images": "dangling images", "containers": "all stopped containers",
                   "volumes": "unused anonymous volumes", "networks": "unused networks"}[what]

        def answered(choice: str | None) -> None:
            if not choice:
                return

            def work() -> None:
                try:
                    res = calls[what]() or {}
                    gone = next((len(v or []) for k, v in res.items() if k.endswith("Deleted")), 0)
                    msg = f"pruned {gone} {what}, reclaimed {fmt.size(res.get('SpaceReclaimed') or 0)}"
                    self.call_from_thread(self.notify, msg, markup=False)
                except EngineError as exc:
                    self.call_from_thread(self.notify, f"prune {what}: {one_line(str(exc), 200)}", severity="error", markup=False)

            self.run_worker(work, thread=True, group="actions", exit_on_error=False)

        self.push_screen(ConfirmScreen(f"prune {what}: remove {explain}?"), answered)

    def show_help(self) -> None:
        keys = [(":", "command mode (:containers, :img, :svc, :ctx, :df)"), ("/", "filter (text, !text, project=NAME)"),
                ("enter", "open / drill down"), ("esc", "clear filter, back"), ("q", "back, quit at the top"),
                ("N S C M A I", "sort by name, state, cpu, mem, age, image (again: reverse)"), ("ctrl+q", "quit")]
        self.push_screen(HelpScreen(keys))

    def describe(self, kind: str, rid: str, row: Any) -> None:
        c = self.client
        fetch = {
            "containers": c.inspect_container, "images": c.inspect_image, "networks": c.inspect_network,
            "volumes": c.inspect_volume, "nodes": c.inspect_node, "services": c.inspect_service, "tasks": c.inspect_task,
        }.get(kind)
        tags = [t for t in (row.get("RepoTags") or []) if t != "<none>:<none>"]
        label = row.get("Name") or (row.get("Spec") or {}).get("Name") or (tags[0] if tags else rid.split(":")[-1][:12])
        title = f"{kind[:-1]} {label}"
        self.push_screen(DescribeScreen(title, (lambda: fetch(rid)) if fetch else (lambda: dict(row))))

    def perform(self, act: Action, kind: str, targets: list[tuple[str, Any]]) -> None:
        """Run an action on one or more rows; destructive ones ask first, naming what goes."""
        if not targets:
            return
        rid, row = targets[0]
        if act.id == "describe":
            self.describe(kind, rid, row)
            return
        if act.id in ("logs", "shell", "attach", "exec", "handover"):
            self.open_session(act.id, kind, rid, row)
            return
        if act.id == "rename":
            self.main.ask_rename(rid, row.get("Name", ""))
            return
        names = [self.label_of(r, i) for i, r in targets]
        if act.destructive:
            what = names[0] if len(names) == 1 else f"{len(names)} {kind}: " + ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
            options = {"y": "yes"}
            if act.id == "remove" and kind == "containers":
                options = {"y": "remove", "f": "force (stop first)", "v": "force, with its anonymous volumes"}

            def answered(choice: str | None) -> None:
                if choice:
                    for (r, rw), n in zip(targets, names, strict=True):
                        self._engine_action(act, kind, r, rw, n, choice)

            self.push_screen(ConfirmScreen(f"{act.label} {kind[:-1] if len(names) == 1 else ''} {what}?", options), answered)
            return
        for (r, rw), n in zip(targets, names, strict=True):
            self._engine_action(act, kind, r, rw, n)

    @staticmethod
    def label_of(row: Any, rid: str) -> str:
        return one_line(str(row.get("Name") or (row.get("Spec") or {}).get("Name") or rid[:12]), 60)

    def open_session(self, what: str, kind: str, rid: str, row: Any) -> None:
        if what == "logs":
            self.open_logs(kind, rid, row)
        else:
            self.open_terminal(what, rid, row)

    def open_logs(self, kind: str, rid: str, row: Any) -> None:
        from .screens.logs import LogsScreen
        from .sessions.logs import Target

        name = one_line(str(row.get("Name") or (row.get("Spec") or {}).get("Name") or rid[:12]), 60)
        if kind == "containers":
            targets = [Target(rid)]
        elif kind == "services":
            targets = [Target(rid, name, "service")]
        elif kind == "projects":
            snap = self.store.snapshot("containers")
            targets = [Target(cid, one_line(snap[cid].get("Service") or snap[cid].get("Name", ""), 20))
                       for cid in row.get("Containers", ()) if cid in snap]
        else:  # a task: its container when it is on this engine, else the service's logs
            cid = ((row.get("Status") or {}).get("ContainerStatus") or {}).get("ContainerID")
            if cid and cid in self.store.snapshot("containers"):
                targets = [Target(cid)]
            else:
                targets = [Target(row.get("ServiceID", ""), self.ctx.service_name(row.get("ServiceID", "")), "service")]
            name = self.ctx.task_name(row)
        self.push_screen(LogsScreen(f"{kind[:-1]} {name}", targets, tail=self.config.log_tail, max_lines=self.config.log_lines))

    def open_terminal(self, what: str, rid: str, row: Any) -> None:
        name = one_line(str(row.get("Name") or rid[:12]), 60)
        if what == "exec":
            self.main.ask_exec(rid)
        elif what == "handover":
            self.handover(rid, name)
        else:
            self.main.open_pane(what, rid, name)

    def exec_command(self, cid: str, command: str) -> None:
        import shlex

        try:
            argv = shlex.split(command)
        except ValueError as exc:
            self.notify(f"cannot parse the command: {exc}", severity="error", markup=False)
            return
        row = self.store.get("containers", cid) or {}
        self.main.open_pane("exec", cid, one_line(str(row.get("Name") or cid[:12]), 60), argv)

    def rename(self, cid: str, new: str) -> None:
        from .screens.actions import action_by_key

        row = self.store.get("containers", cid) or {}
        act = action_by_key("containers", "R")
        if act is not None:
            self._engine_action(act, "containers", cid, row, self.label_of(row, cid), new)

    def handover(self, cid: str, name: str) -> None:
        """Suspend the dashboard and give the real terminal to a shell in the container."""
        from .sessions.handover import run_handover

        try:
            with self.suspend():
                message = run_handover(self.client, cid, self.config.shell)
        except Exception as exc:  # noqa: BLE001 - headless or no tty: say so, keep running
            message = f"full-screen shell unavailable here: {exc}"
        self.notify(f"shell {name}: {message}", markup=False)

    def _engine_action(self, act: Action, kind: str, rid: str, row: Any, name: str, choice: str = "y") -> None:
        c = self.client

        def call() -> None:
            if act.id == "start":
                c.start(rid)
            elif act.id == "stop":
                c.stop(rid)
            elif act.id == "restart":
                c.restart(rid)
            elif act.id == "pause":
                (c.unpause if row.get("State") == "paused" else c.pause)(rid)
            elif act.id == "kill":
                c.kill(rid)
            elif act.id == "remove":
                {"containers": lambda: c.remove_container(rid, force=choice in ("f", "v"), v=choice == "v"), "images": lambda: c.remove_image(rid),
                 "networks": lambda: c.remove_network(rid), "volumes": lambda: c.remove_volume(rid),
                 "services": lambda: c.remove_service(rid)}[kind]()
            elif act.id in ("scale_up", "scale_down"):
                cur = ((row.get("Spec") or {}).get("Mode") or {}).get("Replicated", {}).get("Replicas", 0)
                c.scale_service(rid, max(0, int(cur) + (1 if act.id == "scale_up" else -1)))
            elif act.id == "force_update":
                c.force_update_service(rid)
            elif act.id == "rollback":
                c.rollback_service(rid)
            elif act.id in ("drain", "activate", "node_pause"):
                node = c.inspect_node(rid)
                spec = node["Spec"]
                spec["Availability"] = {"drain": "drain", "activate": "active", "node_pause": "pause"}[act.id]
                c.update_node(rid, node["Version"]["Index"], spec)
            elif act.id == "rename":
                c.rename(rid, choice)

        def work() -> None:
            try:
                call()
            except EngineError as exc:
                msg = getattr(exc, "explanation", "") or str(exc)
                self.call_from_thread(self.notify, f"{act.label} {name}: {one_line(msg, 200)}", severity="error", markup=False)
            except Exception as exc:  # noqa: BLE001 - never a traceback on the user's screen
                self.call_from_thread(self.notify, f"{act.label} {name} failed: {one_line(str(exc), 200)}", severity="error", markup=False)
            else:
                self.call_from_thread(self.notify, f"{act.label}: {name}", markup=False, timeout=2)

        self.notify(f"{act.label} {name}...", markup=False, timeout=1.5)
        self.run_worker(work, thread=True, group="actions", exit_on_error=False)
