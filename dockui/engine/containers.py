"""Container calls, with docker-py's ``ContainerApiMixin`` names, parameters, defaults and conversions.

A container may be named by its id, its name, or the dict ``create_container`` returned (its
``Id``): ``check_resource`` resolves it. Long-lived answers (logs, stats, attach, export, archives)
come on a socket of their own as a ``CancellableStream`` that any thread can close. dockui's own
extensions are keyword-only and come after docker-py's parameters (``frames``, ``tty``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .base import BaseClient, CancellableStream, HijackedSocket, decode_frames, decode_json, decode_raw, mutating
from .errors import DeprecatedMethod, InvalidArgument, NotModified
from .types.containers import ContainerConfig, HostConfig
from .types.networks import EndpointConfig, NetworkingConfig
from .utils import (
    check_resource,
    convert_filters,
    decode_json_header,
    format_environment,
    minimum_version,
    parse_bytes,
    require_version,
    resource_id,
    to_timestamp,
)

DEFAULT_DATA_CHUNK_SIZE = 1024 * 2048


def _filters(filters: dict | None) -> str | None:
    """Filters as the engine's JSON query value (kept for the other families' imports)."""
    return convert_filters(filters) if filters else None


def decode_chunks(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """A raw body as it arrives, without empty pieces."""
    for chunk in chunks:
        if chunk:
            yield chunk


def decode_payloads(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The payloads of a multiplexed (8-byte framed) body, streams merged."""
    for _, data in decode_frames(chunks):
        if data:
            yield data


def sized(chunks: Iterator[bytes], size: int | None) -> Iterator[bytes]:
    """Re-cut a byte stream into pieces of ``size`` bytes (the last may be shorter); None: as read."""
    if not size or size < 0:
        yield from chunks
        return
    buf = bytearray()
    for chunk in chunks:
        buf += chunk
        while len(buf) >= size:
            yield bytes(buf[:size])
            del buf[:size]
    if buf:
        yield bytes(buf)


def consume(pieces: Iterator[tuple[int, bytes]], demux: bool) -> bytes | tuple[bytes | None, bytes | None]:
    """All of a hijacked session's output: bytes, or ``(stdout, stderr)`` (None for a silent stream)."""
    if not demux:
        return b"".join(d for _, d in pieces)
    out: list[bytes] = []
    err: list[bytes] = []
    for stream, data in pieces:
        (err if stream == 2 else out).append(data)
    return (b"".join(out) if out else None, b"".join(err) if err else None)


def split_pieces(pieces: Iterator[tuple[int, bytes]], demux: bool) -> Iterator[Any]:
    for stream, data in pieces:
        if demux:
            yield (None, data) if stream == 2 else (data, None)
        else:
            yield data


def hijacked_pieces(sock: HijackedSocket) -> Iterator[tuple[int, bytes]]:
    """Every ``(stream, bytes)`` piece of a hijacked session until it ends; then the socket closes."""
    try:
        while True:
            got = sock.read()
            if not got:
                return
            yield from got
    finally:
        sock.close()


class _HijackStream(CancellableStream):
    """A hijacked session's output as a closable iterator (``attach``/``exec_start`` with ``stream``)."""

    def __init__(self, sock: HijackedSocket, demux: bool) -> None:  # a socket, not a response: no super()
        self._sock = sock
        self._demux = demux
        self._items = None

    def _generate(self) -> Iterator[Any]:
        yield from split_pieces(hijacked_pieces(self._sock), self._demux)

    @property
    def closed(self) -> bool:
        return self._sock.closed

    def close(self) -> None:
        self._sock.close()


