"""Local cgroup reads (dockui/store/cgroups.py): the sampler's documents read from the host's
cgroup files equal what the engine reports for the same container, the engine is asked only when
the files are not dockui's to read, and a local sample never makes a network or disk rate up."""

from __future__ import annotations

import os
import threading
import time

from dockui.engine import EngineClient
from dockui.store import StatsHub, Store
from dockui.store.cgroups import LOCAL_KEY, CgroupReader, parse_mountinfo, parse_proc_cgroup
from dockui.store.sampler import Sampler
from dockui.store.stats import sample_from

from .test_ranked import busy_and_idle

BUSY = "renice -n 19 $$ >/dev/null 2>&1; while :; do :; done"

MOUNTINFO_V1 = """\
25 30 0:23 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw
31 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:14 - cgroup cgroup rw,cpu,cpuacct
32 25 0:30 / /sys/fs/cgroup/memory rw,nosuid shared:15 - cgroup cgroup rw,memory
33 25 0:31 /inner /sys/fs/cgroup/pids rw,nosuid shared:16 - cgroup cgroup rw,pids
"""


def test_parsing_mounts_and_a_process_cgroup_file():
    v1, v2 = parse_mountinfo(MOUNTINFO_V1)
    assert v1 == {"cpuacct": ("/", "/sys/fs/cgroup/cpu,cpuacct"), "memory": ("/", "/sys/fs/cgroup/memory"),
                  "pids": ("/inner", "/sys/fs/cgroup/pids")}
    assert v2 == ("/", "/sys/fs/cgroup/unified")
    assert parse_mountinfo("40 1 0:40 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n") == ({}, ("/", "/sys/fs/cgroup"))
    lines, unified = parse_proc_cgroup("4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n0::/system.slice/x\nbad line\n")
    assert lines == {"memory": "/docker/abc", "cpu": "/docker/abc", "cpuacct": "/docker/abc"}
    assert unified == "/system.slice/x"


def test_a_local_document_equals_the_engines(client: EngineClient, make_container):
    """Same container, same moment: the cgroup files give the engine's counters (CPU time between
    two engine reads, memory, limit, pids), and a CPU figure from two local reads is the one the
    engine's documents give (a busy loop, niced, on a loaded 2-CPU machine: well above 5 %)."""
    busy = make_container(BUSY)
    reader = CgroupReader(client.inspect_container)
    before = client.stats(busy, stream=False, one_shot=True)
    local = reader.read(busy)
    after = client.stats(busy, stream=False, one_shot=True)
    assert local is not None and reader.usable is True, "this engine's containers are on this host"
    assert local[LOCAL_KEY] is True and not local["read"].startswith("0001")
    lo, hi = before["cpu_stats"]["cpu_usage"]["total_usage"], after["cpu_stats"]["cpu_usage"]["total_usage"]
    assert lo <= local["cpu_stats"]["cpu_usage"]["total_usage"] <= hi
    assert local["memory_stats"]["limit"] == after["memory_stats"]["limit"]
    assert local["pids_stats"] == after["pids_stats"]
    assert abs(local["memory_stats"]["usage"] - after["memory_stats"]["usage"]) < 4 * 1024 * 1024
    hub = StatsHub(None)
    hub.ingest(busy, local)
    time.sleep(1.5)
    s = hub.ingest(busy, reader.read(busy))
    assert s is not None and s.cpu > 5, s
    # the next container is found from the first one's path (no inspect), and a gone one is None
    other = make_container()
    calls: list[str] = []
    spy = CgroupReader(lambda cid: calls.append(cid) or client.inspect_container(cid))
    assert spy.read(busy) is not None and calls == [busy]
    assert spy.read(other) is not None and calls == [busy]
    client.stop(other, timeout=0)
    assert spy.read(other) is None


def test_a_host_that_does_not_hold_the_containers_is_asked_nothing_more(client: EngineClient, make_container):
    """dockui in a container with the socket mounted, or an engine elsewhere: the pid that inspect
    gives is not the container's here (its cgroup file does not name the id). The reader gives
    up at once and for good; the sampler asks the engine, as before."""
    cid = make_container()
    reader = CgroupReader(lambda c: {"State": {"Pid": os.getpid()}})  # a process of this host, not the container
    assert reader.read(cid) is None and reader.usable is False
    assert reader.read(cid) is None
    gone = CgroupReader(lambda c: {"State": {"Pid": 2**22 + 7}})  # no such process
    assert gone.read(cid) is None and gone.usable is False


def test_a_local_sample_carries_the_network_and_disk_totals_instead_of_a_rate():
    """The cgroup files give no network or block IO counters. A local sample keeps the previous
    totals with rates of 0; the next engine sample measures its rates since those totals were
    read, not against zero (that was a jump of every byte the container ever sent)."""

    def api(t: float, rx: int) -> dict:
        return {"read": "2026-12-05T00:00:00Z", "cpu_stats": {}, "memory_stats": {"usage": 1, "limit": 2},
                "networks": {"eth0": {"rx_bytes": rx, "tx_bytes": 0}}}

    first = sample_from(api(0, 1_000_000), None, now=100.0)
    local = sample_from({"read": "x", LOCAL_KEY: True, "memory_stats": {"usage": 1, "limit": 2}}, first, now=105.0)
    assert local.net_rx == 0.0 and local.net_rx_total == 1_000_000 and local.totals_t == 100.0
    after = sample_from(api(0, 1_010_000), local, now=110.0)
    assert after.net_rx == 1_000.0  # 10,000 bytes over the 10 s since the totals were read
    lone = sample_from({"read": "x", LOCAL_KEY: True, "memory_stats": {}}, None, now=1.0)
    assert sample_from(api(0, 5_000_000), lone, now=2.0).net_rx == 0.0  # no totals before: no rate


def test_the_sampler_reads_the_cgroup_files_not_the_engine(client: EngineClient, make_container):
    """On the engine's own host the sampler's samples come from the cgroup files: no stats request
    reaches the engine, and the busy container still shows busy. DOCKUI_CGROUPS=0 (local=None)
    asks the engine, as before."""
    busy = make_container(BUSY)
    idle = make_container()
    store = Store(client.clone())
    store.start()
    hub = StatsHub(client.clone(), on_sample=lambda cid: None, store=store)
    try:
        assert store.wait_loaded(20)
        hub.start()
        b, i = busy_and_idle(hub, busy, idle)
        assert b is not None and b.cpu > 5 and i is not None and i.mem > 0, (b, i)
        assert hub.sampler.local_reads >= 4 and hub.sampler.requests == 0
    finally:
        hub.close()
    got: dict[str, dict] = {}
    done = threading.Event()

    def put(cid: str, doc: dict) -> float:
        got[cid] = doc
        if {busy, idle} <= set(got):
            done.set()
        return 0.0

    plain = Sampler(client.clone(), running=lambda: [busy, idle], streamed=set, put=put, local=None)
    plain.start()
    try:
        assert done.wait(10)
        assert plain.requests >= 2 and plain.local_reads == 0 and LOCAL_KEY not in got[busy]
    finally:
        plain.close()
        store.stop()
