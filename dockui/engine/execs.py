"""Exec calls: create, start (hijacked socket), resize, inspect."""

from __future__ import annotations

import threading
import time
from typing import Any

from .base import BaseClient, HijackedSocket, mutating
from .errors import APIError


class ExecMixin(BaseClient):
    @mutating
    def exec_create(
        self,
        container: str,
        cmd: list[str] | str,
        stdout: bool = True,
        stderr: bool = True,
        stdin: bool = False,
        tty: bool = False,
        environment: list[str] | None = None,
        workdir: str | None = None,
        user: str = "",
        console_size: tuple[int, int] | None = None,
    ) -> dict:
        body: dict[str, Any] = {"AttachStdin": stdin, "AttachStdout": stdout, "AttachStderr": stderr, "Tty": tty,
                                "Cmd": [cmd] if isinstance(cmd, str) else list(cmd), "User": user}
        if environment:
            body["Env"] = environment
        if workdir:
            body["WorkingDir"] = workdir
        if console_size and self.version_at_least("1.42"):
            body["ConsoleSize"] = list(console_size)
        return self._post(f"/containers/{container}/exec", body)

    @mutating
    def exec_start(
        self,
        exec_id: str,
        detach: bool = False,
        tty: bool = False,
        stream: bool = False,
        socket: bool = False,
        demux: bool = False,
        console_size: tuple[int, int] | None = None,
    ) -> Any:
        """Start an exec, as docker-py does: its output as bytes by default (a ``(stdout, stderr)``
        pair with ``demux``), a generator of chunks with ``stream``, nothing with ``detach``, or the
        hijacked socket itself with ``socket`` (raw with a TTY, framed without) for interactive use.
        """
        body: dict[str, Any] = {"Detach": detach, "Tty": tty}
        if console_size and self.version_at_least("1.42"):
            body["ConsoleSize"] = list(console_size)
        if detach:
            self._post(f"/exec/{exec_id}/start", body)
            return None
        sock = self._hijack(f"/exec/{exec_id}/start", body, tty)
        if console_size and tty and not self.version_at_least("1.42"):
            # older engines take no size at start: resize once the process is up, retrying
            threading.Thread(target=self._first_resize, args=(exec_id, console_size), daemon=True).start()
        if socket:
            return sock
        chunks = _drain(sock)
        if stream:
            return ((o, e) for o, e in _split(chunks)) if demux else (data for _, data in chunks)
        frames = list(chunks)
        if demux:
            out = b"".join(d for s, d in frames if s != 2) or None
            err = b"".join(d for s, d in frames if s == 2) or None
            return out, err
        return b"".join(d for _, d in frames)

    def _first_resize(self, exec_id: str, size: tuple[int, int]) -> None:
        for _ in range(10):
            try:
                self.exec_resize(exec_id, height=size[0], width=size[1])
                return
            except Exception:  # noqa: BLE001 - the process may not be up yet; retry as the CLI does
                time.sleep(0.1)

    @mutating
    def exec_resize(self, exec_id: str, height: int, width: int) -> None:
        try:
            self._post(f"/exec/{exec_id}/resize", params={"h": height, "w": width})
        except APIError as exc:
            if exc.status != 500 or "not running" not in exc.explanation:
                raise

    def exec_inspect(self, exec_id: str) -> dict:
        return self._get(f"/exec/{exec_id}/json")


def _drain(sock: HijackedSocket):
    """Every ``(stream, bytes)`` piece until the exec's output ends, then close."""
    try:
        while True:
            got = sock.read()
            if not got:
                return
            yield from got
    finally:
        sock.close()


def _split(chunks):
    for s, d in chunks:
        yield (None, d) if s == 2 else (d, None)
