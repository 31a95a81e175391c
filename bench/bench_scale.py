"""Scale (issue 20): how each cost grows from 1,000 to 10,000 containers, the fleet's first paint
over three engines, and the terminal bytes of busy containers' live stats over SSH.

    python -m bench.bench_scale [--keep] [--sizes 10000,1000] [--only scale,fleet,busy] [--seconds 20]

**scale** -- an engine of its own (``bench.engine`` name ``scale``) gets the scale workload
(:func:`scale_spec`: the container ``i`` of ``n`` is running when ``i < n/10``, every container in
one of 100 compose projects, one in 100 exited) at each size in turn: 10,000 first (made once and
kept with ``--keep``), then shrunk to 1,000. At each size, in the same run: ``docker ps -a`` (median of 3, the
baseline), launch to the full list on screen (median of 3 launches after one warm-up, as
``bench_launch``), cursor and filter keystroke to repaint (p95, as ``bench_latency``), engine
event to the changed row (p95 of the create event to the new row on screen), idle CPU of dockui
and its RSS with live stats on screen (as ``bench_terminal``) and the store's events applied per
second (as ``bench_store``'s flood, over every container of the engine). Each figure's growth
(10,000 / 1,000) is reported beside ``docker ps -a``'s.

**fleet** -- three engines of 1,000 containers each (the main bench engine with the standard
workload, the scale engine while it holds 1,000 and the ``busy`` engine), named as docker CLI
contexts in a private ``DOCKER_CONFIG``: ``dockui --context a,b,c`` launched until the header's
sum (`` [3000]``) and a row of each engine are on screen (median of 3); then the same with a
fourth context whose engine accepts connections and never answers (a listening socket that
reads nothing): its cost to the others' first paint is the difference.

**busy** -- the ``busy`` engine's 100 running containers each burn a varying share of a CPU
(capped at 0.5 % each: a CFS quota of 1 ms per 200 ms) and hold a varying amount of memory, so every visible
stats cell changes on every tick; the bytes dockui writes to its terminal per second are counted
at 80x24 and at 200x60, beside ``docker stats`` on the same containers in the same sizes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import bench_latency, bench_launch, bench_ranked, bench_store, bench_terminal, workload
from .bench_fleet import Stalled
from .common import (
    DOCKUI,
    PtyProcess,
    base_parser,
    clean_env,
    dockui_argv,
    median,
    new_result,
    pct,
    print_table,
    ratio,
    wall,
    write_result,
)
from .engine import BenchEngine, bench_engine, log

NAME = "bench_scale"
SIZES = (10_000, 1000)  # the big size first: shrinking 10,000 to 1,000 takes a minute, growing it ten
PROJECTS = 100
BUSY_RUNNING = 100
BUSY_CPU = {"CpuPeriod": 200_000, "CpuQuota": 1_000}  # 0.5 % of a CPU each (1 ms, the least quota, per 200 ms): half a core for 100
THREADS = 24


def scale_spec(i: int, running: int) -> dict:
    """Container ``i`` of the scale workload: running below ``running``, one in 100 exited (once),
    the rest created; every one in one of 100 compose projects (ten services each)."""
    labels = {workload.LABEL: workload.WORKLOAD, "com.docker.compose.project": f"scaleproj{i % PROJECTS:02d}",
              "com.docker.compose.service": f"svc{(i // PROJECTS) % 10}", "com.docker.compose.container-number": "1"}
    if i < running:
        return {"cmd": ["sleep", "1000000"], "labels": labels, "state": "running"}
    if i % 100 == 50:
        return {"cmd": ["sh", "-c", f"exit {i % 3}"], "labels": labels, "state": "exited"}
    return {"cmd": ["sleep", "1000000"], "labels": labels, "state": "created"}


# Each busy container loops: burn a random number of iterations, sleep a random tenth, and now and
# then hold a new random amount of memory (a shell variable of 0-4 MB), so CPU and memory move.
BURN = ("m=''; while :; do n=$((RANDOM % 4000)); i=0; while [ $i -lt $n ]; do i=$((i+1)); done; "
        "[ $((RANDOM % 8)) = 0 ] && m=$(head -c $((RANDOM * 128)) /dev/zero | tr '\\0' a); "
        "sleep 0.$((RANDOM % 9)); done")


def busy_spec(i: int, running: int) -> dict:
    """The standard workload, but its running containers burn CPU and memory (capped)."""
    spec = workload.spec_of(i, running)
    if spec["state"] == "running":
        return {**spec, "cmd": ["sh", "-c", BURN], "host_config": BUSY_CPU}
    return spec


# --------------------------------------------------------------------------------- scale


def _docker_ps(eng: BenchEngine, runs: int = 3) -> float:
    env = clean_env()
    return median([wall(["docker", "-H", eng.host, "ps", "-a"], env) for _ in range(runs)])


def _launch(eng: BenchEngine, total: int, runs: int = 3) -> tuple[float | None, list[float]]:
    bench_launch.launch_once(eng.host, total, timeout=60)  # warm the page cache
    times = []
    for i in range(runs):
        _, t, _ = bench_launch.launch_once(eng.host, total, timeout=60)
        log(f"bench_scale: {total}: launch {i + 1}: {t}")
        if t is not None:
            times.append(t)
    return (median(times) if times else None), times


# containers created for the engine-event-to-row figure. Its p95 is a nearest-rank one: of 12
# samples that is the largest (one slow create on a busy 2-CPU host decided it); of 40 it is the
# third largest, a percentile that the next run repeats
EVENT_RUNS = 40


def _latency(eng: BenchEngine, keys: int, runs: int) -> dict[str, Any]:
    p = PtyProcess(dockui_argv(eng.host))
    try:
        if p.wait_for(workload.FIRST.encode(), 0, 60) is None:
            raise RuntimeError("dockui did not show the container list")
        time.sleep(3.0)
        down, up, _jk, sgr = bench_latency.pick_keys(p)
        to_name, _first, missed = bench_latency.cursor_latency(p, keys, down, up, sgr)
        names = [workload.name_of(10 + (i * 7) % 90) for i in range(2)]
        k_result, _echo, k_missed = bench_latency.filter_keystrokes(p, names)
        rr = bench_latency.run_to_row(p, eng, runs)
    finally:
        p.close(b"\x11")
    return {"cursor_ms": [1000 * v for v in to_name], "filter_ms": [1000 * v for v in k_result],
            "event_to_row_ms": [1000 * v for v in rr["event_to_row"]], "missed": missed + k_missed + len(rr["missed"])}


def _idle(eng: BenchEngine, seconds: float) -> dict[str, float]:
    p = PtyProcess(dockui_argv(eng.host))
    try:
        hit = p.wait_for(workload.FIRST.encode(), 0, 60)
        if hit is None:
            raise RuntimeError("dockui did not show the container list")
        time.sleep(bench_terminal.SETTLE)
        return bench_terminal.measure(p, eng, seconds, hit[0])
    finally:
        p.close(b"\x11")


def measure_size(eng: BenchEngine, n: int, seconds: float) -> dict[str, Any]:
    """Every scale figure of the engine as it is now (``n`` workload containers)."""
    c = eng.client()
    total = len(c.containers(all=True))
    c.close()
    out: dict[str, Any] = {"containers": total}
    log(f"bench_scale: {n}: docker ps -a")
    out["docker_ps_a_s"] = _docker_ps(eng)
    log(f"bench_scale: {n}: launch")
    out["launch_to_full_list_s"], out["launch_runs_s"] = _launch(eng, total)
    log(f"bench_scale: {n}: keys and events")
    lat = _latency(eng, keys=30, runs=EVENT_RUNS)
    out["cursor_key_p95_ms"] = pct(lat["cursor_ms"], 95)
    out["filter_keystroke_p95_ms"] = pct(lat["filter_ms"], 95)
    out["cursor_or_filter_p95_ms"] = pct(lat["cursor_ms"] + lat["filter_ms"], 95)
    out["event_to_row_p95_ms"] = pct(lat["event_to_row_ms"], 95)
    out["event_to_row_p50_ms"] = pct(lat["event_to_row_ms"], 50)
    out["event_to_row_samples_ms"] = sorted(round(v, 1) for v in lat["event_to_row_ms"])
    out["latency_timeouts"] = lat["missed"]
    log(f"bench_scale: {n}: idle with live stats")
    d = _idle(eng, seconds)
    out["idle_cpu_pct"] = d["cpu_pct"]
    out["idle_bytes_per_s"] = d["bytes_per_s"]
    out["engine_cpu_pct"] = d["engine_cpu_pct"]
    out["rss_bytes"] = 1024 * d["rss_kb"] if d["rss_kb"] else None
    out["rss_peak_bytes"] = 1024 * d["hwm_kb"] if d["hwm_kb"] else None
    log(f"bench_scale: {n}: store events applied")
    r: dict[str, Any] = {"figures": {}, "notes": []}
    bench_store.bench_apply(eng, r)
    out["events_applied_per_s"] = r["figures"].get("events_applied_per_s")
    out["events_flood_ids"] = r["figures"].get("events_flood_ids")
    return out


GROWTH = ("docker_ps_a_s", "launch_to_full_list_s", "cursor_or_filter_p95_ms", "event_to_row_p95_ms", "idle_cpu_pct",
          "rss_bytes", "events_applied_per_s")


def run_scale(eng: BenchEngine, sizes: tuple[int, ...], seconds: float) -> dict[str, Any]:
    res = new_result(NAME + "_sizes", f"issue 20 costs at {', '.join(f'{s:,}' for s in sizes)} containers "
                     "(a tenth running, 100 compose projects), one engine growing", eng.version)
    per: dict[str, Any] = {}
    for n in sizes:
        t = workload.ensure(eng, n, n // 10, THREADS, spec=scale_spec)
        if t.get("created"):
            res["figures"][f"create_{n}_containers_per_s"] = t["created"] / t["create_seconds"]
        # measured once the engine settled: containers started a moment ago keep dockerd and the
        # machine busy (load 27 right after 98 starts: docker ps -a and the launch both slowed),
        # and their "Up N seconds" ticks on screen (as bench_ranked waits)
        res["figures"][f"waited_for_uptime_past_a_minute_s_{n}"] = bench_ranked.wait_up_a_minute(eng)
        per[str(n)] = measure_size(eng, n, seconds)
        log(f"bench_scale: {n}: {json.dumps(per[str(n)], default=str)[:400]}")
    res["figures"]["by_size"] = per
    if len(sizes) >= 2:
        small, big = min(sizes), max(sizes)
        lo, hi = per[str(small)], per[str(big)]
        res["ratios"] = {f"{k} {big}/{small}": ratio(hi.get(k), lo.get(k)) for k in GROWTH}
    return res


# --------------------------------------------------------------------------------- fleet


def _contexts(config_dir: Path, engines: dict[str, str]) -> None:
    env = clean_env(DOCKER_CONFIG=str(config_dir))
    for name, host in engines.items():
        subprocess.run(["docker", "context", "create", name, "--docker", f"host={host}"], env=env, check=True,
                       capture_output=True, text=True)


def fleet_launch_once(argv: list[str], env: dict[str, str], total: int, needles: list[bytes],
                      timeout: float = 30.0) -> float | None:
    p = PtyProcess(argv, env=env)
    try:
        hits = [p.wait_for(n, 0, timeout) for n in needles]
        count = p.wait_for(re.compile(rb" \[" + str(total).encode() + rb"\]"), 0, timeout)
    finally:
        p.close(b"\x11")
    if count is None or any(h is None for h in hits):
        return None
    return max([count[0], *(h[0] for h in hits if h)]) - p.started


def run_fleet(engines: dict[str, BenchEngine], runs: int = 3) -> dict[str, Any]:
    res = new_result(NAME + "_fleet", f"fleet first paint over {len(engines)} engines", "")
    fig, base = res["figures"], res["baseline"]
    totals = {}
    for name, eng in engines.items():
        c = eng.client()
        totals[name] = len(c.containers(all=True))
        c.close()
    total = sum(totals.values())
    fig["containers_by_engine"] = totals
    silent = Stalled()  # an engine that accepts and never answers
    try:
        with tempfile.TemporaryDirectory() as d:
            cfg = Path(d)
            _contexts(cfg, {n: e.host for n, e in engines.items()} | {"hung": silent.host})
            env = clean_env(DOCKER_CONFIG=str(cfg))
            names = list(engines)
            needles = [n.encode() for n in names]  # the ENGINE column shows each context's name
            argv = [str(DOCKUI), "--context", ",".join(names)]
            argv_hung = [*argv[:-1], ",".join([*names, "hung"])]
            fleet_launch_once(argv, env, total, needles)  # warm-up
            ok = [fleet_launch_once(argv, env, total, needles) for _ in range(runs)]
            hung = [fleet_launch_once(argv_hung, env, total, needles) for _ in range(runs)]
            log(f"bench_scale: fleet first paint {ok}, with a hung engine {hung}")
            good, bad = [v for v in ok if v is not None], [v for v in hung if v is not None]
            fig["fleet_first_paint_s"] = median(good) if good else None
            fig["fleet_first_paint_with_hung_engine_s"] = median(bad) if bad else None
            fig["fleet_first_paint_runs_s"] = ok
            fig["fleet_first_paint_with_hung_engine_runs_s"] = hung
            fig["hung_engine_cost_s"] = (fig["fleet_first_paint_with_hung_engine_s"] - fig["fleet_first_paint_s"]
                                         if good and bad else None)
            one = next(iter(engines.values()))
            base["single_engine_launch_s"], _ = _launch(one, totals[next(iter(engines))], runs)
    finally:
        silent.close()
    res["ratios"]["fleet first paint / one engine's launch"] = ratio(fig["fleet_first_paint_s"], base["single_engine_launch_s"])
    res["notes"].append("first paint = the header's sum over all engines and each engine's name (ENGINE column) on screen")
    return res


# --------------------------------------------------------------------------------- busy


def _bytes_per_s(argv: list[str], eng: BenchEngine, cols: int, rows: int, seconds: float, ready: bytes,
                 quit_bytes: bytes, env: dict[str, str] | None = None) -> dict[str, float]:
    p = PtyProcess(argv, cols=cols, rows=rows, env=env)
    try:
        hit = p.wait_for(ready, 0, 60)
        if hit is None:
            raise RuntimeError(f"{argv[0]} showed nothing")
        time.sleep(bench_terminal.SETTLE)
        return bench_terminal.measure(p, eng, seconds, time.monotonic() + seconds)
    finally:
        p.close(quit_bytes)


def run_busy(eng: BenchEngine, seconds: float) -> dict[str, Any]:
    res = new_result(NAME + "_busy", f"terminal bytes/s with {BUSY_RUNNING} busy containers, {seconds:.0f} s each", eng.version)
    fig, base, r = res["figures"], res["baseline"], res["ratios"]
    for cols, rows in ((80, 24), (200, 60)):
        size = f"{cols}x{rows}"
        log(f"bench_scale: busy {size}: dockui")
        d = _bytes_per_s(dockui_argv(eng.host), eng, cols, rows, seconds, workload.FIRST.encode(), b"\x11")
        log(f"bench_scale: busy {size}: docker stats")
        s = _bytes_per_s(["docker", "-H", eng.host, "stats"], eng, cols, rows, seconds, b"CONTAINER", b"\x03", clean_env())
        fig[f"dockui_bytes_per_s_{size}"] = d["bytes_per_s"]
        fig[f"dockui_cpu_pct_{size}"] = d["cpu_pct"]
        base[f"docker_stats_bytes_per_s_{size}"] = s["bytes_per_s"]
        base[f"docker_stats_cpu_pct_{size}"] = s["cpu_pct"]
        r[f"dockui / docker_stats bytes {size}"] = ratio(d["bytes_per_s"], s["bytes_per_s"])
    res["notes"].append(f"{BUSY_RUNNING} running containers each burn a random share of up to 0.5 % "
                        "of a CPU and hold 0-4 MB that changes, so their stats cells change on every tick")
    return res


# --------------------------------------------------------------------------------- targets


def _get(res: dict | None, *path: str) -> Any:
    cur: Any = res or {}
    for p in path:
        cur = (cur or {}).get(p) if isinstance(cur, dict) else None
    return cur


def targets(results: dict[str, dict]) -> list[dict[str, Any]]:
    """The issue-20 targets table: (what, target, measured, baseline, verdict)."""
    sz = _get(results.get(NAME + "_sizes"), "figures", "by_size") or {}
    keys = sorted(sz, key=int)
    lo, hi = (sz[keys[0]], sz[keys[-1]]) if keys else ({}, {})
    big = f"{int(keys[-1]):,}" if keys else "?"
    small = f"at {int(keys[0]):,}" if keys else "-"
    rows: list[dict[str, Any]] = []

    def row(what: str, target: str, shown: str, baseline: str, ok: bool | None) -> None:
        rows.append({"what": what, "target": target, "shown": shown, "baseline": baseline,
                     "verdict": "not run" if ok is None else "PASS" if ok else "MISS"})

    def f(v: Any, unit: str = "", scale: float = 1.0, digits: int = 2) -> str:
        return "-" if v is None else f"{v * scale:,.{digits}f}{unit}"

    if sz:
        la, la1 = hi.get("launch_to_full_list_s"), lo.get("launch_to_full_list_s")
        g = ratio(la, la1)
        row(f"launch to the full list, {big}", "median < 1.0 s, < 3x the small size", f"{f(la, ' s')} ({f(g, 'x')} of {f(la1, ' s')})",
            f"docker ps -a {f(hi.get('docker_ps_a_s'), ' s')} ({f(lo.get('docker_ps_a_s'), ' s')} {small})",
            la is not None and la < 1.0 and g is not None and g < 3)
        k = hi.get("cursor_or_filter_p95_ms")
        row(f"cursor and filter keystroke, {big}", "p95 < 50 ms",
            f"cursor {f(hi.get('cursor_key_p95_ms'), ' ms', digits=0)}, filter {f(hi.get('filter_keystroke_p95_ms'), ' ms', digits=0)}",
            f"{small}: {f(lo.get('cursor_or_filter_p95_ms'), ' ms', digits=0)}", k is not None and k < 50)
        e = hi.get("event_to_row_p95_ms")
        row(f"engine event to changed row, {big}", "p95 < 150 ms", f(e, " ms", digits=0),
            f"{small}: {f(lo.get('event_to_row_p95_ms'), ' ms', digits=0)}", e is not None and e < 150)
        c = hi.get("idle_cpu_pct")
        row(f"idle CPU, live stats on screen, {big}", "< 5 % of a core", f(c, " %", digits=1),
            f"{small}: {f(lo.get('idle_cpu_pct'), ' %', digits=1)}", c is not None and c < 5)
        m = hi.get("rss_bytes")
        row(f"RSS, {big}", "< 150 MB", f(m, " MB", 1e-6, 1), f"{small}: {f(lo.get('rss_bytes'), ' MB', 1e-6, 1)}",
            m is not None and m < 150e6)
        ev = hi.get("events_applied_per_s")
        row(f"store events applied/s, {big}", "> 20,000", f(ev, "/s", digits=0),
            f"{small}: {f(lo.get('events_applied_per_s'), '/s', digits=0)}", ev is not None and ev > 20_000)
    else:
        for what in ("launch", "keys", "event", "idle CPU", "RSS", "store events"):
            row(what + " at 10,000", "", "not run", "", None)
    fl = results.get(NAME + "_fleet")
    if fl:
        fp, cost = _get(fl, "figures", "fleet_first_paint_s"), _get(fl, "figures", "hung_engine_cost_s")
        row("fleet: 3 engines x 1,000, first paint of all", "< 1.0 s; a hung engine adds 0 s",
            f"{f(fp, ' s')}; with a hung 4th: {f(_get(fl, 'figures', 'fleet_first_paint_with_hung_engine_s'), ' s')}",
            f"one engine's launch {f(_get(fl, 'baseline', 'single_engine_launch_s'), ' s')}",
            fp is not None and fp < 1.0 and cost is not None and cost < 0.15)
    else:
        row("fleet: 3 engines x 1,000, first paint of all", "< 1.0 s", "not run", "", None)
    bz = results.get(NAME + "_busy")
    for size in ("80x24", "200x60"):
        if bz:
            v, b = _get(bz, "figures", f"dockui_bytes_per_s_{size}"), _get(bz, "baseline", f"docker_stats_bytes_per_s_{size}")
            rt = ratio(v, b)
            row(f"busy stats over SSH, terminal bytes/s, {size}", "< 5 KB/s and < 1/10 of docker stats",
                f"{f(v, ' B/s', digits=0)} ({f(rt, 'x', digits=3)})", f"docker stats {f(b, ' B/s', digits=0)}",
                v is not None and rt is not None and v < 5000 and rt < 0.1)
        else:
            row(f"busy stats over SSH, {size}", "", "not run", "", None)
    return rows


def print_targets(rows: list[dict[str, Any]], file=sys.stdout) -> None:
    print("\n==== targets (issue 20: scale, fleet, busy stats over SSH) ====", file=file)
    heads = ("what", "target", "measured", "baseline", "")
    cols = [[r["what"], r["target"], r["shown"], r["baseline"], r["verdict"]] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cols)) for i, h in enumerate(heads)]
    print("  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip(), file=file)
    print("  ".join("-" * w for w in widths), file=file)
    for c in cols:
        print("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip(), file=file)
    print(f"{sum(r['verdict'] == 'PASS' for r in rows)} PASS, {sum(r['verdict'] == 'MISS' for r in rows)} MISS", file=file)


def print_growth(res: dict | None, file=sys.stdout) -> None:
    sz = _get(res, "figures", "by_size") or {}
    if len(sz) < 2:
        return
    keys = sorted(sz, key=int)
    print(f"\n==== growth from {int(keys[0]):,} to {int(keys[-1]):,} containers (same run, same machine) ====", file=file)
    print(f"{'figure':<28} " + " ".join(f"{int(k):>12,}" for k in keys) + f" {'growth':>8}", file=file)
    for k in GROWTH:
        vals = [sz[s].get(k) for s in keys]
        cells = " ".join(f"{v:>12,.3f}" if isinstance(v, float) and v < 100 else f"{v:>12,.0f}" if isinstance(v, (int, float))
                         else f"{'-':>12}" for v in vals)
        g = ratio(vals[-1], vals[0])
        print(f"{k:<28} {cells} {('-' if g is None else f'{g:.2f}x'):>8}", file=file)


# --------------------------------------------------------------------------------- main


STEPS = ("scale", "fleet", "busy")


def run_all(main_eng: BenchEngine | None, only: tuple[str, ...] = STEPS, sizes: tuple[int, ...] = SIZES,
            seconds: float = 20.0, keep: bool = False, scale_engine: str = "scale") -> dict[str, dict]:
    """Every step asked for; ``main_eng``: the main bench engine with the standard workload (the
    fleet's first engine; None: the fleet step starts it)."""
    results: dict[str, dict] = {}
    with contextlib.ExitStack() as stack:
        scale = stack.enter_context(bench_engine(keep=keep, name=scale_engine)) if {"scale", "fleet"} & set(only) else None
        busy = stack.enter_context(bench_engine(keep=keep, name="busy")) if {"fleet", "busy"} & set(only) else None
        try:
            if scale is not None and "scale" in only:
                results[NAME + "_sizes"] = run_scale(scale, sizes, seconds)
            if busy is not None:
                workload.ensure(busy, workload.N, BUSY_RUNNING, THREADS, spec=busy_spec)
            if scale is not None and "fleet" in only:
                small = min(sizes)
                workload.ensure(scale, small, small // 10, THREADS, spec=scale_spec)
                if main_eng is None:
                    main_eng = stack.enter_context(bench_engine(keep=keep))
                    workload.ensure(main_eng)
                # context names that no container name contains, so each on screen is its ENGINE cell
                results[NAME + "_fleet"] = run_fleet({"alpha": main_eng, "bravo": scale, "charlie": busy})  # type: ignore[dict-item]
            if busy is not None and "busy" in only:
                results[NAME + "_busy"] = run_busy(busy, seconds)
        finally:
            for eng in (scale, busy):
                if eng is not None and not keep:
                    workload.remove(eng, threads=THREADS)
                    workload.remove(eng, label_value=bench_latency.LAT_LABEL)
    for name, res in results.items():
        write_result(name, res)
    return results


def main(argv: list[str] | None = None) -> int:
    p = base_parser(__doc__.splitlines()[0])
    p.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    p.add_argument("--only", default=",".join(STEPS))
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--scale-engine", default="scale", help="the scale engine's name (another name: a trial run "
                   "that leaves the 10,000 containers of 'scale' alone)")
    args = p.parse_args(argv)
    only = tuple(s.strip() for s in args.only.split(",") if s.strip())
    sizes = tuple(int(s) for s in args.sizes.split(","))
    results = run_all(None, only, sizes, args.seconds, args.keep, args.scale_engine)
    for res in results.values():
        print_table(res)
    print_growth(results.get(NAME + "_sizes"))
    rows = targets(results)
    print_targets(rows)
    return 1 if any(r["verdict"] == "MISS" for r in rows) else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
