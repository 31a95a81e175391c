"""Faults: no engine, a dying engine, a stalled engine, vanishing containers, bursts.

Engines that die are PRIVATE dockerds (tests/engines.py), never the shared sandbox; stalls,
cuts and malformed events come from a fault proxy (tests/faultproxy.py) in front of it.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input

from dockui import cli
from dockui.app import DockuiApp
from dockui.engine import Endpoint, EngineClient, NotFound, TLSConfig
from dockui.engine import config as engine_config
from dockui.kinds import KINDS
from dockui.messages import RunAction
from dockui.screens.dialogs import DescribeScreen
from dockui.screens.logs import LogsScreen
from dockui.store import StatsHub, Store

from .conftest import IMAGE, engine_host
from .engines import _pid_from, clean_env, free_port, import_busybox, make_certs, start_dockerd
from .faultproxy import FaultProxy
from .test_app import wait_until
from .test_sessions import open_on, screen_text

DOCKUI = str(Path(sys.executable).with_name("dockui"))


def run(coro):
    return asyncio.run(coro)


def message(app: DockuiApp) -> str:
    """The main screen's problem line, "" while it is hidden."""
    w = app.main.query_one("#message")
    return str(w.render()) if w.has_class("-visible") else ""


def log_lines(screen: LogsScreen) -> list:
    """The lines a logs screen holds ([] until it is composed)."""
    return list(screen.view._lines) if screen.is_mounted and screen.query("#logs-view") else []


