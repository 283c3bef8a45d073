"""``hud record`` killed with SIGKILL mid-recording leaves a session that replays.

A real subprocess records the fixture video; once the file holds some frames the
process is killed with no chance to clean up. Every frame that was in the file before
the kill must still replay, with stored and re-run events equal.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hud_process import run_hud

from hud.errors import HudError
from hud.io.session import SessionReader

ROOT = Path(__file__).resolve().parents[2]
VIDEO = ROOT / "tests" / "data" / "video" / "hand_landmarker__test_video.mp4"
WANTED = 30  # frames in the file before the kill (the video has 202)


def _frames_in(path: Path) -> int:
    try:
        return len(SessionReader(path).read_all())
    except HudError:  # not even the header yet
        return 0


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_recording_leaves_a_replayable_session(tmp_path: Path) -> None:
    path = tmp_path / "killed.wgs"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hud", "record", "--video", str(VIDEO), "--out", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    seen = 0
    try:
        for _ in range(2400):  # up to 120 s for a slow, shared machine
            seen = _frames_in(path) if path.exists() else 0
            if seen >= WANTED or proc.poll() is not None:
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.05)
        assert proc.poll() is None, (
            f"the recording ended (status {proc.returncode}) before it could be killed; "
            f"stderr: {proc.stderr.read().decode() if proc.stderr else ''}"
        )
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert seen >= WANTED

    reader = SessionReader(path)
    frames = reader.read_all()
    assert len(frames) >= seen  # every flushed frame survived the kill
    assert [f.timestamp_ms for f in frames] == [40 * i for i in range(len(frames))]
    assert not reader.complete and len(reader.notes) == 1

    result = run_hud("replay", str(path), "--verify", "--json", cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "hud: note:" in result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])["summary"]
    assert summary["frames"] == len(frames)
    assert summary["verify"] == {"equal": True, "frames_differing": 0}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs")
def test_ctrl_c_ends_the_recording_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "stopped.wgs"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hud", "record", "--video", str(VIDEO), "--out", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(2400):
            if (_frames_in(path) if path.exists() else 0) >= 10 or proc.poll() is not None:
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.05)
        assert proc.poll() is None, "the recording ended before Ctrl-C"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped by Ctrl-C" in out
    reader = SessionReader(path)
    frames = reader.read_all()
    assert reader.complete and reader.notes == []
    assert reader.end is not None and reader.end["frames"] == len(frames) >= 10
