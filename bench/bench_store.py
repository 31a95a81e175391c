"""Store benchmark on the bench engine with the 1,000-container workload.

    python -m bench.bench_store [--keep]

1. load: ``Store`` from a fresh client to its first published snapshot (ping, events, version,
   info, every kind listed) and ``Store._list('containers')`` alone, against the raw
   ``/containers/json?all=1`` round trip and ``docker ps -a`` (baselines); median of 5.
2. event-to-snapshot: containers are killed and started while a store runs; for each
   ``start``/``die`` event, the delay from its ``timeNano`` to the store publishing a snapshot
   (a) that names the container and (b) whose state agrees with the event; p50/p95.
3. events decoding: ``JSONStreamDecoder`` over 50,000 real event documents, fed one event per
   chunk (as ``/events`` delivers them) and in 64 KiB chunks, against ``json.loads`` per line.
4. memory: the loaded store, and a ``StatsHub`` holding 60 samples (made with ``sample_from``)
   for each of 1,000 containers; tracemalloc and RSS deltas, against the parsed list response
   and against the same numbers kept as plain tuples.
5. events applied per second (issue 3: at least 20,000): synthetic container events
   (``die``/``start``, alternating per container) for the 1,000 workload containers, which the
   store holds, go through the store's own apply path: ``Store._apply`` (classify, coalesce per
   id, re-read, diff, publish the change) and ``Store._publish`` to a subscriber that merges the
   changes as the app does. The engine re-read is **stubbed by a local dict** of the real list
   rows (the list call answers from the dict, and each event flips its container's row there,
   so every re-read finds a real change); nothing else is faked.
   a. flood (the headline): a running store (its watcher and reader threads, queue, ``BATCH``
      windows, rechecks) follows an ``/events`` stream of 100,000 such events, already decoded
      (``JSONStreamDecoder`` is measured in 3.); from the first event to the publish of the batch
      that applied the last one.
   b. fixed batches: ``_apply`` + ``_publish`` called directly with batches of 1, 10, 100 and
      1,000 events (a batch of 1 is one event alone in its 50 ms window: the cost per batch).

The issue-3 figures (events applied per second, memory of 1,000 containers x 60 samples) and a
few others are printed beside those of the previous run kept in ``bench/results/bench_store.json``
(read before it is overwritten): previous -> now, and the change.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import random
import socket
import sys
import threading
import time
import tracemalloc
from collections import deque
from typing import Any

from dockui.engine import EngineClient, NotFound
from dockui.engine.streams import JSONStreamDecoder
from dockui.store import StatsHub, Store, StoreChange
from dockui.store.stats import RING, sample_from

from . import workload
from .common import base_parser, load_result, median, new_result, pct, print_table, ratio, wall, write_result
from .engine import IMAGE, SOCK, BenchEngine, bench_engine, log

NAME = "bench_store"
EVT_LABEL = "events"
EVT_CONTAINERS = 5
EVT_OPS = 40
DECODE_EVENTS = 50_000
FLOOD_EVENTS = 100_000
BATCH_SIZES = (1, 10, 100, 1000)
TARGET_EVENTS_PER_S = 20_000
TARGET_MEMORY_BYTES = 50_000_000
# figures shown beside the previous run's: (figure, what, higher is better)
COMPARED = (
    ("events_applied_per_s", "events applied per s (flood through the watcher)", True),
    ("events_applied_per_s_batch_1", "events applied per s, batches of 1", True),
    ("events_applied_per_s_batch_1000", "events applied per s, batches of 1,000", True),
    ("store_plus_statshub_tracemalloc_bytes", "memory: store + 1,000 x 60 stats samples", False),
    ("statshub_bytes_per_sample", "memory per stats sample", False),
    ("store_bytes_per_container", "memory per container in the store", False),
    ("store_first_snapshot_s", "store first snapshot", False),
    ("event_to_correct_state_p95_ms", "event -> snapshot with the right state, p95", False),
)


# --------------------------------------------------------------------------- raw HTTP baseline


def raw_get(path: str) -> bytes:
    """One HTTP/1.0 GET over the unix socket, reading the body to EOF: the floor for any client."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(SOCK))
    s.sendall(f"GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n".encode())
    parts = []
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        parts.append(b)
    s.close()
    data = b"".join(parts)
    return data[data.index(b"\r\n\r\n") + 4 :]


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


