"""Local cgroup reads: a running container's CPU, memory and pids read from the host's own cgroup
files, for the sampler, when dockui runs on the engine's host and sees its processes.

Why: a one-shot stats request costs the engine a collection of that container (dockerd asks
containerd, which asks the container's shim, which reads these same files; dockerd adds its
network counters). With 1,000 running containers sampled every few seconds that kept dockerd,
containerd and the shims at ~60 % of a core on a 2-CPU host, in bursts at the collector's tick
that delayed dockui's own frames (engine event to row p95 ~80 ms without them, ~150-250 ms with).
Reading ``cpuacct.usage``, ``memory.usage_in_bytes`` and ``pids.current`` costs microseconds.

The documents it makes have the shape of the engine's (``cpu_stats``, ``memory_stats``,
``pids_stats``) with the same counters, so ``stats.sample_from`` measures a CPU figure against a
previous sample from either source. Network and block IO are not read here (they need the
container's network namespace): a local document says so with ``LOCAL_KEY``, and its sample
carries the previous totals instead of inventing rates (``stats.sample_from``).

Where the files are: the first container's path comes from ``/proc/<pid>/cgroup`` (its pid from
``inspect``), accepted only when that path names the container's id, which also proves that
dockui sees the engine's pid namespace (dockui in a container with the socket mounted, an engine
on another host: the id is not there, and the sampler keeps asking the engine). That path with
the id cut out is the template for the next ones (``/docker/<id>``, ``/system.slice/docker-<id>.scope``,
a ``--cgroup-parent``); a container elsewhere is looked up by its pid again. cgroup v1 (cgroupfs
or systemd driver, hybrid or not) and v2 (unified) are both read.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("dockui.store")

LOCAL_KEY = "dockui_local"  # set in a document read from the cgroup files: no network or block IO figures
UNLIMITED = 1 << 62  # a v1 memory limit at or above this is "no limit" (9223372036854771712)


@dataclass(frozen=True)
class Paths:
    """One container's files: v1 (``cpuacct.usage``...) or v2 (``cpu.stat``...)."""

    v2: bool
    cpu: str  # the cpuacct directory (v1) or the container's unified directory (v2)
    memory: str
    pids: str


def parse_mountinfo(text: str) -> tuple[dict[str, tuple[str, str]], tuple[str, str] | None]:
    """cgroup v1 controller -> (mount root, mount point), and the unified (v2) hierarchy's
    (root, point) or None, from ``/proc/self/mountinfo``."""
    v1: dict[str, tuple[str, str]] = {}
    v2: tuple[str, str] | None = None
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields, rfields = left.split(), right.split()
        if len(fields) < 5 or len(rfields) < 3:
            continue
        root, point = _unescape(fields[3]), _unescape(fields[4])
        if rfields[0] == "cgroup2":
            v2 = v2 or (root, point)
        elif rfields[0] == "cgroup":
            for opt in rfields[2].split(","):
                if opt in ("cpuacct", "memory", "pids") and opt not in v1:
                    v1[opt] = (root, point)
    return v1, v2


def _unescape(field: str) -> str:
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def parse_proc_cgroup(text: str) -> tuple[dict[str, str], str | None]:
    """controller -> path (v1 lines), and the unified path (the ``0::`` line) or None."""
    v1: dict[str, str] = {}
    unified: str | None = None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hid, controllers, path = parts
        if hid == "0" and controllers == "":
            unified = path
            continue
        for c in controllers.split(","):
            v1[c] = path
    return v1, unified


def _under(mount: tuple[str, str], path: str) -> str | None:
    root, point = mount
    if root != "/" and (path == root or path.startswith(root + "/")):
        path = path[len(root):]
    elif root != "/":
        return None
    return point.rstrip("/") + path


def _read(path: str) -> str:
    with open(path, "rb") as f:
        return f.read().decode("ascii", "replace")


def _int(path: str) -> int:
    return int(_read(path).strip())


