"""The Store: one live picture of the engine, kept current by ``/events``.

One watcher thread owns every write: it lists every kind of the registry (``dockui.kinds``:
how each kind is listed, its id key, which events re-list it, what derives from it), follows ``/events`` (read by a
second thread into a queue), re-reads only what an event names, coalescing bursts into
batches of ``BATCH`` seconds, and publishes immutable snapshots. A broken stream reconnects with
backoff and resyncs; a stalled engine is noticed by a ping. Readers never lock: they read the
current snapshot (a read-only mapping that is replaced, never mutated).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ..engine import EngineClient, EngineError, EngineUnreachable, NotFound
from .model import (
    ConnectionState,
    EngineFacts,
    StoreChange,
    container_summary,
    facts_from,
    provisional_summary,
)
from .restarts import RestartBook

log = logging.getLogger("dockui.store")
logging.getLogger("dockui").addHandler(logging.NullHandler())  # no log file set up: stay silent, never stderr

BATCH = 0.05
PING_EVERY = 1.0
PING_TIMEOUT = 3.0
TASK_POLL = 2.0
RECHECKS = (0.03, 0.3, 1.0, 3.0)  # seconds after an event: the engine's list view may lag its own events
BACKOFF = (0.5, 1, 2, 3, 5)  # seconds between reconnect attempts: an incident dashboard retries often

_EMPTY: Mapping[str, Mapping[str, Any]] = MappingProxyType({})
Subscriber = Callable[[StoreChange], None]
FIRST = "containers"  # listed first and on its own (the first screen paints early), and followed per id by events
FACT_EVENTS = ("node", "service", "daemon")  # event types after which the engine facts are read again


class _Registry:
    """The kinds registry, imported by the watcher thread on first use (not before the UI's imports
    start: the command line starts the store first), with what the store derives from it."""

    def __init__(self) -> None:
        from .. import kinds

        self.kinds = kinds.KINDS
        self.listed = [k for k in self.kinds.values() if k.list is not None]
        self.derived: dict[str, list[Any]] = {}
        for k in self.kinds.values():
            if k.derive is not None and k.derived_from:
                self.derived.setdefault(k.derived_from, []).append(k)
        self.events: dict[str, set[str]] = {}  # "type" or "type:action" -> kinds to list again
        for k in self.kinds.values():
            for ev in k.events:
                self.events.setdefault(ev, set()).add(k.name)
        self.polled = [k.name for k in self.kinds.values() if k.poll]
        self.fed = [k for k in self.kinds.values() if k.feed is not None]  # rows made from the event stream
        self.lazy = {k.name for k in self.kinds.values() if k.lazy}  # listed when first read
        self.listed = [k for k in self.listed if not k.lazy]


_registry: _Registry | None = None


def registry() -> _Registry:
    global _registry
    if _registry is None:
        _registry = _Registry()
    return _registry


class Store:
    """Snapshots per kind, a version per kind, engine facts and connection state."""

    def __init__(self, client: EngineClient) -> None:
        self.client = client
        self._data: dict[str, Mapping[str, Mapping[str, Any]]] = {}  # kind -> id -> summary
        self._versions: dict[str, int] = {}
        self.facts = EngineFacts(endpoint=client.endpoint.display)
        self.connection = ConnectionState("connecting", client.endpoint.display)
        self.counts: Mapping[str, int] = MappingProxyType({})
        self._counted: Any = None  # the snapshot ``counts`` was worked out from (see _replace)
        self.loaded = False
        self.recent: deque[dict[str, Any]] = deque(maxlen=500)  # recent events, for the events screen
        self.event_errors = 0
        self.restarts = RestartBook()  # restart counts and exit codes from the events (RESTARTS, EXIT columns)
        self._subs: list[Subscriber] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._events_stream: Any = None
        self._want_tasks = 0
        self._lock = threading.Lock()
        self.last_event_time: float | None = None
        self._recheck: dict[str, tuple[float, int]] = {}  # id -> (due, index into RECHECKS)
        self._asked: set[str] = set()  # lazy kinds a reader asked for
        self._lazy_pending: set[str] | None = None  # lazy kinds nobody read yet
        self._queue: queue.Queue | None = None  # the watcher's queue while a session runs

    # --- reading -----------------------------------------------------------------------
    def snapshot(self, kind: str) -> Mapping[str, Mapping[str, Any]]:
        pending = self._lazy_pending
        if pending is None:
            pending = self._lazy_pending = set(registry().lazy)
        if pending and kind in pending:
            pending.discard(kind)
            self.ask(kind)
        return self._data.get(kind, _EMPTY)

    def ask(self, kind: str) -> None:
        """List a lazy kind (the events timeline's last hour) on the watcher thread, once per session."""
        self._asked.add(kind)
        q = self._queue
        if q is not None:
            q.put(("list", kind))

    def get(self, kind: str, oid: str) -> Mapping[str, Any] | None:
        return self._data.get(kind, _EMPTY).get(oid)

    def version(self, kind: str) -> int:
        return self._versions.get(kind, 0)

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Call ``fn(change)`` on the watcher thread after each batch; returns an unsubscribe function."""
        with self._lock:
            self._subs = [*self._subs, fn]

        def unsubscribe() -> None:
            with self._lock:
                self._subs = [s for s in self._subs if s is not fn]

        return unsubscribe

    def want_tasks(self, on: bool) -> None:
        """Screens that show tasks (or service counts) ask for task polling while they are shown."""
        with self._lock:
            self._want_tasks += 1 if on else -1
            self._want_tasks = max(0, self._want_tasks)

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="store-watcher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        stream = self._events_stream
        if stream is not None:
            stream.close()
        if self._thread is not None:
            self._thread.join(2)

    def wait_loaded(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while not self.loaded and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.loaded

    # --- writer side ----------------------------------------------------------------------
    def _publish(self, change: StoreChange) -> None:
        if not change:
            return
        for fn in self._subs:
            try:
                fn(change)
            except Exception:  # noqa: BLE001 - one bad subscriber must not stop the watcher
                log.exception("store subscriber failed")

    def _set_connection(self, state: ConnectionState) -> None:
        self.connection = state
        self._publish(StoreChange(connection=True))

    def _replace(self, kind: str, new: dict[str, Mapping[str, Any]], only: set[str] | None = None,
                 derive: bool = True) -> StoreChange:
        """Swap in ``new`` for ``kind`` (or, with ``only``, for those ids) and say what changed;
        ``derive=False`` leaves the kinds made from it (compose projects and services) to
        ``_derive``."""
        old = self._data.get(kind, _EMPTY)
        if only is not None:  # diff only the ids named: a lone event costs O(1) comparisons, not O(rows)
            merged = dict(old)
            add, rem, chg = set(), set(), set()
            for oid in only:
                if oid in new:
                    was = old.get(oid)
                    if was is None:
                        add.add(oid)
                    elif was != new[oid]:
                        chg.add(oid)
                    merged[oid] = new[oid]
                elif oid in old:
                    rem.add(oid)
                    del merged[oid]
            gone_rows = [old[o] for o in chg | rem]
            came_rows = [new[o] for o in add | chg]
            touched = gone_rows + came_rows
            new = merged
            added, removed, changed = frozenset(add), frozenset(rem), frozenset(chg)
        else:
            added = frozenset(new.keys() - old.keys())
            removed = frozenset(old.keys() - new.keys())
            changed = frozenset(k for k in (new.keys() & old.keys()) if new[k] != old[k])
            touched = None
        if not (added or removed or changed):
            return StoreChange()
        self._data[kind] = MappingProxyType(new)
        self._versions[kind] = self._versions.get(kind, 0) + 1
        ch = StoreChange({kind: added} if added else {}, {kind: changed} if changed else {}, {kind: removed} if removed else {})
        reg = registry()
        for d in reg.derived.get(kind, ()) if derive else ():  # compose projects from the containers' labels
            if touched is None or d.derive_when(touched):
                ch = ch.merge(self._replace(d.name, d.derive(new)))
        k = reg.kinds.get(kind)
        if k is not None and k.counts is not None:  # the header's counts
            after = getattr(k.counts, "after", None)  # worked out from the rows that changed only
            if touched is not None and after is not None and self._counted is old:
                self.counts = MappingProxyType(after(self.counts, gone_rows, came_rows))
            else:
                self.counts = MappingProxyType(k.counts(new))
            self._counted = self._data[kind]  # the snapshot these counts are of
            ch = StoreChange(ch.added, ch.changed, ch.removed, facts=True)
        return ch

    def _derive(self, kind: str) -> StoreChange:
        """The kinds made from ``kind``'s rows (compose projects and services), made again."""
        ch = StoreChange()
        rows = self._data.get(kind, _EMPTY)
        for d in registry().derived.get(kind, ()):
            ch = ch.merge(self._replace(d.name, d.derive(rows)))
        return ch

    def _list(self, kind: str) -> dict[str, Mapping[str, Any]]:
        k = registry().kinds.get(kind)
        if k is None or (k.swarm and self.facts.swarm != "manager"):
            return {}
        return k.load(self.client)

    def _load_all(self) -> StoreChange:
        """List every kind. Containers go out first, on their own, so the first screen paints early."""
        c = self.client
        # the containers go to the screen before the kinds made from them: at 10,000 containers
        # the compose projects and services took ~0.25 s that the first paint waited for
        first = self._replace(FIRST, self._list(FIRST), derive=False)
        self.connection = ConnectionState("connected", c.endpoint.display)
        self._publish(first.merge(StoreChange(connection=True)))
        ch = self._derive(FIRST)
        self.facts = facts_from(c.endpoint.display, c.version(), c.info())
        ch = ch.merge(StoreChange(facts=True))
        for k in registry().listed:
            if k.name == FIRST:
                continue
            try:
                ch = ch.merge(self._replace(k.name, self._list(k.name)))
            except NotFound:
                pass
            except EngineError as exc:
                if k.swarm:  # swarm not active or not a manager
                    ch = ch.merge(self._replace(k.name, {}))
                else:
                    raise exc
        return ch

    def _refresh_containers(self, ids: set[str]) -> StoreChange:
        if not ids:
            return StoreChange()
        if len(ids) > 50:
            return self._replace(FIRST, self._list(FIRST))
        rows = self.client.containers(all=True, filters={"id": sorted(ids)})
        found = {r["Id"]: container_summary(r) for r in rows}
        # the id filter matches prefixes: keep exact ids only, and drop what is gone
        return self._replace(FIRST, {k: v for k, v in found.items() if k in ids}, only=ids)

    def _apply(self, events: list[dict[str, Any]]) -> StoreChange:
        created: dict[str, dict[str, Any]] = {}
        on_event = registry().events
        containers: set[str] = set()
        kinds: set[str] = set()
        facts = False
        for e in events:
            typ = e.get("Type") or ""
            action = str(e.get("Action") or e.get("status") or "").split(":", 1)[0]
            actor = e.get("Actor") or {}
            if not isinstance(actor, dict):
                actor = {}
            oid = actor.get("ID") or e.get("id") or ""
            if not isinstance(typ, str) or not isinstance(oid, str):
                self.event_errors += 1  # well-formed JSON, but not an event: skip it, keep following
                continue
            if typ == "container":
                if not oid:
                    continue
                self.restarts.feed(action, oid, e)
                if action in ("exec_create", "exec_start", "exec_die", "top", "attach", "detach", "resize", "archive-path", "extract-to-dir", "export", "commit", "copy"):
                    continue
                containers.add(oid)
                if action in ("destroy", "create"):
                    kinds.update(on_event.get("container:" + action, ()))  # anonymous volumes come and go with containers
                if action == "create" and oid not in self.snapshot(FIRST):
                    created[oid] = e
                elif action == "destroy":
                    created.pop(oid, None)
            else:
                kinds.update(on_event.get(typ, ()))
                if typ in FACT_EVENTS:
                    facts = True
        if created:
            # a new container shows at once, from what its create event says; the re-read below
            # (which the engine may hold up while the container starts) fills in the rest
            self._publish(self._replace(FIRST, {cid: provisional_summary(e) for cid, e in created.items()},
                                        only=set(created)))
        ch = StoreChange(facts=facts)
        ch = ch.merge(self._refresh_containers(containers))
        if ch and (facts or kinds):
            # the rows go out now; the kinds listed below (volumes on create, say) follow
            self._publish(ch)
            ch = StoreChange()
        # the engine emits some events (die, health_status) before its list view has caught up:
        # read those containers once more a moment later, so the snapshot settles on the truth
        now = time.monotonic()
        for cid in containers:
            self._recheck[cid] = (now + RECHECKS[0], 0)
        if facts:
            try:
                self.facts = facts_from(self.client.endpoint.display, self.client.version(), self.client.info())
            except EngineError:
                pass
        for kind in sorted(kinds):
            try:
                ch = ch.merge(self._replace(kind, self._list(kind)))
            except EngineError:
                pass
        return ch

    def _read_events(self, stream: Any, q: queue.Queue) -> None:
        try:
            for e in stream:
                if isinstance(e, dict):
                    q.put(e)
                else:
                    self.event_errors += 1
            q.put(("end", "the engine closed the event stream"))
        except Exception as exc:  # noqa: BLE001 - reported to the watcher as a reconnect reason
            q.put(("end", str(exc) or type(exc).__name__))

    def _run(self) -> None:
        attempt = 0
        last_reason = None
        while not self._stop.is_set():
            try:
                self._session()
                attempt = 0
            except EngineUnreachable as exc:
                reason = exc.cause + (f" — {exc.hint}" if exc.hint else "")
            except EngineError as exc:
                reason = str(exc)
            except Exception as exc:  # noqa: BLE001 - never let the watcher die; say why and retry
                log.exception("store watcher failed")
                reason = f"{type(exc).__name__}: {exc}"
            else:
                reason = "event stream ended"
            if self._stop.is_set():
                return
            delay = BACKOFF[min(attempt, len(BACKOFF) - 1)]
            if self.connection.ok:
                log.warning("lost the engine at %s: %s; reconnecting", self.client.endpoint.display, reason)
            elif reason != last_reason:
                log.warning("cannot reach the engine at %s: %s; retrying every %g s at most", self.client.endpoint.display,
                            reason, BACKOFF[-1])
            else:
                log.debug("attempt %d failed: %s", attempt + 1, reason)
            last_reason = reason
            attempt += 1
            self._set_connection(ConnectionState("reconnecting", self.client.endpoint.display, reason, time.time() + delay))
            self._stop.wait(delay)

    def _session(self) -> None:
        """One connected period: load everything, then follow events until something breaks."""
        c = self.client
        c.ping()
        since = self.last_event_time if self.last_event_time is not None else c.server_time()
        stream = c.events(since=since, decode=True)
        self._events_stream = stream
        q: queue.Queue = queue.Queue()
        for kind in self._asked:  # lazy kinds already shown: their history again (rows merge by id)
            q.put(("list", kind))
        self._queue = q
        reader = threading.Thread(target=self._read_events, args=(stream, q), name="store-events", daemon=True)
        reader.start()
        try:
            was = self.connection.status
            ch = self._load_all()
            self.loaded = True
            log.info("%s %s (%s)", "reconnected to" if was == "reconnecting" else "connected to", c.endpoint.display,
                     ", ".join(f"{len(v)} {k}" for k, v in self._data.items() if v))
            self._publish(ch.merge(StoreChange(connection=True)))
            last_ping = last_tasks = time.monotonic()
            last_batch = 0.0
            while not self._stop.is_set():
                batch: list[dict[str, Any]] = []
                wait = PING_EVERY
                if self._recheck:
                    wait = max(0.0, min(wait, min(d for d, _ in self._recheck.values()) - time.monotonic()))
                try:
                    item = q.get(timeout=wait)
                except queue.Empty:
                    item = None
                if isinstance(item, tuple) and item[0] == "list":
                    self._publish(self._list_lazy(item[1]))
                    item = None
                if isinstance(item, tuple):
                    raise EngineError(item[1])
                if item is not None:
                    batch.append(item)
                    # leading edge: an event after a quiet spell is applied at once (whatever is
                    # already queued goes with it); during a burst, batches are BATCH apart
                    deadline = last_batch + BATCH
                    while True:
                        left = deadline - time.monotonic()
                        try:
                            item = q.get(timeout=left) if left > 0 else q.get_nowait()
                        except queue.Empty:
                            break
                        if isinstance(item, tuple):
                            if item[0] == "list":
                                self._publish(self._list_lazy(item[1]))
                                continue
                            q.put(item)
                            break
                        batch.append(item)
                    for e in batch:
                        t = e.get("timeNano")
                        if isinstance(t, (int, float)) and t > 0:
                            self.last_event_time = t / 1e9
                        self.recent.append(e)
                    if log.isEnabledFor(logging.DEBUG):
                        for e in batch:
                            log.debug("event %s %s %s %s", e.get("Type"), e.get("Action"), (e.get("Actor") or {}).get("ID", "")[:12],
                                      (e.get("Actor") or {}).get("Attributes"))
                    self._publish(self._apply(batch).merge(self._feed(batch)))
                    last_batch = time.monotonic()
                now = time.monotonic()
                due = {cid for cid, (t, _) in self._recheck.items() if t <= now}
                if due:
                    for cid in due:
                        step = self._recheck.pop(cid)[1] + 1
                        if step < len(RECHECKS):
                            self._recheck[cid] = (now - RECHECKS[step - 1] + RECHECKS[step], step)
                    self._publish(self._refresh_containers(due))
                if now - last_ping >= PING_EVERY:
                    last_ping = now
                    self._ping()
                if self._want_tasks and self.facts.swarm == "manager" and now - last_tasks >= TASK_POLL:
                    last_tasks = now
                    ch = StoreChange()
                    for kind in registry().polled:
                        ch = ch.merge(self._replace(kind, self._list(kind)))
                    self._publish(ch)
        finally:
            self._queue = None
            self._events_stream = None
            stream.close()

    def _feed(self, batch: list[dict[str, Any]]) -> StoreChange:
        """The kinds made from the event stream (the events timeline) take the batch."""
        ch = StoreChange()
        for k in registry().fed:
            rows = k.feed(batch)  # type: ignore[misc]
            if rows:
                ch = ch.merge(self._add_rows(k.name, rows, k.keep))
        return ch

    def _add_rows(self, kind: str, rows: Mapping[str, Mapping[str, Any]], keep: int) -> StoreChange:
        """Add ``rows`` (oldest first) to a fed kind, dropping its oldest beyond ``keep``."""
        old = self._data.get(kind, _EMPTY)
        added = frozenset(rows.keys() - old.keys())
        if not added:
            return StoreChange()  # a replay (a reconnect's since=): nothing new
        new = dict(old)
        new.update(rows)
        removed: set[str] = set()
        if keep and len(new) > keep:
            for oid in list(new)[: len(new) - keep]:
                del new[oid]
                removed.add(oid)
        added -= removed
        removed &= old.keys()
        self._data[kind] = MappingProxyType(new)
        self._versions[kind] = self._versions.get(kind, 0) + 1
        return StoreChange({kind: added} if added else {}, {}, {kind: frozenset(removed)} if removed else {})

    def _list_lazy(self, kind: str) -> StoreChange:
        """A lazy kind's list (the timeline's history), merged in time order under what was fed."""
        k = registry().kinds.get(kind)
        if k is None:
            return StoreChange()
        try:
            listed = k.load(self.client)
        except EngineError as exc:
            log.warning("listing %s: %s", kind, exc)
            listed = {}
        old = self._data.get(kind, _EMPTY)
        rows = sorted({**listed, **old}.items(), key=lambda kv: kv[1].get("Time") or 0)
        new = dict(rows[-k.keep:] if k.keep else rows)
        added, removed = frozenset(new.keys() - old.keys()), frozenset(old.keys() - new.keys())
        self._data[kind] = MappingProxyType(new)
        self._versions[kind] = self._versions.get(kind, 0) + 1
        return StoreChange({kind: added} if added else {}, {}, {kind: removed} if removed else {})

    def _ping(self) -> None:
        """A stalled engine keeps the event socket open but stops answering: notice it."""
        try:
            self.client._send("GET", "/_ping", versioned=False, timeout=PING_TIMEOUT)
        except EngineError as exc:
            raise EngineError(f"engine stopped answering ({exc})") from exc

    def close(self) -> None:
        self.stop()


__all__ = ["Store", "registry"]