# --------------------------------------------------------------------------- 1. load


def bench_load(eng: BenchEngine, res: dict, repeat: int = 5) -> None:
    api = EngineClient(eng.host).api_version
    fig, base = res["figures"], res["baseline"]
    store_t, list_t, raw_t, ps_t, parse_t = [], [], [], [], []
    n = 0
    warm = EngineClient(eng.host)
    for _ in range(repeat):
        t0 = time.perf_counter()
        st = Store(EngineClient(eng.host))
        got = threading.Event()
        st.subscribe(lambda ch, got=got: got.set() if ch.added.get("containers") else None)
        st.start()
        got.wait(30)
        store_t.append(time.perf_counter() - t0)
        n = len(st.snapshot("containers"))
        st.stop()
        st.client.close()

        holder = Store(warm)
        t0 = time.perf_counter()
        holder._list("containers")
        list_t.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        body = raw_get(f"/v{api}/containers/json?all=1")
        raw_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        json.loads(body)
        parse_t.append(time.perf_counter() - t0)

        ps_t.append(wall(["docker", "-H", eng.host, "ps", "-a"]))
    fig["containers"] = n
    fig["store_first_snapshot_s"] = median(store_t)
    fig["store_list_containers_s"] = median(list_t)
    base["raw_containers_json_roundtrip_s"] = median(raw_t)
    base["raw_json_parse_s"] = median(parse_t)
    base["docker_ps_a_s"] = median(ps_t)
    res["ratios"]["store_first_snapshot / docker_ps_a"] = ratio(fig["store_first_snapshot_s"], base["docker_ps_a_s"])
    res["ratios"]["store_list_containers / raw_roundtrip"] = ratio(fig["store_list_containers_s"], base["raw_containers_json_roundtrip_s"])


# --------------------------------------------------------------------------- 2. event-to-snapshot


def bench_events(eng: BenchEngine, res: dict) -> list[dict]:
    client = eng.client()
    ids = []
    try:
        for i in range(EVT_CONTAINERS):
            ids.append(client.create_container(IMAGE, ["sleep", "1000000"], name=f"bench-evt-{i}-{random.randrange(1 << 30):x}",
                                               labels={workload.LABEL: EVT_LABEL}, host_config={"Init": True, "NetworkMode": "none"})["Id"])
        store = Store(EngineClient(eng.host))
        published: list[tuple[float, StoreChange, dict[str, str | None]]] = []
        mine = set(ids)

        def on_change(ch: StoreChange) -> None:
            now = time.time()
            snap = store.snapshot("containers")
            published.append((now, ch, {cid: (snap.get(cid) or {}).get("State") for cid in mine}))

        store.subscribe(on_change)
        store.start()
        if not store.wait_loaded(30):
            raise RuntimeError("store did not load")
        time.sleep(0.3)
        rnd = random.Random(1)
        for k in range(EVT_OPS):
            cid = ids[k % len(ids)]
            state = (store.get("containers", cid) or {}).get("State")
            want = "exited" if state == "running" else "running"
            if want == "exited":
                client.kill(cid)
            else:
                client.start(cid)
            deadline = time.monotonic() + 5
            while (store.get("containers", cid) or {}).get("State") != want and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rnd.uniform(0.05, 0.2))
        time.sleep(0.5)
        store.stop()
        events = list(store.recent)
        store.client.close()
    finally:
        for cid in ids:
            try:
                client.remove_container(cid, force=True)
            except NotFound:
                pass
        client.close()

    expect = {"start": "running", "die": "exited"}
    first, settled = {"start": [], "die": []}, {"start": [], "die": []}
    for e in events:
        action = e.get("Action") or e.get("status")
        cid = (e.get("Actor") or {}).get("ID") or e.get("id")
        if e.get("Type") != "container" or action not in expect or cid not in mine:
            continue
        t_ev = e["timeNano"] / 1e9
        got_first = got_settled = None
        for t, ch, states in published:
            if t < t_ev:
                continue
            named = cid in ch.changed.get("containers", ()) or cid in ch.added.get("containers", ())
            if named and got_first is None:
                got_first = t - t_ev
            if named and states.get(cid) == expect[action] and got_settled is None:
                got_settled = t - t_ev
                break
        if got_first is not None:
            first[action].append(got_first)
        if got_settled is not None:
            settled[action].append(got_settled)
    fig = res["figures"]
    all_first = first["start"] + first["die"]
    all_settled = settled["start"] + settled["die"]
    fig["event_to_publish_n"] = len(all_first)
    fig["event_to_publish_p50_ms"] = 1000 * pct(all_first, 50)
    fig["event_to_publish_p95_ms"] = 1000 * pct(all_first, 95)
    fig["event_to_correct_state_p50_ms"] = 1000 * pct(all_settled, 50)
    fig["event_to_correct_state_p95_ms"] = 1000 * pct(all_settled, 95)
    for a in ("start", "die"):
        fig[f"{a}: event_to_correct_state_p50_ms"] = 1000 * pct(settled[a], 50)
        fig[f"{a}: event_to_correct_state_p95_ms"] = 1000 * pct(settled[a], 95)
    missed = sum(len(first[a]) - len(settled[a]) for a in first)
    if missed:
        res["notes"].append(f"{missed} events never reached a snapshot with the matching state")
    from dockui.store import store as store_mod

    first_recheck = (getattr(store_mod, "RECHECKS", None) or (getattr(store_mod, "RECHECK", None),))[0]
    res["notes"].append(f"event-to-snapshot: store BATCH is {store_mod.BATCH} s; a container whose list row lags its event "
                        f"is re-read {first_recheck} s later")
    return events


