"""``:fleet`` from inside: the engines screen of the fleet shown, or, from a single engine, the
whole dashboard switched to a fleet first (``:fleet`` all contexts plus the engine shown now;
``:fleet a,b,c`` those contexts), without restarting, as ``:ctx`` switches engines."""

from __future__ import annotations

import threading
from typing import Any

from ..messages import Touched
from ..store import StoreChange
from .engines import EngineSpec, fleet_specs, host_name


def specs_for(app: Any, rest: str) -> list[EngineSpec]:
    names = [n.strip() for n in rest.replace(" ", ",").split(",") if n.strip()]
    if names:
        return fleet_specs(contexts=names)
    specs = fleet_specs(all_contexts=True)
    ep = app.client.endpoint
    if not any(s.endpoint is not None and s.endpoint.url == ep.url for s in specs):
        specs.insert(0, EngineSpec(host_name(ep.url), ep, app.source or "--host"))
        names_seen: dict[str, int] = {}
        out = []
        for s in specs:
            n = names_seen.get(s.name, 0) + 1
            names_seen[s.name] = n
            out.append(s if n == 1 else EngineSpec(f"{s.name}-{n}", s.endpoint, s.source, s.error))
        specs = out
    return specs


def enter_fleet(app: Any, specs: list[EngineSpec]) -> None:
    """Point the dashboard at a fleet of ``specs`` (the old engine's store stops off the UI thread)."""
    from .store import build

    app.sessions.close_all()
    old_unsub, old_store, old_stats = app._unsubscribe, app.store, app.stats
    old_unsub()
    old_stats.close()
    threading.Thread(target=old_store.stop, daemon=True).start()
    store = build(specs, readonly=app.readonly, timeout=app.client.timeout)
    app.source = "fleet"
    app._make_store(store.client, store)
    app._late_subscribe = False
    app._unsubscribe = store.subscribe(app._on_store_change)
    with app._pending_lock:
        app._pending = StoreChange()
    store.start()
    getattr(app.stats, "start", lambda: None)()  # the stats sampler, as the app starts it
    app.store_signal.publish(Touched(engine_switched=True))
    app.refresh_header()
    app.notify(f"fleet of {len(specs)} engines: " + ", ".join(s.name for s in specs), markup=False)


def fleet_command(app: Any, rest: str) -> None:
    from ..screens.fleet import FleetScreen

    if not getattr(app.store, "fleet", False) or rest.strip():
        specs = specs_for(app, rest)
        if not specs:
            app.notify("no engine for a fleet (no docker context)", severity="warning", markup=False)
            return
        enter_fleet(app, specs)
    app.push_screen(FleetScreen())
