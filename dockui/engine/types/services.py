"""Configuration types for swarm services, with docker-py's names and checks.

``TaskTemplate``, ``ContainerSpec``, ``Mount`` (and ``Mount.parse_mount_string``), ``Resources``,
``UpdateConfig``, ``RollbackConfig``, ``RestartPolicy``, ``ServiceMode``, ``EndpointSpec``,
``Placement``, ``PlacementPreference``, ``DriverConfig``, ``SecretReference``,
``ConfigReference``, ``DNSConfig``, ``Privileges``, ``NetworkAttachmentConfig``. Each is a ``dict``
holding the engine's JSON shape; keyword arguments are converted (a string command is split, an
environment dict becomes ``KEY=VALUE`` strings, ``"/src:/dst:ro"`` becomes a bind mount, ...).
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidArgument
from ..utils import (
    convert_service_networks,
    format_environment,
    format_extra_hosts,
    parse_bytes,
    resource_id,
    split_command,
)

__all__ = [
    "TaskTemplate", "ContainerSpec", "Mount", "Resources", "UpdateConfig", "RollbackConfig", "RestartPolicy",
    "RestartConditionTypesEnum", "ServiceMode", "EndpointSpec", "Placement", "PlacementPreference", "DriverConfig",
    "SecretReference", "ConfigReference", "DNSConfig", "Privileges", "NetworkAttachmentConfig",
    "convert_service_ports",
]


def convert_service_ports(ports: dict | list) -> list:
    """``{published: target}`` or ``{published: (target, protocol, mode)}`` -> the engine's port list."""
    if isinstance(ports, list):
        return ports
    if not isinstance(ports, dict):
        raise TypeError("Invalid type for ports, expected dict or list")
    out = []
    for published, spec in ports.items():
        port: dict[str, Any] = {"Protocol": "tcp", "PublishedPort": published}
        if isinstance(spec, tuple):
            if len(spec) > 3:
                raise ValueError("Service port configuration can have at most 3 elements: (target_port, protocol, mode)")
            port["TargetPort"] = spec[0]
            if len(spec) > 1 and spec[1] is not None:
                port["Protocol"] = spec[1]
            if len(spec) == 3:
                port["PublishMode"] = spec[2]
        else:
            port["TargetPort"] = spec
        out.append(port)
    return out


class TaskTemplate(dict):
    """What every task of a service runs: its container spec and scheduling settings."""

    def __init__(self, container_spec: dict, resources: dict | None = None, restart_policy: dict | None = None,
                 placement: dict | list | None = None, log_driver: dict | None = None, networks: list | None = None,
                 force_update: int | None = None) -> None:
        super().__init__()
        self["ContainerSpec"] = container_spec
        if resources:
            self["Resources"] = resources
        if restart_policy:
            self["RestartPolicy"] = restart_policy
        if placement:
            self["Placement"] = Placement(constraints=placement) if isinstance(placement, list) else placement
        if log_driver:
            self["LogDriver"] = log_driver
        if networks:
            self["Networks"] = convert_service_networks(networks)
        if force_update is not None:
            if not isinstance(force_update, int) or isinstance(force_update, bool):
                raise TypeError("force_update must be an integer")
            self["ForceUpdate"] = force_update

    @property
    def container_spec(self) -> dict | None:
        return self.get("ContainerSpec")

    @property
    def resources(self) -> dict | None:
        return self.get("Resources")

    @property
    def restart_policy(self) -> dict | None:
        return self.get("RestartPolicy")

    @property
    def placement(self) -> dict | None:
        return self.get("Placement")


