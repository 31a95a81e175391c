"""The faults-only view's header counts as the filtered view's does: ``[shown/total]``, the rows
ctrl+z keeps over every container the store has (it showed ``[total]``)."""

from __future__ import annotations

import re

from .kindview import make_app, run, unique, wait_text


def test_faults_only_header_says_shown_of_total(make_container):
    bad, good = unique(), unique()
    make_container("exit 3", name=bad)
    make_container(["sleep", "600"], name=good)

    async def go():
        app = make_app("containers")
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_text(pilot, app, [bad, good], timeout=30)
            await pilot.press("ctrl+z")
            text = await wait_text(pilot, app, [re.compile(r"Containers \[\d+/\d+\]  FAULTS ONLY"), bad], absent=[good], timeout=30)
            shown, total = map(int, re.search(r"Containers \[(\d+)/(\d+)\]", text).groups())
            assert 1 <= shown < total, text.splitlines()[2]
            # and the filtered view's form holds while faults-only, filtered too
            await pilot.press("slash", *bad, "enter")
            await wait_text(pilot, app, [re.compile(r"Containers \[1/\d+\]  filter: " + re.escape(bad) + "  FAULTS ONLY")], timeout=30)

    run(go())
