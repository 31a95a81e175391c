"""ResourceTable on its own (no engine: a pure widget unit): rows by id, the cursor kept on its
resource, styles kept, and a change re-rendering only the rows it touched."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import App, ComposeResult

from dockui.widgets.table import ResourceTable

COLUMNS = [("name", "NAME"), ("state", "STATE"), ("cpu", "CPU")]


def rows(n: int, state: str = "running") -> list[tuple[str, tuple]]:
    return [(f"id{i:04d}", (f"name-{i:04d}", Text(state, style="green"), f"{i % 7}.0%")) for i in range(n)]


class TableApp(App):
    def compose(self) -> ComposeResult:
        yield ResourceTable(id="t")

    def on_mount(self) -> None:
        t = self.query_one(ResourceTable)
        t.set_columns(COLUMNS)
        t.focus()


def run(coro_fn):
    async def main():
        app = TableApp()
        async with app.run_test(size=(80, 24)) as pilot:
            await coro_fn(app, app.query_one(ResourceTable), pilot)

    asyncio.run(main())


def test_sync_keeps_the_cursor_on_its_row_when_rows_move_and_go() -> None:
    async def body(app, t, pilot):
        data = rows(1000)
        t.sync(data)
        await pilot.pause()
        assert t.row_count == 1000 and t.current_id == "id0000"
        await pilot.press("j", "j", "j")
        assert t.current_id == "id0003"
        t.sync(list(reversed(data)))
        assert t.current_id == "id0003" and t.cursor_row == 996
        t.sync([r for r in data if r[0] != "id0003"][:10])
        assert t.row_count == 10 and t.current_id is not None
        t.sync([])
        assert t.row_count == 0 and t.current_id is None

    run(body)


def test_a_changed_cell_re_renders_only_its_row() -> None:
    async def body(app, t, pilot):
        data = rows(1000)
        t.sync(data)
        await pilot.pause()
        calls = []
        orig = t._render_cells
        t._render_cells = lambda cells, *a: (calls.append(cells[0]), orig(cells, *a))[1]
        changed = list(data)
        changed[5] = ("id0005", ("name-0005", Text("running", style="green"), "9.0%"))  # same width, new value
        t.sync(changed)
        await pilot.pause()
        assert calls == ["name-0005"], calls
        calls.clear()
        await pilot.press("j")  # cursor from row 0 to row 1: those two lines only
        await pilot.pause()
        assert sorted(calls) == ["name-0000", "name-0001"], calls

    run(body)


def test_cells_keep_their_style_and_untrusted_markup_stays_text() -> None:
    async def body(app, t, pilot):
        t.sync([("a", ("[bold]x[/bold]", Text("running", style="green"), "1%")), ("b", ("plain", "exited", "-"))])
        await pilot.pause()
        line = t.render_line(2)  # row "b" (row "a" holds the cursor)
        text = "".join(s.text for s in line)
        assert "plain" in text
        first = t.render_line(1)
        joined = "".join(s.text for s in first)
        assert "[bold]x[/bold]" in joined
        t.move_cursor(row=1)
        styled = [s for s in t.render_line(1) if s.text == "running"]
        assert styled and styled[0].style and styled[0].style.color and styled[0].style.color.name == "green"

    run(body)


def test_columns_fit_the_rows_shown_and_long_cells_are_cut() -> None:
    async def body(app, t, pilot):
        long = "n" * 50
        t.sync([("a", (long, "running", "1%")), ("b", ("short", "running", "1%"))])
        assert t.column_widths[0] == 50
        t.sync([("b", ("short", "running", "1%"))])  # the long row went: the column narrows...
        assert t.column_widths[0] == 50  # ...not at once (typing a filter, columns hold still)...
        await pilot.pause(t.FIT_DELAY + 0.3)
        assert t.column_widths[0] == len("short")  # ...but once the rows settle
        t.sync([("b", ("short", "running", "100.0%"))])  # a cell grew in place: its column grows
        assert t.column_widths[2] == len("100.0%")
        t.sync([("b", ("short", "running", "1%"))])  # ...and does not jitter back on the next tick
        assert t.column_widths[2] == len("100.0%")

    run(body)


def test_a_click_moves_the_cursor_and_keys_page() -> None:
    async def body(app, t, pilot):
        t.sync(rows(100))
        await pilot.pause()
        await pilot.click(ResourceTable, offset=(3, 4))  # screen line 4 = row 3 (line 0 is the header)
        assert t.current_id == "id0003"
        await pilot.press("G")
        assert t.current_id == "id0099"
        assert "id0099" in t.visible_ids()
        await pilot.press("g")
        assert t.current_id == "id0000" and t.scroll_y == 0

    run(body)


def test_a_filter_that_keeps_the_top_rows_redraws_next_to_nothing() -> None:
    async def body(app, t, pilot):
        data = rows(1000)
        t.sync(data)
        await pilot.pause()
        drawn = []
        orig = t.render_line
        t.render_line = lambda y: (drawn.append(y), orig(y))[1]
        t.sync(data[:100])  # the same first rows, far fewer below: the screen looks the same
        await pilot.pause()
        assert t.row_count == 100 and t.current_id == "id0000"
        assert [y for y in drawn if y > 0] in ([], [1]), drawn  # at most the cursor's line
        drawn.clear()
        t.sync(data[50:60])  # other rows on top: every row line is drawn again
        await pilot.pause()
        assert t.row_ids == [r[0] for r in data[50:60]]
        assert set(range(1, 11)) <= set(drawn)
        assert t.render_line(1).text.strip().startswith("name-0050")
        assert t.render_line(10).text.strip().startswith("name-0059")
        assert t.render_line(11).text.strip() == ""

    run(body)


def test_rows_a_filter_hid_come_back_without_being_measured_again() -> None:
    """Issue 20: widening a filter at 10,000 rows measured every returning row again (250 ms);
    a row that left keeps its cells and widths, so coming back costs an identity check."""
    async def body(app, t, pilot):
        data = rows(2000)
        t.sync(data)
        await pilot.pause()
        t.sync(data[:3])  # a filter narrows to three rows
        with __import__("pytest").raises(KeyError):
            t.get_row("id0500")  # a hidden row is not shown, even though its cells are kept
        measured = []
        import dockui.widgets.table as table_mod

        orig = table_mod._width
        table_mod._width = lambda c: (measured.append(c), orig(c))[1]
        try:
            t.sync(data)  # the filter cleared: every row back, none of them changed
        finally:
            table_mod._width = orig
        assert measured == []
        assert t.row_count == 2000 and t.row_ids == [r[0] for r in data]
        await pilot.pause()
        assert t.render_line(2).text.strip().startswith("name-0001")

    run(body)


def test_a_row_that_changed_while_hidden_comes_back_with_its_new_cells_and_widths() -> None:
    async def body(app, t, pilot):
        data = rows(100)
        t.sync(data)
        t.sync(data[:2])
        wide = ("id0001", ("name-0001-" + "w" * 40, Text("exited", style="red"), "-"))
        t.sync([data[0], wide])  # a shown row changes too
        back = list(data)
        back[1] = wide
        back[7] = ("id0007", ("name-0007", Text("dead", style="red"), "-"))  # changed while hidden
        t.sync(back)
        await pilot.pause()
        assert t.get_row("id0007")[1].plain == "dead"
        assert t.column_widths[0] == len("name-0001-" + "w" * 40)
        lines = [t.render_line(y).text for y in range(1, 10)]
        assert any("name-0007" in line and "dead" in line for line in lines), lines

    run(body)