class ContainerSpec(dict):
    """The container a service's task runs (``TaskTemplate.ContainerSpec``)."""

    def __init__(self, image: str, command: str | list | None = None, args: list | None = None,
                 hostname: str | None = None, env: dict | list | None = None, workdir: str | None = None,
                 user: str | None = None, labels: dict | None = None, mounts: list | None = None,
                 stop_grace_period: int | None = None, secrets: list | None = None, tty: bool | None = None,
                 groups: list | None = None, open_stdin: bool | None = None, read_only: bool | None = None,
                 stop_signal: str | None = None, healthcheck: dict | None = None, hosts: dict | None = None,
                 dns_config: dict | None = None, configs: list | None = None, privileges: dict | None = None,
                 isolation: str | None = None, init: bool | None = None, cap_add: list | None = None,
                 cap_drop: list | None = None, sysctls: dict | None = None) -> None:
        super().__init__()
        self["Image"] = image
        self["Command"] = split_command(command) if isinstance(command, str) else command
        self["Args"] = args
        optional = {"Hostname": hostname, "Dir": workdir, "User": user, "Groups": groups, "StopSignal": stop_signal,
                    "StopGracePeriod": stop_grace_period, "Labels": labels}
        if env is not None:
            self["Env"] = format_environment(env) if isinstance(env, dict) else env
        for key, value in optional.items():
            if value is not None:
                self[key] = value
        if hosts is not None:
            self["Hosts"] = format_extra_hosts(hosts, task=True)
        if mounts is not None:
            self["Mounts"] = [Mount.parse_mount_string(m) if isinstance(m, str) else m for m in mounts]
        for key, value, kind in (("Secrets", secrets, list), ("Configs", configs, list)):
            if value is not None:
                if not isinstance(value, kind):
                    raise TypeError(f"{key.lower()} must be a list")
                self[key] = value
        for key, value in (("DNSConfig", dns_config), ("Privileges", privileges), ("Healthcheck", healthcheck),
                           ("TTY", tty), ("OpenStdin", open_stdin), ("ReadOnly", read_only),
                           ("Isolation", isolation), ("Init", init)):
            if value is not None:
                self[key] = value
        for key, value, name in (("CapabilityAdd", cap_add, "cap_add"), ("CapabilityDrop", cap_drop, "cap_drop")):
            if value is not None:
                if not isinstance(value, list):
                    raise TypeError(f"{name} must be a list")
                self[key] = value
        if sysctls is not None:
            if not isinstance(sysctls, dict):
                raise TypeError("sysctls must be a dict")
            self["Sysctls"] = sysctls


class Mount(dict):
    """A mount in a service's container: ``volume`` (default), ``bind``, ``tmpfs`` or ``npipe``."""

    def __init__(self, target: str, source: str | None, type: str = "volume", read_only: bool = False,
                 consistency: str | None = None, propagation: str | None = None, no_copy: bool = False,
                 labels: dict | None = None, driver_config: dict | None = None, tmpfs_size: int | str | None = None,
                 tmpfs_mode: int | None = None, subpath: str | None = None) -> None:
        super().__init__()
        if type not in ("bind", "volume", "tmpfs", "npipe"):
            raise InvalidArgument(f'Unsupported mount type: "{type}"')
        self["Target"] = target
        self["Source"] = source
        self["Type"] = type
        self["ReadOnly"] = read_only
        if consistency:
            self["Consistency"] = consistency

        def refuse(*values: Any) -> None:
            if any(values):
                raise InvalidArgument(f"Incompatible options have been provided for the {type} type mount.")

        if type == "bind":
            if propagation is not None:
                self["BindOptions"] = {"Propagation": propagation}
            refuse(labels, driver_config, no_copy, tmpfs_size, tmpfs_mode, subpath)
        elif type == "volume":
            opts: dict[str, Any] = {}
            if no_copy:
                opts["NoCopy"] = True
            if labels:
                opts["Labels"] = labels
            if driver_config:
                opts["DriverConfig"] = driver_config
            if subpath:
                opts["Subpath"] = subpath
            if opts:
                self["VolumeOptions"] = opts
            refuse(propagation, tmpfs_size, tmpfs_mode)
        elif type == "tmpfs":
            topts: dict[str, Any] = {}
            if tmpfs_mode:
                if not isinstance(tmpfs_mode, int):
                    raise InvalidArgument("tmpfs_mode must be an integer")
                topts["Mode"] = tmpfs_mode
            if tmpfs_size:
                topts["SizeBytes"] = parse_bytes(tmpfs_size)
            if topts:
                self["TmpfsOptions"] = topts
            refuse(propagation, labels, driver_config, no_copy)

    @classmethod
    def parse_mount_string(cls, string: str) -> Mount:
        """``"target"``, ``"source:target"`` or ``"source:target:ro|rw"``; a source starting with
        ``/`` makes a bind mount, anything else names a volume."""
        parts = string.split(":")
        if len(parts) > 3:
            raise InvalidArgument(f'Invalid mount format "{string}"')
        if len(parts) == 1:
            return cls(target=parts[0], source=None)
        source, target = parts[0], parts[1]
        read_only = not (len(parts) == 2 or parts[2] == "rw")
        return cls(target, source, read_only=read_only, type="bind" if source.startswith("/") else "volume")


