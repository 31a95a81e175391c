"""The events timeline (issue 18 section 2), driven by Textual's pilot against the sandbox engine:
the last hour is there when it opens (a container that died before dockui started), live events
come in newest first from the store's one stream, ``type=`` / ``action=`` filters narrow it, the
exit code shows among the key attributes, and ``enter`` jumps to the container."""

from __future__ import annotations

import re
import time

from dockui.kinds import events as ev

from .kindview import make_app, run, unique, wait_text


def test_summary_and_bound():
    e = {"Type": "container", "Action": "die", "Actor": {"ID": "a" * 64, "Attributes": {"name": "web", "exitCode": "3"}},
         "timeNano": 1_700_000_000_000_000_000}
    rid, row = ev.summary(e)
    assert row["Name"] == "web" and ev.key_attributes(row) == "exitCode=3" and ev.fault(row, None)
    assert ev.summary({"Type": 3}) is None
    assert ev.drill(row, rid, None) == ("containers", "id=" + "a" * 12)
    vol = ev.summary({"Type": "volume", "Action": "create", "Actor": {"ID": "a-long-volume-name", "Attributes": {"driver": "local"}},
                      "time": 1_700_000_000})[1]
    assert vol["Name"] == "a-long-volume-name" and ev.drill(vol, vol["Id"], None) == ("volumes", "a-long-volume-name")


def test_timeline_history_live_filters_and_enter(client, make_container):
    before, live = unique(), unique()
    make_container("exit 3", name=before)  # died before dockui started: the hour of history has it
    time.sleep(0.5)

    async def main():
        app = make_app("events")
        async with app.run_test(size=(180, 45), notifications=True) as pilot:
            text = await wait_text(pilot, app, ["Events", "TIME", "ACTION", before, "exitCode=3"])
            assert re.search(rf"container\s+die\s+{before}\s+exitCode=3", text), text
            assert "sort: time desc" in text, text  # the header says what is shown: newest first
            # a live event, from the store's stream, comes in on top (newest first)
            cid = make_container("exit 5", name=live)
            text = await wait_text(pilot, app, [re.compile(rf"die\s+{live}\s+exitCode=5")])
            lines = [line for line in text.splitlines() if live in line or before in line]
            assert live in lines[0], lines
            # filters: action=die keeps die rows only; type=network hides containers
            await pilot.press("slash", *f"action=die {live}", "enter")
            text = await wait_text(pilot, app, [re.compile(rf"die\s+{live}")])
            assert not re.search(rf"(start|create)\s+{live}", text), text
            await pilot.press("escape")
            await pilot.press("slash", *"type=network", "enter")
            await wait_text(pilot, app, ["filter: type=network"], absent=[live])
            await pilot.press("escape")
            # enter on the die row jumps to the container
            await pilot.press("slash", *f"action=die {live}", "enter")
            await wait_text(pilot, app, [re.compile(rf"die\s+{live}")])
            await pilot.press("enter")
            text = await wait_text(pilot, app, ["Containers", f"filter: id={cid[:12]}", live, "exited(5)"])
            assert before not in text

    run(main())


def test_store_keeps_the_newest_5000_and_merges_the_history_under_them(client, make_container):
    from dockui.store import Store

    make_container("true", name=unique())
    store = Store(client)  # not started: its writer-side steps are called here, one by one
    now = time.time()
    batch = [{"Type": "container", "Action": "start", "Actor": {"ID": f"{i:064x}", "Attributes": {"name": f"x{i}"}},
              "timeNano": int((now + 10) * 1e9) + i} for i in range(ev.KEEP + 1000)]
    ch = store._feed(batch)
    rows = store.snapshot("events")
    assert len(rows) == ev.KEEP and ch.added["events"] and not ch.removed
    assert {r["Name"] for r in rows.values()} == {f"x{i}" for i in range(1000, ev.KEEP + 1000)}
    ch = store._feed(batch[-1:])  # a replay (a reconnect's since=) adds nothing
    assert not ch and len(store.snapshot("events")) == ev.KEEP
    ch = store._feed([dict(batch[-1], timeNano=batch[-1]["timeNano"] + 1)])  # one more: the oldest goes
    assert len(store.snapshot("events")) == ev.KEEP and len(ch.removed["events"]) == 1 and len(ch.added["events"]) == 1
    # the last hour listed afterwards goes under the fed rows (older), still bounded
    store._list_lazy("events")
    rows = list(store.snapshot("events").values())
    assert len(rows) == ev.KEEP and [r["Time"] for r in rows] == sorted(r["Time"] for r in rows)
