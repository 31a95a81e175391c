"""What the terminal finally shows: every screen, dialog and prompt at 80x24 and 160x45.

Widget state can be right while the screen is wrong (issue 24: every confirm dialog drew an
empty box while its Static widgets held the question). These tests read the frame Textual's
compositor sends to the terminal, every screen of the stack composed (a modal over the list),
as plain text, and assert on what a person would read there: the dialog's question and the
target's name inside its box, the options, column headers and real rows from the sandbox engine.

Also here, each with the fault it pins down (issue 24):
* ``test_confirm_dialogs_show_question_target_and_options`` - fault 1, the empty dialog box;
* ``test_status_and_age_follow_the_clock_without_events`` and
  ``test_rows_made_in_the_same_second_show_the_same_age`` - fault 2, frozen STATUS and AGE;
* ``test_drill_into_project_whose_name_holds_an_escape_sequence`` - fault 6.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import re
import time
import uuid
from collections.abc import Iterable

import pytest
from rich.console import Console

from dockui.app import DockuiApp
from dockui.engine import APIError, EngineClient, NotFound
from dockui.screens.dialogs import ConfirmScreen, DescribeScreen, HelpScreen
from dockui.screens.logs import LogsScreen

from .conftest import IMAGE, engine_host
from .test_app import wait_until
from .tmux import Tmux, ensure_tmux

SIZES = [(80, 24), (160, 45)]
SIZE_IDS = ["80x24", "160x45"]


def run(coro):
    return asyncio.run(coro)


def screen_text(app: DockuiApp) -> str:
    """The terminal's text as the app last drew it: the compositor's full frame of the current
    screen with the screens below it (what ``App.export_screenshot`` draws), as plain lines."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens, simplify=True))
    return console.export_text(styles=False)


async def wait_text(pilot, app: DockuiApp, needles: Iterable[str | re.Pattern], timeout: float = 10.0) -> str:
    """The screen's text once every needle is on it; fails with the screen as it was."""
    needles = list(needles)

    def missing(text: str) -> list:
        return [n for n in needles if (n.search(text) is None if isinstance(n, re.Pattern) else n not in text)]

    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause(0.05)
        text = screen_text(app)
        gone = missing(text)
        if not gone:
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"not on screen: {gone!r}\n--- screen ({app.size.width}x{app.size.height}) ---\n{text}")


def in_box(text: str, needle: str) -> bool:
    """``needle`` on a line between a box's left and right edges (a dialog's body, not its frame)."""
    return any(re.search(r"[█▌▐│┃]\s+" + re.escape(needle) + r".*\s[█▌▐│┃]", line) for line in text.splitlines())


def row_line(text: str, name: str) -> str:
    """The screen line of the table row whose NAME cell is ``name``."""
    for line in text.splitlines():
        if re.match(r"\s*\+?\s*" + re.escape(name) + r"\s", line):
            return line
    raise AssertionError(f"no row {name!r} on screen:\n{text}")


def make_app() -> DockuiApp:
    return DockuiApp(EngineClient(engine_host()))


async def filter_to(pilot, app: DockuiApp, text: str) -> None:
    await pilot.press("slash", "ctrl+u", *text, "enter")
    await pilot.pause(0.1)


async def show(pilot, app: DockuiApp, command: str) -> None:
    await pilot.press("colon", *command, "enter")
    await pilot.pause(0.1)


