"""The shared ``main`` of the benchmarks that run on the 1,000-container workload."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import workload
from .common import base_parser, print_table, write_result
from .engine import BenchEngine, bench_engine


def main_on_workload(name: str, doc: str, run: Callable[[BenchEngine, Any], dict[str, Any]],
                     option: tuple[str, type, Any], argv: list[str] | None = None) -> int:
    """Parse ``--keep`` and one option of the benchmark's own, make sure the workload is there,
    run, print and keep the result; the workload and engine go away unless ``--keep``."""
    flag, typ, default = option
    p = base_parser(doc.splitlines()[0])
    p.add_argument(flag, type=typ, default=default)
    args = p.parse_args(argv)
    with bench_engine(keep=args.keep) as eng:
        try:
            workload.ensure(eng)
            res = run(eng, getattr(args, flag.lstrip("-").replace("-", "_")))
        finally:
            if not args.keep:
                workload.remove(eng)
    print_table(res)
    write_result(name, res)
    return 0
