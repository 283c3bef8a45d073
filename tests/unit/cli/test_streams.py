"""Output the terminal cannot take, and inputs that would block: one line, never a hang.

A stdout that is full (``> /dev/full``) or cannot encode ``×`` (``PYTHONIOENCODING=ascii``)
and input paths that are FIFOs are refused or handled without a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _hud(
    *args: str, stdout: object = subprocess.PIPE, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hud", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", [("profiles",), ("profiles", "--json")])
def test_a_full_stdout_is_one_line_and_status_2(args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        r = _hud(*args, stdout=full)
    assert r.returncode == 2
    assert r.stderr == "hud: error: cannot write the output: No space left on device\n"


def test_a_stdout_that_cannot_encode_gets_escapes_not_a_traceback() -> None:
    r = _hud("profiles", PYTHONIOENCODING="ascii")
    assert r.returncode == 0, r.stderr
    assert "\\xd7" in r.stdout and "Traceback" not in r.stderr  # × as an escape


def test_a_closed_pipe_ends_quietly() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hud", "profiles", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and err == ""


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (("render", "{path}", "--out", "{tmp}/out.png"), "scene.json"),
        (("replay", "{path}"), "clip.wgs"),
        (("profiles", "--profiles-file", "{path}"), "glasses.toml"),
    ],
)
def test_a_fifo_input_is_refused_instead_of_blocking(
    tmp_path: Path, command: tuple[str, ...], name: str
) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    args = [a.format(path=fifo, tmp=tmp_path) for a in command]
    r = _hud(*args)  # would block for ever reading the FIFO
    assert r.returncode == 2
    assert r.stderr.strip().endswith("is not a regular file (a pipe or a device?)")
    assert r.stderr.count("\n") == 1
