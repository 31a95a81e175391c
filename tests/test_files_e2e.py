"""End to end, in a real terminal (tmux): the file browser of an exited (crashed) container lists
its directories and files with size, mode and time, descends with enter, shows a text file with
``v`` (an escape sequence in it stays inert: the terminal's title is not changed), copies a file
out with ``ctrl+s`` (the prompt's default replaced), goes up with
``-``, and ``q`` leaves it for the containers list (issue 19 section 2)."""

from __future__ import annotations

import re
import shlex
import uuid

import pytest

from dockui.engine import EngineClient, NotFound

from .conftest import IMAGE, engine_host
from .test_e2e import dockui_exe, filter_to, quit_and_check_restored
from .tmux import Tmux, ensure_tmux

pytestmark = [
    pytest.mark.skipif(not ensure_tmux(), reason="tmux is missing and apt-get could not install it"),
    pytest.mark.timeout(90),
]


def test_file_browser_of_an_exited_container_in_a_real_terminal(client: EngineClient, tmp_path):
    name = f"dockui-e2e-{uuid.uuid4().hex[:8]}"
    cid = client.create_container(IMAGE, ["sh", "-c", "mkdir -p /aaa-crash/logs; echo 'fatal: out of cheese' > /aaa-crash/app.log;"
                                          " printf 'x\\033]2;PWNED\\007y\\n' > /aaa-crash/title.txt;"
                                          " head -c 5000 /dev/zero > /aaa-crash/logs/big.log; exit 42"],
                                  name=name, labels={"dockui.test": "1"})["Id"]
    t = None
    try:
        client.start(cid)
        assert client.wait(cid, timeout=30)["StatusCode"] == 42
        (tmp_path / "cwd").mkdir()
        here = shlex.join(["cd", str(tmp_path / "cwd")])  # dockui's own directory: the prompt's default
        t = Tmux(f"{here} && {shlex.join([dockui_exe(), '--host', engine_host()])}", size=(150, 40), term="xterm-256color",
                 env={"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state")}).start()
        t.wait_for(name, timeout=20)
        filter_to(t, name)
        t.wait_for("exited(42)", timeout=20)
        t.send_keys("F")
        screen = t.wait_for(re.compile(rf"files of {name}\s+/\s"), timeout=20)
        screen = t.wait_for(re.compile(r"aaa-crash/\s+-\s+drwxr-xr-x\s+\d{4}-\d\d-\d\d \d\d:\d\d"), timeout=20)
        assert "bin/" in screen and "entries" in screen
        t.send_keys("Enter")  # the first row: /aaa-crash (directories first, by name)
        screen = t.wait_for(re.compile(r"app\.log\s+21 B\s+-rw-r--r--"), timeout=20)
        assert re.search(r"logs/\s+-\s+drwxr-xr-x", screen), screen
        assert screen.index("logs/") < screen.index("app.log"), screen
        t.send_keys("Down")  # app.log
        t.send_keys("v")
        t.wait_for("fatal: out of cheese", timeout=20)
        t.send_keys("Escape")
        t.wait_for("entries", timeout=20)
        t.send_keys("C-s")  # copy it out: the prompt offers the current directory; replaced by ours
        t.wait_for("copy /aaa-crash/app.log to", timeout=20)
        t.wait_for(str(tmp_path / "cwd"), timeout=20)  # the prompt shows its default: dockui's directory
        t.send_keys("C-u")
        t.wait_gone(str(tmp_path / "cwd"), timeout=20)
        t.send_text(str(tmp_path))
        t.wait_for(re.compile(re.escape(str(tmp_path)) + r"(?!/cwd)"), timeout=20)  # typed, on screen
        t.send_keys("Enter")
        t.wait_for(f"copied /aaa-crash/app.log to {tmp_path}/app.log: 21 bytes written", timeout=30)
        assert (tmp_path / "app.log").read_text() == "fatal: out of cheese\n"
        t.send_keys("Down")  # title.txt
        t.send_keys("v")
        t.wait_for(re.compile(r"\bxy\b"), timeout=20)  # the OSC sequence removed, not obeyed
        assert "PWNED" not in t.fmt("#{pane_title}")
        t.send_keys("Escape")
        t.wait_for("entries", timeout=20)  # (an Escape followed at once by '-' reads as alt+minus)
        t.send_keys("-")
        t.wait_for(re.compile(rf"files of {name}\s+/\s"), timeout=20)
        t.send_keys("q")
        t.wait_for(re.compile(r"Containers \[1/\d+\]"), timeout=20)
        quit_and_check_restored(t)
    finally:
        if t is not None:
            t.kill()
        try:
            client.remove_container(cid, force=True)
        except NotFound:
            pass
