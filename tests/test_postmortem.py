"""The post-mortem screen (issue 19 section 1), driven by Textual's pilot against the sandbox
engine: ``w`` on an OOM-killed container says "out of memory" at the top, with the evidence;
engine text full of escape sequences and markup stays inert; its keys open logs and describe."""

from __future__ import annotations

import asyncio
import re
import time

from .conftest import IMAGE
from .kindview import make_app, run, unique, wait_text

NASTY = "\\033]0;pwned\\007\\033[2J[bold red]markup[/] \\033]52;c;aGk=\\007tail"


def _wait_exit(client, cid: str, timeout: float = 60) -> dict:
    """The container's state once it stopped (and, if it was killed for memory, once the engine
    recorded it: the engine handles the oom notice on its own, sometimes after the exit)."""
    deadline = time.monotonic() + timeout
    stopped = None
    while time.monotonic() < deadline:
        st = client.inspect_container(cid)["State"]
        if not st["Running"]:
            stopped = stopped or time.monotonic()
            if st["OOMKilled"] or time.monotonic() - stopped > 10:
                return st
        time.sleep(0.2)
    raise AssertionError("the container did not stop")


def test_w_opens_the_postmortem_of_an_oom_killed_container(client, make_container):
    name = unique()
    hc = client.create_host_config(mem_limit="16m", memswap_limit="16m")
    cid = make_container("echo allocating; x=$(head -c 50000000 /dev/zero | tr \\\\0 a)", name=name, host_config=hc)
    assert _wait_exit(client, cid)["OOMKilled"] is True

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(160, 50), notifications=True) as pilot:
            await pilot.press("slash", *name, "enter")
            await wait_text(pilot, app, [f"filter: {name}", "exited(137)", "[1/"])
            await pilot.press("w")
            text = await wait_text(pilot, app, [f"why? {name}", "OOM killed, limit 16 MiB",
                                                "killed by the kernel: out of memory", "memory limit: 16 MiB",
                                                "Restarts", "Health", "no health check",
                                                "Last log lines before it stopped", "out| allocating",
                                                "Events of the last hour", "oom", "exitCode=137",
                                                "image: dockui/busybox", "created:", "finished:"], timeout=30)
            lines = text.splitlines()
            top = next(i for i, line in enumerate(lines) if "OOM killed, limit 16 MiB" in line)
            assert top < next(i for i, line in enumerate(lines) if "Last log lines" in line)  # the verdict comes first
            await pilot.press("d")
            await wait_text(pilot, app, ['"OOMKilled": true'], timeout=20)
            await pilot.press("escape")
            await wait_text(pilot, app, [f"why? {name}"])
            await pilot.press("l")
            await wait_text(pilot, app, ["allocating", f"container {name}"], timeout=20)
            await pilot.press("escape")
            await wait_text(pilot, app, [f"why? {name}"])
            await pilot.press("s")  # not running: says so, stays
            await wait_text(pilot, app, ["not running: no shell"])
            await pilot.press("q")
            await wait_text(pilot, app, [f"filter: {name}", "exited(137)"])

    run(main())


def test_engine_text_with_escapes_and_markup_stays_inert(client, make_container):
    name = unique()
    hc = {"Test": ["CMD-SHELL", f"printf '{NASTY}'; exit 1"], "Interval": 500_000_000, "Retries": 1}
    cid = make_container(f"printf '{NASTY}\\n' >&2; sleep 600", name=name, healthcheck=hc)
    deadline = time.monotonic() + 60
    while (client.inspect_container(cid)["State"].get("Health") or {}).get("Status") != "unhealthy":
        assert time.monotonic() < deadline
        time.sleep(0.2)

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(200, 50), notifications=True) as pilot:
            await pilot.press("slash", *name, "enter")
            await wait_text(pilot, app, [f"filter: {name}", "unhealthy", "[1/"])
            await pilot.press("w")
            await wait_text(pilot, app, ["unhealthy: probe exit 1: [bold red]markup[/]", "err| [bold red]markup[/]"],
                            timeout=30)
            shown = app.screen.text
            assert "[bold red]markup[/]" in shown and "tail" in shown
            assert not any(ch in shown for ch in "\x1b\x07\x9b\x9d"), repr(shown)

    run(main())


