"""A compose project's group actions and the incident bundle in a fleet (the sandbox's two nodes
on one screen, rows keyed ``engine/id``): stop reaches every container of a project that lives on
the second engine; ``B`` on its container writes a bundle with that engine's facts."""

from __future__ import annotations

import re
import tarfile
import time
from pathlib import Path

import pytest

from dockui.app import DockuiApp
from dockui.config import Config
from dockui.engine import EngineClient
from dockui.engine.transport import Endpoint
from dockui.fleet.engines import EngineSpec
from dockui.fleet.store import build

from .kindview import run, unique, wait_text

MAIN = "unix:///var/tmp/dockui-sandbox/docker.sock"
N2 = "unix:///var/tmp/dockui-sandbox/n2/docker.sock"
IMAGE = "dockui/busybox:latest"


@pytest.fixture
def two():
    if not Path(N2[len("unix://"):]).exists():
        pytest.skip("the sandbox's node 2 is not up (scripts/sandbox up --nodes 2)")
    c = EngineClient(N2, timeout=30)
    try:
        c.inspect_image(IMAGE)
    except Exception:  # noqa: BLE001
        pytest.skip("node 2 has no busybox image")
    made: list[str] = []
    yield c, made
    for cid in made:
        try:
            c.remove_container(cid, force=True)
        except Exception:  # noqa: BLE001
            pass


def test_project_stop_and_bundle_on_the_second_engine_of_a_fleet(two, tmp_path):
    c, made = two
    project = unique("dockui-t-fproj")
    for n in (1, 2):
        cid = c.create_container(IMAGE, ["sleep", "600"], name=f"{project}-web-{n}", stop_signal="SIGKILL",
                                 labels={"dockui.test": "1", "com.docker.compose.project": project,
                                         "com.docker.compose.service": "web"})["Id"]
        made.append(cid)
        c.start(cid)

    async def main():
        store = build([EngineSpec("one", Endpoint(MAIN), "--host"), EngineSpec("two", Endpoint(N2), "--host")], timeout=10)
        store.start()
        app = DockuiApp(store.client, source="fleet", store=store, first_screen="projects",
                        config=Config(bundle_dir=str(tmp_path)))
        async with app.run_test(size=(200, 40), notifications=True) as pilot:
            await wait_text(pilot, app, [project], timeout=30)
            await pilot.press("slash", *project, "enter")
            await wait_text(pilot, app, [re.compile(r"Compose projects \[1/\d+\]")], timeout=20)
            await pilot.press("x")
            text = await wait_text(pilot, app, [f"stop project {project}", "[2 containers]", "stop: 2 of 2 done"], timeout=40)
            assert f"{project}-web-1" in text and f"{project}-web-2" in text
            await pilot.press("escape")
            await pilot.press("enter")  # its services, then the service's containers
            await wait_text(pilot, app, [" Compose services [1/"], timeout=20)
            await pilot.press("enter")
            await wait_text(pilot, app, [f"{project}-web-1", f"{project}-web-2"], timeout=20)
            await pilot.press("B")
            await wait_text(pilot, app, [re.compile(r"wrote \S+\.tar\.gz \(\d")], timeout=40)

    run(main())
    deadline = time.monotonic() + 10
    while {c.inspect_container(x)["State"]["Status"] for x in made} != {"exited"} and time.monotonic() < deadline:
        time.sleep(0.2)
    assert {c.inspect_container(x)["State"]["Status"] for x in made} == {"exited"}
    bundles = list(tmp_path.glob("*.tar.gz"))
    assert len(bundles) == 1, list(tmp_path.iterdir())
    with tarfile.open(bundles[0], "r:gz") as tar:
        names = tar.getnames()
    assert any(n.endswith("/engine/two/version.json") for n in names), names
    assert any(re.search(r"/two-" + re.escape(project) + r"-web-\d-[0-9a-f]{12}/inspect\.json$", n) for n in names), names
