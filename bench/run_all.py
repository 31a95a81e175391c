"""Run every benchmark on one bench engine and one workload, then print the targets of issue 9.

    python -m bench.run_all [--keep] [--only store,launch,...,scale,fleet,busy] [--sizes 10000,1000]
                            [--seconds 30] [--no-fail]

Order: workload, store, launch, terminal, latency, shell, ranked (issue 23, on an engine of its own with
100 then 1,000 running; see bench/bench_ranked.py), then issue 20's ``bench_scale`` steps
(fleet, busy, scale: engines of their own beside the main one; see bench/bench_scale.py), whose
growth table (1,000 -> 10,000 containers) and targets table are printed last. A benchmark that fails is reported
and the others still run; the workload is removed and the engine stopped at the end (unless
``--keep``), whatever happened. Results: ``bench/results/NAME.json`` and ``run_all.json``.

At the end: the headline figures, issue 3's store figures beside the previous run's, and the
targets table of issue 9 (what, target, measured, baseline, ratio, PASS/MISS). Exit status 1
when a target is missed or a benchmark failed (``--no-fail``: always 0); a target whose
benchmark was left out with ``--only`` is shown as "not run" and does not count.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from . import bench_latency, bench_launch, bench_ranked, bench_scale, bench_shell, bench_store, bench_terminal, workload
from .common import base_parser, fmt_value, new_result, print_table, ratio, write_result
from .engine import bench_engine, log

# (benchmark, figure, baseline, ratio) shown in the summary
HEADLINES: list[tuple[str, str, str | None, str | None]] = [
    ("bench_store", "store_first_snapshot_s", "docker_ps_a_s", "store_first_snapshot / docker_ps_a"),
    ("bench_store", "store_list_containers_s", "raw_containers_json_roundtrip_s", "store_list_containers / raw_roundtrip"),
    ("bench_store", "event_to_correct_state_p50_ms", None, None),
    ("bench_store", "event_to_correct_state_p95_ms", None, None),
    ("bench_store", "decoder_per_event_chunk_events_per_s", "json_loads_per_line_events_per_s", "decoder_per_event / json_loads (throughput)"),
    ("bench_store", "store_plus_statshub_tracemalloc_bytes", None, None),
    ("bench_store", "events_applied_per_s", None, None),
    ("bench_store", "events_applied_per_s_batch_1", None, None),
    ("bench_store", "statshub_bytes_per_sample", None, "statshub / plain tuples (memory)"),
    ("bench_launch", "launch_to_first_list_s", "docker_ps_a_s", "launch / docker_ps_a"),
    ("bench_launch", "launch_to_first_list_s", "python_import_textual_s", "launch / import_textual"),
    ("bench_terminal", "dockui_bytes_per_s", "docker_stats_bytes_per_s", "dockui / docker_stats (bytes per s)"),
    ("bench_terminal", "dockui_cpu_pct", "docker_stats_cpu_pct", "dockui / docker_stats (client CPU)"),
    ("bench_terminal", "engine_cpu_pct_during_dockui", "engine_cpu_pct_during_docker_stats", "engine during dockui / during docker_stats (CPU)"),
    ("bench_terminal", "dockui_plus_engine_cpu_pct", "docker_stats_plus_engine_cpu_pct", "dockui+engine / docker_stats+engine (CPU)"),
    ("bench_terminal", "dockui_rss_bytes", "empty_textual_app_rss_bytes", "dockui RSS / empty Textual app RSS"),
    ("bench_latency", "cursor_key_to_row_p50_ms", "pty_echo_cat_p50_ms", "cursor_key p50 / pty echo p50"),
    ("bench_latency", "cursor_key_to_row_p95_ms", "empty_table_cursor_key_p95_ms", "cursor_key p95 / empty table p95"),
    ("bench_latency", "filter_keystroke_to_result_p95_ms", "empty_table_filter_keystroke_p95_ms", "filter_keystroke p95 / empty table p95"),
    ("bench_latency", "filter_typed_to_result_p50_ms", None, None),
    ("bench_latency", "create_event_to_row_p95_ms", "docker_events_event_to_line_p95_ms", "create_event_to_row p95 / docker_events event_to_line p95"),
    ("bench_latency", "run_to_row_p50_ms", "docker_events_call_to_line_p50_ms", "run_to_row p50 / docker_events p50"),
    ("bench_latency", "run_to_row_p95_ms", None, None),
    ("bench_shell", "dashboard_exec_pane_s", "docker_exec_t_to_devnull_s", "dashboard_exec_pane / docker_exec_t"),
    ("bench_shell", "dashboard_key_during_flood_p95_ms", None, None),
    ("bench_shell", "terminalview_live_exec_s", "docker_exec_t_to_devnull_s", "terminalview_live / docker_exec_t"),
    ("bench_shell", "terminalview_replay_s", "plain_pyte_feed_s", "terminalview_replay / plain_pyte"),
    ("bench_ranked", "dockui_cpu_pct_100", "docker_stats_cpu_pct_100", "dockui / docker_stats (client CPU), 100"),
    ("bench_ranked", "dockerd_cpu_pct_during_dockui_100", "dockerd_cpu_pct_during_docker_stats_100",
     "dockerd during dockui / during docker_stats, 100"),
    ("bench_ranked", "dockui_cpu_pct_1000", "docker_stats_cpu_pct_1000", "dockui / docker_stats (client CPU), 1000"),
    ("bench_ranked", "dockerd_cpu_pct_during_dockui_1000", "dockerd_cpu_pct_during_docker_stats_1000",
     "dockerd during dockui / during docker_stats, 1000"),
]

STEP_BENCH = {"store": "bench_store", "launch": "bench_launch", "terminal": "bench_terminal", "latency": "bench_latency",
              "shell": "bench_shell", "ranked": "bench_ranked"}
STEPS = {
    "store": lambda eng, a: bench_store.run(eng),
    "launch": lambda eng, a: bench_launch.run(eng),
    "terminal": lambda eng, a: bench_terminal.run(eng, a.seconds),
    "latency": lambda eng, a: bench_latency.run(eng),
    "shell": lambda eng, a: bench_shell.run(eng),
    "ranked": lambda eng, a: bench_ranked.run_own(a.seconds, a.keep),  # issue 23: an engine of its own, 100 and 1,000 running
}


def summary_rows(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for bench, fig, base, rat in HEADLINES:
        r = results.get(bench)
        if not r:
            continue
        rows.append({
            "benchmark": bench, "figure": fig, "value": r["figures"].get(fig),
            "baseline": base, "baseline_value": r["baseline"].get(base) if base else None,
            "ratio": r["ratios"].get(rat) if rat else None,
        })
    return rows


def print_summary(rows: list[dict[str, Any]], failed: dict[str, str], elapsed: float) -> None:
    print("\n==== summary (ratio = figure / baseline) ====")
    w1 = max([len(r["figure"]) for r in rows] + [10])
    w2 = max([len(r["baseline"] or "") for r in rows] + [8])
    print(f"{'benchmark':<15} {'figure':<{w1}} {'value':>12}  {'baseline':<{w2}} {'value':>12} {'ratio':>8}")
    for r in rows:
        print(f"{r['benchmark']:<15} {r['figure']:<{w1}} {fmt_value(r['value']):>12}  {r['baseline'] or '':<{w2}} "
              f"{fmt_value(r['baseline_value']) if r['baseline'] else '':>12} {fmt_value(r['ratio']) if r['ratio'] is not None else '':>8}")
    for name, err in failed.items():
        print(f"FAILED {name}: {err}")
    print(f"total {elapsed:.0f} s")


# ---------------------------------------------------------------------------- issue 9's targets

Results = dict[str, dict[str, Any]]


def _f(results: Results, bench: str, section: str, key: str) -> float | None:
    v = ((results.get(bench) or {}).get(section) or {}).get(key)
    if isinstance(v, (int, float)) and not (isinstance(v, float) and math.isnan(v)):
        return float(v)
    return None


def _ms(v: float | None) -> str:
    return "-" if v is None else f"{v:,.0f} ms" if v >= 10 else f"{v:.1f} ms"


def _s(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f} s"


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f} %"


def _mb(v: float | None) -> str:
    return "-" if v is None else f"{v / 1e6:.1f} MB"


def _x(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}x"


def _t_launch(r: Results) -> dict[str, Any]:
    v = _f(r, "bench_launch", "figures", "launch_to_first_list_s")
    ps = _f(r, "bench_launch", "baseline", "docker_ps_a_s")
    imp = _f(r, "bench_launch", "baseline", "python_import_textual_s")
    return {"measured": v, "shown": f"{_s(v)} (median)", "baseline": f"docker ps -a {_s(ps)}; import textual {_s(imp)}",
            "ratio": f"{_x(ratio(v, ps))}; {_x(ratio(v, imp))}", "ok": v is not None and v < 0.6}


def _t_event(r: Results) -> dict[str, Any]:
    v = _f(r, "bench_latency", "figures", "create_event_to_row_p95_ms")
    p50 = _f(r, "bench_latency", "figures", "create_event_to_row_p50_ms")
    b = _f(r, "bench_latency", "baseline", "docker_events_event_to_line_p95_ms")
    return {"measured": v, "shown": f"p95 {_ms(v)} (p50 {_ms(p50)})", "baseline": f"docker events: p95 {_ms(b)}",
            "ratio": _x(ratio(v, b)), "ok": v is not None and v < 150}


def _t_keys(r: Results) -> dict[str, Any]:
    cur = _f(r, "bench_latency", "figures", "cursor_key_to_row_p95_ms")
    fil = _f(r, "bench_latency", "figures", "filter_keystroke_to_result_p95_ms")
    bc = _f(r, "bench_latency", "baseline", "empty_table_cursor_key_p95_ms")
    bf = _f(r, "bench_latency", "baseline", "empty_table_filter_keystroke_p95_ms")
    worst = max(cur, fil) if cur is not None and fil is not None else None
    return {"measured": worst, "shown": f"p95 cursor {_ms(cur)}, filter {_ms(fil)}",
            "baseline": f"empty table: p95 cursor {_ms(bc)}, filter {_ms(bf)}",
            "ratio": f"{_x(ratio(cur, bc))}; {_x(ratio(fil, bf))}", "ok": worst is not None and worst < 50}


def _t_cpu(r: Results) -> dict[str, Any]:
    v = _f(r, "bench_terminal", "figures", "dockui_cpu_pct")
    b = _f(r, "bench_terminal", "baseline", "docker_stats_cpu_pct")
    return {"measured": v, "shown": _pct(v), "baseline": f"docker stats {_pct(b)}", "ratio": _x(ratio(v, b)),
            "ok": v is not None and b is not None and v < 5 and v < b}


def _t_cpu_engine(r: Results) -> dict[str, Any]:
    v = _f(r, "bench_terminal", "figures", "dockui_plus_engine_cpu_pct")
    b = _f(r, "bench_terminal", "baseline", "docker_stats_plus_engine_cpu_pct")
    e = _f(r, "bench_terminal", "figures", "engine_cpu_pct_during_dockui")
    eb = _f(r, "bench_terminal", "baseline", "engine_cpu_pct_during_docker_stats")
    return {"measured": v, "shown": f"{_pct(v)} (engine {_pct(e)})", "baseline": f"{_pct(b)} (engine {_pct(eb)})",
            "ratio": _x(ratio(v, b)), "ok": v is not None and b is not None and v < b}


def _t_rss(r: Results) -> dict[str, Any]:
    v = _f(r, "bench_terminal", "figures", "dockui_rss_bytes")
    b = _f(r, "bench_terminal", "baseline", "empty_textual_app_rss_bytes")
    return {"measured": v, "shown": _mb(v), "baseline": f"empty Textual app {_mb(b)}", "ratio": _x(ratio(v, b)),
            "ok": v is not None and v < 100e6}


def _t_store(r: Results) -> dict[str, Any]:
    v = _f(r, "bench_store", "figures", "events_applied_per_s")
    one = _f(r, "bench_store", "figures", "events_applied_per_s_batch_1")
    return {"measured": v, "shown": "-" if v is None else f"{v:,.0f}/s (1 per batch: {one or 0:,.0f}/s)",
            "baseline": "-", "ratio": "-", "ok": v is not None and v > 20_000}


def _t_shell(r: Results) -> dict[str, Any]:
    v = _f(r, "bench_shell", "figures", "dashboard_exec_pane_s")
    b = _f(r, "bench_shell", "baseline", "docker_exec_t_to_devnull_s")
    sent = _f(r, "bench_shell", "figures", "dashboard_keys_during_flood_sent")
    answered = _f(r, "bench_shell", "figures", "dashboard_keys_during_flood_answered")
    kp95 = _f(r, "bench_shell", "figures", "dashboard_key_during_flood_p95_ms")
    rat = ratio(v, b)
    keys_ok = bool(sent) and answered == sent and kp95 is not None and kp95 < KEYS_ANSWERED_MS
    keys = f"keys {int(answered or 0)}/{int(sent or 0)}, p95 {_ms(kp95)}"
    return {"measured": v, "shown": f"{_s(v)}; {keys}", "baseline": f"docker exec -t {_s(b)}", "ratio": _x(rat),
            "ok": rat is not None and rat <= 3 and keys_ok}


KEYS_ANSWERED_MS = 200  # "keys still answered" read as: every key sent during the flood repainted, p95 under this

# (what, target, benchmark that measures it, evaluation) -- the rows of issue 9, in its order
def _t_ranked(r: Results) -> dict[str, Any]:
    """Issue 23: every running container ranked; judged at 100 running, 1,000 reported."""
    def f(sec: str, key: str) -> float | None:
        return _f(r, "bench_ranked", sec, key)

    v, b = f("figures", "dockui_cpu_pct_100"), f("baseline", "docker_stats_cpu_pct_100")
    d, db = f("figures", "dockerd_cpu_pct_during_dockui_100"), f("baseline", "dockerd_cpu_pct_during_docker_stats_100")
    v1, b1 = f("figures", "dockui_cpu_pct_1000"), f("baseline", "docker_stats_cpu_pct_1000")
    d1, db1 = f("figures", "dockerd_cpu_pct_during_dockui_1000"), f("baseline", "dockerd_cpu_pct_during_docker_stats_1000")
    return {"measured": v, "shown": f"{_pct(v)} (dockerd {_pct(d)}); 1,000: {_pct(v1)} ({_pct(d1)})",
            "baseline": f"docker stats {_pct(b)} ({_pct(db)}); {_pct(b1)} ({_pct(db1)})", "ratio": _x(ratio(v, b)),
            "ok": None not in (v, b, d, db) and v < 5 and v < b and d < db}


TARGETS: list[tuple[str, str, str, Callable[[Results], dict[str, Any]]]] = [
    ("launch to the full containers list on screen", "median < 0.6 s", "bench_launch", _t_launch),
    ("engine event to the changed row on screen", "p95 < 150 ms", "bench_latency", _t_event),
    ("cursor move / filter keystroke to repaint, 1,000 rows", "p95 < 50 ms", "bench_latency", _t_keys),
    ("CPU of dockui idle on the containers view, live stats, 30 s", "< 5 % of a core, < docker stats", "bench_terminal", _t_cpu),
    ("CPU of dockui plus the engine, same window", "< docker stats + engine", "bench_terminal", _t_cpu_engine),
    ("resident memory with 1,000 containers and stats", "< 100 MB", "bench_terminal", _t_rss),
    ("store: events applied per second", "> 20,000", "bench_store", _t_store),
    ("shell pane: seq 1 200000", f"<= 3x docker exec -t; keys answered (all, p95 < {KEYS_ANSWERED_MS} ms)", "bench_shell", _t_shell),
    ("every running container ranked (100 running; 1,000 reported)", "< 5 %, < docker stats; dockerd < docker stats's",
     "bench_ranked", _t_ranked),
]


def target_rows(results: Results, ran: set[str], failed: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for what, target, bench, fn in TARGETS:
        row: dict[str, Any] = {"what": what, "target": target, "benchmark": bench}
        if bench not in ran:
            row.update(shown="not run", baseline="", ratio="", verdict="not run", measured=None)
        elif bench not in results:
            row.update(shown=f"failed: {failed.get(bench.removeprefix('bench_'), '')}"[:60], baseline="", ratio="",
                       verdict="MISS", measured=None)
        else:
            ev = fn(results)
            row.update(shown=ev["shown"], baseline=ev["baseline"], ratio=ev["ratio"], measured=ev["measured"],
                       verdict="PASS" if ev["ok"] else "MISS")
        rows.append(row)
    return rows


def print_targets(rows: list[dict[str, Any]], load: dict[str, float | None], file=sys.stdout) -> None:
    print("\n==== targets (issue 9); ratio = measured / baseline ====", file=file)
    heads = ("what", "target", "measured", "baseline", "ratio", "")
    cols = [[r["what"], r["target"], r["shown"], r["baseline"], r["ratio"], r["verdict"]] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cols)) for i, h in enumerate(heads)]
    print("  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip(), file=file)
    print("  ".join("-" * w for w in widths), file=file)
    for c in cols:
        print("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip(), file=file)
    missed = [r["what"] for r in rows if r["verdict"] == "MISS"]
    passed = sum(1 for r in rows if r["verdict"] == "PASS")
    print(f"{passed} PASS, {len(missed)} MISS" + (f", {sum(1 for r in rows if r['verdict'] == 'not run')} not run"
                                                  if any(r["verdict"] == "not run" for r in rows) else ""), file=file)
    if load.get("max") is not None:
        print(f"load average (1 min) during the run: min {load['min']:.1f}, median {load['median']:.1f}, max {load['max']:.1f} "
              f"on {os.cpu_count()} CPUs" + ("  -- busy machine: figures inflated and noisy" if (load["median"] or 0) > (os.cpu_count() or 1) else ""),
              file=file)


def store_rows(results: Results) -> list[dict[str, Any]]:
    """Issue 3's two targets, beside the previous run's figures."""
    r = results.get("bench_store")
    if not r:
        return []
    prev = {x["figure"]: x for x in (r.get("previous_run") or {}).get("figures") or []}
    out = []
    for key, what, target, ok in (
        ("events_applied_per_s", "store: events applied per second", ">= 20,000", lambda v: v >= 20_000),
        ("store_plus_statshub_tracemalloc_bytes", "memory: 1,000 containers x 60 stats samples", "< 50 MB", lambda v: v < 50e6),
    ):
        x = prev.get(key) or {}
        now = r["figures"].get(key)
        out.append({"what": what, "target": target, "previous": x.get("previous"), "now": now, "change": x.get("change"),
                    "verdict": "PASS" if isinstance(now, (int, float)) and ok(now) else "MISS", "figure": key})
    return out


def print_store(rows: list[dict[str, Any]], date: str | None, file=sys.stdout) -> None:
    if not rows:
        return
    print(f"\n==== store (issue 3): previous run ({date or 'none kept'}) -> now ====", file=file)
    for r in rows:
        def fmt(v: Any, key: str = r["figure"]) -> str:
            if v is None:
                return "-"
            return f"{v / 1e6:.1f} MB" if "bytes" in key else f"{v:,.0f}/s"

        ch = "" if r["change"] is None else f"({r['change'] * 100:+.0f} %)"
        print(f"{r['what']:<46} {r['target']:<10} {fmt(r['previous']):>12} -> {fmt(r['now']):>12} {ch:>9}  {r['verdict']}", file=file)


class LoadSampler:
    """The 1-min load average every few seconds while the benchmarks run (others share the machine)."""

    def __init__(self, every: float = 5.0) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._every = every
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(self._every):
                return

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)

    def summary(self) -> dict[str, float | None]:
        s = self.samples
        if not s:
            return {"min": None, "median": None, "max": None}
        return {"min": min(s), "median": statistics.median(s), "max": max(s)}


def main(argv: list[str] | None = None) -> int:
    p = base_parser(__doc__.splitlines()[0])
    p.add_argument("--only", default="", help="comma-separated subset of: " + ", ".join([*STEPS, *bench_scale.STEPS]))
    p.add_argument("--sizes", default=",".join(str(s) for s in bench_scale.SIZES), help="bench_scale's workload sizes")
    p.add_argument("--seconds", type=float, default=30.0, help="measuring time of bench_terminal, each side")
    p.add_argument("--scale-engine", default="scale", help="bench_scale's engine name (another name: an engine "
                   "that already holds the biggest size, or a fresh one beside a 'scale' left broken)")
    p.add_argument("--no-fail", action="store_true", help="exit 0 even when a target is missed or a benchmark failed")
    args = p.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()] or [*STEPS, *bench_scale.STEPS]
    scale_only = tuple(s for s in only if s in bench_scale.STEPS)
    only = [s for s in only if s not in bench_scale.STEPS]
    unknown = [s for s in only if s not in STEPS]
    if unknown:
        p.error(f"unknown benchmark(s): {', '.join(unknown)}")
    t0 = time.monotonic()
    results: dict[str, dict[str, Any]] = {}
    scale_results: dict[str, dict[str, Any]] = {}
    failed: dict[str, str] = {}
    with LoadSampler() as sampler, bench_engine(keep=args.keep) as eng:
        wl = new_result("workload", f"{workload.N} containers ({workload.RUNNING} running) on {workload.THREADS} threads", eng.version)
        try:
            wl["figures"].update(workload.ensure(eng))
            for name in only:
                log(f"run_all: {name}")
                try:
                    res = STEPS[name](eng, args)
                except Exception as exc:  # noqa: BLE001 - report it and go on with the others
                    traceback.print_exc()
                    failed[name] = f"{type(exc).__name__}: {exc}"
                    continue
                results[res["benchmark"]] = res
                write_result(res["benchmark"], res)
                print_table(res)
                if name == "store":
                    bench_store.print_previous(res)
            if scale_only:  # issue 20: engines of their own beside this one (the fleet's first engine)
                log(f"run_all: {', '.join(scale_only)} (bench_scale)")
                try:
                    scale_results = bench_scale.run_all(eng, scale_only, tuple(int(x) for x in args.sizes.split(",")),
                                                        20.0, args.keep, args.scale_engine)
                except Exception as exc:  # noqa: BLE001 - report it and go on
                    traceback.print_exc()
                    failed["scale"] = f"{type(exc).__name__}: {exc}"
                for res in scale_results.values():
                    print_table(res)
        finally:
            workload.remove(eng, label_value=bench_latency.LAT_LABEL)
            workload.remove(eng, label_value=bench_store.EVT_LABEL)
            if not args.keep:
                n, secs = workload.remove(eng)
                wl["figures"]["removed"] = n
                wl["figures"]["remove_seconds"] = secs
            if wl["figures"].get("created"):
                wl["figures"]["containers_per_second"] = wl["figures"]["created"] / wl["figures"]["create_seconds"]
            write_result("workload", wl)
    elapsed = time.monotonic() - t0
    rows = summary_rows(results)
    print_summary(rows, failed, elapsed)
    srows = store_rows(results)
    print_store(srows, ((results.get("bench_store") or {}).get("previous_run") or {}).get("date"))
    ran = {STEP_BENCH[n] for n in only}
    trows = target_rows(results, ran, failed)
    load = sampler.summary()
    print_targets(trows, load)
    zrows: list[dict[str, Any]] = []
    if scale_only:
        bench_scale.print_growth(scale_results.get(bench_scale.NAME + "_sizes"))
        zrows = bench_scale.targets(scale_results)
        bench_scale.print_targets(zrows)
    summary = new_result("run_all", "headline figures of every benchmark, and the targets of issues 9 and 3", "")
    summary["figures"] = {"total_seconds": elapsed, "failed": failed, "loadavg_1m_during_run": load}
    summary["targets"] = trows
    summary["issue20_targets"] = zrows
    summary["store_vs_previous"] = srows
    summary["summary"] = rows
    write_result("run_all", summary)
    missed = [r for r in trows + srows + zrows if r["verdict"] == "MISS"]
    if args.no_fail:
        return 0
    return 1 if failed or missed else 0


if __name__ == "__main__":
    sys.exit(main())
