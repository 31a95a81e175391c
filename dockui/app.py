"""DockuiApp: owns the application's state (engine client, store, stats, sessions, config) and
runs what the screens ask for.

The store's watcher thread and the stats threads never touch widgets: they post coalesced
messages (``can_replace``), and the app hands each batch of changes to the screens through a
``Signal`` (``store_signal``). Screens ask the app for things with typed messages
(``dockui.messages``); the app never calls back into a screen.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.signal import Signal

from . import format as fmt
from .ansi import one_line
from .config import Config
from .engine import EngineClient, EngineError
from .fleet.header import fleet_header
from .kinds import ALIASES, KINDS
from .messages import Handover, RunAction, RunCommand, Touched
from .runner import ActionReport, ActionRunner
from .screens.context import ViewContext
from .screens.dialogs import ConfirmScreen, TooSmallScreen
from .screens.resources import ResourcesScreen
from .sessions.manager import SessionManager
from .store import StatsHub, Store, StoreChange
from .triage.reasons import store_loops
from .widgets import palette
from .widgets.header import HeaderBar, HeaderState


class StoreChanged(Message):
    """The store published changes; the app takes them all at once (coalesced)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StoreChanged)


class StatsTick(Message):
    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StatsTick)


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
        # ANSI colours stay the terminal's own in the ansi-dark/ansi-light themes (None: as the theme
        # says); other themes convert them to truecolour, which Rich fits to a 16/256-colour terminal
        super().__init__(ansi_color=True if self.no_color else None)
        self.config = config or Config()
        from .kinds import extended

        if self.config.commands is not None or extended():  # dockui/custom.py is loaded only when used
            from .custom import load as load_commands

            load_commands(self.config)  # the [[commands]] entries onto their kinds' actions (warnings shown on mount)
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
        self.sessions = SessionManager()  # live TermSessions (shell, exec, attach panes)
        self.runner = ActionRunner(self.post_message, self.run_worker)
        self.store_signal: Signal[Touched] = Signal(self, "store")  # store changes and stats ticks, to the screens

    def _make_store(self, client: EngineClient, store: Store | None = None) -> None:
        self.client = client
        self.store = store or Store(client.clone())
        make_stats = getattr(self.store, "make_stats", None)  # a fleet (dockui/fleet) keys stats by its row ids
        self.stats = make_stats(self._on_sample) if make_stats else StatsHub(client.clone(), on_sample=self._on_sample,
                                                                             store=self.store)  # streams + sampler
        self.ctx = ViewContext(self.store, self.stats)
        self._late_subscribe = store is not None  # subscribed in on_mount, when messages can be posted
        self._unsubscribe = (lambda: None) if self._late_subscribe else self.store.subscribe(self._on_store_change)

    def switch_engine(self, endpoint: Any, source: str) -> None:
        """Point the whole dashboard at another engine, without restarting."""
        if endpoint.url == self.client.endpoint.url and endpoint.tls == self.client.endpoint.tls:
            return
        self.sessions.close_all()
        old_unsub, old_store, old_stats = self._unsubscribe, self.store, self.stats
        old_unsub()
        old_stats.close()
        threading.Thread(target=old_store.stop, daemon=True).start()  # never wait on the old engine
        self.source = source
        self._make_store(EngineClient(endpoint, readonly=self.readonly, timeout=self.client.timeout))
        with self._pending_lock:
            self._pending = StoreChange()
        self.store.start()
        getattr(self.stats, "start", lambda: None)()  # the stats sampler
        self.store_signal.publish(Touched(engine_switched=True))
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
        self.store_signal.publish(Touched(change))
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
        self.store_signal.publish(Touched(stats_only=True))

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
        getattr(self.stats, "start", lambda: None)()  # every running container sampled, not only the rows on screen
        if self.config.theme:
            try:
                self.theme = self.config.theme
            except Exception:  # noqa: BLE001 - an unknown theme is a warning, not a crash
                self.config.warnings.append(f"unknown theme {self.config.theme!r}")
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        for w in self.config.warnings:
            self.notify(w, severity="warning", markup=False, timeout=8)
        self.set_interval(1.0, self._header_tick)
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
        custom = sys.modules.get(f"{__package__}.custom")
        # custom commands still running (output views, background): their hang-ups run on daemon
        # threads, which the process would cut short if nobody waited for them
        ending = custom.stop_all() if custom is not None else []
        self.sessions.close_all(wait=1.5, also=ending)
        self._unsubscribe()
        self.stats.close()
        self.store.stop()

    # --- header ---------------------------------------------------------------------------
    def _header_tick(self) -> None:
        self.refresh_header(fresh=True)

    def refresh_header(self, fresh: bool = False) -> None:
        """The header again; its cpu/mem sum over the running containers is worked out anew once a
        second (``fresh``, the clock's tick), and on store changes in between it is the kept one."""
        if not hasattr(self, "header") or not self.header.is_mounted:
            return
        store, c = self.store, self.client
        totals = getattr(self.stats, "totals", None)  # summed over every running container (the sampler)
        cpu, mem, sampled = (totals(max_age=0.0) if fresh else totals()) if totals is not None else (0.0, 0, 0)
        self.header.show_state(HeaderState(
            endpoint=c.endpoint.display, api_version=c.api_version if c._api_version else "", facts=store.facts,
            connection=store.connection, counts=store.counts, readonly=self.readonly,
            insecure=bool(getattr(c.endpoint, "insecure", False)), fleet=fleet_header(store),
            loops=store_loops(store), cpu=cpu if sampled else None, mem=mem if sampled else None,
        ))

    # --- theme ------------------------------------------------------------------------------
    def choose_theme(self, name: str) -> None:
        """``:theme NAME``: switch live and save it as ``[ui] theme`` in the config file (a line
        edit; a file that cannot be written is a warning). Without a name: list the themes."""
        names = sorted(self.available_themes)
        if not name or name not in names:
            head = f"unknown theme {name!r}; " if name else f"theme {self.theme}; "
            self.notify(head + "themes: " + ", ".join(names), markup=False, timeout=10, severity="warning" if name else "information")
            return
        self.theme = name
        self.config.theme = name
        if not self.config.path:
            self.notify(f"theme {name} (not saved: no config file)", markup=False)
            return
        from pathlib import Path

        from .config import save_setting

        try:
            saved = save_setting("ui", "theme", name, Path(self.config.path))
        except (OSError, ValueError) as exc:
            self.notify(f"theme {name}; not saved: {exc}", severity="warning", markup=False, timeout=10)
        else:
            self.notify(f"theme {name}, saved to {saved}", markup=False)

    def get_css_variables(self) -> dict[str, str]:
        """Textual's theme variables; the state colours (state.running, ...: widgets/palette.py) are
        made from them whenever Textual computes them (at start, on a theme change), at no extra cost."""
        variables = super().get_css_variables()
        palette.apply(self, variables)
        return variables

    def watch_theme(self, name: str) -> None:
        """Another theme: the state colours follow its variables at once (Textual recomputes them a
        moment later); the header is drawn again (its text is the same, so it would not be)."""
        self.get_css_variables()
        header = getattr(self, "header", None)
        if header is not None:
            header._last_text = None
            self.refresh_header()

    def key_display(self, key: str) -> str:
        return KEY_NAMES.get(key, key)

    # --- commands, actions ----------------------------------------------------------------------
    def on_run_command(self, message: RunCommand) -> None:
        self.run_command(message.text)

    def run_command(self, text: str) -> None:
        """The ``:`` commands that are not kinds (the screen shows kinds itself)."""
        parts = text.split(None, 1)
        if not parts:
            return
        word, rest = parts[0].lower(), (parts[1] if len(parts) > 1 else "")
        if word in ("q", "q!", "quit", "exit"):
            self.exit()
            return
        if word == "fleet":  # the engines of the fleet (entering one first, when a single engine is shown)
            from .fleet.switch import fleet_command

            fleet_command(self, rest)
            return
        if word in ("ctx", "context", "contexts"):
            from .screens.contexts import ContextsScreen

            self.push_screen(ContextsScreen())
            return
        if word == "theme":
            self.choose_theme(rest.strip())
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
        if self.run_kind_command(text):
            return
        self.notify(f"unknown command: {one_line(text, 60)} (try " + ", ".join(KINDS) + ", q)",
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

    def on_run_action(self, message: RunAction) -> None:
        """A screen asks for an action on some rows (confirmed already): the runner does it off the UI thread."""
        act = message.action
        if self.readonly and act.mutating:  # the engine client refuses it too
            self.notify(f"read-only mode: {act.label} is disabled", severity="warning", markup=False)
            return
        self.runner.run(self.client, message.kind, act, message.targets, message.arg)

    def on_action_report(self, message: ActionReport) -> None:
        self.notify(message.text, severity=message.severity, timeout=message.timeout, markup=False)  # type: ignore[arg-type]

    def on_host_command(self, message: Any) -> None:
        """A custom command (``in = "host"``, ``terminal = true``, dockui/custom.py): the dashboard
        steps aside as for ``T`` and the user's terminal runs it."""
        from .custom import run_in_terminal

        try:
            with self.suspend():
                note = run_in_terminal(message.runs)
        except Exception as exc:  # noqa: BLE001 - headless or no tty: say so, keep running
            note = f"full-terminal command unavailable here: {exc}"
        self.notify(f"{message.label}: {one_line(note, 200)}", markup=False)

    def on_handover(self, message: Handover) -> None:
        """Suspend the dashboard and give the real terminal to a shell in the container."""
        from .sessions.handover import run_handover

        cid, name = message.cid, message.name
        try:
            with self.suspend():
                message = run_handover(self.client, cid, self.config.shell)
        except Exception as exc:  # noqa: BLE001 - headless or no tty: say so, keep running
            message = f"full-screen shell unavailable here: {exc}"
        self.notify(f"shell {name}: {message}", markup=False)
