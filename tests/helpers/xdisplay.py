"""Windows under a virtual X server, started by the tests themselves (helpers)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def need(tool: str) -> str:
    """The tool's path; missing, it fails in CI (make setup installs it) and skips elsewhere."""
    exe = shutil.which(tool)
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing: 'make setup' installs it on Debian/Ubuntu")
        pytest.skip(f"{tool} is not installed")
    return exe


@contextmanager
def virtual_display(screen: str) -> Iterator[str]:
    """An Xvfb server on a free display number; yields its DISPLAY value."""
    exe = need("Xvfb")
    n = next(
        i
        for i in range(97, 200)
        if not Path(f"/tmp/.X11-unix/X{i}").exists() and not Path(f"/tmp/.X{i}-lock").exists()
    )
    proc = subprocess.Popen(
        [exe, f":{n}", "-screen", "0", screen, "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            time.sleep(0.05)
        yield f":{n}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