# ---------------------------------------------------------------- the sandbox workload
def create_service(client: EngineClient, name: str) -> str:
    """A one-replica busybox service; the client's docker-py style call (task template, name,
    mode) or, on an older client, the whole spec at once."""
    sec = 1_000_000_000
    template = {"ContainerSpec": {"Image": IMAGE, "Command": ["sleep", "100000"], "Init": True, "StopGracePeriod": sec},
                "RestartPolicy": {"Condition": "any", "Delay": sec // 5}}
    mode = {"Replicated": {"Replicas": 1}}
    if "task_template" in inspect.signature(client.create_service).parameters:
        return client.create_service(template, name=name, labels={"dockui.test": "1"}, mode=mode)["ID"]
    return client.create_service({"Name": name, "Labels": {"dockui.test": "1"}, "TaskTemplate": template, "Mode": mode})["ID"]


@pytest.fixture(scope="module")
def workload(client: EngineClient):
    """One of each kind, named ``dockui-r-XXXXXXXX-*``: a running container, a chatty one in a
    compose project, a volume, a network, a one-replica service. All removed afterwards."""
    u = "dockui-r-" + uuid.uuid4().hex[:8]
    made: dict = {"u": u, "containers": [], "node": ""}
    try:
        run_id = client.create_container(IMAGE, ["sleep", "600"], name=u + "-run", labels={"dockui.test": "1"})["Id"]
        made["containers"].append(run_id)
        client.start(run_id)
        logger = client.create_container(
            IMAGE, ["sh", "-c", "i=0; while true; do echo rendered-line-$i; i=$((i+1)); sleep 0.5; done"], name=u + "-log",
            labels={"dockui.test": "1", "com.docker.compose.project": u + "-proj", "com.docker.compose.service": "web"})["Id"]
        made["containers"].append(logger)
        client.start(logger)
        client.create_volume(u + "-vol", labels={"dockui.test": "1"})
        made["volume"] = u + "-vol"
        made["network"] = client.create_network(u + "-net", labels={"dockui.test": "1"})["Id"]
        made.update(run=run_id, logger=logger)
        try:
            made["service"] = create_service(client, u + "-svc")
            nodes = client.nodes()
            made["node"] = str(((nodes[0].get("Description") or {}).get("Hostname")) or "") if nodes else ""
            deadline = time.monotonic() + 40
            while time.monotonic() < deadline and not any(
                    t["Status"]["State"] == "running" for t in client.tasks(filters={"service": made["service"]})):
                time.sleep(0.3)
        except APIError:
            made["service"] = None  # not a swarm manager: the swarm screens are checked for their message only
        yield made
    finally:
        for cid in made["containers"]:
            try:
                client.remove_container(cid, force=True, v=True)
            except NotFound:
                pass
        for remove, oid in ((client.remove_service, made.get("service")), (client.remove_network, made.get("network")),
                            (client.remove_volume, made.get("volume"))):
            if oid:
                try:
                    remove(oid)
                except (NotFound, APIError):
                    pass


# ---------------------------------------------------------------- fault 1: dialogs
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_confirm_dialogs_show_question_target_and_options(client, workload, size):
    """Every confirm dialog draws its question, the target's name and its options inside its box
    (issue 24 fault 1: an empty 4x6 frame while ``y`` still acted); a cancelled one does nothing."""
    u = workload["u"]
    name = u + "-run"

    async def main():
        app = make_app()
        async with app.run_test(size=size) as pilot:
            assert await wait_until(pilot, lambda: workload["run"] in app.store.snapshot("containers"))
            await filter_to(pilot, app, name)
            await wait_text(pilot, app, [name])

            async def ask(keys: list[str], lines: list[str]) -> None:
                await pilot.press(*keys)
                assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5), screen_text(app)
                text = await wait_text(pilot, app, lines)
                for line in lines:
                    assert in_box(text, line), f"{line!r} is not inside the dialog's box:\n{text}"
                await pilot.press("escape")
                assert await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), 5)

            await ask(["ctrl+k"], [f"kill container {name}?", "y: yes", "n / esc: cancel"])
            await ask(["ctrl+d"], [f"remove container {name}?", "y: remove", "f: force (stop first)",
                                   "v: force, with its anonymous volumes", "n / esc: cancel"])
            await ask(["colon", *"prune networks", "enter"], ["prune networks: remove unused networks?", "y: yes"])
            await ask(["colon", *"prune images", "enter"], ["prune images: remove dangling images?", "y: yes"])
            await show(pilot, app, "net")
            await filter_to(pilot, app, u + "-net")
            await wait_text(pilot, app, [u + "-net"])
            await ask(["ctrl+d"], [f"remove network {u}-net?", "y: yes"])
            await show(pilot, app, "vol")
            await filter_to(pilot, app, u + "-vol")
            await wait_text(pilot, app, [u + "-vol"])
            await ask(["ctrl+d"], [f"remove volume {u}-vol?", "y: yes"])
            if workload["service"]:
                await show(pilot, app, "svc")
                await filter_to(pilot, app, u + "-svc")
                await wait_text(pilot, app, [u + "-svc"])
                await ask(["ctrl+d"], [f"remove service {u}-svc?", "y: yes"])
                await ask(["R"], [f"rollback service {u}-svc?", "y: yes"])
                await show(pilot, app, "nodes")
                await wait_text(pilot, app, ["ready"])
                await ask(["D"], ["drain node", "y: yes"])
        # nothing was answered: everything is still there
        assert client.inspect_container(workload["run"])["State"]["Running"]
        client.inspect_network(workload["network"])
        client.inspect_volume(workload["volume"])

    run(main())


