"""Argument helpers shared by the engine client's resource families, with docker-py's meanings.

What a method takes from its caller and how it becomes the engine's JSON or query: a resource
given as an id, a name or the dict an earlier call returned (``resource_id``, ``check_resource``),
version gates (``minimum_version``), command splitting, environment and label shapes, port and
volume bindings, filters, repository tags and byte sizes. Pure functions, no I/O (but
``parse_env_file``), no import of ``requests``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any, TypeVar

from .errors import DeprecatedMethod, DockerException, InvalidVersion, NullResource

F = TypeVar("F", bound=Callable[..., Any])

BYTE_UNITS = {"b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


# --- resources and versions ------------------------------------------------------------------
def resource_id(resource: Any) -> str:
    """The id of ``resource``: a string as given, or a dict's ``Id`` (``ID`` for swarm objects).

    Raises ``NullResource`` when nothing is named (None, "", a dict without either key).
    """
    if isinstance(resource, dict):
        resource = resource.get("Id", resource.get("ID"))
    if not resource:
        raise NullResource("Resource ID was not provided")
    return resource


def check_resource(name: str) -> Callable[[F], F]:
    """Decorate a method whose first argument names a resource: it may come positionally or as the
    keyword ``name``, as an id, a name or a dict with ``Id``/``ID``; the method gets the id."""

    def decorator(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(self: Any, resource: Any = None, *args: Any, **kwargs: Any) -> Any:
            if resource is None and kwargs.get(name):
                resource = kwargs.pop(name)
            return fn(self, resource_id(resource), *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def compare_version(v1: str, v2: str) -> int:
    """1 if ``v1 < v2``, -1 if ``v1 > v2``, 0 if equal (docker-py's odd sign convention)."""
    a = [int(p) for p in v1.split(".")]
    b = [int(p) for p in v2.split(".")]
    n = max(len(a), len(b))
    a += [0] * (n - len(a))
    b += [0] * (n - len(b))
    return 0 if a == b else (1 if a < b else -1)


def version_lt(v1: str, v2: str) -> bool:
    return compare_version(v1, v2) > 0


def version_gte(v1: str, v2: str) -> bool:
    return not version_lt(v1, v2)


def minimum_version(version: str) -> Callable[[F], F]:
    """Refuse a call with ``InvalidVersion`` when the client's API version is below ``version``."""

    def decorator(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if version_lt(self.api_version, version):
                raise InvalidVersion(f"{fn.__name__} is not available for version < {version}")
            return fn(self, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def require_version(client: Any, version: str, what: str) -> None:
    """Raise ``InvalidVersion`` naming ``what`` when ``client`` speaks an API older than ``version``."""
    if version_lt(client.api_version, version):
        raise InvalidVersion(f"{what} is not supported for API version < {version}")


# --- commands, environment, labels -------------------------------------------------------------
def split_command(command: str) -> list[str]:
    """A command line split the way a POSIX shell would (quotes kept together)."""
    import shlex  # not at import: ~5 ms of the dashboard's launch for a rarely used helper

    return shlex.split(command)


def format_environment(environment: dict[str, Any]) -> list[str]:
    """``{"A": "1", "B": None}`` -> ``["A=1", "B"]`` (a None value passes the name only)."""
    out = []
    for key, value in environment.items():
        if value is None:
            out.append(key)
            continue
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        out.append(f"{key}={value}")
    return out


def labels_to_dict(labels: dict[str, str] | Iterable[str] | None) -> dict[str, str] | None:
    """Labels as the engine wants them: a list of names becomes a dict of empty values."""
    if labels is None or isinstance(labels, dict):
        return labels
    return {name: "" for name in labels}


def parse_env_file(env_file: str) -> dict[str, str]:
    """``KEY=value`` lines of a file (``#`` comments and blank lines skipped) as a dict."""
    environment: dict[str, str] = {}
    with open(env_file) as f:
        for line in f:
            if line.startswith("#"):
                continue
            line = line.strip()
            if not line:
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise DockerException(f"Invalid line in environment file {env_file}:\n{line}")
            environment[key] = value
    return environment


def format_extra_hosts(extra_hosts: dict[str, str] | list[str], task: bool = False) -> list[str]:
    """``{"host": "ip"}`` -> ``["host:ip"]`` (``"ip host"`` in a swarm task); a list passes."""
    if isinstance(extra_hosts, list):
        return extra_hosts
    if task:
        return [f"{ip} {host}" for host, ip in sorted(extra_hosts.items())]
    return [f"{host}:{ip}" for host, ip in sorted(extra_hosts.items())]


def normalize_links(links: dict[str, str] | Iterable[tuple[str, str]]) -> list[str]:
    """Links as ``name:alias`` strings (``name`` alone when there is no alias), sorted."""
    pairs = links.items() if isinstance(links, dict) else links
    return [f"{k}:{v}" if v else k for k, v in sorted(pairs)]


# --- ports, volumes, devices, tmpfs ------------------------------------------------------------
def _port_binding(binding: Any) -> dict[str, str]:
    host_ip: Any = ""
    host_port: Any = ""
    if isinstance(binding, tuple):
        if len(binding) == 2:
            host_ip, host_port = binding
        elif isinstance(binding[0], str):
            host_ip = binding[0]
        else:
            host_port = binding[0]
    elif isinstance(binding, dict):
        if "HostPort" not in binding:
            raise ValueError(binding)
        host_port = binding["HostPort"]
        host_ip = binding.get("HostIp", "")
    else:
        host_port = binding
    return {"HostIp": host_ip, "HostPort": "" if host_port is None else str(host_port)}


def convert_port_bindings(port_bindings: dict[Any, Any]) -> dict[str, list[dict[str, str]]]:
    """``{8080: 80, "53/udp": ("127.0.0.1", 5353), 22: [1111, None]}`` -> the engine's
    ``{"8080/tcp": [{"HostIp": "", "HostPort": "80"}], ...}`` (``tcp`` when no protocol)."""
    out: dict[str, list[dict[str, str]]] = {}
    for port, value in port_bindings.items():
        key = str(port)
        if "/" not in key:
            key += "/tcp"
        values = value if isinstance(value, list) else [value]
        out[key] = [_port_binding(v) for v in values]
    return out


_PROPAGATION = ("rshared", "shared", "rslave", "slave", "rprivate", "private")


def convert_volume_binds(binds: dict[Any, Any] | list[str]) -> list[str]:
    """``{"/host": {"bind": "/ctr", "mode": "ro"}}`` or ``{"/host": "/ctr"}`` -> ``["/host:/ctr:ro"]``;
    a list passes as given."""
    if isinstance(binds, list):
        return binds
    out = []
    for src, spec in binds.items():
        if isinstance(src, bytes):
            src = src.decode("utf-8")
        if isinstance(spec, dict):
            if "ro" in spec and "mode" in spec:
                raise ValueError(f'Binding cannot contain both "ro" and "mode": {spec!r}')
            bind = spec["bind"]
            if isinstance(bind, bytes):
                bind = bind.decode("utf-8")
            if "ro" in spec:
                mode = "ro" if spec["ro"] else "rw"
            else:
                mode = spec.get("mode", "rw")
            if spec.get("propagation") in _PROPAGATION:
                mode = f"{mode},{spec['propagation']}" if mode else spec["propagation"]
            out.append(f"{src}:{bind}:{mode}")
        else:
            if isinstance(spec, bytes):
                spec = spec.decode("utf-8")
            out.append(f"{src}:{spec}:rw")
    return out


def convert_tmpfs_mounts(tmpfs: dict[str, str] | list[str]) -> dict[str, str]:
    """``["/run:size=1m", "/tmp"]`` -> ``{"/run": "size=1m", "/tmp": ""}``; a dict passes."""
    if isinstance(tmpfs, dict):
        return tmpfs
    if not isinstance(tmpfs, list):
        raise ValueError(f"Expected tmpfs value to be either a list or a dict, found: {type(tmpfs).__name__}")
    out: dict[str, str] = {}
    for mount in tmpfs:
        if not isinstance(mount, str):
            raise ValueError(f"Expected item in tmpfs list to be a string, found: {type(mount).__name__}")
        path, _, options = mount.partition(":")
        out[path] = options
    return out


def parse_devices(devices: Iterable[Any]) -> list[dict[str, str]]:
    """``"/dev/a:/dev/b:rw"`` strings (or ready dicts) -> the engine's device mappings."""
    out = []
    for device in devices:
        if isinstance(device, dict):
            out.append(device)
            continue
        if not isinstance(device, str):
            raise DockerException(f"Invalid device type {type(device)}")
        parts = device.split(":")
        out.append({
            "PathOnHost": parts[0],
            "PathInContainer": parts[1] if len(parts) > 1 else parts[0],
            "CgroupPermissions": parts[2] if len(parts) > 2 else "rwm",
        })
    return out


def convert_service_networks(networks: list[Any] | None) -> list[Any] | None:
    """Service networks: names become ``{"Target": name}``."""
    if not networks:
        return networks
    if not isinstance(networks, list):
        raise TypeError("networks parameter must be a list.")
    return [{"Target": n} if isinstance(n, str) else n for n in networks]


_PORT_SPEC = (r"^((\[?(?P<host>[a-fA-F\d.:]+)\]?:)?(?P<ext>\d*)(-(?P<ext_end>\d+))?:)?"
              r"(?P<int>\d+)(-(?P<int_end>\d+))?(?P<proto>/(udp|tcp|sctp))?$")  # compiled on first use


def _port_range(start: str | None, end: str | None, proto: str, random_ok: bool = False) -> list[str] | None:
    if not start:
        return start  # type: ignore[return-value]
    if not end:
        return [start + proto]
    if random_ok:
        return [f"{start}-{end}{proto}"]
    return [f"{p}{proto}" for p in range(int(start), int(end) + 1)]


def split_port(port: Any) -> tuple[list[str], list[Any] | None]:
    """``"127.0.0.1:8000-8001:80-81/udp"`` -> internal ports and their external bindings."""
    text = str(port)
    m = re.match(_PORT_SPEC, text)
    if m is None:
        raise ValueError(f'Invalid port "{text}", should be [[remote_ip:]remote_port[-remote_port]:]port[/protocol]')
    g = m.groupdict()
    proto = g["proto"] or ""
    internal = _port_range(g["int"], g["int_end"], proto) or []
    external = _port_range(g["ext"], g["ext_end"], "", len(internal) == 1)
    if g["host"] is None:
        if external is not None and len(internal) != len(external):
            raise ValueError("Port ranges don't match in length")
        return internal, external
    if not external:
        external = [None] * len(internal)  # type: ignore[list-item]
    elif len(internal) != len(external):
        raise ValueError("Port ranges don't match in length")
    return internal, [(g["host"], p) for p in external]


def build_port_bindings(ports: Iterable[Any]) -> dict[str, list[Any]]:
    """Port specs (``"8080:80"``) -> ``{internal: [external, ...]}`` for ``port_bindings``."""
    out: dict[str, list[Any]] = {}
    for spec in ports:
        internal, external = split_port(spec)
        for i, port in enumerate(internal):
            out.setdefault(port, []).append(None if external is None else external[i])
    return out


# --- filters, repositories, sizes, times ---------------------------------------------------------
def convert_filters(filters: dict[str, Any]) -> str:
    """``{"label": "a", "dangling": True}`` -> ``'{"label": ["a"], "dangling": ["true"]}'``."""
    out: dict[str, list[str]] = {}
    for key, value in filters.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        if not isinstance(value, list):
            value = [value]
        out[key] = [v if isinstance(v, str) else str(v) for v in value]
    return json.dumps(out)


def parse_repository_tag(repo_name: str) -> tuple[str, str | None]:
    """``"reg:5000/img:tag"`` -> ``("reg:5000/img", "tag")``; a digest (``@sha256:..``) counts as the tag."""
    repo, at, digest = repo_name.rpartition("@")
    if at:
        return repo, digest
    repo, colon, tag = repo_name.rpartition(":")
    if colon and "/" not in tag:
        return repo, tag
    return repo_name, None


def parse_bytes(s: int | float | str) -> int | float:
    """``"512m"`` -> 536870912; numbers pass; units b, k, m, g (an optional trailing b)."""
    if isinstance(s, (int, float)):
        return s
    if not s:
        return 0
    if s[-2:-1].isalpha() and s[-1] in "bB":
        s = s[:-1]
    suffix = s[-1].lower()
    if suffix.isdigit():
        digits, suffix = s, "b"
    else:
        digits = s[:-1]
    if suffix not in BYTE_UNITS:
        raise DockerException(f"The specified value for memory ({s}) should specify the units. "
                              "The postfix should be one of the `b` `k` `m` `g` characters")
    try:
        value = float(digits)
    except ValueError as exc:
        raise DockerException(f"Failed converting the string value for memory ({digits}) to an integer.") from exc
    return int(value * BYTE_UNITS[suffix])


def datetime_to_timestamp(dt: datetime) -> int:
    """Seconds since the epoch of an aware or naive (local) datetime."""
    delta = dt.astimezone(timezone.utc) - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return delta.seconds + delta.days * 24 * 3600


def to_timestamp(value: datetime | int | float | str | None, name: str) -> int | float | str | None:
    """``since``/``until`` arguments: a datetime or a positive number of seconds (anything else:
    ``InvalidArgument``); a ``"seconds.nanoseconds"`` string passes as it is."""
    from .errors import InvalidArgument

    if value is None:
        return None
    if isinstance(value, datetime):
        return datetime_to_timestamp(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value):
        return value  # dockui's own "seconds.nanoseconds", which a float would round
    raise InvalidArgument(f"{name} value should be datetime or positive int/float, not {type(value)}")


def decode_json_header(header: str) -> Any:
    """A base64 JSON header (``X-Docker-Container-Path-Stat``) decoded."""
    import base64

    return json.loads(base64.b64decode(header).decode("utf-8"))


def create_ipam_pool(*args: Any, **kwargs: Any) -> None:
    raise DeprecatedMethod("utils.create_ipam_pool has been removed. Please use a docker.types.IPAMPool object instead.")


def create_ipam_config(*args: Any, **kwargs: Any) -> None:
    raise DeprecatedMethod("utils.create_ipam_config has been removed. Please use a docker.types.IPAMConfig object instead.")
