"""Secrets and configs (issue 18 section 2), driven by Textual's pilot against the sandbox swarm:
the rendered table names each one and the service using it, describe says a secret's value is
never available and shows a config's data as text, ``:create secret|config NAME PATH`` makes one
from a local file, ``/label=KEY=VALUE`` narrows the table, and remove asks (naming the service)
and shows the engine's refusal while the service uses it."""

from __future__ import annotations

import re

import pytest

from dockui.engine import NotFound

from .kindview import command, make_app, run, service_spec, unique, wait_text


@pytest.fixture
def swarm_bits(client):
    made: list[tuple[str, str]] = []
    yield made
    for what, oid in reversed(made):
        try:
            getattr(client, f"remove_{what}")(oid)
        except NotFound:
            pass


def _manager(client) -> None:
    if not (client.info().get("Swarm") or {}).get("ControlAvailable"):
        pytest.skip("the sandbox engine is not a swarm manager")


def test_secrets_list_describe_create_label_filter_and_remove_refused(client, swarm_bits, tmp_path):
    _manager(client)
    name, svc, made_name = unique("dockui-t-sec"), unique("dockui-t-svc"), unique("dockui-t-sec")
    sid = client.create_secret(name, b"hunter2", labels={"dockui.test": name})["ID"]
    swarm_bits.append(("secret", sid))
    svc_id = client.create_service_from_spec(service_spec(svc, Secrets=[{
        "SecretID": sid, "SecretName": name, "File": {"Name": "s", "UID": "0", "GID": "0", "Mode": 0o400}}]))["ID"]
    swarm_bits.append(("service", svc_id))
    path = tmp_path / "value.txt"
    path.write_text("from a file")

    async def main():
        app = make_app("secrets")
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            text = await wait_text(pilot, app, ["Secrets", name, svc, f"dockui.test={name}"])
            assert "USED BY" in text and "LABELS" in text
            # describe: the value is never available, and the view says so
            await pilot.press("slash", *name, "enter")
            await pilot.press("d")
            text = await wait_text(pilot, app, ["not available: the engine never returns a secret's value"])
            assert "hunter2" not in text
            await pilot.press("escape")
            # remove asks, naming the service; the engine refuses while the service uses it
            await pilot.press("ctrl+d")
            text = await wait_text(pilot, app, [f"remove secret {name}?", "used by", svc, "the engine will refuse"])
            await pilot.press("y")
            await wait_text(pilot, app, [re.compile(r"is\s+in\s+use")])
            assert client.inspect_secret(sid)["ID"] == sid
            # :create secret NAME PATH, then a label filter that keeps only the labelled one
            await command(pilot, f"create secret {made_name} {path}")
            await pilot.press("escape")
            await wait_text(pilot, app, [made_name, name])
            made = [s["ID"] for s in client.secrets(filters={"name": [made_name]})]
            swarm_bits.extend(("secret", m) for m in made)
            await pilot.press("slash", *f"label=dockui.test={name}", "enter")
            await wait_text(pilot, app, [name], absent=[made_name])
            await pilot.press("escape")
            await pilot.press("slash", *"label=dockui.test", "enter")
            await wait_text(pilot, app, [name], absent=[made_name])

    run(main())


def test_configs_describe_shows_data_as_text_and_create_from_file(client, swarm_bits, tmp_path):
    _manager(client)
    name, made_name = unique("dockui-t-cfg"), unique("dockui-t-cfg")
    cid = client.create_config(name, b"listen 8080\n[b]not markup[/b]\n")["ID"]
    swarm_bits.append(("config", cid))
    path = tmp_path / "app.conf"
    path.write_text("key = value from file\n")

    async def main():
        app = make_app("configs")
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await wait_text(pilot, app, ["Configs", name])
            await pilot.press("slash", *name, "enter")
            await pilot.press("d")
            await wait_text(pilot, app, ["listen 8080", "[b]not markup[/b]"])
            await pilot.press("escape")
            await command(pilot, f"create config {made_name} {tmp_path / 'missing.conf'}")  # says why, and how
            await wait_text(pilot, app, [re.compile(r"create\s+config:.*No\s+such\s+file"), re.compile(r"usage:\s+:create\s+config")])
            await command(pilot, f"create config {made_name} {path}")
            await pilot.press("escape")
            await wait_text(pilot, app, [made_name])
            made = [c["ID"] for c in client.configs(filters={"name": [made_name]})]
            swarm_bits.extend(("config", m) for m in made)
            assert made
            # not used by any service: removed after the question
            await pilot.press("slash", *made_name, "enter")
            await pilot.press("ctrl+d")
            await wait_text(pilot, app, [f"remove config {made_name}?", "no service uses it"])
            await pilot.press("y")
            await wait_text(pilot, app, ["Configs [0/"], absent=["REPOSITORY"])
            await pilot.press("escape")
            await wait_text(pilot, app, [name], absent=[made_name])

    run(main())


def test_used_by_follows_a_service_made_while_the_table_is_shown(client, swarm_bits):
    """The USED BY cells read the services: a service made while the secrets table is on screen
    shows there (the cached cells of an unchanged secret row are built again)."""
    _manager(client)
    name, svc = unique("dockui-t-sec"), unique("dockui-t-svc")
    sid = client.create_secret(name, b"x")["ID"]
    swarm_bits.append(("secret", sid))

    async def main():
        app = make_app("secrets")
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await pilot.press("slash", *name, "enter")
            await wait_text(pilot, app, [re.compile(rf"{name}\s+\S+\s+\S+\s+-")])
            swarm_bits.append(("service", client.create_service_from_spec(service_spec(svc, Secrets=[{
                "SecretID": sid, "SecretName": name, "File": {"Name": "s", "UID": "0", "GID": "0", "Mode": 0o400}}]))["ID"]))
            await wait_text(pilot, app, [re.compile(rf"{name}\s+\S+\s+\S+\s+{svc}")])

    run(main())


def test_read_only_refuses_create_and_hides_remove(client, tmp_path):
    _manager(client)
    name = unique("dockui-t-sec")
    path = tmp_path / "v"
    path.write_text("x")

    async def main():
        from dockui.app import DockuiApp
        from dockui.engine import EngineClient

        from .conftest import engine_host

        app = DockuiApp(EngineClient(engine_host(), readonly=True), first_screen="secrets")
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await wait_text(pilot, app, ["Secrets", "READ-ONLY"])
            await command(pilot, f"create secret {name} {path}")
            text = await wait_text(pilot, app, ["read-only mode: create secret is disabled"])
            assert "ctrl+d remove" not in text

    run(main())
    assert client.secrets(filters={"name": [name]}) == []