# ---------------------------------------------------------------- prompts
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_prompts_show_what_they_ask(workload, size):
    """The rename, exec, filter and command prompts show on the terminal with what they ask."""
    name = workload["u"] + "-run"

    async def main():
        app = make_app()
        async with app.run_test(size=size) as pilot:
            assert await wait_until(pilot, lambda: workload["run"] in app.store.snapshot("containers"))
            await filter_to(pilot, app, name)
            await wait_text(pilot, app, [name])
            last = lambda text: text.rstrip("\n").splitlines()[-1]  # noqa: E731 - the bottom line
            await pilot.press("R")
            text = await wait_text(pilot, app, [f"rename: container {name}"])
            assert last(text).strip() == name, text  # the prompt, holding the name to edit
            await pilot.press("escape")
            await pilot.press("e")
            text = await wait_text(pilot, app, [f"exec command: container {name}"])
            await pilot.press("escape")
            await pilot.press("slash", *"zzfilter")
            text = await wait_text(pilot, app, ["zzfilter", "filter:  text, !text"])
            assert "zzfilter" in last(text), text
            await pilot.press("escape")
            await pilot.press("colon")
            text = await wait_text(pilot, app, ["containers | images", "command:  a kind"])
            assert "containers | images" in last(text), text
            await pilot.press(*"img")
            text = await wait_text(pilot, app, ["img"])
            assert last(text).strip() == "img" and "command:" in text, text
            await pilot.press("escape")
            await wait_text(pilot, app, [name])

    run(main())


# ---------------------------------------------------------------- every kind's list
KIND_CHECKS = {
    # command: (title, headers at 80 columns, a row's name from the workload, a word in that row)
    "co": ("Containers", ["NAME", "STATE"], "{u}-run", "running"),
    "img": ("Images", ["REPOSITORY:TAG", "ID", "SIZE"], "dockui/busybox:latest", "dockui/busybox:latest"),
    "net": ("Networks", ["NAME", "DRIVER", "SCOPE"], "{u}-net", "bridge"),
    "vol": ("Volumes", ["NAME", "DRIVER", "USED BY"], "{u}-vol", "local"),
    "nodes": ("Nodes", ["HOSTNAME", "STATUS", "AVAILABILITY"], "{node}", "ready"),
    "svc": ("Services", ["NAME", "MODE", "REPLICAS"], "{u}-svc", "replicated"),
    "ts": ("Tasks", ["NAME", "STATE", "DESIRED"], "{u}-svc.1", "running"),
    "proj": ("Compose projects", ["PROJECT", "RUNNING"], "{u}-proj", "1/1"),
}


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_every_kind_list_shows_headers_and_a_real_row(workload, size):
    u = workload["u"]

    async def main():
        app = make_app()
        async with app.run_test(size=size) as pilot:
            assert await wait_until(pilot, lambda: app.store.loaded)
            for cmd, (title, headers, row, word) in KIND_CHECKS.items():
                swarm = cmd in ("nodes", "svc", "ts")
                if swarm and not workload["service"]:
                    await show(pilot, app, cmd)
                    await wait_text(pilot, app, [title, "not a swarm manager"])
                    continue
                row = row.format(u=u, node=workload["node"])
                await show(pilot, app, cmd)
                if cmd not in ("img", "nodes"):
                    await filter_to(pilot, app, u)
                text = await wait_text(pilot, app, [f" {title} [", *headers, row], timeout=20)
                header = next(line for line in text.splitlines() if all(h in line for h in headers))
                assert header.split()[0] == headers[0].split()[0], header
                line = row_line(text, row)
                assert word in line, f"{cmd}: {word!r} not in the row {line!r}"
                await pilot.press("escape")  # the filter goes

    run(main())


