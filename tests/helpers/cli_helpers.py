"""Helpers for tests that run ``hud`` commands in-process (imported by name, like
``tests/e2e/xdisplay.py``)."""

from __future__ import annotations

import pytest

from hud.cli import main


def expect_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run ``hud argv``; it must exit 2 with one ``hud: error:`` line and no traceback.
    Returns that line."""
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("hud: error: ") and "\n" not in err, err  # one line, no traceback
    return err
