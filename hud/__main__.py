"""``python -m hud`` is the same as the ``hud`` console script."""

from hud.cli import main

raise SystemExit(main())
