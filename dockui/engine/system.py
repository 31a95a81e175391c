"""System calls: ping, version, info, df and the ``/events`` stream."""

from __future__ import annotations

import json
import time
from typing import Any

from .base import BaseClient, CancellableStream


class SystemMixin(BaseClient):
    def ping(self) -> bool:
        resp = self._send("GET", "/_ping", versioned=False, timeout=min(self.timeout, 5.0))
        self.ping_headers = {k.lower(): v for k, v in resp.headers.items()}
        return resp.text.strip() == "OK"

    def version(self) -> dict[str, Any]:
        return self._get("/version")

    def info(self) -> dict[str, Any]:
        return self._get("/info")

    def df(self) -> dict[str, Any]:
        return self._get("/system/df")

    def events(self, since: float | None = None, until: float | None = None, filters: dict | None = None) -> CancellableStream:
        """Follow ``/events``; iterate for event dicts, ``close()`` from any thread to stop."""
        params: dict[str, Any] = {}
        if since is not None:
            params["since"] = f"{since:.9f}" if isinstance(since, float) else str(since)
        if until is not None:
            params["until"] = f"{until:.9f}" if isinstance(until, float) else str(until)
        if filters:
            params["filters"] = json.dumps(filters)
        return self._stream_json("/events", params)

    def server_time(self) -> float:
        """The engine's clock, for ``since=``; falls back to ours."""
        try:
            from email.utils import parsedate_to_datetime

            date = self.ping_headers.get("date")
            if date:
                return parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            pass
        return time.time()
