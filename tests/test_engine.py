"""The engine client against the real sandbox engine: lifecycle, logs, exec, stats, events, errors."""

from __future__ import annotations

import threading
import time

import pytest

from dockui.engine import Conflict, EngineClient, EngineUnreachable, NotFound, ReadOnlyError
from dockui.engine.streams import LineSplitter

from .conftest import IMAGE


def test_version_negotiated_from_ping(client: EngineClient):
    assert client.api_version.startswith("1.")
    v = client.version()
    assert v["ApiVersion"] and client.info()["ID"]


def test_container_lifecycle(client: EngineClient, make_container):
    cid = make_container(start=False)
    assert client.inspect_container(cid)["State"]["Status"] == "created"
    client.start(cid)
    assert client.inspect_container(cid)["State"]["Running"]
    client.pause(cid)
    assert client.inspect_container(cid)["State"]["Paused"]
    client.unpause(cid)
    client.restart(cid, timeout=0)
    assert client.inspect_container(cid)["State"]["Running"]
    new = "dockui-t-renamed-" + cid[:6]
    client.rename(cid, new)
    assert client.inspect_container(cid)["Name"] == "/" + new
    listed = {c["Id"]: c for c in client.containers(all=True, filters={"label": "dockui.test=1"})}
    assert cid in listed and listed[cid]["State"] == "running"
    client.kill(cid)
    client.wait(cid, timeout=20)
    assert client.inspect_container(cid)["State"]["Status"] == "exited"
    client.remove_container(cid)
    with pytest.raises(NotFound) as info:
        client.inspect_container(cid)
    assert "No such container" in info.value.explanation


def test_errors_carry_the_engines_message(client: EngineClient, make_container):
    cid = make_container()
    with pytest.raises(Conflict) as info:
        client.remove_container(cid)
    assert "running" in info.value.explanation.lower() or "stop" in info.value.explanation.lower()
    with pytest.raises(NotFound):
        client.start("no-such-container-xyz")


def test_unreachable_engine_is_a_clear_error(tmp_path):
    c = EngineClient(f"unix://{tmp_path}/nothing.sock", timeout=2)
    with pytest.raises(EngineUnreachable) as info:
        c.ping()
    assert "nothing.sock" in str(info.value)
    c2 = EngineClient("tcp://127.0.0.1:1", timeout=2)
    with pytest.raises(EngineUnreachable):
        c2.containers()


def test_logs_are_demultiplexed(client: EngineClient, make_container):
    cid = make_container("echo out1; echo err1 >&2; echo out2")
    client.wait(cid, timeout=20)
    sp = LineSplitter()
    lines = []
    for stream, data in client.logs(cid, tail="all"):
        lines += sp.feed(stream, data)
    lines += sp.flush()
    assert (1, b"out1") in lines and (2, b"err1") in lines and (1, b"out2") in lines


def test_follow_logs_can_be_cancelled_from_another_thread(client: EngineClient, make_container):
    cid = make_container("i=0; while true; do echo line $i; i=$((i+1)); sleep 0.1; done")
    stream = client.logs(cid, follow=True, tail=0)
    got: list[bytes] = []

    def read():
        for _, data in stream:
            got.append(data)

    t = threading.Thread(target=read, daemon=True)
    t.start()
    time.sleep(0.6)
    t0 = time.monotonic()
    stream.close()
    t.join(5)
    assert not t.is_alive() and time.monotonic() - t0 < 1.0
    assert got


def test_exec_round_trip_with_tty(client: EngineClient, make_container):
    cid = make_container()
    ex = client.exec_create(cid, ["sh"], stdin=True, tty=True, console_size=(30, 100))
    sock = client.exec_start(ex["Id"], tty=True, console_size=(30, 100))
    sock.write(b"stty size; echo MARK$((40+2))\n")
    buf = b""
    deadline = time.monotonic() + 10
    while b"MARK42" not in buf and time.monotonic() < deadline:
        for _, data in sock.read():
            buf += data
            if b"\x1b[6n" in data:
                sock.write(b"\x1b[1;1R")
    assert b"MARK42" in buf
    client.exec_resize(ex["Id"], height=40, width=120)
    sock.write(b"stty size\n")
    deadline = time.monotonic() + 10
    while b"40 120" not in buf and time.monotonic() < deadline:
        for _, data in sock.read():
            buf += data
            if b"\x1b[6n" in data:
                sock.write(b"\x1b[1;1R")
    assert b"40 120" in buf
    sock.write(b"exit\n")
    deadline = time.monotonic() + 10
    while sock.read() and time.monotonic() < deadline:
        pass
    sock.close()
    assert client.exec_inspect(ex["Id"])["Running"] is False


def test_exec_without_tty_is_framed(client: EngineClient, make_container):
    cid = make_container()
    ex = client.exec_create(cid, ["sh", "-c", "echo to-out; echo to-err >&2"])
    sock = client.exec_start(ex["Id"], tty=False)
    frames = []
    while True:
        got = sock.read()
        if not got:
            break
        frames += got
    sock.close()
    assert (1, b"to-out\n") in frames and (2, b"to-err\n") in frames


def test_stats_stream_and_one_shot(client: EngineClient, make_container):
    cid = make_container()
    stream = client.stats(cid, stream=True)
    samples = []
    for s in stream:
        samples.append(s)
        if len(samples) == 2:
            break
    stream.close()
    assert samples[1]["cpu_stats"]["cpu_usage"]["total_usage"] >= 0
    one = client.stats(cid, stream=False, one_shot=True)
    assert "memory_stats" in one


def test_events_see_a_container_start(client: EngineClient, unique: str):
    since = time.time() - 1
    ev = client.events(since=since, filters={"type": ["container"]})
    seen: list[dict] = []

    def read():
        for e in ev:
            seen.append(e)
            if e.get("Action") == "start" and e.get("Actor", {}).get("Attributes", {}).get("name") == unique:
                return

    t = threading.Thread(target=read, daemon=True)
    t.start()
    cid = client.create_container(IMAGE, ["sleep", "30"], name=unique, labels={"dockui.test": "1"})["Id"]
    try:
        client.start(cid)
        t.join(10)
        ev.close()
        assert any(e.get("Action") == "start" for e in seen)
    finally:
        client.remove_container(cid, force=True)


def test_readonly_client_refuses_mutations(client: EngineClient, make_container):
    cid = make_container()
    ro = EngineClient(client.endpoint, readonly=True)
    assert ro.containers()
    with pytest.raises(ReadOnlyError):
        ro.stop(cid)
    with pytest.raises(ReadOnlyError):
        ro.exec_create(cid, ["true"])
    assert client.inspect_container(cid)["State"]["Running"]


def test_images_networks_volumes(client: EngineClient, unique: str):
    assert any(IMAGE in (i.get("RepoTags") or []) for i in client.images())
    net = client.create_network(unique, labels={"dockui.test": "1"})
    try:
        assert client.inspect_network(net["Id"])["Name"] == unique
    finally:
        client.remove_network(net["Id"])
    vol = client.create_volume(unique, labels={"dockui.test": "1"})
    try:
        assert client.inspect_volume(vol["Name"])["Name"] == unique
        assert any(v["Name"] == unique for v in client.volumes()["Volumes"])
    finally:
        client.remove_volume(unique)
