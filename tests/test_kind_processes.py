"""A container's processes (issue 18 section 2), driven by Textual's pilot against the sandbox
engine: ``P`` on a running container shows the engine's top (PID, user, CPU time, command),
``N`` sorts by command, ``ctrl+k`` asks and sends TERM through exec to the right process (top's
host PID mapped to the container's own), and the 2 s refresh shows it gone; ``:top NAME`` opens
the same view."""

from __future__ import annotations

import re

from textual.widgets import DataTable

from dockui.screens.processes import _time_secs, processes

from .kindview import command, make_app, run, unique, wait_text


def test_processes_parsing():
    doc = {"Titles": ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"],
           "Processes": [["root", "42", "1", "0", "10:00", "?", "00:00:03", "sleep 5"]]}
    assert processes(doc) == [{"pid": "42", "user": "root", "time": "00:00:03", "command": "sleep 5"}]
    assert _time_secs("1-00:00:02") == 86402


def test_top_sort_and_kill_through_exec(client, make_container):
    name = unique()
    cid = make_container("sleep 1001 & sleep 1002 & wait", name=name)

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await pilot.press("slash", *name, "enter")
            await wait_text(pilot, app, [f"filter: {name}", "running", "[1/"])
            await pilot.press("P")
            text = await wait_text(pilot, app, [f"processes of {name}", "PID", "USER", "TIME", "COMMAND",
                                                "sleep 1001", "sleep 1002"])
            await pilot.press("N")  # by command: sh first, then the sleeps in order
            text = await wait_text(pilot, app, ["sort: command asc"])
            rows = [line for line in text.splitlines() if "sleep 100" in line or "sh -c" in line]
            assert [("sh" if "sh -c" in r else r.split()[-1]) for r in rows] == ["sh", "1001", "1002"], rows
            victim = next(p for p in processes(client.top(cid)) if p["command"] == "sleep 1002")["pid"]
            table = app.screen.query_one(DataTable)
            table.move_cursor(row=table.get_row_index(victim))
            await pilot.press("ctrl+k")
            await wait_text(pilot, app, [f"kill -TERM process {victim} (sleep 1002)"])
            await pilot.press("y")
            await wait_text(pilot, app, [re.compile(rf"sent\s+TERM\s+to\s+process\s+{victim}")], timeout=15)
            await wait_text(pilot, app, ["sleep 1001", "[2]"], absent=["00:00:00  sleep 1002"], timeout=10)
            await pilot.press("escape")
            await command(pilot, f"top {name}")
            await wait_text(pilot, app, [f"processes of {name}", "sleep 1001"])
            await pilot.press("escape")
            await wait_text(pilot, app, ["Containers", f"filter: {name}"])
            await command(pilot, "top")  # no name: the focused container
            await wait_text(pilot, app, [f"processes of {name}", "sleep 1001"])

    run(main())
