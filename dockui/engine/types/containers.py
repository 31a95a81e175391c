"""Configuration types: HostConfig, LogConfig, Ulimit, DeviceRequest, ContainerConfig.

Each builds the engine's JSON from docker-py's keyword arguments, converting (sizes such as
``"512m"``, port and volume bindings, links, extra hosts, devices) and checking types and the
API version the way docker-py's ``docker.types`` do.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidArgument, InvalidVersion
from ..utils import (
    convert_port_bindings,
    convert_tmpfs_mounts,
    convert_volume_binds,
    format_environment,
    format_extra_hosts,
    labels_to_dict,
    normalize_links,
    parse_bytes,
    parse_devices,
    split_command,
    version_gte,
    version_lt,
)
from .healthcheck import Healthcheck

__all__ = ["LogConfig", "LogConfigTypesEnum", "Ulimit", "DeviceRequest", "HostConfig", "ContainerConfig"]


def _arg(kwargs: dict, name: str, key: str) -> Any:
    return kwargs.get(name, kwargs.get(key))


class LogConfigTypesEnum:
    """The logging drivers docker-py names."""

    _values = ("json-file", "syslog", "journald", "gelf", "fluentd", "none")
    JSON, SYSLOG, JOURNALD, GELF, FLUENTD, NONE = _values


class LogConfig(dict):
    """A container's logging driver (``type``) and its options (``config``, a dict)."""

    types = LogConfigTypesEnum

    def __init__(self, **kwargs: Any) -> None:
        config = _arg(kwargs, "config", "Config") or {}
        if config and not isinstance(config, dict):
            raise ValueError("LogConfig.config must be a dictionary")
        super().__init__({"Type": _arg(kwargs, "type", "Type"), "Config": config})

    @property
    def type(self) -> Any:
        return self["Type"]

    @type.setter
    def type(self, value: Any) -> None:
        self["Type"] = value

    @property
    def config(self) -> dict:
        return self["Config"]

    def set_config_value(self, key: str, value: Any) -> None:
        self.config[key] = value

    def unset_config(self, key: str) -> None:
        self.config.pop(key, None)


class Ulimit(dict):
    """A resource limit: ``name`` (``nofile``...), ``soft`` and ``hard`` integers."""

    def __init__(self, **kwargs: Any) -> None:
        name = _arg(kwargs, "name", "Name")
        soft = _arg(kwargs, "soft", "Soft")
        hard = _arg(kwargs, "hard", "Hard")
        if not isinstance(name, str):
            raise ValueError("Ulimit.name must be a string")
        if soft and not isinstance(soft, int):
            raise ValueError("Ulimit.soft must be an integer")
        if hard and not isinstance(hard, int):
            raise ValueError("Ulimit.hard must be an integer")
        super().__init__({"Name": name, "Soft": soft, "Hard": hard})

    @property
    def name(self) -> str:
        return self["Name"]

    @name.setter
    def name(self, value: str) -> None:
        self["Name"] = value

    @property
    def soft(self) -> Any:
        return self.get("Soft")

    @soft.setter
    def soft(self, value: Any) -> None:
        self["Soft"] = value

    @property
    def hard(self) -> Any:
        return self.get("Hard")

    @hard.setter
    def hard(self, value: Any) -> None:
        self["Hard"] = value


class DeviceRequest(dict):
    """A request for devices (GPUs) from a driver: ``driver``, ``count`` (-1: all), ``device_ids``,
    ``capabilities`` (a list of lists) and driver ``options``."""

    _FIELDS = (("driver", "Driver", str, "", "a string"), ("count", "Count", int, 0, "an integer"),
               ("device_ids", "DeviceIDs", list, None, "a list"), ("capabilities", "Capabilities", list, None, "a list"),
               ("options", "Options", dict, None, "a dict"))

    def __init__(self, **kwargs: Any) -> None:
        values: dict[str, Any] = {}
        for name, key, kind, empty, words in self._FIELDS:
            value = _arg(kwargs, name, key)
            if value is None:
                value = kind() if empty is None else empty
            elif not isinstance(value, kind):
                raise ValueError(f"DeviceRequest.{name} must be {words}")
            values[key] = value
        super().__init__(values)

    driver = property(lambda self: self["Driver"], lambda self, v: self.__setitem__("Driver", v))
    count = property(lambda self: self["Count"], lambda self, v: self.__setitem__("Count", v))
    device_ids = property(lambda self: self["DeviceIDs"], lambda self, v: self.__setitem__("DeviceIDs", v))
    capabilities = property(lambda self: self["Capabilities"], lambda self, v: self.__setitem__("Capabilities", v))
    options = property(lambda self: self["Options"], lambda self, v: self.__setitem__("Options", v))


def host_config_type_error(param: str, value: Any, expected: str) -> TypeError:
    return TypeError(f"Invalid type for {param} param: expected {expected} but found {type(value)}")


