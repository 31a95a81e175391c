"""``python -m dockui``."""

from .cli import main

raise SystemExit(main())
