"""Secret calls (docker-py's ``SecretApiMixin``): create, inspect, remove and list swarm secrets.

A secret's value never comes back from the engine: ``inspect_secret`` shows its name, labels and
dates only."""

from __future__ import annotations

import base64
from typing import Any

from .apicalls import need, q
from .base import BaseClient, mutating
from .utils import check_resource, convert_filters, minimum_version


def encode_data(data: bytes | str) -> str:
    """The base64 text the engine wants for a secret's or config's value (text is UTF-8 encoded first)."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    return base64.b64encode(raw).decode("ascii")


class SecretMixin(BaseClient):
    @mutating
    @minimum_version("1.25")
    def create_secret(self, name: str, data: bytes | str, labels: dict | None = None, driver: dict | None = None) -> dict:
        """Create a secret holding ``data``; returns ``{"ID": ...}``. ``driver`` (API 1.31) names a secret store."""
        doc: dict[str, Any] = {"Data": encode_data(data), "Name": name}
        if labels is not None:
            doc["Labels"] = labels
        if driver is not None:
            need(self, "1.31", "secret driver")
            doc["Driver"] = driver
        return self._post("/secrets/create", doc)

    @minimum_version("1.25")
    @check_resource("id")
    def inspect_secret(self, id: str) -> dict:  # noqa: A002 - docker-py's keyword
        return self._get(f"/secrets/{q(id)}")

    @mutating
    @minimum_version("1.25")
    @check_resource("id")
    def remove_secret(self, id: str) -> bool:  # noqa: A002
        self._delete(f"/secrets/{q(id)}")
        return True

    @minimum_version("1.25")
    def secrets(self, filters: dict | None = None) -> list[dict]:
        """The swarm's secrets; ``filters``: ``id``, ``label``, ``name``, ``names``."""
        return self._get("/secrets", filters=convert_filters(filters) if filters else None) or []


__all__ = ["SecretMixin", "encode_data"]