def _generic_resources(value: dict | list) -> list:
    if isinstance(value, list):
        return value
    if not isinstance(value, dict):
        raise InvalidArgument(f"generic_resources must be a dict or a list (found {type(value)})")
    out = []
    for kind, amount in value.items():
        if isinstance(amount, int):
            spec = "DiscreteResourceSpec"
        elif isinstance(amount, str):
            spec = "NamedResourceSpec"
        else:
            raise InvalidArgument(f"Unsupported generic resource reservation type: {({kind: amount})}")
        out.append({spec: {"Kind": kind, "Value": amount}})
    return out


class Resources(dict):
    """CPU (nano CPUs) and memory (bytes) limits and reservations of a task."""

    def __init__(self, cpu_limit: int | None = None, mem_limit: int | None = None, cpu_reservation: int | None = None,
                 mem_reservation: int | None = None, generic_resources: dict | list | None = None) -> None:
        super().__init__()
        limits = {k: v for k, v in (("NanoCPUs", cpu_limit), ("MemoryBytes", mem_limit)) if v is not None}
        reserve = {k: v for k, v in (("NanoCPUs", cpu_reservation), ("MemoryBytes", mem_reservation)) if v is not None}
        if generic_resources is not None:
            reserve["GenericResources"] = _generic_resources(generic_resources)
        if limits:
            self["Limits"] = limits
        if reserve:
            self["Reservations"] = reserve


class UpdateConfig(dict):
    """How a service's tasks are replaced on update (parallelism, delay in ns, failure action, order)."""

    def __init__(self, parallelism: int = 0, delay: int | None = None, failure_action: str = "continue",
                 monitor: int | None = None, max_failure_ratio: float | None = None, order: str | None = None) -> None:
        super().__init__()
        self["Parallelism"] = parallelism
        if delay is not None:
            self["Delay"] = delay
        if failure_action not in ("pause", "continue", "rollback"):
            raise InvalidArgument("failure_action must be one of `pause`, `continue`, `rollback`")
        self["FailureAction"] = failure_action
        if monitor is not None:
            if not isinstance(monitor, int):
                raise TypeError("monitor must be an integer")
            self["Monitor"] = monitor
        if max_failure_ratio is not None:
            if not isinstance(max_failure_ratio, (int, float)):
                raise TypeError("max_failure_ratio must be a float")
            if not 0 <= max_failure_ratio <= 1:
                raise InvalidArgument("max_failure_ratio must be a number between 0 and 1")
            self["MaxFailureRatio"] = max_failure_ratio
        if order is not None:
            if order not in ("start-first", "stop-first"):
                raise InvalidArgument("order must be either `start-first` or `stop-first`")
            self["Order"] = order


class RollbackConfig(UpdateConfig):
    """How a service is rolled back (same fields as :class:`UpdateConfig`)."""


class RestartConditionTypesEnum:
    """The restart conditions a :class:`RestartPolicy` accepts."""

    _values = ("none", "on-failure", "any")
    NONE, ON_FAILURE, ANY = _values


class RestartPolicy(dict):
    """When a service's tasks are restarted (``none``, ``on-failure``, ``any``); times in ns."""

    condition_types = RestartConditionTypesEnum

    def __init__(self, condition: str = RestartConditionTypesEnum.NONE, delay: int = 0, max_attempts: int = 0,
                 window: int = 0) -> None:
        super().__init__()
        if condition not in self.condition_types._values:
            raise TypeError(f"Invalid RestartPolicy condition {condition}")
        self.update({"Condition": condition, "Delay": delay, "MaxAttempts": max_attempts, "Window": window})


class DriverConfig(dict):
    """A driver name and its options (volume mounts' and log drivers' settings)."""

    def __init__(self, name: str, options: dict | None = None) -> None:
        super().__init__()
        self["Name"] = name
        if options:
            self["Options"] = options


class EndpointSpec(dict):
    """How a service is reached: ``vip`` or ``dnsrr`` and its published ports."""

    def __init__(self, mode: str | None = None, ports: dict | list | None = None) -> None:
        super().__init__()
        if ports:
            self["Ports"] = convert_service_ports(ports)
        if mode:
            self["Mode"] = mode