def host_config_version_error(param: str, version: str, less_than: bool = True) -> InvalidVersion:
    return InvalidVersion(f"{param} param is not supported in API versions {'<' if less_than else '>'} {version}")


def host_config_value_error(param: str, value: Any) -> ValueError:
    return ValueError(f"Invalid value for {param} param: {value}")


def host_config_incompatible_error(param: str, value: Any, incompatible: str) -> InvalidArgument:
    return InvalidArgument(f'"{value}" {param} is incompatible with {incompatible}')


class HostConfig(dict):
    """The host side of a container (``HostConfig`` in the engine's create body): resources, binds,
    ports, networking mode, restart policy, security options, devices, logging...

    Sizes (``mem_limit``, ``memswap_limit``, ``mem_reservation``, ``kernel_memory``, ``shm_size``)
    take ints or strings such as ``"512m"``; ``port_bindings`` and ``binds`` take docker-py's
    shapes; ``version`` is the API version the options are checked against.
    """

    def __init__(self, version: str, binds: Any = None, port_bindings: Any = None, lxc_conf: Any = None,
                 publish_all_ports: bool = False, links: Any = None, privileged: bool = False, dns: Any = None,
                 dns_search: Any = None, volumes_from: Any = None, network_mode: str | None = None,
                 restart_policy: dict | None = None, cap_add: Any = None, cap_drop: Any = None, devices: Any = None,
                 extra_hosts: Any = None, read_only: bool | None = None, pid_mode: str | None = None,
                 ipc_mode: str | None = None, security_opt: Any = None, ulimits: Any = None, log_config: Any = None,
                 mem_limit: Any = None, memswap_limit: Any = None, mem_reservation: Any = None,
                 kernel_memory: Any = None, mem_swappiness: Any = None, cgroup_parent: str | None = None,
                 group_add: Any = None, cpu_quota: Any = None, cpu_period: Any = None, blkio_weight: Any = None,
                 blkio_weight_device: Any = None, device_read_bps: Any = None, device_write_bps: Any = None,
                 device_read_iops: Any = None, device_write_iops: Any = None, oom_kill_disable: bool = False,
                 shm_size: Any = None, sysctls: Any = None, tmpfs: Any = None, oom_score_adj: Any = None,
                 dns_opt: Any = None, cpu_shares: Any = None, cpuset_cpus: Any = None, userns_mode: Any = None,
                 uts_mode: Any = None, pids_limit: Any = None, isolation: Any = None, auto_remove: bool = False,
                 storage_opt: Any = None, init: Any = None, init_path: Any = None, volume_driver: Any = None,
                 cpu_count: Any = None, cpu_percent: Any = None, nano_cpus: Any = None, cpuset_mems: Any = None,
                 runtime: Any = None, mounts: Any = None, cpu_rt_period: Any = None, cpu_rt_runtime: Any = None,
                 device_cgroup_rules: Any = None, device_requests: Any = None, cgroupns: Any = None) -> None:
        super().__init__()

        def need(param: str, since: str) -> None:
            if version_lt(version, since):
                raise host_config_version_error(param, since)

        def typed(param: str, value: Any, kind: type, words: str) -> Any:
            if not isinstance(value, kind):
                raise host_config_type_error(param, value, words)
            return value

        if mem_limit is not None:
            self["Memory"] = parse_bytes(mem_limit)
        if memswap_limit is not None:
            self["MemorySwap"] = parse_bytes(memswap_limit)
        if mem_reservation:
            self["MemoryReservation"] = parse_bytes(mem_reservation)
        if kernel_memory:
            self["KernelMemory"] = parse_bytes(kernel_memory)
        if mem_swappiness is not None:
            self["MemorySwappiness"] = typed("mem_swappiness", mem_swappiness, int, "int")
        if shm_size is not None:
            self["ShmSize"] = parse_bytes(shm_size) if isinstance(shm_size, str) else shm_size
        if pid_mode:
            if version_lt(version, "1.24") and pid_mode != "host":
                raise host_config_value_error("pid_mode", pid_mode)
            self["PidMode"] = pid_mode
        if ipc_mode:
            self["IpcMode"] = ipc_mode
        if privileged:
            self["Privileged"] = privileged
        if oom_kill_disable:
            self["OomKillDisable"] = oom_kill_disable
        if oom_score_adj:
            need("oom_score_adj", "1.22")
            self["OomScoreAdj"] = typed("oom_score_adj", oom_score_adj, int, "int")
        if publish_all_ports:
            self["PublishAllPorts"] = publish_all_ports
        if read_only is not None:
            self["ReadonlyRootfs"] = read_only
        if dns_search:
            self["DnsSearch"] = dns_search
        if network_mode == "host" and port_bindings:
            raise host_config_incompatible_error("network_mode", "host", "port_bindings")
        self["NetworkMode"] = network_mode or "default"
        if restart_policy:
            self["RestartPolicy"] = typed("restart_policy", restart_policy, dict, "dict")
        if cap_add:
            self["CapAdd"] = cap_add
        if cap_drop:
            self["CapDrop"] = cap_drop
        if devices:
            self["Devices"] = parse_devices(devices)
        if group_add:
            self["GroupAdd"] = [str(g) for g in group_add]
        if dns is not None:
            self["Dns"] = dns
        if dns_opt is not None:
            self["DnsOptions"] = dns_opt
        if security_opt is not None:
            self["SecurityOpt"] = typed("security_opt", security_opt, list, "list")
        if sysctls:
            self["Sysctls"] = {k: str(v) for k, v in typed("sysctls", sysctls, dict, "dict").items()}
        if volumes_from is not None:
            self["VolumesFrom"] = volumes_from.split(",") if isinstance(volumes_from, str) else volumes_from
        if binds is not None:
            self["Binds"] = convert_volume_binds(binds)
        if port_bindings is not None:
            self["PortBindings"] = convert_port_bindings(port_bindings)
        if extra_hosts is not None:
            self["ExtraHosts"] = format_extra_hosts(extra_hosts) if isinstance(extra_hosts, dict) else extra_hosts
        if links is not None:
            self["Links"] = normalize_links(links)
        if isinstance(lxc_conf, dict):
            lxc_conf = [{"Key": k, "Value": str(v)} for k, v in lxc_conf.items()]
        if lxc_conf is not None:
            self["LxcConf"] = lxc_conf
        if cgroup_parent is not None:
            self["CgroupParent"] = cgroup_parent
        if ulimits is not None:
            typed("ulimits", ulimits, list, "list")
            self["Ulimits"] = [u if isinstance(u, Ulimit) else Ulimit(**u) for u in ulimits]
        if log_config is not None:
            if not isinstance(log_config, LogConfig):
                typed("log_config", log_config, dict, "LogConfig")
                log_config = LogConfig(**log_config)
            self["LogConfig"] = log_config
        if cpu_quota:
            self["CpuQuota"] = typed("cpu_quota", cpu_quota, int, "int")
        if cpu_period:
            self["CpuPeriod"] = typed("cpu_period", cpu_period, int, "int")
        if cpu_shares:
            self["CpuShares"] = typed("cpu_shares", cpu_shares, int, "int")
        if cpuset_cpus:
            self["CpusetCpus"] = cpuset_cpus
        if cpuset_mems:
            self["CpusetMems"] = typed("cpuset_mems", cpuset_mems, str, "str")
        if cpu_rt_period:
            need("cpu_rt_period", "1.25")
            self["CPURealtimePeriod"] = typed("cpu_rt_period", cpu_rt_period, int, "int")
        if cpu_rt_runtime:
            need("cpu_rt_runtime", "1.25")
            self["CPURealtimeRuntime"] = typed("cpu_rt_runtime", cpu_rt_runtime, int, "int")
        if blkio_weight:
            typed("blkio_weight", blkio_weight, int, "int")
            need("blkio_weight", "1.22")
            self["BlkioWeight"] = blkio_weight
        for param, value, key in (("blkio_weight_device", blkio_weight_device, "BlkioWeightDevice"),
                                  ("device_read_bps", device_read_bps, "BlkioDeviceReadBps"),
                                  ("device_write_bps", device_write_bps, "BlkioDeviceWriteBps"),
                                  ("device_read_iops", device_read_iops, "BlkioDeviceReadIOps"),
                                  ("device_write_iops", device_write_iops, "BlkioDeviceWriteIOps")):
            if value:
                typed(param, value, list, "list")
                need(param, "1.22")
                self[key] = value
        if tmpfs:
            need("tmpfs", "1.22")
            self["Tmpfs"] = convert_tmpfs_mounts(tmpfs)
        if userns_mode:
            need("userns_mode", "1.23")
            if userns_mode != "host":
                raise host_config_value_error("userns_mode", userns_mode)
            self["UsernsMode"] = userns_mode
        if uts_mode:
            if uts_mode != "host":
                raise host_config_value_error("uts_mode", uts_mode)
            self["UTSMode"] = uts_mode
        if pids_limit:
            typed("pids_limit", pids_limit, int, "int")
            need("pids_limit", "1.23")
            self["PidsLimit"] = pids_limit
        if isolation:
            typed("isolation", isolation, str, "string")
            need("isolation", "1.24")
            self["Isolation"] = isolation
        if auto_remove:
            need("auto_remove", "1.25")
            self["AutoRemove"] = auto_remove
        if storage_opt is not None:
            need("storage_opt", "1.24")
            self["StorageOpt"] = storage_opt
        if init is not None:
            need("init", "1.25")
            self["Init"] = init
        if init_path is not None:
            need("init_path", "1.25")
            if version_gte(version, "1.29"):
                raise host_config_version_error("init_path", "1.29", False)
            self["InitPath"] = init_path
        if volume_driver is not None:
            self["VolumeDriver"] = volume_driver
        for param, value, key in (("cpu_count", cpu_count, "CpuCount"), ("cpu_percent", cpu_percent, "CpuPercent"),
                                  ("nano_cpus", nano_cpus, "NanoCpus")):
            if value:
                typed(param, value, int, "int")
                need(param, "1.25")
                self[key] = value
        if runtime:
            need("runtime", "1.25")
            self["Runtime"] = runtime
        if mounts is not None:
            need("mounts", "1.30")
            self["Mounts"] = mounts
        if device_cgroup_rules is not None:
            need("device_cgroup_rules", "1.28")
            self["DeviceCgroupRules"] = typed("device_cgroup_rules", device_cgroup_rules, list, "list")
        if device_requests is not None:
            need("device_requests", "1.40")
            typed("device_requests", device_requests, list, "list")
            self["DeviceRequests"] = [r if isinstance(r, DeviceRequest) else DeviceRequest(**r) for r in device_requests]
        if cgroupns:
            self["CgroupnsMode"] = cgroupns


