"""FleetStore: N engines' Stores composed into one object with the Store interface the screens read.

Each engine keeps its own ``dockui.store.Store`` (its own watcher thread, event stream, reconnect
backoff): one slow or lost engine never holds up the others. The fleet's snapshot of a kind is the
union of the engines' snapshots, rows keyed ``"engine/id"`` with an ``"Engine"`` field added; it is
cached per kind and rebuilt on read only when one engine's snapshot object changed, and a row is
copied again only when its engine replaced that row (so the screens' per-row cell caches hold).
Change notices are the engines' own, their ids prefixed. ``route(rid)`` gives a row's own engine
client and raw id, for actions, logs, shells and describe; ``client`` is a ``FleetClient`` that
does that routing for any call whose first argument is such an id.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..engine import EngineClient
from ..store import Store, StoreChange
from ..store.model import ConnectionState, EngineFacts
from .client import FleetClient
from .engines import EngineSpec

_EMPTY: Mapping[str, Mapping[str, Any]] = MappingProxyType({})


class Member:
    """One engine of the fleet: its spec, client and store (none when its spec has an error)."""

    def __init__(self, spec: EngineSpec, readonly: bool = False, timeout: float = 30.0, store: Store | None = None) -> None:
        self.name = spec.name
        self.spec = spec
        self.error = spec.error
        self.client: EngineClient | None = None
        self.store: Store | None = None
        self.lost_at: float | None = None  # when a connected engine was lost (its rows are stale since)
        self.diagnosis: str | None = None  # ssh's own words when an ssh engine does not answer (None: not asked)
        if spec.endpoint is not None and not spec.error:
            try:
                self.client = EngineClient(spec.endpoint, readonly=readonly, timeout=timeout)
                self.store = store or Store(self.client.clone())
            except Exception as exc:  # noqa: BLE001 - one bad engine is a message in its slot, never a crash
                self.error = f"{type(exc).__name__}: {exc}"
                self.client = self.store = None

    @property
    def endpoint(self) -> str:
        return self.spec.endpoint.display if self.spec.endpoint is not None else ""

    def reason(self, said: str) -> str:
        """The store's reason, or for an ssh engine ssh's own (asked once, on a thread of its own)."""
        ep = self.spec.endpoint
        if ep is None or ep.scheme != "ssh":
            return said
        if self.diagnosis is None:
            self.diagnosis = ""

            def ask() -> None:
                from .diagnose import ssh_reason

                self.diagnosis = ssh_reason(ep)

            threading.Thread(target=ask, name=f"fleet-ssh-{self.name}", daemon=True).start()
        return self.diagnosis or said


@dataclass(frozen=True)
class EngineState:
    """One engine as the header and ``:fleet`` show it."""

    name: str
    status: str  # connected, connecting, reconnecting, unreachable, failed
    reason: str = ""
    endpoint: str = ""
    source: str = ""
    stale_since: float | None = None  # its rows are kept from before this time
    facts: EngineFacts = field(default_factory=EngineFacts)
    counts: Mapping[str, int] = field(default_factory=dict)
    containers: int = 0


class FleetSnapshot(dict):
    """A fleet snapshot: ``engine/id`` -> row, read-only by convention (screens never write to a
    snapshot). A raw id (what a project's ``Containers``, a task's container id or a row's
    ``Id`` field hold) also finds its row, so kind code written for one engine works unchanged."""

    __slots__ = ("raw",)

    def __init__(self, rows: dict[str, Mapping[str, Any]], raw: dict[str, str]) -> None:
        super().__init__(rows)
        self.raw = raw

    def __missing__(self, key: str) -> Mapping[str, Any]:
        rid = self.raw.get(key)
        if rid is None:
            raise KeyError(key)
        return dict.__getitem__(self, rid)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.raw

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        v = dict.get(self, key, _MISSING)
        if v is _MISSING:
            rid = self.raw.get(key)
            return dict.get(self, rid, default) if rid is not None else default
        return v


_MISSING = object()


class FleetStore:
    """The Store interface over several engines (see the module docstring)."""

    fleet = True

    def __init__(self, members: list[Member], readonly: bool = False) -> None:
        self.members = members
        self.by_name = {m.name: m for m in members}
        self.live = [m for m in members if m.store is not None]
        self._lock = threading.Lock()
        self._per: dict[tuple[str, str], tuple[Any, dict[str, Mapping[str, Any]], dict[str, tuple[Any, Mapping[str, Any]]]]] = {}
        self._merged: dict[str, tuple[tuple[Any, ...], Mapping[str, Mapping[str, Any]]]] = {}
        self._raw: dict[tuple[str, str], dict[str, str]] = {}  # (kind, engine) -> raw id -> fleet id
        self._counts: tuple[tuple[Any, ...], Mapping[str, int]] = ((), MappingProxyType({}))
        self._recent: tuple[tuple[Any, ...], list[dict[str, Any]]] = ((), [])
        self.restarts = FleetRestarts(self)
        clients = {m.name: m.client for m in members if m.client is not None}
        self.client = FleetClient(clients, self._locate, readonly=readonly)

    LOCATE = ("containers", "images", "volumes", "networks", "services", "tasks", "nodes", "secrets", "configs")

    def _locate(self, raw: str) -> str:
        """The engine that has an object with this raw id (a project's container, a task's service)."""
        if not raw or len(raw) > 200:
            return ""
        for kind in self.LOCATE:
            for m in self.live:
                if m.store.get(kind, raw) is not None:  # type: ignore[union-attr]
                    return m.name
        return ""

    # --- reading (the Store interface) -----------------------------------------------------------
    def _prefixed(self, m: Member, kind: str, snap: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
        key = (kind, m.name)
        hit = self._per.get(key)
        if hit is not None and hit[0] is snap:
            return hit[1]
        old = hit[2] if hit is not None else {}
        rows: dict[str, tuple[Any, Mapping[str, Any]]] = {}
        out: dict[str, Mapping[str, Any]] = {}
        pre, name = m.name + "/", m.name
        for oid, src in snap.items():
            h = old.get(oid)
            if h is None or h[0] is not src:  # a row its engine replaced: copied once, then kept
                w = dict(src)
                w["Engine"] = name
                h = (src, w)
            rows[oid] = h
            out[pre + oid] = h[1]
        self._per[key] = (snap, out, rows)
        self._raw[key] = {oid: pre + oid for oid in rows}
        return out

    def snapshot(self, kind: str) -> Mapping[str, Mapping[str, Any]]:
        snaps = tuple(m.store.snapshot(kind) for m in self.live)  # type: ignore[union-attr]
        hit = self._merged.get(kind)
        if hit is not None and len(hit[0]) == len(snaps) and all(a is b for a, b in zip(hit[0], snaps, strict=True)):
            return hit[1]
        with self._lock:
            merged: dict[str, Mapping[str, Any]] = {}
            raw: dict[str, str] = {}
            for m, snap in zip(self.live, snaps, strict=True):
                if snap:
                    merged.update(self._prefixed(m, kind, snap))
                    raw.update(self._raw[(kind, m.name)])
            view = FleetSnapshot(merged, raw)
            self._merged[kind] = (snaps, view)
        return view

    def get(self, kind: str, oid: str) -> Mapping[str, Any] | None:
        name, sep, raw = oid.partition("/")
        if sep and name in self.by_name:
            return self.snapshot(kind).get(oid)
        for m in self.live:  # a raw id (a task's ServiceID, a node id): the engine that has it
            if m.store.get(kind, oid) is not None:  # type: ignore[union-attr]
                return self.snapshot(kind).get(m.name + "/" + oid)
        return None

    def version(self, kind: str) -> int:
        return sum(m.store.version(kind) for m in self.live)  # type: ignore[union-attr]

    def ask(self, kind: str) -> None:
        for m in self.live:
            m.store.ask(kind)  # type: ignore[union-attr]

    def want_tasks(self, on: bool) -> None:
        for m in self.live:
            m.store.want_tasks(on)  # type: ignore[union-attr]

    def subscribe(self, fn: Callable[[StoreChange], None]) -> Callable[[], None]:
        """``fn(change)`` after each batch of any engine (on that engine's watcher thread), ids prefixed."""
        unsubs = []
        for m in self.live:
            def relay(ch: StoreChange, m: Member = m) -> None:
                if ch.connection:
                    self._note_connection(m)
                fn(prefixed_change(m.name, ch))
            unsubs.append(m.store.subscribe(relay))  # type: ignore[union-attr]

        def unsubscribe() -> None:
            for u in unsubs:
                u()

        return unsubscribe

    def _note_connection(self, m: Member) -> None:
        conn = m.store.connection  # type: ignore[union-attr]
        if conn.ok:
            m.lost_at = None
        elif m.lost_at is None and m.store.loaded:  # type: ignore[union-attr]
            m.lost_at = time.time()

    @property
    def loaded(self) -> bool:
        return any(m.store.loaded for m in self.live)  # type: ignore[union-attr]

    @property
    def counts(self) -> Mapping[str, int]:
        parts = tuple(m.store.counts for m in self.live)  # type: ignore[union-attr]
        if len(parts) == len(self._counts[0]) and all(a is b for a, b in zip(parts, self._counts[0], strict=True)):
            return self._counts[1]
        total: dict[str, int] = {}
        for c in parts:
            for k, v in c.items():
                total[k] = total.get(k, 0) + v
        self._counts = (parts, MappingProxyType(total))
        return self._counts[1]

    @property
    def facts(self) -> EngineFacts:
        fs = [m.store.facts for m in self.live]  # type: ignore[union-attr]
        swarm = "manager" if any(f.swarm == "manager" for f in fs) else (fs[0].swarm if fs else "inactive")
        return EngineFacts(endpoint=f"fleet of {len(self.members)} engines", swarm=swarm,
                           cpus=sum(f.cpus for f in fs), memory=sum(f.memory for f in fs))

    @property
    def connection(self) -> ConnectionState:
        """Connected while any engine is; the header shows each engine's own state."""
        n = sum(1 for m in self.live if m.store.connection.ok)  # type: ignore[union-attr]
        where = f"{len(self.members)} engines"
        if n:
            return ConnectionState("connected", where)
        if any(m.store.connection.status == "connecting" for m in self.live):  # type: ignore[union-attr]
            return ConnectionState("connecting", where)
        return ConnectionState("failed", where, "no engine of the fleet answers")

    @property
    def recent(self) -> list[dict[str, Any]]:
        """Every engine's recent events, one list (the same object until one of them changes)."""
        rs = [m.store.recent for m in self.live]  # type: ignore[union-attr]
        key = tuple((len(r), id(r[-1]) if r else 0) for r in rs)
        if self._recent[0] != key:
            self._recent = (key, [e for r in rs for e in r])
        return self._recent[1]

    # --- engines --------------------------------------------------------------------------------
    def states(self) -> list[EngineState]:
        out = []
        for m in self.members:
            st = m.store
            if st is None:
                out.append(EngineState(m.name, "failed", m.error, m.endpoint, m.spec.source))
                continue
            conn = st.connection
            if conn.ok:
                status, reason = "connected", ""
                m.diagnosis = None
            elif conn.status == "connecting":
                status, reason = "connecting", ""
            elif st.loaded:
                status, reason = "reconnecting", conn.reason
            else:
                status, reason = "unreachable", m.reason(conn.reason)
            if not conn.ok and st.loaded and m.lost_at is None:
                m.lost_at = conn.since
            out.append(EngineState(m.name, status, reason, m.endpoint, m.spec.source,
                                   None if conn.ok else m.lost_at, st.facts, st.counts,
                                   len(st.snapshot("containers"))))
        return out

    def stale_since(self, name: str) -> float | None:
        """When this engine's rows were last known to be true (None: live)."""
        m = self.by_name.get(name)
        if m is None or m.store is None or m.store.connection.ok or not m.store.loaded:
            return None
        if m.lost_at is None:
            m.lost_at = m.store.connection.since
        return m.lost_at

    def route(self, rid: str) -> tuple[Any, str]:
        """The client of the engine a row id names, and the id that engine knows."""
        return self.client.route(rid)

    def make_stats(self, on_sample: Callable[[str], None] | None = None) -> Any:
        from .stats import FleetStats

        return FleetStats(self, on_sample)

    # --- lifecycle --------------------------------------------------------------------------------
    def start(self) -> None:
        for m in self.live:
            m.store.start()  # type: ignore[union-attr]

    def stop(self) -> None:
        """Stop every engine's watcher at once (a stalled one does not make the others wait)."""
        threads = [threading.Thread(target=m.store.stop, daemon=True) for m in self.live]  # type: ignore[union-attr]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 1.0  # a stalled engine's watcher is a daemon: quitting does not wait on it
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))

    close = stop

    def wait_loaded(self, timeout: float = 10.0, every: bool = False) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [m.store.loaded for m in self.live]  # type: ignore[union-attr]
            if (all(done) if every else any(done)):
                return True
            time.sleep(0.01)
        return False


