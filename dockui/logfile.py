"""dockui's own log file: ``$XDG_STATE_HOME/dockui/dockui.log`` (default ``~/.local/state``).

Rotating (``MAX_BYTES`` per file, ``BACKUPS`` old files kept), readable by its owner only,
and filtered: :class:`SecretFilter` masks secret-looking ``name=value`` pairs and URL
passwords in every record (message, arguments and traceback) before it is written. Nothing
is ever written to the terminal: the dashboard owns it. ``DOCKUI_LOG_LEVEL`` (DEBUG, INFO,
WARNING…) sets the level; ``DOCKUI_LOG=off`` turns the file off.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from .secrets import mask_text

MAX_BYTES = 1024 * 1024
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def log_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "dockui" / "dockui.log"


class SecretFilter(logging.Filter):
    """Masks secrets in a record: the message is rendered with its arguments, then masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


class _OwnerOnlyHandler(logging.handlers.RotatingFileHandler):
    def _open(self):  # noqa: ANN202 - logging's own signature
        old = os.umask(0o077)
        try:
            return super()._open()
        finally:
            os.umask(old)


_handler: logging.Handler | None = None


def setup(path: Path | None = None, level: str | int | None = None) -> Path | None:
    """Send the ``dockui`` loggers to the log file; returns its path, or None when off or impossible.

    Never raises: a home that cannot be written means no log file, not a failed start.
    Calling it again replaces the handler (tests point it at a temporary directory).
    """
    global _handler
    if os.environ.get("DOCKUI_LOG", "").lower() in ("off", "0", "no", "false"):
        return None
    path = path or log_path()
    level = level or os.environ.get("DOCKUI_LOG_LEVEL") or "INFO"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = _OwnerOnlyHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=False)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(SecretFilter())
    logger = logging.getLogger("dockui")
    teardown()
    logger.addHandler(handler)
    try:
        logger.setLevel(level.upper() if isinstance(level, str) else level)
    except ValueError:
        logger.setLevel(logging.INFO)
    logger.propagate = False  # nothing reaches the root logger (stderr would paint over the UI)
    _handler = handler
    return path


def teardown() -> None:
    """Remove the handler :func:`setup` installed (and close its file)."""
    global _handler
    if _handler is not None:
        logging.getLogger("dockui").removeHandler(_handler)
        _handler.close()
        _handler = None
