"""User configuration: ``$XDG_CONFIG_HOME/dockui/config.toml`` (keys, aliases, theme, logs, shell).

A missing file means defaults; a broken file means defaults plus a warning shown in the UI,
never a crash. See ``config.example.toml`` for every setting.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _tomllib():
    """tomllib, loaded only when there is a file to read (its regexes cost ~5 ms at launch); on
    Python 3.10 the ``tomli`` backport (a dependency there, see pyproject.toml); None without either."""
    try:  # Python 3.11+
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
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
        cfg.warnings.append(f"{path}: needs Python 3.11, or the tomli package, to read TOML; using defaults")
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


_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\"' -]+?)\s*\]\s*(#.*)?$")  # [table] (not [[array]])
_VALUE = r"(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s#]+)"  # a basic or literal string, or a bare value


def set_value(text: str, section: str, key: str, value: str) -> str:
    """``text`` (a TOML document) with ``[section] key = "value"``: the value of an existing line
    replaced in place (its indentation and trailing comment kept), or the line added under the
    section's header, or the section added at the end. Every other line, comments included, is
    left as it was: the user's file is edited, not rewritten."""
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = text.splitlines(keepends=True)
    current = ""  # the table the line is in ("" before any header)
    header_at = -1
    own = re.compile(rf"^(\s*{re.escape(key)}\s*=\s*){_VALUE}(.*)$", re.S)
    dotted = re.compile(rf"^(\s*{re.escape(section)}\s*\.\s*{re.escape(key)}\s*=\s*){_VALUE}(.*)$", re.S)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("[["):
            current = None  # an array of tables: never ours
            continue
        m = _HEADER.match(line)
        if m:
            current = m.group(1).strip().strip("\"'")
            if current == section and header_at < 0:
                header_at = i
            continue
        m = (own.match(line) if current == section else dotted.match(line) if current == "" else None)
        if m:
            lines[i] = m.group(1) + quoted + m.group(3)
            return "".join(lines)
    if header_at >= 0:
        lines.insert(header_at + 1, f"{key} = {quoted}\n")
        return "".join(lines)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join(lines) + ("\n" if lines else "") + f"[{section}]\n{key} = {quoted}\n"


def save_setting(section: str, key: str, value: str, path: Path | None = None) -> Path:
    """Write ``[section] key = "value"`` into the config file (created if absent, with its
    directory) by a line edit of its text (``set_value``), replaced atomically. Raises OSError
    when it cannot be written, ValueError when the file is not TOML that the edit could keep so
    (it is then left untouched)."""
    path = Path(os.path.realpath(path or config_path()))  # a symlinked file stays a symlink
    try:
        old = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        old = ""
    new = set_value(old, section, key, value)
    tomllib = _tomllib()
    if tomllib is not None:
        try:
            doc = tomllib.loads(new)
        except ValueError as exc:
            raise ValueError(f"{path} is not valid TOML ({exc}); left as it was") from None
        if (doc.get(section) or {}).get(key) != value:
            raise ValueError(f"{path}: could not set {section}.{key} by a line edit; left as it was")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(new, encoding="utf-8")
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
