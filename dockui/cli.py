"""Command line: ``dockui [--host H] [--context C] [--read-only]``; opens the dashboard."""

from __future__ import annotations

import argparse
import sys

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dockui", description="A keyboard-driven, k9s-style terminal dashboard for the Docker Engine.")
    p.add_argument("--version", action="version", version=f"dockui {__version__}")
    p.add_argument("-H", "--host", help="engine address (unix:///path, tcp://host:port, ssh://user@host); default: DOCKER_HOST, the docker context, the default socket")
    p.add_argument("-c", "--context", help="docker context to use")
    p.add_argument("--read-only", action="store_true", help="hide and refuse every action that changes the engine")
    p.add_argument("--check", action="store_true", help="connect, print the engine's version and exit (no UI)")
    p.add_argument("screen", nargs="?", default="containers", help="screen to open first (containers, images, networks, volumes, nodes, services, tasks, projects)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .engine import EngineClient, EngineError
    from .engine.config import resolve

    try:
        endpoint, source = resolve(args.host, args.context)
    except ValueError as exc:
        print(f"dockui: {exc}", file=sys.stderr)
        return 2
    client = EngineClient(endpoint, readonly=args.read_only)
    if args.check:
        try:
            v = client.version()
        except EngineError as exc:
            print(f"dockui: cannot reach the engine at {endpoint.display} ({source}): {exc}", file=sys.stderr)
            return 1
        print(f"{endpoint.display} ({source}): Docker {v.get('Version')} API {client.api_version} {v.get('Os')}/{v.get('Arch')}")
        return 0
    from . import config
    from .app import DockuiApp

    app = DockuiApp(client, source=source, first_screen=args.screen, config=config.load())
    app.run()
    return app.return_code or 0
