"""The benchmark workload: N containers on the bench engine, made quickly in parallel threads.

    python -m bench.workload [-n 1000] [--running 100] [--keep]   create (idempotent), print timings
    python -m bench.workload --remove                              remove every workload container

Names are ``bench-0000`` .. ``bench-NNNN`` and sort in that order, so the running ones
(``bench-0000`` .. ``bench-0099``, ``sleep 1000000`` with ``Init: true``) fill dockui's first
screen. Of the rest, every 20th is started once and exits (half of them with code 3), the
others stay created; every fourth carries compose labels (10 projects). All are labelled
``dockui.bench=workload``. Without ``--keep`` the standalone command removes them and stops
the engine again, which makes it a creation/removal speed test; the benchmarks use
:func:`ensure` / :func:`remove` instead.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from dockui.engine import Conflict, EngineClient, EngineError, NotFound

from .common import base_parser, new_result, print_table, write_result
from .engine import IMAGE, BenchEngine, bench_engine, log

LABEL = "dockui.bench"
WORKLOAD = "workload"
N = 1000
RUNNING = 100
THREADS = 16
FIRST = "bench-0000"  # sorts first: always on dockui's first screen


def name_of(i: int) -> str:
    return f"bench-{i:04d}"


def spec_of(i: int, running: int = RUNNING) -> dict:
    """What container ``i`` is: its create body and its wanted state (running, exited, created)."""
    labels = {LABEL: WORKLOAD}
    if i % 4 == 1:
        labels["com.docker.compose.project"] = f"benchproj{i % 10}"
        labels["com.docker.compose.service"] = f"svc{i % 7}"
        labels["com.docker.compose.container-number"] = "1"
    if i < running:
        return {"cmd": ["sleep", "1000000"], "labels": labels, "state": "running"}
    if i % 20 == 0:  # starting costs ~0.14 s of engine time each: keep the exited ones few
        code = 0 if i % 40 == 0 else 3
        return {"cmd": ["sh", "-c", f"exit {code}"], "labels": labels, "state": "exited"}
    return {"cmd": ["sleep", "1000000"], "labels": labels, "state": "created"}


class _Clients(threading.local):
    client: EngineClient | None = None


def _pool_client(local: _Clients, host: str) -> EngineClient:
    if local.client is None:
        local.client = EngineClient(host, timeout=120)
    return local.client


def current(client: EngineClient) -> dict[str, dict]:
    """Workload containers now: name -> list row."""
    rows = client.containers(all=True, filters={"label": f"{LABEL}={WORKLOAD}"})
    return {(r.get("Names") or ["/"])[0].lstrip("/"): r for r in rows}


def ensure(eng: BenchEngine, n: int = N, running: int = RUNNING, threads: int = THREADS,
           spec: Callable[[int, int], dict] = spec_of) -> dict[str, float]:
    """Make the workload exist as specified (``spec(i, running)``: what container ``i`` is); return
    timings (seconds) of what had to be done."""
    client = eng.client()
    have = current(client)
    local = _Clients()
    timings: dict[str, float] = {}

    def make(i: int) -> None:
        c = _pool_client(local, eng.host)
        want = spec(i, running)
        try:
            cid = c.create_container(IMAGE, want["cmd"], name=name_of(i), labels=want["labels"],
                                     host_config={"Init": True, "NetworkMode": "none", **want.get("host_config", {})})["Id"]
        except Conflict:
            cid = name_of(i)
        if want["state"] in ("running", "exited"):
            c.start(cid)

    def restart(name: str) -> None:
        _pool_client(local, eng.host).start(name)

    def kill(name: str) -> None:
        try:
            _pool_client(local, eng.host).kill(name)
        except EngineError as exc:  # it stopped meanwhile, or the engine refused for a moment: shrinking goes on
            log(f"workload: could not stop {name}: {exc}")

    missing = [i for i in range(n) if name_of(i) not in have]
    # after an engine restart the running ones have exited (and a grown workload runs more): start them
    stopped = [name_of(i) for i in range(n) if name_of(i) in have and spec(i, running)["state"] == "running"
               and have[name_of(i)].get("State") != "running"]
    if missing or stopped:
        log(f"workload: creating {len(missing)} containers, starting {len(stopped)} on {threads} threads")
    # a workload shrunk from a bigger one: what should no longer run is stopped
    running_extra = [name_of(i) for i in range(n) if name_of(i) in have and spec(i, running)["state"] != "running"
                     and have[name_of(i)].get("State") == "running"]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(make, missing))
        list(pool.map(restart, stopped))
        list(pool.map(kill, running_extra))
    if missing:
        timings["create_seconds"] = time.perf_counter() - t0
        timings["created"] = len(missing)
    wanted = {name_of(i) for i in range(n)}
    extra = [r["Id"] for name, r in have.items() if name not in wanted]
    if extra:
        _remove_ids(eng, extra, threads)
    # the exited ones must have exited before anyone counts states
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = current(client)
        should_run = {name_of(i) for i in range(n) if spec(i, running)["state"] == "running"}
        if all(r.get("State") != "running" for name, r in rows.items() if name not in should_run):
            break
        time.sleep(0.2)
    client.close()
    return timings


def _remove_ids(eng: BenchEngine, ids: list[str], threads: int = THREADS) -> None:
    local = _Clients()

    def rm(cid: str) -> None:
        # a mass removal meets the engine's own transient refusals ("removal already in progress",
        # a busy overlay mount): try again, and never let one container end the whole removal
        for attempt in range(3):
            try:
                _pool_client(local, eng.host).remove_container(cid, force=True, v=True)
                return
            except NotFound:
                return
            except EngineError as exc:
                if attempt == 2:
                    log(f"workload: could not remove {cid[:12]}: {exc}")
                    return
                time.sleep(0.5)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(rm, ids))


def remove(eng: BenchEngine, threads: int = THREADS, label_value: str | None = None) -> tuple[int, float]:
    """Remove every container labelled ``dockui.bench`` (or ``=label_value``); returns (count, seconds)."""
    client = eng.client()
    flt = f"{LABEL}={label_value}" if label_value else LABEL
    ids = [r["Id"] for r in client.containers(all=True, filters={"label": flt})]
    client.close()
    t0 = time.perf_counter()
    if ids:
        log(f"removing {len(ids)} bench containers")
        _remove_ids(eng, ids, threads)
    return len(ids), time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    p = base_parser("create (or --remove) the benchmark workload on the bench engine")
    p.add_argument("-n", type=int, default=N, help="containers (default %(default)s)")
    p.add_argument("--running", type=int, default=RUNNING, help="of which running (default %(default)s)")
    p.add_argument("--threads", type=int, default=THREADS)
    p.add_argument("--remove", action="store_true", help="remove the workload and exit")
    args = p.parse_args(argv)
    with bench_engine(keep=args.keep) as eng:
        if args.remove:
            n, secs = remove(eng, args.threads)
            print(f"removed {n} containers in {secs:.1f} s")
            return 0
        res = new_result("workload", f"create {args.n} containers ({args.running} running) on {args.threads} threads", eng.version)
        t = ensure(eng, args.n, args.running, args.threads)
        res["figures"].update(t)
        if t.get("created"):
            res["figures"]["containers_per_second"] = t["created"] / t["create_seconds"]
        c = eng.client()
        rows = c.containers(all=True, filters={"label": f"{LABEL}={WORKLOAD}"})
        res["figures"]["total"] = len(rows)
        res["figures"]["running"] = sum(1 for r in rows if r.get("State") == "running")
        c.close()
        if not args.keep:
            n, secs = remove(eng, args.threads)
            res["figures"]["remove_seconds"] = secs
        print_table(res)
        write_result("workload", res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
