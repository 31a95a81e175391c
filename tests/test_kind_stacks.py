"""Stacks (issue 18 section 2), driven by Textual's pilot against the sandbox swarm: services
grouped by ``com.docker.stack.namespace`` with their task counts; enter shows the stack's
services; ctrl+d asks, then removes the services and the network, config and secret carrying
the namespace label (and leaves an unlabelled config alone)."""

from __future__ import annotations

import re
import time

import pytest

from dockui.engine import NotFound
from dockui.kinds.stacks import NAMESPACE

from .kindview import make_app, run, service_spec, unique, wait_text


def test_stack_rows_enter_and_remove(client):
    if not (client.info().get("Swarm") or {}).get("ControlAvailable"):
        pytest.skip("the sandbox engine is not a swarm manager")
    ns = unique("dockui-t-stack")
    label = {NAMESPACE: ns}
    made: list[tuple[str, str]] = []
    try:
        net = client.create_network(f"{ns}_default", driver="overlay", attachable=True, labels=label)["Id"]
        made.append(("network", net))
        cfg = client.create_config(f"{ns}_cfg", b"x", labels=label)["ID"]
        made.append(("config", cfg))
        sec = client.create_secret(f"{ns}_sec", b"x", labels=label)["ID"]
        made.append(("secret", sec))
        other = client.create_config(unique("dockui-t-cfg"), b"y")["ID"]
        made.append(("config", other))
        for svc in ("web", "db"):
            spec = service_spec(f"{ns}_{svc}", labels=label)
            spec["TaskTemplate"]["Networks"] = [{"Target": net}]
            made.append(("service", client.create_service_from_spec(spec)["ID"]))

        async def main():
            app = make_app("stacks")
            async with app.run_test(size=(160, 40), notifications=True) as pilot:
                text = await wait_text(pilot, app, ["Stacks", "STACK", "TASKS", ns])
                assert re.search(rf"{ns}\s+2\s+\d/2", text), text
                await pilot.press("slash", *ns, "enter")
                await pilot.press("enter")  # the stack's services
                text = await wait_text(pilot, app, ["Services", f"{ns}_web", f"{ns}_db", "filter: label="])
                await pilot.press("q")
                await wait_text(pilot, app, ["Stacks", ns])
                await pilot.press("ctrl+d")
                await wait_text(pilot, app, [f"remove stack {ns}?", "its 2 services"])
                await pilot.press("y")
                await wait_text(pilot, app, [re.compile(r"removed\s+2\s+services,\s+1\s+networks,\s+1\s+configs,\s+1\s+secrets")],
                                timeout=30)
                await wait_text(pilot, app, ["Stacks [0/0]"])

        run(main())
        assert client.configs(filters={"label": [f"{NAMESPACE}={ns}"]}) == []
        deadline = time.monotonic() + 15  # a swarm network goes once the manager let go of it
        while client.networks(filters={"label": [f"{NAMESPACE}={ns}"]}) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.networks(filters={"label": [f"{NAMESPACE}={ns}"]}) == []
        assert client.inspect_config(other)["ID"] == other
    finally:
        for what, oid in reversed(made):
            try:
                getattr(client, f"remove_{what}")(oid)
            except NotFound:
                pass
            except Exception:  # noqa: BLE001 - a network may still be busy: best effort
                pass
