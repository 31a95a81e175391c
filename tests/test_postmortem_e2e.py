"""End to end (issue 19 section 1): the installed ``dockui`` in a real terminal (tmux) against the
sandbox engine: a container the kernel killed for memory, ``ctrl+z`` shows its REASON, ``enter``
opens its post-mortem, and the terminal reads "out of memory" with the limit and the evidence."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from dockui.engine import NotFound

from .conftest import IMAGE, engine_host
from .test_e2e_kinds import dockui_exe
from .tmux import Tmux, ensure_tmux

pytestmark = [pytest.mark.skipif(not ensure_tmux(), reason="tmux is missing and apt-get could not install it")]


def test_postmortem_of_an_oom_killed_container_in_a_terminal(client, tmp_path):
    name = f"dockui-e2e-{uuid.uuid4().hex[:8]}-oom"
    hc = client.create_host_config(mem_limit="16m", memswap_limit="16m")
    cid = client.create_container(IMAGE, ["sh", "-c", "echo filling memory; x=$(head -c 50000000 /dev/zero | tr \\\\0 a)"],
                                  name=name, labels={"dockui.test": "1"}, host_config=hc)["Id"]
    try:
        for _ in range(3):
            # the engine records the kernel's kill from an event that can come after the exit, or,
            # on a loaded machine (a CI run beside benchmark engines), not at all: start it again
            client.start(cid)
            deadline = time.monotonic() + 60
            while True:
                st = client.inspect_container(cid)["State"]
                if st["OOMKilled"] or (not st["Running"] and time.monotonic() > deadline - 50):
                    break  # killed for memory, or ended 10 s ago without the engine saying so
                assert time.monotonic() < deadline, f"the container still runs after 60 s: {st}"
                time.sleep(0.2)
            if st["OOMKilled"]:
                break
        assert st["OOMKilled"], f"the kernel did not kill it for memory in 3 runs: {st}"
        env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state")}
        with Tmux([dockui_exe(), "--host", engine_host()], size=(160, 45), env=env) as t:
            t.wait_for("Containers [", timeout=30)
            t.send_keys("/")
            time.sleep(0.3)
            t.send_text(name)
            t.send_keys("Enter")
            t.wait_for(re.compile(rf"{name}\s+exited\(137\)"), timeout=20)
            t.send_keys("C-z")
            screen = t.wait_for(re.compile(rf"{name}\s+exited\(137\)\s+OOM killed, limit 16 MiB"), timeout=30)
            assert "REASON" in screen and "FAULTS ONLY" in screen
            t.send_keys("Enter")
            screen = t.wait_for("killed by the kernel: out of memory", timeout=30)
            assert f"why? {name}" in screen
            lines = screen.splitlines()
            verdict = next(i for i, line in enumerate(lines) if "OOM killed, limit 16 MiB" in line)
            assert verdict < next(i for i, line in enumerate(lines) if "killed by the kernel" in line)
            assert "memory limit: 16 MiB" in screen and "the kernel (an oom event" in screen
            assert "Restarts" in screen and "restart policy: no" in screen
            t.send_keys("End")  # the evidence further down: logs before it stopped, its events
            screen = t.wait_for("out| filling memory", timeout=10)
            assert re.search(r"\d\d:\d\d:\d\d\s+oom", screen) and "exitCode=137" in screen
            t.send_keys("Escape")
            t.wait_for("FAULTS ONLY", timeout=10)
            t.send_keys("C-q")
            assert t.wait_exit(10) == 0
    finally:
        try:
            client.remove_container(cid, force=True)
        except NotFound:
            pass
