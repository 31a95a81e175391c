"""A container's changes against its image (issue 19 section 2), against the real sandbox engine:
``D`` on a stopped container lists what it added (A), changed (C) and deleted (D), in path order;
``/`` filters as you type (text, or a kind letter then text); ``:diff NAME`` opens the same view;
a removed container gives the engine's message, a hostile path is shown inert."""

from __future__ import annotations

import time
from functools import partial

from textual.widgets import Input

from dockui.screens.changes import changes, matches

from .kindview import command, make_app, run
from .kindview import wait_text as _wait_text

wait_text = partial(_wait_text, timeout=30)  # generous: the shared machine is loaded


async def open_filter(pilot, app) -> None:
    """``/``, then wait for the filter box to have the focus (keys before that would go to the table)."""
    await pilot.press("slash")
    deadline = time.monotonic() + 30
    while not app.screen.query_one("#changes-filter", Input).has_focus:
        assert time.monotonic() < deadline, "the filter box never took the focus"
        await pilot.pause(0.05)


def test_changes_parsing_and_filter():
    doc = [{"Path": "/tmp/b", "Kind": 1}, {"Path": "/tmp", "Kind": 0}, {"Path": "/bin/vi", "Kind": 2}]
    assert changes(doc) == [("D", "/bin/vi"), ("C", "/tmp"), ("A", "/tmp/b")]
    assert changes(None) == []
    assert matches("A", "/tmp/b", "a /TMP") and not matches("C", "/tmp", "a tmp") and matches("C", "/tmp", "tmp")
    assert matches("D", "/bin/vi", "") and not matches("D", "/bin/vi", "etc")


def test_changes_name_a_written_file_filter_and_diff_command(client, make_container, unique):
    cid = make_container("echo hi > /tmp/written-by-the-test; mkdir -p /opt/new; touch /opt/new/also;"
                         " touch \"/tmp/$(printf 'esc\\033]0;title\\007x')\"; rm /bin/vi; exit 1", name=unique)
    client.wait(cid, timeout=30)

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(140, 40), notifications=True) as pilot:
            await pilot.press("slash", *unique, "enter")
            await wait_text(pilot, app, [f"filter: {unique}", "exited(1)"], timeout=30)
            await pilot.press("D")
            text = await wait_text(pilot, app, [f"changes of {unique}", "A     /tmp/written-by-the-test", "C     /tmp",
                                                "D     /bin/vi", "A     /opt/new/also", "A     /tmp/escx",
                                                "added", "1 deleted"], timeout=30)
            assert "\x1b" not in text and "title" not in text
            lines = [ln.split()[-1] for ln in text.splitlines() if ln.strip()[:2] in ("A ", "C ", "D ")]
            assert lines == sorted(lines), lines
            await open_filter(pilot, app)
            await pilot.press(*"written")
            text = await wait_text(pilot, app, ["[1/", "filter: written", "/tmp/written-by-the-test"],
                                   absent=["/bin/vi", "/opt/new"])
            await pilot.press("enter")
            await pilot.press("escape")  # clears the filter
            await wait_text(pilot, app, ["/bin/vi", "/opt/new/also"])
            await open_filter(pilot, app)
            await pilot.press(*"d bin")
            await wait_text(pilot, app, ["/bin/vi", "[1/"], absent=["/tmp/written-by-the-test"])
            await pilot.press("escape", "escape")  # clear, then back
            await wait_text(pilot, app, ["Containers [", f"filter: {unique}"])
            await command(pilot, f"diff {unique}")
            await wait_text(pilot, app, [f"changes of {unique}", "/tmp/written-by-the-test"])
            client.remove_container(cid, force=True)
            await pilot.press("r")
            await wait_text(pilot, app, ["changes: No such container"])
            await pilot.press("escape")
            await command(pilot, "diff no-such-container-here")
            await wait_text(pilot, app, ["no container matches no-such-container-here"])

    run(main())
