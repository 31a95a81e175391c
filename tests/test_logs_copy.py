"""Copying log lines (issue 23, section 3): ``v`` ``j`` ``k`` select, ``y`` copies the selection,
``Y`` the lines on screen, over OSC 52, escapes removed, bounded at 100 KB (and it says so).

What the app writes to the terminal is captured at the driver; the OSC 52 sequence is found in
it and its base64 decoded. The logs come from real containers on the sandbox engine.
"""

from __future__ import annotations

import asyncio
import base64
import re

from dockui.app import DockuiApp
from dockui.engine import EngineClient
from dockui.screens.logs import CLIPBOARD_LIMIT, clip

from .conftest import engine_host
from .test_app import wait_until
from .test_logs_faults import open_logs, rendered

OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")
# what must never reach the clipboard: C0 controls but newline, DEL, C1 controls, bidi overrides
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def capture(app: DockuiApp) -> list[str]:
    """Everything the app writes to its (headless) terminal from now on."""
    written: list[str] = []
    driver = app._driver
    assert driver is not None
    write = driver.write

    def spy(data: str) -> None:
        written.append(data)
        write(data)

    driver.write = spy  # type: ignore[method-assign]
    return written


def clipboard(written: list[str]) -> list[str]:
    """The texts the OSC 52 sequences written so far put on the clipboard."""
    return [base64.b64decode(m.group(1)).decode("utf-8") for m in OSC52.finditer("".join(written))]


def body_rows(app: DockuiApp) -> list[str]:
    return rendered(app)[1:-1]


def notices(app: DockuiApp) -> str:
    return " ".join(n.message for n in app._notifications)


# every line carries colour, a title change, a clipboard write and a cursor move
HOSTILE = (r"i=0; while [ $i -lt 40 ]; do printf 'row %d \033[31mred\033[0m \033]0;title\007\033]52;c;ZXZpbA==\007"
           r"\033[2J tab\there\n' $i; i=$((i+1)); done; sleep 600")


def test_select_with_v_j_k_and_copy_with_y_without_escapes(make_container, unique):
    make_container(HOSTILE, name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(120, 30)) as pilot:
            screen = await open_logs(pilot, app, "containers", unique)
            assert await wait_until(pilot, lambda: any("row 39 " in r for r in body_rows(app)), 20), body_rows(app)
            written = capture(app)
            await pilot.press("v")  # the last line on screen
            assert await wait_until(pilot, lambda: "selected 1 " in rendered(app)[-1], 5), rendered(app)[-1]
            await pilot.press("k", "k", "k")  # up three: four lines
            assert await wait_until(pilot, lambda: "selected 4 " in rendered(app)[-1], 5), rendered(app)[-1]
            await pilot.press("j")  # back one: three lines
            assert await wait_until(pilot, lambda: "selected 3 " in rendered(app)[-1], 5), rendered(app)[-1]
            # the selected rows are drawn highlighted, the others not
            view = screen.view
            selected_bg = view.get_component_rich_style("logview--selected", partial=True).bgcolor
            height = view.scrollable_content_region.height
            marked = []
            for y in range(height):
                strip = view.render_line(y)
                if any(seg.style and seg.style.bgcolor == selected_bg for seg in strip):
                    marked.append(strip.text.strip())
            assert [re.match(r"row (\d+)", r).group(1) for r in marked] == ["37", "38", "39"], marked
            # and the rendered screen shows those rows
            assert any(r.strip().startswith("row 37 ") for r in body_rows(app))
            await pilot.press("y")
            assert await wait_until(pilot, lambda: clipboard(written), 5)
            copied = clipboard(written)[-1]
            # the tab expanded as shown; no escape left
            assert copied.split("\n") == [f"row {i} red  tab here" for i in (37, 38, 39)], repr(copied)
            assert not UNSAFE.search(copied), repr(copied)
            assert "copied 3 lines" in notices(app), notices(app)
            assert await wait_until(pilot, lambda: "selected" not in rendered(app)[-1], 5)  # y ends the selection
            # Y: the lines on screen, as shown
            await pilot.press("Y")
            assert await wait_until(pilot, lambda: len(clipboard(written)) == 2, 5)
            on_screen = clipboard(written)[-1].split("\n")
            shown = [r[:24].strip() for r in body_rows(app) if r.strip()]  # left of any notice and the scrollbar
            assert [ln.strip() for ln in on_screen] == shown, (on_screen, shown)
            assert not UNSAFE.search(clipboard(written)[-1])
            # esc ends a selection without leaving the view
            await pilot.press("v", "escape")
            assert await wait_until(pilot, lambda: "selected" not in rendered(app)[-1], 5)
            assert app.screen is screen

    asyncio.run(main())


