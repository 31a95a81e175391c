"""Podman's Docker-compatible API: the client, the store and the main screens work; no swarm is said plainly."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from dockui.app import DockuiApp
from dockui.engine import EngineClient

from .test_app import wait_until

ROOTFS = Path("/var/tmp/dockui-sandbox/rootfs")


def _install_podman() -> bool:
    if shutil.which("podman"):
        return True
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "install", "-y", "-qq", "podman"], ["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "podman"]):
        subprocess.run(cmd, env=env, capture_output=True, timeout=900)
        if shutil.which("podman"):
            return True
    return False


@pytest.fixture(scope="module")
def podman(tmp_path_factory):
    if not _install_podman():  # scripts/test installs it; this only fails when the package registry does
        pytest.skip("podman could not be installed with apt-get")
    base = Path(f"/var/tmp/dockui-podman-{uuid.uuid4().hex[:6]}")
    base.mkdir(parents=True)
    conf = base / "containers.conf"
    engine = ""
    if shutil.which("runc"):
        # crun refuses a cgroup v1/v2 hybrid ("cgroups in hybrid mode not supported", seen on these
        # machines); runc, which docker.io brings, runs containers there
        engine = '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n'
    conf.write_text('[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n' + engine)
    sock = base / "podman.sock"
    env = {**os.environ, "CONTAINERS_CONF": str(conf)}
    proc = subprocess.Popen(
        ["podman", "--root", str(base / "root"), "--runroot", str(base / "run"), "--storage-driver", "vfs",
         "system", "service", "--time", "0", f"unix://{sock}"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(base / "podman.log", "wb"), start_new_session=True,
    )
    host = f"unix://{sock}"
    try:
        deadline = time.monotonic() + 60
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        client = EngineClient(host, timeout=60)
        while time.monotonic() < deadline:
            try:
                client.ping()
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.3)
        tar = subprocess.Popen(["tar", "--numeric-owner", "--owner=0", "--group=0", "-C", str(ROOTFS), "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(["docker", "-H", host, "import", "-c", "ENV PATH=/bin", "-c", 'CMD ["/bin/sh"]', "-", "dockui/busybox:latest"],
                       stdin=tar.stdout, check=True, capture_output=True, timeout=120)
        tar.wait()
        yield host
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        subprocess.run(["podman", "--root", str(base / "root"), "--runroot", str(base / "run"), "--storage-driver", "vfs",
                        "system", "reset", "-f"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


def test_client_runs_containers_logs_exec_on_podman(podman):
    c = EngineClient(podman)
    v = c.version()
    assert any("podman" in (comp.get("Name") or "").lower() for comp in v.get("Components") or [])
    cid = c.create_container("dockui/busybox:latest", ["sh", "-c", "echo hello-podman; sleep 600"], name="dp-" + uuid.uuid4().hex[:6])["Id"]
    try:
        c.start(cid)
        assert any(x["Id"] == cid for x in c.containers())
        deadline = time.monotonic() + 10
        while b"hello-podman" not in c.logs(cid, stream=False) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert b"hello-podman" in c.logs(cid, stream=False)
        ex = c.exec_create(cid, ["sh", "-c", "echo $((6*7))"])
        assert b"42" in c.exec_start(ex["Id"])
        assert c.inspect_container(cid)["State"]["Running"]
        assert c.images()
    finally:
        c.remove_container(cid, force=True)


def test_dashboard_on_podman_says_what_it_lacks(podman):
    c = EngineClient(podman)
    name = "dp-" + uuid.uuid4().hex[:6]
    cid = c.create_container("dockui/busybox:latest", ["sh", "-c", "echo from-podman; sleep 600"], name=name)["Id"]
    c.start(cid)

    async def main():
        app = DockuiApp(EngineClient(podman))
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: cid in set(app.main.table.row_ids), 20)
            await pilot.press("slash", *name, "enter")
            assert await wait_until(pilot, lambda: app.main.table.current_id == cid)
            await pilot.press("l")
            assert await wait_until(pilot, lambda: hasattr(app.screen, "view") and app.screen.view.line_count > 0, 15)
            await pilot.press("q")
            await pilot.press("s")
            assert await wait_until(pilot, lambda: app.main.panes and "#" in "\n".join(app.main.panes[0].term.display_lines()), 20)
            await pilot.press(*"echo $((6*7))", "enter")
            assert await wait_until(pilot, lambda: "\n42" in "\n".join(app.main.panes[0].term.display_lines()), 10)
            await pilot.press("ctrl+right_square_bracket")
            await pilot.press("colon", *"svc", "enter")
            assert await wait_until(pilot, lambda: "not a swarm manager" in str(app.main.query_one("#message").render()))

    try:
        asyncio.run(main())
    finally:
        c.remove_container(cid, force=True)
