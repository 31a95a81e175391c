"""JSON log lines (issue 23, section 3): ``J`` shows a line that is a JSON object as its level and
message first, then the other fields as key=value, as text; other lines are unchanged.

The screen test reads a real container's log on the sandbox engine from the rendered terminal;
the unit tests feed :func:`pretty_line` hostile and odd documents.
"""

from __future__ import annotations

import asyncio
import json
import re

from textual.app import App, ComposeResult

from dockui.app import DockuiApp
from dockui.engine import EngineClient
from dockui.widgets.logjson import pretty_line
from dockui.widgets.logview import LogView

from .conftest import engine_host
from .test_app import wait_until
from .test_logs_faults import open_logs, rendered

DOC = {"time": "2026-12-04T17:00:00Z", "level": "warn", "msg": "disk almost full", "disk": "/dev/sda1", "pct": 91,
       "tags": ["a", "b"]}
SCRIPT = ("echo 'plain line before'; echo '" + json.dumps(DOC) + "'; echo '{\"lvl\":\"error\",\"message\":\"[bold]boom[/]\"}';"
          " echo 'plain line after'; sleep 600")


def body_rows(app: DockuiApp) -> list[str]:
    return [r.strip() for r in rendered(app)[1:-1] if r.strip()]


def test_J_shows_level_and_message_first_and_leaves_other_lines(make_container, unique):
    make_container(SCRIPT, name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(140, 30)) as pilot:
            await open_logs(pilot, app, "containers", unique)
            assert await wait_until(pilot, lambda: "plain line after" in " ".join(body_rows(app)), 20), body_rows(app)
            assert any(r.startswith('{"time"') for r in body_rows(app)), body_rows(app)
            await pilot.press("J")
            want = 'WARN  disk almost full  time=2026-12-04T17:00:00Z disk=/dev/sda1 pct=91 tags=["a","b"]'
            assert await wait_until(pilot, lambda: want in body_rows(app), 10), body_rows(app)
            rows = body_rows(app)
            assert "ERROR [bold]boom[/]" in rows, rows  # markup in a value stays text
            assert rows[0] == "plain line before" and rows[-1] == "plain line after", rows
            assert "json" in rendered(app)[-1]
            await pilot.press("J")  # back to the lines as logged
            assert await wait_until(pilot, lambda: any(r.startswith('{"time"') for r in body_rows(app)), 10), body_rows(app)
            assert not any(r.startswith("WARN") for r in body_rows(app))

    asyncio.run(main())


def test_pretty_line_orders_fields_and_keeps_escapes_out():
    text = pretty_line('{"ts": 1, "severity": "INFO", "message": "hello", "user": "a b", "empty": ""}')
    assert text is not None and text.plain == 'INFO  hello  ts=1 user="a b" empty=""'
    assert pretty_line('{"level": 50, "msg": "pino"}').plain == "ERROR pino"  # numeric levels named
    assert pretty_line('web | {"msg": "from a service"}').plain == "web | from a service"  # the feed's label kept
    assert pretty_line('{"a": {"b": [1, 2]}}').plain == 'a={"b":[1,2]}'  # no level, no message: fields only
    for not_an_object in ("[1, 2]", "3", '"str"', "{broken", "plain { text }", "x {\"a\": 1}", ""):
        assert pretty_line(not_an_object) is None, not_an_object
    hostile = pretty_line(json.dumps({"level": "\x1b[31merror", "msg": "\x1b]52;c;ZXZpbA==\x07hi\u202e\x9b2J",
                                      "k\x1b[2J": "v\x07\x00"}))
    assert hostile is not None
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e]", hostile.plain), repr(hostile.plain)
    assert "hi" in hostile.plain and hostile.plain.startswith("ERROR")


class LogApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LogView()


def test_json_view_wraps_by_the_pretty_text():
    line = json.dumps({"level": "info", "msg": "m" * 100, "x": "é" * 30})

    async def main():
        app = LogApp()
        async with app.run_test(size=(60, 20)) as pilot:
            view = app.query_one(LogView)
            view.append_lines([("stdout", line, None), ("stdout", "plain", None)])
            view.wrap = True
            view.json_view = True
            await pilot.pause()
            rows = [view.render_line(y).text.rstrip() for y in range(view.virtual_size.height)]
            joined = "".join(r[1:] if i == 0 else r for i, r in enumerate(rows[:-1]))
            assert joined == pretty_line(line).plain, rows  # the rows counted are the rows drawn
            assert rows[-1].strip() == "plain"

    asyncio.run(main())


def test_json_view_without_wrap_grows_the_width_to_a_wider_pretty_line():
    line = '{"a":1e5,"b":1e5,"c":1e5,"d":1e5}'  # each 1e5 is shown as 100000.0: wider than logged

    async def main():
        app = LogApp()
        async with app.run_test(size=(30, 10)) as pilot:
            view = app.query_one(LogView)
            view.append_lines([("stdout", line, None)])
            await pilot.pause()
            assert view.virtual_size.width == 1 + len(line)
            view.json_view = True
            await pilot.pause()
            await pilot.pause()
            pretty = "a=100000.0 b=100000.0 c=100000.0 d=100000.0"
            assert view.virtual_size.width == 1 + len(pretty), view.virtual_size
            view.scroll_to(x=view.max_scroll_x, animate=False)
            await pilot.pause()
            assert view.render_line(0).text.rstrip().endswith("d=100000.0")  # the end can be scrolled to

    asyncio.run(main())
