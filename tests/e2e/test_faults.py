"""Fault injection for every command that writes: a read-only file system, a target that
cannot be replaced, a full disk, and SIGKILL mid-write.

Each fault must give one ``hud: error:`` line and exit status 2, and leave every file the
user already had as it was, with no hidden temp file left behind. Tests run as root here,
where ``chmod`` stops nothing, so the faults are made with :func:`unittest.mock.patch` of
the calls every write goes through (``tempfile.mkstemp``, ``open``, ``os.replace``,
``os.link``, ``os.fsync``); where the machine allows mounting, a tiny real tmpfs (full,
or read-only) checks the same without mocks.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from cli_helpers import expect_error

from hud.cli import main
from hud.io.session import SessionReader

ROOT = Path(__file__).resolve().parents[2]
HAND = ROOT / "tests" / "data" / "images" / "thumbs-up_960x640.jpg"
OLD = b"the user's own file: must survive\n"
HUD = [sys.executable, "-m", "hud"]

_real_mkstemp = tempfile.mkstemp
_real_open = open


def _oserror(code: int) -> OSError:
    return OSError(code, os.strerror(code))


def _raise(code: int) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise _oserror(code)

    return fail


@contextlib.contextmanager
def read_only_fs() -> Iterator[None]:
    """Nothing can be created or renamed: EROFS from every call that would."""
    fail = _raise(errno.EROFS)

    def session_open(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(c in mode for c in "wxa+"):
            raise _oserror(errno.EROFS)
        return _real_open(path, mode, *args, **kwargs)

    with (
        mock.patch("tempfile.mkstemp", fail),
        mock.patch("os.replace", fail),
        mock.patch("os.link", fail),
        mock.patch("hud.io.session.open", session_open, create=True),
    ):
        yield


@contextlib.contextmanager
def immutable_target() -> Iterator[None]:
    """Temp files can be made, but the target cannot be replaced (``chattr +i``)."""
    with mock.patch("os.replace", _raise(errno.EPERM)), mock.patch("os.link", _raise(errno.EPERM)):
        yield


@contextlib.contextmanager
def full_disk() -> Iterator[None]:
    """The disk fills up: flushing data to it fails with ENOSPC."""
    with mock.patch("os.fsync", _raise(errno.ENOSPC)):
        yield


FAULTS = {"read-only": read_only_fs, "immutable": immutable_target, "full": full_disk}


def _scene(folder: Path) -> Path:
    scene = folder / "scene.json"
    doc = {
        "version": 1,
        "profile": "orion",
        "world": {"color": [0.2, 0.3, 0.4], "width": 64, "height": 48},
    }
    scene.write_text(json.dumps(doc), encoding="utf-8")
    return scene


def _frames(folder: Path) -> Path:
    frames = folder / "frames"
    frames.mkdir()
    for name in ("a.jpg", "b.jpg"):
        shutil.copy(HAND, frames / name)
    return frames


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _case(name: str, tmp: Path, outs: Path | None = None) -> tuple[list[str], list[Path]]:
    """A command that writes, and the files of the user's it must keep (each to hold
    :data:`OLD`). Inputs are made in ``tmp``, outputs go to ``outs`` (default ``tmp``)."""
    scene = _scene(tmp)
    o = outs or tmp
    show = ["show", str(scene), "--headless", "--frames", "2", "--out"]
    if name == "render":
        out, display = o / "out.png", o / "display.png"
        return ["render", str(scene), "--out", str(out), "--display-out", str(display)], [
            out,
            display,
        ]
    if name == "record":
        out = o / "old.wgs"
        return ["record", "--images", str(_frames(tmp)), "--out", str(out), "--force"], [out]
    if name == "detect":
        out = o / "drawn.png"
        return ["detect", str(HAND), "--markers", "none", "--draw", str(out)], [out]
    if name == "show-png":
        (o / "frames-out").mkdir()  # a folder of the user's, holding no frames yet
        return [*show, str(o / "frames-out")], [o / "frames-out" / "notes.txt"]
    if name == "show-mp4":
        return [*show, str(o / "new.mp4")], [o / "beside.txt"]
    raise AssertionError(name)


COMMANDS = ["render", "record", "detect", "show-png", "show-mp4"]


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("command", COMMANDS)
def test_a_write_fault_is_one_line_and_keeps_the_users_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, fault: str
) -> None:
    argv, existing = _case(command, tmp_path)
    for path in existing:
        path.write_bytes(OLD)
    before = _snapshot(tmp_path)
    with FAULTS[fault]():
        err = expect_error(capsys, argv)
    assert "cannot" in err, err
    for path in existing:
        assert path.read_bytes() == OLD, f"{path.name} was changed"
    after = _snapshot(tmp_path)
    assert after == before, f"new or changed files: {sorted(set(after) ^ set(before))}"


def test_the_same_commands_work_without_a_fault(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The cases above fail for the fault alone: unfaulted, each command writes."""
    for command in COMMANDS:
        folder = tmp_path / command
        folder.mkdir()
        argv, existing = _case(command, folder)
        for path in existing:
            path.write_bytes(OLD)
        assert main(argv) == 0, capsys.readouterr().err
        if command in ("render", "record", "detect"):
            assert all(p.read_bytes() != OLD for p in existing)
        else:
            assert all(p.read_bytes() == OLD for p in existing)
    assert len(SessionReader(tmp_path / "record" / "old.wgs").read_all()) == 2