# --------------------------------------------------------------------------- 3. decoding


def bench_decode(events: list[dict], res: dict) -> None:
    if not events:
        events = [{"Type": "container", "Action": "start", "Actor": {"ID": "x" * 64, "Attributes": {"name": "n"}}, "timeNano": 1}]
    lines = [json.dumps(events[i % len(events)]).encode() + b"\n" for i in range(DECODE_EVENTS)]
    blob = b"".join(lines)
    chunks = [blob[i : i + 65536] for i in range(0, len(blob), 65536)]

    def per_event() -> int:
        dec = JSONStreamDecoder()
        n = 0
        for line in lines:
            n += len(dec.feed(line))
        return n

    def per_event_base() -> int:
        n = 0
        for line in lines:
            json.loads(line)
            n += 1
        return n

    def chunked() -> int:
        dec = JSONStreamDecoder()
        n = 0
        for c in chunks:
            n += len(dec.feed(c))
        return n

    def chunked_base() -> int:
        n = 0
        rest = b""
        for c in chunks:
            parts = (rest + c).split(b"\n")
            rest = parts.pop()
            for p in parts:
                if p:
                    json.loads(p)
                    n += 1
        return n

    def best(fn) -> float:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            n = fn()
            times.append(time.perf_counter() - t0)
            assert n == DECODE_EVENTS, (fn.__name__, n)
        return min(times)

    fig, base = res["figures"], res["baseline"]
    fig["decode_event_bytes_avg"] = len(blob) / DECODE_EVENTS
    fig["decoder_per_event_chunk_events_per_s"] = DECODE_EVENTS / best(per_event)
    fig["decoder_64k_chunks_events_per_s"] = DECODE_EVENTS / best(chunked)
    base["json_loads_per_line_events_per_s"] = DECODE_EVENTS / best(per_event_base)
    base["split_and_json_loads_64k_events_per_s"] = DECODE_EVENTS / best(chunked_base)
    res["ratios"]["decoder_per_event / json_loads (throughput)"] = ratio(fig["decoder_per_event_chunk_events_per_s"], base["json_loads_per_line_events_per_s"])
    res["ratios"]["decoder_64k / split+json_loads (throughput)"] = ratio(fig["decoder_64k_chunks_events_per_s"], base["split_and_json_loads_64k_events_per_s"])


# --------------------------------------------------------------------------- 4. memory


