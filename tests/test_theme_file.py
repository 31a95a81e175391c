"""Saving the theme into config.toml: a line edit that keeps every other line and comment; the file
and its directory are created when absent; a file that is not TOML is left untouched. No engine."""

from __future__ import annotations

import os

import pytest

from dockui import config

USER_FILE = """# my dockui settings
[ui]   # look and feel
refresh = 0.5          # repaint at most twice a second
theme = "nord"         # was: dracula

[logs]
tail = 50  # enough
[keys]
filter = "f"
"""


def test_an_existing_theme_line_is_replaced_in_place(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text(USER_FILE)
    config.save_setting("ui", "theme", "textual-light", p)
    assert p.read_text() == USER_FILE.replace('theme = "nord"         # was', 'theme = "textual-light"         # was')
    cfg = config.load(p)
    assert cfg.theme == "textual-light" and cfg.log_tail == 50 and cfg.keymap == {"filter": "f"} and cfg.refresh == 0.5


def test_a_theme_line_is_added_under_an_existing_ui_section(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text("# top\n[logs]\ntail = 9\n\n[ui] # mine\nrefresh = 1\n[keys]\nfilter = 'f'\n")
    config.save_setting("ui", "theme", "gruvbox", p)
    assert p.read_text() == "# top\n[logs]\ntail = 9\n\n[ui] # mine\ntheme = \"gruvbox\"\nrefresh = 1\n[keys]\nfilter = 'f'\n"
    assert config.load(p).theme == "gruvbox"


def test_a_ui_section_is_appended_and_keys_elsewhere_are_not_taken_for_it(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text('[aliases]\ntheme = "containers"   # an alias named theme\n[[commands]]\nkey = "x"\ntheme = "no"')
    config.save_setting("ui", "theme", "dracula", p)
    text = p.read_text()
    assert text.startswith('[aliases]\ntheme = "containers"   # an alias named theme\n[[commands]]\nkey = "x"\ntheme = "no"\n')
    assert text.endswith('\n[ui]\ntheme = "dracula"\n')
    assert config.load(p).theme == "dracula" and config.load(p).aliases == {"theme": "containers"}


def test_a_dotted_key_at_the_top_is_edited(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text("ui.theme = 'nord'  # dotted\n[logs]\ntail = 3\n")
    config.save_setting("ui", "theme", "monokai", p)
    assert p.read_text() == "ui.theme = \"monokai\"  # dotted\n[logs]\ntail = 3\n"


def test_an_absent_file_and_directory_are_created(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    written = config.save_setting("ui", "theme", "textual-light")
    assert written == tmp_path / "xdg" / "dockui" / "config.toml"
    assert written.read_text() == '[ui]\ntheme = "textual-light"\n'
    assert config.load().theme == "textual-light"


def test_a_broken_file_is_left_untouched_and_an_unwritable_one_raises(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text("this is [not toml\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        config.save_setting("ui", "theme", "nord", p)
    assert p.read_text() == "this is [not toml\n"
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    with pytest.raises(OSError):
        config.save_setting("ui", "theme", "nord", blocked / "config.toml")


def test_a_symlinked_file_keeps_its_link_and_mode(tmp_path):
    real = tmp_path / "dotfiles" / "dockui.toml"
    real.parent.mkdir()
    real.write_text("[ui]\ntheme = 'nord'\n")
    os.chmod(real, 0o600)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    config.save_setting("ui", "theme", "dracula", link)
    assert link.is_symlink() and real.read_text() == "[ui]\ntheme = \"dracula\"\n"
    assert real.stat().st_mode & 0o777 == 0o600
