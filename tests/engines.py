"""Real extra engines for tests, each cleaned up afterwards.

* :func:`make_certs` - an openssl CA, a server and a client certificate (docker's file names).
* :func:`start_dockerd` - a private extra dockerd (own data-root, exec-root, socket, cgroup
  parent and containerd namespaces; no bridge, no iptables), optionally on TLS TCP.
* :func:`import_busybox` - the sandbox's busybox image copied into another engine.
* :func:`start_sshd` - Debian's sshd on loopback whose sessions reach the sandbox engine, so
  ``ssh://root@127.0.0.1:PORT`` with ``Endpoint(url, ssh_options=sshd.ssh_options)`` works.

Everything here needs root (as the sandbox does). The traps handled are the ones
``scripts/sandbox`` documents: a dead daemon can linger as a zombie, a stale containerd pid
file makes dockerd wait for a dead containerd, and a daemon leaves mounts behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

SANDBOX_SOCK = "/var/tmp/dockui-sandbox/docker.sock"
SANDBOX_HOST = "unix://" + SANDBOX_SOCK
IMAGE = "dockui/busybox:latest"
DOCKER_VARS = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONFIG", "DOCKER_TLS")


class EngineSetupError(RuntimeError):
    """An extra engine could not be started; the message carries the tail of its log."""


# ---------------------------------------------------------------- small helpers
def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any DOCKER_* setting that could redirect a CLI."""
    env = {k: v for k, v in os.environ.items() if k not in DOCKER_VARS}
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if proc.returncode != 0:
        raise EngineSetupError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return proc


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def alive(pid: int) -> bool:
    """True for a live process; a zombie (state Z/X) counts as dead."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return not alive(pid)


def _pid_from(path: Path, comm: str) -> int | None:
    """The pid in a pid file if that process is alive and is ``comm``."""
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() != comm:
            return None
    except OSError:
        return None
    return pid if alive(pid) else None


def umount_under(*dirs: Path | str) -> None:
    """Unmount everything mounted at or below ``dirs``, deepest first (lazily when busy)."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return
    targets = []
    for line in lines:
        fields = line.split()
        if len(fields) > 4:
            targets.append(fields[4].replace("\\040", " "))
    roots = [str(d).rstrip("/") for d in dirs]
    for t in sorted({t for t in targets if any(t == r or t.startswith(r + "/") for r in roots)}, reverse=True):
        if subprocess.run(["umount", t], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", t], capture_output=True)


def kill_cgroup(parent: str) -> None:
    """Kill every process in cgroup ``parent`` (every v1 hierarchy, and v2) and remove it."""
    dirs = [d for d in Path("/sys/fs/cgroup").glob(f"*/{parent}") if d.is_dir()]
    if Path(f"/sys/fs/cgroup/{parent}").is_dir():
        dirs.append(Path(f"/sys/fs/cgroup/{parent}"))
    pids: set[int] = set()
    for d in dirs:
        for procs in d.rglob("cgroup.procs"):
            try:
                pids.update(int(p) for p in procs.read_text().split())
            except (OSError, ValueError):
                pass
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if pids:
        time.sleep(0.2)
    for d in dirs:
        for sub in sorted((p for p in d.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            try:
                sub.rmdir()
            except OSError:
                pass
        try:
            d.rmdir()
        except OSError:
            pass


def docker_cli(host: str, *args: str, timeout: float = 30, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the docker CLI against ``host`` (no DOCKER_* from our environment leaks in)."""
    return subprocess.run(["docker", "-H", host, *args], capture_output=True, text=True, timeout=timeout, env=env or clean_env())


# ---------------------------------------------------------------- certificates
_OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = dockui-test
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
"""


def make_certs(d: Path | str, name: str = "dockui test") -> Path:
    """A CA plus server and client certificates in ``d``.

    Files: ``ca.pem`` (CA certificate), ``cert.pem``/``key.pem`` (client, as docker names them),
    ``server-cert.pem``/``server-key.pem`` (server: SAN DNS:localhost, IP:127.0.0.1).
    """
    d = Path(d)
    d.mkdir(parents=True, exist_ok=True)
    cnf = d / "openssl.cnf"
    cnf.write_text(_OPENSSL_CNF)

    def key(path: str) -> None:
        _run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path], cwd=d)
        os.chmod(d / path, 0o600)

    key("ca-key.pem")
    _run(["openssl", "req", "-x509", "-new", "-config", str(cnf), "-extensions", "ca", "-key", "ca-key.pem",
          "-sha256", "-days", "2", "-subj", f"/CN={name} CA", "-out", "ca.pem"], cwd=d)
    for kind, keyfile, certfile, cn in (("server", "server-key.pem", "server-cert.pem", "localhost"),
                                        ("client", "key.pem", "cert.pem", "dockui-client")):
        key(keyfile)
        _run(["openssl", "req", "-new", "-config", str(cnf), "-key", keyfile, "-subj", f"/CN={cn}", "-out", f"{kind}.csr"], cwd=d)
        _run(["openssl", "x509", "-req", "-in", f"{kind}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
              "-sha256", "-days", "2", "-extfile", str(cnf), "-extensions", kind, "-out", certfile], cwd=d)
    return d


# ---------------------------------------------------------------- an extra dockerd
class Dockerd:
    """A private dockerd; :meth:`stop` removes every trace (processes, cgroups, mounts, dirs)."""

    def __init__(self, tmpdir: Path, tls_dir: Path | None, tcp_port: int | None) -> None:
        self.tag = "dkt-" + uuid.uuid4().hex[:8]
        self.dir = Path(tmpdir)
        self.data_root = self.dir / "data"
        self.run_dir = Path("/run") / self.tag  # short: unix socket paths are limited to 108 bytes
        self.exec_root = self.run_dir / "x"
        self.sock = self.run_dir / "docker.sock"
        self.pidfile = self.run_dir / "dockerd.pid"
        self.log = self.dir / "dockerd.log"
        self.tls_dir = Path(tls_dir) if tls_dir else None
        self.tcp_port = tcp_port
        self.proc: subprocess.Popen | None = None

    @property
    def unix_host(self) -> str:
        return f"unix://{self.sock}"

    @property
    def tcp_host(self) -> str | None:
        return f"tcp://127.0.0.1:{self.tcp_port}" if self.tcp_port else None

    def cli(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
        return docker_cli(self.unix_host, *args, timeout=timeout)

    def answers(self) -> bool:
        try:
            return self.cli("version", "--format", "{{.Server.Version}}", timeout=10).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def command(self) -> list[str]:
        cmd = [
            "dockerd", f"--config-file={self.dir / 'daemon.json'}", f"--data-root={self.data_root}",
            f"--exec-root={self.exec_root}", f"--pidfile={self.pidfile}", f"--host={self.unix_host}",
            f"--cgroup-parent=/{self.tag}", f"--containerd-namespace={self.tag}",
            f"--containerd-plugins-namespace={self.tag}-plugins",
            "--bridge=none", "--iptables=false", "--ip-masq=false", "--shutdown-timeout=3",
        ]
        if self.tcp_port:
            # the TCP listener is made in the host's namespace and handed over as fd 3 (socket
            # activation, see start): the engine itself sits in a network namespace of its own
            cmd.append("--host=fd://")
            if self.tls_dir:
                t = self.tls_dir
                cmd += ["--tlsverify", f"--tlscacert={t / 'ca.pem'}", f"--tlscert={t / 'server-cert.pem'}",
                        f"--tlskey={t / 'server-key.pem'}"]
        return cmd

    def start(self, timeout: float = 60) -> Dockerd:
        if not shutil.which("dockerd"):
            raise EngineSetupError("dockerd is not installed (scripts/sandbox up installs docker.io)")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.data_root.mkdir(exist_ok=True)
        self.exec_root.mkdir(parents=True, exist_ok=True)
        (self.dir / "daemon.json").write_text("{}")  # never /etc/docker/daemon.json
        # a fresh exec-root has no containerd pid file; should one exist, dockerd would wait
        # 15 s for the containerd it names, even a zombie one: remove it unless that one is alive
        cpid = self.exec_root / "containerd" / "containerd.pid"
        if cpid.exists() and _pid_from(cpid, "containerd") is None:
            for n in ("containerd.pid", "containerd.sock", "containerd.sock.ttrpc"):
                (self.exec_root / "containerd" / n).unlink(missing_ok=True)
        # A dockerd in the host's network namespace with --bridge=none deletes the interface named
        # docker0 at start-up (PITFALLS.md): the engine of the machine running the tests would lose
        # its bridge. So the engine gets its own network namespace (unshare --net, same pid), and a
        # TCP listener, when asked for, is bound here on the host's loopback and passed as fd 3
        # with systemd's socket-activation variables (dockerd --host=fd://).
        listener = None
        pass_fds: tuple[int, ...] = ()
        if self.tcp_port:
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.tcp_port))
            listener.listen(128)
            pass_fds = (listener.fileno(), 3)  # 3 is where the child's dup2 puts it
        lfd = listener.fileno() if listener is not None else -1

        def to_fd3() -> None:  # in the child, before its other descriptors are closed
            if lfd >= 0 and lfd != 3:
                os.dup2(lfd, 3)

        wrapper = ["sh", "-c", f'LISTEN_PID=$$ LISTEN_FDS={1 if listener else 0} exec unshare --net -- "$@"', "sh"]
        try:
            with open(self.log, "ab") as logf:
                self.proc = subprocess.Popen(wrapper + self.command(), stdin=subprocess.DEVNULL, stdout=logf,
                                             stderr=subprocess.STDOUT, env=clean_env(), start_new_session=True,
                                             pass_fds=pass_fds, preexec_fn=to_fd3)
        finally:
            if listener is not None:
                listener.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # the socket exists a moment before the API is served: ask the CLI, with a timeout
            if self.sock.exists() and self.answers():
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        tail = _tail(self.log)
        self.stop()
        raise EngineSetupError(f"dockerd {self.tag} did not come up; tail of {self.log}:\n{tail}")

    def stop(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        # leftovers after a crash: the managed containerd, shims, container processes
        cpid = _pid_from(self.exec_root / "containerd" / "containerd.pid", "containerd")
        if cpid:
            os.kill(cpid, signal.SIGTERM)
            if not _wait_gone(cpid, 5):
                os.kill(cpid, signal.SIGKILL)
        kill_cgroup(self.tag)
        shim = f"-address {self.exec_root}/containerd/containerd.sock"
        for p in Path("/proc").iterdir():
            if p.name.isdigit():
                try:
                    if shim in (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                        os.kill(int(p.name), signal.SIGKILL)
                except OSError:
                    pass
        umount_under(self.run_dir, self.data_root)
        shutil.rmtree(self.run_dir, ignore_errors=True)
        shutil.rmtree(self.data_root, ignore_errors=True)
        self.proc = None

    def __enter__(self) -> Dockerd:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_dockerd(tmpdir: Path | str, tls_dir: Path | str | None = None, tcp_port: int | None = None, timeout: float = 60) -> Dockerd:
    """Start a private dockerd and wait until it answers; ``stop()`` it (or use ``with``).

    With ``tls_dir`` (see :func:`make_certs`) and ``tcp_port`` it also listens on
    ``tcp://127.0.0.1:PORT`` with ``--tlsverify``. Its unix socket is always there too.
    """
    if tls_dir and not tcp_port:
        tcp_port = free_port()
    return Dockerd(Path(tmpdir), Path(tls_dir) if tls_dir else None, tcp_port).start(timeout)


def import_busybox(host: str, image: str = IMAGE, source: str = SANDBOX_HOST, timeout: float = 60) -> None:
    """Copy ``image`` from the sandbox engine into the engine at ``host`` (save | load)."""
    env = clean_env()
    save = subprocess.Popen(["docker", "-H", source, "save", image], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        load = subprocess.run(["docker", "-H", host, "load", "-q"], stdin=save.stdout, capture_output=True, text=True,
                              timeout=timeout, env=env)
    finally:
        assert save.stdout is not None
        save.stdout.close()
        try:
            save.wait(timeout)
        except subprocess.TimeoutExpired:
            save.kill()
            save.wait()
    if save.returncode != 0 or load.returncode != 0:
        err = (save.stderr.read().decode(errors="replace") if save.stderr else "") + load.stderr
        raise EngineSetupError(f"cannot copy {image} from {source} to {host}: {err.strip()}")
    if save.stderr:
        save.stderr.close()


# ---------------------------------------------------------------- sshd in front of the sandbox
class Sshd:
    """A private sshd on 127.0.0.1; every session has ``DOCKER_HOST`` set to ``docker_host``."""

    def __init__(self, tmpdir: Path, docker_host: str, user: str = "root") -> None:
        self.dir = Path(tmpdir)
        self.docker_host = docker_host
        self.user = user
        self.port = free_port()
        self.host_key = self.dir / "ssh_host_ed25519_key"
        self.client_key = self.dir / "id_ed25519"
        self.server_config = self.dir / "sshd_config"
        self.config = self.dir / "ssh_config"  # the client's
        self.authorized_keys = self.dir / "authorized_keys"
        self.pidfile = self.dir / "sshd.pid"
        self.log = self.dir / "sshd.log"
        self.bin_dir = self.dir / "bin"  # holds an `ssh` wrapper that adds `-F config`
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}"

    @property
    def ssh_options(self) -> tuple[str, ...]:
        return ("-F", str(self.config))

    def env(self, **extra: str) -> dict[str, str]:
        """An environment whose ``ssh`` (first on PATH) uses our client config: for subprocesses."""
        return clean_env(PATH=f"{self.bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}", **extra)

    def ssh(self, *command: str, timeout: float = 20) -> subprocess.CompletedProcess:
        return subprocess.run(["ssh", "-F", str(self.config), "-p", str(self.port), f"{self.user}@127.0.0.1", *command],
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def start(self, timeout: float = 20) -> Sshd:
        ensure_sshd()
        self.dir.mkdir(parents=True, exist_ok=True)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation directory
        for k in (self.host_key, self.client_key):
            for p in (k, k.with_suffix(".pub")):
                p.unlink(missing_ok=True)
            _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"dockui-test-{self.port}", "-f", str(k)])
        # a private AuthorizedKeysFile: the machine's /root/.ssh is never touched
        self.authorized_keys.write_text(self.client_key.with_suffix(".pub").read_text())
        self.authorized_keys.chmod(0o600)
        self.server_config.write_text(f"""\
Port {self.port}
ListenAddress 127.0.0.1
HostKey {self.host_key}
PidFile {self.pidfile}
AuthorizedKeysFile {self.authorized_keys}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitUserEnvironment no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
PrintLastLog no
MaxStartups 100:30:200
MaxSessions 50
LogLevel ERROR
SetEnv DOCKER_HOST={self.docker_host}
""")
        self.config.write_text(f"""\
Host *
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    GlobalKnownHostsFile /dev/null
    IdentityFile {self.client_key}
    IdentitiesOnly yes
    BatchMode yes
    LogLevel ERROR
""")
        self.bin_dir.mkdir(exist_ok=True)
        real_ssh = shutil.which("ssh") or "/usr/bin/ssh"
        wrapper = self.bin_dir / "ssh"
        wrapper.write_text(f'#!/bin/sh\nexec {real_ssh} -F {self.config} "$@"\n')
        wrapper.chmod(0o755)
        _run(["/usr/sbin/sshd", "-t", "-f", str(self.server_config)])
        with open(self.log, "ab") as logf:
            # -D: stay our child (we reap it), -e: log to stderr (our log file)
            self.proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(self.server_config)], stdin=subprocess.DEVNULL,
                                         stdout=logf, stderr=subprocess.STDOUT, start_new_session=True, env=clean_env())
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                r = self.ssh("true", timeout=10)
                if r.returncode == 0:
                    return self
                last = r.stderr
            except subprocess.TimeoutExpired:
                last = "ssh timed out"
            time.sleep(0.2)
        tail = _tail(self.log)
        self.stop()
        raise EngineSetupError(f"sshd on port {self.port} did not accept our key ({last.strip()}); log:\n{tail}")

    def stop(self) -> None:
        proc = self.proc
        if proc is not None:
            # the listener and its per-connection children share its process group
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except OSError:
                pass
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        self.proc = None
        for p in (self.authorized_keys, self.pidfile):
            p.unlink(missing_ok=True)

    def __enter__(self) -> Sshd:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def ensure_sshd() -> None:
    """Install Debian's openssh-server if ``/usr/sbin/sshd`` is missing (its service is kept from starting)."""
    if Path("/usr/sbin/sshd").exists():
        return
    policy = Path("/usr/sbin/policy-rc.d")
    made_policy = not policy.exists()
    if made_policy:  # no init system here: stop the package's scripts from starting sshd on port 22
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    apt = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=600", "install", "--no-install-recommends", "openssh-server"]
    try:
        if subprocess.run(apt, capture_output=True, env=env, timeout=600).returncode != 0:
            subprocess.run(["apt-get", "-q", "update"], capture_output=True, env=env, timeout=600)
            _run(apt, timeout=600, env=env)
    finally:
        if made_policy:
            policy.unlink(missing_ok=True)


def start_sshd(tmpdir: Path | str, docker_host: str = SANDBOX_HOST, timeout: float = 20) -> Sshd:
    """Start sshd on 127.0.0.1:a free port whose sessions run ``docker`` against ``docker_host``.

    Key-only root login with a fresh client key; ``sshd.ssh_options`` (``-F config``) makes
    ``ssh`` use that key and skip host-key checks; ``sshd.env()`` puts an ``ssh`` wrapper doing
    the same first on PATH, for subprocesses such as ``dockui --check``. ``stop()`` it.
    """
    return Sshd(Path(tmpdir), docker_host).start(timeout)