def notes(app: DockuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def act(action_id: str):
    return next(a for a in KINDS["containers"].actions if a.id == action_id)


def send_keys(app: DockuiApp, *keys: str) -> None:
    """Key events straight to the app, as the terminal driver delivers them; no waiting."""
    chars = {"colon": ":", "slash": "/", "enter": "\r", "escape": "\x1b"}
    for key in keys:
        app._driver.send_message(events.Key(key, chars.get(key, key if len(key) == 1 else None)))


def short_dir() -> str:
    return tempfile.mkdtemp(prefix="dkf-", dir="/tmp")  # unix socket paths are limited to 108 bytes


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """A private dockerd this module may kill, restart and flood."""
    eng = start_dockerd(tmp_path_factory.mktemp("faultd"))
    try:
        import_busybox(eng.unix_host)
        yield eng
    finally:
        eng.stop()


@pytest.fixture
def private(engine):
    """A client on the private engine; every container it made is removed afterwards."""
    c = EngineClient(engine.unix_host, timeout=30)
    yield c
    try:
        for row in c.containers(all=True):
            c.remove_container(row["Id"], force=True)
    except Exception:  # noqa: BLE001 - the engine may be down after a failed test; stop() cleans up
        pass


def kill_engine(eng) -> None:
    """kill -9 the dockerd (its containerd dies with it), and wait until both are gone."""
    os.kill(eng.proc.pid, signal.SIGKILL)
    eng.proc.wait(10)
    pidfile = eng.exec_root / "containerd" / "containerd.pid"
    deadline = time.monotonic() + 10
    while _pid_from(pidfile, "containerd") and time.monotonic() < deadline:
        time.sleep(0.05)


def run_private(c: EngineClient, name: str, cmd: str = "sleep 600", **kw) -> str:
    # StopTimeout 1: a restarted dockerd stops what was running; sleep as pid 1 ignores SIGTERM
    cid = c.create_container(IMAGE, ["sh", "-c", cmd], name=name, stop_timeout=1, **kw)["Id"]
    c.start(cid)
    return cid


class _EngineLike(http.server.BaseHTTPRequestHandler):
    """Answers /_ping and /version like an engine (enough for --check and the store's first call)."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = b"OK" if self.path.endswith("/_ping") else json.dumps(
            {"Version": "99.0-stub", "ApiVersion": "1.41", "Os": "linux", "Arch": "amd64"}).encode()
        self.send_response(200)
        self.send_header("API-Version", "1.41")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def tls_stub(tmp_path_factory):
    """A TLS server on 127.0.0.1 with a certificate from a private CA: (url, cert dir)."""
    certs = make_certs(tmp_path_factory.mktemp("stubcerts"))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EngineLike)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs / "server-cert.pem", certs / "server-key.pem")
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"tcp://127.0.0.1:{srv.server_address[1]}", certs
    srv.shutdown()
    srv.server_close()


# ---------------------------------------------------------------- no engine at start
def _case_missing(d: str):
    return f"unix://{d}/gone.sock", "no socket at"


def _case_regular_file(d: str):
    Path(d, "file.sock").write_text("not a socket")
    return f"unix://{d}/file.sock", "is a regular file, not a socket"


def _case_directory(d: str):
    os.mkdir(Path(d, "dir.sock"))
    return f"unix://{d}/dir.sock", "is a directory, not a socket"


def _case_refused_tcp(d: str):
    return f"tcp://127.0.0.1:{free_port()}", "connection refused"


CASES = {"missing": _case_missing, "regular-file": _case_regular_file, "directory": _case_directory, "refused-tcp": _case_refused_tcp}


async def _shows_problem(app: DockuiApp, pilot, address: str, cause: str) -> None:
    assert await wait_until(pilot, lambda: app.store.connection.status == "reconnecting", 10)
    assert await wait_until(pilot, lambda: cause in message(app), 5), message(app)
    text = message(app)
    assert address in text and "Traceback" not in text
    assert app.is_running and app._exception is None
    await pilot.press("colon", *"img", "enter")  # the UI works meanwhile
    assert await wait_until(pilot, lambda: app.main.kind == "images", 2)


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_engine_at_start_says_where_and_why(case):
    d = short_dir()
    url, cause = CASES[case](d)

    async def main():
        app = DockuiApp(EngineClient(url, timeout=2))
        async with app.run_test(size=(160, 30)) as pilot:
            await _shows_problem(app, pilot, url, cause)

    try:
        run(main())
    finally:
        subprocess.run(["rm", "-rf", d], check=False)


def test_a_socket_that_closes_at_once_then_an_engine_appears(make_container):
    """A listener that accepts and hangs up (not an engine, or one dying); then the socket
    that was missing appears: dockui connects on its own, without a restart."""
    make_container()  # something to list once connected (the sandbox may hold nothing else)
    refusing = FaultProxy(engine_host())
    refusing.refuse = True
    d = short_dir()
    late = f"{d}/late.sock"

    async def main():
        with refusing:
            app = DockuiApp(EngineClient(refusing.url, timeout=2))
            async with app.run_test(size=(160, 30)) as pilot:
                await _shows_problem(app, pilot, refusing.url, "closed the connection")
        app = DockuiApp(EngineClient(f"unix://{late}", timeout=2))
        async with app.run_test(size=(160, 30)) as pilot:
            await _shows_problem(app, pilot, late, "no socket at")
            proxy = FaultProxy(engine_host()).start(path=late)
            try:
                assert await wait_until(pilot, lambda: app.store.connection.ok, 15), app.store.connection
                assert await wait_until(pilot, lambda: "no socket" not in message(app), 3), message(app)
                assert app.store.snapshot("containers")
            finally:
                proxy.stop()

    try:
        run(main())
    finally:
        subprocess.run(["rm", "-rf", d], check=False)


def test_tls_failure_says_so(tls_stub):
    url, certs = tls_stub
    ep = Endpoint(url, TLSConfig())  # system CAs: the stub's private CA is not among them

    async def main():
        app = DockuiApp(EngineClient(ep, timeout=3))
        async with app.run_test(size=(180, 30)) as pilot:
            await _shows_problem(app, pilot, url, "certificate verify failed")

    run(main())


def test_permission_denied_for_an_unprivileged_user():
    """chmod 000 on a socket does not stop root, so ``dockui --check`` runs in a forked child
    that drops to nobody first (an exec'd interpreter could not be reached: it lives under
    /root); the kernel's own EACCES must come out as one clear line, exit code 1."""
    d = short_dir()
    os.chmod(d, 0o755)
    path = f"{d}/engine.sock"
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(1)
    os.chmod(path, 0o000)
    import dockui.logfile  # noqa: F401 - the child cannot import anything new: the stdlib is under /root

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 99
        try:
            os.close(r)
            os.dup2(w, 2)
            sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 - pytest's capture is not fd 2
            os.environ["DOCKUI_LOG"] = "off"
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            code = cli.main(["--check", "--host", f"unix://{path}"])
            sys.stderr.flush()
        except BaseException as exc:  # noqa: BLE001 - report, then leave
            os.write(2, f"child failed: {exc!r}\n".encode())
        finally:
            os._exit(code)
    os.close(w)
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("dockui --check as nobody did not finish")
        err = os.read(r, 65536).decode()
        assert os.waitstatus_to_exitcode(status) == 1, err
        assert "permission denied on " + path in err and "docker" in err, err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    finally:
        os.close(r)
        srv.close()
        subprocess.run(["rm", "-rf", d], check=False)


# ---------------------------------------------------------------- the command line
BAD_HOSTS = ["bogus://x", "tcp://host:notaport", "tcp://host:99999", "tcp://host:0", "unix://", "unix://relative/path",
             "ssh://", "http://[::1", "npipe:////./pipe/docker_engine", "tcp://h:2375?x=1", "tcp://a b:1\n"]


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_malformed_host_is_a_one_line_error_and_exit_2(host, capsys, monkeypatch):
    monkeypatch.setenv("DOCKUI_LOG", "off")
    assert cli.main(["--check", "--host", host]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dockui: invalid engine address") and err.count("\n") == 1, err


def test_malformed_addresses_from_the_environment_and_the_real_binary():
    env = clean_env(DOCKUI_LOG="off")
    r = subprocess.run([DOCKUI, "--host", "bogus://x"], capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.splitlines()) == 1 and "bogus://x" in r.stderr, r
    r = subprocess.run([DOCKUI], capture_output=True, text=True, timeout=60, env=dict(env, DOCKER_HOST="bogus://x"), stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "DOCKER_HOST" in r.stderr and len(r.stderr.splitlines()) == 1, r
    r = subprocess.run([DOCKUI, "--timeout", "soon"], capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "soon" in r.stderr, r


def test_tls_verification_is_on_unless_asked_and_off_warns(tls_stub, monkeypatch, request):
    def request_cleanup(path: str) -> None:
        request.addfinalizer(lambda: subprocess.run(["rm", "-rf", path], check=False))

    url, certs = tls_stub
    other = short_dir()
    env = clean_env(DOCKER_TLS_VERIFY="1", DOCKER_CERT_PATH=str(make_certs(Path(other), name="other")), DOCKUI_LOG="off")

    def check(*args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([DOCKUI, "--check", "--host", url, *args], capture_output=True, text=True, timeout=60,
                              env=dict(env, **extra), stdin=subprocess.DEVNULL)

    request_cleanup(other)
    r = check()  # verification on: the stub's certificate is not from the trusted CA
    assert r.returncode == 1 and "certificate verify failed" in r.stderr and "warning" not in r.stderr, r.stderr
    r = check("--tls-insecure")
    assert r.returncode == 0 and "99.0-stub" in r.stdout, r.stderr
    assert "warning: TLS certificate verification is OFF" in r.stderr and "NOT verified" in r.stdout
    r = check(DOCKUI_TLS_INSECURE="1")
    assert r.returncode == 0 and "verification is OFF" in r.stderr, r.stderr
    r = check(DOCKER_CERT_PATH=str(certs))  # the right CA: verified, no warning
    assert r.returncode == 0 and r.stderr == "" and "(tls)" in r.stdout, r.stderr
    # in-process: the attribute the header shows
    monkeypatch.delenv("DOCKUI_TLS_INSECURE", raising=False)
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    ep, _ = engine_config.resolve(url)
    assert ep.tls is not None and ep.tls.verify and not ep.insecure
    ep, _ = engine_config.resolve(url, tls_insecure=True)
    assert ep.insecure and ep.tls.verify is False


# ---------------------------------------------------------------- the engine dies and comes back
def test_engine_killed_mid_session_then_back(engine, private):
    cid = run_private(private, "dkf-victim", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done")

    async def main():
        app = DockuiApp(EngineClient(engine.unix_host, timeout=5))
        async with app.run_test(size=(160, 44)) as pilot:
            await open_on(pilot, app, "dkf-victim", "s")
            assert await wait_until(pilot, lambda: app.main.panes and "#" in screen_text(app.main.panes[0]), 15)
            await pilot.press("ctrl+right_square_bracket", "l")
            assert await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
            logs = app.screen
            assert await wait_until(pilot, lambda: any("tick" in ln.plain for ln in log_lines(logs)), 10)
            before = dict(app.store.snapshot("containers"))

            t0 = time.monotonic()
            kill_engine(engine)
            assert await wait_until(pilot, lambda: app.store.connection.status != "connected", 2)
            lost_after = time.monotonic() - t0
            assert lost_after < 2, lost_after
            assert dict(app.store.snapshot("containers")) == before  # the last data stays
            assert await wait_until(pilot, lambda: any("lost the connection" in ln.plain for ln in log_lines(logs)), 10), \
                [ln.plain for ln in log_lines(logs)][-5:]
            assert await wait_until(pilot, lambda: not app.main.panes, 10)
            assert any("shell" in n and "engine" in n for n in notes(app)), notes(app)
            await pilot.press("q")
            assert await wait_until(pilot, lambda: app.screen is app.main)
            assert await wait_until(pilot, lambda: "reconnecting" in message(app) or "connecting" in message(app), 3), message(app)

            await asyncio.to_thread(engine.start)
            fresh = await asyncio.to_thread(run_private, private, "dkf-after-restart")
            assert await wait_until(pilot, lambda: app.store.connection.ok, 30), app.store.connection
            assert await wait_until(pilot, lambda: fresh in app.store.snapshot("containers"), 10)
            # the victim was running when the engine died; the restarted engine stopped it
            assert await wait_until(pilot, lambda: (app.store.get("containers", cid) or {}).get("State") == "exited", 10)
            assert await wait_until(pilot, lambda: "reconnecting" not in message(app), 3), message(app)
            assert app._exception is None

    run(main())


# ---------------------------------------------------------------- a stalled engine
def test_stalled_engine_never_blocks_keys_and_actions_time_out(make_container, unique):
    cid = make_container(name=unique)
    with FaultProxy(engine_host()) as proxy:
        async def main():
            app = DockuiApp(EngineClient(proxy.url, timeout=2))
            async with app.run_test(size=(160, 40)) as pilot:
                assert await wait_until(pilot, lambda: cid in app.store.snapshot("containers"), 15)
                await pilot.press("slash", *unique, "enter")
                assert await wait_until(pilot, lambda: app.main.table.current_id == cid)
                proxy.stall()
                # keys are handled at once, the engine is not waited for
                t0 = time.monotonic()
                await pilot.press("colon", *"img", "enter")
                assert await wait_until(pilot, lambda: app.main.kind == "images", 1)
                await pilot.press("colon", *"co", "enter")
                assert await wait_until(pilot, lambda: app.main.kind == "containers", 1)
                assert time.monotonic() - t0 < 2
                await pilot.press("slash", *unique, "enter")
                assert await wait_until(pilot, lambda: app.main.table.current_id == cid)
                # an action times out with a message
                await pilot.press("p")
                assert await wait_until(pilot, lambda: any("timed out" in n for n in notes(app)), 8), notes(app)
                # describe says it is loading, then why it failed
                await pilot.press("d")
                assert await wait_until(pilot, lambda: isinstance(app.screen, DescribeScreen))
                assert "loading" in str(app.screen.query_one("#doc").render())
                assert await wait_until(pilot, lambda: "timed out" in app.screen.error, 8)
                await pilot.press("escape")
                # the store notices (its ping times out) and keeps the data
                assert await wait_until(pilot, lambda: app.store.connection.status != "connected", 8)
                assert cid in app.store.snapshot("containers")
                proxy.resume()
                assert await wait_until(pilot, lambda: app.store.connection.ok, 15), app.store.connection
                assert app._exception is None

        run(main())


# ---------------------------------------------------------------- vanishing containers
def test_container_removed_while_logs_describe_shell_and_stats_are_open(client, make_container, unique):
    cid = make_container("i=0; while true; do echo beat $i; i=$((i+1)); sleep 0.2; done", name=unique)
    hub = StatsHub(client.clone())
    hub.want([cid])

    async def main():
        app = DockuiApp(EngineClient(engine_host(), timeout=10))
        async with app.run_test(size=(160, 44)) as pilot:
            await open_on(pilot, app, unique, "s")
            assert await wait_until(pilot, lambda: app.main.panes and "#" in screen_text(app.main.panes[0]), 15)
            row = app.store.get("containers", cid)
            app.main.perform(act("logs"), [(cid, row)])
            assert await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
            logs = app.screen
            assert await wait_until(pilot, lambda: any("beat" in ln.plain for ln in log_lines(logs)), 10)
            app.main.perform(act("describe"), [(cid, row)])
            assert await wait_until(pilot, lambda: isinstance(app.screen, DescribeScreen) and app.screen.loaded, 10)
            describe = app.screen
            assert await wait_until(pilot, lambda: len(hub.history(cid)) >= 1, 10)

            await asyncio.to_thread(client.remove_container, cid, force=True)

            assert await wait_until(pilot, lambda: cid not in app.store.snapshot("containers"), 10)
            await pilot.press("r")  # refresh the describe view: the engine's message, the last copy kept
            assert await wait_until(pilot, lambda: "No such container" in describe.error, 10), describe.error
            assert "refresh failed" in str(describe.query_one("#describe-status").render()) and describe.text
            await pilot.press("escape")
            assert await wait_until(pilot, lambda: app.screen is logs)
            assert await wait_until(pilot, lambda: any(ln.stream == "meta" and "removed" in ln.plain for ln in log_lines(logs)), 10), \
                [ln.plain for ln in log_lines(logs)][-3:]
            await pilot.press("q")
            assert await wait_until(pilot, lambda: app.screen is app.main)
            assert await wait_until(pilot, lambda: not app.main.panes, 10)
            assert any("shell" in n and ("removed" in n or "no longer exists" in n or "stopped" in n) for n in notes(app)), notes(app)
            assert await wait_until(pilot, lambda: cid not in hub.active(), 10)
            assert app._exception is None

    try:
        run(main())
    finally:
        hub.close()


def test_action_on_a_container_that_changed_state_shows_the_engines_message(client, make_container, unique):
    cid = make_container(name=unique, start=False)

    async def main():
        app = DockuiApp(EngineClient(engine_host(), timeout=10))
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: cid in app.store.snapshot("containers"), 10)
            stale = dict(app.store.get("containers", cid), State="running", Status="Up 2 minutes")
            app.post_message(RunAction(KINDS["containers"], act("pause"), [(cid, stale)]))  # the row said running; it is not
            assert await wait_until(pilot, lambda: any("is not running" in n for n in notes(app)), 10), notes(app)
            app.post_message(RunAction(KINDS["containers"], act("stop"), [(cid, stale)]))
            assert await wait_until(pilot, lambda: any("already stopped" in n for n in notes(app)), 10), notes(app)
            assert app._exception is None

    run(main())


# ---------------------------------------------------------------- malformed events
def test_malformed_events_are_skipped_and_the_store_keeps_following(make_container):
    with FaultProxy(engine_host()) as proxy:
        store = Store(EngineClient(proxy.url, timeout=10))
        store.start()
        try:
            assert store.wait_loaded(15)
            n = proxy.inject("/events", b'{"Type": "container", "Actor": "not a dict", "timeNano": "soon"}\n'
                                        b'{"broken json\n' + b"[" * 50_000 + b"\n" + b'{"Type": ["x"], "Actor": {"ID": 5}}\n')
            assert n == 1
            deadline = time.monotonic() + 5
            while store.event_errors < 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert store.event_errors >= 1  # the wrong-typed event; broken JSON is skipped by the decoder
            cid = make_container(start=False)
            deadline = time.monotonic() + 10
            while cid not in store.snapshot("containers") and time.monotonic() < deadline:
                time.sleep(0.05)
            assert cid in store.snapshot("containers")
            assert store.connection.ok and proxy.count("GET", "/events") == 1  # never reconnected
        finally:
            store.stop()


# ---------------------------------------------------------------- a burst
def test_burst_of_200_containers_store_equals_engine_and_keys_still_work(engine, private):
    made: list[str] = []

    def burst() -> None:
        with ThreadPoolExecutor(8) as pool:
            made.extend(pool.map(lambda i: run_private(private, f"dkf-burst-{i}"), range(200)))
            list(pool.map(lambda c: private.remove_container(c, force=True), made[:120]))

    async def main():
        app = DockuiApp(EngineClient(engine.unix_host, timeout=10))
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: app.store.loaded, 10)
            lags: list[float] = []

            async def measure_lag() -> None:  # how late the event loop runs a 50 ms sleep
                while True:
                    t = time.monotonic()
                    await asyncio.sleep(0.05)
                    lags.append(time.monotonic() - t - 0.05)

            lagger = asyncio.create_task(measure_lag())
            task = asyncio.create_task(asyncio.to_thread(burst))
            latencies = []
            while not task.done():
                # keys go in as a terminal would send them (pilot.press also waits for the whole
                # process to go idle, which it never does while 200 containers start beside it)
                t0 = time.monotonic()
                for word, kind in (("img", "images"), ("co", "containers")):
                    # as a person would: ":" once the table has the focus, the word once the prompt has it
                    assert await wait_until(pilot, lambda: app.focused is app.main.table, 10)
                    send_keys(app, "colon")
                    assert await wait_until(pilot, lambda: app.main.prompt_mode == ":" and isinstance(app.focused, Input), 10)
                    send_keys(app, *word, "enter")
                    assert await wait_until(pilot, lambda kind=kind: app.main.kind == kind, 10)
                latencies.append(time.monotonic() - t0)
                await pilot.pause(0.3)
            await task
            lagger.cancel()
            print(f"burst: key round trips {[round(x, 2) for x in latencies]}, loop lag max {max(lags):.2f} s")
            # generous bounds: 200 container starts saturate a small machine's CPUs beside us
            assert len(latencies) >= 2 and max(latencies) < 12, latencies
            assert max(lags) < 4, f"the event loop stalled {max(lags):.2f} s"

            def same() -> bool:
                return set(app.store.snapshot("containers")) == {c["Id"] for c in private.containers(all=True)}

            assert await wait_until(pilot, same, 20)
            assert len(app.store.snapshot("containers")) == 80
            states = {c["Id"]: c["State"] for c in private.containers(all=True)}
            assert await wait_until(pilot, lambda: {k: v["State"] for k, v in app.store.snapshot("containers").items()} == states, 10)
            assert app._exception is None

    run(main())
    for cid in made[120:]:
        try:
            private.remove_container(cid, force=True)
        except NotFound:
            pass
