"""A compose project at once (issue 19 section 3), driven by Textual's pilot against the sandbox
engine: a project made of containers carrying compose labels (two ``web``, one ``db``).

* project stop / start change every container of it, with a rendered progress line per container;
* remove asks, naming every container; without force each running container's line carries the
  engine's own message, with force all go;
* ``enter`` lists the project's services (RUNNING 2/2, 1/1); restart on a service restarts its
  containers only; ``enter`` on a service lists its containers; ``+`` says scaling is the compose
  CLI's job.
"""

from __future__ import annotations

import re
import time

from dockui.engine import EngineClient, NotFound
from dockui.kinds.composeservices import SCALE_NOTE, service_id, services_from
from dockui.screens.progress import ProgressScreen

from .kindview import make_app, run, unique, wait_text


def make_project(client: EngineClient, make_container) -> tuple[str, dict[str, str]]:
    """A compose project of three running containers: name -> id."""
    project = unique("dockui-t-proj")
    made = {}
    for svc, n in (("web", 1), ("web", 2), ("db", 1)):
        name = f"{project}-{svc}-{n}"
        made[name] = make_container(
            ["sleep", "600"], name=name, stop_signal="SIGKILL",
            labels={"com.docker.compose.project": project, "com.docker.compose.service": svc,
                    "com.docker.compose.container-number": str(n)})
    return project, made


def states(client: EngineClient, ids) -> set[str]:
    return {client.inspect_container(c)["State"]["Status"] for c in ids}


def wait_states(client: EngineClient, ids, want: str, timeout: float = 20) -> set[str]:
    deadline = time.monotonic() + timeout
    got = states(client, ids)
    while got != {want} and time.monotonic() < deadline:
        time.sleep(0.2)
        got = states(client, ids)
    return got


async def to_project(pilot, app, project: str) -> None:
    await wait_text(pilot, app, ["Compose projects", project], timeout=30)
    await pilot.press("slash", *project, "enter")
    await wait_text(pilot, app, [re.compile(r"Compose projects \[1/\d+\]")])
    app.main.table.move_cursor(row=app.main.table.get_row_index(project))
    await pilot.pause(0.1)


def progress_line(text: str, name: str) -> str:
    return next((ln for ln in text.splitlines() if name in ln), "")


def test_project_stop_and_start_change_every_container(client, make_container):
    project, made = make_project(client, make_container)

    async def main():
        app = make_app("projects")
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await to_project(pilot, app, project)
            await wait_text(pilot, app, [re.compile(rf"{project}\s+3/3")], timeout=20)
            await pilot.press("x")
            text = await wait_text(pilot, app, [f"stop project {project}", "[3 containers]", "stop: 3 of 3 done"], timeout=40)
            assert isinstance(app.screen, ProgressScreen)
            for name in made:  # a rendered line per container, each done
                assert re.search(r"\bdone\b", progress_line(text, name)), (name, text)
            assert wait_states(client, made.values(), "exited") == {"exited"}
            await pilot.press("escape")
            await wait_text(pilot, app, [re.compile(rf"{project}\s+0/3")], timeout=20)
            await pilot.press("u")
            text = await wait_text(pilot, app, [f"start project {project}", "start: 3 of 3 done"], timeout=40)
            for name in made:
                assert re.search(r"\bdone\b", progress_line(text, name)), (name, text)
            assert wait_states(client, made.values(), "running") == {"running"}
            await pilot.press("escape")
            await wait_text(pilot, app, [re.compile(rf"{project}\s+3/3")], timeout=20)
            await pilot.press("u")  # all running already: each line says so, nothing fails
            text = await wait_text(pilot, app, ["start: 3 of 3 done"], timeout=40)
            for name in made:
                assert "done: already running" in progress_line(text, name), (name, text)

    run(main())


