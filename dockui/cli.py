"""Command line: ``dockui [--host H] [--context C] [--read-only]``; opens the dashboard.

Exit codes: 0 fine, 1 the engine could not be reached (``--check``), 2 a usage or
configuration error (a malformed ``--host``/``DOCKER_HOST``, an unknown context), always
with one line on stderr and never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from . import __version__

DEFAULT_TIMEOUT = 30.0


def _seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0.1 <= v <= 3600:
        raise argparse.ArgumentTypeError(f"out of range (0.1 to 3600 s): {text!r}")
    return v


def versions() -> str:
    """``dockui X, Python Y, Textual Z``: what a bug report needs first (Textual's version read from
    its installed metadata, so ``--version`` does not pay for importing it)."""
    from importlib import metadata

    try:
        textual = metadata.version("textual")
    except metadata.PackageNotFoundError:
        textual = "not installed"
    return f"dockui {__version__}, Python {sys.version.split()[0]} ({sys.executable}), Textual {textual}"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dockui", description="A keyboard-driven, k9s-style terminal dashboard for the Docker Engine.")
    # not argparse's "version" action: it wraps the line to the terminal's width
    p.add_argument("--version", action="store_true", help="print dockui's, Python's and Textual's versions and exit")
    p.add_argument("-H", "--host", action="append", help="engine address (unix:///path, tcp://host:port, ssh://user@host); default: DOCKER_HOST, the docker context, the default socket; given more than once (NAME=URL names it): a fleet")
    p.add_argument("-c", "--context", help="docker context to use; a,b,c: a fleet of those contexts on one screen")
    p.add_argument("--fleet", action="store_true", help="every engine on one screen: all docker contexts plus the --host ones")
    p.add_argument("--read-only", action="store_true", help="hide and refuse every action that changes the engine")
    p.add_argument("--tls-insecure", action="store_true",
                   help="use TLS without verifying the engine's certificate (unsafe; also DOCKUI_TLS_INSECURE=1)")
    p.add_argument("--timeout", type=_seconds, default=None,
                   help=f"seconds an engine call may take before it fails (default {DEFAULT_TIMEOUT:g}; also DOCKUI_TIMEOUT)")
    p.add_argument("--check", action="store_true", help="connect, print the engine's version and exit (no UI)")
    p.add_argument("screen", nargs="?", default="containers", help="screen to open first (containers, images, networks, volumes, nodes, services, tasks, projects)")
    return p


def _timeout(args: argparse.Namespace) -> float:
    if args.timeout is not None:
        return args.timeout
    env = os.environ.get("DOCKUI_TIMEOUT")
    if env:
        try:
            return _seconds(env)
        except argparse.ArgumentTypeError as exc:
            raise ValueError(f"DOCKUI_TIMEOUT: {exc}") from None
    return DEFAULT_TIMEOUT


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.version:
        print(versions())
        return 0
    from . import logfile
    from .engine import EngineClient, EngineError
    from .engine.config import resolve

    try:
        timeout = _timeout(args)
        hosts = args.host or []
        if args.fleet or len(hosts) > 1 or "," in (args.context or ""):  # many engines on one screen (dockui/fleet)
            from .fleet.launch import run_fleet

            return run_fleet(args, hosts, timeout)
        endpoint, source = resolve(hosts[-1] if hosts else None, args.context, tls_insecure=args.tls_insecure)
    except ValueError as exc:
        print(f"dockui: {exc}", file=sys.stderr)
        return 2
    log_path = logfile.setup()
    log = logging.getLogger("dockui")
    log.info("dockui %s starting (pid %d); engine %s (%s)%s", __version__, os.getpid(), endpoint.display, source,
             "; read-only" if args.read_only else "")
    if endpoint.insecure:
        warning = f"TLS certificate verification is OFF for {endpoint.url}: anyone on the network path can pose as this engine"
        print(f"dockui: warning: {warning}", file=sys.stderr)
        log.warning(warning)
    client = EngineClient(endpoint, readonly=args.read_only, timeout=timeout)
    if args.check:
        try:
            v = client.version()
        except EngineError as exc:
            log.error("cannot reach the engine at %s (%s): %s", endpoint.display, source, exc)
            print(f"dockui: cannot reach the engine ({source}): {exc}", file=sys.stderr)
            return 1
        print(f"{endpoint.display} ({source}): Docker {v.get('Version')} API {client.api_version} {v.get('Os')}/{v.get('Arch')}")
        print(versions())
        return 0
    prepare_launch()
    from .store import Store

    store = Store(client.clone())
    store.start()
    from . import config
    from .app import DockuiApp

    app = DockuiApp(client, source=source, first_screen=args.screen, config=config.load(), store=store)
    return run_app(app, log, log_path)


def prepare_launch() -> None:
    """Before the store starts listing: make the first screen come as early as it can."""
    # list the engine while Textual is imported: the first screen then has its rows at once. The
    # store thread needs the GIL for a moment after every reply; with the default 5 ms switch
    # interval the importing main thread kept it waiting ~450 ms, so switch often until the
    # first rows are on screen (the app puts the default back)
    sys.setswitchinterval(0.0002)
    # no cyclic collector until the first full list is drawn (the app's _freeze_heap turns it back
    # on, at the latest a few seconds in): a full collection over Textual's freshly imported
    # modules and the loaded store took ~30 ms of the launch, gen-0 passes ran every millisecond
    import gc

    gc.disable()
    # Textual flushes changes to the screen on a frame timer (60 a second by default): a key
    # that just misses a frame waits ~17 ms more. 120 halves that wait; an idle screen costs
    # nothing either way (the timer only runs while something changed). TEXTUAL_FPS still wins.
    os.environ.setdefault("TEXTUAL_FPS", "120")


def run_app(app: Any, log: logging.Logger, log_path: Any) -> int:
    """Run the dashboard until it ends; its exit code."""
    from .hangup import HangupDriver, start_watchdog

    app.driver_class = HangupDriver  # a lost terminal ends dockui instead of blocking it (issue 22)
    start_watchdog(app)
    try:
        app.run()
    finally:
        log.info("dockui exiting (code %s)%s", app.return_code, f"; log at {log_path}" if log_path else "")
    return app.return_code or 0
