"""Container calls, named as docker-py's ``APIClient`` names them."""

from __future__ import annotations

import json
from typing import Any

from .base import BaseClient, CancellableStream, decode_frames, decode_json, decode_raw, mutating
from .errors import NotModified


def _filters(filters: dict | None) -> str | None:
    if not filters:
        return None
    return json.dumps({k: (v if isinstance(v, list) else [v]) for k, v in filters.items()})


class ContainerMixin(BaseClient):
    def containers(self, all: bool = True, filters: dict | None = None, limit: int | None = None, size: bool = False) -> list[dict]:
        return self._get("/containers/json", all=all, filters=_filters(filters), limit=limit, size=size) or []

    def inspect_container(self, container: str) -> dict:
        return self._get(f"/containers/{container}/json")

    @mutating
    def create_container(
        self,
        image: str,
        command: list[str] | str | None = None,
        name: str | None = None,
        *,
        tty: bool = False,
        stdin_open: bool = False,
        environment: list[str] | None = None,
        labels: dict[str, str] | None = None,
        healthcheck: dict | None = None,
        host_config: dict | None = None,
        **extra: Any,
    ) -> dict:
        body: dict[str, Any] = {"Image": image, "Tty": tty, "OpenStdin": stdin_open, "AttachStdin": stdin_open,
                                "AttachStdout": True, "AttachStderr": True}
        if command is not None:
            body["Cmd"] = [command] if isinstance(command, str) else list(command)
        if environment:
            body["Env"] = environment
        if labels:
            body["Labels"] = labels
        if healthcheck:
            body["Healthcheck"] = healthcheck
        if host_config:
            body["HostConfig"] = host_config
        body.update(extra)
        return self._post("/containers/create", body, {"name": name} if name else None)

    @mutating
    def start(self, container: str) -> None:
        try:
            self._post(f"/containers/{container}/start")
        except NotModified as exc:  # the engine sends no text with a 304: say what it means
            raise NotModified(304, "the container is already running", exc.method, exc.path) from None

    @mutating
    def stop(self, container: str, timeout: int | None = None) -> None:
        t = 10 if timeout is None else timeout
        try:
            self._post(f"/containers/{container}/stop", params={"t": t}, timeout=self.timeout + t)
        except NotModified as exc:
            raise NotModified(304, "the container is already stopped", exc.method, exc.path) from None

    @mutating
    def restart(self, container: str, timeout: int | None = None) -> None:
        t = 10 if timeout is None else timeout
        self._post(f"/containers/{container}/restart", params={"t": t}, timeout=self.timeout + t)

    @mutating
    def kill(self, container: str, signal: str | int | None = None) -> None:
        self._post(f"/containers/{container}/kill", params={"signal": signal} if signal else None)

    @mutating
    def pause(self, container: str) -> None:
        self._post(f"/containers/{container}/pause")

    @mutating
    def unpause(self, container: str) -> None:
        self._post(f"/containers/{container}/unpause")

    @mutating
    def rename(self, container: str, name: str) -> None:
        self._post(f"/containers/{container}/rename", params={"name": name})

    @mutating
    def remove_container(self, container: str, v: bool = False, force: bool = False) -> None:
        self._delete(f"/containers/{container}", v=v, force=force)

    def wait(self, container: str, timeout: float | None = None) -> dict:
        return self._send("POST", f"/containers/{container}/wait", timeout=timeout).json()

    def top(self, container: str, ps_args: str | None = None) -> dict:
        return self._get(f"/containers/{container}/top", ps_args=ps_args)

    @mutating
    def resize(self, container: str, height: int, width: int) -> None:
        self._post(f"/containers/{container}/resize", params={"h": height, "w": width})

    @mutating
    def prune_containers(self, filters: dict | None = None) -> dict:
        return self._post("/containers/prune", params={"filters": _filters(filters)} if filters else None)

    def logs(
        self,
        container: str,
        stdout: bool = True,
        stderr: bool = True,
        timestamps: bool = False,
        tail: int | str = "all",
        since: int | float | None = None,
        follow: bool = False,
        tty: bool | None = None,
        until: int | float | None = None,
        stream: bool = True,
    ) -> CancellableStream | bytes:
        """A cancellable stream of ``(stream_id, bytes)`` pieces, stdout (1) and stderr (2) kept
        apart; ``stream=False`` returns all of it as bytes. Pass ``tty`` when known (TTY logs are
        not framed), else it is looked up."""
        params = {"stdout": stdout, "stderr": stderr, "timestamps": timestamps, "tail": tail,
                  "since": since, "until": until, "follow": follow and stream}
        if tty is None:
            tty = bool(self.inspect_container(container).get("Config", {}).get("Tty"))
        resp = self._open("GET", f"/containers/{container}/logs", params)
        out = CancellableStream(resp, decode_raw if tty else decode_frames)
        if stream:
            return out
        with out:
            return b"".join(data for _, data in out)

    def stats(self, container: str, stream: bool = True, one_shot: bool = False) -> CancellableStream | dict:
        if not stream:
            params = {"stream": False}
            if one_shot and self.version_at_least("1.41"):
                params["one-shot"] = True
            return self._get(f"/containers/{container}/stats", **params)
        return CancellableStream(self._open("GET", f"/containers/{container}/stats", {"stream": True}), decode_json)

    @mutating
    def attach_socket(self, container: str, stdin: bool = True, logs: bool = False, tty: bool | None = None, ws: bool = False):
        """The container's main process: a hijacked socket, or with ``ws`` the websocket endpoint."""
        if ws:
            return self.attach_websocket(container, stdin=stdin, logs=logs)
        self._guard("POST", "attach")
        if tty is None:
            tty = bool(self.inspect_container(container).get("Config", {}).get("Tty"))
        params = {"stdin": stdin, "stdout": True, "stderr": True, "stream": True, "logs": logs}
        return self._hijack(f"/containers/{container}/attach", None, tty, params)

    @mutating
    def attach_websocket(self, container: str, stdin: bool = True, logs: bool = False):
        """Open ``/containers/{id}/attach/ws`` with websocket-client over our own socket."""
        import websocket

        self._guard("GET", "attach/ws")
        sock = self.endpoint.connect(10.0)
        query = f"stdin={int(stdin)}&stdout=1&stderr=1&stream=1&logs={int(logs)}"
        scheme = "wss" if self.endpoint.tls else "ws"
        return websocket.create_connection(
            f"{scheme}://docker.localhost{self._path(f'/containers/{container}/attach/ws')}?{query}",
            socket=sock, suppress_origin=True,
        )