def test_project_remove_names_every_container_and_shows_engine_messages(client, make_container):
    project, made = make_project(client, make_container)

    async def main():
        app = make_app("projects")
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await to_project(pilot, app, project)
            await pilot.press("ctrl+d")
            text = await wait_text(pilot, app, [f"remove every container of project {project}", "f: force"], timeout=20)
            for name in made:  # the question comes below every container it would remove
                assert "waiting" in progress_line(text, name), (name, text)
            await pilot.press("y")  # no force: the engine refuses each running container, in its own words
            text = await wait_text(pilot, app, ["remove: 0 of 3 done, 3 failed"], timeout=40)
            for name in made:
                line = progress_line(text, name)
                assert "failed" in line and re.search(r"(?i)running container|stop the container|force", line), (name, text)
            assert states(client, made.values()) == {"running"}
            await pilot.press("escape")
            await pilot.press("ctrl+d")
            await wait_text(pilot, app, [f"remove every container of project {project}"], timeout=20)
            await pilot.press("f")
            await wait_text(pilot, app, ["remove: 3 of 3 done"], timeout=40)
            await pilot.press("escape")
            await wait_text(pilot, app, [re.compile(r"Compose projects \[0/\d+\]")], timeout=20)
            await pilot.press("ctrl+d")  # cancelling does nothing (checked on a fresh project below)

    run(main())
    for cid in made.values():
        try:
            client.inspect_container(cid)
            raise AssertionError(f"{cid} is still there")
        except NotFound:
            pass


def test_project_remove_cancelled_leaves_every_container(client, make_container):
    project, made = make_project(client, make_container)

    async def main():
        app = make_app("projects")
        async with app.run_test(size=(120, 30), notifications=True) as pilot:
            await to_project(pilot, app, project)
            await pilot.press("ctrl+d")
            await wait_text(pilot, app, [f"remove every container of project {project}"], timeout=20)
            await pilot.press("n")
            await wait_text(pilot, app, ["cancelled: nothing was done"], timeout=10)

    run(main())
    assert states(client, made.values()) == {"running"}


def test_services_of_a_project_and_restart_of_one_service(client, make_container):
    project, made = make_project(client, make_container)
    web = [cid for name, cid in made.items() if "-web-" in name]
    db = [cid for name, cid in made.items() if "-db-" in name]
    started = {cid: client.inspect_container(cid)["State"]["StartedAt"] for cid in made.values()}

    async def main():
        app = make_app("projects")
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await to_project(pilot, app, project)
            await pilot.press("enter")  # the project's services
            text = await wait_text(pilot, app, [" Compose services [2/", "SERVICE", "RUNNING", "IMAGE", "STATE"], timeout=20)
            assert re.search(r"\bweb\s+2/2\s+dockui/busybox:latest\s+running", text), text
            assert re.search(r"\bdb\s+1/1\s+dockui/busybox:latest\s+running", text), text
            table = app.main.table
            table.move_cursor(row=table.get_row_index(service_id(project, "web")))
            await pilot.pause(0.1)
            await pilot.press("r")
            text = await wait_text(pilot, app, [f"restart service {project}/web", "[2 containers]", "restart: 2 of 2 done"],
                                   timeout=40)
            for name in made:
                if "-web-" in name:
                    assert re.search(r"\bdone\b", progress_line(text, name)), text
                else:
                    assert name not in text  # only the service's containers
            await pilot.press("escape")
            await pilot.press("plus")  # scaling: the compose CLI's job
            await wait_text(pilot, app, [SCALE_NOTE[:40]], timeout=10)
            await pilot.press("enter")  # the service's containers
            text = await wait_text(pilot, app, [" Containers [2/", f"{project}-web-1", f"{project}-web-2"], timeout=20)
            assert f"{project}-db-1" not in text

    run(main())
    for cid in web:
        assert client.inspect_container(cid)["State"]["StartedAt"] != started[cid], "a web container was not restarted"
    for cid in db:
        assert client.inspect_container(cid)["State"]["StartedAt"] == started[cid], "the db container was restarted too"