# 60 lines of about 4 KB: 30 of them are over the 100 KB bound
LONG = r"s=$(printf '%04000d' 0); i=0; while [ $i -lt 60 ]; do echo long $i $s; i=$((i+1)); done; sleep 600"


def test_copy_is_cut_at_the_bound_and_says_so(make_container, unique):
    make_container(LONG, name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(120, 30), notifications=True) as pilot:  # toasts drawn, as in use
            await open_logs(pilot, app, "containers", unique)
            assert await wait_until(pilot, lambda: any("long 59 " in r for r in body_rows(app)), 20), body_rows(app)
            written = capture(app)
            await pilot.press("v", *["k"] * 29)  # lines 30..59: about 120 KB
            assert await wait_until(pilot, lambda: "selected 30 " in rendered(app)[-1], 10), rendered(app)[-1]
            await pilot.press("y")
            assert await wait_until(pilot, lambda: clipboard(written), 5)
            copied = clipboard(written)[-1]
            assert len(copied.encode()) <= CLIPBOARD_LIMIT
            lines = copied.split("\n")
            assert [ln.split()[1] for ln in lines] == [str(i) for i in range(30, 30 + len(lines))]
            assert 20 <= len(lines) < 30, len(lines)
            assert all(len(ln) == len(f"long {i} ") + 4000 for ln, i in zip(lines, range(30, 60), strict=False))  # whole lines
            text = notices(app)
            assert f"copied {len(lines)} of 30 lines" in text and "cut at the clipboard limit of 100.0 KB" in text, text
            # the terminal shows it too (the notice wraps inside its box)
            assert await wait_until(pilot, lambda: any("clipboard" in r and "limit" in r for r in rendered(app))
                                    or any("clipboard" in r for r in rendered(app)) and any("cut at" in r for r in rendered(app)), 5)

    asyncio.run(main())


def test_clip_keeps_whole_lines_and_cuts_a_huge_one_at_a_character():
    assert clip(["a", "b", "c"], 3) == ("a\nb", 2)
    assert clip(["abc"], 10) == ("abc", 1)
    text, kept = clip(["é" * 10], 5)  # 2 bytes each: two whole characters, never half of one
    assert (text, kept) == ("éé", 1)
    assert clip([], 10) == ("", 0)


def test_selection_under_a_hiding_filter_and_as_lines_arrive_and_drop():
    from textual.app import App, ComposeResult

    from dockui.widgets.logview import LogView

    class LogApp(App[None]):
        def compose(self) -> ComposeResult:
            yield LogView(max_lines=200)

    async def main():
        app = LogApp()
        async with app.run_test(size=(80, 20)) as pilot:
            view = app.query_one(LogView)
            view.append_lines([("stdout", f"line {i}" + (" hit" if i % 3 == 0 else ""), None) for i in range(100)])
            view.set_filter("hit", hide=True)
            await pilot.pause()
            assert view.start_selection()  # the last line on screen: the newest match
            view.move_selection(-2)
            assert view.copy_text(view.selected_lines()) == ["line 93 hit", "line 96 hit", "line 99 hit"]
            assert "selected 3 " in view.status and not view.following
            # lines arriving (matching or not) leave the selection where it was
            view.append_lines([("stdout", f"line {i}" + (" hit" if i % 3 == 0 else ""), None) for i in range(100, 150)])
            await pilot.pause()
            assert view.copy_text(view.selected_lines()) == ["line 93 hit", "line 96 hit", "line 99 hit"]
            # shown highlighted, on screen, with the highlight rows only on those three
            selected_bg = view.get_component_rich_style("logview--selected", partial=True).bgcolor
            marked = [view.render_line(y).text.strip() for y in range(view.scrollable_content_region.height)
                      if any(seg.style and seg.style.bgcolor == selected_bg for seg in view.render_line(y))]
            assert marked == ["line 93 hit", "line 96 hit", "line 99 hit"], marked
            # its first lines drop out of the buffer (cap 200): what is left stays selected
            view.append_lines([("stdout", f"line {i}", None) for i in range(150, 295)])  # lines 0..94 gone
            assert view.copy_text(view.selected_lines()) == ["line 96 hit", "line 99 hit"]
            assert "selected 2 " in view.status
            view.append_lines([("stdout", f"line {i}" + (" hit" if i % 3 == 0 else ""), None) for i in range(295, 400)])
            assert not view.selecting and view.selected_lines() == []  # all dropped: no selection left
            # Y's lines: what is on screen, in order, under the filter
            view.following = True
            await pilot.pause()
            shown = [view.render_line(y).text.strip() for y in range(view.scrollable_content_region.height)]
            assert view.copy_text(view.lines_on_screen()) == [s for s in shown if s]
            assert shown[-1] == "line 399 hit" and len([s for s in shown if s]) == view.scrollable_content_region.height

    asyncio.run(main())