def prefixed_change(name: str, ch: StoreChange) -> StoreChange:
    """An engine's change notice with its ids as the fleet keys them (``name/id``)."""
    pre = name + "/"

    def p(m: Mapping[str, frozenset[str]]) -> dict[str, frozenset[str]]:
        return {k: frozenset(pre + i for i in v) for k, v in m.items()}

    return StoreChange(p(ch.added), p(ch.changed), p(ch.removed), ch.facts, ch.connection)


def build(specs: list[EngineSpec], readonly: bool = False, timeout: float = 30.0) -> FleetStore:
    return FleetStore([Member(s, readonly, timeout) for s in specs], readonly)


class FleetRestarts:
    """The engines' restart books (``Store.restarts``) read as one, by fleet row id or raw id."""

    def __init__(self, fleet: FleetStore) -> None:
        self.fleet = fleet

    def _book(self, cid: str) -> tuple[Any, str]:
        name, sep, raw = cid.partition("/")
        m = self.fleet.by_name.get(name) if sep else None
        if m is None:
            m, raw = self.fleet.by_name.get(self.fleet._locate(cid)), cid
        book = getattr(m.store, "restarts", None) if m is not None and m.store is not None else None
        return book, raw

    @property
    def version(self) -> int:
        return sum(getattr(getattr(m.store, "restarts", None), "version", 0) for m in self.fleet.live)

    def get(self, cid: str) -> Any:
        book, raw = self._book(cid)
        if book is not None:
            return book.get(raw)
        from ..store.restarts import RestartBook

        return RestartBook().get(raw)

    def seeded(self, cid: str) -> bool:
        book, raw = self._book(cid)
        return True if book is None else book.seeded(raw)

    def seed(self, cid: str, doc: Mapping[str, Any]) -> None:
        book, raw = self._book(cid)
        if book is not None:
            book.seed(raw, doc)
