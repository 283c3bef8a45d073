"""Inputs that would make a command run forever are refused at once."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from cli_helpers import expect_error


def test_a_huge_bench_frame_count_is_refused_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    start = time.monotonic()
    err = expect_error(capsys, ["bench", "--frames", "1000000000000", "--skip-input"])
    assert "--frames must be 1 to" in err and time.monotonic() - start < 5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_named_as_a_video_is_refused_instead_of_blocking(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fifo = tmp_path / "video.mp4"
    os.mkfifo(fifo)
    err = expect_error(capsys, ["record", "--video", str(fifo), "--out", str(tmp_path / "s.wgs")])
    assert "not a regular file" in err
    assert not (tmp_path / "s.wgs").exists()
