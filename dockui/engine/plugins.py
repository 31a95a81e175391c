"""Plugin calls (docker-py's ``PluginApiMixin``): list, inspect, create from a local directory,
configure, enable, disable, remove; and the registry ones (pull, push, upgrade, privileges), which
stream the engine's progress and fail at once with the engine's own message when no registry answers."""

from __future__ import annotations

import io
import json
import os
import tarfile
from typing import Any

from .apicalls import q
from .base import BaseClient, CancellableStream, decode_json, mutating
from .rawhttp import open_response
from .utils import check_resource, minimum_version


def plugin_archive(root: str, gzip: bool = False) -> bytes:
    """A tar of ``root`` (its ``config.json`` and ``rootfs/``) as ``POST /plugins/create`` wants it."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gzip else "w") as tar:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(dirnames) + sorted(filenames):
                path = os.path.join(dirpath, name)
                tar.add(path, arcname=os.path.relpath(path, root), recursive=False)
    return buf.getvalue()


def _name(value: Any) -> Any:
    """A plugin given as its inspect document is taken by its ``Name``."""
    if isinstance(value, dict):
        return value.get("Name") or value.get("Id") or value.get("ID")
    return value


class PluginMixin(BaseClient):
    def _stream_post(self, path: str, params: dict, data: Any) -> CancellableStream:
        """POST a JSON body and follow the JSON progress stream that comes back."""
        self._guard("POST", path)
        raw = json.dumps(data if data is not None else {}).encode()
        resp = open_response(self.endpoint, "POST", self._path(path), params, raw,
                             {"Content-Type": "application/json"}, connect_timeout=min(self.timeout, 30.0),
                             read_timeout=self.timeout)
        return CancellableStream(resp, decode_json)

    @mutating
    @minimum_version("1.25")
    @check_resource("name")
    def configure_plugin(self, name: str, options: dict | list) -> bool:
        """Set a plugin's settings: ``{"KEY": "value"}`` or ``["KEY=value", ...]``."""
        data = [f"{k}={v}" for k, v in options.items()] if isinstance(options, dict) else options
        self._post(f"/plugins/{q(name)}/set", data)
        return True

    @mutating
    @minimum_version("1.25")
    def create_plugin(self, name: str, plugin_data_dir: str, gzip: bool = False) -> bool:
        """Create a plugin from a local directory holding ``config.json`` and a ``rootfs``."""
        self._send("POST", "/plugins/create", params={"name": name}, data=plugin_archive(plugin_data_dir, gzip),
                   headers={"Content-Type": "application/x-tar"})
        return True

    @mutating
    @minimum_version("1.25")
    def disable_plugin(self, name: str, force: bool = False) -> bool:
        self._post(f"/plugins/{q(_name(name))}/disable", params={"force": force})
        return True

    @mutating
    @minimum_version("1.25")
    def enable_plugin(self, name: str, timeout: int = 0) -> bool:
        self._post(f"/plugins/{q(_name(name))}/enable", params={"timeout": timeout})
        return True

    @minimum_version("1.25")
    def inspect_plugin(self, name: str) -> dict:
        return self._get(f"/plugins/{q(_name(name))}/json")

    @mutating
    @minimum_version("1.25")
    def pull_plugin(self, remote: str, privileges: list, name: str | None = None) -> CancellableStream:
        """Install a plugin from a registry, granting ``privileges`` (from ``plugin_privileges``);
        iterate the result for progress dicts."""
        params = {"remote": remote}
        if name:
            params["name"] = name
        return self._stream_post("/plugins/pull", params, privileges)

    @minimum_version("1.25")
    def plugins(self) -> list[dict]:
        return self._get("/plugins") or []

    @minimum_version("1.25")
    def plugin_privileges(self, name: str) -> list[dict]:
        """The privileges a plugin in a registry asks for (asks the registry)."""
        return self._get("/plugins/privileges", remote=name)

    @mutating
    @minimum_version("1.25")
    @check_resource("name")
    def push_plugin(self, name: str) -> CancellableStream:
        """Push a plugin to its registry; iterate the result for progress dicts."""
        return self._stream_post(f"/plugins/{q(name)}/push", {}, None)

    @mutating
    @minimum_version("1.25")
    @check_resource("name")
    def remove_plugin(self, name: str, force: bool = False) -> bool:
        self._delete(f"/plugins/{q(name)}", force=force)
        return True

    @mutating
    @minimum_version("1.26")
    @check_resource("name")
    def upgrade_plugin(self, name: str, remote: str, privileges: list) -> CancellableStream:
        """Upgrade a (disabled) plugin from ``remote``; iterate the result for progress dicts."""
        return self._stream_post(f"/plugins/{q(name)}/upgrade", {"remote": remote}, privileges)


__all__ = ["PluginMixin", "plugin_archive"]
