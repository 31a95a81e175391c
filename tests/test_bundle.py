"""The incident bundle (issue 23 section 4) against the sandbox engine: its members read back
(inspect with the secret env values masked, logs with timestamps, the hour's events, stats,
processes, post-mortem, the engine's version and info); a failure leaves nothing; ``B`` in the
app writes it where the config says and tells where and how big; marked containers share one bundle."""

from __future__ import annotations

import json
import re
import sys
import tarfile
import time
from pathlib import Path

import pytest

from dockui.app import DockuiApp
from dockui.bundle import write_archive, write_bundle
from dockui.config import Config
from dockui.engine import EngineClient, NotFound
from dockui.secrets import MASK

from .conftest import engine_host
from .kindview import run, wait_text

SCRIPT = "for i in 1 2 3 4 5; do echo line $i; done; echo oops >&2; exec sleep 600"


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def wait_logs(client: EngineClient, cid: str, needle: bytes = b"oops", timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while needle not in client.logs(cid) and time.monotonic() < deadline:
        time.sleep(0.1)


def folder_files(got: dict[str, bytes], cid: str) -> dict[str, bytes]:
    out = {}
    for name, data in got.items():
        parts = name.split("/")
        if len(parts) == 3 and parts[1].endswith(cid[:12]):
            out[parts[2]] = data
    return out


def test_bundle_members_read_back_with_secrets_masked(client, make_container, unique, tmp_path):
    cid = make_container(SCRIPT, name=unique, environment=["SECRET_TOKEN=hunter2", "DB_PASSWORD=s3cr3t", "PLAIN=visible"],
                         labels={"api.token": "labelsecret"})
    wait_logs(client, cid)
    path, size = write_bundle(client, [cid], tmp_path)
    assert path.parent == tmp_path and path.name.startswith(f"dockui-bundle-{unique}-") and path.name.endswith(".tar.gz")
    assert re.search(r"-\d{8}T\d{6}Z\.tar\.gz$", path.name), path.name
    assert size == path.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left
    got = members(path)
    stem = path.name[: -len(".tar.gz")]
    assert all(n.startswith(stem + "/") for n in got), list(got)
    files = folder_files(got, cid)
    assert set(files) >= {"inspect.json", "logs.txt", "events.json", "stats.json", "processes.txt", "postmortem.txt"}, list(got)

    inspect = json.loads(files["inspect.json"])
    env = inspect["Config"]["Env"]
    assert f"SECRET_TOKEN={MASK}" in env and f"DB_PASSWORD={MASK}" in env and "PLAIN=visible" in env, env
    assert inspect["Config"]["Labels"]["api.token"] == MASK
    raw = b"".join(got.values())
    assert b"hunter2" not in raw and b"s3cr3t" not in raw and b"labelsecret" not in raw  # masked everywhere

    logs = files["logs.txt"].decode()
    lines = [ln for ln in logs.splitlines() if ln]
    assert len(lines) == 6 and all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z ", ln) for ln in lines), logs
    assert "line 1" in logs and "oops" in logs

    events = json.loads(files["events.json"])
    actions = [e.get("Action") or e.get("status") for e in events]
    assert "create" in actions and "start" in actions, actions
    assert all((e.get("Actor") or {}).get("ID") == cid for e in events)

    stats = json.loads(files["stats.json"])
    assert "raw" in stats or stats.get("samples") is not None
    assert "sleep" in files["processes.txt"].decode()
    assert files["postmortem.txt"].strip() and b"unavailable" not in files["postmortem.txt"]
    assert unique.encode() in files["postmortem.txt"]  # dockui.triage's text about this container

    version = json.loads(got[f"{stem}/engine/version.json"])
    assert version.get("ApiVersion") and version.get("Version")
    info = json.loads(got[f"{stem}/engine/info.json"])
    assert "Containers" in info
    manifest = got[f"{stem}/MANIFEST.txt"].decode()
    assert cid in manifest and "inspect.json" in manifest


def test_bundle_of_stopped_container_and_missing_postmortem(client, make_container, unique, tmp_path, monkeypatch):
    cid = make_container("echo bye; exit 3", name=unique)
    client.wait(cid, timeout=20)
    monkeypatch.setitem(sys.modules, "dockui.triage", None)  # the import fails: a line says so
    path, _ = write_bundle(client, [cid], tmp_path)
    files = folder_files(members(path), cid)
    assert files["processes.txt"].startswith(b"not running")
    assert files["postmortem.txt"].startswith(b"post-mortem unavailable")
    assert b"bye" in files["logs.txt"]


def test_a_failure_leaves_nothing(client, tmp_path):
    with pytest.raises(NotFound):
        write_bundle(client, ["dockui-t-no-such-container"], tmp_path)
    assert list(tmp_path.iterdir()) == []

    class Broken(dict):
        def items(self):
            yield "a.txt", b"a"
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_archive(tmp_path, "dockui-bundle-x", Broken(x=b""))
    assert list(tmp_path.iterdir()) == []  # the half-written temporary file is gone too
    with pytest.raises(FileNotFoundError):
        write_archive(tmp_path / "missing", "dockui-bundle-x", {"a": b"a"})


def test_B_writes_a_bundle_where_the_config_says_and_marked_ones_share_one(client, make_container, unique, tmp_path):
    a = make_container(SCRIPT, name=unique + "-a", environment=["API_KEY=zzkeyzz"])
    b = make_container(SCRIPT, name=unique + "-b")
    wait_logs(client, a)

    async def main():
        app = DockuiApp(EngineClient(engine_host(), timeout=30), config=Config(bundle_dir=str(tmp_path)))
        async with app.run_test(size=(200, 40), notifications=True) as pilot:
            await wait_text(pilot, app, [unique + "-a", unique + "-b"], timeout=30)
            await pilot.press("slash", *(unique + "-a"), "enter")
            await wait_text(pilot, app, [re.compile(r"Containers \[1/\d+\]")])
            await pilot.press("B")
            text = await wait_text(pilot, app, ["incident bundle", re.compile(r"wrote \S+dockui-bundle-\S+\.tar\.gz \(\d")],
                                   timeout=40)
            assert re.search(rf"{unique}-a\s+{a[:12]}\s+done: collected: 6 log lines", text), text
            await pilot.press("escape")
            await pilot.press("slash", "ctrl+u", *unique, "enter")
            await wait_text(pilot, app, [re.compile(r"Containers \[2/\d+\]")])
            app.main.table.move_cursor(row=0)
            await pilot.pause(0.1)
            await pilot.press("space", "space")
            await wait_text(pilot, app, ["2 marked"])
            await pilot.press("B")
            text = await wait_text(pilot, app, ["[2 containers]", re.compile(r"wrote \S+dockui-bundle-2-containers-\S+\.tar\.gz")],
                                   timeout=40)

    run(main())
    bundles = sorted(tmp_path.glob("*.tar.gz"))
    assert len(bundles) == 2 and not [p for p in tmp_path.iterdir() if p.suffix == ".part"], list(tmp_path.iterdir())
    single = next(p for p in bundles if "2-containers" not in p.name)
    assert folder_files(members(single), a) and not folder_files(members(single), b)
    both = members(next(p for p in bundles if "2-containers" in p.name))
    assert folder_files(both, a) and folder_files(both, b)
    assert b"zzkeyzz" not in b"".join(both.values())
