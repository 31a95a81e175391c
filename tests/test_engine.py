"""The engine client against the real sandbox engine: lifecycle, logs, exec, stats, events, errors."""

from __future__ import annotations

import threading
import time

import pytest

from dockui.engine import APIError, Conflict, EngineClient, EngineUnreachable, NotFound, NotModified, ReadOnlyError
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
    for stream, data in client.logs(cid, tail="all", stream=True, frames=True):
        lines += sp.feed(stream, data)
    lines += sp.flush()
    assert (1, b"out1") in lines and (2, b"err1") in lines and (1, b"out2") in lines


def test_follow_logs_can_be_cancelled_from_another_thread(client: EngineClient, make_container):
    cid = make_container("i=0; while true; do echo line $i; i=$((i+1)); sleep 0.1; done")
    stream = client.logs(cid, follow=True, tail=0, stream=True, frames=True)
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
    sock = client.exec_start(ex["Id"], tty=True, socket=True, console_size=(30, 100))
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
    sock = client.exec_start(ex["Id"], tty=False, socket=True)
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
    stream = client.stats(cid, stream=True, decode=True)
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
    ev = client.events(since=since, filters={"type": ["container"]}, decode=True)
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


def test_exec_start_plain_stream_and_demux(client: EngineClient, make_container):
    cid = make_container()
    ex = client.exec_create(cid, ["sh", "-c", "echo out; echo err >&2"])
    assert client.exec_start(ex["Id"]) in (b"out\nerr\n", b"err\nout\n")
    ex = client.exec_create(cid, ["sh", "-c", "echo out; echo err >&2"])
    assert client.exec_start(ex["Id"], demux=True) == (b"out\n", b"err\n")
    ex = client.exec_create(cid, ["sh", "-c", "echo a; sleep 0.2; echo b"])
    assert b"".join(client.exec_start(ex["Id"], stream=True)) == b"a\nb\n"
    ex = client.exec_create(cid, ["sh", "-c", "sleep 0.1"])
    assert client.exec_start(ex["Id"], detach=True) == ""  # the engine's empty answer, as docker-py


def test_attach_socket_and_websocket(client: EngineClient, make_container):
    cid = make_container("i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done")
    sock = client.attach_socket(cid)
    buf = b""
    deadline = time.monotonic() + 10
    while b"tick" not in buf and time.monotonic() < deadline:
        for _, data in sock.read():
            buf += data
    sock.close()
    assert b"tick" in buf
    ws = client.attach_socket(cid, ws=True)
    try:
        ws.settimeout(10)
        got = b""
        while b"tick" not in got:
            data = ws.recv()
            got += data.encode() if isinstance(data, str) else data
    finally:
        ws.close()
    assert client.inspect_container(cid)["State"]["Running"]  # detaching never stops it


def test_top_resize_logs_window_and_not_modified(client: EngineClient, make_container):
    cid = make_container(tty=True)
    procs = client.top(cid)
    assert procs["Titles"] and any("sleep" in " ".join(p) for p in procs["Processes"])
    client.resize(cid, 40, 100)
    assert client.start(cid) is None  # 304, already running: not an error, as in docker-py
    with pytest.raises(NotModified) as info:  # unless dockui's own actions ask
        client.start(cid, raise_not_modified=True)
    assert "already running" in info.value.explanation
    logger = make_container("echo first; sleep 2; echo second; sleep 600")
    deadline = time.monotonic() + 10
    while b"second" not in client.logs(logger, stream=False) and time.monotonic() < deadline:
        time.sleep(0.2)
    t_mid = time.time() - 1
    assert client.logs(logger, stream=False, until=t_mid) == b"first\n"
    assert client.logs(logger, stream=False, since=t_mid) == b"second\n"
    assert client.logs(logger, stream=False, tail=1) == b"second\n"


def test_images_tag_history_remove_pull_df(client: EngineClient, unique: str):
    img = client.inspect_image(IMAGE)
    assert img["Config"]["Env"] and client.history(IMAGE)
    client.tag(IMAGE, "dockui/t-" + unique, "v1")
    assert any(f"dockui/t-{unique}:v1" in (i.get("RepoTags") or []) for i in client.images())
    client.remove_image(f"dockui/t-{unique}:v1")
    assert not any(f"dockui/t-{unique}:v1" in (i.get("RepoTags") or []) for i in client.images())
    with pytest.raises(APIError) as info:
        for _ in client.pull("dockui/never-there-" + unique, "1"):
            pass
    assert info.value.explanation
    df = client.df()
    assert "Images" in df and "Volumes" in df
    assert "SpaceReclaimed" in client.prune_images(filters={"label": "dockui.prune=" + unique})


def test_networks_connect_disconnect_and_prunes(client: EngineClient, make_container, unique: str):
    cid = make_container()
    net = client.create_network(unique, labels={"dockui.test": "1"})
    try:
        client.connect_container_to_network(cid, net["Id"])
        assert net["Id"] in {n["NetworkID"] for n in client.inspect_container(cid)["NetworkSettings"]["Networks"].values()}
        client.disconnect_container_from_network(cid, net["Id"])
    finally:
        client.remove_network(net["Id"])
    only_ours = {"label": "dockui.prune=" + unique}
    assert "NetworksDeleted" in client.prune_networks(filters=only_ours)
    assert "SpaceReclaimed" in client.prune_volumes(filters=only_ours)
    assert "SpaceReclaimed" in client.prune_containers(filters=only_ours)
    sw = client.inspect_swarm()
    assert sw["ID"] and client.nodes()


def test_events_see_a_docker_cli_action(client: EngineClient, unique: str):
    import subprocess

    ev = client.events(since=time.time() - 1, filters={"type": ["volume"]}, decode=True)
    seen: list[dict] = []

    def read():
        for e in ev:
            seen.append(e)
            if e.get("Actor", {}).get("ID") == unique:
                return

    t = threading.Thread(target=read, daemon=True)
    t.start()
    subprocess.run(["docker", "-H", client.endpoint.url, "volume", "create", unique], check=True, capture_output=True)
    try:
        t.join(10)
        ev.close()
        assert any(e.get("Action") == "create" and e.get("Actor", {}).get("ID") == unique for e in seen)
    finally:
        client.remove_volume(unique)


def test_constructor_like_docker_py():
    from dockui.engine import TLSConfig

    c = EngineClient(base_url="tcp://127.0.0.1:2376", version="1.41", timeout=5, tls=TLSConfig(verify=True))
    assert c.endpoint.http_base.startswith("https://") and c.api_version == "1.41"
    assert EngineClient().endpoint.url == "unix:///var/run/docker.sock"
