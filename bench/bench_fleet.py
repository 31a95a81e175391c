"""Fleet first paint: ``dockui -H e1=.. -H e2=.. -H e3=..`` over three private engines of 1,000
containers each, in a 200x60 pty, until the rows and the summed total ``[3000]`` are on screen.

    python -m bench.bench_fleet [--runs 5] [--running 20] [--keep]

Also with a fourth engine that accepts connections and never answers (a stalled host): its
presence must add nothing to the others' first paint. Beside: one engine alone (``dockui --host``,
the single-engine launch) and ``docker ps -a`` on the three engines one after the other.
Target (issue 20): first paint of all < 1.0 s; the stalled engine adds 0 s.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
import threading
from typing import Any

from . import workload
from .common import DOCKUI, PtyProcess, clean_env, median, new_result, print_table, ratio, wall, write_result
from .engine import BenchEngine, log

NAME = "bench_fleet"
ENGINES = ("fleet1", "fleet2", "fleet3")


class Stalled:
    """A listener that accepts and never says a word: an engine that hangs. On a unix socket by
    default; ``tcp`` makes it a TCP one (a tcp engine costs its first call an import of
    ``requests``, ~80 ms of CPU, which competes with the launch whatever the engine answers)."""

    def __init__(self, tcp: bool = False) -> None:
        import tempfile

        if tcp:
            self.sock = socket.socket()
            self.sock.bind(("127.0.0.1", 0))
            self.host = f"tcp://127.0.0.1:{self.sock.getsockname()[1]}"
        else:
            self.dir = tempfile.mkdtemp(prefix="dockui-stalled-")
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.bind(f"{self.dir}/docker.sock")
            self.host = f"unix://{self.dir}/docker.sock"
        self.sock.listen(64)
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def close(self) -> None:
        self.sock.close()
        for c in self.conns:
            c.close()


def paint_once(argv: list[str], total: int, timeout: float = 30.0) -> float | None:
    p = PtyProcess(argv)
    try:
        hit = p.wait_for(workload.FIRST.encode(), 0, timeout)
        count = p.wait_for(f" [{total}]".encode(), 0, timeout)
    finally:
        p.close(b"\x11", timeout=5.0)
    return max(hit[0], count[0]) - p.started if hit and count else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--running", type=int, default=20, help="running containers per engine (the rest created/exited)")
    ap.add_argument("--keep", action="store_true", help="leave the three engines running")
    ap.add_argument("--tcp-stalled", action="store_true", help="the stalled engine on TCP instead of a unix socket")
    args = ap.parse_args(argv)
    engines = [BenchEngine(n) for n in ENGINES]
    stalled = Stalled(tcp=args.tcp_stalled)
    res = new_result(NAME, f"fleet first paint, 3 engines x {workload.N} containers, 200x60 pty, median of {args.runs}")
    try:
        for e in engines:
            e.lock()
            e.up()
            log(f"bench_fleet: {e.name}: {workload.ensure(e, workload.N, args.running)}")
        totals = [len(e.client().containers(all=True)) for e in engines]
        total = sum(totals)
        hosts = [f"{e.name}={e.host}" for e in engines]
        fleet = [str(DOCKUI), *(a for h in hosts for a in ("-H", h))]
        with_stalled = [*fleet, "-H", f"stalled={stalled.host}"]
        single = [str(DOCKUI), "--host", engines[0].host]
        paint_once(fleet, total)  # warm the page cache
        runs: dict[str, list[float]] = {"fleet": [], "fleet_with_stalled": [], "single": []}
        variants = [("fleet", fleet, total), ("fleet_with_stalled", with_stalled, total), ("single", single, totals[0])]
        for i in range(args.runs):
            # the order turns each run: a launch right after a fleet's quit meets engines still closing
            # that fleet's streams, which must not count against one variant only
            for key, cmd, n in variants[i % 3:] + variants[:i % 3]:
                t = paint_once(cmd, n)
                log(f"bench_fleet: run {i + 1} {key}: {t}")
                if t is not None:
                    runs[key].append(t)
        env = clean_env()
        ps = [sum(wall(["docker", "-H", e.host, "ps", "-a"], env) for e in engines) for _ in range(args.runs)]
        fig, base = res["figures"], res["baseline"]
        fig["containers"] = total
        fig["fleet_first_paint_s"] = median(runs["fleet"]) if runs["fleet"] else None
        fig["fleet_with_stalled_engine_first_paint_s"] = median(runs["fleet_with_stalled"]) if runs["fleet_with_stalled"] else None
        fig["stalled_engine_adds_s"] = (fig["fleet_with_stalled_engine_first_paint_s"] - fig["fleet_first_paint_s"]
                                        if fig["fleet_first_paint_s"] and fig["fleet_with_stalled_engine_first_paint_s"] else None)
        for k, v in runs.items():
            fig[f"{k}_runs_s"] = sorted(v)
        base["single_engine_first_paint_s"] = median(runs["single"]) if runs["single"] else None
        base["docker_ps_a_three_engines_s"] = median(ps)
        res["ratios"]["fleet / single"] = ratio(fig["fleet_first_paint_s"], base["single_engine_first_paint_s"])
        res["ratios"]["fleet / docker_ps_a x3"] = ratio(fig["fleet_first_paint_s"], base["docker_ps_a_three_engines_s"])
        ok = (fig["fleet_first_paint_s"] or 99) < 1.0 and (fig["fleet_with_stalled_engine_first_paint_s"] or 99) < 1.0
        res["verdict"] = "PASS" if ok else "MISS"
        res["notes"].append(f"stalled engine at {stalled.host}")
        write_result(NAME, res)
        print_table(res)
        return 0 if ok else 1
    finally:
        stalled.close()
        for e in engines:
            with contextlib.suppress(Exception):
                if not args.keep:
                    e.down()
            with contextlib.suppress(Exception):
                e.unlock()


if __name__ == "__main__":
    sys.exit(main())


__all__: list[Any] = ["main"]
