"""The single source of truth for the UI: engine snapshots kept current by ``/events``, and stats."""

from .model import ConnectionState, EngineFacts, StoreChange
from .stats import StatsHub, StatsSample
from .store import Store

__all__ = ["ConnectionState", "EngineFacts", "StoreChange", "StatsHub", "StatsSample", "Store"]
