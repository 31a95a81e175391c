"""A container created or removed at scale (issue 20: engine event to changed row): the new row is
put in its place in the order shown by a binary search instead of a full pass over every row.
These tests pin that the order is exactly what a full pass gives (sorted by name either way, by
age, rows that move), that the row shows on screen, and that a filter or a figure sort still
takes the full pass. Against the sandbox engine.
"""

from __future__ import annotations

import asyncio

from dockui.app import DockuiApp
from dockui.engine import EngineClient

from .conftest import engine_host
from .test_app import wait_until
from .test_filter_incremental import full_pass, typed
from .test_rendered import screen_text


def _spy(screen) -> list[bool]:
    """Record what each call of ``_patch_membership`` returned."""
    calls: list[bool] = []
    orig = screen._patch_membership

    def spy(touched):
        r = orig(touched)
        calls.append(r)
        return r

    screen._patch_membership = spy
    return calls


def test_created_and_removed_rows_take_their_place_without_a_full_pass(client, make_container, unique):
    async def main():
        app = DockuiApp(EngineClient(engine_host(), timeout=30), first_screen="containers")
        async with app.run_test(size=(160, 40)) as pilot:
            screen = app.screen
            await wait_until(pilot, lambda: screen.table.row_count > 0, 30)
            calls = _spy(screen)
            for i, sort in enumerate(((), ("N",), ("A",))):  # name ascending, name descending, age
                for key in sort:
                    await pilot.press(key)
                await pilot.pause(0.3)
                before = len(calls)
                first = make_container(name=f"0000-{unique}-{i}")  # sorts first by name
                await wait_until(pilot, lambda first=first: first in screen.table._order, 20)
                assert screen.table._order == full_pass(screen), sort
                last = make_container(name=f"zzzz-{unique}-{i}", start=False)
                await wait_until(pilot, lambda last=last: last in screen.table._order, 20)
                assert screen.table._order == full_pass(screen), sort
                client.remove_container(first, force=True)
                await wait_until(pilot, lambda first=first: first not in screen.table._order, 20)
                assert screen.table._order == full_pass(screen), sort
                assert True in calls[before:], f"never patched in place ({sort}): {calls[before:]}"
            await pilot.press("N")  # name ascending again: the new row on top, on screen
            await pilot.pause(0.3)
            top = make_container(name=f"0000-{unique}-top")
            await wait_until(pilot, lambda: screen.table._order[:1] == [top], 20)
            await pilot.pause(0.3)
            assert f"0000-{unique}-top" in screen_text(app)

    asyncio.run(main())


def test_a_filter_or_a_figure_sort_takes_the_full_pass(client, make_container, unique):
    async def main():
        app = DockuiApp(EngineClient(engine_host(), timeout=30), first_screen="containers")
        async with app.run_test(size=(160, 40)) as pilot:
            screen = app.screen
            await wait_until(pilot, lambda: screen.table.row_count > 0, 30)
            calls = _spy(screen)
            await pilot.press("slash")
            typed(screen, unique)
            await pilot.press("enter")
            await pilot.pause(0.3)
            a = make_container(name=f"{unique}-a")
            await wait_until(pilot, lambda: a in screen.table._order, 20)
            assert screen.table._order == full_pass(screen) == [a]
            assert True not in calls, calls  # filtered: every change took the full pass
            await pilot.press("slash")
            typed(screen, "")
            await pilot.press("enter")
            await pilot.pause(0.3)
            await pilot.press("C")  # sorted by CPU
            await pilot.pause(0.3)
            # the unfiltered moment before C may have patched another test's or a swarm task's container
            calls.clear()
            b = make_container(name=f"{unique}-b")
            await wait_until(pilot, lambda: b in screen.table._order, 20)
            assert sorted(screen.table._order) == sorted(full_pass(screen))
            assert True not in calls, calls

    asyncio.run(main())


def test_a_pending_stats_paint_does_not_turn_a_created_row_into_a_full_pass(client, make_container, unique):
    """A stats tick's paint, put off by the repaint throttle, was pending when a container was
    created: the row waited for a full pass over every row (20-300 ms at 10,000 containers, the
    tail of the event-to-row figure). Now the row is patched in at once and the stats paint runs
    when it is due."""
    async def main():
        app = DockuiApp(EngineClient(engine_host(), timeout=30), first_screen="containers")
        app.MIN_REPAINT = 3.0  # every throttled paint waits long enough to be pending at the create
        async with app.run_test(size=(160, 40)) as pilot:
            screen = app.screen
            await wait_until(pilot, lambda: screen.table.row_count > 0, 30)
            await pilot.pause(0.5)
            paints: list[float] = []
            orig = screen._paint

            def spy():
                paints.append(1)
                orig()

            screen._paint = spy
            screen._restat = True
            screen.repaint()  # a stats tick's paint, put off
            assert screen._paint_timer is not None and not paints
            first = make_container(name=f"0000-{unique}-pending")
            await wait_until(pilot, lambda: first in screen.table._order, 20)
            assert not paints, "the created row waited for a full pass"
            assert screen.table._order == full_pass(screen)
            await pilot.pause(0.2)
            assert f"0000-{unique}-pending" in screen_text(app)
            await wait_until(pilot, lambda: screen._paint_timer is None, 10)
            assert paints  # the stats paint still ran

    asyncio.run(main())


def test_a_patch_builds_clock_cells_only_for_the_rows_that_came_on_screen(client, make_container, unique):
    """A removed row pulls the next one onto the screen: that row's clock cells (STATUS, AGE) are
    built again at the current time, the rows that were on screen already are not (the clock tick
    keeps them current; it was ~2 ms of every created container's path at 200x60)."""
    async def main():
        app = DockuiApp(EngineClient(engine_host(), timeout=30), first_screen="containers")
        made = [make_container(name=f"0000-{unique}-{n:02d}") for n in range(20)]
        async with app.run_test(size=(160, 18)) as pilot:
            screen = app.screen
            await wait_until(pilot, lambda: all(c in screen.table._order for c in made), 30)
            await pilot.pause(0.5)
            shown = screen.table.visible_ids()
            assert shown[0] == made[0] and made[-1] not in shown
            below = screen.table._order[len(shown)]
            built: list[str] = []
            orig, patch = screen._with_stats, screen._patch_membership
            inside: list[bool] = []
            calls: list[bool] = []

            def spy(row, cells, columns, cols):
                if inside:  # the clock tick builds every row on screen each second: not counted
                    built.append(row.get("Id", ""))
                return orig(row, cells, columns, cols)

            def patch_spy(touched):
                inside.append(True)
                try:
                    r = patch(touched)
                finally:
                    inside.clear()
                calls.append(r)
                return r

            screen._with_stats, screen._patch_membership = spy, patch_spy
            client.remove_container(made[0], force=True)
            await wait_until(pilot, lambda: made[0] not in screen.table._order, 20)
            assert calls and calls[-1] is True
            assert below in screen.table.visible_ids()
            # none of the rows already on screen was built again (the one that came is, unless the
            # patch built it anyway as changed: then it is new at this time too)
            assert set(built) <= {below}, built
            columns = screen._shown_columns or screen.spec.columns
            clock = [i for i, c in enumerate(columns) if c.clock]
            row, cells = screen._cells[below][0], screen._cells[below][1]
            assert cells == orig(row, cells, columns, clock)  # as built now
            await pilot.pause(0.2)
            text = screen_text(app)
            assert f"0000-{unique}-01" in text and f"0000-{unique}-00" not in text, text

    asyncio.run(main())