def registered_kinds() -> list[tuple[str, str, str]]:
    """(name, title, first column's header) of every kind the registry knows (secrets, configs,
    plugins, stacks, events... as they are added), drawn from the spec the screen uses."""
    from dockui.kinds import KINDS

    out = []
    for n, k in KINDS.items():
        columns, title = k.columns, k.title
        if not columns:  # a kind still drawn from screens/specs.py
            from dockui.screens.specs import SPECS

            columns, title = SPECS[n].columns, SPECS[n].title
        out.append((n, title, columns[0].label))
    return out


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_every_registered_kind_draws_its_title_and_headers(size):
    """No kind's screen is empty: each draws its title and its first column's header (its rows,
    when it has some, are checked per kind above and in its own tests)."""
    async def main():
        app = make_app()
        async with app.run_test(size=size) as pilot:
            assert await wait_until(pilot, lambda: app.store.loaded)
            unreachable = []
            for name, title, header in registered_kinds():
                await show(pilot, app, name)
                if not await wait_until(pilot, lambda name=name: app.main.kind == name, 3):
                    unreachable.append(name)  # registered, but the screen does not show it (yet)
                    continue
                text = await wait_text(pilot, app, [f" {title} [", header], timeout=15)
                assert re.search(r"^\s*" + re.escape(header) + r"\b", text, re.M), f"{name}: no header line\n{text}"
            assert app._exception is None
            if unreachable:
                pytest.skip(f"registered kinds that ':' does not show: {', '.join(unreachable)}")

    run(main())


def test_too_small_terminal_says_so():
    async def main():
        app = make_app()
        async with app.run_test(size=(50, 12)) as pilot:
            await wait_text(pilot, app, ["terminal too small: 50x12", "need at least"])

    run(main())


# ---------------------------------------------------------------- describe, logs, help, df, ctx
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_describe_logs_help_disk_usage_and_contexts_show_their_content(workload, size):
    u = workload["u"]

    async def main():
        app = make_app()
        async with app.run_test(size=size) as pilot:
            assert await wait_until(pilot, lambda: workload["logger"] in app.store.snapshot("containers"))
            await filter_to(pilot, app, u + "-log")
            await wait_text(pilot, app, [u + "-log"])
            # describe: its title names the container, the document is there
            await pilot.press("d")
            assert await wait_until(pilot, lambda: isinstance(app.screen, DescribeScreen), 5)
            await wait_text(pilot, app, [f"container {u}-log", '"Id": "' + workload["logger"][:20], "esc back"])
            await pilot.press("escape")
            # logs: the container's own lines
            await pilot.press("l")
            assert await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen), 5)
            await wait_text(pilot, app, [re.compile(rf"logs: (container )?{u}-log"), re.compile(r"rendered-line-\d+")], timeout=15)
            await pilot.press("escape")
            assert await wait_until(pilot, lambda: app.screen is app.main, 5)
            # help
            await pilot.press("question_mark")
            assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), 5)
            await wait_text(pilot, app, ["dockui keys", "command mode", "everywhere"])
            await pilot.press("escape")
            # disk usage
            await show(pilot, app, "df")
            await wait_text(pilot, app, ["Disk usage", "TYPE", "TOTAL", "Images", "Containers", "Local Volumes"], timeout=15)
            await pilot.press("escape")
            # contexts: the engine in use, checked live
            await show(pilot, app, "ctx")
            await wait_text(pilot, app, ["Contexts", "NAME", "ENDPOINT", "STATUS", re.compile(r"Docker \d")], timeout=15)
            await pilot.press("escape")
            await wait_text(pilot, app, [u + "-log"])

    run(main())


