"""``dockui --fleet`` / ``--context a,b,c`` / ``-H a -H b``: start one store per engine, then the app.

The stores start before Textual is imported (as the single-engine launch does), each on its own
thread, so the engines are listed in parallel while the UI loads; an engine that does not answer
holds up nobody. ``--check`` prints one line per engine and exits 1 if any is not reachable.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import replace

from .. import __version__
from .engines import EngineSpec, fleet_specs


def _insecure(specs: list[EngineSpec]) -> list[EngineSpec]:
    from ..engine.transport import TLSConfig

    out = []
    for s in specs:
        ep = s.endpoint
        if ep is not None and ep.scheme in ("tcp", "https"):
            ep = replace(ep, tls=replace(ep.tls or TLSConfig(), verify=False))
        out.append(replace(s, endpoint=ep))
    return out


def check(specs: list[EngineSpec], timeout: float) -> int:
    from concurrent.futures import ThreadPoolExecutor

    from ..engine import EngineClient

    def probe(s: EngineSpec) -> str:
        if s.error or s.endpoint is None:
            return f"{s.name}: {s.error}"
        try:
            c = EngineClient(s.endpoint, timeout=min(timeout, 10))
            v = c.version()
            return f"{s.name}: {s.endpoint.display} Docker {v.get('Version')} {v.get('Os')}/{v.get('Arch')}"
        except Exception as exc:  # noqa: BLE001 - one line per engine, never a traceback
            return f"{s.name}: cannot reach {s.endpoint.display}: {exc}"

    with ThreadPoolExecutor(max_workers=max(1, min(8, len(specs)))) as pool:
        lines = list(pool.map(probe, specs))
    bad = 0
    for s, line in zip(specs, lines, strict=True):
        ok = not s.error and " Docker " in line and "cannot reach" not in line
        bad += not ok
        print(line, file=sys.stdout if ok else sys.stderr)
    return 1 if bad else 0


def run_fleet(args: argparse.Namespace, hosts: list[str], timeout: float) -> int:
    from .. import logfile

    contexts = [c.strip() for c in (args.context or "").split(",") if c.strip()]
    specs = fleet_specs(hosts=hosts, contexts=None if args.fleet else contexts, all_contexts=args.fleet)
    if args.tls_insecure:
        specs = _insecure(specs)
    if not specs:
        print("dockui: the fleet has no engine (no docker context, no --host)", file=sys.stderr)
        return 2
    log_path = logfile.setup()
    log = logging.getLogger("dockui")
    log.info("dockui %s starting (pid %d); fleet of %d engines: %s%s", __version__, os.getpid(), len(specs),
             ", ".join(f"{s.name}={s.endpoint.display if s.endpoint else s.error}" for s in specs),
             "; read-only" if args.read_only else "")
    for s in specs:
        if s.error:
            log.warning("engine %s: %s", s.name, s.error)
    if args.check:
        return check(specs, timeout)
    from ..cli import prepare_launch, run_app

    prepare_launch()  # as the single-engine launch: the store threads list while Textual loads
    from .store import build

    store = build(specs, readonly=args.read_only, timeout=timeout)
    store.start()
    from .. import config
    from ..app import DockuiApp

    app = DockuiApp(store.client, source="fleet", first_screen=args.screen, config=config.load(), store=store)  # type: ignore[arg-type]
    return run_app(app, log, log_path)
