"""Helpers for the pilot tests of the kinds and views of issue 18 (tests/test_kind_*.py): the
terminal's text as Textual last drew it, waiting for it, and a service made for a test."""

from __future__ import annotations

import asyncio
import io
import re
import time
import uuid
from collections.abc import Iterable

from rich.console import Console

from dockui.app import DockuiApp
from dockui.engine import EngineClient

from .conftest import IMAGE, engine_host


def run(coro):
    return asyncio.run(coro)


def make_app(first: str = "containers") -> DockuiApp:
    return DockuiApp(EngineClient(engine_host(), timeout=30), first_screen=first)


def screen_text(app: DockuiApp) -> str:
    """The compositor's full frame (every screen of the stack, toasts included) as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens, simplify=True))
    return console.export_text(styles=False)


def flatten(text: str) -> str:
    """The screen's words in reading order, borders and line breaks gone (for wrapped boxes)."""
    return " ".join(re.sub(r"[\u2580-\u259f\u2500-\u257f]", " ", text).split())


async def wait_text(pilot, app: DockuiApp, needles: Iterable[str | re.Pattern], timeout: float = 15.0,
                    absent: Iterable[str] = ()) -> str:
    """The screen's text once every needle is on it (and none of ``absent``); fails showing the screen."""
    needles, absent = list(needles), list(absent)

    def ok(text: str) -> bool:
        flat = flatten(text)  # a wrapped toast or dialog line still reads as one phrase
        return all((n.search(text) or n.search(flat)) if isinstance(n, re.Pattern) else (n in text or n in flat)
                   for n in needles) and not any(a in text for a in absent)

    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        text = screen_text(app)
        if ok(text):
            return text
    raise AssertionError(f"waited for {needles} (absent {absent}); the screen shows:\n{text}")


async def command(pilot, text: str) -> None:
    await pilot.press("colon", *text, "enter")


def unique(prefix: str = "dockui-t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def service_spec(name: str, labels: dict | None = None, **container) -> dict:
    return {
        "Name": name, "Labels": labels or {},
        "TaskTemplate": {"ContainerSpec": {"Image": IMAGE, "Command": ["sleep", "100000"], **container},
                         "RestartPolicy": {"Condition": "none"}},
        "Mode": {"Replicated": {"Replicas": 1}},
    }
