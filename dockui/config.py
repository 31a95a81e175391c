"""User configuration: ``$XDG_CONFIG_HOME/dockui/config.toml`` (keys, aliases, theme, logs, shell).

A missing file means defaults; a broken file means defaults plus a warning shown in the UI,
never a crash. See ``config.example.toml`` for every setting.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _tomllib():
    """tomllib, loaded only when there is a file to read (its regexes cost ~5 ms at launch); None on 3.10."""
    try:  # Python 3.11+
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10: config files are not read
        return None
    return tomllib


@dataclass
class Config:
    theme: str = ""
    log_tail: int = 500
    log_lines: int = 10_000
    shell: tuple[str, ...] = ("bash", "sh")
    refresh: float = 0.2  # seconds between table repaints at most
    stats_refresh: float = 1.0
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> keys
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> kind
    columns: dict[str, list[str]] = field(default_factory=dict)  # kind -> column keys, in order
    commands: Any = None  # the [[commands]] entries as written; dockui/custom.py checks and installs them
    bundle_dir: str = ""  # where B writes incident bundles ([bundle] directory; "": the current directory)
    warnings: list[str] = field(default_factory=list)
    path: str = ""


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "dockui" / "config.toml"


def load(path: Path | None = None) -> Config:
    path = path or config_path()
    cfg = Config(path=str(path))
    if not path.exists():
        return cfg
    tomllib = _tomllib()
    if tomllib is None:
        cfg.warnings.append(f"{path}: needs Python 3.11 to read TOML; using defaults")
        return cfg
    try:
        doc: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        cfg.warnings.append(f"{path}: {exc}; using defaults")
        return cfg

    def get(section: str, key: str, typ: type | tuple[type, ...], default: Any) -> Any:
        val = (doc.get(section) or {}).get(key, default) if section else doc.get(key, default)
        if not isinstance(val, typ) or isinstance(val, bool) and typ is not bool:
            if val is not default:
                names = " or ".join(t.__name__ for t in (typ if isinstance(typ, tuple) else (typ,)))
                cfg.warnings.append(f"{path}: {section + '.' if section else ''}{key} should be a {names}")
            return default
        return val

    cfg.theme = get("ui", "theme", str, cfg.theme)
    cfg.refresh = max(0.05, float(get("ui", "refresh", (int, float), cfg.refresh)))
    cfg.stats_refresh = max(0.2, float(get("ui", "stats_refresh", (int, float), cfg.stats_refresh)))
    cfg.log_tail = max(0, get("logs", "tail", int, cfg.log_tail))
    cfg.log_lines = max(100, get("logs", "buffer", int, cfg.log_lines))
    shell = get("shell", "command", list, list(cfg.shell))
    cfg.shell = tuple(str(s) for s in shell) or cfg.shell
    cfg.keymap = {str(k): str(v) for k, v in (doc.get("keys") or {}).items() if isinstance(v, str)}
    cfg.aliases = {str(k): str(v) for k, v in (doc.get("aliases") or {}).items() if isinstance(v, str)}
    cfg.columns = {str(k): [str(c) for c in v] for k, v in (doc.get("columns") or {}).items() if isinstance(v, list)}
    cfg.commands = doc.get("commands")
    cfg.bundle_dir = os.path.expanduser(get("bundle", "directory", str, cfg.bundle_dir))
    return cfg
