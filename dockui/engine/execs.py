"""Exec calls, with docker-py's ``ExecApiMixin`` names and behaviour: create, start, resize, inspect.

``exec_start`` writes the upgrade request on a socket it owns and keeps every byte read past the
headers (the hijacked-socket bug of docker-py that PITFALLS.md describes does not apply).
dockui's own keyword ``console_size`` sends the first terminal size with the create/start call.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from .base import BaseClient, mutating
from .containers import _HijackStream, consume, hijacked_pieces
from .errors import APIError
from .utils import check_resource, format_environment, require_version, resource_id, split_command


class ExecMixin(BaseClient):
    @mutating
    @check_resource("container")
    def exec_create(
        self,
        container: str,
        cmd: list[str] | str,
        stdout: bool = True,
        stderr: bool = True,
        stdin: bool = False,
        tty: bool = False,
        privileged: bool = False,
        user: str = "",
        environment: dict[str, Any] | list[str] | None = None,
        workdir: str | None = None,
        detach_keys: str | None = None,
        *,
        console_size: tuple[int, int] | None = None,
    ) -> dict:
        """Set up a command to run in a running container: ``{"Id": exec_id}``. A string ``cmd``
        is split as a shell would; an ``environment`` dict becomes ``KEY=value`` strings."""
        if environment is not None:
            require_version(self, "1.25", "Setting environment for exec")
        if isinstance(cmd, str):
            cmd = split_command(cmd)
        if isinstance(environment, dict):
            environment = format_environment(environment)
        body: dict[str, Any] = {"Container": container, "User": user, "Privileged": privileged, "Tty": tty,
                                "AttachStdin": stdin, "AttachStdout": stdout, "AttachStderr": stderr, "Cmd": cmd}
        if environment is not None:
            body["Env"] = environment
        if workdir is not None:
            require_version(self, "1.35", "workdir")
            body["WorkingDir"] = workdir
        if detach_keys:
            body["detachKeys"] = detach_keys
        if console_size and self.version_at_least("1.42"):
            body["ConsoleSize"] = list(console_size)
        return self._post(f"/containers/{container}/exec", body)

    @mutating
    @check_resource("exec_id")
    def exec_start(
        self,
        exec_id: str,
        detach: bool = False,
        tty: bool = False,
        stream: bool = False,
        socket: bool = False,
        demux: bool = False,
        *,
        console_size: tuple[int, int] | None = None,
    ) -> Any:
        """Start an exec: its output as bytes by default (``(stdout, stderr)`` with ``demux``), a
        closable iterator of chunks with ``stream``, the engine's (empty) answer with ``detach``, or
        the hijacked connection itself with ``socket`` (raw with a TTY, framed without)."""
        body: dict[str, Any] = {"Tty": tty, "Detach": detach}
        if console_size and self.version_at_least("1.42"):
            body["ConsoleSize"] = list(console_size)
        if detach:
            resp = self._send("POST", f"/exec/{exec_id}/start", json_body=body)
            return resp.text
        sock = self._hijack(f"/exec/{exec_id}/start", body, tty)
        if console_size and tty and not self.version_at_least("1.42"):
            # older engines take no size at start: resize once the process is up, retrying
            threading.Thread(target=self._first_resize, args=(exec_id, console_size), daemon=True).start()
        if socket:
            return sock
        if stream:
            return _HijackStream(sock, demux)
        return consume(hijacked_pieces(sock), demux)

    def _first_resize(self, exec_id: str, size: tuple[int, int]) -> None:
        for _ in range(10):
            try:
                self.exec_resize(exec_id, height=size[0], width=size[1])
                return
            except Exception:  # noqa: BLE001 - the process may not be up yet; retry as the CLI does
                time.sleep(0.1)

    @mutating
    def exec_resize(self, exec_id: str | dict, height: int | None = None, width: int | None = None) -> None:
        """Tell the exec's TTY its size; an exec that already ended is not an error."""
        exec_id = resource_id(exec_id)
        try:
            self._post(f"/exec/{exec_id}/resize", params={"h": height, "w": width})
        except APIError as exc:
            if exc.status != 500 or "not running" not in (exc.explanation or ""):
                raise

    def exec_inspect(self, exec_id: str | dict) -> dict:
        return self._get(f"/exec/{resource_id(exec_id)}/json")