def _stat_pairs(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in text.splitlines():
        k, _, v = line.partition(" ")
        try:
            out[k] = int(v)
        except ValueError:
            continue
    return out


class CgroupReader:
    """Stats documents of running containers read from the local cgroup files.

    ``inspect(cid)`` returns the engine's inspect document of a container (for its pid). ``read``
    returns None whenever the files are not there or not usable (the caller asks the engine);
    once the first container shows that this host does not hold the engine's containers,
    ``usable`` is False and ``read`` returns None at once from then on.
    """

    def __init__(self, inspect: Callable[[str], Mapping[str, Any]], proc: str = "/proc") -> None:
        self._inspect = inspect
        self._proc = proc
        self.usable: bool | None = None  # None: not known yet
        self._mounts: tuple[dict[str, tuple[str, str]], tuple[str, str] | None] | None = None
        self._templates: list[Paths] = []  # paths with "{}" where the id goes
        self._paths: dict[str, Paths] = {}
        self._lock = threading.Lock()
        self._cpus = os.cpu_count() or 1
        self._tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self._mem_total = 0
        self.reads = 0  # documents made (the tests count them)

    # --- where a container's files are ----------------------------------------------------------
    def _mount_table(self) -> tuple[dict[str, tuple[str, str]], tuple[str, str] | None]:
        if self._mounts is None:
            self._mounts = parse_mountinfo(_read(f"{self._proc}/self/mountinfo"))
        return self._mounts

    def _from_pid(self, cid: str) -> Paths | None:
        try:
            doc = self._inspect(cid)
            pid = int(((doc or {}).get("State") or {}).get("Pid") or 0)
        except Exception:  # noqa: BLE001 - gone, or the engine is away: ask the engine this time
            return None
        if pid <= 0:
            return None
        try:
            v1, unified = parse_proc_cgroup(_read(f"{self._proc}/{pid}/cgroup"))
        except OSError:
            if self.usable is None:
                self.usable = False  # no such process here: the engine's containers are elsewhere
            return None
        mounts, v2mount = self._mount_table()
        paths: Paths | None = None
        if all(c in v1 and cid in v1[c] and c in mounts for c in ("cpuacct", "memory", "pids")):
            dirs = [_under(mounts[c], v1[c]) for c in ("cpuacct", "memory", "pids")]
            if all(dirs):
                paths = Paths(False, *dirs)  # type: ignore[arg-type]
        elif unified is not None and cid in unified and v2mount is not None:
            d = _under(v2mount, unified)
            if d:
                paths = Paths(True, d, d, d)
        if paths is None:
            if self.usable is None:
                self.usable = False  # another pid namespace, or files dockui cannot use
            return None
        template = Paths(paths.v2, *(p.replace(cid, "{}") for p in (paths.cpu, paths.memory, paths.pids)))
        if template not in self._templates:
            self._templates.append(template)
        return paths

    def locate(self, cid: str) -> Paths | None:
        hit = self._paths.get(cid)
        if hit is not None:
            return hit
        for t in self._templates:
            cand = Paths(t.v2, t.cpu.format(cid), t.memory.format(cid), t.pids.format(cid))
            if os.path.isdir(cand.cpu):
                self._paths[cid] = cand
                return cand
        found = self._from_pid(cid)
        if found is not None:
            self._paths[cid] = found
        return found

    def forget(self, cid: str) -> None:
        self._paths.pop(cid, None)

    # --- the figures ------------------------------------------------------------------------
    def _system_usage(self) -> int:
        """Host CPU time in ns, as dockerd counts it: the first seven fields of /proc/stat's cpu line."""
        with open(f"{self._proc}/stat", "rb") as f:
            fields = f.readline().split()[1:8]
        return sum(int(x) for x in fields) * 1_000_000_000 // self._tick

    def _host_memory(self) -> int:
        if not self._mem_total:
            try:
                for line in _read(f"{self._proc}/meminfo").splitlines():
                    if line.startswith("MemTotal:"):
                        self._mem_total = int(line.split()[1]) * 1024
                        break
            except (OSError, ValueError, IndexError):
                self._mem_total = UNLIMITED
        return self._mem_total

    def read(self, cid: str) -> dict[str, Any] | None:
        """A stats document of ``cid`` from its cgroup files, or None (ask the engine)."""
        if self.usable is False:
            return None
        with self._lock:
            try:
                paths = self.locate(cid)
                if paths is None:
                    return None
                doc = self._document(cid, paths)
            except (OSError, ValueError) as exc:  # stopped meanwhile (its cgroup went), or unreadable
                self.forget(cid)
                log.debug("cgroup read of %s failed: %s", cid[:12], exc)
                return None
        if self.usable is None:
            self.usable = True
        self.reads += 1
        return doc

    def _document(self, cid: str, p: Paths) -> dict[str, Any]:
        if p.v2:
            cpu = _stat_pairs(_read(f"{p.cpu}/cpu.stat")).get("usage_usec", 0) * 1000
            usage = _int(f"{p.memory}/memory.current")
            raw = _read(f"{p.memory}/memory.max").strip()
            limit = UNLIMITED if raw == "max" else int(raw)
            mstat = _stat_pairs(_read(f"{p.memory}/memory.stat"))
            stats = {"inactive_file": mstat.get("inactive_file", 0)}
        else:
            cpu = _int(f"{p.cpu}/cpuacct.usage")
            usage = _int(f"{p.memory}/memory.usage_in_bytes")
            limit = _int(f"{p.memory}/memory.limit_in_bytes")
            mstat = _stat_pairs(_read(f"{p.memory}/memory.stat"))
            stats = {"total_inactive_file": mstat.get("total_inactive_file", mstat.get("inactive_file", 0))}
        host = self._host_memory()
        if limit >= UNLIMITED or limit > host:
            limit = host  # as dockerd reports an unlimited container: the host's memory
        try:
            pids = _int(f"{p.pids}/pids.current")
        except (OSError, ValueError):
            pids = 0
        return {
            "read": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "id": cid,
            "cpu_stats": {"cpu_usage": {"total_usage": cpu}, "system_cpu_usage": self._system_usage(),
                          "online_cpus": self._cpus},
            "precpu_stats": {},
            "memory_stats": {"usage": usage, "limit": limit, "stats": stats},
            "pids_stats": {"current": pids},
            LOCAL_KEY: True,
        }


__all__ = ["LOCAL_KEY", "CgroupReader", "Paths", "parse_mountinfo", "parse_proc_cgroup"]
