"""Copying log lines in a real terminal: dockui in tmux (``set-clipboard on``, as a user who wants
OSC 52 to pass through would set it), logs of a real container, ``v`` ``k`` ``y``; tmux's paste
buffer then holds exactly the selected lines, without their escapes (issue 23, section 3).
"""

from __future__ import annotations

import re
import shutil
import time

import pytest

from .test_e2e import containers, filter_to, run_dockui  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")

LINES = (r"i=0; while [ $i -lt 30 ]; do printf 'copy-%d \033[32mgreen\033[0m\033]0;title\007 end\n' $i; i=$((i+1)); done;"
         " sleep 600")


def test_y_reaches_the_terminal_clipboard_through_tmux(containers, run_dockui):  # noqa: F811
    _, name = containers(LINES)
    t = run_dockui(size=(120, 30))
    t.tmux("set-option", "-s", "set-clipboard", "on")
    t.wait_for(name, timeout=15)
    filter_to(t, name)
    t.send_keys("l")
    t.wait_for("copy-29 green end", timeout=15)
    before = t.tmux("list-buffers", check=False)
    t.send_keys("v")
    t.wait_for(re.compile(r"selected 1 "), timeout=5)
    t.send_keys("k", "k")
    t.wait_for(re.compile(r"selected 3 "), timeout=5)
    t.send_keys("y")
    t.wait_until(lambda: t.tmux("list-buffers", check=False) != before, timeout=5, what="an OSC 52 buffer in tmux")
    time.sleep(0.1)
    copied = t.tmux("show-buffer")
    assert copied == "copy-27 green end\ncopy-28 green end\ncopy-29 green end", repr(copied)
    assert "\x1b" not in copied