# ---------------------------------------------------------------- the shell pane
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_shell_pane_shows_the_shell(workload, size):
    name = workload["u"] + "-run"

    async def main():
        app = make_app()
        async with app.run_test(size=size) as pilot:
            assert await wait_until(pilot, lambda: workload["run"] in app.store.snapshot("containers"))
            await filter_to(pilot, app, name)
            await wait_text(pilot, app, [name])
            await pilot.press("s")
            await wait_text(pilot, app, [re.compile(r"shell .*" + re.escape(name))], timeout=10)
            await pilot.pause(0.5)
            await pilot.press(*"echo rendered-$((6*7))", "enter")
            text = await wait_text(pilot, app, ["rendered-42"], timeout=10)
            assert name in text  # the list stays above the pane

    run(main())


# ---------------------------------------------------------------- fault 2: the clock
@pytest.mark.parametrize("size", [(160, 45)], ids=["160x45"])
def test_status_and_age_follow_the_clock_without_events(client, make_container, size):
    """STATUS ("Up 2 seconds") and AGE advance on screen while no event touches the row (issue 24
    fault 2: a container started 50 s earlier still showed ``Up 2 seconds  3s``)."""
    name = "dockui-r-" + uuid.uuid4().hex[:8] + "-clock"
    cid = make_container(name=name)

    async def main():
        app = make_app()
        async with app.run_test(size=size) as pilot:
            assert await wait_until(pilot, lambda: cid in app.store.snapshot("containers"))
            await filter_to(pilot, app, name)
            await wait_text(pilot, app, [name, "STATUS", "AGE"])
            await pilot.pause(2.5)  # the store's own re-reads after the start event are over
            row = app.store.get("containers", cid)
            first = row_line(screen_text(app), name)
            m1 = re.search(r"Up (\d+) seconds?\s+(\d+)s", first) or re.search(r"Up (Less than a second)\s+(\d+)s", first)
            assert m1, first
            await pilot.pause(3.2)
            second = row_line(screen_text(app), name)
            assert app.store.get("containers", cid) is row, "an event touched the row: the test proves nothing"
            m2 = re.search(r"Up (\d+) seconds\s+(\d+)s", second)
            assert m2, f"STATUS/AGE did not advance: {first!r} -> {second!r}"
            up1 = 0 if not m1.group(1).isdigit() else int(m1.group(1))
            assert int(m2.group(1)) >= up1 + 2 and int(m2.group(2)) >= int(m1.group(2)) + 2, (first, second)

    run(main())


def test_rows_made_in_the_same_second_show_the_same_age(client, make_container):
    """Containers created in the same second show the same AGE, even when one was re-read later
    (issue 24 fault 2: each row's age was computed when its row last changed)."""
    u = "dockui-r-" + uuid.uuid4().hex[:8]
    for _ in range(5):
        a = make_container(start=False, name=u + "-a")
        b = make_container(start=False, name=u + "-b")
        if client.inspect_container(a)["Created"][:19] == client.inspect_container(b)["Created"][:19]:
            break
        client.remove_container(a, force=True)
        client.remove_container(b, force=True)
        u = "dockui-r-" + uuid.uuid4().hex[:8]
    else:
        pytest.skip("could not create two containers within one second")

    async def main():
        app = make_app()
        async with app.run_test(size=(160, 45)) as pilot:
            assert await wait_until(pilot, lambda: {a, b} <= app.store.snapshot("containers").keys())
            await filter_to(pilot, app, u)
            await wait_text(pilot, app, [u + "-a", u + "-b"])
            await pilot.pause(2.2)
            client.start(b)  # b's row is read again (its status changes); a's is not
            assert await wait_until(pilot, lambda: (app.store.get("containers", b) or {}).get("State") == "running", 10)
            for _ in range(6):
                text = screen_text(app)
                age_a = re.search(r"(\d+)s\s*$", row_line(text, u + "-a").rstrip())
                age_b = re.search(r"(\d+)s\s*$", row_line(text, u + "-b").rstrip())
                assert age_a and age_b and age_a.group(1) == age_b.group(1), (row_line(text, u + "-a"), row_line(text, u + "-b"))
                await pilot.pause(0.4)

    run(main())


