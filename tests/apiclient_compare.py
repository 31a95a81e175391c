"""Side-by-side runs of docker-py's ``APIClient`` (the test-only oracle) and dockui's ``EngineClient``.

A *scenario* is a function ``fn(side, name) -> dict`` that makes calls through ``side.api`` and
returns what it saw (return values and the engine's resulting state), already trimmed to what
should not differ between two runs. :func:`normalise` blanks ids, times, version indexes and the
run's unique name. Each module registers its scenarios with a :class:`Scenarios` table, which
gives two tests: the scenario run by each client (``test_scenario[name-client]``, the pass count
per client) and the two runs compared (``test_same_answers[name]``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from .conftest import engine_host

CLIENTS = ("docker-py", "dockui")

# docker-py's exception names; an exception is known by the first of these in its class's MRO
ERROR_NAMES = ("ImageNotFound", "NotFound", "NullResource", "InvalidVersion", "InvalidArgument", "APIError",
               "DockerException", "TypeError", "ValueError")


@dataclass
class Side:
    """One client with the matching ``errors`` and ``types`` modules."""

    kind: str
    api: Any
    errors: Any
    types: Any
    host: str

    def other_version(self, version: str) -> Any:
        """A second client of the same kind pinned to API ``version`` (for the version checks)."""
        return make_api(self.kind, self.host, version)


def make_api(kind: str, host: str, version: str = "auto") -> Any:
    if kind == "docker-py":
        import docker

        return docker.APIClient(base_url=host, version=version, timeout=60)
    from dockui.engine import EngineClient

    return EngineClient(host, version=version, timeout=60)


def make_side(kind: str, host: str | None = None) -> Side:
    host = host or engine_host()
    if kind == "docker-py":
        import docker.errors
        import docker.types

        return Side(kind, make_api(kind, host), docker.errors, docker.types, host)
    import dockui.engine.errors
    import dockui.engine.types

    return Side(kind, make_api(kind, host), dockui.engine.errors, dockui.engine.types, host)


def error_name(exc: BaseException) -> str:
    for cls in type(exc).__mro__:
        if cls.__name__ in ERROR_NAMES:
            return cls.__name__
    return type(exc).__name__


def raises(fn: Callable[[], Any]) -> dict[str, Any]:
    """What a call that should fail raised: docker-py's class name and the HTTP status (if any)."""
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the point is to name whatever it is
        out: dict[str, Any] = {"error": error_name(exc)}
        code = getattr(exc, "status_code", None)
        if code is not None:
            out["status"] = code
        return out
    return {"error": None}


_HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
_SWARM_ID = re.compile(r"\b[0-9a-z]{25}\b")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
TIME_KEYS = {"CreatedAt", "UpdatedAt", "Created", "Timestamp", "time", "timeNano", "StartedAt", "FinishedAt"}


def normalise(obj: Any, names: dict[str, str] | None = None) -> Any:
    """``obj`` with ids, times and version indexes blanked and each name in ``names`` replaced."""
    names = names or {}
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k in TIME_KEYS:
                out[k] = "<time>"
            elif k == "Version" and isinstance(v, dict) and "Index" in v:
                out[k] = "<version>"
            else:
                out[normalise(k, names)] = normalise(v, names)
        return out
    if isinstance(obj, (list, tuple)):
        return [normalise(v, names) for v in obj]
    if isinstance(obj, bytes):
        return normalise(obj.decode("latin-1"), names).encode("latin-1")
    if isinstance(obj, str):
        for real, placeholder in names.items():
            obj = obj.replace(real, placeholder)
        if _TIME.match(obj):
            return "<time>"
        obj = _HEX64.sub("<id>", obj)
        return _SWARM_ID.sub("<id>", obj)
    return obj


def unique(prefix: str = "dkapi") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class Scenarios:
    """A module's scenarios and the results of their runs (each runs once per client)."""

    def __init__(self) -> None:
        self.fns: dict[str, Callable[[Side, str], dict]] = {}
        self.results: dict[tuple[str, str], Any] = {}
        self.host: Callable[[], str] = engine_host

    def __call__(self, fn: Callable[[Side, str], dict]) -> Callable[[Side, str], dict]:
        self.fns[fn.__name__] = fn
        return fn

    def names(self) -> list[str]:
        return list(self.fns)

    def run(self, name: str, kind: str) -> dict:
        key = (name, kind)
        if key not in self.results:
            name_ = unique()
            try:
                record = self.fns[name](make_side(kind, self.host()), name_)
                self.results[key] = normalise(record, {name_: "<name>"})
            except Exception as exc:
                self.results[key] = exc
                raise
        got = self.results[key]
        if isinstance(got, Exception):
            raise got
        return got

    def compare(self, name: str) -> None:
        answers = {}
        for kind in CLIENTS:
            try:
                answers[kind] = self.run(name, kind)
            except Exception as exc:  # noqa: BLE001
                pytest.fail(f"{kind} failed the scenario: {error_name(exc)}: {exc}")
        if answers["dockui"] != answers["docker-py"]:
            import difflib
            import pprint

            diff = difflib.unified_diff(pprint.pformat(answers["docker-py"], width=100).splitlines(),
                                        pprint.pformat(answers["dockui"], width=100).splitlines(),
                                        "docker-py", "dockui", lineterm="")
            pytest.fail("the two clients' answers differ:\n" + "\n".join(diff))

    def tests(self) -> tuple[Callable[[str, str], None], Callable[[str], None]]:
        """The module's two test functions, once every scenario is registered:
        ``test_scenario, test_same_answers = scenario.tests()`` at the end of a test file."""

        @pytest.mark.parametrize("kind", CLIENTS)
        @pytest.mark.parametrize("name", self.names())
        def test_scenario(name: str, kind: str) -> None:
            self.run(name, kind)

        @pytest.mark.parametrize("name", self.names())
        def test_same_answers(name: str) -> None:
            self.compare(name)

        return test_scenario, test_same_answers


# ---------------------------------------------------------------- private engines (swarm init/join, plugins)
class NetnsDockerd:
    """A private dockerd (``tests/engines.Dockerd``) started inside network namespace ``netns``, so that
    nothing it does to interfaces or ports touches the machine's (or the sandbox's) network."""

    def __init__(self, tmpdir: str, netns: str) -> None:
        from pathlib import Path

        from .engines import Dockerd

        class _D(Dockerd):
            def command(inner) -> list[str]:  # noqa: N805 - the Dockerd instance
                return ["nsenter", f"--net=/run/netns/{netns}", *super().command()]

        self.d = _D(Path(tmpdir), None, None)

    def __enter__(self) -> Any:
        return self.d.start(90)

    def __exit__(self, *exc: object) -> None:
        self.d.stop()


class PrivateNetns:
    """A network namespace with only ``lo`` (up), removed afterwards."""

    def __init__(self) -> None:
        self.name = "dkapi-" + uuid.uuid4().hex[:8]

    def __enter__(self) -> str:
        import subprocess

        subprocess.run(["ip", "netns", "add", self.name], check=True, capture_output=True)
        subprocess.run(["ip", "-n", self.name, "link", "set", "lo", "up"], check=True, capture_output=True)
        return self.name

    def __exit__(self, *exc: object) -> None:
        import subprocess

        subprocess.run(["ip", "netns", "delete", self.name], capture_output=True)
