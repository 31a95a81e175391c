"""``--read-only`` is enforced in the engine client: every mutating call is refused before a
request is made, which a counting proxy in front of the sandbox engine confirms."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dockui.engine import EngineClient, ReadOnlyError
from dockui.engine.base import mutating_methods

from .conftest import engine_host
from .faultproxy import FaultProxy

CID = "0123456789ab"
SPEC = {"Name": "x", "TaskTemplate": {"ContainerSpec": {"Image": "dockui/busybox:latest"}}}

# every call that changes the engine, with plausible arguments
CALLS = {
    "start": lambda c: c.start(CID),
    "stop": lambda c: c.stop(CID),
    "restart": lambda c: c.restart(CID),
    "kill": lambda c: c.kill(CID),
    "pause": lambda c: c.pause(CID),
    "unpause": lambda c: c.unpause(CID),
    "rename": lambda c: c.rename(CID, "new-name"),
    "remove_container": lambda c: c.remove_container(CID, force=True),
    "create_container_from_config": lambda c: c.create_container_from_config({"Image": "x"}),
    "commit": lambda c: c.commit(CID, "dockui/ro"),
    "update_container": lambda c: c.update_container(CID, mem_limit="64m"),
    "put_archive": lambda c: c.put_archive(CID, "/tmp", b""),
    "build": lambda c: c.build(fileobj=__import__("io").BytesIO(b"FROM scratch")),
    "prune_builds": lambda c: c.prune_builds(),
    "load_image": lambda c: c.load_image(b""),
    "import_image": lambda c: c.import_image(b"x", "dockui/ro"),
    "import_image_from_file": lambda c: c.import_image_from_file("/nonexistent", "dockui/ro"),
    "import_image_from_image": lambda c: c.import_image_from_image("x", "dockui/ro"),
    "import_image_from_stream": lambda c: c.import_image_from_stream(iter([b"x"]), "dockui/ro"),
    "import_image_from_url": lambda c: c.import_image_from_url("http://x/y.tar", "dockui/ro"),
    "push": lambda c: c.push("dockui/ro"),
    "create_container": lambda c: c.create_container("dockui/busybox:latest", ["true"]),
    "resize": lambda c: c.resize(CID, 24, 80),
    "prune_containers": lambda c: c.prune_containers(),
    "attach_socket": lambda c: c.attach_socket(CID),  # tty unknown: must not even inspect first
    "attach_websocket": lambda c: c.attach_websocket(CID),
    "exec_create": lambda c: c.exec_create(CID, ["sh"], tty=True, console_size=(24, 80)),
    "exec_start": lambda c: c.exec_start("e" * 64, tty=True, console_size=(24, 80)),
    "exec_resize": lambda c: c.exec_resize("e" * 64, 24, 80),
    "remove_image": lambda c: c.remove_image("dockui/busybox:latest"),
    "pull": lambda c: c.pull("busybox"),
    "tag": lambda c: c.tag("dockui/busybox:latest", "dockui/other", "x"),
    "prune_images": lambda c: c.prune_images(),
    "import_image_from_data": lambda c: c.import_image_from_data(b"", "dockui/x"),
    "create_network": lambda c: c.create_network("dockui-ro"),
    "remove_network": lambda c: c.remove_network("dockui-ro"),
    "connect_container_to_network": lambda c: c.connect_container_to_network(CID, "bridge"),
    "disconnect_container_from_network": lambda c: c.disconnect_container_from_network(CID, "bridge"),
    "prune_networks": lambda c: c.prune_networks(),
    "create_volume": lambda c: c.create_volume("dockui-ro"),
    "remove_volume": lambda c: c.remove_volume("dockui-ro"),
    "prune_volumes": lambda c: c.prune_volumes(),
    "create_service": lambda c: c.create_service(SPEC),
    "update_service": lambda c: c.update_service("svc", 1, SPEC),
    "scale_service": lambda c: c.scale_service("svc", 3),  # would inspect first: must not
    "force_update_service": lambda c: c.force_update_service("svc"),
    "rollback_service": lambda c: c.rollback_service("svc"),
    "remove_service": lambda c: c.remove_service("svc"),
    "update_node": lambda c: c.update_node("node", 1, {"Availability": "drain"}),
    "create_service_from_spec": lambda c: c.create_service_from_spec(SPEC),
    "update_service_spec": lambda c: c.update_service_spec("svc", 1, SPEC),
    "init_swarm": lambda c: c.init_swarm("127.0.0.1"),
    "join_swarm": lambda c: c.join_swarm(["127.0.0.1:2377"], "SWMTKN-x"),
    "leave_swarm": lambda c: c.leave_swarm(force=True),
    "update_swarm": lambda c: c.update_swarm(1, {}),
    "unlock_swarm": lambda c: c.unlock_swarm("SWMKEY-x"),
    "remove_node": lambda c: c.remove_node("node", force=True),
    "create_secret": lambda c: c.create_secret("dockui-ro", b"x"),
    "remove_secret": lambda c: c.remove_secret("dockui-ro"),
    "create_config": lambda c: c.create_config("dockui-ro", b"x"),
    "remove_config": lambda c: c.remove_config("dockui-ro"),
    "create_plugin": lambda c: c.create_plugin("dockui-ro", "/nonexistent"),
    "configure_plugin": lambda c: c.configure_plugin("dockui-ro", {"A": "1"}),
    "enable_plugin": lambda c: c.enable_plugin("dockui-ro"),
    "disable_plugin": lambda c: c.disable_plugin("dockui-ro"),
    "remove_plugin": lambda c: c.remove_plugin("dockui-ro"),
    "pull_plugin": lambda c: c.pull_plugin("dockui/x", []),
    "push_plugin": lambda c: c.push_plugin("dockui-ro"),
    "upgrade_plugin": lambda c: c.upgrade_plugin("dockui-ro", "dockui/x", []),
}

# what the issue names; every one must be marked mutating in the client
NAMED = {"start", "stop", "restart", "kill", "pause", "unpause", "rename", "remove_container", "create_container",
         "exec_create", "exec_start", "attach_socket", "attach_websocket", "remove_image", "pull", "tag", "prune_containers",
         "prune_images", "prune_networks", "prune_volumes", "create_network", "remove_network", "create_volume", "remove_volume",
         "connect_container_to_network", "disconnect_container_from_network", "update_service", "scale_service",
         "force_update_service", "rollback_service", "remove_service", "create_service", "update_node", "resize", "exec_resize"}


@pytest.fixture
def proxy():
    with FaultProxy(engine_host()) as p:
        yield p


def test_every_mutating_call_is_marked_and_covered():
    marked = mutating_methods(EngineClient)
    assert NAMED <= marked, NAMED - marked
    assert marked == set(CALLS), (marked ^ set(CALLS))


@pytest.mark.parametrize("name", sorted(CALLS))
def test_read_only_refuses_without_a_request(proxy, name):
    ro = EngineClient(proxy.url, timeout=5, readonly=True)
    assert ro.ping()  # reads work
    proxy.reset_counts()
    with pytest.raises(ReadOnlyError) as info:
        CALLS[name](ro)
    assert name in str(info.value)
    assert proxy.non_get() == []
    assert proxy.requests == [], "a refused call must not even read first"


def test_read_only_still_reads_and_waits(proxy, make_container):
    cid = make_container(["true"])
    ro = EngineClient(proxy.url, timeout=10, readonly=True)
    assert any(c["Id"] == cid for c in ro.containers(all=True))
    assert ro.inspect_container(cid)["Id"] == cid
    ro.wait(cid, timeout=10)  # POST .../wait changes nothing: allowed
    assert [m for m, _ in proxy.non_get()] == ["POST"] and proxy.count("POST", "/wait") == 1


def test_the_cli_flag_makes_a_read_only_client(proxy):
    code = ("import sys; from dockui import cli; from dockui.engine import EngineClient;"
            "orig = EngineClient.__init__\n"
            "def spy(self, *a, **k):\n    orig(self, *a, **k); print('readonly', self.readonly)\n"
            "EngineClient.__init__ = spy\n"
            "sys.exit(cli.main(['--read-only', '--check', '--host', sys.argv[1]]))")
    r = subprocess.run([sys.executable, "-c", code, proxy.url], capture_output=True, text=True, timeout=60,
                       cwd=str(Path(__file__).resolve().parent.parent), env={"PATH": "/usr/bin:/bin", "DOCKUI_LOG": "off"})
    assert r.returncode == 0, r.stderr
    assert "readonly True" in r.stdout
    assert proxy.non_get() == []
