"""The engine client over every transport against real engines: TLS (a private dockerd), ssh (an sshd in
front of the sandbox engine), engine selection (DOCKER_HOST, DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, docker
contexts) and ``dockui --check`` for each."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dockui.engine import APIError, Endpoint, EngineClient, EngineError, EngineUnreachable, NotFound, TLSConfig
from dockui.engine import config as engine_config
from dockui.engine.streams import LineSplitter

from .engines import IMAGE, SANDBOX_HOST, clean_env, free_port, import_busybox, make_certs, start_dockerd, start_sshd

DOCKUI = str(Path(sys.executable).with_name("dockui"))


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Path:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def other_certs(tmp_path_factory) -> Path:
    """A second, unrelated CA (and certificates it signed)."""
    return make_certs(tmp_path_factory.mktemp("other-certs"), name="unrelated")


@pytest.fixture(scope="module")
def tls_engine(tmp_path_factory, certs):
    eng = start_dockerd(tmp_path_factory.mktemp("tlsd"), tls_dir=certs)
    try:
        import_busybox(eng.unix_host)
        yield eng
    finally:
        eng.stop()


def tls_of(d: Path) -> TLSConfig:
    return TLSConfig(ca_cert=str(d / "ca.pem"), client_cert=str(d / "cert.pem"), client_key=str(d / "key.pem"))


@pytest.fixture(scope="module")
def tls_client(tls_engine, certs) -> EngineClient:
    c = EngineClient(Endpoint(tls_engine.tcp_host, tls_of(certs)), timeout=30)
    yield c
    c.close()


@pytest.fixture
def tls_container(tls_client):
    """Containers on the TLS engine, removed after the test."""
    made: list[str] = []

    def make(cmd: str = "sleep 600", start: bool = True, **kw) -> str:
        cid = tls_client.create_container(IMAGE, ["sh", "-c", cmd], labels={"dockui.test": "1"}, **kw)["Id"]
        made.append(cid)
        if start:
            tls_client.start(cid)
        return cid

    yield make
    for cid in made:
        try:
            tls_client.remove_container(cid, force=True)
        except NotFound:
            pass


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    s = start_sshd(tmp_path_factory.mktemp("sshd"), docker_host=SANDBOX_HOST)
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def ssh_client(sshd) -> EngineClient:
    c = EngineClient(Endpoint(sshd.url, ssh_options=sshd.ssh_options), timeout=30)
    yield c
    c.close()


@pytest.fixture
def docker_env(monkeypatch, tmp_path):
    """No DOCKER_* from the outside; DOCKER_CONFIG is an empty temp dir."""
    for k in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS", "DOCKUI_TLS_INSECURE"):
        monkeypatch.delenv(k, raising=False)
    cfg = tmp_path / "docker-config"
    cfg.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(cfg))
    return cfg


# ---------------------------------------------------------------- shared checks
def _read_until(sock, marker: bytes, buf: bytes, seconds: float = 10) -> bytes:
    """Read a TTY session until ``marker``, answering busybox's cursor-position queries."""
    deadline = time.monotonic() + seconds
    while marker not in buf and time.monotonic() < deadline:
        chunks = sock.read()
        if not chunks:
            break
        for _, data in chunks:
            buf += data
            if b"\x1b[6n" in data:
                sock.write(b"\x1b[1;1R")
    return buf


def exec_tty_round_trip(c: EngineClient, cid: str) -> None:
    ex = c.exec_create(cid, ["sh"], stdin=True, tty=True, console_size=(30, 100))
    sock = c.exec_start(ex["Id"], tty=True, socket=True, console_size=(30, 100))
    try:
        sock.write(b"stty size; echo MARK$((40+2))\n")
        buf = _read_until(sock, b"MARK42", b"")
        assert b"MARK42" in buf, buf[-300:]
        c.exec_resize(ex["Id"], height=40, width=120)
        sock.write(b"stty size\n")
        buf = _read_until(sock, b"40 120", buf)
        assert b"40 120" in buf, buf[-300:]
        sock.write(b"exit 7\n")
        deadline = time.monotonic() + 10
        while sock.read() and time.monotonic() < deadline:
            pass
    finally:
        sock.close()
    deadline = time.monotonic() + 5
    info = c.exec_inspect(ex["Id"])
    while info["Running"] and time.monotonic() < deadline:
        time.sleep(0.05)
        info = c.exec_inspect(ex["Id"])
    assert info["Running"] is False and info["ExitCode"] == 7