def test_faults_only_has_a_reason_column_and_enter_opens_the_postmortem(client, make_container):
    tag = unique("dockui-why")
    oom = make_container("x=$(head -c 50000000 /dev/zero | tr \\\\0 a)", name=f"{tag}-oom",
                         host_config=client.create_host_config(mem_limit="16m", memswap_limit="16m"))
    make_container("echo bye; exit 3", name=f"{tag}-three")
    hc = {"Test": ["CMD-SHELL", "echo connection refused; exit 1"], "Interval": 500_000_000, "Retries": 1}
    make_container(["sleep", "600"], name=f"{tag}-sick", healthcheck=hc)
    make_container(["sleep", "600"], name=f"{tag}-fine")
    assert _wait_exit(client, oom)["OOMKilled"] is True

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(200, 50), notifications=True) as pilot:
            await pilot.press("slash", *tag, "enter")
            await wait_text(pilot, app, [f"filter: {tag}", f"{tag}-fine", "exited(137)", "exited(3)"], timeout=30)
            # a restart loop that starts while dockui watches: the header counts it
            make_container("exit 1", name=f"{tag}-loop",
                           host_config=client.create_host_config(restart_policy={"Name": "always"}))
            await pilot.press("ctrl+z")
            text = await wait_text(pilot, app, ["REASON", "OOM killed, limit 16 MiB", "exit 3: application error",
                                                "unhealthy: probe exit 1: connection refused",
                                                re.compile(r"exit 1, \d+ restarts in 10 min"), re.compile(r"restart loops [1-9]")],
                                   absent=[f"{tag}-fine"], timeout=60)
            await pilot.press("W")  # sort by the verdict
            text = await wait_text(pilot, app, ["sort: reason"])
            order = [line for line in text.splitlines() if tag in line and "filter" not in line]
            assert [line.split()[0].rsplit("-", 1)[-1][:3] for line in order] == ["oom", "loo", "thr", "sic"], order
            table = app.screen.table
            table.move_cursor(row=table.get_row_index(oom))
            await pilot.press("enter")
            await wait_text(pilot, app, [f"why? {tag}-oom", "killed by the kernel: out of memory"], timeout=30)
            await pilot.press("escape")
            await pilot.press("ctrl+z")  # the column goes with the faults-only view
            await wait_text(pilot, app, [f"{tag}-fine"], absent=["REASON"])

    run(main())


def test_keys_restart_and_shell_and_a_tag_that_moved(client, make_container):
    """``r`` restarts the container and the post-mortem is gathered again (it runs now); the image
    tag it ran was moved to another image meanwhile, and the post-mortem says so; ``s`` opens a
    shell pane on the list once it runs."""
    from dockui.engine import NotFound

    name, repo, tag = unique(), "dockui-why-moved", unique("t")
    client.tag(IMAGE, repo, tag)
    made_image = ""
    try:
        cid = client.create_container(f"{repo}:{tag}", ["sleep", "600"], name=name, labels={"dockui.test": "1"})["Id"]
        client.start(cid)
        assert _until_sync(lambda: client.inspect_container(cid)["State"]["Running"], 20)
        time.sleep(0.5)  # sleep runs (a stop in the moment it starts ends it otherwise)
        client.stop(cid, timeout=1)
        made_image = client.commit(cid, repository=repo, tag=tag)["Id"]  # the tag now points to another image

        async def main():
            app = make_app("containers")
            async with app.run_test(size=(160, 50), notifications=True) as pilot:
                await pilot.press("slash", *name, "enter")
                await wait_text(pilot, app, [f"filter: {name}", "exited(137)", "[1/"])
                await pilot.press("w")
                await wait_text(pilot, app, ["stopped: SIGTERM, then SIGKILL after the timeout (exit 137)",
                                             f"the tag {repo}:{tag} now points elsewhere: {made_image.split(':')[-1][:12]}"],
                                timeout=30)
                await pilot.press("r")
                await wait_text(pilot, app, ["it is running now"], timeout=30)
                await pilot.press("s")
                await wait_text(pilot, app, [f"filter: {name}"], timeout=20)
                assert await _until(pilot, lambda: bool(app.main.panes), 20)

        run(main())
    finally:
        try:
            client.remove_container(name, force=True)
        except NotFound:
            pass
        for img in (f"{repo}:{tag}", made_image):
            if img:
                try:
                    client.remove_image(img, force=True)
                except NotFound:
                    pass


async def _until(pilot, pred, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        await pilot.pause(0.1)
    return False


def _until_sync(pred, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return False


def test_the_postmortem_follows_the_container(client, make_container):
    """Open on a running container, it is gathered again when the container dies (a kill, named as
    such), and a removed container keeps its last post-mortem on screen with the engine's reason."""
    name = unique()
    cid = make_container(["sleep", "600"], name=name)

    async def main():
        app = make_app("containers")
        async with app.run_test(size=(160, 50), notifications=True) as pilot:
            await pilot.press("slash", *name, "enter")
            await wait_text(pilot, app, [f"filter: {name}", "running", "[1/"])
            await pilot.press("w")
            await wait_text(pilot, app, [f"why? {name}", "it is running now"], timeout=30)
            await asyncio.to_thread(client.kill, cid)
            await wait_text(pilot, app, ["killed: SIGKILL by a kill (exit 137)", "someone ran kill (SIGKILL)"], timeout=30)
            await asyncio.to_thread(client.remove_container, cid)
            await pilot.press("g")
            await wait_text(pilot, app, ["cannot gather again:", "No such container", "killed: SIGKILL by a kill"],
                            timeout=30)

    run(main())
