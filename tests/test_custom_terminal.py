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
