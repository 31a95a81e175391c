"""Configuration types: Healthcheck."""

from __future__ import annotations

from typing import Any

__all__ = ["Healthcheck"]


def _shell_form(test: Any) -> Any:
    """A test given as one string runs through the container's shell: ``["CMD-SHELL", test]``."""
    return ["CMD-SHELL", test] if isinstance(test, str) else test


class Healthcheck(dict):
    """A container's health check: ``test`` (a list such as ``["CMD", "true"]``, ``["NONE"]``, or a
    shell string), ``interval``, ``timeout`` and ``start_period`` in nanoseconds, ``retries``.
    Keys may also be given in the engine's spelling (``Test``, ``Interval``, ...)."""

    def __init__(self, **kwargs: Any) -> None:
        def arg(name: str, key: str) -> Any:
            return kwargs.get(name, kwargs.get(key))

        super().__init__({
            "Test": _shell_form(arg("test", "Test")),
            "Interval": arg("interval", "Interval"),
            "Timeout": arg("timeout", "Timeout"),
            "Retries": arg("retries", "Retries"),
            "StartPeriod": arg("start_period", "StartPeriod"),
        })

    @property
    def test(self) -> Any:
        return self["Test"]

    @test.setter
    def test(self, value: Any) -> None:
        self["Test"] = _shell_form(value)

    @property
    def interval(self) -> Any:
        return self["Interval"]

    @interval.setter
    def interval(self, value: Any) -> None:
        self["Interval"] = value

    @property
    def timeout(self) -> Any:
        return self["Timeout"]

    @timeout.setter
    def timeout(self, value: Any) -> None:
        self["Timeout"] = value

    @property
    def retries(self) -> Any:
        return self["Retries"]

    @retries.setter
    def retries(self, value: Any) -> None:
        self["Retries"] = value

    @property
    def start_period(self) -> Any:
        return self["StartPeriod"]

    @start_period.setter
    def start_period(self, value: Any) -> None:
        self["StartPeriod"] = value
