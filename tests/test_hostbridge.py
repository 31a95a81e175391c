"""dockui's private engines leave another engine's default bridge alone (issue 22).

A plain ``dockerd`` plays the user's own engine: its own data root, exec root, pid file and
socket, default network flags, so it makes the host's ``docker0`` (``--iptables=false`` only,
so that the test adds no firewall rule to the machine; the bridge is made the same way). Then a
second sandbox (``scripts/sandbox`` under other names: state dir, exec roots, netns, cgroups) goes
up with two swarm nodes, down, up again (a restart is when ``--default-address-pool`` bit), down,
and the bench engine (``bench.engine``, also under other names) goes up and down. After each step
``docker0`` must still exist and the user's engine must still run a container on its default
bridge (the container pings the bridge's gateway). A step that lost ``docker0`` is recorded and
the user's engine is restarted (it makes ``docker0`` again), so one run names every faulty step.
The second sandbox's published port is checked too, from inside its network namespace.

Everything made here is removed afterwards, ``docker0`` included (the test skips when the machine
already has one: then a real engine is there and a second default engine would fight it), and
``net.ipv4.ip_forward`` is put back. Needs root, like the sandbox.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.engines import alive, clean_env, kill_cgroup, umount_under

REPO = Path(__file__).resolve().parent.parent
# hooks to run this test against other versions of the engines' code (how the fault was shown)
SANDBOX = Path(os.environ.get("DOCKUI_HOSTBRIDGE_SANDBOX", REPO / "scripts" / "sandbox"))
BENCH_PATH = os.environ.get("DOCKUI_HOSTBRIDGE_BENCH_PATH", "")
IMAGE = "dockui/busybox:latest"

FETCH = "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode())"
USER_DIR = Path("/var/tmp/dkhb-user")
SB_NAME = "dkhb"
SB_ENV = {
    "DOCKUI_SANDBOX_DIR": "/var/tmp/dkhb-sandbox",
    "DOCKUI_SANDBOX_LOCK": "/var/tmp/dkhb-sandbox.lock",
    "DOCKUI_SANDBOX_NAME": SB_NAME,
    "DOCKUI_SANDBOX_EXEC_ROOT": "/run/dkhb-sb",
    "DOCKUI_SANDBOX_EXEC_ROOT2": "/run/dkhb-sb2",
    "DOCKUI_SANDBOX_TIMEOUT": "60",
}
SB_HOST = f"unix://{SB_ENV['DOCKUI_SANDBOX_DIR']}/docker.sock"
BENCH_ENV = {
    "DOCKUI_BENCH_DIR": "/var/tmp/dkhb-bench",
    "DOCKUI_BENCH_LOCK": "/var/tmp/dkhb-bench.lock",
    "DOCKUI_BENCH_EXEC_ROOT": "/run/dkhb-bn",
    "DOCKUI_BENCH_NAME": "dkhb-bench",
}

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="starts engines: needs root"),
    pytest.mark.skipif(not shutil.which("dockerd"), reason="dockerd is not installed (scripts/sandbox up installs it)"),
    # (a docker0 with our user engine's state dir beside it is this test's, left by an interrupted run)
    pytest.mark.skipif(Path("/sys/class/net/docker0").exists() and not USER_DIR.exists(),
                       reason="this machine already has docker0 (a real engine): a second default engine would fight it"),
    pytest.mark.timeout(240),
]


def sh(*cmd: str, timeout: float = 120, env: dict[str, str] | None = None, check: bool = True,
       cwd: Path = REPO) -> subprocess.CompletedProcess:
    p = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout, env=env or clean_env(), cwd=cwd)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout[-1500:]}\n{p.stderr[-3000:]}")
    return p


class UserEngine:
    """A default-flags dockerd, as a user's own engine would run (it makes docker0)."""

    def __init__(self) -> None:
        self.dir = USER_DIR
        self.run = Path("/run/dkhb-u")  # short: unix socket paths are limited to 108 bytes
        self.sock = self.run / "docker.sock"
        self.host = f"unix://{self.sock}"
        self.tag = "dkhb-user"
        self.proc: subprocess.Popen | None = None

    def cli(self, *args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess:
        return sh("docker", "-H", self.host, *args, timeout=timeout, check=check)

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "daemon.json").write_text("{}")  # never /etc/docker/daemon.json
        (self.run / "x").mkdir(parents=True, exist_ok=True)
        cmd = ["dockerd", f"--config-file={self.dir / 'daemon.json'}", f"--data-root={self.dir / 'data'}",
               f"--exec-root={self.run / 'x'}", f"--pidfile={self.run / 'dockerd.pid'}", f"--host={self.host}",
               f"--cgroup-parent=/{self.tag}", f"--containerd-namespace={self.tag}",
               f"--containerd-plugins-namespace={self.tag}-plugins", "--iptables=false"]
        with open(self.dir / "dockerd.log", "ab") as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         env=clean_env(), start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.sock.exists() and self.cli("version", timeout=10, check=False).returncode == 0:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        tail = (self.dir / "dockerd.log").read_text(errors="replace")[-3000:]
        raise AssertionError(f"the user's engine did not come up:\n{tail}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None
        # the daemon of an interrupted earlier run, then containerd (both named by pid files)
        for pidfile, comm in ((self.run / "dockerd.pid", "dockerd"), (self.run / "x" / "containerd" / "containerd.pid", "containerd")):
            try:
                pid = int(pidfile.read_text().strip())
                if alive(pid) and Path(f"/proc/{pid}/comm").read_text().strip() == comm:
                    os.kill(pid, signal.SIGKILL)
            except (OSError, ValueError):
                pass
        kill_cgroup(self.tag)
        umount_under(self.run, self.dir)
        shutil.rmtree(self.run, ignore_errors=True)

    def import_image(self) -> None:
        """The sandbox's busybox image, made the sandbox's way (no registry): ``docker import``."""
        bb = shutil.which("busybox")
        if not bb:
            pytest.skip("no busybox binary (scripts/sandbox up installs busybox-static)")
        with tempfile.TemporaryDirectory() as root:
            r = Path(root)
            for d in ("bin", "etc", "proc", "sys", "dev", "tmp"):
                (r / d).mkdir()
            shutil.copy(bb, r / "bin" / "busybox")
            for a in sh(bb, "--list").stdout.split():
                if a != "busybox":  # a self-link makes "too many levels of symbolic links"
                    (r / "bin" / a).symlink_to("busybox")
            tar = subprocess.Popen(["tar", "--numeric-owner", "--owner=0", "--group=0", "-C", root, "-c", "."],
                                   stdout=subprocess.PIPE)
            p = subprocess.run(["docker", "-H", self.host, "import", "-c", "ENV PATH=/bin", "-", IMAGE],
                               stdin=tar.stdout, capture_output=True, text=True, env=clean_env(), timeout=60)
            assert tar.stdout is not None
            tar.stdout.close()
            tar.wait()
            assert p.returncode == 0, p.stderr

    @staticmethod
    def gateway() -> str:
        """docker0's IPv4 address: the gateway of the default bridge's containers."""
        out = sh("ip", "-o", "-4", "addr", "show", "dev", "docker0").stdout.split()
        return out[out.index("inet") + 1].split("/")[0]

    def problem(self) -> str:
        """'' when docker0 exists and a container on the default bridge reaches its gateway."""
        if not Path("/sys/class/net/docker0").exists():
            return "docker0 is gone"
        gw = self.gateway()
        p = self.cli("run", "--rm", IMAGE, "ping", "-c", "1", "-W", "3", gw, timeout=60, check=False)
        if p.returncode != 0:
            return f"the user's engine cannot run a container on its bridge: {(p.stderr or p.stdout).strip()[-300:]}"
        return ""


def sandbox(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return sh(str(SANDBOX), *args, timeout=150, env=clean_env(**SB_ENV), check=check)


def bench(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    path = os.pathsep.join(p for p in (BENCH_PATH, str(REPO)) if p)
    # cwd "/": `python -m` puts the working directory ahead of PYTHONPATH
    return sh(sys.executable, "-m", "bench.engine", *args, timeout=150, env=clean_env(PYTHONPATH=path, **BENCH_ENV),
              check=check, cwd=Path("/"))


def test_sandbox_and_bench_engines_leave_the_users_docker0() -> None:
    ip_forward = Path("/proc/sys/net/ipv4/ip_forward")
    saved_forward = ip_forward.read_text()
    user = UserEngine()
    problems: list[str] = []
    t0 = time.monotonic()

    def check(step: str) -> None:
        why = user.problem()
        if why:
            problems.append(f"after {step}: {why}")
            user.stop()  # a restart makes docker0 again, so the next step is judged on its own
            user.start()
            assert not user.problem(), "the user's engine does not work even after a restart"

    try:
        sandbox("down", "--purge", check=False)  # leftovers of an interrupted earlier run
        bench("purge", check=False)
        if Path("/sys/class/net/docker0").exists():  # ours (see the skip): from an interrupted run
            user.stop()
            subprocess.run(["ip", "link", "del", "docker0"], capture_output=True)
        user.start()
        assert Path("/sys/class/net/docker0").exists(), "the user's engine made no docker0"
        user.import_image()
        assert not user.problem()

        sandbox("up", "--nodes", "2")
        check("sandbox up --nodes 2")
        nodes = sh("docker", "-H", SB_HOST, "node", "ls", "--format", "{{.Status}}").stdout.split()
        assert nodes == ["Ready", "Ready"], nodes
        # a published port (docker-proxy) answers inside the sandbox's network namespace
        sh("docker", "-H", SB_HOST, "run", "-d", "--name", "dkhb-web", "-p", "127.0.0.1:18089:80", IMAGE,
           "httpd", "-f", "-p", "80", "-h", "/www")
        netns = f"/run/netns/{SB_NAME}-n1"
        page = ""
        for _ in range(20):
            page = sh("nsenter", f"--net={netns}", sys.executable, "-c", FETCH, "http://127.0.0.1:18089/",
                      check=False).stdout  # (the machine's static busybox wget crashes)
            if "hello from dockui sandbox" in page:
                break
            time.sleep(0.25)
        if "hello from dockui sandbox" not in page:
            problems.append("the sandbox's published port 127.0.0.1:18089 does not answer in its namespace")
        sandbox("down")
        check("sandbox down")
        sandbox("up", "--nodes", "1")  # a restart: the state dir now holds the "bridge" network
        check("sandbox up again (restart)")
        sandbox("down")
        check("sandbox down again")

        bench("up")
        check("bench engine up")
        bench("down")
        check("bench engine down")
    finally:
        sandbox("down", "--purge", check=False)
        bench("purge", check=False)
        user.stop()
        subprocess.run(["ip", "link", "del", "docker0"], capture_output=True)  # ours: skipped when it existed
        for d in (SB_ENV["DOCKUI_SANDBOX_DIR"], BENCH_ENV["DOCKUI_BENCH_DIR"], str(user.dir)):
            umount_under(d)
            shutil.rmtree(d, ignore_errors=True)
        for f in (SB_ENV["DOCKUI_SANDBOX_LOCK"], BENCH_ENV["DOCKUI_BENCH_LOCK"]):
            Path(f).unlink(missing_ok=True)
        if ip_forward.read_text() != saved_forward:
            ip_forward.write_text(saved_forward)
    print(f"host-bridge test: {time.monotonic() - t0:.1f} s")
    assert not problems, "\n".join(problems)


def test_the_tests_own_private_engines_leave_docker0(tmp_path: Path) -> None:
    """The extra engines the test suite starts (TLS, tcp, fault injection: ``tests.engines``) run
    in a network namespace of their own too; before, they ran in the host's with --bridge=none and
    deleted docker0. A stand-in bridge named docker0 must outlive one such engine, and its TLS port
    must still answer on the host's loopback (the listener is handed over by socket activation)."""
    from tests.engines import make_certs, start_dockerd

    if Path("/sys/class/net/docker0").exists():
        pytest.skip("this machine has a docker0 already (a real engine's): not touching it")
    subprocess.run(["ip", "link", "add", "docker0", "type", "bridge"], check=True)
    try:
        certs = make_certs(tmp_path / "certs")
        with start_dockerd(tmp_path / "d", tls_dir=certs) as eng:
            assert Path("/sys/class/net/docker0").exists(), "a test engine deleted docker0"
            env = clean_env() | {"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(certs)}
            out = subprocess.run(["docker", "-H", eng.tcp_host, "version", "--format", "{{.Server.Version}}"],
                                 capture_output=True, text=True, timeout=30, env=env)
            assert out.returncode == 0 and out.stdout.strip(), out.stderr
        assert Path("/sys/class/net/docker0").exists(), "a test engine deleted docker0 on its way out"
    finally:
        subprocess.run(["ip", "link", "del", "docker0"], check=False)
