"""The ``hud`` command line.

Each subcommand lives in its own module under :mod:`hud.cli` and exposes
``register(subparsers)``; the module adds its parser and sets ``func`` to a function
``run(args) -> int``. A :class:`~hud.errors.HudError` becomes one line on stderr and exit
status 2, so a user never sees a traceback for bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from hud.errors import HudError, escape_controls

#: Subcommand modules, in the order ``hud --help`` lists them.
COMMAND_MODULES = (
    "hud.cli.render",
    "hud.cli.lint",
    "hud.cli.layout_metrics",
    "hud.cli.profiles",
    "hud.cli.bench",
    "hud.cli.evaluate",
    "hud.cli.detect",
    "hud.cli.record",
    "hud.cli.replay",
    "hud.cli.show",
    "hud.cli.emulate",
    "hud.cli.ask",
    "hud.cli.redact",
)


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line usage error (``hud render: error: ...``) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hud", description="Waveglass: heads-up display toolkit for AI glasses.")
    from hud import __version__

    parser.add_argument("--version", action="version", version=f"waveglass {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a command not built yet; the others still work
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _tolerant_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except HudError as exc:
        print(f"hud: error: {error_line(exc.message)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("hud: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (``hud replay | head``): not an error
        _drop_stdout()
        return 0
    except OSError as exc:  # the terminal or a pipe refused what was printed (a full disk)
        if exc.errno not in _OUTPUT_ERRNOS:
            raise
        _drop_stdout()
        print(f"hud: error: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return 2


def error_line(message: str) -> str:
    """A :class:`HudError` message as printed: one line, control characters escaped.

    The last line of defence: parsers quote the untrusted values they echo
    (:func:`hud.errors.quote`), and this makes sure that whatever reached a message (a
    path with a newline in its name, an OS error text) cannot forge a second
    ``hud: error:`` line or send an escape sequence to the terminal.
    """
    return escape_controls(message)


#: Errors of a stream that cannot take more output: full disk, quota, I/O error, too big.
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG})


def _tolerant_streams() -> None:
    """Characters the terminal's encoding lacks (``×``, Hangul under ``LANG=C``) are
    written as escapes instead of ending the command in a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so Python's final flush of what is still buffered
    cannot fail a second time (as a traceback-like "Exception ignored" line)."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
