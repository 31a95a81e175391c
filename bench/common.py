"""Shared helpers for the benchmarks: results files, tables, percentiles, a pty driver, CPU clocks.

Nothing here talks to an engine (see ``bench.engine`` for that).
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import errno
import fcntl
import json
import math
import os
import platform
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_PY = ROOT / ".venv" / "bin" / "python"
DOCKUI = ROOT / ".venv" / "bin" / "dockui"
CLK_TCK = os.sysconf("SC_CLK_TCK")

# ---------------------------------------------------------------------------------- numbers


def pct(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return math.nan
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))
    return s[k]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or not b or math.isnan(a) or math.isnan(b):
        return None
    return a / b


def rnd(x: Any, digits: int = 4) -> Any:
    if isinstance(x, float):
        if math.isnan(x) or math.isinf(x):
            return None
        return round(x, digits)
    if isinstance(x, dict):
        return {k: rnd(v, digits) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [rnd(v, digits) for v in x]
    return x


def timed(fn, *args, **kwargs) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def wall(argv: Sequence[str], env: dict | None = None) -> float:
    """Wall time of a command run to completion, its output discarded."""
    t0 = time.perf_counter()
    subprocess.run(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    return time.perf_counter() - t0


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "TEXTUAL"))}
    env.update(extra)
    return env


# ---------------------------------------------------------------------------------- results


def machine_info(engine_version: str = "") -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "dockerd": engine_version,
        "loadavg_1m_at_start": os.getloadavg()[0],  # other work on the machine skews the figures
    }
    try:
        import textual

        info["textual"] = textual.__version__
    except Exception:  # noqa: BLE001 - informational only
        pass
    try:
        out = subprocess.run(["docker", "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
        info["docker_cli"] = out
    except Exception:  # noqa: BLE001 - informational only
        pass
    return info


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    machine = result.setdefault("machine", {})
    machine["loadavg_1m_at_end"] = os.getloadavg()[0]
    busy = max(machine.get("loadavg_1m_at_start") or 0, machine["loadavg_1m_at_end"])
    cpus = os.cpu_count() or 1
    note = f"machine busy (1-min load average up to {busy:.1f} on {cpus} CPUs): absolute figures are inflated, trust the ratios more"
    if busy > cpus and note not in result.setdefault("notes", []):
        result["notes"].append(note)
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(rnd(result), indent=2, sort_keys=False) + "\n")
    tmp.replace(path)
    return path


def load_result(name: str) -> dict[str, Any] | None:
    """The results file of the previous run kept in the repo (read it before it is overwritten)."""
    try:
        return json.loads((RESULTS / f"{name}.json").read_text())
    except (OSError, ValueError):
        return None


def new_result(name: str, description: str, engine_version: str = "") -> dict[str, Any]:
    return {
        "benchmark": name,
        "description": description,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine_info(engine_version),
        "figures": {},
        "baseline": {},
        "ratios": {},
        "notes": [],
    }


def fmt_value(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if math.isnan(v):
            return "-"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        if abs(v) >= 10:
            return f"{v:.1f}"
        return f"{v:.3f}"
    if isinstance(v, (dict, list)):
        return json.dumps(rnd(v))
    return str(v)


def print_table(result: dict[str, Any], file=sys.stdout) -> None:
    print(f"\n== {result['benchmark']}: {result['description']}", file=file)
    for section in ("figures", "baseline", "ratios"):
        items = result.get(section) or {}
        if not items:
            continue
        print(f"-- {section}", file=file)
        width = max(len(k) for k in items)
        for k, v in items.items():
            print(f"   {k:<{width}}  {fmt_value(v)}", file=file)
    for n in result.get("notes") or []:
        print(f"   note: {n}", file=file)


def base_parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--keep", action="store_true", help="keep the bench engine (and its workload) running afterwards")
    return p


# ---------------------------------------------------------------------------------- processes


def proc_ticks(pid: int) -> int | None:
    """utime + stime of a process (all its threads), in clock ticks; None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def proc_state(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rfind(b")") + 2 :].split()[0].decode()


def alive(pid: int) -> bool:
    """Running and not a zombie (a zombie answers kill(pid, 0) too)."""
    st = proc_state(pid)
    return st is not None and st not in ("Z", "X")


