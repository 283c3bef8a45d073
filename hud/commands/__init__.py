"""Subcommands of the ``hud`` command line, one module each (see :mod:`hud.cli`)."""
