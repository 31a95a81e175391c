"""Container stats: the docker CLI's formulas, ring buffers for sparklines, and a hub of streams.

The hub streams ``/containers/{id}/stats`` only for the containers the UI wants (rows on
screen and the focused one), at most ``cap`` at once; a stream ends when its container stops,
is removed, or falls out of interest. Given the store, it also runs a ``Sampler``
(``dockui/store/sampler.py``) that reads every other running container at a low rate, so the
CPU and memory of every running container are known (sorting by CPU ranks them all, the pulse
view and the header sum them). Both paths feed the same rings; a document without
``precpu_stats`` (one-shot) gets its CPU figure against the container's previous sample.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .cgroups import LOCAL_KEY

RING = 60
TOTALS_EVERY = 1.0  # seconds the running containers' sum is kept (the header's cpu and mem)
LINGER = 5.0  # seconds a stream goes on after its row left the screen (a row that comes back keeps it)
RECENT = 1.5  # seconds: a container sampled this recently counts as active (its cells are rebuilt)


@dataclass(frozen=True, slots=True)
class StatsSample:
    t: float
    cpu: float  # percent of one core times online cpus, as docker stats shows
    mem: int  # bytes used, page cache excluded
    mem_limit: int
    mem_pct: float
    net_rx: float  # bytes per second
    net_tx: float
    blk_r: float
    blk_w: float
    pids: int
    net_rx_total: int = 0
    net_tx_total: int = 0
    blk_r_total: int = 0
    blk_w_total: int = 0
    totals_t: float = 0.0  # when the four totals were read (0: never; a local cgroup sample carries older ones)


def cpu_percent(s: Mapping[str, Any]) -> float:
    cpu, pre = s.get("cpu_stats") or {}, s.get("precpu_stats") or {}
    cu, pu = cpu.get("cpu_usage") or {}, pre.get("cpu_usage") or {}
    cpu_delta = (cu.get("total_usage") or 0) - (pu.get("total_usage") or 0)
    sys_delta = (cpu.get("system_cpu_usage") or 0) - (pre.get("system_cpu_usage") or 0)
    online = cpu.get("online_cpus") or len(cu.get("percpu_usage") or []) or 1
    if cpu_delta <= 0 or sys_delta <= 0 or not pre.get("system_cpu_usage"):
        return 0.0
    return cpu_delta / sys_delta * online * 100.0


def memory_used(s: Mapping[str, Any]) -> tuple[int, int]:
    m = s.get("memory_stats") or {}
    usage = int(m.get("usage") or 0)
    st = m.get("stats") or {}
    cache = st.get("total_inactive_file") if "total_inactive_file" in st else st.get("inactive_file")
    if cache is not None and cache < usage:
        usage -= int(cache)
    return usage, int(m.get("limit") or 0)


def net_totals(s: Mapping[str, Any]) -> tuple[int, int]:
    rx = tx = 0
    for n in (s.get("networks") or {}).values():
        rx += int(n.get("rx_bytes") or 0)
        tx += int(n.get("tx_bytes") or 0)
    return rx, tx


def blkio_totals(s: Mapping[str, Any]) -> tuple[int, int]:
    r = w = 0
    for e in (s.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []:
        op = str(e.get("op", "")).lower()
        if op == "read":
            r += int(e.get("value") or 0)
        elif op == "write":
            w += int(e.get("value") or 0)
    return r, w


def sample_from(s: Mapping[str, Any], prev: StatsSample | None, now: float | None = None) -> StatsSample:
    """One sample from one stats document; rates are per second against the previous sample.

    A document read from the local cgroup files (``cgroups.LOCAL_KEY``) has no network or block
    IO counters: its sample keeps the previous sample's totals (and their time) with rates of 0,
    so the next engine sample's rates span the time since those totals were read, not a jump
    from zero."""
    now = time.time() if now is None else now
    used, limit = memory_used(s)
    if s.get(LOCAL_KEY):
        rx, tx, br, bw, read_at = ((prev.net_rx_total, prev.net_tx_total, prev.blk_r_total, prev.blk_w_total, prev.totals_t)
                                   if prev else (0, 0, 0, 0, 0.0))
        fresh = False
    else:
        rx, tx = net_totals(s)
        br, bw = blkio_totals(s)
        read_at, fresh = now, True
    since = prev.totals_t if prev else 0.0
    dt = (now - since) if since else 0.0

    def rate(cur: int, old: int) -> float:
        return max(0.0, (cur - old) / dt) if fresh and dt > 0 else 0.0

    return StatsSample(
        t=now, cpu=cpu_percent(s), mem=used, mem_limit=limit, mem_pct=(used / limit * 100.0) if limit else 0.0,
        net_rx=rate(rx, prev.net_rx_total if prev else 0), net_tx=rate(tx, prev.net_tx_total if prev else 0),
        blk_r=rate(br, prev.blk_r_total if prev else 0), blk_w=rate(bw, prev.blk_w_total if prev else 0),
        pids=int((s.get("pids_stats") or {}).get("current") or 0),
        net_rx_total=rx, net_tx_total=tx, blk_r_total=br, blk_w_total=bw, totals_t=read_at,
    )


class StatsHub:
    """Streams stats for wanted containers only; keeps the last ``RING`` samples of each."""

    def __init__(self, client: Any, on_sample: Callable[[str], None] | None = None, cap: int = 40,
                 store: Any = None) -> None:
        self.client = client
        self.cap = cap
        self.on_sample = on_sample
        self.store = store
        self.sampler: Any = None
        self._lock = threading.Lock()
        self._rings: dict[str, deque[StatsSample]] = {}
        self._cpu_raw: dict[str, Any] = {}  # id -> the last document's cpu_stats (a one-shot's precpu)
        self._sampled_at: dict[str, float] = {}  # id -> monotonic time the sampler last brought a sample
        self._streams: dict[str, Any] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._wanted: list[str] = []
        self._totals: tuple[float, tuple[float, int, int]] | None = None  # (when, the running ones' sum)
        self._off_since: dict[str, float] = {}  # streamed id -> when its row left the screen
        self._running: tuple[Any, list[str]] | None = None  # (the snapshot it was read from, running ids)
        self._closed = False

    def latest(self, cid: str) -> StatsSample | None:
        with self._lock:
            ring = self._rings.get(cid)
            return ring[-1] if ring else None

    def history(self, cid: str) -> list[StatsSample]:
        with self._lock:
            return list(self._rings.get(cid) or ())

    def recent(self, cid: str, n: int) -> list[StatsSample]:
        """The last ``n`` samples (a sparkline's worth), without copying the whole ring."""
        with self._lock:
            ring = self._rings.get(cid)
            if not ring:
                return []
            return list(ring)[-n:] if len(ring) > n else list(ring)

    def active(self) -> set[str]:
        """The containers whose figures may have moved lately: those streamed, and those the
        sampler read in the last ``RECENT`` seconds (a screen rebuilds their stats cells)."""
        cut = time.monotonic() - RECENT
        with self._lock:
            return set(self._threads) | {cid for cid, t in self._sampled_at.items() if t >= cut}

    def streaming(self) -> set[str]:
        with self._lock:
            return set(self._threads)

    def running_ids(self) -> list[str]:
        """The running containers of the store's snapshot (empty without a store)."""
        if self.store is None:
            return []
        snap = self.store.snapshot("containers")
        cached = self._running
        if cached is not None and cached[0] is snap:  # snapshots are replaced, never changed in place
            return cached[1]
        ids = [cid for cid, c in snap.items() if c.get("State") == "running"]
        self._running = (snap, ids)
        return ids

    def latest_of(self, ids: Iterable[str]) -> dict[str, StatsSample]:
        """The latest sample of each of ``ids`` that has one."""
        with self._lock:
            rings = self._rings
            return {cid: ring[-1] for cid in ids if (ring := rings.get(cid))}

    def totals(self, ids: Iterable[str] | None = None, max_age: float = TOTALS_EVERY) -> tuple[float, int, int]:
        """(CPU %, memory bytes, containers with a figure) summed over ``ids`` (default: the running
        ones; that sum is kept up to ``max_age`` seconds: the header asks on every store change, and
        at 10,000 containers a sum over the running ones cost ~20 ms of each event's path)."""
        if ids is None:
            now = time.monotonic()
            kept = self._totals
            if kept is not None and now - kept[0] < max_age:
                return kept[1]
        got = self.latest_of(self.running_ids() if ids is None else ids)
        out = sum(s.cpu for s in got.values()), sum(s.mem for s in got.values()), len(got)
        if ids is None:
            self._totals = (now, out)
        return out

    def start(self) -> None:
        """Sample every running container of the store (the rows on screen stream as before)."""
        if self.store is None or self.sampler is not None or self._closed:
            return
        from .sampler import Sampler

        self.sampler = Sampler(self.client.clone() if hasattr(self.client, "clone") else self.client,
                               running=self.running_ids, streamed=self.streaming, put=self._put_sampled,
                               on_round=self._sampled_round, book=getattr(self.store, "restarts", None))
        self.sampler.start()

    def _put_sampled(self, cid: str, doc: dict) -> float:
        s = self.ingest(cid, doc)
        with self._lock:
            self._sampled_at[cid] = time.monotonic()
        return s.cpu if s is not None else 0.0

    def _sampled_round(self) -> None:
        if self.on_sample:
            self.on_sample("")

    def ingest(self, cid: str, doc: Mapping[str, Any]) -> StatsSample | None:
        """One stats document of ``cid`` into its ring; a document without ``precpu_stats`` (one-shot)
        is measured against the container's previous one. Returns the sample."""
        if str(doc.get("read", "")).startswith("0001"):
            return None
        with self._lock:
            ring = self._rings.setdefault(cid, deque(maxlen=RING))
            prev = ring[-1] if ring else None
            pre = doc.get("precpu_stats") or {}
            old = self._cpu_raw.get(cid)
            if not pre.get("system_cpu_usage") and old is not None:
                doc = {**doc, "precpu_stats": old}
            self._cpu_raw[cid] = doc.get("cpu_stats") or {}
            s = sample_from(doc, prev)
            ring.append(s)
            return s

    def want(self, ids: Iterable[str], running: Iterable[str] | None = None) -> None:
        """Ask for stats of ``ids`` (first ones first); only running containers are streamed."""
        if self._closed:
            return
        ids = list(ids)
        if self.sampler is not None:
            self.sampler.inspect(ids)  # the rows on screen: their RestartCount, once (RESTARTS column)
        run = set(running) if running is not None else None
        ordered = [i for i in dict.fromkeys(ids) if run is None or i in run]
        now = time.monotonic()
        with self._lock:
            # a stream whose row left the screen lingers ``LINGER`` seconds (sorted by CPU, rows
            # swap places every second: stopping and starting streams for each swap cost a new
            # connection and thread each, and a wait for the first figure)
            shown = set(ordered)
            off = self._off_since
            for cid in list(off):
                if cid in shown or cid not in self._threads:
                    del off[cid]
            linger = []
            for cid in self._threads if ordered else ():  # nothing wanted (another view): all stop now
                if cid not in shown and (run is None or cid in run):
                    if now - off.setdefault(cid, now) < LINGER:
                        linger.append(cid)
            head, rest = ordered[:1], ordered[1:]
            kept = [i for i in rest if i in self._threads]
            new = [i for i in rest if i not in self._threads]
            # rows on screen first; with more of them than streams, the ones that stream already
            # and the lingering ones keep theirs and the others show the sampler's figures
            order = head + kept + (new + linger if len(ordered) <= self.cap else linger + new)
            wanted = order[: self.cap]
            self._wanted = wanted
            stop = [cid for cid in self._threads if cid not in wanted]
            start = [cid for cid in wanted if cid not in self._threads]
            for cid in start:
                t = threading.Thread(target=self._run, args=(cid,), name=f"stats-{cid[:12]}", daemon=True)
                self._threads[cid] = t
        for cid in stop:
            self._stop(cid)
        for cid in start:
            self._threads[cid].start()

    def forget(self, cid: str) -> None:
        """A container was removed: stop its stream and drop its history."""
        self._stop(cid)
        with self._lock:
            self._rings.pop(cid, None)
            self._cpu_raw.pop(cid, None)
            self._sampled_at.pop(cid, None)

    def _stop(self, cid: str) -> None:
        with self._lock:
            stream = self._streams.pop(cid, None)
            self._threads.pop(cid, None)
        if stream is not None:
            stream.close()

    def _run(self, cid: str) -> None:
        try:
            stream = self.client.stats(cid, stream=True, decode=True)
        except Exception:  # noqa: BLE001 - a container that went away has no stats; nothing to show
            with self._lock:
                if self._threads.get(cid) is threading.current_thread():
                    self._threads.pop(cid, None)
            return
        with self._lock:
            if self._threads.get(cid) is not threading.current_thread():
                stream.close()
                return
            self._streams[cid] = stream
        try:
            for doc in stream:
                if not isinstance(doc, dict):
                    continue
                self.ingest(cid, doc)
                if self.on_sample:
                    self.on_sample(cid)
        except Exception:  # noqa: BLE001 - a broken stream just ends this container's samples
            pass
        finally:
            with self._lock:
                if self._threads.get(cid) is threading.current_thread():
                    self._threads.pop(cid, None)
                self._streams.pop(cid, None) if self._streams.get(cid) is stream else None
            stream.close()

    def close(self) -> None:
        self._closed = True
        if self.sampler is not None:
            self.sampler.close()
        with self._lock:
            ids = list(self._threads)
        for cid in ids:
            self._stop(cid)
