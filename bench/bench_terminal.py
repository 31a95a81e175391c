"""Idle cost: terminal bytes per second and CPU of dockui on the containers view, vs ``docker stats``.

    python -m bench.bench_terminal [--keep] [--seconds 30]

With the workload (1,000 containers, 100 running, the running ones first by name so they fill
the first screen) dockui runs in a 200x60 pty; after it shows the list and settles, the bytes it
writes and the CPU time it uses (utime+stime from /proc/PID/stat, all threads) are counted for
``--seconds``; meanwhile the CPU of the bench engine (dockerd, containerd and the shims) too.
Then the same for ``docker stats`` in the same pty size (the CLI's own live view: it streams the
stats of every running container). The engine alone, with no client, is measured first.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from . import workload
from .common import CPUMeter, PtyProcess, base_parser, clean_env, dockui_argv, new_result, print_table, ratio, write_result
from .engine import BenchEngine, bench_engine, log

NAME = "bench_terminal"
SETTLE = 5.0


def measure(p: PtyProcess, eng: BenchEngine, seconds: float) -> dict[str, float]:
    client = CPUMeter([p.pid]).start()
    engine = CPUMeter(eng.engine_pids()).start()
    n0, t0 = p.size, time.monotonic()
    time.sleep(seconds)
    n1, t1 = p.size, time.monotonic()
    return {"bytes_per_s": (n1 - n0) / (t1 - t0), "cpu_pct": client.stop(), "engine_cpu_pct": engine.stop()}


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
        if p.wait_for(workload.FIRST.encode(), 0, 30) is None:
            raise RuntimeError("dockui did not show the container list")
        time.sleep(SETTLE)
        d = measure(p, eng, seconds)
    finally:
        p.close(b"\x11")
    fig["dockui_bytes_per_s"] = d["bytes_per_s"]
    fig["dockui_cpu_pct"] = d["cpu_pct"]
    fig["engine_cpu_pct_during_dockui"] = d["engine_cpu_pct"]

    log("bench_terminal: docker stats")
    p = PtyProcess(["docker", "-H", eng.host, "stats"], env=clean_env())
    try:
        if p.wait_for(b"CONTAINER", 0, 30) is None:
            raise RuntimeError("docker stats showed nothing")
        time.sleep(SETTLE)
        d = measure(p, eng, seconds)
    finally:
        p.close(b"\x03")
    base["docker_stats_bytes_per_s"] = d["bytes_per_s"]
    base["docker_stats_cpu_pct"] = d["cpu_pct"]
    base["engine_cpu_pct_during_docker_stats"] = d["engine_cpu_pct"]

    r = res["ratios"]
    r["dockui / docker_stats (bytes per s)"] = ratio(fig["dockui_bytes_per_s"], base["docker_stats_bytes_per_s"])
    r["dockui / docker_stats (client CPU)"] = ratio(fig["dockui_cpu_pct"], base["docker_stats_cpu_pct"])
    r["engine during dockui / during docker_stats (CPU)"] = ratio(fig["engine_cpu_pct_during_dockui"], base["engine_cpu_pct_during_docker_stats"])
    res["notes"].append("docker stats streams all 100 running containers; dockui streams the running rows on screen (StatsHub cap 40)")
    res["notes"].append("CPU % is of one core; engine = dockerd + containerd + containerd shims")
    return res


def main(argv: list[str] | None = None) -> int:
    p = base_parser(__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=30.0)
    args = p.parse_args(argv)
    with bench_engine(keep=args.keep) as eng:
        try:
            workload.ensure(eng)
            res = run(eng, args.seconds)
        finally:
            if not args.keep:
                workload.remove(eng)
    print_table(res)
    write_result(NAME, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