def _stats_doc(client: EngineClient) -> dict:
    rows = client.containers(all=False, filters={"label": f"{workload.LABEL}={workload.WORKLOAD}"})
    doc = client.stats(rows[0]["Id"], stream=False) if rows else {}
    doc = json.loads(json.dumps(doc or {}))
    doc.setdefault("memory_stats", {}).setdefault("usage", 1 << 20)
    doc["memory_stats"].setdefault("limit", 1 << 34)
    doc.setdefault("cpu_stats", {}).setdefault("cpu_usage", {}).setdefault("total_usage", 1)
    doc["cpu_stats"].setdefault("system_cpu_usage", 1)
    doc.setdefault("precpu_stats", {}).setdefault("cpu_usage", {}).setdefault("total_usage", 0)
    doc["precpu_stats"].setdefault("system_cpu_usage", 1)
    # the bench containers have no network: give the document an interface, as most have
    doc["networks"] = {"eth0": {"rx_bytes": 1000, "tx_bytes": 1000, "rx_packets": 1, "tx_packets": 1}}
    doc.setdefault("pids_stats", {"current": 2})
    return doc


def _fill_hub(hub: StatsHub, ids: list[str], doc: dict) -> int:
    """60 samples per container through ``sample_from``, every number a distinct object as in life."""
    t0 = time.time() - RING
    cpu, pre, mem, net = doc["cpu_stats"], doc["precpu_stats"], doc["memory_stats"], doc["networks"]["eth0"]
    n = 0
    for ci, cid in enumerate(ids):
        ring: deque = deque(maxlen=RING)
        prev = None
        for k in range(RING):
            pre["cpu_usage"]["total_usage"] = cpu["cpu_usage"]["total_usage"]
            pre["system_cpu_usage"] = cpu["system_cpu_usage"]
            cpu["cpu_usage"]["total_usage"] += 1_000_000 + ci + k
            cpu["system_cpu_usage"] += 2_000_000_000 + k
            mem["usage"] = (1 << 20) + ci * 4096 + k * 7
            net["rx_bytes"] += 1000 + k
            net["tx_bytes"] += 500 + k
            prev = sample_from(doc, prev, now=t0 + k)
            ring.append(prev)
            n += 1
        hub._rings[cid] = ring
    return n


def bench_memory(eng: BenchEngine, res: dict) -> None:
    client = eng.client()
    doc = _stats_doc(client)
    api = client.api_version
    ids = [f"{i:064x}" for i in range(1000)]
    fig, base = res["figures"], res["baseline"]

    def measure(trace: bool) -> dict[str, int]:
        out: dict[str, int] = {}
        gc.collect()
        if trace:
            tracemalloc.start()
        cur = (lambda: tracemalloc.get_traced_memory()[0]) if trace else rss_bytes

        gc.collect()
        m0 = cur()
        parsed = json.loads(raw_get(f"/v{api}/containers/json?all=1"))
        gc.collect()
        out["parsed_list"] = cur() - m0
        n = len(parsed)
        del parsed

        gc.collect()
        m0 = cur()
        store = Store(EngineClient(eng.host))
        store.start()
        store.wait_loaded(30)
        time.sleep(0.2)
        gc.collect()
        out["store"] = cur() - m0
        out["containers"] = len(store.snapshot("containers"))
        store.stop()
        store.client.close()
        del store

        gc.collect()
        m0 = cur()
        hub = StatsHub(None)
        out["samples"] = _fill_hub(hub, ids, doc)
        gc.collect()
        out["stats_hub"] = cur() - m0

        gc.collect()
        m0 = cur()
        plain = {cid: deque((dataclasses.astuple(s) for s in ring), maxlen=RING) for cid, ring in hub._rings.items()}
        gc.collect()
        out["plain_tuples"] = cur() - m0
        del plain, hub
        if trace:
            tracemalloc.stop()
        out["list_rows"] = n
        return out

    rss = measure(trace=False)
    tm = measure(trace=True)
    n = tm["containers"] or 1
    fig["store_tracemalloc_bytes"] = tm["store"]
    fig["store_bytes_per_container"] = tm["store"] / n
    fig["store_rss_delta_bytes"] = rss["store"]
    fig["statshub_samples"] = tm["samples"]
    fig["statshub_tracemalloc_bytes"] = tm["stats_hub"]
    fig["statshub_bytes_per_sample"] = tm["stats_hub"] / max(1, tm["samples"])
    fig["statshub_rss_delta_bytes"] = rss["stats_hub"]
    fig["store_plus_statshub_tracemalloc_bytes"] = tm["store"] + tm["stats_hub"]
    base["parsed_containers_json_tracemalloc_bytes"] = tm["parsed_list"]
    base["samples_as_plain_tuples_tracemalloc_bytes"] = tm["plain_tuples"]
    res["ratios"]["store / parsed list response (memory)"] = ratio(tm["store"], tm["parsed_list"])
    res["ratios"]["statshub / plain tuples (memory)"] = ratio(tm["stats_hub"], tm["plain_tuples"])
    res["notes"].append("store memory covers every kind the store lists (images, networks, volumes too) plus its summaries")
    client.close()