def proc_status_kb(pid: int, field: str = "VmRSS") -> int | None:
    """A ``kB`` field of ``/proc/PID/status`` (VmRSS: resident now, VmHWM: its peak); None if gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def pids_matching(needle: str) -> list[int]:
    """Pids whose command line contains ``needle`` (exact substring)."""
    out = []
    nb = needle.encode()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                if nb in f.read().replace(b"\0", b" "):
                    out.append(int(d))
        except OSError:
            continue
    return out


class CPUMeter:
    """CPU time used by a set of processes between ``start()`` and ``stop()``, as % of one core."""

    def __init__(self, pids: Iterable[int]) -> None:
        self.pids = list(pids)
        self._t0 = 0.0
        self._ticks0: dict[int, int] = {}
        self.percent = math.nan
        self.seconds = math.nan

    def _ticks(self) -> dict[int, int]:
        out = {}
        for p in self.pids:
            t = proc_ticks(p)
            if t is not None:
                out[p] = t
        return out

    def start(self) -> CPUMeter:
        self._t0 = time.monotonic()
        self._ticks0 = self._ticks()
        return self

    def stop(self) -> float:
        elapsed = time.monotonic() - self._t0
        now = self._ticks()
        used = sum(now[p] - self._ticks0[p] for p in now if p in self._ticks0)
        self.seconds = used / CLK_TCK
        self.percent = 100.0 * self.seconds / elapsed if elapsed > 0 else math.nan
        return self.percent


# ---------------------------------------------------------------------------------- pty

_ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[@-Z\\-_]|\x1b[()][0-9A-Za-z]")


def strip_ansi(data: bytes) -> bytes:
    return _ANSI.sub(b"", data)


SGR = rb"\x1b\[[0-9;]*m"


def sgr_before(data: bytes, needle: bytes) -> bytes | None:
    """The last SGR (style) sequence written right before the last ``needle`` in ``data``."""
    found = re.findall(rb"(" + SGR + rb")" + re.escape(needle), data)
    return found[-1] if found else None


class PtyProcess:
    """A program in a pseudo-terminal of a given size, its output collected by a reader thread.

    ``output`` grows forever (benchmarks are short); ``marks`` records ``(monotonic time, end
    offset)`` of every read, so the time at which a byte arrived can be found afterwards.
    """

    def __init__(self, argv: Sequence[str], cols: int = 200, rows: int = 60, env: dict[str, str] | None = None) -> None:
        import pty

        self.argv = list(argv)
        env = dict(env if env is not None else clean_env())
        env.setdefault("TERM", "xterm-256color")
        env["COLUMNS"], env["LINES"] = str(cols), str(rows)
        pid, fd = pty.fork()
        if pid == 0:  # child
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.execvpe(self.argv[0], self.argv, env)
            finally:
                os._exit(127)
        self.pid = pid
        self.fd = fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.started = time.monotonic()
        self.output = bytearray()
        self.marks: list[tuple[float, int]] = []
        self._ends: list[int] = []
        self._cond = threading.Condition()
        self._eof = False
        self.exit_status: int | None = None
        self._reader = threading.Thread(target=self._read, name=f"pty-{pid}", daemon=True)
        self._reader.start()

    # -- reading
    def _read(self) -> None:
        while True:
            try:
                r, _, _ = select.select([self.fd], [], [], 0.5)
                if not r:
                    if self._reaped():
                        break
                    continue
                data = os.read(self.fd, 65536)
            except OSError as exc:
                if exc.errno in (errno.EIO, errno.EBADF):
                    break
                raise
            if not data:
                break
            now = time.monotonic()
            with self._cond:
                self.output += data
                self.marks.append((now, len(self.output)))
                self._ends.append(len(self.output))
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _reaped(self) -> bool:
        if self.exit_status is not None:
            return True
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            self.exit_status = -1
            return True
        if pid:
            self.exit_status = status
            return True
        return False

    @property
    def size(self) -> int:
        with self._cond:
            return len(self.output)

    def time_at(self, offset: int) -> float:
        """When the output had grown to ``offset`` bytes (NaN if it has not)."""
        with self._cond:
            return self._time_at(offset)

    def _time_at(self, offset: int) -> float:
        i = bisect.bisect_left(self._ends, offset)
        return self.marks[i][0] if i < len(self.marks) else math.nan

    def wait_for(self, needle: bytes | re.Pattern, start: int = 0, timeout: float = 10.0) -> tuple[float, int] | None:
        """Block until ``needle`` (bytes or a compiled bytes regex) shows in the output at or after ``start``.

        Returns ``(arrival time of its last byte, end offset)``, or None on timeout or EOF.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            pos = start
            while True:
                if isinstance(needle, re.Pattern):
                    m = needle.search(self.output, start)
                    end = m.end() if m else -1
                else:
                    i = self.output.find(needle, pos)
                    end = i + len(needle) if i >= 0 else -1
                    pos = max(start, len(self.output) - len(needle))
                if end >= 0:
                    return self._time_at(end), end
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    return None
                self._cond.wait(min(left, 0.1))

    def wait_quiet(self, quiet: float = 0.3, timeout: float = 5.0) -> bool:
        """Wait until no output arrived for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cond:
                last = self.marks[-1][0] if self.marks else self.started
            if time.monotonic() - last >= quiet:
                return True
            time.sleep(min(0.02, quiet / 4))
        return False

    def wait_output_after(self, offset: int, timeout: float = 5.0) -> float | None:
        """Time at which the first byte after ``offset`` arrived."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.output) <= offset:
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    return None
                self._cond.wait(min(left, 0.1))
            return self._time_at(offset + 1)

    # -- writing
    def send(self, data: bytes) -> float:
        os.write(self.fd, data)
        return time.monotonic()

    # -- ending
    def wait_exit(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._reaped():
                return True
            time.sleep(0.02)
        return self._reaped()

    def close(self, quit_bytes: bytes | None = b"\x11", timeout: float = 5.0) -> bool:
        """Ask the program to quit (``quit_bytes``), then TERM, then KILL; reap it. True if it quit by itself."""
        clean = False
        if self.exit_status is None and quit_bytes:
            with contextlib.suppress(OSError):
                self.send(quit_bytes)
            clean = self.wait_exit(timeout)
        for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
            if self._reaped():
                break
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)
            self.wait_exit(wait)
        self._reader.join(2)
        with contextlib.suppress(OSError):
            os.close(self.fd)
        return clean

    def __enter__(self) -> PtyProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def dockui_argv(host: str, *extra: str) -> list[str]:
    return [str(DOCKUI), "--host", host, *extra]
