"""Launch to the full list: ``dockui --host BENCH`` in a 200x60 pty until the whole list is on screen.

    python -m bench.bench_launch [--keep] [--runs 5]

Each run starts ``.venv/bin/dockui`` in a fresh pseudo-terminal (TERM=xterm-256color), reads
its output until both ``bench-0000`` (first by name, so on the first screen: the rows are drawn)
and the header's total `` [1000]`` (every container listed) have appeared, then quits with
ctrl+q (killed if it has not exited 5 s later). Median of the runs, against ``docker ps -a``
(the CLI's whole list) and ``python -c "import textual.app"`` (the framework's import floor).
"""

from __future__ import annotations

import sys
from typing import Any

from . import workload
from .common import (
    VENV_PY,
    PtyProcess,
    clean_env,
    dockui_argv,
    median,
    new_result,
    ratio,
    wall,
)
from .engine import BenchEngine, log
from .runner import main_on_workload

NAME = "bench_launch"


def launch_once(host: str, total: int, needle: bytes = workload.FIRST.encode(),
                timeout: float = 30.0) -> tuple[float | None, float | None, bool]:
    """(seconds to first output byte, seconds to the full list: the name and the total, quit cleanly with ctrl+q)."""
    p = PtyProcess(dockui_argv(host))
    try:
        first = p.wait_output_after(0, timeout)
        hit = p.wait_for(needle, 0, timeout)
        count = p.wait_for(f" [{total}]".encode(), 0, timeout)
    finally:
        clean = p.close(b"\x11", timeout=5.0)
    t_first = first - p.started if first else None
    t_list = max(hit[0], count[0]) - p.started if hit and count else None
    return t_first, t_list, clean


def run(eng: BenchEngine, runs: int = 5) -> dict[str, Any]:
    res = new_result(NAME, f"launch to first list in a 200x60 pty, median of {runs}", eng.version)
    env = clean_env()
    c = eng.client()
    total = len(c.containers(all=True))
    c.close()
    launch_once(eng.host, total)  # warm the page cache: every run after this one starts alike
    firsts, names, unclean = [], [], 0
    for i in range(runs):
        t_first, t_name, clean = launch_once(eng.host, total)
        log(f"bench_launch: run {i + 1}: first byte {t_first}, full list {t_name}, clean quit {clean}")
        if t_first is not None:
            firsts.append(t_first)
        if t_name is not None:
            names.append(t_name)
        unclean += 0 if clean else 1
    ps = [wall(["docker", "-H", eng.host, "ps", "-a"], env) for _ in range(runs)]
    imp = [wall([str(VENV_PY), "-c", "import textual.app"], env) for _ in range(runs)]
    imp_app = [wall([str(VENV_PY), "-c", "import dockui.app"], env) for _ in range(runs)]
    fig, base = res["figures"], res["baseline"]
    fig["containers"] = total
    fig["launch_to_first_list_s"] = median(names)
    fig["launch_to_first_output_s"] = median(firsts)
    fig["launch_to_first_list_runs_s"] = sorted(names)
    fig["runs_not_found"] = runs - len(names)
    fig["runs_not_quit_by_ctrl_q"] = unclean
    fig["python_import_dockui_app_s"] = median(imp_app)
    base["docker_ps_a_s"] = median(ps)
    base["python_import_textual_s"] = median(imp)
    res["ratios"]["launch / docker_ps_a"] = ratio(fig["launch_to_first_list_s"], base["docker_ps_a_s"])
    res["ratios"]["launch / import_textual"] = ratio(fig["launch_to_first_list_s"], base["python_import_textual_s"])
    if unclean:
        res["notes"].append(f"{unclean} runs did not exit within 5 s of ctrl+q and were killed")
    return res


def main(argv: list[str] | None = None) -> int:
    return main_on_workload(NAME, __doc__, run, ("--runs", int, 5), argv)


if __name__ == "__main__":
    sys.exit(main())
