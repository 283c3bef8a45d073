"""Run ``hud`` as a user does: a separate process, its output captured (test helper)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_hud(
    *args: str,
    env: dict[str, str] | None = None,
    without: tuple[str, ...] = (),
    cwd: Path | None = None,
    timeout: float = 240,
) -> subprocess.CompletedProcess[str]:
    """``python -m hud ARGS`` with this interpreter, in the current environment plus
    ``env`` and minus the variables named in ``without``."""
    environ = {k: v for k, v in os.environ.items() if k not in without}
    return subprocess.run(
        [sys.executable, "-m", "hud", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**environ, **(env or {})},
        cwd=cwd,
    )