def test_services_from_groups_containers_by_project_and_service():
    rows = {
        "a": {"Id": "a", "Project": "p", "Service": "web", "State": "running", "Image": "img:1"},
        "b": {"Id": "b", "Project": "p", "Service": "web", "State": "exited", "Image": "img:1"},
        "c": {"Id": "c", "Project": "p", "Service": "db", "State": "running", "Health": "unhealthy", "Image": "pg"},
        "d": {"Id": "d", "Project": "q", "Service": "web", "State": "exited", "Image": "img:2"},
        "e": {"Id": "e", "Project": "", "Service": "", "State": "running"},
    }
    got = services_from(rows)
    assert set(got) == {"p/web", "p/db", "q/web"}
    assert (got["p/web"]["Running"], got["p/web"]["Total"], got["p/web"]["State"]) == (1, 2, "partial")
    assert got["p/web"]["Containers"] == ("a", "b")
    assert got["p/db"]["State"] == "unhealthy"
    assert got["q/web"]["State"] == "exited" and got["q/web"]["Image"] == "img:2"


def test_read_only_hides_and_refuses_the_group_actions_and_help_names_scaling(client, make_container):
    project, made = make_project(client, make_container)

    async def main():
        from dockui.app import DockuiApp

        from .conftest import engine_host

        app = DockuiApp(EngineClient(engine_host(), timeout=30, readonly=True), first_screen="projects")
        async with app.run_test(size=(160, 150), notifications=True) as pilot:  # tall: the whole help table
            await to_project(pilot, app, project)
            text = await wait_text(pilot, app, ["READ-ONLY", "l logs"])
            assert "stop all" not in text and "remove all" not in text  # not offered
            await pilot.press("x")
            await wait_text(pilot, app, ["read-only mode: stop all is disabled"])
            assert not isinstance(app.screen, ProgressScreen)
            await pilot.press("question_mark")  # help: the group keys, and scaling left to the compose CLI
            text = await wait_text(pilot, app, ["scale (the compose CLI's job)", "composeservices"])
            assert re.search(r"start all\s+│\s+projects, composeservices", text), text

    run(main())
    assert states(client, made.values()) == {"running"}


def test_closing_the_progress_screen_early_still_says_how_it_ended(client, make_container):
    """esc while the containers are still stopping: the work goes on, and a notice tells the end."""
    project = unique("dockui-t-proj")
    ids = [make_container(["sleep", "600"], name=f"{project}-slow-{n}", stop_timeout=3,  # sleep ignores TERM: 3 s each
                          labels={"com.docker.compose.project": project, "com.docker.compose.service": "slow"})
           for n in (1, 2)]

    async def main():
        app = make_app("projects")
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await to_project(pilot, app, project)
            await pilot.press("x")
            await wait_text(pilot, app, [f"stop project {project}", "working"], timeout=20)
            await pilot.press("escape")
            await wait_text(pilot, app, [f"stop project {project}: stop: 2 of 2 done"], timeout=40)
            assert not isinstance(app.screen, ProgressScreen)

    run(main())
    assert states(client, ids) == {"exited"}


def test_project_start_and_stop_follow_compose_dependency_order(client, make_container):
    """compose v2's ``com.docker.compose.depends_on``: start runs db's wave before web's (which
    depends on it), stop runs web's first; the progress lines are listed in that order."""
    project = unique("dockui-t-proj")
    base = {"com.docker.compose.project": project}
    web = make_container(["sleep", "600"], name=f"{project}-web-1", stop_signal="SIGKILL",
                         labels={**base, "com.docker.compose.service": "web",
                                 "com.docker.compose.depends_on": "db:service_started:false"})
    db = make_container(["sleep", "600"], name=f"{project}-db-1", stop_signal="SIGKILL",
                        labels={**base, "com.docker.compose.service": "db"})

    def lines(text: str) -> list[str]:
        return [ln for ln in text.splitlines() if f"{project}-web-1" in ln or f"{project}-db-1" in ln]

    async def main():
        app = make_app("projects")
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await to_project(pilot, app, project)
            await wait_text(pilot, app, [re.compile(rf"{project}\s+2/2")], timeout=20)
            await pilot.press("x")
            text = await wait_text(pilot, app, ["stop: 2 of 2 done"], timeout=40)
            assert f"{project}-web-1" in lines(text)[0], text  # dependents first
            await pilot.press("escape")
            await wait_text(pilot, app, [re.compile(rf"{project}\s+0/2")], timeout=20)
            await pilot.press("u")
            text = await wait_text(pilot, app, ["start: 2 of 2 done"], timeout=40)
            assert f"{project}-db-1" in lines(text)[0], text  # dependencies first

    run(main())
    w, d = client.inspect_container(web)["State"], client.inspect_container(db)["State"]
    assert d["StartedAt"] < w["StartedAt"], (d["StartedAt"], w["StartedAt"])
    assert w["FinishedAt"] < d["FinishedAt"], (w["FinishedAt"], d["FinishedAt"])


