"""FleetClient: the engine client of a fleet, routing each call to the row's own engine.

Screens, sessions and kinds call ``client.method(rid, ...)`` with the row's id; in a fleet that
id is ``"engine/raw-id"``. Any call whose first argument is such an id goes to that engine's
client with the raw id; ``exec_create`` answers an exec id prefixed the same way, so the
``exec_start`` / ``exec_resize`` / ``exec_inspect`` that follow reach the same engine. Every
other call (``df``, ``pull``, ``containers(...)``) goes to the first engine, unless its first
argument is a raw id one engine of the fleet knows (``locate``: a project's container ids, a
task's container): then to that engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

_TAGGED = frozenset({"exec_create"})  # calls whose answer's Id must carry the engine's name


class FleetClient:
    def __init__(self, clients: Mapping[str, Any], locate: Callable[[str], str] | None = None, readonly: bool = False) -> None:
        self.clients = dict(clients)
        self.locate = locate
        self.default = next(iter(self.clients.values()), None)
        if self.default is None:  # no engine could even be tried: every call says it cannot be reached
            from ..engine import EngineClient
            from ..engine.transport import Endpoint

            self.default = EngineClient(Endpoint("unix:///nonexistent/dockui-fleet-has-no-engine.sock"), readonly=readonly)

    def route(self, oid: str) -> tuple[Any, str]:
        """The client of the engine ``oid`` names (``engine/id``) and the raw id; else the first engine's."""
        if isinstance(oid, str):
            name, sep, raw = oid.partition("/")
            if sep:
                c = self.clients.get(name)
                if c is not None:
                    return c, raw
            name = self.locate(oid) if self.locate is not None else ""
            if name in self.clients:
                return self.clients[name], oid
        return self.default, oid

    def engine_of(self, oid: str) -> str:
        name, sep, _ = oid.partition("/") if isinstance(oid, str) else ("", "", "")
        return name if sep and name in self.clients else ""

    def clone(self) -> FleetClient:
        return FleetClient({n: c.clone() for n, c in self.clients.items()}, self.locate)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") or self.default is None:
            raise AttributeError(attr)
        value = getattr(self.default, attr)
        if not callable(value):
            return value

        def call(*args: Any, **kw: Any) -> Any:
            if args and isinstance(args[0], str):
                name = self.engine_of(args[0])
                raw = args[0][len(name) + 1:] if name else args[0]
                if not name and self.locate is not None:
                    name = self.locate(raw)
                if name in self.clients:
                    res = getattr(self.clients[name], attr)(raw, *args[1:], **kw)
                    if attr in _TAGGED and isinstance(res, dict) and isinstance(res.get("Id"), str):
                        res = {**res, "Id": f"{name}/{res['Id']}"}
                    return res
            return value(*args, **kw)

        return call