def test_rows_scrolled_into_view_show_their_age_now(client, make_container):
    """Rows off screen are not rebuilt every second (that cost would grow with the row count),
    but a row scrolled into view shows its age now, not the age it had when it was last built."""
    u = "dockui-r-" + uuid.uuid4().hex[:8]
    made = [make_container(start=False, name=f"{u}-{i:02d}") for i in range(16)]

    async def main():
        app = make_app()
        async with app.run_test(size=(160, 16)) as pilot:
            assert await wait_until(pilot, lambda: set(made) <= app.store.snapshot("containers").keys())
            await filter_to(pilot, app, u)
            text = await wait_text(pilot, app, [f"{u}-00", "AGE"])
            assert f"{u}-15" not in text  # the last rows are off screen
            await pilot.pause(3.5)
            await pilot.press("G")  # to the bottom
            await pilot.pause(0.15)
            text = screen_text(app)
            now = time.time()
            for i in range(10, 16):
                line = row_line(text, f"{u}-{i:02d}")
                shown = re.search(r"(\d+)s\s*$", line.rstrip())
                want = int(now - app.store.get("containers", made[i])["Created"])
                assert shown and int(shown.group(1)) >= want - 1, f"row {i} shows {line!r}, its age is {want}s"

    run(main())


def test_detail_pane_status_follows_the_clock(client, make_container):
    """The details pane (``i``) of an exited container: "Exited (0) N seconds ago" moves on."""
    name = "dockui-r-" + uuid.uuid4().hex[:8] + "-done"
    cid = make_container(["true"], name=name)

    async def main():
        app = make_app()
        async with app.run_test(size=(160, 45)) as pilot:
            assert await wait_until(pilot, lambda: (app.store.get("containers", cid) or {}).get("State") == "exited", 15)
            await filter_to(pilot, app, name)
            await wait_text(pilot, app, [name])
            await pilot.press("i")
            first = await wait_text(pilot, app, [re.compile(r"Exited \(0\) (\d+ seconds?|Less than a second) ago\s*$", re.M)])
            before = re.findall(r"Exited \(0\) (\d+|Less than a) seconds? ago", first)
            await pilot.pause(2.5)
            after = re.findall(r"Exited \(0\) (\d+|Less than a) seconds? ago", screen_text(app))
            assert len(after) == len(before) == 2 and after[1] != before[1], (before, after)  # the row, then the pane

    run(main())


def test_service_age_follows_the_clock(client, workload):
    """A service's AGE advances without events (issue 24 fault 2: it stayed ``0s``)."""
    if not workload["service"]:
        pytest.skip("the engine is not a swarm manager")
    name = "dockui-r-" + uuid.uuid4().hex[:8] + "-age"
    sid = create_service(client, name)
    try:
        async def main():
            app = make_app()
            async with app.run_test(size=(160, 45)) as pilot:
                await show(pilot, app, "svc")
                await filter_to(pilot, app, name)
                text = await wait_text(pilot, app, [name, "AGE"], timeout=15)
                first = re.search(r"(\d+)s\s+\S+\s*$", row_line(text, name))
                assert first, row_line(text, name)
                await pilot.pause(2.5)
                second = re.search(r"(\d+)s\s+\S+\s*$", row_line(screen_text(app), name))
                assert second and int(second.group(1)) >= int(first.group(1)) + 2, (row_line(text, name), row_line(screen_text(app), name))

        run(main())
    finally:
        try:
            client.remove_service(sid)
        except NotFound:
            pass


