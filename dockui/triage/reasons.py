"""The REASON column of the faults-only view and the header's count of restart loops.

A REASON cell needs the inspect document (``State.OOMKilled``, ``Health``) and the container's
recent events, which the list API does not give. The cell never waits: it returns what is cached
(by container id and state word, refreshed at most every ``MIN_AGE`` seconds) and queues the row;
one daemon thread per view context inspects the queued faulty rows (at most ``CAP`` per round),
reads their last ten minutes of events in one bounded query, and publishes a ``reasons`` change
on the app's store signal, so the containers view (``repaint_on=("reasons",)``) redraws its cells.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from .explain import LOOP_MIN, LOOP_WINDOW, verdict

CAP = 40  # rows inspected per round
MIN_AGE = 5.0  # seconds before a row whose state changed is asked about again
MAX_AGE = 15.0  # seconds a verdict stands while its row keeps changing in the same state (a restart loop)
PENDING = "..."


class Reasons:
    """Verdicts per container id, fetched off the UI thread for the rows a view asks about."""

    def __init__(self, client: Any, publish: Any = None) -> None:
        self.client = client
        self.publish = publish  # publish(ids) after a round: redraw those rows (from the worker thread)
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, str, float]] = {}  # id -> (state word, verdict, fetched at)
        self._want: dict[str, None] = {}
        self._thread: threading.Thread | None = None
        self.rounds = 0

    def get(self, rid: str) -> str | None:
        hit = self._cache.get(rid)
        return hit[1] if hit else None

    def cell(self, rid: str, state: str) -> str:
        """The verdict to show now (maybe stale, or ``...``); queues a fetch when needed. UI thread, O(1)."""
        hit = self._cache.get(rid)
        if hit is not None:
            age = time.monotonic() - hit[2]
            if age < MIN_AGE or (hit[0] == state and age < MAX_AGE):
                return hit[1]
        with self._lock:
            self._want[rid] = None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="triage-reasons", daemon=True)
                self._thread.start()
        return hit[1] if hit is not None else PENDING

    def _run(self) -> None:
        while True:
            with self._lock:
                ids = list(self._want)[:CAP]
                for rid in ids:
                    self._want.pop(rid, None)
                if not ids:
                    self._thread = None
                    return
            done = self.fetch(ids)
            self.rounds += 1
            if done and self.publish is not None:
                try:
                    self.publish(done)
                except Exception:  # noqa: BLE001 - the app went away
                    return

    def fetch(self, ids: list[str]) -> list[str]:
        """Inspect ``ids`` and read their recent events; cache a verdict for each. Blocking; returns
        the ids whose verdict changed (only those are redrawn)."""
        from ..kinds.events import summary

        now = time.time()
        events: dict[str, list[Mapping[str, Any]]] = {rid: [] for rid in ids}
        try:
            stream = self.client.events(since=now - LOOP_WINDOW, until=now, decode=True,
                                        filters={"type": ["container"], "container": ids})
            try:
                for n, e in enumerate(stream):
                    got = summary(e) if isinstance(e, Mapping) else None
                    if got is not None and got[1]["ObjectID"] in events:
                        events[got[1]["ObjectID"]].append(got[1])
                    if n > 20_000:
                        break
            finally:
                stream.close()
        except Exception:  # noqa: BLE001 - no events: the verdict says less, not nothing
            pass
        done = []
        for rid in ids:
            try:
                info = self.client.inspect_container(rid)
                from ..store.model import container_state

                st = info.get("State") or {}
                word = container_state({"State": st.get("Status"), "Health": (st.get("Health") or {}).get("Status"),
                                        "Status": f"Exited ({st.get('ExitCode')})" if st.get("Status") == "exited" else ""})
                text = verdict(info, events[rid], (), now)
            except Exception as exc:  # noqa: BLE001 - gone, or the engine said why not
                from ..ansi import one_line

                word, text = "", one_line(f"? {getattr(exc, 'explanation', '') or exc}", 80)
            old = self._cache.get(rid)
            self._cache[rid] = (word, text, time.monotonic())
            if old is None or old[1] != text:
                done.append(rid)
        return done

    def forget(self, keep: Iterable[str]) -> None:
        keep = set(keep)
        for rid in [r for r in self._cache if r not in keep]:
            self._cache.pop(rid, None)


_BY_CTX: weakref.WeakKeyDictionary[Any, Reasons] = weakref.WeakKeyDictionary()


def for_context(ctx: Any) -> Reasons | None:
    """The ``Reasons`` of a view context (made on first use, on the UI thread: it remembers the
    running app, to publish redraws through its store signal)."""
    if ctx is None:
        return None
    got = _BY_CTX.get(ctx)
    if got is not None:
        return got
    client = getattr(getattr(ctx, "store", None), "client", None)
    if client is None:
        return None
    try:
        from textual._context import active_app

        app = active_app.get(None)
    except Exception:  # noqa: BLE001 - no Textual app (unit tests)
        app = None
    publish = _publisher(app) if app is not None else None
    got = Reasons(client.clone() if hasattr(client, "clone") else client, publish)
    _BY_CTX[ctx] = got
    return got


def _publisher(app: Any) -> Any:
    ref = weakref.ref(app)

    def publish(ids: list[str]) -> None:
        a = ref()
        if a is None or not a.is_running:
            raise RuntimeError("app gone")
        from ..messages import Touched
        from ..store.model import StoreChange

        a.call_from_thread(a.store_signal.publish, Touched(StoreChange(changed={"reasons": frozenset(ids)})))

    return publish


def reason_cell(row: Mapping[str, Any], ctx: Any, fault: Any = None) -> str:
    """The REASON cell of a container row: its verdict for faulty rows (fetched in the background)."""
    from ..store.model import container_state

    if fault is not None and not fault(row, ctx):
        return ""
    r = for_context(ctx)
    if r is None:
        return ""
    return r.cell(str(row.get("Id") or ""), container_state(row))


def reason_sort(row: Mapping[str, Any], ctx: Any) -> str:
    r = _BY_CTX.get(ctx) if ctx is not None else None
    return (r.get(str(row.get("Id") or "")) if r is not None else None) or ""


_LOOPS: dict[str, Any] = {"key": None, "n": 0}


def restart_loops(events: Iterable[Mapping[str, Any]], now: float | None = None) -> frozenset[str]:
    """The containers that restarted on their own at least ``LOOP_MIN`` times in the last ten
    minutes, from raw engine events (the store's ``recent``): a ``start`` that follows a ``die``
    with no ``restart`` between."""
    now = time.time() if now is None else now
    since = now - LOOP_WINDOW
    died: dict[str, bool] = {}
    counts: dict[str, int] = {}
    for e in events:
        if not isinstance(e, Mapping) or e.get("Type") != "container":
            continue
        t = e.get("time")
        if not isinstance(t, (int, float)) or t < since:
            continue
        actor = e.get("Actor")
        cid = str((actor.get("ID") if isinstance(actor, Mapping) else "") or e.get("id") or "")
        verb = str(e.get("Action") or e.get("status") or "").split(":", 1)[0]
        if verb == "die":
            died[cid] = True
        elif verb == "restart":
            died[cid] = False
        elif verb == "start":
            if died.get(cid):
                counts[cid] = counts.get(cid, 0) + 1
            died[cid] = False
    return frozenset(cid for cid, n in counts.items() if n >= LOOP_MIN)


_LOOPS: dict[str, Any] = {"key": None, "ids": frozenset(), "at": 0.0, "store": None}


def looping(store: Any) -> frozenset[str]:
    """``restart_loops`` over the store's recent events: recomputed when they changed, at most once
    a second (2 ms over 500 events; the faults predicate asks for every row of a paint)."""
    recent = getattr(store, "recent", None)
    if not recent:
        return frozenset()
    now = time.monotonic()
    if now - _LOOPS["at"] < 1.0 and _LOOPS["store"] is store:
        return _LOOPS["ids"]
    try:
        key = (id(store), len(recent), id(recent[-1]), int(time.time() // 10))
    except IndexError:
        return frozenset()
    if _LOOPS["key"] != key:
        _LOOPS["ids"] = restart_loops(list(recent))
        _LOOPS["key"] = key
    _LOOPS["at"], _LOOPS["store"] = now, store
    return _LOOPS["ids"]


def store_loops(store: Any) -> int:
    """The header's count of restart loops."""
    return len(looping(store))


def in_loop(row: Mapping[str, Any], ctx: Any) -> bool:
    """A container restarting over and over is a fault even in the moment it is up."""
    return ctx is not None and str(row.get("Id") or "") in looping(getattr(ctx, "store", None))


__all__ = ["Reasons", "for_context", "in_loop", "looping", "reason_cell", "reason_sort", "restart_loops", "store_loops"]
