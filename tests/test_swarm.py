"""Swarm calls and the Store's swarm kinds against the sandbox's 2-node swarm (``scripts/sandbox up --nodes 2``).

Every service made here is labelled ``dockui.test=1``, has a unique name, and is removed after its
test even when the test fails. Waits poll with deadlines; nothing sleeps for long.
"""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dockui.engine import APIError, EngineClient, NotFound
from dockui.engine.streams import LineSplitter
from dockui.store import Store

from .conftest import IMAGE

ROOT = Path(__file__).resolve().parent.parent
SEC = 1_000_000_000  # swarm durations are in nanoseconds


def wait_for(what: str, fn: Callable[[], Any], timeout: float = 30, every: float = 0.2) -> Any:
    """Poll ``fn`` until it returns something truthy; fail with ``what`` and the last value."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = fn()
        except (APIError, KeyError) as exc:  # an object mid-update can be briefly missing
            last = exc
        else:
            if last:
                return last
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}; last: {last!r}")
        time.sleep(every)


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def swarm(client: EngineClient) -> EngineClient:
    """The sandbox client, once its swarm has two Ready nodes (starting the second if needed)."""
    def ready() -> int:
        try:
            return sum(1 for n in client.nodes() if n["Status"]["State"] == "ready")
        except APIError:
            return 0

    if ready() < 2:
        r = subprocess.run([str(ROOT / "scripts" / "sandbox"), "up", "--nodes", "2"], capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr[-2000:]
    wait_for("two Ready swarm nodes", lambda: ready() >= 2, timeout=60)
    return client


@pytest.fixture
def services(swarm: EngineClient):
    """``make(name_suffix, **spec options)`` creates a service; all are removed after the test."""
    made: list[str] = []

    def make(replicas: int = 2, command: list[str] | None = None, env: list[str] | None = None, **extra: Any) -> str:
        spec = service_spec("dockui-t-sw-" + uuid.uuid4().hex[:8], replicas, command, env)
        spec.update(extra)
        sid = swarm.create_service_from_spec(spec)["ID"]
        made.append(sid)
        return sid

    yield make
    for sid in made:
        try:
            swarm.remove_service(sid)
        except NotFound:
            pass
    # their containers stop within the grace period; wait so later tests see a calm swarm
    deadline = time.monotonic() + 15
    while made and time.monotonic() < deadline:
        if not any(t.get("ServiceID") in made for t in swarm.tasks()):
            break
        time.sleep(0.2)


def service_spec(name: str, replicas: int = 2, command: list[str] | None = None, env: list[str] | None = None) -> dict:
    fast = {"Parallelism": 0, "Delay": 0, "Monitor": SEC // 2, "FailureAction": "pause", "Order": "stop-first"}
    return {
        "Name": name,
        "Labels": {"dockui.test": "1"},
        "TaskTemplate": {
            "ContainerSpec": {"Image": IMAGE, "Command": command or ["sleep", "100000"], "Env": env or [],
                              "Init": True, "StopGracePeriod": SEC},
            "RestartPolicy": {"Condition": "any", "Delay": SEC // 5},
        },
        "Mode": {"Replicated": {"Replicas": replicas}},
        "UpdateConfig": dict(fast),
        "RollbackConfig": dict(fast),
    }


def running_tasks(c: EngineClient, sid: str) -> list[dict]:
    """The service's tasks that should run and do."""
    return [t for t in c.tasks(filters={"service": sid, "desired-state": "running"}) if t["Status"]["State"] == "running"]


def settled(c: EngineClient, sid: str, n: int) -> list[dict] | None:
    """The running tasks once exactly ``n`` run and nothing else is meant to (old tasks gone)."""
    want = c.tasks(filters={"service": sid, "desired-state": "running"})
    run = [t for t in want if t["Status"]["State"] == "running"]
    return run if len(run) == n == len(want) else None


def update_node(c: EngineClient, node_id: str, **changes: Any) -> None:
    """Change a node's spec, retrying when someone else updated it meanwhile."""
    for attempt in range(10):
        node = c.inspect_node(node_id)
        spec = dict(node["Spec"], **changes)
        try:
            c.update_node(node_id, node["Version"]["Index"], spec)
            return
        except APIError as exc:
            if "out of sequence" not in exc.explanation or attempt == 9:
                raise
            time.sleep(0.1)


