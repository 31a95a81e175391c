"""The tmux harness itself (tests/tmux.py): the command starts in the ``cwd`` it is given
(``new-session -c``), else in ours."""

from __future__ import annotations

import os

import pytest

from .tmux import DONE_MARKER, Tmux, ensure_tmux

pytestmark = pytest.mark.skipif(not ensure_tmux(), reason="tmux not available")


def test_command_runs_in_the_given_cwd(tmp_path):
    here = tmp_path / "start-here"
    here.mkdir()
    with Tmux("pwd", size=(120, 10), cwd=str(here)) as t:
        screen = t.wait_for(DONE_MARKER, timeout=20)
        assert t.wait_exit() == 0
        assert str(here) in screen.splitlines()[0], screen


def test_command_runs_in_our_cwd_by_default():
    with Tmux("pwd", size=(120, 10)) as t:
        screen = t.wait_for(DONE_MARKER, timeout=20)
        assert screen.splitlines()[0].strip() == os.getcwd(), screen