# --------------------------------------------------------------------------- 5. events applied


class _SyntheticEvents:
    """An ``/events`` stream: once started, it yields the events (already decoded: the decoder is
    measured on its own above); each flips its container's row in the stub's dict first (as a real
    event follows a real change); then it waits to be closed, like a quiet engine."""

    def __init__(self, events: list[dict], rows: dict[str, dict], variants: dict[str, tuple[dict, dict]]) -> None:
        self.events, self.rows, self.variants = events, rows, variants
        self.go = threading.Event()
        self.closed = threading.Event()
        self.t_go = 0.0

    def __iter__(self):
        self.go.wait()
        if self.closed.is_set():
            return
        flips = dict.fromkeys(self.variants, 0)
        rows, variants = self.rows, self.variants
        self.t_go = time.perf_counter()
        for e in self.events:
            cid = e["Actor"]["ID"]
            flips[cid] += 1
            rows[cid] = variants[cid][flips[cid] & 1]
            yield e
        self.closed.wait()

    def close(self) -> None:
        self.closed.set()
        self.go.set()


class _StubbedClient:
    """The real client for everything but the container list (answered from a local dict of the
    engine's real list rows) and ``/events`` (synthetic)."""

    def __init__(self, real: EngineClient, rows: dict[str, dict], stream: Any = None) -> None:
        self._real, self.rows, self.stream = real, rows, stream
        self.list_calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def containers(self, all: bool = True, filters: dict | None = None, **_: Any) -> list[dict]:  # noqa: A002 - the client's signature
        self.list_calls += 1
        ids = (filters or {}).get("id")
        if ids:
            return [self.rows[i] for i in ids if i in self.rows]
        return list(self.rows.values())

    def events(self, since: float | None = None, **_: Any) -> Any:
        return self.stream


def _event_material(client: EngineClient) -> tuple[dict[str, dict], dict[str, tuple[dict, dict]], list[str]]:
    """The workload's real list rows, and for each a flipped twin (running <-> exited)."""
    rows = {r["Id"]: r for r in client.containers(all=True, filters={"label": f"{workload.LABEL}={workload.WORKLOAD}"})}
    variants = {}
    for cid, r in rows.items():
        flipped = dict(r)
        if r.get("State") == "running":
            flipped["State"], flipped["Status"] = "exited", "Exited (137) Less than a second ago"
        else:
            flipped["State"], flipped["Status"] = "running", "Up Less than a second"
        variants[cid] = (r, flipped)
    return rows, variants, sorted(rows)


