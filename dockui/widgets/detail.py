"""DetailPane: the focused container's live figures with CPU, memory, network and block I/O sparklines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from .. import format as fmt
from ..ansi import one_line
from ..store.model import container_state
from ..store.stats import StatsSample


def detail_renderable(row: Mapping[str, Any] | None, hist: list[StatsSample], width: int = 100) -> Any:
    if row is None:
        return Text("no container selected", style="dim")
    name = one_line(str(row.get("Name") or row.get("Id", "")[:12]), 40)
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(f" {name} ", style="bold reverse")
    head.append(f"  {container_state(row)}  {one_line(str(row.get('Image') or ''), 40)}  {one_line(fmt.status(row), 40)}", style="dim")
    if row.get("State") != "running":
        return Text("\n").join([head, Text("  not running: no live stats", style="dim")])
    if not hist:
        return Text("\n").join([head, Text("  waiting for stats...", style="dim")])
    last = hist[-1]
    spark_w = max(10, min(60, width // 2 - 30))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(justify="right", style="bold")
    grid.add_column()
    grid.add_column()

    def line(label: str, values: list[float], top: float | None, now: str, style: str) -> None:
        grid.add_row(label, Text(fmt.sparkline(values, spark_w, top=top), style=style), Text(now))

    line("CPU", [s.cpu for s in hist], max([5.0, *(s.cpu for s in hist)]), fmt.percent(last.cpu), "cyan")
    line("MEM", [float(s.mem) for s in hist], float(last.mem_limit) or None,
         f"{fmt.size(last.mem)} / {fmt.size(last.mem_limit)} ({last.mem_pct:.1f}%)", "magenta")
    line("NET", [s.net_rx + s.net_tx for s in hist], None, f"rx {fmt.rate(last.net_rx)}  tx {fmt.rate(last.net_tx)}", "green")
    line("BLK", [s.blk_r + s.blk_w for s in hist], None, f"read {fmt.rate(last.blk_r)}  write {fmt.rate(last.blk_w)}  pids {last.pids}", "yellow")
    return _stack(head, grid)


def _stack(head: Text, grid: Table) -> Table:
    outer = Table.grid()
    outer.add_row(head)
    outer.add_row(grid)
    return outer


class DetailPane(Static):
    DEFAULT_CSS = """
    DetailPane { height: 6; background: $panel; display: none; }
    DetailPane.-open { display: block; }
    """

    def show(self, row: Mapping[str, Any] | None, hist: list[StatsSample]) -> None:
        self.update(detail_renderable(row, hist, self.size.width or 100))
