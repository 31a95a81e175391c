"""Idle cost: terminal bytes per second, CPU and memory of dockui on the containers view, vs ``docker stats``.

    python -m bench.bench_terminal [--keep] [--seconds 30]

With the workload (1,000 containers, 100 running, the running ones first by name so they fill
the first screen) dockui runs in a 200x60 pty; after it shows the list and settles, the bytes it
writes and the CPU time it uses (utime+stime from /proc/PID/stat, all threads) are counted for
``--seconds``; meanwhile the CPU of the bench engine (dockerd alone, and dockerd + containerd +
the shims) too. Its resident memory (VmRSS of /proc/PID/status) is read 10 s after the list
showed (stats streaming meanwhile), and its peak (VmHWM) at the end. Then the same for ``docker
stats`` in the same pty size (the CLI's own live view: it streams the stats of every running
container). The engine alone, with no client, is measured first; the memory baseline is an
empty Textual app (``bench.baseline_app empty``) in the same pty.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from . import workload
from .common import (
    VENV_PY,
    CPUMeter,
    PtyProcess,
    clean_env,
    dockui_argv,
    new_result,
    proc_status_kb,
    ratio,
)
from .engine import BenchEngine, log
from .runner import main_on_workload

NAME = "bench_terminal"
SETTLE = 5.0
RSS_AT = 10.0  # seconds after the list showed: the memory reading


def measure(p: PtyProcess, eng: BenchEngine, seconds: float, shown_at: float) -> dict[str, float]:
    client = CPUMeter([p.pid]).start()
    engine = CPUMeter(eng.engine_pids()).start()
    dockerd = CPUMeter([eng.pid()] if eng.pid() else []).start()
    n0, t0 = p.size, time.monotonic()
    rss = None
    if shown_at + RSS_AT < t0 + seconds:
        time.sleep(max(0.0, shown_at + RSS_AT - time.monotonic()))
        rss = proc_status_kb(p.pid, "VmRSS")
    time.sleep(max(0.0, t0 + seconds - time.monotonic()))
    n1, t1 = p.size, time.monotonic()
    out = {"bytes_per_s": (n1 - n0) / (t1 - t0), "cpu_pct": client.stop(), "engine_cpu_pct": engine.stop(),
           "dockerd_cpu_pct": dockerd.stop()}
    out["rss_kb"] = rss if rss is not None else proc_status_kb(p.pid, "VmRSS")
    out["hwm_kb"] = proc_status_kb(p.pid, "VmHWM")
    return out


def empty_app_rss_kb() -> dict[str, int | None]:
    """Python + Textual with an empty app, shown in the same pty: VmRSS 2 s after it drew."""
    p = PtyProcess([str(VENV_PY), "-m", "bench.baseline_app", "empty"], env=clean_env())
    try:
        if p.wait_for(b"READY", 0, 30) is None:
            raise RuntimeError("the empty app did not start")
        time.sleep(2.0)
        return {"rss_kb": proc_status_kb(p.pid, "VmRSS"), "hwm_kb": proc_status_kb(p.pid, "VmHWM")}
    finally:
        p.close(b"\x11")


def run(eng: BenchEngine, seconds: float = 30.0) -> dict[str, Any]:
    res = new_result(NAME, f"idle on the containers view, 100 running, 200x60, {seconds:.0f} s each", eng.version)
    fig, base = res["figures"], res["baseline"]

    log("bench_terminal: engine alone")
    idle = CPUMeter(eng.engine_pids()).start()
    time.sleep(min(10.0, seconds))
    base["engine_cpu_pct_no_client"] = idle.stop()

    log("bench_terminal: dockui")
    p = PtyProcess(dockui_argv(eng.host))
    try:
        hit = p.wait_for(workload.FIRST.encode(), 0, 30)
        if hit is None:
            raise RuntimeError("dockui did not show the container list")
        time.sleep(SETTLE)
        d = measure(p, eng, seconds, hit[0])
    finally:
        p.close(b"\x11")
    fig["dockui_bytes_per_s"] = d["bytes_per_s"]
    fig["dockui_cpu_pct"] = d["cpu_pct"]
    fig["engine_cpu_pct_during_dockui"] = d["engine_cpu_pct"]
    fig["dockerd_cpu_pct_during_dockui"] = d["dockerd_cpu_pct"]
    fig["dockui_plus_engine_cpu_pct"] = d["cpu_pct"] + d["engine_cpu_pct"]
    fig["dockui_rss_bytes"] = 1024 * d["rss_kb"] if d["rss_kb"] else None
    fig["dockui_rss_peak_bytes"] = 1024 * d["hwm_kb"] if d["hwm_kb"] else None

    log("bench_terminal: docker stats")
    p = PtyProcess(["docker", "-H", eng.host, "stats"], env=clean_env())
    try:
        if p.wait_for(b"CONTAINER", 0, 30) is None:
            raise RuntimeError("docker stats showed nothing")
        time.sleep(SETTLE)
        d = measure(p, eng, seconds, time.monotonic() + seconds)
    finally:
        p.close(b"\x03")
    base["docker_stats_bytes_per_s"] = d["bytes_per_s"]
    base["docker_stats_cpu_pct"] = d["cpu_pct"]
    base["engine_cpu_pct_during_docker_stats"] = d["engine_cpu_pct"]
    base["dockerd_cpu_pct_during_docker_stats"] = d["dockerd_cpu_pct"]
    base["docker_stats_plus_engine_cpu_pct"] = d["cpu_pct"] + d["engine_cpu_pct"]
    base["docker_stats_rss_bytes"] = 1024 * d["rss_kb"] if d["rss_kb"] else None

    log("bench_terminal: empty Textual app (memory)")
    e = empty_app_rss_kb()
    base["empty_textual_app_rss_bytes"] = 1024 * e["rss_kb"] if e["rss_kb"] else None

    r = res["ratios"]
    r["dockui / docker_stats (bytes per s)"] = ratio(fig["dockui_bytes_per_s"], base["docker_stats_bytes_per_s"])
    r["dockui / docker_stats (client CPU)"] = ratio(fig["dockui_cpu_pct"], base["docker_stats_cpu_pct"])
    r["engine during dockui / during docker_stats (CPU)"] = ratio(fig["engine_cpu_pct_during_dockui"], base["engine_cpu_pct_during_docker_stats"])
    r["dockui+engine / docker_stats+engine (CPU)"] = ratio(fig["dockui_plus_engine_cpu_pct"], base["docker_stats_plus_engine_cpu_pct"])
    r["dockui RSS / empty Textual app RSS"] = ratio(fig["dockui_rss_bytes"], base["empty_textual_app_rss_bytes"])
    res["notes"].append("docker stats streams all 100 running containers; dockui streams the running rows on screen (StatsHub cap 40)")
    res["notes"].append("CPU % is of one core; engine = dockerd + containerd + containerd shims (dockerd alone also given)")
    res["notes"].append(f"dockui RSS read {RSS_AT:g} s after the list showed (VmRSS); peak = VmHWM at the end")
    return res


def main(argv: list[str] | None = None) -> int:
    return main_on_workload(NAME, __doc__, run, ("--seconds", float, 30.0), argv)


if __name__ == "__main__":
    sys.exit(main())
