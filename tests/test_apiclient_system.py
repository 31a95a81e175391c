"""Daemon calls (ping, version, info, df, events, login, reload_config) and plugins, run through
docker-py's ``APIClient`` and dockui's ``EngineClient`` with the answers compared
(``tests/apiclient_compare.py``).

Plugins run on a throwaway private engine in its own network namespace: a plugin is made offline
from a directory (``config.json`` plus a rootfs holding one static program that listens on the
plugin's socket, which the engine dials when it enables the plugin). Registry calls (pull, push,
upgrade, privileges, login) must fail at once: no registry answers here.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from .apiclient_compare import CLIENTS, NetnsDockerd, PrivateNetns, Scenarios, Side, make_api, raises

scenario = Scenarios()
plugin = Scenarios()

LISTENER_C = r"""
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
    struct sockaddr_un a; int s, c;
    mkdir("/run/docker", 0755); mkdir("/run/docker/plugins", 0755);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a); a.sun_family = AF_UNIX;
    strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
    unlink(argv[1]);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 16)) return 1;
    for (;;) { c = accept(s, 0, 0); if (c >= 0) close(c); }
}
"""


# ------------------------------------------------------------------------------------ daemon
@scenario
def ping_version_info_df(side: Side, name: str) -> dict:
    api = side.api
    oracle = make_api("docker-py", side.host)
    version = api.version()
    info = api.info()
    df = api.df()
    return {
        "ping": api.ping(),
        "api_version": api.api_version,
        "version_same": version == oracle.version(),
        "version_keys": sorted(version),
        "unversioned": api.version(api_version=False)["ApiVersion"],
        "info_keys": sorted(info),
        "info_stable": {k: info.get(k) for k in ("ID", "Name", "Driver", "OperatingSystem", "ServerVersion", "NCPU")},
        "swarm": info["Swarm"]["LocalNodeState"],
        "df_keys": sorted(df),
        "df_images": sorted(i["Id"] for i in df["Images"]) == sorted(i["Id"] for i in oracle.df()["Images"]),
        "df_old": raises(lambda: side.other_version("1.24").df()),
    }


def _volume_events(api: Any, name: str, since: Any, until: Any, decode: bool | None) -> list:
    stream = api.events(since=since, until=until, filters={"type": "volume", "volume": name}, decode=decode)
    try:
        items = list(stream)
    finally:
        stream.close()
    if decode:
        return [(e["Type"], e["Action"], e["Actor"]["ID"]) for e in items]
    assert all(isinstance(i, bytes) for i in items)
    text = b"".join(items).decode()
    return [(e["Type"], e["Action"], e["Actor"]["ID"]) for e in (json.loads(x) for x in text.split("\n") if x.strip())]


@scenario
def events_since_until_filters_decode(side: Side, name: str) -> dict:
    api = side.api
    oracle = make_api("docker-py", side.host)
    start = time.time() - 1
    oracle.create_volume(name, labels={"dockui.test": "1"})
    oracle.remove_volume(name)
    time.sleep(1.1)
    end = time.time()
    return {
        "decoded": _volume_events(api, name, start, end, True),
        "raw": _volume_events(api, name, int(start), int(end) + 1, None),
        "datetimes": _volume_events(api, name, datetime.fromtimestamp(int(start), timezone.utc),
                                    datetime.fromtimestamp(int(end) + 1, timezone.utc), True),
        "label_filter": _volume_events(api, name, start, end, True) == [
            (e["Type"], e["Action"], e["Actor"]["ID"]) for e in api.events(since=start, until=end, decode=True,
                                                                            filters={"type": ["volume"], "label": "dockui.test=1"})
            if e["Actor"]["ID"] == name],
    }


@scenario
def login_fails_at_once_offline(side: Side, name: str) -> dict:
    api = side.api
    t0 = time.monotonic()
    refused = raises(lambda: api.login("dockui", "secret", registry="127.0.0.1:9", reauth=True))
    hub = raises(lambda: api.login("dockui", "secret", reauth=True))
    took = time.monotonic() - t0
    empty = tempfile.mkdtemp()
    try:
        cfg = Path(empty) / "config.json"
        import base64

        cfg.write_text(json.dumps({"auths": {"127.0.0.1:9": {"auth": base64.b64encode(b"known:pw").decode()}}}))
        known = api.login("known", registry="127.0.0.1:9", dockercfg_path=str(cfg))
        reload = api.reload_config(str(cfg))
    finally:
        shutil.rmtree(empty, ignore_errors=True)
    return {"refused": refused, "hub": hub, "fast": took < 20, "known": {k: known.get(k) for k in ("username", "password")},
            "reload": reload}


# ------------------------------------------------------------------------------------ plugins
@pytest.fixture(scope="module")
def plugin_dir():
    """``config.json`` plus a rootfs with a static listener, built with the machine's C compiler."""
    if not shutil.which("gcc"):
        pytest.skip("gcc is needed to build the test plugin's listener")
    d = Path(tempfile.mkdtemp(prefix="dkapi-plugin-"))
    try:
        (d / "rootfs" / "run" / "docker" / "plugins").mkdir(parents=True)
        (d / "rootfs" / "tmp").mkdir()
        (d / "listener.c").write_text(LISTENER_C)
        made = subprocess.run(["gcc", "-static", "-O2", "-o", str(d / "rootfs" / "listener"), str(d / "listener.c")],
                              capture_output=True, text=True, timeout=120)
        if made.returncode != 0:
            pytest.skip(f"cannot build a static listener for the test plugin (libc6-dev?): {made.stderr[-300:]}")
        (d / "listener.c").unlink()
        (d / "config.json").write_text(json.dumps({
            "description": "dockui test plugin", "documentation": "https://example.invalid",
            "entrypoint": ["/listener", "/run/docker/plugins/dkapi.sock"],
            "interface": {"types": ["docker.logdriver/1.0"], "socket": "dkapi.sock"},
            "network": {"type": "host"}, "linux": {"capabilities": []},
            "env": [{"name": "DEBUG", "description": "", "settable": ["value"], "value": "0"}],
        }))
        yield str(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def engine():
    if not shutil.which("dockerd") or not shutil.which("nsenter"):
        pytest.skip("dockerd and nsenter are needed")
    with contextlib.ExitStack() as stack:
        ns = stack.enter_context(PrivateNetns())
        yield stack.enter_context(NetnsDockerd(stack.enter_context(tempfile.TemporaryDirectory()), ns))


PLUGIN_DIR: dict[str, str] = {}


def _plugin_view(doc: dict) -> dict:
    return {"Name": doc["Name"], "Enabled": doc["Enabled"], "Env": doc["Settings"]["Env"],
            "Types": doc["Config"]["Interface"]["Types"], "Socket": doc["Config"]["Interface"]["Socket"]}


@plugin
def plugin_lifecycle(side: Side, name: str) -> dict:
    api = side.api
    tag = name + ":latest"
    out: dict[str, Any] = {}
    try:
        out["create"] = api.create_plugin(name, PLUGIN_DIR["dir"])
        out["create_gzip"] = raises(lambda: api.create_plugin(name + "-gz", PLUGIN_DIR["dir"], gzip=True))  # the engine wants plain tar
        out["listed"] = sorted((p["Name"], p["Enabled"]) for p in api.plugins() if p["Name"].startswith(name))
        doc = api.inspect_plugin(name)
        out["inspect"] = _plugin_view(doc)
        if side.kind == "dockui":  # docker-py's inspect_plugin takes a name only (a dict: ValueError)
            assert api.inspect_plugin(doc)["Id"] == doc["Id"]
        out["configure"] = api.configure_plugin(name, {"DEBUG": "1"})
        out["configure_list"] = api.configure_plugin(tag, ["DEBUG=2"])
        out["configured"] = api.inspect_plugin(name)["Settings"]["Env"]
        out["configure_bad"] = raises(lambda: api.configure_plugin(name, {"NOPE": "1"}))
        out["enable"] = api.enable_plugin(name, timeout=30)
        out["enabled"] = api.inspect_plugin(tag)["Enabled"]
        out["enable_again"] = raises(lambda: api.enable_plugin(name))
        out["configure_enabled"] = raises(lambda: api.configure_plugin(name, {"DEBUG": "3"}))
        out["remove_enabled"] = raises(lambda: api.remove_plugin(name))
        out["disable"] = api.disable_plugin(name)
        out["disable_again"] = raises(lambda: api.disable_plugin(name))
        out["enable_force_cycle"] = (api.enable_plugin(name), api.disable_plugin(name, force=True))
        out["remove"] = api.remove_plugin(name)
        out["gone"] = raises(lambda: api.inspect_plugin(name))
        out["remove_missing"] = raises(lambda: api.remove_plugin(name))
        out["null"] = raises(lambda: api.remove_plugin(None))
        out["old"] = raises(lambda: side.other_version("1.24").plugins())
        out["upgrade_old"] = raises(lambda: side.other_version("1.25").upgrade_plugin(name, "x", []))
    finally:
        oracle = make_api("docker-py", side.host)
        for p in (name, name + "-gz"):
            with contextlib.suppress(Exception):
                oracle.remove_plugin(p, force=True)
    return out


@plugin
def plugin_registry_calls_fail_at_once(side: Side, name: str) -> dict:
    api = side.api
    t0 = time.monotonic()

    def drain(fn):
        return lambda: list(fn())

    out = {
        "privileges": raises(lambda: api.plugin_privileges("dockui/no-such-plugin:1")),
        "pull": raises(drain(lambda: api.pull_plugin("dockui/no-such-plugin:1", [], name=name))),
        "pull_local": raises(drain(lambda: api.pull_plugin("127.0.0.1:9/dockui/no-such-plugin:1", []))),
    }
    out["fast"] = time.monotonic() - t0 < 30
    out["nothing_installed"] = [p["Name"] for p in api.plugins() if name in p["Name"]]
    return out


# ------------------------------------------------------------------------------------ the tests
test_scenario, test_same_answers = scenario.tests()


@pytest.fixture
def on_private(engine, plugin_dir):
    PLUGIN_DIR["dir"] = plugin_dir
    plugin.host = lambda: engine.unix_host
    return engine


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize("name", plugin.names())
def test_plugin_scenario(on_private, name: str, kind: str) -> None:
    plugin.run(name, kind)


@pytest.mark.parametrize("name", plugin.names())
def test_plugin_same_answers(on_private, name: str) -> None:
    plugin.compare(name)


def test_push_and_upgrade_plugin_fail_at_once(on_private) -> None:
    """dockui only: docker-py 7's ``push_plugin`` posts to ``/plugins/{name}/pull`` (a bug), so the two
    are not compared; dockui pushes to ``/push`` and the engine's registry error comes at once."""
    from dockui.engine import EngineClient
    from dockui.engine.errors import APIError

    c = EngineClient(on_private.unix_host, timeout=30)
    name = "dkapi-push-" + str(int(time.time()))
    c.create_plugin(name, PLUGIN_DIR["dir"])
    try:
        t0 = time.monotonic()
        # the engine reports a failed push inside the progress stream (as docker-py yields it)
        pushed = list(c.push_plugin(name))
        assert any("error" in item for item in pushed), pushed
        with pytest.raises(APIError):
            list(c.upgrade_plugin(name, "127.0.0.1:9/dockui/x:2", []))
        assert time.monotonic() - t0 < 30
    finally:
        c.remove_plugin(name, force=True)


def test_every_apiclient_method_is_implemented() -> None:
    """The coverage table's first column: nothing of docker-py's APIClient is missing from dockui's client."""
    from .apiclient_coverage import api_methods, dockui_module, render

    missing = [n for n in api_methods() if dockui_module(n) is None]
    assert missing == []
    assert "| `create_service` | ServiceApiMixin | yes (services) | swarm |" in render()


def test_expected_answers_of_dockui(on_private) -> None:
    got = plugin.run("plugin_lifecycle", "dockui")
    assert got["create"] is True and got["enable"] is True and got["enabled"] is True and got["remove"] is True
    assert "DEBUG=2" in got["configured"] and got["gone"]["error"] == "NotFound"
    got = scenario.run("events_since_until_filters_decode", "dockui")
    assert [a for _, a, _ in got["decoded"]] == ["create", "destroy"] and got["raw"] == got["decoded"]
    got = scenario.run("ping_version_info_df", "dockui")
    assert got["ping"] is True and got["version_same"] is True
