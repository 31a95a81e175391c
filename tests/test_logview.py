"""LogView: batching, follow mode, filter, wrap, cap, and no escapes on screen."""

from __future__ import annotations

import asyncio
import io
import re
import time
from collections.abc import Awaitable, Callable

from rich.console import Console
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from dockui.widgets.logview import LogView

SIZE = (80, 24)


class LogApp(App[None]):
    def __init__(self, max_lines: int = 50_000) -> None:
        super().__init__()
        self.max_lines = max_lines

    def compose(self) -> ComposeResult:
        yield LogView(max_lines=self.max_lines)


def run(body: Callable[[Pilot, LogView], Awaitable[None]], max_lines: int = 50_000) -> None:
    async def main() -> None:
        app = LogApp(max_lines)
        async with app.run_test(size=SIZE) as pilot:
            view = app.query_one(LogView)
            view.focus()
            await pilot.pause()
            await body(pilot, view)

    asyncio.run(main())


def screen_lines(view: LogView) -> list[str]:
    """The visible rows as plain text (trailing blanks removed)."""
    height = view.scrollable_content_region.height
    return [view.render_line(y).text.rstrip() for y in range(height)]


def numbered(start: int, count: int, stream: str = "stdout", width: int = 0) -> list[tuple[str, str, str | None]]:
    return [(stream, f"line {i}" + ("x" * width if width else ""), None) for i in range(start, start + count)]


def test_append_100k_lines_in_batches_is_fast() -> None:
    async def body(pilot: Pilot, view: LogView) -> None:
        start = time.perf_counter()
        for batch in range(100):
            view.append_lines(
                [
                    ("stdout" if i % 7 else "stderr", f"{batch} line {i} \x1b[32mok\x1b[0m", "2024-05-01T10:00:00.000000001Z")
                    for i in range(1000)
                ]
            )
            if batch % 10 == 0:
                await pilot.pause()
        await pilot.pause()
        elapsed = time.perf_counter() - start
        assert elapsed < 20.0, elapsed  # a hang guard on a loaded machine; the speed is benchmarked, not unit-tested
        assert view.line_count == 50_000
        assert view.virtual_size.height == 50_000
        assert screen_lines(view)[-1].endswith("99 line 999 ok")

    run(body)


def test_follow_sticks_to_bottom_and_pauses_when_scrolled_up() -> None:
    async def body(pilot: Pilot, view: LogView) -> None:
        view.append_lines(numbered(0, 200))
        await pilot.pause()
        assert view.following
        assert view.scroll_y == view.max_scroll_y > 0
        assert screen_lines(view)[-1] == " line 199"

        view.append_lines(numbered(200, 50))
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y
        assert screen_lines(view)[-1] == " line 249"

        await pilot.press("up")
        await pilot.pause()
        assert not view.following
        paused_at = view.scroll_y
        view.append_lines(numbered(250, 50))
        await pilot.pause()
        assert view.scroll_y == paused_at < view.max_scroll_y
        assert "paused" in view.status

        await pilot.press("G")
        await pilot.pause()
        assert view.following
        assert view.scroll_y == view.max_scroll_y
        view.append_lines(numbered(300, 10))
        await pilot.pause()
        assert screen_lines(view)[-1] == " line 309"

        await pilot.press("g")
        await pilot.pause()
        assert not view.following and view.scroll_y == 0
        assert screen_lines(view)[0] == " line 0"
        await pilot.press("end")
        await pilot.pause()
        assert view.following and view.scroll_y == view.max_scroll_y

    run(body)


def test_filter_shows_only_matches_and_highlights() -> None:
    async def body(pilot: Pilot, view: LogView) -> None:
        view.append_lines([("stdout", f"{'ERROR' if i % 10 == 0 else 'info'} event {i}", None) for i in range(1000)])
        view.set_filter("error")
        await pilot.pause()
        assert view.shown_count == 100
        assert view.virtual_size.height == 100
        assert all("ERROR" in line for line in screen_lines(view))
        assert "100/1,000 lines" in view.status
        # Matches are highlighted with the match style.
        match_style = view.get_component_rich_style("logview--match", partial=True)
        strip = view.render_line(0)
        assert any(seg.style and seg.style.bgcolor == match_style.bgcolor and seg.text == "ERROR" for seg in strip)

        # New lines are filtered as they arrive.
        view.append_lines([("stdout", "late ERROR", None), ("stdout", "late info", None)])
        await pilot.pause()
        assert view.shown_count == 101
        assert screen_lines(view)[-1] == " late ERROR"

        view.set_filter(r"event \d*0$", regex=True)
        await pilot.pause()
        assert view.filter_error is None
        assert view.shown_count == 100

        view.set_filter("event (5", regex=True)
        assert view.filter_error is not None
        assert view.shown_count == 0  # matched literally
        assert "invalid regex" in view.status

        view.set_filter(None)
        await pilot.pause()
        assert view.shown_count == 1002
        assert view.filter_error is None

    run(body)


