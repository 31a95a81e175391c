"""``EngineClient``: every resource family in one object, built from an address or the environment."""

from __future__ import annotations

from .config import resolve
from .configs import ConfigMixin
from .containers import ContainerMixin
from .execs import ExecMixin
from .images import ImageMixin
from .networks import NetworkMixin
from .plugins import PluginMixin
from .secrets import SecretMixin
from .services import ServiceMixin
from .swarm import SwarmMixin
from .system import SystemMixin
from .transport import Endpoint
from .volumes import VolumeMixin


class EngineClient(SystemMixin, ContainerMixin, ExecMixin, ImageMixin, NetworkMixin, VolumeMixin, SwarmMixin,
                   ServiceMixin, SecretMixin, ConfigMixin, PluginMixin):
    """The low-level client: method names follow docker-py's ``APIClient``."""

    @classmethod
    def from_env(cls, host: str | None = None, context: str | None = None, **kwargs) -> EngineClient:
        endpoint, _source = resolve(host, context)
        return cls(endpoint, **kwargs)

    def clone(self) -> EngineClient:
        """A second client on the same engine (own connection pool), for another thread's work."""
        c = EngineClient(self.endpoint, version=self._api_version or "auto", timeout=self.timeout, readonly=self.readonly)
        c.ping_headers = dict(self.ping_headers)
        return c


__all__ = ["EngineClient", "Endpoint"]