def test_a_new_session_on_a_full_disk_leaves_nothing_half_made(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """ENOSPC before even the header is on disk: one line, and no file that would not
    replay (a full disk later on keeps the frames written: tests/unit/io/test_session.py)."""
    out = tmp_path / "new.wgs"
    with full_disk():
        err = expect_error(
            capsys, ["record", "--images", str(_frames(tmp_path)), "--out", str(out)]
        )
    assert "cannot write" in err and "nothing was recorded" in err
    assert not out.exists() and not list(tmp_path.glob(".waveglass-*"))


# ----------------------------------------------------------------------- a real tmpfs


@contextlib.contextmanager
def _tmpfs(folder: Path, options: str) -> Iterator[Path]:
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.skipif(sys.platform != "linux", reason="tmpfs is Linux")
@pytest.mark.parametrize("command", COMMANDS)
def test_a_real_full_file_system(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    with _tmpfs(tmp_path / "small", "size=64k") as small:
        argv, existing = _case(command, tmp_path, small)
        for path in existing:
            path.write_bytes(OLD)
        with contextlib.suppress(OSError), open(small / "filler", "wb") as f:
            while True:  # fill the file system up
                f.write(b"\0" * 4096)
                f.flush()
        before = _snapshot(small)
        err = expect_error(capsys, argv)
        assert "cannot" in err, err
        assert _snapshot(small) == before


@pytest.mark.skipif(sys.platform != "linux", reason="tmpfs is Linux")
def test_a_real_read_only_file_system(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "ro", "size=1m") as ro:
        (ro / "out.png").write_bytes(OLD)
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        scene = _scene(tmp_path)
        for argv in (
            ["render", str(scene), "--out", str(ro / "out.png")],
            ["detect", str(HAND), "--markers", "none", "--draw", str(ro / "out.png")],
            ["record", "--images", str(_frames(tmp_path)), "--out", str(ro / "s.wgs")],
            ["show", str(scene), "--headless", "--frames", "1", "--out", str(ro / "f.mp4")],
        ):
            err = expect_error(capsys, argv)
            assert "cannot" in err and "Read-only file system" in err, err
        assert (ro / "out.png").read_bytes() == OLD
        assert sorted(p.name for p in ro.iterdir()) == ["out.png"]


# ------------------------------------------------------------------- SIGKILL mid-write


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("out_name", ["frames-out", "video.mp4"])
def test_sigkill_mid_write_leaves_complete_files_or_none(tmp_path: Path, out_name: str) -> None:
    """``hud show --headless`` killed while writing: every frame PNG it left is whole, an
    MP4 is never left half-written under its name, and the next run removes the temp."""
    scene = _scene(tmp_path)
    out = tmp_path / out_name
    proc = subprocess.Popen(
        [*HUD, "show", str(scene), "--headless", "--frames", "100000", "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            started = list(tmp_path.glob(".waveglass-*")) + list(out.glob("frame-*.png"))
            if len(started) >= (1 if out.suffix else 5):
                time.sleep(0.3)  # well inside the write loop
                break
            time.sleep(0.02)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    if out.suffix == ".mp4":
        assert not out.exists()  # published only when complete
        assert list(tmp_path.glob(".waveglass-*.mp4"))  # the killed run's temp...
    else:
        from PIL import Image

        pngs = sorted(out.glob("frame-*.png"))
        assert len(pngs) >= 5
        for png in pngs:  # every published frame is a whole image
            with Image.open(png) as im:
                im.load()
    # ...is removed by the next write in that folder.
    again = tmp_path / "again.mp4"
    result = subprocess.run(
        [*HUD, "show", str(scene), "--headless", "--frames", "1", "--out", str(again)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert not list(tmp_path.glob(".waveglass-*"))