def follow_logs_then_cancel(c: EngineClient, cid: str, want: bytes = b"line 3") -> list[tuple[int, bytes]]:
    """Follow a chatty container's logs until ``want`` shows, then close from another thread."""
    stream = c.logs(cid, follow=True, tail="all", stream=True, frames=True)
    lines: list[tuple[int, bytes]] = []
    seen = threading.Event()
    sp = LineSplitter()

    def read() -> None:
        for stream_id, data in stream:
            lines.extend(sp.feed(stream_id, data))
            if any(want == line for _, line in lines):
                seen.set()

    t = threading.Thread(target=read, daemon=True)
    t.start()
    assert seen.wait(15), f"never saw {want!r}: {lines[-5:]}"
    t0 = time.monotonic()
    stream.close()
    t.join(5)
    assert not t.is_alive(), "closing the stream did not end the reader"
    assert time.monotonic() - t0 < 1.5
    return lines


def run_dockui(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([DOCKUI, *args], capture_output=True, text=True, timeout=timeout, env=env or clean_env(),
                          stdin=subprocess.DEVNULL)


# ---------------------------------------------------------------- TLS
def test_tls_version_info_and_containers(tls_engine, tls_client: EngineClient, tls_container, client: EngineClient):
    assert tls_client.endpoint.http_base.startswith("https://127.0.0.1:")
    assert tls_client.ping()
    v = tls_client.version()
    assert v["ApiVersion"] and tls_client.api_version.startswith("1.")
    # it is another engine than the sandbox (the ID is not: 20.10 derives it from /etc/docker/key.json)
    assert tls_client.info()["DockerRootDir"] == str(tls_engine.data_root) != client.info()["DockerRootDir"]
    cid = tls_container("sleep 600")
    listed = {c["Id"]: c for c in tls_client.containers(all=True, filters={"label": "dockui.test=1"})}
    assert listed[cid]["State"] == "running"
    assert any(IMAGE in (i.get("RepoTags") or []) for i in tls_client.images())


def test_tls_logs_stream(tls_client: EngineClient, tls_container):
    cid = tls_container("i=0; while true; do echo line $i; echo err $i >&2; i=$((i+1)); sleep 0.1; done")
    lines = follow_logs_then_cancel(tls_client, cid)
    assert (1, b"line 0") in lines and (2, b"err 0") in lines


def test_tls_exec_round_trip_with_tty(tls_client: EngineClient, tls_container):
    exec_tty_round_trip(tls_client, tls_container())


def test_tls_exec_without_tty_is_framed(tls_client: EngineClient, tls_container):
    cid = tls_container()
    ex = tls_client.exec_create(cid, ["sh", "-c", "echo to-out; echo to-err >&2"])
    sock = tls_client.exec_start(ex["Id"], tty=False, socket=True)
    frames = []
    while got := sock.read():
        frames += got
    sock.close()
    assert (1, b"to-out\n") in frames and (2, b"to-err\n") in frames


def exec_stdin_then_half_close(c: EngineClient, cid: str) -> tuple[bool, bytes]:
    """Feed ``cat`` a line, half-close stdin; returns (half-closed?, all output read)."""
    ex = c.exec_create(cid, ["sh", "-c", "cat; echo cat-ended"], stdin=True)
    sock = c.exec_start(ex["Id"], tty=False, socket=True)
    out = b""
    try:
        sock.sock.settimeout(10)  # a read that hangs fails the test instead
        sock.write(b"hello stdin\n")
        half = sock.close_stdin()
        want = b"hello stdin\n" + (b"cat-ended\n" if half else b"")
        while want not in out:
            got = sock.read()
            if not got:
                break
            out += b"".join(data for _, data in got)
    finally:
        sock.close()
    return half, out


def test_tls_exec_close_stdin_keeps_the_session(tls_client: EngineClient, tls_container):
    # TLS cannot half-close here: close_stdin says so and the stream stays readable (not raw TLS records)
    half, out = exec_stdin_then_half_close(tls_client, tls_container())
    assert half is False and out == b"hello stdin\n"


def test_tls_events_stream(tls_client: EngineClient, tls_container):
    ev = tls_client.events(since=tls_client.server_time() - 1, filters={"type": ["container"]}, decode=True)
    seen: list[dict] = []
    started = threading.Event()
    box: dict[str, str] = {}

    def read():
        for e in ev:
            seen.append(e)
            if e.get("Action") == "start" and e.get("Actor", {}).get("ID") == box.get("cid"):
                started.set()

    t = threading.Thread(target=read, daemon=True)
    t.start()
    try:
        box["cid"] = tls_container("sleep 30", start=False)
        tls_client.start(box["cid"])
        assert started.wait(10), [e.get("Action") for e in seen]
    finally:
        ev.close()
        t.join(5)
    assert not t.is_alive()
    assert any(e.get("Action") == "create" and e["Actor"]["ID"] == box["cid"] for e in seen)


def test_plain_http_to_the_tls_port_is_a_clear_error(tls_engine):
    plain = EngineClient(tls_engine.tcp_host, timeout=10)
    with pytest.raises((APIError, EngineUnreachable)) as info:
        plain.version()
    assert "HTTPS" in str(info.value)
    # streams (our own HTTP) say the same
    with pytest.raises((APIError, EngineUnreachable)) as info:
        plain.events(since=time.time())
    assert "HTTPS" in str(info.value)


def test_wrong_ca_fails_verification(tls_engine, certs, other_certs):
    wrong = EngineClient(Endpoint(tls_engine.tcp_host, TLSConfig(ca_cert=str(other_certs / "ca.pem"),
                                                                  client_cert=str(certs / "cert.pem"),
                                                                  client_key=str(certs / "key.pem"))), timeout=10)
    with pytest.raises(EngineUnreachable) as info:
        wrong.version()
    assert "certificate verify failed" in str(info.value).lower()
    with pytest.raises(EngineUnreachable) as info:  # the stream path verifies too
        wrong.events(since=time.time())
    assert "certificate verify failed" in str(info.value).lower()


def test_client_certificate_is_required(tls_engine, certs, other_certs):
    # no client certificate at all, then one signed by a CA the engine does not trust
    for tls in (TLSConfig(ca_cert=str(certs / "ca.pem")),
                TLSConfig(ca_cert=str(certs / "ca.pem"), client_cert=str(other_certs / "cert.pem"), client_key=str(other_certs / "key.pem"))):
        c = EngineClient(Endpoint(tls_engine.tcp_host, tls), timeout=10)
        with pytest.raises(EngineError):
            c.version()


# ---------------------------------------------------------------- ssh
def test_ssh_ping_timing(sshd):
    c = EngineClient(Endpoint(sshd.url, ssh_options=sshd.ssh_options), timeout=30)
    try:
        t0 = time.monotonic()
        assert c.ping()
        first = time.monotonic() - t0  # includes the ssh handshake and `docker system dial-stdio`
        t0 = time.monotonic()
        for _ in range(5):
            assert c.ping()
        pooled = (time.monotonic() - t0) / 5  # the same ssh connection, kept alive
        print(f"ssh ping: first {first:.3f}s, then {pooled * 1000:.1f} ms")
        assert first < 5.0
        assert pooled < 0.5
        assert c.ping_headers.get("api-version")
    finally:
        c.close()


def test_ssh_lists_containers_of_the_sandbox(ssh_client: EngineClient, client: EngineClient, make_container):
    cid = make_container()
    assert ssh_client.info()["DockerRootDir"] == client.info()["DockerRootDir"]
    listed = {c["Id"]: c for c in ssh_client.containers(all=True, filters={"label": "dockui.test=1"})}
    assert listed[cid]["State"] == "running"
    assert ssh_client.inspect_container(cid)["Id"] == cid


def test_ssh_exec_round_trip_with_tty(ssh_client: EngineClient, make_container):
    exec_tty_round_trip(ssh_client, make_container())


def test_ssh_exec_stdin_half_close(ssh_client: EngineClient, make_container):
    half, out = exec_stdin_then_half_close(ssh_client, make_container())
    assert half is True and out == b"hello stdin\ncat-ended\n"


def test_ssh_logs_follow_cancel(ssh_client: EngineClient, make_container):
    cid = make_container("i=0; while true; do echo line $i; i=$((i+1)); sleep 0.1; done")
    lines = follow_logs_then_cancel(ssh_client, cid)
    assert (1, b"line 0") in lines
    # the client still works after a cancelled stream
    assert ssh_client.ping()


def test_ssh_to_a_dead_port_is_unreachable(sshd):
    c = EngineClient(Endpoint(f"ssh://root@127.0.0.1:{free_port()}", ssh_options=sshd.ssh_options), timeout=15)
    with pytest.raises(EngineError):
        c.ping()


# ---------------------------------------------------------------- engine selection
def test_resolve_docker_host_with_tls_env(docker_env, monkeypatch, tls_engine, certs):
    monkeypatch.setenv("DOCKER_HOST", tls_engine.tcp_host)
    ep, source = engine_config.resolve()
    assert source == "DOCKER_HOST" and ep.url == tls_engine.tcp_host and ep.tls is None
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(certs))
    ep, source = engine_config.resolve()
    assert source == "DOCKER_HOST"
    assert ep.tls == TLSConfig(ca_cert=str(certs / "ca.pem"), client_cert=str(certs / "cert.pem"), client_key=str(certs / "key.pem"))
    assert EngineClient(ep, timeout=10).version()["ApiVersion"]
    assert EngineClient.from_env(timeout=10).ping()
    # --host wins over DOCKER_HOST; a bare host:port means tcp
    ep, source = engine_config.resolve(host=SANDBOX_HOST)
    assert (ep.url, source) == (SANDBOX_HOST, "--host")
    monkeypatch.delenv("DOCKER_TLS_VERIFY")
    monkeypatch.delenv("DOCKER_CERT_PATH")
    monkeypatch.setenv("DOCKER_HOST", "127.0.0.1:2375")
    assert engine_config.resolve()[0].url == "tcp://127.0.0.1:2375"
    monkeypatch.delenv("DOCKER_HOST")
    ep, source = engine_config.resolve()
    assert source == "default socket" and ep.url == "unix:///var/run/docker.sock"


