"""The filter as you type at scale (issue 20): a keystroke that only changes the filter's text
scans the last full pass's rows (or, when the text extends the last one, only the rows it
showed) in their order, with no sort and no cells built. These tests pin that it shows exactly
what a full pass shows: typing, deleting characters, ``!text``, field terms (``label=``,
``state=``), marks, and rows that change while the filter is on. Against the sandbox engine.
"""

from __future__ import annotations

import asyncio

from dockui.app import DockuiApp
from dockui.engine import EngineClient

from .conftest import engine_host
from .test_app import wait_until
from .test_rendered import screen_text


def full_pass(screen) -> list[str]:
    """The rows a full pass (no cached order) would show now, without disturbing the screen."""
    saved = (getattr(screen, "_base", None), getattr(screen, "_last_text", None))
    screen._base = screen._last_text = None
    try:
        return [rid for rid, _ in screen.rows()]
    finally:
        screen._base, screen._last_text = saved


def typed(screen, text: str) -> None:
    """The prompt now holds ``text`` (as after keystrokes or a paste), applied at once."""
    screen.query_one("#prompt").value = text
    screen.prompt_typed(text)


def test_narrowing_and_widening_show_what_a_full_pass_shows(client, make_container, unique):
    async def main():
        web = [make_container(name=f"{unique}-web{i}", labels={"tier": "web"}) for i in range(3)]
        db = make_container(name=f"{unique}-db0", labels={"tier": "db"})
        stopped = make_container(name=f"{unique}-web9", labels={"tier": "web"}, start=False)
        mine = {*web, db, stopped}
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: mine <= set(app.main.table.row_ids), 20)
            screen = app.main
            fast_hits = []
            real = screen._rows_by_text
            screen._rows_by_text = lambda *a: (lambda r: (fast_hits.append(r is not None), r)[1])(real(*a))
            await pilot.press("slash")
            steps = []
            for text in [unique, unique + "-w", unique + "-we", unique + "-web", unique + "-web9", unique + "-web",
                         unique + "-", unique + "-d", unique[:4], "", "!" + unique, "!" + unique + "-web",
                         "!" + unique + "-web1", f"label=tier=web {unique}", f"label=tier=web {unique}-web1",
                         f"label=tier=web {unique}", f"state=running {unique}", f"state=running {unique}-web",
                         f"state=running {unique}-we"]:
                for cut in range(len(text) - 3, len(text) + 1):  # the last few characters one at a time
                    if cut < 0:
                        continue
                    typed(screen, text[:cut])
                    steps.append(text[:cut])
                    assert screen.table.row_ids == full_pass(screen), text[:cut]
            assert sum(fast_hits) >= len(steps) // 2, (sum(fast_hits), len(steps))  # most keystrokes took the fast path
            typed(screen, f"label=tier=web {unique}")
            assert set(screen.table.row_ids) == {*web, stopped}
            typed(screen, f"{unique}-web")
            assert set(screen.table.row_ids) == {*web, stopped}
            await pilot.pause(0.2)
            text = screen_text(app)
            assert all(f"{unique}-web{i}" in text for i in (0, 1, 2, 9)) and f"{unique}-db0" not in text

    asyncio.run(main())


def test_rows_that_change_while_filtered_follow_the_filter(client, make_container, unique):
    async def main():
        a = make_container(name=f"{unique}-a")
        b = make_container(name=f"{unique}-b")
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: {a, b} <= set(app.main.table.row_ids), 20)
            screen = app.main
            await pilot.press("slash")
            typed(screen, f"{unique}-")
            assert set(screen.table.row_ids) == {a, b}
            typed(screen, f"{unique}-a")
            assert screen.table.row_ids == [a]
            client.rename(b, f"{unique}-ab")  # now matches the filter: the store's change takes a full pass
            assert await wait_until(pilot, lambda: set(screen.table.row_ids) == {a, b}, 20)
            c = make_container(name=f"{unique}-ac")
            assert await wait_until(pilot, lambda: set(screen.table.row_ids) == {a, b, c}, 20)
            typed(screen, f"{unique}-ac")  # narrowing after the change: the new row is there
            assert screen.table.row_ids == [c] == full_pass(screen)
            client.remove_container(c, force=True)
            assert await wait_until(pilot, lambda: screen.table.row_ids == [], 20)
            typed(screen, f"{unique}-a")  # widening after a removal: no ghost row
            assert set(screen.table.row_ids) == {a, b} and set(full_pass(screen)) == {a, b}
            await pilot.press("escape")
            assert await wait_until(pilot, lambda: {a, b} <= set(screen.table.row_ids))
            text = screen_text(app)
            assert f"{unique}-ab" in text

    asyncio.run(main())


