"""Configuration types for a swarm: ``SwarmSpec`` (checked against the API version) and ``SwarmExternalCA``.

``APIClient.create_swarm_spec`` builds a ``SwarmSpec`` with the client's negotiated version.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidVersion

__all__ = ["SwarmSpec", "SwarmExternalCA"]


def _lt(a: str, b: str) -> bool:
    return tuple(int(x) for x in a.split(".")) < tuple(int(x) for x in b.split("."))


class SwarmSpec(dict):
    """The settings of a swarm, for ``init_swarm`` and ``update_swarm``; ``version`` is the API
    version the settings are checked against."""

    def __init__(self, version: str, task_history_retention_limit: int | None = None,
                 snapshot_interval: int | None = None, keep_old_snapshots: int | None = None,
                 log_entries_for_slow_followers: int | None = None, heartbeat_tick: int | None = None,
                 election_tick: int | None = None, dispatcher_heartbeat_period: int | None = None,
                 node_cert_expiry: int | None = None, external_cas: list | None = None, name: str | None = None,
                 labels: dict | None = None, signing_ca_cert: str | None = None, signing_ca_key: str | None = None,
                 ca_force_rotate: int | None = None, autolock_managers: bool | None = None,
                 log_driver: dict | None = None) -> None:
        super().__init__()

        def need(minimum: str, what: str) -> None:
            if _lt(version, minimum):
                raise InvalidVersion(f"{what} is not supported in API version < {minimum}")

        if task_history_retention_limit is not None:
            self["Orchestration"] = {"TaskHistoryRetentionLimit": task_history_retention_limit}
        raft = {"SnapshotInterval": snapshot_interval, "KeepOldSnapshots": keep_old_snapshots,
                "LogEntriesForSlowFollowers": log_entries_for_slow_followers, "HeartbeatTick": heartbeat_tick,
                "ElectionTick": election_tick}
        if any(raft.values()):
            self["Raft"] = raft
        if dispatcher_heartbeat_period:
            self["Dispatcher"] = {"HeartbeatPeriod": dispatcher_heartbeat_period}
        ca: dict[str, Any] = {}
        if node_cert_expiry is not None:
            ca["NodeCertExpiry"] = node_cert_expiry
        if external_cas:
            if _lt(version, "1.25"):
                if len(external_cas) > 1:
                    raise InvalidVersion("Support for multiple external CAs is not available for API version < 1.25")
                ca["ExternalCA"] = external_cas[0]
            else:
                ca["ExternalCAs"] = external_cas
        if signing_ca_key:
            need("1.30", "signing_ca_key")
            ca["SigningCAKey"] = signing_ca_key
        if signing_ca_cert:
            need("1.30", "signing_ca_cert")
            ca["SigningCACert"] = signing_ca_cert
        if ca_force_rotate is not None:
            need("1.30", "force_rotate")
            ca["ForceRotate"] = ca_force_rotate
        if ca:
            self["CAConfig"] = ca
        if autolock_managers is not None:
            need("1.25", "autolock_managers")
            self["EncryptionConfig"] = {"AutoLockManagers": autolock_managers}
        if log_driver is not None:
            need("1.25", "log_driver")
            self["TaskDefaults"] = {"LogDriver": log_driver}
        if name is not None:
            self["Name"] = name
        if labels is not None:
            self["Labels"] = labels


class SwarmExternalCA(dict):
    """An external certificate authority that signs the swarm's node certificates."""

    def __init__(self, url: str, protocol: str | None = None, options: dict | None = None,
                 ca_cert: str | None = None) -> None:
        super().__init__()
        self.update({"URL": url, "Protocol": protocol, "Options": options, "CACert": ca_cert})