def _event_doc(cid: str, k: int, row: dict) -> dict:
    """A container event as the engine sends it (``die`` when the flip leaves it exited, else ``start``)."""
    action = "start" if (k & 1) == (row.get("State") == "running") else "die"
    attrs = {"image": row.get("Image", ""), "name": ((row.get("Names") or ["/x"])[0]).lstrip("/"), **(row.get("Labels") or {})}
    if action == "die":
        attrs["exitCode"] = "137"
    now = time.time_ns()
    return {"status": action, "id": cid, "from": row.get("Image", ""), "Type": "container", "Action": action,
            "Actor": {"ID": cid, "Attributes": attrs}, "scope": "local", "time": now // 10**9, "timeNano": now}


def _instrument(store: Store) -> dict[str, Any]:
    """Count the events ``_apply`` takes and stamp the end of the ``_publish`` after it (instance attributes)."""
    st: dict[str, Any] = {"applied": 0, "batches": 0, "done_at": None, "want": None, "publishes": 0}
    apply, publish = store._apply, store._publish

    def counting_apply(events: list[dict]) -> StoreChange:
        ch = apply(events)
        st["applied"] += len(events)
        st["batches"] += 1
        return ch

    def stamping_publish(change: StoreChange) -> None:
        publish(change)
        st["publishes"] += 1
        if st["want"] is not None and st["done_at"] is None and st["applied"] >= st["want"]:
            st["done_at"] = time.perf_counter()

    store._apply = counting_apply  # type: ignore[method-assign]
    store._publish = stamping_publish  # type: ignore[method-assign]
    return st


def _app_like_subscriber() -> Any:
    """What DockuiApp does on the watcher thread: merge the change into the pending one, under a lock."""
    lock = threading.Lock()
    box = {"pending": StoreChange()}

    def on_change(ch: StoreChange) -> None:
        with lock:
            box["pending"] = box["pending"].merge(ch)

    return on_change


def bench_apply(eng: BenchEngine, res: dict) -> None:
    real = eng.client()
    fig = res["figures"]
    try:
        rows, variants, ids = _event_material(real)
        if not ids:
            raise RuntimeError("no workload containers")
        rnd = random.Random(3)
        docs = []
        flips = dict.fromkeys(ids, 0)
        for _ in range(FLOOD_EVENTS):
            cid = ids[rnd.randrange(len(ids))]
            flips[cid] += 1
            docs.append(json.loads(json.dumps(_event_doc(cid, flips[cid], variants[cid][0]))))  # as decoded from the wire

        # a. flood through a running store
        stream = _SyntheticEvents(docs, dict(rows), variants)
        client = _StubbedClient(real, stream.rows, stream)
        store = Store(client)  # type: ignore[arg-type]
        store.subscribe(_app_like_subscriber())
        st = _instrument(store)
        store.start()
        if not store.wait_loaded(30):
            raise RuntimeError("store did not load")
        held = sum(1 for cid in ids if cid in store.snapshot("containers"))
        time.sleep(0.3)
        v0, calls0 = store.version("containers"), client.list_calls
        st["want"] = st["applied"] + FLOOD_EVENTS
        stream.go.set()
        deadline = time.monotonic() + 120
        while st["done_at"] is None and time.monotonic() < deadline:
            time.sleep(0.01)
        store.stop()
        if st["done_at"] is None:
            raise RuntimeError(f"the store applied {st['applied']} of {FLOOD_EVENTS} events in 120 s")
        elapsed = st["done_at"] - stream.t_go
        fig["events_applied_per_s"] = FLOOD_EVENTS / elapsed
        fig["events_flood_n"] = FLOOD_EVENTS
        fig["events_flood_s"] = elapsed
        fig["events_flood_ids"] = len(ids)
        fig["events_flood_ids_held_by_store"] = held
        fig["events_flood_batches"] = st["batches"]
        fig["events_flood_container_versions"] = store.version("containers") - v0
        fig["events_flood_list_calls"] = client.list_calls - calls0

        # b. fixed batches, called directly on a loaded store (no threads)
        store = Store(_StubbedClient(real, dict(rows)))  # type: ignore[arg-type]
        store._publish(store._replace("containers", store._list("containers")))
        store.subscribe(_app_like_subscriber())
        docs = docs[:20_000]
        flips = dict.fromkeys(ids, 0)
        stub_rows = store.client.rows
        for size in BATCH_SIZES:
            n, spent, i = 0, 0.0, 0
            while spent < 0.5 and n < 20_000:
                batch = docs[i : i + size] if i + size <= len(docs) else docs[:size]
                i = (i + size) % len(docs)
                for e in batch:
                    cid = e["Actor"]["ID"]
                    flips[cid] += 1
                    stub_rows[cid] = variants[cid][flips[cid] & 1]
                t0 = time.perf_counter()
                store._publish(store._apply(batch))
                spent += time.perf_counter() - t0
                n += len(batch)
                store._recheck.clear()  # no watcher here to run them
            fig[f"events_applied_per_s_batch_{size}"] = n / spent
            fig[f"apply_ms_per_batch_of_{size}"] = 1000 * spent / (n / size)
    finally:
        real.close()
    res["notes"].append(f"events applied: synthetic container events for the {len(ids)} workload containers through "
                        "Store._apply/_publish; the engine re-read stubbed by a local dict of the real list rows (each "
                        "event flips its row there, so every re-read is a real change); flood = a running store on a "
                        f"synthetic /events stream of {FLOOD_EVENTS:,} decoded events (decoding: see decoder_*)")


# --------------------------------------------------------------------------- previous run


def compare_previous(prev: dict | None, res: dict) -> None:
    """Issue 3: the headline figures beside those of the previous run kept in the repo."""
    rows = []
    pf = (prev or {}).get("figures") or {}
    for key, what, higher in COMPARED:
        now, before = res["figures"].get(key), pf.get(key)
        change = None
        if isinstance(now, (int, float)) and isinstance(before, (int, float)) and before:
            change = (now - before) / before
        better = None if change is None else (change > 0) == higher
        rows.append({"figure": key, "what": what, "previous": before, "now": now, "change": change, "better": better})
    res["previous_run"] = {"date": (prev or {}).get("date"), "commit_note": "bench/results/bench_store.json before this run",
                           "figures": rows}
    f = res["figures"]
    res["targets"] = {
        "events applied per s >= 20,000": f.get("events_applied_per_s", 0) >= TARGET_EVENTS_PER_S,
        "memory 1,000 containers x 60 samples < 50 MB": (f.get("store_plus_statshub_tracemalloc_bytes") or 1e18) < TARGET_MEMORY_BYTES,
    }


def _fmt(figure: str, v: Any) -> str:
    if v is None:
        return "-"
    if "bytes" in figure:
        return f"{v / 1e6:.1f} MB" if v >= 10_000 else f"{v:.0f} B"
    return f"{v:,.0f}" if v >= 1000 else f"{v:.3g}"


def print_previous(res: dict, file=sys.stdout) -> None:
    prev = res.get("previous_run") or {}
    print(f"\n-- bench_store against the previous run ({prev.get('date') or 'none kept'})", file=file)
    for r in prev.get("figures") or []:
        ch = "" if r["change"] is None else f"{r['change'] * 100:+.0f} %" + (" (better)" if r["better"] else " (worse)")
        was, now = _fmt(r["figure"], r["previous"]), _fmt(r["figure"], r["now"])
        print(f"   {r['what']:<52} {was:>12} -> {now:>12}  {ch}", file=file)
    for what, ok in (res.get("targets") or {}).items():
        print(f"   target {what}: {'PASS' if ok else 'MISS'}", file=file)


def run(eng: BenchEngine, res: dict | None = None) -> dict[str, Any]:
    prev = load_result(NAME)  # the previous run kept in the repo, before this run overwrites it
    res = res or new_result(NAME, "Store load, event-to-snapshot delay, events decoding, memory, events applied (1,000 containers)",
                            eng.version)
    log("bench_store: memory")
    bench_memory(eng, res)
    log("bench_store: load")
    bench_load(eng, res)
    log("bench_store: event-to-snapshot")
    events = bench_events(eng, res)
    log("bench_store: decoding")
    bench_decode(events, res)
    log("bench_store: events applied")
    bench_apply(eng, res)
    compare_previous(prev, res)
    return res


def main(argv: list[str] | None = None) -> int:
    args = base_parser(__doc__.splitlines()[0]).parse_args(argv)
    with bench_engine(keep=args.keep) as eng:
        try:
            workload.ensure(eng)
            res = run(eng)
        finally:
            if not args.keep:
                workload.remove(eng)
    print_table(res)
    print_previous(res)
    write_result(NAME, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
