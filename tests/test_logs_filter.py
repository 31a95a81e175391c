"""Logs search as a live filter (issue 23, section 3): ``ctrl+f`` switches ``/`` between
highlighting matches and showing only the matching lines, while following, with the count.

The screen test follows a real container on the sandbox engine and reads the rendered terminal;
the cost test measures the filter on a 100,000-line buffer (the figures are printed).
"""

from __future__ import annotations

import asyncio
import re
import time

from textual.app import App, ComposeResult

from dockui.app import DockuiApp
from dockui.engine import EngineClient
from dockui.widgets.logview import LogView

from .conftest import engine_host
from .test_app import wait_until
from .test_logs_faults import open_logs, rendered

# one "match" line for every two "other" lines, numbered, for ever
MIXED = "i=0; while true; do echo match $i; echo other $i; echo other $i; i=$((i+1)); sleep 0.1; done"
MATCH = re.compile(r"\bmatch (\d+)\b")


def body_rows(app: DockuiApp) -> list[str]:
    """The log view's rows as rendered (between the title row and the footer)."""
    return rendered(app)[1:-1]


def shown_numbers(app: DockuiApp) -> list[int]:
    return [int(m.group(1)) for row in body_rows(app) if (m := MATCH.search(row))]


def test_filter_only_shows_only_matches_while_following(make_container, unique):
    make_container(MIXED, name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(120, 30)) as pilot:
            screen = await open_logs(pilot, app, "containers", unique)
            assert await wait_until(pilot, lambda: any("other" in row for row in body_rows(app)), 20), body_rows(app)
            await pilot.press("slash", *"match", "ctrl+f", "enter")
            # only matching lines, and the footer counts them
            assert await wait_until(pilot, lambda: "only matching" in rendered(app)[-1], 10), rendered(app)[-1]
            assert await wait_until(pilot, lambda: not any("other" in row for row in body_rows(app)), 10), body_rows(app)
            first = max(shown_numbers(app))
            # still following: new matching lines appear, the others never do
            assert await wait_until(pilot, lambda: max(shown_numbers(app) or [0]) >= first + 5, 20), body_rows(app)
            rows = body_rows(app)
            assert not any("other" in row for row in rows), rows
            assert "following" in rendered(app)[-1]
            shown = shown_numbers(app)
            assert shown == sorted(shown) and shown == list(range(shown[0], shown[0] + len(shown))), shown
            # the count on the footer is the number of matching lines held
            held = [ln for ln in screen.view._lines if ln.plain.startswith("match ")]
            footer = rendered(app)[-1]
            m = re.search(r"([\d,]+)/([\d,]+) lines", footer)
            assert m and int(m.group(1).replace(",", "")) >= len(held) - 3, (footer, len(held))
            assert re.search(r"\(([\d,]+) matches, only matching\)", footer), footer
            # ctrl+f again: every line back, matches highlighted, count still shown
            await pilot.press("ctrl+f")
            assert await wait_until(pilot, lambda: any("other" in row for row in body_rows(app)), 10), body_rows(app)
            assert await wait_until(pilot, lambda: "matches, highlight)" in rendered(app)[-1], 5), rendered(app)[-1]
            # the help says how: the search prompt names ctrl+f
            await pilot.press("slash", "ctrl+u")  # an empty prompt shows its placeholder
            assert await wait_until(pilot, lambda: "ctrl+f" in rendered(app)[-1], 5), rendered(app)[-1]
            # and so does ? (the view's keys as bound)
            await pilot.press("escape", "question_mark")
            assert await wait_until(pilot, lambda: any("ctrl+f" in r and "only matching / highlight" in r
                                                       for r in rendered(app)), 10), rendered(app)
            text = "\n".join(rendered(app))
            for key, what in (("v", "Select lines"), ("y", "copy selection"), ("Y", "copy screen"), ("J", "JSON")):
                assert re.search(rf"\b{key}\s+{what}", text), (key, text)
            await pilot.press("escape")
            assert await wait_until(pilot, lambda: app.screen is screen, 5)

    asyncio.run(main())


class LogApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LogView(max_lines=100_000)


class CountingPattern:
    """A compiled pattern that counts the lines it is asked about."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.searched = 0

    def search(self, text: str):
        self.searched += 1
        return self.pattern.search(text)

    def finditer(self, text: str):
        return self.pattern.finditer(text)


def test_filter_cost_on_a_100k_line_buffer_and_incremental_matching():
    words = ["GET /api/items 200", "POST /login 401", "error: upstream timeout", "warn: disk 91%", "info: ok"]

    async def main():
        app = LogApp()
        async with app.run_test(size=(120, 40)) as pilot:
            view = app.query_one(LogView)
            for batch in range(100):
                view.append_lines([("stdout", f"{batch} line {i} {words[i % 5]} \x1b[32mok\x1b[0m", None) for i in range(1000)])
            await pilot.pause()
            assert view.line_count == 100_000

            t = time.perf_counter()
            view.set_filter("timeout", regex=True, hide=True)
            set_ms = (time.perf_counter() - t) * 1000
            assert view.match_count == 20_000 and view.shown_count == 20_000

            t = time.perf_counter()
            view.set_hide(False)
            view.set_hide(True)
            toggle_ms = (time.perf_counter() - t) * 1000 / 2
            assert view.shown_count == 20_000

            # a flood while filtering: each batch is matched once, never the buffer
            counter = CountingPattern(view._filter_re)
            view._filter_re = counter  # type: ignore[assignment]
            t = time.perf_counter()
            for batch in range(100):
                view.append_lines([("stdout", f"new {batch} {i} {words[i % 5]}", None) for i in range(100)])
            flood_ms = (time.perf_counter() - t) * 1000
            assert counter.searched == 10_000  # the 10,000 new lines, each once
            assert view.line_count == 100_000 and view.match_count == 20_000  # old matches dropped with their lines
            await pilot.pause()
            rows = [view.render_line(y).text for y in range(view.scrollable_content_region.height)]
            assert rows[-1].strip().startswith("new 99 ") and "timeout" in rows[-1], rows[-1]
            assert all("timeout" in row for row in rows if row.strip()), rows
            print(f"\n100k-line buffer: set_filter {set_ms:.1f} ms, hide/highlight toggle {toggle_ms:.1f} ms, "
                  f"10,000 lines in 100 batches under the filter {flood_ms:.1f} ms")
            assert set_ms < 3000 and toggle_ms < 3000 and flood_ms < 3000  # hang guards on a loaded machine

    asyncio.run(main())


def test_typing_a_longer_pattern_narrows_the_matches_exactly():
    texts = ["Error one", "error two", "terror", "ERR", "warn", "e.r", "exr", "K-line", "\u212a-kelvin", "plain"]

    async def main():
        app = LogApp()
        async with app.run_test(size=(80, 20)) as pilot:
            view = app.query_one(LogView)
            view.append_lines([("stdout", t, None) for t in texts * 3])
            await pilot.pause()
            for typed in (["e", "er", "err", "erro", "error", "error t"], ["e", "e.", "e.r"], ["k", "k-"], ["x", "ex"]):
                for hide in (True, False):
                    view.set_filter(None)
                    for pattern in typed:
                        view.set_filter(pattern, regex=True, hide=hide)  # narrowed from the previous one when it may
                        got = list(view._matches)
                        view._rebuild(refilter=True)  # the same pattern matched on every line
                        assert got == view._matches, (typed, pattern, got, view._matches)
            assert [view._line_at(seq).plain for seq in view._matches] == ["exr"] * 3, [view._line_at(seq).plain for seq in view._matches]

    asyncio.run(main())