def exposed_ports_of(ports: Any) -> Any:
    """``ports=[80, (53, "udp"), "8080/tcp"]`` -> ``{"80/tcp": {}, "53/udp": {}, "8080/tcp": {}}``."""
    if not isinstance(ports, list):
        return ports
    out: dict[str, dict] = {}
    for spec in ports:
        port, proto = spec, "tcp"
        if isinstance(spec, tuple):
            port = spec[0]
            if len(spec) == 2:
                proto = spec[1]
        elif isinstance(spec, str) and "/" in spec:
            port, _, proto = spec.partition("/")
        out[f"{port}/{proto}"] = {}
    return out


class ContainerConfig(dict):
    """The body of ``POST /containers/create``: the command (a string is split as a shell would),
    environment (a dict becomes ``KEY=value`` strings), labels (a list becomes a dict), exposed
    ports and volumes, healthcheck (a dict becomes a ``Healthcheck``), user (made a string), ...
    checked against the API ``version``."""

    def __init__(self, version: str, image: str, command: Any, hostname: str | None = None, user: Any = None,
                 detach: bool = False, stdin_open: bool = False, tty: bool = False, ports: Any = None,
                 environment: Any = None, volumes: Any = None, network_disabled: bool = False, entrypoint: Any = None,
                 working_dir: str | None = None, domainname: str | None = None, host_config: Any = None,
                 mac_address: str | None = None, labels: Any = None, stop_signal: str | None = None,
                 networking_config: Any = None, healthcheck: Any = None, stop_timeout: int | None = None,
                 runtime: str | None = None) -> None:
        super().__init__()
        if stop_timeout is not None and version_lt(version, "1.25"):
            raise InvalidVersion("stop_timeout was only introduced in API version 1.25")
        if healthcheck is not None:
            if version_lt(version, "1.24"):
                raise InvalidVersion("Health options were only introduced in API version 1.24")
            if version_lt(version, "1.29") and "StartPeriod" in healthcheck:
                raise InvalidVersion("healthcheck start period was introduced in API version 1.29")
        if isinstance(command, str):
            command = split_command(command)
        if isinstance(entrypoint, str):
            entrypoint = split_command(entrypoint)
        if isinstance(environment, dict):
            environment = format_environment(environment)
        if isinstance(labels, (list, tuple, set)):
            labels = labels_to_dict(labels)
        ports = exposed_ports_of(ports)
        if isinstance(volumes, str):
            volumes = [volumes]
        if isinstance(volumes, list):
            volumes = {v: {} for v in volumes}
        if healthcheck and isinstance(healthcheck, dict) and not isinstance(healthcheck, Healthcheck):
            healthcheck = Healthcheck(**healthcheck)
        attached = not detach
        self.update({
            "Hostname": hostname, "Domainname": domainname, "ExposedPorts": ports,
            "User": str(user) if user is not None else None, "Tty": tty, "OpenStdin": stdin_open,
            "StdinOnce": attached and stdin_open, "AttachStdin": attached and stdin_open,
            "AttachStdout": attached, "AttachStderr": attached, "Env": environment, "Cmd": command,
            "Image": image, "Volumes": volumes, "NetworkDisabled": network_disabled, "Entrypoint": entrypoint,
            "WorkingDir": working_dir, "HostConfig": host_config, "NetworkingConfig": networking_config,
            "MacAddress": mac_address, "Labels": labels, "StopSignal": stop_signal, "Healthcheck": healthcheck,
            "StopTimeout": stop_timeout, "Runtime": runtime,
        })