# ---------------------------------------------------------------- fault 6: drill-down
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_drill_into_project_whose_name_holds_an_escape_sequence(make_container, size):
    """``enter`` on a compose project whose name holds an escape sequence (an OSC title with a
    blank in it) shows that project's container (issue 24 fault 6: ``Containers [0/...]``)."""
    u = "dockui-r-" + uuid.uuid4().hex[:8]
    project = u + "\x1b]0;my title\x07"
    make_container(name=u + "-c", labels={"com.docker.compose.project": project, "com.docker.compose.service": "web"})
    make_container(name=u + "-other", labels={"com.docker.compose.project": u + "x", "com.docker.compose.service": "web"})

    async def main():
        app = make_app()
        async with app.run_test(size=size) as pilot:
            assert await wait_until(pilot, lambda: project in app.store.snapshot("projects"))
            await show(pilot, app, "proj")
            await filter_to(pilot, app, u)
            await wait_text(pilot, app, [" Compose projects [2/"])
            table = app.main.table
            table.move_cursor(row=table.get_row_index(project))
            await pilot.pause(0.1)
            await pilot.press("enter")  # the project's compose services (issue 19), then the service's containers
            text = await wait_text(pilot, app, [" Compose services [1/", "web"])
            await pilot.press("enter")
            text = await wait_text(pilot, app, [" Containers [", u + "-c"])
            assert re.search(r" Containers \[1/\d+\]", text), text
            assert u + "-other" not in text, text  # exactly this project, not every name it begins
            assert "\x1b" not in text and "\x07" not in text

    run(main())


# ---------------------------------------------------------------- in a real terminal (tmux)
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_in_a_real_terminal_dialogs_and_the_clock_show(make_container, tmp_path, size):
    """The same checks on what tmux's screen holds while the real ``dockui`` runs in it: the kill
    and prune dialogs hold their question inside the box, and (at 160 columns) STATUS and AGE
    move on by themselves."""
    if not ensure_tmux():
        pytest.skip("tmux is not available")
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "dockui"
    name = "dockui-r-" + uuid.uuid4().hex[:8] + "-tty"
    make_container(name=name)  # fresh: its STATUS and AGE count seconds
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state"), "DOCKUI_LOG": "off"}
    with Tmux([str(exe), "--host", engine_host()], size=size, term="xterm-256color", env=env) as t:
        t.wait_for(" Containers [", timeout=20)
        t.send_keys("/")
        t.send_text(name)
        t.send_keys("Enter")
        t.wait_for(re.compile(r"Containers \[1/"), timeout=10)
        t.send_keys("C-k")
        text = t.wait_for(f"kill container {name}?", timeout=10)
        assert in_box(text, f"kill container {name}?") and in_box(text, "y: yes"), text
        t.send_keys("Escape")
        t.wait_gone(f"kill container {name}?", timeout=5)
        time.sleep(0.3)  # an Escape right before another key reads as alt+key
        t.send_keys(":")
        t.send_text("prune networks")
        t.send_keys("Enter")
        text = t.wait_for("prune networks: remove unused networks?", timeout=10)
        assert in_box(text, "prune networks: remove unused networks?"), text
        t.send_keys("Escape")
        t.wait_gone("prune networks", timeout=5)
        if size[0] >= 160:
            first = row_line(t.capture(), name)
            time.sleep(2.5)
            second = row_line(t.capture(), name)
            age = lambda line: re.search(r"(\d+)([smhd])\s*$", line.rstrip())  # noqa: E731
            assert first != second and age(first) and age(second), (first, second)
        t.send_keys("C-q")
        assert t.wait_exit(10) == 0
