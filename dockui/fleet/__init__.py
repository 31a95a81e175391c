"""The fleet: many engines on one screen (issue 20).

``engines`` says which engines (contexts, ``--host`` addresses, and what is wrong with each),
``store`` composes one ``dockui.store.Store`` per engine into the Store interface the screens
read, ``client`` routes a row's calls to its own engine, ``stats`` keys stats by fleet row id,
``kinds`` adds the ENGINE column and ``/engine=`` filter to every kind, ``header`` draws each
engine's state compactly.
"""

from __future__ import annotations

from typing import Any


def is_fleet(store: Any) -> bool:
    return bool(getattr(store, "fleet", False))


def client_for(app: Any, rid: str) -> tuple[Any, str]:
    """The engine client a row belongs to and the id that engine knows (single engine: the app's)."""
    route = getattr(app.store, "route", None)
    if route is None:
        return app.client, rid
    return route(rid)