class ContainerMixin(BaseClient):
    # --- configuration types bound to this client's API version ---------------------------
    def create_host_config(self, *args: Any, **kwargs: Any) -> HostConfig:
        """A ``HostConfig`` for ``create_container(host_config=...)``, checked against this API version."""
        if "version" in kwargs:
            raise TypeError("create_host_config() got an unexpected keyword argument 'version'")
        return HostConfig(self.api_version, *args, **kwargs)

    def create_networking_config(self, *args: Any, **kwargs: Any) -> NetworkingConfig:
        return NetworkingConfig(*args, **kwargs)

    def create_endpoint_config(self, *args: Any, **kwargs: Any) -> EndpointConfig:
        return EndpointConfig(self.api_version, *args, **kwargs)

    def create_container_config(self, *args: Any, **kwargs: Any) -> ContainerConfig:
        return ContainerConfig(self.api_version, *args, **kwargs)

    # --- listing and reading ---------------------------------------------------------------
    def containers(self, quiet: bool = False, all: bool = False, trunc: bool = False, latest: bool = False,
                   since: str | None = None, before: str | None = None, limit: int = -1, size: bool = False,
                   filters: dict | None = None) -> list[dict]:
        """Running containers (``all=True``: every one), as the engine lists them; ``quiet``: ids only
        (``[{"Id": ...}]``); ``trunc``: 12-character ids; ``latest``: the newest one only."""
        params: dict[str, Any] = {"limit": 1 if latest else limit, "all": 1 if all else 0, "size": 1 if size else 0,
                                  "trunc_cmd": 1 if trunc else 0, "since": since, "before": before}
        if filters:
            params["filters"] = convert_filters(filters)
        rows = self._get("/containers/json", **params) or []
        if quiet:
            return [{"Id": r["Id"]} for r in rows]
        if trunc:
            for r in rows:
                r["Id"] = r["Id"][:12]
        return rows

    @check_resource("container")
    def inspect_container(self, container: str) -> dict:
        return self._get(f"/containers/{container}/json")

    @check_resource("container")
    def diff(self, container: str) -> list[dict] | None:
        """Filesystem changes: ``[{"Path": ..., "Kind": 0 modified | 1 added | 2 deleted}]``."""
        return self._get(f"/containers/{container}/changes")

    @check_resource("container")
    def top(self, container: str, ps_args: str | None = None) -> dict:
        return self._get(f"/containers/{container}/top", ps_args=ps_args)

    @check_resource("container")
    def port(self, container: str, private_port: int | str) -> list[dict] | None:
        """The host bindings of ``private_port`` (``"80"`` tries tcp, udp, sctp; ``"53/udp"`` exactly)."""
        ports = (self.inspect_container(container).get("NetworkSettings") or {}).get("Ports")
        if ports is None:
            return None
        key = str(private_port)
        if "/" in key:
            return ports.get(key)
        found = None
        for proto in ("tcp", "udp", "sctp"):
            found = ports.get(f"{key}/{proto}")
            if found:
                break
        return found

    def _is_tty(self, container: str) -> bool:
        return bool(self.inspect_container(container)["Config"]["Tty"])

    @check_resource("container")
    def logs(self, container: str, stdout: bool = True, stderr: bool = True, stream: bool = False,
             timestamps: bool = False, tail: int | str = "all", since: Any = None, follow: bool | None = None,
             until: Any = None, *, frames: bool = False, tty: bool | None = None) -> Any:
        """The container's logs as bytes; ``stream=True``: a ``CancellableStream`` of byte chunks
        (following unless ``follow=False``). ``since``/``until``: datetimes or epoch seconds;
        ``tail``: a count or ``"all"``. dockui's own: ``frames=True`` yields ``(stream, bytes)``
        (1 stdout, 2 stderr) instead; ``tty`` when already known saves an inspect."""
        if follow is None:
            follow = stream
        if tail != "all" and (not isinstance(tail, int) or isinstance(tail, bool) or tail < 0):
            tail = "all"
        params: dict[str, Any] = {"stderr": 1 if stderr else 0, "stdout": 1 if stdout else 0,
                                  "timestamps": 1 if timestamps else 0, "follow": 1 if follow else 0, "tail": tail}
        if since is not None:
            params["since"] = to_timestamp(since, "since")
        if until is not None:
            require_version(self, "1.35", "until")
            params["until"] = to_timestamp(until, "until")
        if tty is None:
            tty = self._is_tty(container)
        resp = self._open("GET", f"/containers/{container}/logs", params)
        if stream:
            if frames:
                return CancellableStream(resp, decode_raw if tty else decode_frames)
            return CancellableStream(resp, decode_chunks if tty else decode_payloads)
        with CancellableStream(resp, decode_raw if tty else decode_frames) as out:
            pieces = list(out)
        if frames:
            return pieces
        return b"".join(data for _, data in pieces)

    @check_resource("container")
    def stats(self, container: str, decode: bool | None = None, stream: bool = True, one_shot: bool | None = None) -> Any:
        """Resource usage: with ``stream`` a ``CancellableStream`` of raw JSON chunks (dicts with
        ``decode=True``), else one dict (``one_shot``: without waiting for a second sample)."""
        params: dict[str, Any] = {"stream": stream}
        if one_shot is not None:
            require_version(self, "1.41", "one_shot")
            params["one-shot"] = one_shot
        path = f"/containers/{container}/stats"
        if stream:
            if one_shot:
                raise InvalidArgument("one_shot is only available in conjunction with stream=False")
            return CancellableStream(self._open("GET", path, params), decode_json if decode else decode_chunks)
        if decode:
            raise InvalidArgument("decode is only available in conjunction with stream=True")
        return self._get(path, **params)

    @check_resource("container")
    def wait(self, container: str, timeout: float | None = None, condition: str | None = None) -> dict:
        """Block until the container stops (or ``condition``: ``not-running``, ``next-exit``,
        ``removed``); ``{"StatusCode": ..., "Error": ...}``."""
        params: dict[str, Any] = {}
        if condition is not None:
            require_version(self, "1.30", "wait condition")
            params["condition"] = condition
        # None waits as long as it takes (docker-py's requests timeout=None), not the client's timeout
        limit = timeout if timeout is not None else 365 * 86400.0
        return self._send("POST", f"/containers/{container}/wait", params=params, timeout=limit).json()

    @check_resource("container")
    def export(self, container: str, chunk_size: int | None = DEFAULT_DATA_CHUNK_SIZE) -> Iterator[bytes]:
        """The container's filesystem as a tar stream, in pieces of ``chunk_size`` bytes."""
        resp = self._open("GET", f"/containers/{container}/export")
        return sized(iter(CancellableStream(resp, decode_chunks)), chunk_size)

    @check_resource("container")
    def get_archive(self, container: str, path: str, chunk_size: int | None = DEFAULT_DATA_CHUNK_SIZE,
                    encode_stream: bool = False) -> tuple[Iterator[bytes], dict | None]:
        """``(tar stream, stat)`` of ``path`` in the container; the stat is the engine's
        ``X-Docker-Container-Path-Stat`` (name, size, mode, mtime, linkTarget)."""
        headers = {"Accept-Encoding": "gzip, deflate" if encode_stream else "identity"}
        resp = self._open("GET", f"/containers/{container}/archive", {"path": path}, headers=headers)
        stat = resp.headers.get("x-docker-container-path-stat")
        return sized(iter(CancellableStream(resp, decode_chunks)), chunk_size), (decode_json_header(stat) if stat else None)

    # --- creating and changing ---------------------------------------------------------------
    @mutating
    def create_container(self, image: str, command: Any = None, hostname: str | None = None, user: Any = None,
                         detach: bool = False, stdin_open: bool = False, tty: bool = False, ports: Any = None,
                         environment: Any = None, volumes: Any = None, network_disabled: bool = False,
                         name: str | None = None, entrypoint: Any = None, working_dir: str | None = None,
                         domainname: str | None = None, host_config: Any = None, mac_address: str | None = None,
                         labels: Any = None, stop_signal: str | None = None, networking_config: Any = None,
                         healthcheck: Any = None, stop_timeout: int | None = None, runtime: str | None = None,
                         use_config_proxy: bool = True, platform: str | None = None) -> dict:
        """Create a container; ``{"Id": ..., "Warnings": [...]}``. Conversions as docker-py's:
        a string command/entrypoint is split, an environment dict becomes ``KEY=value``, a label
        list becomes a dict, an int user a string, a healthcheck test string ``CMD-SHELL``.
        (``use_config_proxy``: dockui reads no CLI proxy settings; accepted for compatibility.)"""
        if isinstance(volumes, str):
            volumes = [volumes]
        if isinstance(environment, dict):
            environment = format_environment(environment)
        config = self.create_container_config(
            image, command, hostname, user, detach, stdin_open, tty, ports, environment, volumes, network_disabled,
            entrypoint, working_dir, domainname, host_config, mac_address, labels, stop_signal, networking_config,
            healthcheck, stop_timeout, runtime)
        return self.create_container_from_config(config, name, platform)

    @mutating
    def create_container_from_config(self, config: dict, name: str | None = None, platform: str | None = None) -> dict:
        params: dict[str, Any] = {"name": name}
        if platform:
            require_version(self, "1.41", "platform")
            params["platform"] = platform
        body = {k: v for k, v in config.items() if v is not None}
        return self._post("/containers/create", body, params)

    @mutating
    @check_resource("container")
    def start(self, container: str, *args: Any, raise_not_modified: bool = False, **kwargs: Any) -> None:
        """Start a container. One already running is not an error (the engine's 304), as in docker-py;
        dockui's ``raise_not_modified=True`` makes it ``NotModified`` with words for the user."""
        if args or kwargs:
            raise DeprecatedMethod("Providing configuration in the start() method is no longer supported."
                                   " Use the host_config param in create_container instead.")
        try:
            self._post(f"/containers/{container}/start")
        except NotModified as exc:
            if raise_not_modified:  # the engine sends no text with a 304: say what it means
                raise NotModified(304, "the container is already running", exc.method, exc.path) from None

    @mutating
    @check_resource("container")
    def stop(self, container: str, timeout: int | None = None, *, raise_not_modified: bool = False) -> None:
        """Stop a container (``timeout`` seconds before SIGKILL; the engine's default 10 when None).
        One already stopped is not an error unless ``raise_not_modified`` (dockui's)."""
        params = {} if timeout is None else {"t": timeout}
        wait = 10 if timeout is None else timeout
        try:
            self._post(f"/containers/{container}/stop", params=params, timeout=self.timeout + wait)
        except NotModified as exc:
            if raise_not_modified:
                raise NotModified(304, "the container is already stopped", exc.method, exc.path) from None

    @mutating
    @check_resource("container")
    def restart(self, container: str, timeout: int = 10) -> None:
        self._post(f"/containers/{container}/restart", params={"t": timeout}, timeout=self.timeout + (timeout or 0))

    @mutating
    @check_resource("container")
    def kill(self, container: str, signal: str | int | None = None) -> None:
        params = {}
        if signal is not None:
            params["signal"] = signal if isinstance(signal, str) else int(signal)
        self._post(f"/containers/{container}/kill", params=params)

    @mutating
    @check_resource("container")
    def pause(self, container: str) -> None:
        self._post(f"/containers/{container}/pause")

    @mutating
    @check_resource("container")
    def unpause(self, container: str) -> None:
        self._post(f"/containers/{container}/unpause")

    @mutating
    @check_resource("container")
    def rename(self, container: str, name: str) -> None:
        self._post(f"/containers/{container}/rename", params={"name": name})

    @mutating
    @check_resource("container")
    def resize(self, container: str, height: int, width: int) -> None:
        self._post(f"/containers/{container}/resize", params={"h": height, "w": width})

    @mutating
    @check_resource("container")
    def remove_container(self, container: str, v: bool = False, link: bool = False, force: bool = False) -> None:
        self._delete(f"/containers/{container}", v=v, link=link, force=force)

    @mutating
    @minimum_version("1.25")
    def prune_containers(self, filters: dict | None = None) -> dict:
        """Remove stopped containers: ``{"ContainersDeleted": [...], "SpaceReclaimed": n}``."""
        return self._post("/containers/prune", params={"filters": convert_filters(filters)} if filters else None)

    @mutating
    @check_resource("container")
    def commit(self, container: str, repository: str | None = None, tag: str | None = None,
               message: str | None = None, author: str | None = None, pause: bool = True,
               changes: str | list[str] | None = None, conf: dict | None = None) -> dict:
        """A new image from the container's changes: ``{"Id": ...}``; ``conf`` is a container config."""
        params = {"container": container, "repo": repository, "tag": tag, "comment": message, "author": author,
                  "pause": pause, "changes": changes}
        body = {k: v for k, v in (conf or {}).items() if v is not None}
        return self._post("/commit", body, params)

    @mutating
    @minimum_version("1.22")
    @check_resource("container")
    def update_container(self, container: str, blkio_weight: int | None = None, cpu_period: int | None = None,
                         cpu_quota: int | None = None, cpu_shares: int | None = None, cpuset_cpus: str | None = None,
                         cpuset_mems: str | None = None, mem_limit: Any = None, mem_reservation: Any = None,
                         memswap_limit: Any = None, kernel_memory: Any = None, restart_policy: dict | None = None) -> dict:
        """Change resource limits (sizes as ints or ``"512m"``) or the restart policy of a container."""
        data: dict[str, Any] = {}
        for key, value in (("BlkioWeight", blkio_weight), ("CpuPeriod", cpu_period), ("CpuShares", cpu_shares),
                           ("CpuQuota", cpu_quota), ("CpusetCpus", cpuset_cpus), ("CpusetMems", cpuset_mems)):
            if value:
                data[key] = value
        for key, value in (("Memory", mem_limit), ("MemoryReservation", mem_reservation),
                           ("MemorySwap", memswap_limit), ("KernelMemory", kernel_memory)):
            if value:
                data[key] = parse_bytes(value)
        if restart_policy:
            require_version(self, "1.23", "restart policy update")
            data["RestartPolicy"] = restart_policy
        return self._post(f"/containers/{container}/update", data)

    @mutating
    @check_resource("container")
    def put_archive(self, container: str, path: str, data: bytes | Any) -> bool:
        """Extract the tar archive ``data`` (bytes or a file object) at ``path`` in the container."""
        if hasattr(data, "read"):
            data = data.read()
        resp = self._send("PUT", f"/containers/{container}/archive", params={"path": path}, data=data,
                          headers={"Content-Type": "application/x-tar"})
        return resp.status_code == 200

    # --- attaching -------------------------------------------------------------------------------
    @check_resource("container")
    def attach(self, container: str, stdout: bool = True, stderr: bool = True, stream: bool = False,
               logs: bool = False, demux: bool = False) -> Any:
        """The container's output: bytes once it ends (``(stdout, stderr)`` with ``demux``), or with
        ``stream`` a closable iterator of chunks as they come."""
        params = {"logs": 1 if logs else 0, "stdout": 1 if stdout else 0, "stderr": 1 if stderr else 0,
                  "stream": 1 if stream else 0}
        sock = self._hijack(f"/containers/{container}/attach", None, self._is_tty(container), params)
        if stream:
            return _HijackStream(sock, demux)
        return consume(hijacked_pieces(sock), demux)

    @mutating
    @check_resource("container")
    def attach_socket(self, container: str, params: dict | None = None, ws: bool = False, *, tty: bool | None = None) -> Any:
        """The hijacked connection to the container's main process (``params``: the attach query,
        default stdout, stderr and stream); with ``ws`` the websocket endpoint instead."""
        if params is None:
            params = {"stdout": 1, "stderr": 1, "stream": 1}
        if ws:
            return self.attach_websocket(container, stdin=bool(params.get("stdin")), logs=bool(params.get("logs")))
        self._guard("POST", "attach")
        if tty is None:
            tty = self._is_tty(container)
        return self._hijack(f"/containers/{container}/attach", None, tty, params)

    @mutating
    def attach_websocket(self, container: str, stdin: bool = True, logs: bool = False) -> Any:
        """Open ``/containers/{id}/attach/ws`` with websocket-client over our own socket."""
        import websocket

        container = resource_id(container)
        self._guard("GET", "attach/ws")
        sock = self.endpoint.connect(10.0)
        query = f"stdin={int(stdin)}&stdout=1&stderr=1&stream=1&logs={int(logs)}"
        scheme = "wss" if self.endpoint.tls else "ws"
        return websocket.create_connection(
            f"{scheme}://docker.localhost{self._path(f'/containers/{container}/attach/ws')}?{query}",
            socket=sock, suppress_origin=True,
        )
