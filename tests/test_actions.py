"""The action runner against the real sandbox engine: every scale press counts (issue 24 fault 4),
a no-op says so on the screen, and keys stay answered during a bulk action on 50 containers.

Also the registry's promise: every action a kind offers carries what runs it.
"""

from __future__ import annotations

import asyncio
import io
import time
import uuid

import pytest
from rich.console import Console
from textual import events

from dockui.app import DockuiApp
from dockui.engine import EngineClient, NotFound
from dockui.kinds import KINDS
from dockui.screens.dialogs import ConfirmScreen, HelpScreen

from .conftest import IMAGE, engine_host
from .test_app import wait_until

SEC = 1_000_000_000


def run(coro):
    return asyncio.run(coro)


def screen_text(app: DockuiApp) -> str:
    """What the terminal shows: the compositor's full frame (toasts included), as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens, simplify=True))
    return console.export_text(styles=False)


def notes(app: DockuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def test_every_action_has_a_way_to_run():
    for kind in KINDS.values():
        for act in kind.actions:
            assert (act.run is not None) != bool(act.verb), (kind.name, act.id)
            if act.verb:
                assert not act.mutating or act.verb in ("shell", "attach", "exec", "handover", "view"), (kind.name, act.id)
        keys = [a.key for a in kind.actions]
        assert len(keys) == len(set(keys)), f"{kind.name}: two actions on one key"


@pytest.fixture
def service(client: EngineClient):
    """A replicated service at 2 replicas (removed after the test)."""
    try:
        client.inspect_swarm()
    except Exception:  # noqa: BLE001
        pytest.skip("the sandbox engine is not a swarm manager")
    name = "dockui-t-scale-" + uuid.uuid4().hex[:8]
    spec = {
        "Name": name, "Labels": {"dockui.test": "1"},
        "TaskTemplate": {"ContainerSpec": {"Image": IMAGE, "Command": ["sleep", "100000"], "Init": True, "StopGracePeriod": SEC},
                         "RestartPolicy": {"Condition": "none"}},
        "Mode": {"Replicated": {"Replicas": 2}},
    }
    sid = client.create_service_from_spec(spec)["ID"]
    yield sid, name
    try:
        client.remove_service(sid)
    except NotFound:
        pass


def replicas(client: EngineClient, sid: str) -> int:
    return int(client.inspect_service(sid)["Spec"]["Mode"]["Replicated"]["Replicas"])


def test_three_quick_scale_presses_count_and_scale_down_at_zero_says_so(client, service):
    """Issue 24 fault 4: ``+ + +`` within a fraction of a second on a service at 2 replicas ends at
    5 (each press reads the engine's spec and version after the last one), and ``-`` at 0 says
    that nothing was done, on the screen, instead of "scale -1"."""
    sid, name = service

    async def main():
        app = DockuiApp(EngineClient(engine_host(), timeout=30))
        async with app.run_test(size=(160, 45), notifications=True) as pilot:
            await pilot.press("colon", *f"svc {name}", "enter")
            assert await wait_until(pilot, lambda: app.main.kind == "services" and app.main.table.current_id == sid, 20)
            # three presses in one burst, as a fast typist's: all three land before the first
            # one's update is back from the engine (the row still says 2 for each of them)
            for _ in range(3):
                app._driver.send_message(events.Key("plus", "+"))
            assert await wait_until(pilot, lambda: replicas(client, sid) == 5 and len([n for n in notes(app) if "replicas" in n]) >= 3, 30), \
                (replicas(client, sid), notes(app))
            done = [n for n in notes(app) if "replicas" in n]
            assert any("2 -> 3" in n for n in done) and any("3 -> 4" in n for n in done) and any("4 -> 5" in n for n in done), done
            # at 0: the row says 0 (the store follows the service's event), and - says it did nothing
            await asyncio.to_thread(client.scale_service, sid, 0)
            assert await wait_until(pilot, lambda: (app.store.get("services", sid) or {}).get("Spec", {}).get("Mode", {})
                                    .get("Replicated", {}).get("Replicas") == 0, 20)
            await pilot.press("minus")
            assert await wait_until(pilot, lambda: "already at 0 replicas" in screen_text(app), 15), (notes(app), screen_text(app))
            assert replicas(client, sid) == 0

    run(main())


def test_keys_stay_answered_during_a_bulk_restart_of_50_containers(client, make_container, unique):
    """Issue 24: ``?`` took 1.7 s during a bulk action on 50 containers. The bulk work runs on one
    worker with at most a few engine calls at a time and reports with a few messages; the help
    screen is drawn at once while the restarts go on."""
    cmd = "trap 'exit 0' TERM; while :; do sleep 0.1; done"  # ends at once on SIGTERM
    ids = [make_container(cmd, name=f"{unique}-{i:02d}") for i in range(50)]

    async def main():
        app = DockuiApp(EngineClient(engine_host(), timeout=30))
        async with app.run_test(size=(160, 45), notifications=True) as pilot:
            await pilot.press("slash", *unique, "enter")
            assert await wait_until(pilot, lambda: app.main.table.row_count == 50, 30)
            for _ in range(50):
                await pilot.press("space")
            assert len(app.main.marks) == 50
            started = {i: client.inspect_container(i)["State"]["StartedAt"] for i in ids}

            async def help_latency() -> float:
                t0 = time.monotonic()
                await pilot.press("question_mark")
                assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen) and "dockui keys" in screen_text(app), 5)
                took = time.monotonic() - t0
                await pilot.press("escape")
                assert await wait_until(pilot, lambda: app.screen is app.main, 5)
                return took

            idle = await help_latency()  # the same key on the same machine with nothing running: the baseline
            shown: list[str] = []  # every notice the app is asked to show from here on
            real_notify = app.notify

            def counting(message, *args, **kw):
                shown.append(str(message))
                return real_notify(message, *args, **kw)

            app.notify = counting  # type: ignore[method-assign]
            await pilot.press("r")
            assert await wait_until(pilot, lambda: any("restart: 50 containers" in n for n in notes(app)), 5), notes(app)
            took = await help_latency()
            still_running = not any("containers done" in n for n in notes(app))
            assert took < max(1.0, idle + 0.5), f"help took {took:.2f} s during the bulk restart ({idle:.2f} s idle)"
            assert await wait_until(pilot, lambda: any("restart: 50 containers done" in n for n in notes(app)), 90), notes(app)
            assert still_running or took < 0.5  # the key was answered while the restarts went on (or at once anyway)
            # a few notices for the whole bulk (a start, progress about once a second, the summary),
            # not two per container (100): each one is a widget the UI thread lays out
            assert sum("restart" in n for n in shown) < 25, shown
            # every container was restarted once
            after = {i: client.inspect_container(i)["State"]["StartedAt"] for i in ids}
            assert all(after[i] != started[i] for i in ids)
            assert not isinstance(app.screen, ConfirmScreen)

    run(main())


def test_command_mode_completes_kind_names_from_the_registry():
    """``:`` completion reads the registry: ``:por`` shows ``ports`` (a kind added as one module)
    as a suggestion on the prompt line, the right arrow takes it, enter shows the kind."""
    async def main():
        app = DockuiApp(EngineClient(engine_host(), timeout=30))
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.press("colon", *"por")
            assert await wait_until(pilot, lambda: "ports" in screen_text(app).rstrip("\n").splitlines()[-1], 5), screen_text(app)
            await pilot.press("right", "enter")
            assert await wait_until(pilot, lambda: app.main.kind == "ports", 5)
            assert "Published ports" in screen_text(app)

    run(main())



def test_a_changed_row_is_patched_in_place_from_the_stores_diff(client, make_container, unique):
    """The store's per-id diff reaches the screen: a container that only changed state (pause)
    has its row patched in place (``update_rows`` with that id), without a pass over every row,
    and the terminal shows the new state."""
    cid = make_container(name=unique)

    async def main():
        app = DockuiApp(EngineClient(engine_host(), timeout=30))
        async with app.run_test(size=(160, 45)) as pilot:
            assert await wait_until(pilot, lambda: cid in app.main.table.row_ids, 20)
            screen = app.main
            patched: list[bool] = []  # for each change naming this container: patched in place?
            patch = screen._patch_changed

            def spy(touched):
                done = patch(touched)
                if cid in touched.change.changed.get("containers", ()):
                    patched.append(done)
                return done

            screen._patch_changed = spy
            await asyncio.to_thread(client.pause, cid)
            # other tests' events on the shared engine can make a batch a full pass (a row came or
            # went): the pause's own batch, or one of its rechecks, changes this row only
            assert await wait_until(pilot, lambda: True in patched, 15), patched
            assert await wait_until(pilot, lambda: any(unique in ln and "paused" in ln for ln in screen_text(app).splitlines()), 10)
            await asyncio.to_thread(client.unpause, cid)

    run(main())
