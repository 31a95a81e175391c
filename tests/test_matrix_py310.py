"""Code that must behave the same on every supported Python (3.10 to 3.13): run by scripts/matrix in
each clean venv. Python 3.10's ``datetime.fromisoformat`` takes 3 or 6 fraction digits only and
no ``Z``; the engine's RFC 3339 "nano" stamps drop trailing zeros. No engine needed."""

from __future__ import annotations

import pytest

from dockui import config, format

BASE = 1714557600  # 2024-05-01T10:00:00Z


@pytest.mark.parametrize(("stamp", "want"), [
    ("2024-05-01T10:00:00.123456789Z", BASE + 0.123456789),
    ("2024-05-01T10:00:00.12345Z", BASE + 0.12345),  # trailing zeros dropped: was None (AGE "?")
    ("2024-05-01T10:00:00.5Z", BASE + 0.5),
    ("2024-05-01T10:00:00Z", BASE),
    ("2024-05-01T12:00:00.1234+02:00", BASE + 0.1234),
    ("2024-05-01T12:00:00.123456789+02:00", BASE + 0.123456789),  # the zone was cut off with the digits
    ("2024-05-01T10:00:00", BASE),
])
def test_engine_timestamps_parse_on_every_python(stamp, want):
    format._STAMPS.clear()
    assert format.timestamp(stamp) == pytest.approx(want, abs=1e-6)


@pytest.mark.parametrize("stamp", ["", "yesterday", "2024-13-01T10:00:00Z", "0001-01-01T00:00:00Z junk"])
def test_what_is_not_a_timestamp_is_none(stamp):
    assert format.timestamp(stamp) is None


def test_config_toml_is_read_on_every_python(tmp_path):
    """3.10 has no tomllib: the tomli dependency reads the file (config.load returned defaults there)."""
    p = tmp_path / "config.toml"
    p.write_text('[ui]\ntheme = "nord"\n[logs]\ntail = 42\n')
    cfg = config.load(p)
    assert cfg.warnings == [] and cfg.theme == "nord" and cfg.log_tail == 42