# ---------------------------------------------------------------- nodes
def test_nodes_lists_two_ready_nodes(swarm: EngineClient):
    nodes = swarm.nodes()
    ready = [n for n in nodes if n["Status"]["State"] == "ready"]
    assert len(ready) >= 2
    hostnames = {n["Description"]["Hostname"] for n in ready}
    assert len(hostnames) == len(ready), "each node has its own hostname"
    roles = {n["Spec"]["Role"] for n in ready}
    assert roles == {"manager", "worker"}
    leader = [n for n in ready if (n.get("ManagerStatus") or {}).get("Leader")]
    assert len(leader) == 1
    assert swarm.inspect_node(leader[0]["ID"])["ID"] == leader[0]["ID"]
    assert swarm.inspect_swarm()["ID"]


# ---------------------------------------------------------------- services
def test_replicated_service_spreads_over_both_nodes(swarm: EngineClient, services):
    sid = services(replicas=2)
    svc = swarm.inspect_service(sid)
    assert svc["Spec"]["Labels"] == {"dockui.test": "1"}
    run = wait_for("2 running tasks", lambda: settled(swarm, sid, 2))
    ready = {n["ID"] for n in swarm.nodes() if n["Status"]["State"] == "ready" and n["Spec"]["Availability"] == "active"}
    assert {t["NodeID"] for t in run} == ready, "one task on each node"
    listed = {s["ID"]: s for s in swarm.services(filters={"label": "dockui.test=1"})}
    assert sid in listed
    wait_for("ServiceStatus 2/2", lambda: (swarm.services(filters={"id": sid}, status=True)[0].get("ServiceStatus") or {}).get("RunningTasks") == 2)
    assert swarm.services(filters={"id": sid}, status=True)[0]["ServiceStatus"]["DesiredTasks"] == 2


def test_scale_service_up_and_down(swarm: EngineClient, services):
    sid = services(replicas=1)
    wait_for("1 running task", lambda: settled(swarm, sid, 1))
    swarm.scale_service(sid, 4)
    assert swarm.inspect_service(sid)["Spec"]["Mode"]["Replicated"]["Replicas"] == 4
    wait_for("4 running tasks", lambda: settled(swarm, sid, 4))
    swarm.scale_service(sid, 1)
    wait_for("1 running task after scaling down", lambda: settled(swarm, sid, 1))
    status = wait_for("ServiceStatus 1/1", lambda: (lambda s: s if s.get("RunningTasks") == 1 else None)(
        swarm.services(filters={"id": sid}, status=True)[0].get("ServiceStatus") or {}))
    assert status["DesiredTasks"] == 1


def test_scale_refuses_a_global_service(swarm: EngineClient, services):
    sid = services(Mode={"Global": {}})
    with pytest.raises(ValueError):
        swarm.scale_service(sid, 3)


def test_force_update_replaces_tasks(swarm: EngineClient, services):
    sid = services(replicas=2)
    before = {t["ID"] for t in wait_for("2 running tasks", lambda: settled(swarm, sid, 2))}
    force = swarm.inspect_service(sid)["Spec"]["TaskTemplate"].get("ForceUpdate", 0)
    swarm.force_update_service(sid)
    assert swarm.inspect_service(sid)["Spec"]["TaskTemplate"]["ForceUpdate"] == force + 1
    after = wait_for("2 new running tasks", lambda: (lambda r: r if r and not {t["ID"] for t in r} & before else None)(
        settled(swarm, sid, 2)))
    assert len(after) == 2


def test_rollback_after_an_update(swarm: EngineClient, services):
    sid = services(replicas=1, env=["DOCKUI_REV=1"])
    wait_for("1 running task", lambda: settled(swarm, sid, 1))
    with pytest.raises(APIError):  # nothing to roll back to yet
        swarm.rollback_service(sid)

    def env_of_running() -> list[str] | None:
        run = settled(swarm, sid, 1)
        return run[0]["Spec"]["ContainerSpec"].get("Env") if run else None

    cur = swarm.inspect_service(sid)
    spec = cur["Spec"]
    spec["TaskTemplate"]["ContainerSpec"]["Env"] = ["DOCKUI_REV=2"]
    swarm.update_service_spec(sid, cur["Version"]["Index"], spec)
    wait_for("the updated task", lambda: env_of_running() == ["DOCKUI_REV=2"])
    wait_for("update completed", lambda: (swarm.inspect_service(sid).get("UpdateStatus") or {}).get("State") == "completed")

    swarm.rollback_service(sid)
    svc = swarm.inspect_service(sid)
    assert svc["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"] == ["DOCKUI_REV=1"]
    wait_for("the rolled-back task", lambda: env_of_running() == ["DOCKUI_REV=1"])
    wait_for("rollback completed",
             lambda: (swarm.inspect_service(sid).get("UpdateStatus") or {}).get("State") == "rollback_completed")


