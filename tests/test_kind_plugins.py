"""Plugins (issue 18 section 2), driven by Textual's pilot against the sandbox engine: a plugin made
offline (``create_plugin`` from a busybox rootfs and a ``config.json``, as ``docker plugin
create``) is listed with its type; ``u`` enables it and ``x`` disables it (the rendered ENABLED
column follows); ``d`` inspects it; ``ctrl+d`` asks and removes it.

Enabling needs a process in the plugin answering on its socket: a 20-line C listener, built
static with the machine's gcc (the enable/disable part is skipped without gcc)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tarfile

import pytest

from dockui.engine import NotFound

from .conftest import IMAGE
from .kindview import make_app, run, unique, wait_text

LISTENER = r"""
#include <sys/socket.h>
#include <sys/un.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a; memset(&a, 0, sizeof a); a.sun_family = AF_UNIX;
    strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1); unlink(argv[1]);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 16)) return 1;
    const char *r = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1+json\r\n"
                    "Content-Length: 31\r\nConnection: close\r\n\r\n{\"Implements\":[\"VolumeDriver\"]}";
    char buf[4096];
    for (;;) { int c = accept(s, 0, 0); if (c < 0) continue; read(c, buf, sizeof buf); write(c, r, strlen(r)); close(c); }
}
"""


def make_plugin_dir(client, path) -> bool:
    """A plugin directory (rootfs from the busybox image, config.json); True if it can be enabled."""
    rootfs = path / "rootfs"
    rootfs.mkdir(parents=True)
    cid = client.create_container(IMAGE, ["true"])["Id"]
    try:
        data = b"".join(client.export(cid))
    finally:
        client.remove_container(cid, force=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(rootfs, filter="tar")
    entry = ["/bin/sleep", "100000"]
    can_enable = False
    if shutil.which("gcc"):
        (path / "l.c").write_text(LISTENER)
        done = subprocess.run(["gcc", "-static", "-O2", "-o", str(rootfs / "listener"), str(path / "l.c")], capture_output=True)
        if done.returncode == 0:
            entry, can_enable = ["/listener", "/run/docker/plugins/t.sock"], True
    (path / "config.json").write_text(json.dumps({
        "description": "dockui test plugin [b]not markup[/b]", "documentation": "https://example.invalid",
        "entrypoint": entry, "interface": {"types": ["docker.volumedriver/1.0"], "socket": "t.sock"},
        "network": {"type": "host"}}))
    return can_enable


def test_plugins_list_enable_disable_inspect_remove(client, tmp_path):
    name = unique("dockui-t-plug") + ":latest"
    can_enable = make_plugin_dir(client, tmp_path)
    client.create_plugin(name, str(tmp_path))
    try:
        async def main():
            app = make_app("plugins")
            async with app.run_test(size=(160, 40), notifications=True) as pilot:
                text = await wait_text(pilot, app, ["Plugins", "ENABLED", name, "[b]not markup[/b]"])
                assert re.search(rf"{re.escape(name)}\s+disabled\s+volumedriver", text), text
                await pilot.press("slash", *name, "enter")
                if can_enable:
                    await pilot.press("u")
                    await wait_text(pilot, app, [re.compile(rf"{re.escape(name)}\s+enabled")], timeout=40)
                    assert client.inspect_plugin(name)["Enabled"] is True
                    await pilot.press("x")
                    await wait_text(pilot, app, [re.compile(rf"{re.escape(name)}\s+disabled")], timeout=40)
                await pilot.press("d")
                await wait_text(pilot, app, ['"Entrypoint"', "plugin " + name])
                await pilot.press("escape")
                await pilot.press("ctrl+d")
                await wait_text(pilot, app, [f"remove plugin {name}?", "f: force"])
                await pilot.press("y")
                await wait_text(pilot, app, ["Plugins [0/"], absent=["volumedriver"])

        run(main())
        with pytest.raises(NotFound):
            client.inspect_plugin(name)
    finally:
        try:
            client.remove_plugin(name, force=True)
        except NotFound:
            pass
