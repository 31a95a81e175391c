"""The fleet on screen (pilot tests, three real engines): the sandbox's main node, its second node
(each its own API socket) and a private plain dockerd (tests/engines.py)."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import pytest

from dockui.app import DockuiApp
from dockui.engine import EngineClient
from dockui.engine.transport import Endpoint
from dockui.fleet.engines import EngineSpec
from dockui.fleet.store import build

from .engines import EngineSetupError, import_busybox, start_dockerd
from .kindview import run, wait_text

MAIN = "unix:///var/tmp/dockui-sandbox/docker.sock"
N2 = "unix:///var/tmp/dockui-sandbox/n2/docker.sock"
IMAGE = "dockui/busybox:latest"
SIZE = (200, 40)


@pytest.fixture(scope="module")
def third(tmp_path_factory):
    if not Path(N2[len("unix://"):]).exists():
        pytest.skip("the sandbox's node 2 is not up (scripts/sandbox up --nodes 2)")
    try:
        d = start_dockerd(tmp_path_factory.mktemp("fleet3"))
    except EngineSetupError as exc:
        pytest.skip(f"no third engine: {exc}")
    try:
        import_busybox(d.unix_host)
        for host in (N2,):
            c = EngineClient(host, timeout=30)
            try:
                c.inspect_image(IMAGE)
            except Exception:  # noqa: BLE001
                import_busybox(host)
        yield d
    finally:
        d.stop()


@pytest.fixture
def same_name(third):
    """A container of the same name running on each of the three engines."""
    name = f"fleet-same-{uuid.uuid4().hex[:6]}"
    made = []
    for host in (MAIN, N2, third.unix_host):
        c = EngineClient(host, timeout=30)
        cid = c.create_container(IMAGE, ["sleep", "600"], name=name)["Id"]
        c.start(cid)
        made.append((c, cid))
    yield name, made
    for c, cid in made:
        try:
            c.remove_container(cid, force=True)
        except Exception:  # noqa: BLE001 - the engine may be gone
            pass


def fleet_app(third, **kw):
    specs = [EngineSpec("one", Endpoint(MAIN), "--host"), EngineSpec("two", Endpoint(N2), "--host"),
             EngineSpec("three", Endpoint(third.unix_host), "--host"), *kw.pop("extra", [])]
    store = build(specs, timeout=10)
    store.start()
    return DockuiApp(store.client, source="fleet", store=store, **kw), store


def row_re(name: str, engine: str) -> re.Pattern:
    return re.compile(re.escape(name) + r"\s+" + re.escape(engine) + r"\b")


def test_rows_of_three_engines_on_one_screen_with_the_engine_column(third, same_name):
    name, made = same_name

    async def go():
        app, store = fleet_app(third)
        async with app.run_test(size=SIZE) as pilot:
            await wait_text(pilot, app, ["ENGINE", "fleet 3/3 engines"], timeout=30)
            await pilot.press("slash", *name, "enter")
            await wait_text(pilot, app, [row_re(name, "one"), row_re(name, "two"), row_re(name, "three")], timeout=30)
            await pilot.press("escape")
            # /engine=two: the rows of that engine only
            await pilot.press("slash", *"engine=two", "enter")
            text = await wait_text(pilot, app, [row_re(name, "two")], absent=["  one  ", "  three  "], timeout=20)
            assert not row_re(name, "one").search(text) and not row_re(name, "three").search(text)
            await pilot.press("escape")
            # sort by engine (E): one's rows, then three's, then two's
            await pilot.press("slash", *name, "enter")
            await pilot.press("E")
            text = await wait_text(pilot, app, ["sort: engine asc", row_re(name, "three")], timeout=20)
            order = [m.group(1) for m in re.finditer(re.escape(name) + r"\s+(one|two|three)\b", text)]
            assert order == ["one", "three", "two"], text
            await pilot.press("E")
            text = await wait_text(pilot, app, ["sort: engine desc"], timeout=20)
            order = [m.group(1) for m in re.finditer(re.escape(name) + r"\s+(one|two|three)\b", text)]
            assert order == ["two", "three", "one"], text
        store.stop()

    run(go())


def _state(c: EngineClient, cid: str) -> dict:
    return c.inspect_container(cid)["State"]


def test_an_action_on_a_row_of_the_second_engine_changes_that_engine_only_and_marks_span_engines(third, same_name):
    name, made = same_name

    async def go():
        app, store = fleet_app(third)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("slash", *name, "enter")
            await wait_text(pilot, app, [row_re(name, "one"), row_re(name, "two"), row_re(name, "three")], timeout=30)
            await pilot.press("escape")
            await pilot.press("slash", *f"{name} engine=two", "enter")
            await wait_text(pilot, app, [row_re(name, "two"), "[1/"], timeout=20)
            await pilot.press("x")  # stop
            await wait_text(pilot, app, [re.compile(re.escape(name) + r"\s+two\s+exited")], timeout=30)
            states = [_state(c, cid)["Running"] for c, cid in made]
            assert states == [True, False, True]
            # marks across engines: restart the same container on all three at once
            started = [_state(c, cid)["StartedAt"] for c, cid in made]
            await pilot.press("escape")
            await pilot.press("slash", *name, "enter")
            await wait_text(pilot, app, [row_re(name, "one"), row_re(name, "two"), row_re(name, "three")], timeout=20)
            app.screen.table.move_cursor(row=0)
            await pilot.press("space", "space", "space")
            await wait_text(pilot, app, ["3 marked"], timeout=10)
            await pilot.press("r")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                await pilot.pause(0.2)
                after = [_state(c, cid) for c, cid in made]
                if all(s["Running"] for s in after) and all(a["StartedAt"] != b for a, b in zip(after, started, strict=True)):
                    break
            notes = [n.message for n in app._notifications]
            assert all(s["Running"] for s in after), notes
            assert all(a["StartedAt"] != b for a, b in zip(after, started, strict=True)), notes
        store.stop()

    run(go())


def test_one_engine_killed_shows_unreachable_the_others_keep_updating_and_it_comes_back_resynced(third):
    one = EngineClient(MAIN, timeout=30)
    three = EngineClient(third.unix_host, timeout=30)
    tag = uuid.uuid4().hex[:6]
    before = three.create_container(IMAGE, ["sleep", "600"], name=f"fleet-kept-{tag}")["Id"]
    made = []

    async def go():
        app, store = fleet_app(third)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("slash", *tag, "enter")
            await wait_text(pilot, app, [row_re(f"fleet-kept-{tag}", "three"), "three *"], timeout=30)
            third.proc.terminate()  # the engine goes away (its data stays: it comes back below)
            third.proc.wait(30)
            await wait_text(pilot, app, [re.compile(r"three ~ reconnecting"), re.compile(rf"fleet-kept-{tag}\s+three stale \d+s")],
                            timeout=30)
            # the other engines keep updating: a container made on engine one shows
            cid = one.create_container(IMAGE, ["sleep", "600"], name=f"fleet-while-{tag}")["Id"]
            made.append(cid)
            await wait_text(pilot, app, [row_re(f"fleet-while-{tag}", "one"), re.compile(r"three ~ reconnecting")], timeout=20)
            # it comes back: its rows are live again, and what changed meanwhile shows
            third.proc = None
            third.start()
            three2 = EngineClient(third.unix_host, timeout=30)
            three2.create_container(IMAGE, ["sleep", "600"], name=f"fleet-after-{tag}")
            await wait_text(pilot, app, ["three *", row_re(f"fleet-after-{tag}", "three"), row_re(f"fleet-kept-{tag}", "three")],
                            absent=["stale"], timeout=60)
        store.stop()

    try:
        run(go())
    finally:
        for cid in made:
            one.remove_container(cid, force=True)
        try:
            c = EngineClient(third.unix_host, timeout=30)
            for ctr in c.containers(all=True, filters={"name": "fleet-"}):
                c.remove_container(ctr["Id"], force=True)
        except Exception:  # noqa: BLE001
            pass
        del before


def _context(cfg: Path, name: str, host: str, tls: dict[str, str] | None = None) -> None:
    import hashlib
    import json

    digest = hashlib.sha256(name.encode()).hexdigest()
    d = cfg / "contexts" / "meta" / digest
    d.mkdir(parents=True)
    (d / "meta.json").write_text(json.dumps({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host}}}))
    if tls is not None:
        t = cfg / "contexts" / "tls" / digest / "docker"
        t.mkdir(parents=True)
        for f, text in tls.items():
            (t / f).write_text(text)


@pytest.fixture
def password_sshd(tmp_path):
    """An sshd on loopback that takes passwords only: ssh in BatchMode cannot log in."""
    import subprocess

    from .engines import ensure_sshd, free_port

    ensure_sshd()
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    key = tmp_path / "hostkey"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    port = free_port()
    cfg = tmp_path / "sshd_config"
    cfg.write_text(f"Port {port}\nListenAddress 127.0.0.1\nHostKey {key}\nPidFile {tmp_path / 'pid'}\n"
                   "PubkeyAuthentication no\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM no\nLogLevel ERROR\n")
    proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(cfg)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(0.5)
    yield Endpoint(f"ssh://root@127.0.0.1:{port}", ssh_options=("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"))
    proc.terminate()
    proc.wait(10)


def test_bad_engines_each_say_what_is_wrong_and_the_others_work_on(tmp_path, monkeypatch, password_sshd):
    from dockui.fleet.engines import fleet_specs

    if not Path(N2[len("unix://"):]).exists():
        pytest.skip("the sandbox's node 2 is not up")
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.setenv("DOCKER_HOST", MAIN)
    for v in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS"):
        monkeypatch.delenv(v, raising=False)
    _context(tmp_path, "good", N2)
    _context(tmp_path, "nohost", "tcp://no-such-host.invalid:2375")
    _context(tmp_path, "notls", "tcp://127.0.0.1:2376", tls={"cert.pem": "x"})
    bad = tmp_path / "contexts" / "meta" / ("f" * 64)
    bad.mkdir(parents=True)
    (bad / "meta.json").write_text("{not json")
    specs = [*fleet_specs(all_contexts=True), EngineSpec("pw", password_sshd, "--host")]
    name = f"fleet-ok-{uuid.uuid4().hex[:6]}"
    n2 = EngineClient(N2, timeout=30)

    async def go():
        store = build(specs, timeout=10)
        store.start()
        app = DockuiApp(store.client, source="fleet", store=store)
        async with app.run_test(size=(400, 40)) as pilot:
            await wait_text(pilot, app, ["default *", "good *", "nohost x unreachable: cannot resolve the host name",
                                         "notls ! failed: TLS material missing: key.pem",
                                         "context-ffffffff ! failed: malformed context file",
                                         re.compile(r"pw x unreachable: ssh: .*Permission")], timeout=40)
            cid = n2.create_container(IMAGE, ["sleep", "600"], name=name)["Id"]
            try:
                await pilot.press("slash", *name, "enter")
                await wait_text(pilot, app, [row_re(name, "good")], timeout=20)  # the others work on
                await pilot.press("colon", *"fleet", "enter")
                text = await wait_text(pilot, app, ["VERSION", "PING", re.compile(r"good\s+\* connected"),
                                                    "TLS material missing: key.pem", "Expecting property name",
                                                    "no terminal to ask on (BatchMode)", re.compile(r"\d+\.\d ms")], timeout=30)
                assert "Traceback" not in text
                await pilot.press("escape")
            finally:
                n2.remove_container(cid, force=True)
        store.stop()

    run(go())


def test_every_screen_shows_the_rows_of_all_engines(third, same_name):
    name, made = same_name

    def engines_in(text: str) -> set[str]:
        return {e for e in ("one", "two", "three") if re.search(rf"\s{e}\s", text)}

    async def go():
        app, store = fleet_app(third)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("slash", *name, "enter")
            await wait_text(pilot, app, [row_re(name, "three"), row_re(name, "two"), row_re(name, "one")], timeout=30)
            for kind, needle in (("images", "dockui/busybox"), ("networks", "none"), ("volumes", "DRIVER")):
                await pilot.press("colon", *kind, "enter")
                text = await wait_text(pilot, app, ["ENGINE", needle], timeout=20)
                if kind != "volumes":
                    assert engines_in(text) == {"one", "two", "three"}, (kind, text)
            # events: made on each engine after the start, each under its engine
            await pilot.press("colon", *"events", "enter")
            for c, cid in made:
                c.kill(cid)
            text = await wait_text(pilot, app, ["ENGINE", re.compile(r"\bone\b.*kill"), re.compile(r"\btwo\b.*kill"),
                                                re.compile(r"\bthree\b.*kill")], timeout=30)
            # faults only: the killed containers (exit 137) of all three engines
            await pilot.press("colon", *f"containers {name}", "enter")
            await pilot.press("ctrl+z")
            await wait_text(pilot, app, ["FAULTS ONLY", row_re(name, "one"), row_re(name, "two"), row_re(name, "three")], timeout=30)
            await pilot.press("ctrl+z")
            # pulse: every engine's running containers
            for c, cid in made:
                c.start(cid)
            await pilot.press("colon", *"pulse", "enter")
            text = await wait_text(pilot, app, ["Pulse", "TOP CPU", re.compile(r"total \d+")], timeout=30)
            total = int(re.search(r"total (\d+)", text).group(1))
            per = [len(m.store.snapshot("containers")) for m in store.live]
            assert all(n > 0 for n in per) and abs(total - sum(per)) <= 5, (total, per)  # all three engines counted
        store.stop()

    run(go())


def test_logs_describe_and_shell_of_a_row_go_to_its_own_engine(third):
    """The same name on two engines, each printing its own word: what opens is the row's engine's."""
    name = f"fleet-own-{uuid.uuid4().hex[:6]}"
    made = []
    for host, word in ((MAIN, "from-engine-one"), (third.unix_host, "from-engine-three")):
        c = EngineClient(host, timeout=30)
        cid = c.create_container(IMAGE, ["sh", "-c", f"echo {word}; exec sleep 600"], name=name, hostname=word[:16])["Id"]
        c.start(cid)
        made.append((c, cid))

    async def go():
        app, store = fleet_app(third)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("slash", *f"{name} engine=three", "enter")
            await wait_text(pilot, app, [row_re(name, "three"), "[1/"], timeout=30)
            await pilot.press("l")  # logs
            await wait_text(pilot, app, ["from-engine-three"], absent=["from-engine-one"], timeout=20)
            await pilot.press("escape")
            await wait_text(pilot, app, [row_re(name, "three")], timeout=10)
            await pilot.press("d")  # describe: the inspect document of engine three's container
            await wait_text(pilot, app, [made[1][1][:24]], timeout=20)
            await pilot.press("escape")
            await wait_text(pilot, app, [row_re(name, "three")], timeout=10)
            await pilot.press("s")  # shell
            await pilot.pause(1.0)
            for _ in range(100):
                await pilot.pause(0.2)
                if app.main.panes and "#" in "\n".join(app.main.panes[0].term.display_lines()):
                    break
            pane = app.main.panes[0]
            await pilot.press(*"hostname", "enter")
            for _ in range(100):
                await pilot.pause(0.2)
                if "from-engine-thr" in "\n".join(pane.term.display_lines()):
                    break
            assert "from-engine-thr" in "\n".join(pane.term.display_lines())
            await pilot.press(*"exit", "enter")
            await pilot.pause(1.0)
        store.stop()

    try:
        run(go())
    finally:
        for c, cid in made:
            c.remove_container(cid, force=True)


def test_colon_fleet_turns_a_single_engine_dashboard_into_a_fleet(tmp_path, monkeypatch):
    if not Path(N2[len("unix://"):]).exists():
        pytest.skip("the sandbox's node 2 is not up")
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.setenv("DOCKER_HOST", MAIN)
    for v in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS"):
        monkeypatch.delenv(v, raising=False)
    _context(tmp_path, "node2", N2)
    name = f"fleet-sw-{uuid.uuid4().hex[:6]}"
    made = []
    for host in (MAIN, N2):
        c = EngineClient(host, timeout=30)
        made.append((c, c.create_container(IMAGE, ["sleep", "600"], name=name)["Id"]))

    async def go():
        app = DockuiApp(EngineClient(MAIN, timeout=30))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("slash", *name, "enter")
            text = await wait_text(pilot, app, [name], timeout=30)
            assert "ENGINE" not in text  # a single engine: no ENGINE column
            await pilot.press("colon", *"fleet", "enter")
            await wait_text(pilot, app, ["Fleet: the engines", re.compile(r"default\s+\* connected"),
                                         re.compile(r"node2\s+\* connected")], timeout=30)
            await pilot.press("down", "enter")  # enter: that engine's containers
            await wait_text(pilot, app, ["filter: engine=node2"], absent=["Fleet: the engines"], timeout=20)
            await pilot.press("slash", *name, "enter")
            await wait_text(pilot, app, ["ENGINE", "fleet 2/2 engines", row_re(name, "default"), row_re(name, "node2")], timeout=30)
        app.store.stop()

    try:
        run(go())
    finally:
        for c, cid in made:
            c.remove_container(cid, force=True)


def test_a_compose_project_on_two_engines_is_two_rows_and_its_logs_are_its_engines(third):
    proj = f"fleetproj{uuid.uuid4().hex[:6]}"
    made = []
    for host, word in ((MAIN, "proj-on-one"), (third.unix_host, "proj-on-three")):
        c = EngineClient(host, timeout=30)
        cid = c.create_container(IMAGE, ["sh", "-c", f"echo {word}; exec sleep 600"], name=f"{proj}-web-1",
                                 labels={"com.docker.compose.project": proj, "com.docker.compose.service": "web"})["Id"]
        c.start(cid)
        made.append((c, cid))

    async def go():
        app, store = fleet_app(third)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("colon", *f"projects {proj}", "enter")
            await wait_text(pilot, app, [row_re(proj, "one"), row_re(proj, "three")], timeout=30)
            await pilot.press("slash", *f"{proj} engine=three", "enter")
            await wait_text(pilot, app, [row_re(proj, "three"), "[1/"], timeout=20)
            await pilot.press("l")
            await wait_text(pilot, app, ["proj-on-three"], absent=["proj-on-one"], timeout=20)
        store.stop()

    try:
        run(go())
    finally:
        for c, cid in made:
            c.remove_container(cid, force=True)


def test_a_one_line_header_at_80x24_puts_each_engines_slot_first():
    specs = [EngineSpec("one", Endpoint(MAIN), "--host"), EngineSpec("gone", Endpoint("unix:///nonexistent/dockui.sock"), "--host")]

    async def go():
        store = build(specs, timeout=10)
        store.start()
        app = DockuiApp(store.client, source="fleet", store=store)
        async with app.run_test(size=(80, 24)) as pilot:
            text = await wait_text(pilot, app, [re.compile(r"^ fleet 1/2: one \*  gone x  running \d+", re.M), "ENGINE"], timeout=30)
            assert "Traceback" not in text
            await pilot.press("colon", *"fleet", "enter")
            await wait_text(pilot, app, [re.compile(r"gone\s+x unreachable")], timeout=20)
        store.stop()

    run(go())
