"""The fleet store (dockui/fleet): several real engines composed into one Store interface.

Engines: the sandbox's main node and its second node (each its own API socket)."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from dockui.engine import EngineClient
from dockui.engine.transport import Endpoint
from dockui.fleet.engines import EngineSpec, fleet_specs
from dockui.fleet.store import build

MAIN = "unix:///var/tmp/dockui-sandbox/docker.sock"
N2 = "unix:///var/tmp/dockui-sandbox/n2/docker.sock"
IMAGE = "dockui/busybox:latest"


def wait_for(pred, timeout: float = 30.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(every)
    return pred()


@pytest.fixture
def two():
    if not Path(N2[len("unix://"):]).exists():
        pytest.skip("the sandbox's node 2 is not up (scripts/sandbox up --nodes 2)")
    fleet = build([EngineSpec("one", Endpoint(MAIN), "--host"), EngineSpec("two", Endpoint(N2), "--host")], timeout=10)
    fleet.start()
    assert fleet.wait_loaded(30, every=True)
    yield fleet
    fleet.stop()


def _busybox(host: str) -> EngineClient:
    c = EngineClient(host, timeout=30)
    try:
        c.inspect_image(IMAGE)
    except Exception:  # noqa: BLE001
        pytest.skip(f"{IMAGE} not on {host}")
    return c


def test_the_fleet_snapshot_holds_both_engines_rows_keyed_engine_slash_id(two):
    snap = two.snapshot("containers")
    for m in two.live:  # every row of each engine's own store, under its prefix
        own = m.store.snapshot("containers")
        assert {k for k in snap if k.startswith(m.name + "/")} == {f"{m.name}/{i}" for i in own}
    # and the stores hold what the engines list (other tests create containers meanwhile: the stable ones)
    listed = {c["Id"] for c in EngineClient(N2).containers(all=True)}
    assert wait_for(lambda: listed <= {k[4:] for k in two.snapshot("containers") if k.startswith("two/")}, 10)
    snap = two.snapshot("containers")
    for rid, row in snap.items():
        assert row["Engine"] == rid.split("/", 1)[0]
        assert rid.endswith("/" + row["Id"])  # the row keeps its engine's own id
    # cached: the same object while nothing changed
    assert two.snapshot("containers") is snap
    assert two.version("containers") == sum(m.store.version("containers") for m in two.live)
    # counts are summed
    assert two.counts.get("running", 0) == sum(m.store.counts.get("running", 0) for m in two.live)
    assert [s.status for s in two.states()] == ["connected", "connected"]


def test_a_change_on_one_engine_reaches_the_fleet_prefixed_and_copies_only_its_rows(two):
    c2 = _busybox(N2)
    before = two.snapshot("containers")
    one_before = two.by_name["one"].store.snapshot("containers")
    seen = []
    unsub = two.subscribe(seen.append)
    name = f"dockui-fleet-{uuid.uuid4().hex[:8]}"
    cid = c2.create_container(IMAGE, ["sleep", "600"], name=name)["Id"]
    try:
        assert wait_for(lambda: ("two/" + cid) in two.snapshot("containers"))
        after = two.snapshot("containers")
        # rows the other engine did not replace are the very same objects (their cells stay cached on screen)
        one_after = two.by_name["one"].store.snapshot("containers")
        kept = [oid for oid, row in one_before.items() if one_after.get(oid) is row]
        assert kept
        for oid in kept:
            assert after["one/" + oid] is before["one/" + oid]
        assert wait_for(lambda: any("two/" + cid in ch.added.get("containers", ()) for ch in seen))
        assert not any(i.startswith("one/") for ch in seen for i in ch.added.get("containers", ()))
        assert two.get("containers", "two/" + cid)["Name"] == name
        assert two.get("containers", cid)["Engine"] == "two"  # a raw id finds its engine
        snap = two.snapshot("containers")  # and in the snapshot: kind code written for one engine holds raw ids
        assert cid in snap and snap[cid]["Engine"] == "two" and snap.get(cid) is snap["two/" + cid]
        assert "nope" not in snap and snap.get("nope") is None
        client, raw = two.route("two/" + cid)
        assert raw == cid and client.endpoint.url == N2
        # the fleet client routes a call by the row id, exec ids included
        fc = two.client
        assert fc.inspect_container("two/" + cid)["Name"] == "/" + name
        fc.start("two/" + cid)
        assert wait_for(lambda: (two.get("containers", "two/" + cid) or {}).get("State") == "running")
        ex = fc.exec_create("two/" + cid, ["true"])
        assert ex["Id"].startswith("two/")
        fc.exec_start(ex["Id"])
        assert fc.exec_inspect(ex["Id"])["ContainerID"] == cid
    finally:
        unsub()
        c2.remove_container(cid, force=True)
    assert wait_for(lambda: ("two/" + cid) not in two.snapshot("containers"))


# --- which engines: contexts, hosts, and what is wrong with each (files only, no engine) ----------
def _context(cfg: Path, name: str, host: str, tls: dict[str, str] | None = None) -> None:
    import hashlib

    digest = hashlib.sha256(name.encode()).hexdigest()
    d = cfg / "contexts" / "meta" / digest
    d.mkdir(parents=True)
    (d / "meta.json").write_text(json.dumps({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host}}}))
    if tls is not None:
        t = cfg / "contexts" / "tls" / digest / "docker"
        t.mkdir(parents=True)
        for f, text in tls.items():
            (t / f).write_text(text)


def test_fleet_specs_report_a_malformed_context_missing_tls_and_an_unknown_name(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.setenv("DOCKER_HOST", MAIN)
    for v in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS"):
        monkeypatch.delenv(v, raising=False)
    _context(tmp_path, "n2", N2)
    _context(tmp_path, "main-again", MAIN)  # the default context's engine once more: listed once
    _context(tmp_path, "notls", "tcp://127.0.0.1:2376", tls={"cert.pem": "x"})
    bad = tmp_path / "contexts" / "meta" / ("f" * 64)
    bad.mkdir(parents=True)
    (bad / "meta.json").write_text("{not json")
    specs = {s.name: s for s in fleet_specs(all_contexts=True)}
    assert specs["default"].endpoint.url == MAIN and not specs["default"].error
    assert specs["n2"].endpoint.url == N2 and not specs["n2"].error
    assert "main-again" not in specs
    assert "TLS material missing: key.pem" in specs["notls"].error
    bad_one = next(s for s in specs.values() if s.source == "context file")
    assert "malformed context file" in bad_one.error and "meta.json" in bad_one.error
    named = fleet_specs(contexts=["n2", "nope"], hosts=["x=unix:///nowhere.sock", "tcp://[bad"])
    assert [s.name for s in named[:3]] == ["n2", "nope", "x"]
    assert "no docker context named 'nope'" in named[1].error
    assert named[3].error.startswith("malformed address")


def test_every_running_container_of_every_engine_is_sampled_by_its_own_engine(two):
    """The sampler reads one endpoint: each engine has its own, so a container of engine two that
    is not on screen (no stream) still gets figures, by fleet id and by raw id."""
    c2 = _busybox(N2)
    cid = c2.create_container(IMAGE, ["sh", "-c", "while :; do :; done"], name=f"dockui-fleet-busy-{uuid.uuid4().hex[:6]}")["Id"]
    c2.start(cid)
    stats = two.make_stats()
    try:
        stats.start()
        assert wait_for(lambda: ("two/" + cid) in two.snapshot("containers"), 20)
        s = wait_for(lambda: stats.latest("two/" + cid), 30)
        assert s is not None and not stats.streaming()  # sampled, not streamed
        assert stats.latest(cid) is s  # a cell asks by the row's raw Id
        assert "two/" + cid in stats.running_ids()
        cpu, mem, n = stats.totals(["two/" + cid])
        assert n == 1 and mem > 0
    finally:
        stats.close()
        c2.remove_container(cid, force=True)
