"""Run every benchmark on one bench engine and one workload, then print a summary.

    python -m bench.run_all [--keep] [--only store,launch,...] [--seconds 30]

Order: workload, store, launch, terminal, latency, shell. A benchmark that fails is reported
and the others still run; the workload is removed and the engine stopped at the end (unless
``--keep``), whatever happened. Results: ``bench/results/NAME.json`` and ``run_all.json``.
"""

from __future__ import annotations

import sys
import time
import traceback
from typing import Any

from . import bench_latency, bench_launch, bench_shell, bench_store, bench_terminal, workload
from .common import base_parser, fmt_value, new_result, print_table, write_result
from .engine import bench_engine, log

# (benchmark, figure, baseline, ratio) shown in the summary
HEADLINES: list[tuple[str, str, str | None, str | None]] = [
    ("bench_store", "store_first_snapshot_s", "docker_ps_a_s", "store_first_snapshot / docker_ps_a"),
    ("bench_store", "store_list_containers_s", "raw_containers_json_roundtrip_s", "store_list_containers / raw_roundtrip"),
    ("bench_store", "event_to_correct_state_p50_ms", None, None),
    ("bench_store", "event_to_correct_state_p95_ms", None, None),
    ("bench_store", "decoder_per_event_chunk_events_per_s", "json_loads_per_line_events_per_s", "decoder_per_event / json_loads (throughput)"),
    ("bench_store", "store_plus_statshub_tracemalloc_bytes", None, None),
    ("bench_store", "statshub_bytes_per_sample", None, "statshub / plain tuples (memory)"),
    ("bench_launch", "launch_to_first_list_s", "docker_ps_a_s", "launch / docker_ps_a"),
    ("bench_launch", "launch_to_first_list_s", "python_import_textual_s", "launch / import_textual"),
    ("bench_terminal", "dockui_bytes_per_s", "docker_stats_bytes_per_s", "dockui / docker_stats (bytes per s)"),
    ("bench_terminal", "dockui_cpu_pct", "docker_stats_cpu_pct", "dockui / docker_stats (client CPU)"),
    ("bench_terminal", "engine_cpu_pct_during_dockui", "engine_cpu_pct_during_docker_stats", "engine during dockui / during docker_stats (CPU)"),
    ("bench_latency", "cursor_key_to_row_p50_ms", "pty_echo_cat_p50_ms", "cursor_key p50 / pty echo p50"),
    ("bench_latency", "cursor_key_to_row_p95_ms", None, None),
    ("bench_latency", "filter_typed_to_result_p50_ms", None, None),
    ("bench_latency", "run_to_row_p50_ms", "docker_events_call_to_line_p50_ms", "run_to_row p50 / docker_events p50"),
    ("bench_latency", "run_to_row_p95_ms", None, None),
    ("bench_shell", "terminalview_live_exec_s", "docker_exec_t_to_devnull_s", "terminalview_live / docker_exec_t"),
    ("bench_shell", "terminalview_replay_s", "plain_pyte_feed_s", "terminalview_replay / plain_pyte"),
]

STEPS = {
    "store": lambda eng, a: bench_store.run(eng),
    "launch": lambda eng, a: bench_launch.run(eng),
    "terminal": lambda eng, a: bench_terminal.run(eng, a.seconds),
    "latency": lambda eng, a: bench_latency.run(eng),
    "shell": lambda eng, a: bench_shell.run(eng),
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


def main(argv: list[str] | None = None) -> int:
    p = base_parser(__doc__.splitlines()[0])
    p.add_argument("--only", default="", help="comma-separated subset of: " + ", ".join(STEPS))
    p.add_argument("--seconds", type=float, default=30.0, help="measuring time of bench_terminal, each side")
    args = p.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()] or list(STEPS)
    unknown = [s for s in only if s not in STEPS]
    if unknown:
        p.error(f"unknown benchmark(s): {', '.join(unknown)}")
    t0 = time.monotonic()
    results: dict[str, dict[str, Any]] = {}
    failed: dict[str, str] = {}
    with bench_engine(keep=args.keep) as eng:
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
    summary = new_result("run_all", "headline figures of every benchmark", "")
    summary["figures"] = {"total_seconds": elapsed, "failed": failed}
    summary["summary"] = rows
    write_result("run_all", summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