def test_drain_and_activate_the_worker(swarm: EngineClient, services):
    nodes = swarm.nodes()
    worker = next(n for n in nodes if n["Spec"]["Role"] == "worker" and n["Status"]["State"] == "ready")
    manager = next(n for n in nodes if n["Spec"]["Role"] == "manager")
    sid = services(replicas=2)
    run = wait_for("2 running tasks", lambda: settled(swarm, sid, 2))
    assert worker["ID"] in {t["NodeID"] for t in run}
    try:
        update_node(swarm, worker["ID"], Availability="drain")
        assert swarm.inspect_node(worker["ID"])["Spec"]["Availability"] == "drain"
        wait_for("both tasks on the manager", lambda: (lambda r: r and {t["NodeID"] for t in r} == {manager["ID"]})(
            settled(swarm, sid, 2)))
    finally:
        update_node(swarm, worker["ID"], Availability="active")
    assert swarm.inspect_node(worker["ID"])["Spec"]["Availability"] == "active"
    # the scheduler does not move running tasks back; new ones go where there are fewest
    swarm.scale_service(sid, 4)
    run = wait_for("4 running tasks", lambda: settled(swarm, sid, 4))
    assert worker["ID"] in {t["NodeID"] for t in run}


def test_service_logs(swarm: EngineClient, services):
    sid = services(replicas=2, command=["sh", "-c", 'for i in 1 2 3; do echo "svc-out $i"; echo "svc-err $i" >&2; done; exec sleep 100000'])
    run = wait_for("2 running tasks", lambda: settled(swarm, sid, 2))
    assert len({t["NodeID"] for t in run}) == 2

    def read_all() -> list[tuple[int, bytes]]:
        stream = swarm.service_logs(sid, tail="all", stdout=True, stderr=True, frames=True)
        timer = threading.Timer(10, stream.close)  # a non-follow read must end; never hang the test
        timer.start()
        sp = LineSplitter()
        lines: list[tuple[int, bytes]] = []
        try:
            for stream_id, data in stream:
                lines += sp.feed(stream_id, data)
        finally:
            timer.cancel()
            stream.close()
        return lines + sp.flush()

    # both tasks' output, the worker's included (it comes through the manager)
    lines = wait_for("3 lines per stream from both tasks",
                     lambda: (lambda ls: ls if sum(1 for s, d in ls if s == 1 and d == b"svc-out 3") == 2 else None)(read_all()))
    assert sum(1 for s, d in lines if s == 2 and d == b"svc-err 1") == 2

    # follow, then cancel from another thread
    stream = swarm.service_logs(sid, tail="all", follow=True, stdout=True, stderr=True, frames=True)
    got = threading.Event()

    def follow() -> None:
        for _, data in stream:
            if b"svc-out" in data:
                got.set()

    t = threading.Thread(target=follow, daemon=True)
    t.start()
    assert got.wait(10)
    t0 = time.monotonic()
    stream.close()
    t.join(5)
    assert not t.is_alive() and time.monotonic() - t0 < 1.5


# ---------------------------------------------------------------- the Store
def test_store_shows_services_with_counts_and_tasks(swarm: EngineClient, services):
    store = Store(swarm.clone())
    store.start()
    try:
        assert store.wait_loaded(15)
        assert store.facts.swarm == "manager"
        assert len(store.snapshot("nodes")) >= 2
        store.want_tasks(True)
        sid = services(replicas=2)

        def status() -> dict:
            svc = store.get("services", sid)
            return dict((svc or {}).get("ServiceStatus") or {})

        wait_for("the store's service at 2/2", lambda: status().get("RunningTasks") == 2 == status().get("DesiredTasks"))
        assert store.get("services", sid)["Spec"]["Labels"]["dockui.test"] == "1"

        def store_tasks() -> list:
            return [t for t in store.snapshot("tasks").values()
                    if t["ServiceID"] == sid and t["DesiredState"] == "running" and t["Status"]["State"] == "running"]

        wait_for("the store's 2 running tasks", lambda: len(store_tasks()) == 2)
        assert {t["NodeID"] for t in store_tasks()} <= set(store.snapshot("nodes"))

        swarm.scale_service(sid, 3)
        wait_for("the store's service at 3/3", lambda: status().get("RunningTasks") == 3 == status().get("DesiredTasks"))
        wait_for("the store's 3 running tasks", lambda: len(store_tasks()) == 3)

        swarm.remove_service(sid)
        wait_for("the service gone from the store", lambda: store.get("services", sid) is None)
        store.want_tasks(False)
    finally:
        store.stop()
        store.client.close()
