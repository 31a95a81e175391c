"""Custom commands (issue 21 section 1): ``[[commands]]`` entries of config.toml become keys on
their kinds. Pilot tests against the sandbox engine read what the terminal finally shows; the
host commands run a small Python program that writes the argv it got as JSON, so "one argument"
is checked by the program itself, not by dockui."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dockui import custom
from dockui.app import DockuiApp
from dockui.config import Config
from dockui.engine import EngineClient

from .conftest import engine_host
from .kindview import run, screen_text, unique, wait_text

HOSTILE = "x; rm -rf ~"
ESCAPES = "\x1b]52;c;ZXZpbA==\x07\x1b]0;zaptitle\x07\x1b[2Jzap\x9b2J$(touch /tmp/pwned)`id`'\""
ARGV_WRITER = "import json, sys; json.dump(sys.argv[2:], open(sys.argv[1], 'w'))"


@pytest.fixture(autouse=True)
def _reset_registry():
    yield
    custom.install([])  # no custom actions left on the kinds for the next test


def make_app(commands: list[dict], readonly: bool = False) -> DockuiApp:
    cfg = Config(commands=commands)
    return DockuiApp(EngineClient(engine_host(), timeout=30, readonly=readonly), first_screen="containers", config=cfg)


def writer(tmp_path: Path) -> tuple[str, Path]:
    """A program that writes its arguments as JSON to a file: (the command's head, the file)."""
    script = tmp_path / "argv.py"
    script.write_text(ARGV_WRITER)
    out = tmp_path / "argv.json"
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {shlex.quote(str(out))}", out


async def focus(pilot, app, name: str) -> None:
    await pilot.press("slash", *name, "enter")
    await wait_text(pilot, app, [f"filter: {name}", "[1/"], timeout=30)


# --- against the sandbox engine ------------------------------------------------------------------------
def test_container_command_shows_its_output_in_the_output_view(make_container):
    name = unique()
    make_container(["sleep", "600"], name=name, labels={"tier": "web"}, environment=["GREETING=hello"])
    app = make_app([
        {"key": "g", "label": "greet", "command": "echo custom-out {name} {label:tier}", "states": ["running"]},
        {"key": "G", "label": "fail", "command": "sh -c 'echo oops-\"$0\" >&2; exit 3' {label:tier}"},
        {"key": "v", "label": "escapes", "command": "printf '\\033]0;zaptitle\\007\\033[31mvisible-%s\\033[0m\\n' {env:GREETING}"},
        {"key": "V", "label": "noexit", "states": ["exited"], "command": "true"},
    ])

    async def main():
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await focus(pilot, app, name)
            text = await wait_text(pilot, app, ["g greet", "G fail"])  # in the footer, first (it is cut at the right)
            assert text.splitlines()[-1].split()[:4] == ["g", "greet", "G", "fail"], text.splitlines()[-1]
            await pilot.press("g")
            text = await wait_text(pilot, app, [f"custom-out {name} web", "exited with code 0", "greet"], timeout=30)
            assert "echo custom-out {name} {label:tier}" in text  # the title names the template
            await pilot.press("escape")
            await wait_text(pilot, app, [f"filter: {name}"])
            await pilot.press("G")
            await wait_text(pilot, app, ["oops-web", "exited with code 3"], timeout=30)
            await pilot.press("escape")
            await wait_text(pilot, app, [f"filter: {name}"])
            await pilot.press("v")  # the container's environment; escapes are removed, colours kept
            text = await wait_text(pilot, app, ["visible-hello", "exited with code 0"], timeout=30)
            body = [line for line in text.splitlines() if "printf" not in line]  # the title shows the template
            assert not [line for line in body if "zaptitle" in line or "]0;" in line or "\x1b" in line], body
            await pilot.press("escape")
            await pilot.press("V")  # states = ["exited"]: not on a running container
            await wait_text(pilot, app, ["noexit does not apply to a running container"])

    run(main())


def test_host_command_gets_hostile_values_as_one_argument_each(make_container, tmp_path):
    name = unique()
    make_container(["sleep", "600"], name=name, labels={"evil": HOSTILE, "esc": ESCAPES})
    head, out = writer(tmp_path)
    app = make_app([{"key": "g", "label": "argv", "in": "host",
                     "command": f"{head} {{name}} {{label:evil}} {{label:esc}} --id={{id}} {{engine}}"}])

    async def main():
        async with app.run_test(size=(240, 40), notifications=True) as pilot:
            await focus(pilot, app, name)
            await pilot.press("g")
            text = await wait_text(pilot, app, ["exited with code 0"], timeout=30)
            assert "zaptitle" not in text or "\x1b" not in text

    run(main())
    got = json.loads(out.read_text())
    cid = EngineClient(engine_host()).inspect_container(name)["Id"]
    assert got == [name, HOSTILE, ESCAPES, f"--id={cid}", engine_host()]
    assert not Path("/tmp/pwned").exists()


def test_background_command_reports_its_exit_status_for_every_marked_row(make_container, tmp_path):
    names = [unique(), unique()]
    for n in names:
        make_container(["sleep", "600"], name=n, labels={"grp": names[0]})
    log = tmp_path / "ran.txt"
    app = make_app([
        {"key": "g", "label": "note", "in": "host", "background": True, "shell": True,
         "command": f"echo {{name}} >> {shlex.quote(str(log))}"},
        {"key": "G", "label": "bad", "in": "container", "background": True, "command": "sh -c 'echo broke-here; exit 4'"},
        {"key": "o", "label": "each", "in": "container", "command": "echo out-{name}"},
    ])

    async def main():
        async with app.run_test(size=(240, 40), notifications=True) as pilot:
            await pilot.press("slash", *f"label=grp={names[0]}", "enter")
            await wait_text(pilot, app, ["[2/"], timeout=30)
            await pilot.press("space", "space", "g")
            await wait_text(pilot, app, ["note: 2 containers done"], timeout=30)
            await pilot.press("o")  # the output view: one run per marked row, one after the other
            await wait_text(pilot, app, [f"out-{names[0]}", f"out-{names[1]}", f"{names[0]}: exited with code 0",
                                         f"{names[1]}: exited with code 0"], timeout=30)
            await pilot.press("escape")
            await wait_text(pilot, app, ["2 marked"])
            await pilot.press("escape")  # marks cleared: the focused row only
            await pilot.press("G")
            await wait_text(pilot, app, ["exited with code 4: broke-here"], timeout=30)

    run(main())
    assert sorted(log.read_text().split()) == sorted(names)


def test_confirm_asks_naming_the_row(make_container, tmp_path):
    name = unique()
    make_container(["sleep", "600"], name=name)
    head, out = writer(tmp_path)
    app = make_app([{"key": "g", "label": "wipe", "in": "host", "confirm": True, "command": f"{head} {{name}}"}])

    async def main():
        async with app.run_test(size=(240, 40), notifications=True) as pilot:
            await focus(pilot, app, name)
            await pilot.press("g")
            await wait_text(pilot, app, [f"wipe: run {head.split()[0]}", f"container {name}?", "y: run it"])
            await pilot.press("n")
            await wait_text(pilot, app, [f"filter: {name}"], absent=["y: run it"])
            assert not out.exists()
            await pilot.press("g")
            await wait_text(pilot, app, [f"container {name}?"])
            await pilot.press("y")
            await wait_text(pilot, app, ["exited with code 0"], timeout=30)

    run(main())
    assert json.loads(out.read_text()) == [name]


def test_read_only_refuses_a_mutating_command(make_container, tmp_path):
    name = unique()
    make_container(["sleep", "600"], name=name)
    head, out = writer(tmp_path)
    app = make_app([{"key": "g", "label": "mutate", "in": "host", "command": f"{head} {{name}}"},
                    {"key": "E", "label": "in-box", "in": "container", "readonly_safe": True, "command": "true"},
                    {"key": "h", "label": "safe", "in": "host", "readonly_safe": True, "command": f"{head} ok {{name}}"}],
                   readonly=True)

    async def main():
        async with app.run_test(size=(240, 40), notifications=True) as pilot:
            await focus(pilot, app, name)
            text = await wait_text(pilot, app, ["h safe", "READ-ONLY"])
            hints = text.splitlines()[-1]
            assert "mutate" not in hints and "in-box" not in hints, hints
            await pilot.press("g")
            await wait_text(pilot, app, ["read-only mode: mutate is disabled"])
            assert not out.exists()
            await pilot.press("h")
            await wait_text(pilot, app, ["exited with code 0"], timeout=30)

    run(main())
    assert json.loads(out.read_text()) == ["ok", name]


def test_broken_entry_is_a_rendered_warning_and_help_names_the_source(make_container):
    app = make_app([{"key": "g", "label": "typo", "command": "echo {nmae}"},
                    {"key": "g", "label": "fine [bold]one[/]", "command": "echo hi"}])

    async def main():
        async with app.run_test(size=(240, 40), notifications=True) as pilot:
            await wait_text(pilot, app, ["[[commands]] #1 'typo'", "unknown field {nmae}"], timeout=30)
            await pilot.press("question_mark")
            await wait_text(pilot, app, ["fine [bold]one[/] (from config.toml)"])

    run(main())


def test_pane_command_runs_in_a_shell_pane(make_container):
    name = unique()
    make_container(["sleep", "600"], name=name)
    app = make_app([{"key": "g", "label": "in pane", "pane": True, "command": "sh -c 'echo pane-says-$0' {name}"}])

    async def main():
        async with app.run_test(size=(240, 40), notifications=True) as pilot:
            await focus(pilot, app, name)
            await pilot.press("g")
            await wait_text(pilot, app, [f"pane-says-{name}", "exited with code 0"], timeout=30)
            assert "exec sh -c" in screen_text(app)

    run(main())


def test_a_command_on_another_kind_reads_its_rows_fields():
    app = make_app([{"key": "g", "label": "img", "kinds": ["images"], "in": "host", "command": "echo img={image} id={id}"}])

    async def main():
        async with app.run_test(size=(240, 40), notifications=True) as pilot:
            await pilot.press("colon", *"images", "enter")
            await pilot.press("slash", *"dockui/busybox:latest", "enter")
            await wait_text(pilot, app, ["Images [1/", "g img"], timeout=30)
            await pilot.press("g")
            await wait_text(pilot, app, [re.compile(r"img=dockui/busybox:latest id=sha256:[0-9a-f]{64}"),
                                         "exited with code 0"], timeout=30)

    run(main())


def test_a_flood_stays_bounded_and_leaving_the_view_stops_it(client, make_container):
    """``yes`` in the output view: the view keeps at most 5,000 lines, keys stay answered, and
    esc ends the program (in the container: hung up through its marker; on the host: killed)."""
    from dockui.screens.output import OutputScreen

    name = unique()
    cid = make_container(["sleep", "600"], name=name)
    app = make_app([{"key": "g", "label": "flood", "command": "yes flood-line"},
                    {"key": "h", "label": "hostflood", "in": "host", "command": f"sh -c 'yes host-flood-{name}' {{name}}"}])

    def host_yes() -> bool:
        out = subprocess.run(["pgrep", "-f", f"yes host-flood-{name}"], capture_output=True, text=True)
        return bool(out.stdout.strip())

    async def main():
        async with app.run_test(size=(200, 40), notifications=True) as pilot:
            await focus(pilot, app, name)
            await pilot.press("g")
            await wait_text(pilot, app, ["flood-line", re.compile(r"lines, the last 5,000 shown")], timeout=30)
            screen = app.screen
            assert isinstance(screen, OutputScreen)
            assert len(screen.query_one("RichLog").lines) <= 5_000
            assert any("yes" in " ".join(p) for p in client.top(cid)["Processes"])
            await pilot.press("escape")
            await wait_text(pilot, app, [f"filter: {name}"], timeout=10)
            for _ in range(200):
                if not any("yes" in " ".join(p) for p in client.top(cid)["Processes"]):
                    break
                await pilot.pause(0.1)
            assert not any("yes" in " ".join(p) for p in client.top(cid)["Processes"]), "yes still runs in the container"
            await pilot.press("h")
            await wait_text(pilot, app, [f"host-flood-{name}"], timeout=30)
            assert host_yes()
            await pilot.press("escape")
            await wait_text(pilot, app, [f"filter: {name}"], timeout=10)
            for _ in range(100):
                if not host_yes():
                    break
                await pilot.pause(0.1)
            assert not host_yes(), "yes still runs on the host"

    run(main())


def test_quitting_waits_for_the_hang_up_of_a_command_execd_in_a_container(client, make_container):
    """dockui quits (ctrl+q, or a hang-up) while a command exec'd in a container runs in the output
    view: the hang-up that ends it is sent before dockui is gone. It ran on a daemon thread nobody
    waited for, so a process that ended quickly (a loaded machine) left the command running."""
    name = unique()
    cid = make_container(["sleep", "600"], name=name)
    app = make_app([{"key": "g", "label": "hold", "command": "sh -c 'echo holding; exec sleep 602'"}])

    def sleeping() -> bool:
        return any("sleep 602" in " ".join(p) for p in client.top(cid)["Processes"])

    async def main():
        async with app.run_test(size=(200, 40), notifications=True) as pilot:
            await focus(pilot, app, name)
            await pilot.press("g")
            await wait_text(pilot, app, ["holding"], timeout=30)
            for _ in range(100):
                if sleeping():
                    break
                await pilot.pause(0.1)
            assert sleeping()
            app.shutdown()  # what quitting runs; the process may end as soon as it returns
            assert not [t for t in threading.enumerate() if t.name == "term-hangup" and t.is_alive()]

    run(main())
    for _ in range(20):  # the hang-up was sent: the shell's exec'd sleep ends at once
        if not sleeping():
            break
        time.sleep(0.1)
    assert not sleeping(), "the exec'd command outlived dockui"