def _write_context(cfg: Path, name: str, host: str, tls_from: Path | None = None, description: str = "") -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = cfg / "contexts" / "meta" / digest
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({
        "Name": name, "Metadata": {"Description": description},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": False}},
    }))
    if tls_from:
        tls = cfg / "contexts" / "tls" / digest / "docker"
        tls.mkdir(parents=True)
        for f in ("ca.pem", "cert.pem", "key.pem"):
            (tls / f).write_bytes((tls_from / f).read_bytes())
    return digest


def test_contexts_in_docker_config(docker_env, monkeypatch, tls_engine, certs, sshd):
    cfg = docker_env
    digest = _write_context(cfg, "dkt-tls", tls_engine.tcp_host, certs, "the TLS engine")
    _write_context(cfg, "dkt-ssh", sshd.url)
    _write_context(cfg, "dkt-unix", SANDBOX_HOST)
    ctxs = {c.name: c for c in engine_config.list_contexts()}
    assert engine_config.list_contexts()[0].name == "default" and ctxs["default"].current
    assert set(ctxs) == {"default", "dkt-tls", "dkt-ssh", "dkt-unix"}
    t = ctxs["dkt-tls"]
    assert t.host == tls_engine.tcp_host and t.description == "the TLS engine" and not t.current
    tls_dir = cfg / "contexts" / "tls" / digest / "docker"
    assert t.endpoint.tls == TLSConfig(str(tls_dir / "ca.pem"), str(tls_dir / "cert.pem"), str(tls_dir / "key.pem"))
    assert ctxs["dkt-ssh"].endpoint.tls is None and ctxs["dkt-ssh"].host == sshd.url

    # an explicit context beats DOCKER_HOST
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
    ep, source = engine_config.resolve(context="dkt-tls")
    assert source == "context dkt-tls" and ep == t.endpoint
    assert EngineClient(ep, timeout=10).version()["ApiVersion"]
    monkeypatch.delenv("DOCKER_HOST")

    # the current context from config.json, and DOCKER_CONTEXT over it
    (cfg / "config.json").write_text(json.dumps({"currentContext": "dkt-unix"}))
    ep, source = engine_config.resolve()
    assert (ep.url, source) == (SANDBOX_HOST, "context dkt-unix")
    assert {c.name for c in engine_config.list_contexts() if c.current} == {"dkt-unix"}
    monkeypatch.setenv("DOCKER_CONTEXT", "dkt-tls")
    assert engine_config.resolve()[1] == "context dkt-tls"
    monkeypatch.setenv("DOCKER_CONTEXT", "default")
    assert engine_config.resolve()[1] == "default socket"
    with pytest.raises(ValueError, match="nope"):
        engine_config.resolve(context="nope")