class ServiceMode(dict):
    """``replicated`` (with ``replicas``), ``global``, ``replicated-job`` or ``global-job``."""

    def __init__(self, mode: str, replicas: int | None = None, concurrency: int | None = None) -> None:
        super().__init__()
        replicated = ("replicated", "replicated-job")
        if mode not in replicated + ("global", "global-job"):
            raise InvalidArgument('mode must be either "replicated", "global", "replicated-job" or "global-job"')
        if mode not in replicated:
            if replicas is not None:
                raise InvalidArgument('replicas can only be used for "replicated" or "replicated-job" mode')
            if concurrency is not None:
                raise InvalidArgument('concurrency can only be used for "replicated-job" mode')
        key = {"global-job": "GlobalJob", "replicated-job": "ReplicatedJob"}.get(mode, mode)
        self.mode = key
        self[key] = {}
        if replicas is not None:
            if mode == "replicated":
                self[key]["Replicas"] = replicas
            else:
                self[key]["MaxConcurrent"] = concurrency or 1
                self[key]["TotalCompletions"] = replicas

    @property
    def replicas(self) -> int | None:
        if "replicated" in self:
            return self["replicated"].get("Replicas")
        if "ReplicatedJob" in self:
            return self["ReplicatedJob"].get("TotalCompletions")
        return None


class _FileReference(dict):
    _kind = ""

    def __init__(self, ref_id: str | dict, name: str, filename: str | None = None, uid: str | None = None,
                 gid: str | None = None, mode: int = 0o444) -> None:
        super().__init__()
        self[f"{self._kind}Name"] = name
        self[f"{self._kind}ID"] = resource_id(ref_id)
        self["File"] = {"Name": filename or name, "UID": uid or "0", "GID": gid or "0", "Mode": mode}


class SecretReference(_FileReference):
    """A secret given to a service's containers as a file (``/run/secrets/NAME`` by default)."""

    _kind = "Secret"

    def __init__(self, secret_id: str | dict, secret_name: str, filename: str | None = None, uid: str | None = None,
                 gid: str | None = None, mode: int = 0o444) -> None:
        super().__init__(secret_id, secret_name, filename, uid, gid, mode)


class ConfigReference(_FileReference):
    """A config given to a service's containers as a file (``/NAME`` by default)."""

    _kind = "Config"

    def __init__(self, config_id: str | dict, config_name: str, filename: str | None = None, uid: str | None = None,
                 gid: str | None = None, mode: int = 0o444) -> None:
        super().__init__(config_id, config_name, filename, uid, gid, mode)


class Placement(dict):
    """Where tasks may run: constraints, spread preferences, platforms, max replicas per node."""

    def __init__(self, constraints: list | None = None, preferences: list | None = None,
                 platforms: list | None = None, maxreplicas: int | None = None) -> None:
        super().__init__()
        if constraints is not None:
            self["Constraints"] = constraints
        if preferences is not None:
            self["Preferences"] = [PlacementPreference(*p) if isinstance(p, tuple) else p for p in preferences]
        if maxreplicas is not None:
            self["MaxReplicas"] = maxreplicas
        if platforms:
            self["Platforms"] = [{"Architecture": arch, "OS": os_} for arch, os_ in platforms]


class PlacementPreference(dict):
    """Spread tasks over the values of a node label (strategy ``spread`` only)."""

    def __init__(self, strategy: str, descriptor: str) -> None:
        super().__init__()
        if strategy != "spread":
            raise InvalidArgument(f'PlacementPreference strategy value is invalid ({strategy}): must be "spread".')
        self["Spread"] = {"SpreadDescriptor": descriptor}


class DNSConfig(dict):
    """Resolver settings of a service's containers."""

    def __init__(self, nameservers: list | None = None, search: list | None = None, options: list | None = None) -> None:
        super().__init__()
        self.update({"Nameservers": nameservers, "Search": search, "Options": options})


class Privileges(dict):
    """Security options of a service's containers: a credential spec (Windows) and an SELinux context."""

    def __init__(self, credentialspec_file: str | None = None, credentialspec_registry: str | None = None,
                 selinux_disable: bool | None = None, selinux_user: str | None = None, selinux_role: str | None = None,
                 selinux_type: str | None = None, selinux_level: str | None = None) -> None:
        super().__init__()
        cred = {k: v for k, v in (("Registry", credentialspec_registry), ("File", credentialspec_file)) if v is not None}
        if len(cred) > 1:
            raise InvalidArgument("credentialspec_file and credentialspec_registry are mutually exclusive")
        if cred:
            self["CredentialSpec"] = cred
        self["SELinuxContext"] = {"Disable": selinux_disable, "User": selinux_user, "Role": selinux_role,
                                  "Type": selinux_type, "Level": selinux_level}


class NetworkAttachmentConfig(dict):
    """A network a service's tasks join, with aliases and driver options."""

    def __init__(self, target: str, aliases: list | None = None, options: dict | None = None) -> None:
        super().__init__()
        self.update({"Target": target, "Aliases": aliases, "DriverOpts": options})