def test_search_next_prev_without_hiding() -> None:
    async def body(pilot: Pilot, view: LogView) -> None:
        view.append_lines([("stdout", f"{'needle' if i in (5, 120, 400) else 'hay'} {i}", None) for i in range(500)])
        view.set_filter("needle", hide=False)
        await pilot.press("g")
        await pilot.pause()
        assert view.shown_count == 500 and view.match_count == 3
        await pilot.press("n")
        await pilot.pause()
        assert not view.following
        assert " needle 5" in screen_lines(view)
        await pilot.press("n")
        await pilot.pause()
        assert " needle 120" in screen_lines(view)
        await pilot.press("n")
        await pilot.press("n")  # wraps around
        await pilot.pause()
        assert " needle 5" in screen_lines(view)
        await pilot.press("N")  # back around to the last one
        await pilot.pause()
        assert " needle 400" in screen_lines(view)
        view.set_filter(None)
        assert not view.search_next()

    run(body)


def test_wrap_changes_virtual_height() -> None:
    async def body(pilot: Pilot, view: LogView) -> None:
        view.append_lines(numbered(0, 100, width=200))
        await pilot.pause()
        width = view.scrollable_content_region.width
        assert view.virtual_size.height == 100
        assert view.virtual_size.width >= 200
        await pilot.press("w")
        await pilot.pause()
        assert view.wrap
        rows_per_line = -(-(1 + len("line 10") + 200) // width)
        assert view.virtual_size.height == 90 * rows_per_line + 10 * -(-(1 + len("line 1") + 200) // width)
        assert view.virtual_size.width == width
        assert view.scroll_y == view.max_scroll_y
        lines = screen_lines(view)
        assert lines[-1].endswith("x")
        await pilot.press("w")
        await pilot.pause()
        assert view.virtual_size.height == 100

    run(body)


def test_wrap_is_consistent_for_wide_characters() -> None:
    async def body(pilot: Pilot, view: LogView) -> None:
        line = "日本語" * 40 + "é" * 30
        view.append_lines([("stderr", line, "ts")] * 3)
        view.wrap = True
        view.show_timestamps = True
        await pilot.press("g")
        await pilot.pause()
        width = view.scrollable_content_region.width
        rows = view.virtual_size.height
        assert rows % 3 == 0
        strips = [view.render_line(y) for y in range(rows // 3)]
        assert all(strip.cell_length == width for strip in strips)
        joined = "".join(strip.text.rstrip() for strip in strips)
        assert joined == "▌ts " + line

    run(body)


def test_oldest_lines_dropped_at_cap() -> None:
    async def body(pilot: Pilot, view: LogView) -> None:
        for start in range(0, 250, 25):
            view.append_lines(numbered(start, 25))
        view.append_lines(numbered(250, 500))  # a batch larger than the cap
        await pilot.pause()
        assert view.line_count == 100
        assert view.virtual_size.height == 100
        await pilot.press("g")
        await pilot.pause()
        assert screen_lines(view)[0] == " line 650"

        # Paused in the middle, dropped lines do not move what is on screen.
        view.scroll_to(y=50, animate=False)
        await pilot.pause()
        before = screen_lines(view)
        view.append_lines(numbered(750, 10))
        await pilot.pause()
        assert screen_lines(view) == before

    run(body, max_lines=100)


def test_timestamps_and_stderr_marker() -> None:
    async def body(pilot: Pilot, view: LogView) -> None:
        view.append_lines([("stdout", "out", "2024-01-01T00:00:00Z"), ("stderr", "err", "2024-01-01T00:00:01Z")])
        await pilot.press("g")
        await pilot.pause()
        assert screen_lines(view)[:2] == [" out", "▌err"]
        await pilot.press("t")
        await pilot.pause()
        assert screen_lines(view)[:2] == [" 2024-01-01T00:00:00Z out", "▌2024-01-01T00:00:01Z err"]
        assert "timestamps" in view.status
        view.clear()
        await pilot.pause()
        assert view.line_count == 0 and view.virtual_size.height == 0

    run(body)


_SGR = re.compile(r"\x1b\[[0-9;]*m")


def test_hostile_lines_render_without_escapes() -> None:
    hostile = [
        "\x1b]0;pwned\x07title",
        "\x1b[2J\x1b[Hclear",
        "\x1bPq#0~\x1b\\dcs",
        "\x9b31mc1",
        "\u202eevil",
        "nul\x00",
        "10%\r100%",
        "\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\",
        "\x1b[31mred\x1b[0m [b]markup[/b]",
    ]

    async def body(pilot: Pilot, view: LogView) -> None:
        view.append_lines([("stderr", line, "\x1b]0;ts\x07") for line in hostile])
        view.show_timestamps = True
        view.set_filter("markup", hide=False)
        await pilot.press("g")
        await pilot.pause()
        strips = [view.render_line(y) for y in range(len(hostile))]
        segments: list[Segment] = [seg for strip in strips for seg in strip]
        console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=200)
        output = "".join(strip.render(console) for strip in strips)  # what the driver writes
        assert re.search(r"\x1b\[[0-9;]*m(\x1b\[[0-9;]*m)*red", output)  # coloured, however the theme maps it
        rest = _SGR.sub("", output)
        assert "\x1b" not in rest
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", rest)
        assert "[b]markup[/b]" in rest
        red = [seg for seg in segments if seg.text == "red"]
        assert red and red[0].style is not None and red[0].style.color is not None

    run(body)
