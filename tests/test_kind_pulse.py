"""Pulse (issue 18 section 2), driven by Textual's pilot against the sandbox engine: the rendered
overview counts containers per state, sums CPU and memory with sparklines, ranks a busy container
in the top five by CPU, lists a container that just exited non-zero as needing a human, shows
the event rate, and enter on that container shows it in the containers view."""

from __future__ import annotations

import re
import time

from dockui.screens.pulse import event_rate, needs_a_human

from .kindview import command, make_app, run, unique, wait_text


def test_triage_helpers():
    now = time.time()
    snap = {"a": {"State": "exited", "Status": "Exited (3) 2 hours ago", "StatusSince": now - 7200, "Name": "old"},
            "b": {"State": "exited", "Status": "Exited (3) 1 minute ago", "StatusSince": now - 60, "Name": "new"},
            "c": {"State": "restarting", "Status": "Restarting (1) 1 second ago", "Name": "loop"},
            "d": {"State": "exited", "Status": "Exited (0) 1 minute ago", "StatusSince": now - 60, "Name": "fine"}}
    assert [(cid, why) for cid, _r, why in needs_a_human(snap, now)] == [("b", "exited(3)"), ("c", "restarting")]
    assert event_rate({"x": {"Time": now - 5}, "y": {"Time": now - 90}, "z": {"Time": now - 9000}}, now, 3) == (1, [0, 1, 1])


def test_pulse_shows_states_load_top_faults_and_enter(client, make_container):
    busy, failed = unique(), unique()
    make_container("renice -n 19 $$ >/dev/null; end=$(( $(date +%s) + 40 )); while [ $(date +%s) -lt $end ]; do :; done; sleep 600",
                   name=busy)
    cid = make_container("exit 7", name=failed)

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(180, 45), notifications=True) as pilot:
            await wait_text(pilot, app, ["Containers"])
            await command(pilot, "pulse")
            text = await wait_text(pilot, app, ["Pulse", "containers", "running", "TOP CPU", "TOP MEMORY", "NEEDS A HUMAN",
                                                failed, "exited(7)", re.compile(r"EVENTS\s+\d+/min"), busy], timeout=30)
            assert re.search(r"CPU\s+\d+(\.\d+)?%", text) and re.search(r"over \d+ of \d+ running", text), text
            # the busy container's figure is on screen beside it, also where the boxes are narrow
            # (at 120 columns a long task name pushed the CPU column out of the box)
            await wait_text(pilot, app, [re.compile(r"\d+(\.\d+)?%\s+" + re.escape(busy))], timeout=30)
            await pilot.resize_terminal(110, 30)
            await wait_text(pilot, app, [re.compile(r"\d+(\.\d+)?%\s+" + re.escape(busy))], timeout=30)
            faults = app.screen.query_one("#pulse-faults")
            faults.focus()
            faults.move_cursor(row=faults.get_row_index(cid))
            await pilot.press("enter")
            text = await wait_text(pilot, app, ["Containers", f"filter: id={cid[:12]}", failed, "exited(7)"])

    run(main())