def test_service_levels_from_depends_on_labels():
    from dockui.kinds.projects import DEPENDS_ON, service_levels

    rows = [{"Service": "web", "Labels": {DEPENDS_ON: "api:service_started:false"}},
            {"Service": "api", "Labels": {DEPENDS_ON: "db:service_healthy:true,cache:service_started:false"}},
            {"Service": "db", "Labels": {}}, {"Service": "cache"},
            {"Service": "a", "Labels": {DEPENDS_ON: "b:service_started:false"}},  # a cycle: no endless loop
            {"Service": "b", "Labels": {DEPENDS_ON: "a:service_started:false"}},
            {"Service": "lone", "Labels": {DEPENDS_ON: "gone:service_started:false"}}]  # not in the project
    levels = service_levels(rows)
    assert (levels["db"], levels["cache"], levels["api"], levels["web"], levels["lone"]) == (0, 0, 1, 2, 0)
    assert {levels["a"], levels["b"]} <= {0, 1}


def test_logs_of_a_compose_service_name_each_container(client, make_container):
    project = unique("dockui-t-proj")
    for n in (1, 2):
        make_container(["sh", "-c", f"echo hello-from-{n}; exec sleep 600"], name=f"{project}-web-{n}",
                       labels={"com.docker.compose.project": project, "com.docker.compose.service": "web"})
    make_container(["sh", "-c", "echo hello-from-db; exec sleep 600"], name=f"{project}-db-1",
                   labels={"com.docker.compose.project": project, "com.docker.compose.service": "db"})

    async def main():
        app = make_app("projects")
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await to_project(pilot, app, project)
            await pilot.press("enter")
            await wait_text(pilot, app, [" Compose services [2/"], timeout=20)
            table = app.main.table
            table.move_cursor(row=table.get_row_index(service_id(project, "web")))
            await pilot.pause(0.1)
            await pilot.press("l")
            text = await wait_text(pilot, app, [f"compose service {project}/web", "hello-from-1", "hello-from-2"], timeout=30)
            assert "hello-from-db" not in text
            assert re.search(r"\bweb-1\s+\|\s+hello-from-1", text), text  # each line names its container,
            assert re.search(r"\bweb-2\s+\|\s+hello-from-2", text), text  # without the project's prefix

    run(main())


def test_hostile_project_and_service_labels_stay_text_on_the_progress_screen(client, make_container):
    u = unique("dockui-t-proj")
    project = u + "\x1b]0;pwned\x07[bold]x[/]"
    cid = make_container(["sleep", "600"], name=u + "-c", stop_signal="SIGKILL",
                         labels={"com.docker.compose.project": project, "com.docker.compose.service": "[red]svc[/]\x1b[2J"})

    async def main():
        app = make_app("projects")
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await wait_text(pilot, app, [u], timeout=30)
            await pilot.press("slash", *u, "enter")
            await wait_text(pilot, app, [re.compile(r"Compose projects \[1/\d+\]")])
            await pilot.press("x")
            text = await wait_text(pilot, app, ["stop: 1 of 1 done", "[bold]x[/]", u + "-c"], timeout=40)
            assert "\x1b" not in text and "\x07" not in text  # the OSC sequence (title text too) dropped
            await pilot.press("escape", "enter")
            text = await wait_text(pilot, app, [" Compose services [1/", "[red]svc[/]"], timeout=20)
            assert "\x1b" not in text

    run(main())
    assert client.inspect_container(cid)["State"]["Status"] == "exited"