def test_marks_and_sort_changes_take_a_full_pass(client, make_container, unique):
    async def main():
        ids = [make_container(name=f"{unique}-{i}") for i in range(3)]
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: set(ids) <= set(app.main.table.row_ids), 20)
            screen = app.main
            await pilot.press("slash")
            typed(screen, unique)
            assert screen.table.row_ids == ids
            await pilot.press("enter")
            await pilot.press("N")  # name, reversed
            assert await wait_until(pilot, lambda: screen.table.row_ids == ids[::-1])
            await pilot.press("slash")
            typed(screen, unique + "-")
            assert screen.table.row_ids == ids[::-1] == full_pass(screen)
            typed(screen, unique + "-1")
            assert screen.table.row_ids == [ids[1]]
            await pilot.press("enter", "space")  # mark it: its first cell says so
            await pilot.pause(0.1)
            await pilot.press("slash")
            typed(screen, unique)
            assert screen.table.row_ids == ids[::-1] == full_pass(screen)
            first = screen.table.get_row(ids[1])[0]
            assert "+ " in (first.plain if hasattr(first, "plain") else first)

    asyncio.run(main())


def test_a_keystroke_that_hides_no_row_leaves_the_table_alone(client, make_container, unique):
    async def main():
        ids = [make_container(name=f"{unique}-{i}") for i in range(3)]
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: set(ids) <= set(app.main.table.row_ids), 20)
            screen, table = app.main, app.main.table
            await pilot.press("slash")
            typed(screen, unique[:-2])
            assert table.row_ids == ids
            syncs = []
            real = table.sync
            table.sync = lambda rows, *a, **kw: (syncs.append(len(rows)), real(rows, *a, **kw))[1]
            typed(screen, unique[:-1])  # the same three rows: no sync
            typed(screen, unique)
            assert syncs == [] and table.row_ids == ids == full_pass(screen)
            typed(screen, unique + "-1")  # one row left: a sync
            assert syncs == [1] and table.row_ids == [ids[1]]
            typed(screen, unique + "-")  # back: a sync
            assert table.row_ids == ids == full_pass(screen)
            await pilot.pause(0.2)
            text = screen_text(app)
            assert all(f"{unique}-{i}" in text for i in range(3)), text

    asyncio.run(main())


def test_the_filter_texts_kept_for_a_keystroke_go_when_the_cells_go(client, make_container, unique):
    """A keystroke scans (id, filter text) pairs kept per list of rows; when the cells are
    cleared (a kind they read changed: a secret's USED BY) the pairs are worked out again."""
    async def main():
        mine = {make_container(name=f"{unique}-a{i}") for i in range(2)}
        app = DockuiApp(EngineClient(engine_host()))
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: mine <= set(app.main.table.row_ids), 20)
            screen = app.main
            await pilot.press("slash")
            typed(screen, unique)
            await pilot.pause(0.2)
            ids = screen._last_text[3]
            kept = screen._pairs_for(ids)
            assert kept is screen._pairs_for(ids) and {rid for rid, _ in kept} == mine
            rid = next(iter(mine))
            row, cells, _hay, key = screen._cells[rid]
            screen._cells.clear()
            screen._cells[rid] = (row, cells, "changed text", key)  # what another kind's change made
            again = screen._pairs_for(ids)
            assert again is None or again is not kept  # None: the other row's cells are gone (a full pass)
            typed(screen, unique + "-a")
            await pilot.pause(0.2)
            assert screen.table.row_ids == full_pass(screen)

    asyncio.run(main())
