"""The TOML config: keys, aliases, columns, theme, log sizes; a broken file means defaults and a warning."""

from __future__ import annotations

import asyncio

from dockui import config
from dockui.app import DockuiApp
from dockui.engine import EngineClient

from .conftest import engine_host
from .test_app import wait_until


def test_config_file_is_read_and_bad_values_warn(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text('[ui]\ntheme = "nord"\nrefresh = "fast"\n[logs]\ntail = 50\n[aliases]\ndp = "containers"\n'
                 '[columns]\ncontainers = ["name", "state"]\n[keys]\nfilter = "f"\n')
    cfg = config.load(p)
    assert cfg.theme == "nord" and cfg.log_tail == 50 and cfg.aliases == {"dp": "containers"}
    assert cfg.columns == {"containers": ["name", "state"]} and cfg.keymap == {"filter": "f"}
    assert any("refresh" in w for w in cfg.warnings)
    p.write_text("this is [not toml")
    broken = config.load(p)
    assert broken.warnings and broken.log_tail == 500
    assert config.load(tmp_path / "missing.toml").warnings == []


def test_app_applies_keymap_aliases_columns_and_theme(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text('[ui]\ntheme = "nord"\n[aliases]\nboxes = "containers"\n[columns]\ncontainers = ["name", "state"]\n[keys]\nfilter = "f"\n')

    async def main():
        app = DockuiApp(EngineClient(engine_host()), config=config.load(p))
        async with app.run_test(size=(160, 40)) as pilot:
            assert await wait_until(pilot, lambda: app.store.loaded)
            assert app.theme == "nord"
            assert [c.key for c in app.main._shown_columns] == ["name", "state"]
            await pilot.press("colon", *"img", "enter")
            await pilot.press("colon", *"boxes", "enter")
            assert await wait_until(pilot, lambda: app.main.kind == "containers")
            await pilot.press("f")
            assert app.main.prompt_mode == "/"

    asyncio.run(main())
