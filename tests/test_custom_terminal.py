"""A custom command with ``in = "host"`` and ``terminal = true`` in a real terminal (tmux): dockui
steps aside, the program gets the terminal and its arguments (a label holding shell syntax and
escape sequences arrives as one argument each, written as JSON by the program itself), enter
returns to the dashboard, which is drawn again."""

from __future__ import annotations

import json
import re
import shlex
import sys
import time
from pathlib import Path

import pytest

from .conftest import engine_host
from .test_custom import ARGV_WRITER, ESCAPES, HOSTILE
from .tmux import Tmux, ensure_tmux

DOCKUI = str(Path(sys.executable).with_name("dockui"))


@pytest.fixture(scope="module", autouse=True)
def _tmux():
    if not ensure_tmux():
        pytest.skip("tmux is not installed and could not be installed")


def test_terminal_command_gets_the_terminal_and_hostile_values_as_one_argument(make_container, tmp_path, unique):
    make_container(["sleep", "600"], name=unique, labels={"evil": HOSTILE, "esc": ESCAPES})
    script = tmp_path / "argv.py"
    script.write_text(ARGV_WRITER + "; print('program-ran-here'); input('type a line: ')")
    out = tmp_path / "argv.json"
    conf = tmp_path / "config" / "dockui"
    conf.mkdir(parents=True)
    head = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {shlex.quote(str(out))}"
    (conf / "config.toml").write_text(
        '[[commands]]\nkey = "g"\nlabel = "argv"\nin = "host"\nterminal = true\n'
        f"command = {json.dumps(head + ' {name} {label:evil} {label:esc}')}\n")
    command = f"{shlex.quote(DOCKUI)} --host {shlex.quote(engine_host())}"
    with Tmux(command, size=(200, 50), env={"XDG_STATE_HOME": str(tmp_path / "state"),
                                            "XDG_CONFIG_HOME": str(tmp_path / "config")}) as t:
        t.wait_for("Containers", timeout=30)
        t.send_keys("/")
        time.sleep(0.7)
        t.type(unique, delay=0.03)
        time.sleep(0.3)
        t.send_keys("Enter")
        t.wait_for(re.compile(rf"\[1/\d+\].*filter: {re.escape(unique)}\s"), timeout=15)
        t.wait_for("g argv", timeout=10)
        time.sleep(0.5)
        t.send_keys("g")
        t.wait_for("type a line:", timeout=20)  # the program has the terminal: dockui stepped aside
        screen = t.capture()
        assert "program-ran-here" in screen and "Containers [" not in screen
        t.send_text("hello")
        t.send_keys("Enter")
        t.wait_for("exited with code 0 - press enter to return", timeout=10)
        t.send_keys("Enter")
        t.wait_for(re.compile(rf"\[1/\d+\].*filter: {re.escape(unique)}\s"), timeout=15)  # the dashboard again
        t.wait_for("argv: " + unique + ": exited with code 0", timeout=10)
        t.send_keys("C-q")
        assert t.wait_exit(timeout=15) == 0
    assert json.loads(out.read_text()) == [unique, HOSTILE, ESCAPES]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _execs_sleeping(client, cid: str) -> bool:
    return any("sleep 601" in " ".join(p) for p in client.top(cid)["Processes"])


@pytest.mark.parametrize("where", ["terminal", "output", "exec"])
def test_a_hang_up_ends_dockui_and_the_command_it_runs(client, make_container, tmp_path, unique, where):
    """The SSH link drops (the tmux server is killed, the pty closes) while a custom command runs:
    on the host in the full terminal or in the output view, or exec'd in the container in the
    output view. dockui and the program end within 5 s (in the container: hung up by its marker)."""
    cid = make_container(["sleep", "600"], name=unique)
    script = tmp_path / "hold.py"
    pidfile = tmp_path / "pid"
    script.write_text(f"import os, time; open({str(pidfile)!r}, 'w').write(str(os.getpid())); print('holding', flush=True); "
                      "time.sleep(600)")
    conf = tmp_path / "config" / "dockui"
    conf.mkdir(parents=True)
    head = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
    (conf / "config.toml").write_text(
        f'[[commands]]\nkey = "g"\nlabel = "hold"\nin = "host"\nterminal = {str(where == "terminal").lower()}\n'
        f"command = {json.dumps(head + ' {name}')}\n"
        '[[commands]]\nkey = "G"\nlabel = "hold-in"\ncommand = "sh -c \'echo holding; exec sleep 601\'"\n')
    command = f"{shlex.quote(DOCKUI)} --host {shlex.quote(engine_host())}"
    t = Tmux(command, size=(200, 50), env={"XDG_STATE_HOME": str(tmp_path / "state"),
                                           "XDG_CONFIG_HOME": str(tmp_path / "config")})
    try:
        t.start()
        t.wait_for("Containers", timeout=30)
        t.send_keys("/")
        time.sleep(0.7)
        t.type(unique, delay=0.03)
        time.sleep(0.3)
        t.send_keys("Enter")
        t.wait_for(re.compile(rf"\[1/\d+\].*filter: {re.escape(unique)}\s"), timeout=15)
        time.sleep(0.5)
        t.send_keys("G" if where == "exec" else "g")
        t.wait_for("holding", timeout=20)
        dockui = [p for p in t.pane_processes() if "--host" in _cmdline(p) and "dockui" in _cmdline(p)]
        assert dockui
        if where == "exec":
            t.wait_until(lambda: _execs_sleeping(client, cid), timeout=10, what="the exec's sleep")
        else:
            child = int(pidfile.read_text())
            assert _alive(child)
        t.tmux("kill-server", check=False)  # the pty closes: what an SSH drop does
        start = time.monotonic()
        while time.monotonic() < start + 5 and any(_alive(p) for p in dockui):
            time.sleep(0.05)
        assert not any(_alive(p) for p in dockui), "dockui outlived its terminal by 5 s"
        while time.monotonic() < start + 5:
            if not (_execs_sleeping(client, cid) if where == "exec" else _alive(child)):
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"the {where} command outlived dockui's terminal by 5 s")
    finally:
        t.started = True
        t.kill()
