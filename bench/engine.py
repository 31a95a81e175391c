"""A private Docker engine for the benchmarks, apart from the shared sandbox engine.

    python -m bench.engine up        start it (idempotent) and load the image; it keeps running
    python -m bench.engine down      stop it and clean up (processes, mounts, exec-root)
    python -m bench.engine status    exit 0 if it answers
    python -m bench.engine purge     down, then delete its data-root

Everything is its own: data-root, exec-root (short, for unix socket path limits), pidfile,
socket, cgroup parent, containerd namespaces, and a network namespace of its own (``unshare
--net``; it dies with the engine's last process): a dockerd with ``--bridge=none`` in the host's
namespace deletes the interface ``docker0`` at start-up (moby's removeDefaultBridgeInterface),
the bridge of any other engine on the machine. ``--iptables=false``: no firewall rules either.
The benchmarks' containers use ``NetworkMode: none``; the API socket is a file, reachable from
the host whatever the namespace. ``DOCKUI_BENCH_DIR``, ``DOCKUI_BENCH_LOCK``,
``DOCKUI_BENCH_EXEC_ROOT`` and ``DOCKUI_BENCH_NAME`` (cgroup parent, containerd namespace) give a
second, separate bench engine (tests). The image ``dockui/busybox:latest`` is
copied from the sandbox engine (``docker save | docker load``), or built from the machine's
static busybox when the sandbox has none.

Traps handled (the same as ``scripts/sandbox``): a killed daemon can linger as a zombie (so
liveness reads ``/proc/PID/stat``, not ``kill(pid, 0)``); a stale containerd pid file makes
dockerd wait 15 s for a dead containerd; dockerd's self bind-mount of its data-root and the
container mounts under the exec-root can outlive a crash; container processes left in the
cgroup parent after a SIGKILL.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from dockui.engine import EngineClient, EngineError

from .common import alive, pids_matching

DIR = Path(os.environ.get("DOCKUI_BENCH_DIR", "/var/tmp/dockui-bench"))
LOCK = Path(os.environ.get("DOCKUI_BENCH_LOCK", f"{DIR}.lock"))  # outside DIR so purge cannot delete a held lock
SOCK = DIR / "docker.sock"
HOST = f"unix://{SOCK}"
PIDFILE = DIR / "dockerd.pid"
LOG = DIR / "dockerd.log"
DATA = DIR / "data"
CONFIG = DIR / "daemon.json"
EXEC_ROOT = Path(os.environ.get("DOCKUI_BENCH_EXEC_ROOT", "/run/dockui-bn"))
NAMESPACE = os.environ.get("DOCKUI_BENCH_NAME", "dockui-bench")
CGROUP = NAMESPACE
IMAGE = "dockui/busybox:latest"
SANDBOX_HOST = "unix:///var/tmp/dockui-sandbox/docker.sock"
# seconds for dockerd to answer; an engine that ran 1,000 containers when it was killed restores and
# cleans them up first (minutes at 10,000), so DOCKUI_BENCH_START_TIMEOUT can give it longer
START_TIMEOUT = float(os.environ.get("DOCKUI_BENCH_START_TIMEOUT") or 60.0)


def log(msg: str) -> None:
    print(f"bench-engine: {msg}", file=sys.stderr, flush=True)


def _read_pid(path: Path, comm: str) -> int | None:
    """The pid in ``path`` if that process is alive (not a zombie) and is ``comm``."""
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    if not alive(pid):
        return None
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() != comm:
            return None
    except OSError:
        return None
    return pid


def _wait_gone(pid: int, seconds: float, proc: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None:
            proc.poll()  # reap our own child, or it stays a zombie
        if not alive(pid):
            return True
        time.sleep(0.1)
    return not alive(pid)


def _mounts_under(*dirs: Path) -> list[str]:
    out = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        target = line.split()[4].encode().decode("unicode_escape")
        for d in dirs:
            ds = str(d)
            if target == ds or target.startswith(ds + "/"):
                out.append(target)
    return sorted(set(out), key=len, reverse=True)


def _umount_under(*dirs: Path) -> None:
    for _ in range(3):
        targets = _mounts_under(*dirs)
        if not targets:
            return
        for t in targets:
            if subprocess.run(["umount", t], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", t], capture_output=True)


def _kill_cgroup(parent: str) -> None:
    roots = [p for p in Path("/sys/fs/cgroup").glob(f"*/{parent}") if p.is_dir()]
    if Path(f"/sys/fs/cgroup/{parent}").is_dir():
        roots.append(Path(f"/sys/fs/cgroup/{parent}"))
    pids: set[int] = set()
    for root in roots:
        for procs in root.rglob("cgroup.procs"):
            with contextlib.suppress(OSError, ValueError):
                pids.update(int(x) for x in procs.read_text().split())
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    if pids:
        time.sleep(0.2)
    for root in roots:
        for d in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                d.rmdir()
        with contextlib.suppress(OSError):
            root.rmdir()


class BenchEngine:
    """Start, reuse and stop the private bench engine; ``client()`` for API calls, ``docker()`` for the CLI."""

    def __init__(self, name: str = "") -> None:
        """``name`` (e.g. "scale"): a second, independent engine beside the main one, with its own
        state directory, socket, exec-root, cgroup parent and containerd namespace."""
        sfx = f"-{name}" if name else ""
        self.name = name or "bench"
        self.dir = DIR.with_name(DIR.name + sfx) if name else DIR
        self.lock_path = self.dir.with_name(self.dir.name + ".lock") if name else LOCK
        self.sock = self.dir / "docker.sock"
        self.host = f"unix://{self.sock}"
        self.pidfile = self.dir / "dockerd.pid"
        self.logfile = self.dir / "dockerd.log"
        self.data = self.dir / "data"
        self.config = self.dir / "daemon.json"
        self.exec_root = EXEC_ROOT.with_name(EXEC_ROOT.name + sfx) if name else EXEC_ROOT
        self.namespace = NAMESPACE + sfx
        self.cgroup = self.namespace
        self._proc: subprocess.Popen | None = None
        self._lock_fd: int | None = None
        self.started_here = False
        self.version = ""

    # --- locking: one benchmark session at a time -----------------------------------------
    def lock(self, wait: float = 900.0) -> None:
        fd = os.open(self.lock_path, os.O_CREAT | os.O_RDWR, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise RuntimeError(f"another benchmark holds {self.lock_path}") from None
                time.sleep(0.5)
        self._lock_fd = fd

    def unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # --- state ---------------------------------------------------------------------------
    def pid(self) -> int | None:
        return _read_pid(self.pidfile, "dockerd")

    def containerd_pid(self) -> int | None:
        return _read_pid(self.exec_root / "containerd" / "containerd.pid", "containerd")

    def engine_pids(self) -> list[int]:
        """dockerd, its containerd and the containerd shims of its containers."""
        pids = [p for p in (self.pid(), self.containerd_pid()) if p]
        pids += [p for p in pids_matching(f"-address {self.exec_root}/containerd/containerd.sock") if p not in pids]
        return pids

    def answers(self, timeout: float = 5.0) -> bool:
        if not self.sock.exists():
            return False
        try:
            c = EngineClient(self.host, timeout=timeout)
            ok = c.ping()
            if ok and not self.version:
                self.version = str(c.version().get("Version", ""))
            c.close()
            return ok
        except EngineError:
            return False

    def client(self, timeout: float = 60.0) -> EngineClient:
        return EngineClient(self.host, timeout=timeout)

    def docker(self, *args: str, check: bool = True, capture: bool = True, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(["docker", "-H", self.host, *args], check=check, capture_output=capture, text=True, **kw)

    # --- start / stop -----------------------------------------------------------------------
    def up(self) -> None:
        if os.geteuid() != 0:
            raise RuntimeError("the bench engine needs root")
        pid = self.pid()
        if pid is not None:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if self.answers():
                    log(f"reusing the running bench engine (pid {pid})")
                    self.ensure_image()
                    return
                if not alive(pid):
                    break
                time.sleep(0.5)
            log(f"bench dockerd (pid {pid}) does not answer; killing it")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _wait_gone(pid, 10)
        self._cleanup_leftovers()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.data.mkdir(parents=True, exist_ok=True)
        self.exec_root.mkdir(parents=True, exist_ok=True)
        if not self.config.exists():
            self.config.write_text("{}\n")
        # its own network namespace: `unshare --net` execs dockerd (same pid), which creates no
        # interface anywhere (--bridge=none) and cannot see the host's docker0
        argv = [
            "unshare", "--net", "--", "dockerd",
            f"--config-file={self.config}", f"--data-root={self.data}", f"--exec-root={self.exec_root}", f"--pidfile={self.pidfile}",
            f"--host={self.host}", f"--cgroup-parent=/{self.cgroup}", f"--containerd-namespace={self.namespace}",
            f"--containerd-plugins-namespace={self.namespace}-plugins", "--bridge=none", "--iptables=false",
            "--ip-masq=false", "--shutdown-timeout=3", "--log-level=warn",
        ]
        log(f"starting the {self.name} dockerd")
        with open(self.logfile, "ab") as logf:
            logf.write(f"---- {time.strftime('%Y-%m-%dT%H:%M:%S')} start\n".encode())
            logf.flush()
            self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                          start_new_session=True, close_fds=True)
        self.started_here = True
        t0 = time.monotonic()
        while time.monotonic() - t0 < START_TIMEOUT:
            if self.answers(2.0):
                log(f"bench dockerd ready after {time.monotonic() - t0:.1f} s")
                self.ensure_image()
                return
            if self._proc.poll() is not None:
                break
            time.sleep(0.25)
        tail = self.logfile.read_text(errors="replace").splitlines()[-30:]
        self.down()
        raise RuntimeError("the bench dockerd did not come up; tail of its log:\n" + "\n".join(tail))

    def _cleanup_leftovers(self) -> None:
        """What a crash leaves behind: containerd, shims, container processes, mounts, pid files."""
        cpid = self.containerd_pid()
        if cpid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(cpid, signal.SIGTERM)
            if not _wait_gone(cpid, 5):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(cpid, signal.SIGKILL)
                _wait_gone(cpid, 5)
        _kill_cgroup(self.cgroup)
        for p in pids_matching(f"-address {self.exec_root}/containerd/containerd.sock"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
        _umount_under(self.exec_root, self.data)
        # dockerd reuses a containerd whose pid file names a live pid -- a zombie passes that check
        for f in ("containerd.pid", "containerd.sock", "containerd.sock.ttrpc"):
            with contextlib.suppress(FileNotFoundError):
                (self.exec_root / "containerd" / f).unlink()
        for f in (self.pidfile, self.sock):
            with contextlib.suppress(FileNotFoundError):
                f.unlink()

    def down(self) -> None:
        pid = self.pid() or (self._proc.pid if self._proc and self._proc.poll() is None else None)
        if pid:
            log(f"stopping the bench dockerd (pid {pid})")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            if not _wait_gone(pid, 30, self._proc):
                log("bench dockerd did not stop in 30 s; SIGKILL")
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                _wait_gone(pid, 10, self._proc)
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(5)
            self._proc = None
        self._cleanup_leftovers()
        shutil.rmtree(self.exec_root, ignore_errors=True)
        self.started_here = False

    def purge(self) -> None:
        self.down()
        _umount_under(self.dir)
        shutil.rmtree(self.data, ignore_errors=True)

    # --- image ---------------------------------------------------------------------------
    def ensure_image(self) -> None:
        if self.docker("image", "inspect", IMAGE, check=False).returncode == 0:
            return
        log(f"loading {IMAGE} from the sandbox engine")
        save = subprocess.Popen(["docker", "-H", SANDBOX_HOST, "save", IMAGE], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        load = subprocess.run(["docker", "-H", self.host, "load"], stdin=save.stdout, capture_output=True, text=True)
        save.stdout.close()  # type: ignore[union-attr]
        if save.wait() == 0 and load.returncode == 0:
            return
        log("the sandbox has no image to copy; building it from the static busybox")
        self._build_image()

    def _build_image(self) -> None:
        bb = shutil.which("busybox")
        if not bb:
            raise RuntimeError("no busybox binary (apt-get install busybox-static) and no sandbox image to copy")
        with tempfile.TemporaryDirectory() as root:
            r = Path(root)
            for d in ("bin", "etc", "root", "tmp", "proc", "sys", "dev"):
                (r / d).mkdir()
            shutil.copy(bb, r / "bin" / "busybox")
            applets = subprocess.run([bb, "--list"], capture_output=True, text=True, check=True).stdout.split()
            for a in applets:
                if a != "busybox":  # a self-link makes "too many levels of symbolic links"
                    (r / "bin" / a).symlink_to("busybox")
            (r / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
            tar = subprocess.Popen(["tar", "--numeric-owner", "--owner=0", "--group=0", "-C", root, "-c", "."], stdout=subprocess.PIPE)
            subprocess.run(["docker", "-H", self.host, "import", "-c", "ENV PATH=/bin", "-c", 'CMD ["/bin/sh"]', "-", IMAGE],
                           stdin=tar.stdout, check=True, capture_output=True)
            tar.stdout.close()  # type: ignore[union-attr]
            tar.wait()


@contextlib.contextmanager
def bench_engine(keep: bool = False, name: str = "") -> Iterator[BenchEngine]:
    """Lock, start (or reuse) the bench engine, and stop it afterwards unless ``keep``.

    SIGTERM and SIGHUP are turned into exceptions meanwhile, so clean-up runs on them too.
    """

    def raise_exit(signum, frame):  # noqa: ARG001 - signal handler signature
        raise SystemExit(128 + signum)

    old = {s: signal.signal(s, raise_exit) for s in (signal.SIGTERM, signal.SIGHUP)}
    eng = BenchEngine(name)
    eng.lock()
    try:
        eng.up()
        yield eng
    finally:
        try:
            if not keep:
                eng.down()
            else:
                log(f"keeping the bench engine: {eng.host} (python -m bench.engine down to stop it)")
        finally:
            eng.unlock()
            for s, h in old.items():
                signal.signal(s, h)


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(description="the private benchmark engine")
    p.add_argument("command", choices=("up", "down", "status", "purge", "env"))
    p.add_argument("--name", default="", help="a second engine's name (bench_scale uses: scale, busy)")
    args = p.parse_args(argv)
    eng = BenchEngine(args.name)
    if args.command == "env":
        print(f"export DOCKER_HOST={eng.host}")
        return 0
    if args.command == "status":
        ok = eng.answers()
        print(f"bench engine: {'up' if ok else 'down'}  {eng.host}" + (f"  (dockerd {eng.version}, pid {eng.pid()})" if ok else ""))
        return 0 if ok else 3
    eng.lock()
    try:
        if args.command == "up":
            eng.up()
            print(f"export DOCKER_HOST={eng.host}")
        elif args.command == "down":
            eng.down()
        elif args.command == "purge":
            eng.purge()
    finally:
        eng.unlock()
    return 0


if __name__ == "__main__":
    sys.exit(main())
