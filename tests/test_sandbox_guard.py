"""The conftest guard restarts a sandbox engine that died between test modules."""

from __future__ import annotations

import os

import pytest

from tests.conftest import SANDBOX_DIR, sandbox_alive_or_restarted


def test_a_live_sandbox_is_left_alone() -> None:
    if os.environ.get("DOCKUI_TEST_HOST") or not (SANDBOX_DIR / "dockerd.pid").exists():
        pytest.skip("the tests run on another engine, not the sandbox")
    assert sandbox_alive_or_restarted() == "alive"