def test_context_made_by_the_docker_cli(docker_env, tls_engine, certs):
    """The docker CLI's own files (not our idea of them) resolve to a working endpoint."""
    env = clean_env(DOCKER_CONFIG=str(docker_env))
    spec = f"host={tls_engine.tcp_host},ca={certs / 'ca.pem'},cert={certs / 'cert.pem'},key={certs / 'key.pem'}"
    r = subprocess.run(["docker", "context", "create", "dkt-cli", "--description", "made by docker", "--docker", spec],
                       capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(["docker", "--context", "dkt-cli", "version", "--format", "{{.Server.APIVersion}}"],
                       capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0, r.stderr
    ctx = {c.name: c for c in engine_config.list_contexts()}["dkt-cli"]
    assert ctx.host == tls_engine.tcp_host and ctx.description == "made by docker"
    assert ctx.endpoint.tls and ctx.endpoint.tls.ca_cert and ctx.endpoint.tls.client_cert and ctx.endpoint.tls.client_key
    ep, source = engine_config.resolve(context="dkt-cli")
    assert EngineClient(ep, timeout=10).version()["ApiVersion"] == r.stdout.strip()


# ---------------------------------------------------------------- dockui --check
def test_cli_check_unix():
    r = run_dockui("--check", "--host", SANDBOX_HOST)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"{SANDBOX_HOST} (--host): Docker ") and " API 1." in r.stdout


def test_cli_check_tls(tls_engine, certs):
    env = clean_env(DOCKER_TLS_VERIFY="1", DOCKER_CERT_PATH=str(certs))
    r = run_dockui("--check", "--host", tls_engine.tcp_host, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"{tls_engine.tcp_host} (tls) (--host): Docker ")
    r = run_dockui("--check", env=dict(env, DOCKER_HOST=tls_engine.tcp_host))
    assert r.returncode == 0 and "(DOCKER_HOST)" in r.stdout, r.stderr


def test_cli_check_tls_failures(tls_engine, certs, other_certs):
    r = run_dockui("--check", "--host", tls_engine.tcp_host)  # no TLS settings: plain HTTP
    assert r.returncode == 1 and "cannot reach the engine" in r.stderr and "HTTPS" in r.stderr, r.stderr
    r = run_dockui("--check", "--host", tls_engine.tcp_host,
                   env=clean_env(DOCKER_TLS_VERIFY="1", DOCKER_CERT_PATH=str(other_certs)))
    assert r.returncode == 1 and "certificate verify failed" in r.stderr.lower(), r.stderr


def test_cli_check_ssh(sshd):
    # `dockui` runs `ssh`; the wrapper first on PATH adds our client config
    r = run_dockui("--check", "--host", sshd.url, env=sshd.env())
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"{sshd.url} (--host): Docker ")


def test_cli_check_context(docker_env, tls_engine, certs):
    _write_context(docker_env, "dkt-tls", tls_engine.tcp_host, certs)
    env = clean_env(DOCKER_CONFIG=str(docker_env))
    r = run_dockui("--check", "--context", "dkt-tls", env=env)
    assert r.returncode == 0, r.stderr
    assert "(context dkt-tls)" in r.stdout and "(tls)" in r.stdout
    r = run_dockui("--check", "--context", "no-such-context", env=env)
    assert r.returncode == 2 and "no-such-context" in r.stderr
