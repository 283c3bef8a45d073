"""Frames out: a folder of numbered PNGs or one MP4, written so nothing of the user's is lost.

The headless runner and ``hud show --headless`` write here. Every output is checked before
any work (an ``.mp4`` must be new, a folder new or free of frames); an MP4 is written to a
temp file beside it and published by a hard link only when the run completed, so a failed
or interrupted run leaves no partial video and never replaces a file made meanwhile.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hud.errors import HudError, OptionsError
from hud.io.images import new_file_mode, save_png, temp_beside

#: Names that say "a file", which a frames output (a folder or an .mp4) must not be.
_FILE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".avi", ".mov", ".mkv", ".webm", ".wgs")


#: The headless runner's PNG names in its output folder.
FRAME_NAME = "frame-{:05d}.png"


# ---------------------------------------------------------------------------- outputs
def check_frames_output(out: str | Path) -> Path:
    """Refuse a bad headless output before any work: an ``.mp4`` must be new and in an
    existing folder; a folder must be new (in an existing one) or hold no frame PNGs."""
    text = os.fspath(out)
    p = Path(text)
    if not text:
        raise OptionsError("the output is empty: give a folder or an .mp4 file")
    parent = p.parent if str(p.parent) else Path(".")
    if p.suffix.lower() == ".mp4":
        if p.exists():
            raise HudError(f"{p} exists; give a new file name (a video is never replaced)")
    elif p.suffix.lower() in _FILE_SUFFIXES:
        raise HudError(f"the output must be a folder or an .mp4 file, got {p}")
    elif p.exists():
        if not p.is_dir():
            raise HudError(f"{p} exists and is not a folder")
        taken = sorted(p.glob(FRAME_NAME.replace("{:05d}", "*")))
        if taken:
            raise HudError(f"{p} already holds frames ({taken[0].name}); give a new folder")
        return p
    if not parent.is_dir():
        raise HudError(f"output folder does not exist: {parent}")
    return p


class FrameWriter:
    """Frames to a folder of PNGs or to one MP4; ``complete`` decides, on exit, whether
    an MP4 is kept. Nothing of the user's is replaced."""

    def __init__(self, path: Path, fps: float) -> None:
        self.path = path
        self.fps = fps
        self.video = path.suffix.lower() == ".mp4"
        self.count = 0
        self.complete = False
        self._tmp: Path | None = None
        self._writer: Any = None

    def write(self, rgb: npt.NDArray[np.uint8]) -> None:
        if not self.video:
            self.path.mkdir(exist_ok=True)
            save_png(self.path / FRAME_NAME.format(self.count), rgb)
        else:
            self._write_video(rgb)
        self.count += 1

    def _write_video(self, rgb: npt.NDArray[np.uint8]) -> None:
        import cv2

        # MPEG-4 frames have even sides: an odd one gets its last row or column repeated.
        h, w = rgb.shape[:2]
        even = np.pad(rgb, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
        if self._writer is None:
            try:
                fd, self._tmp = temp_beside(self.path, ".mp4")
                os.close(fd)
                os.chmod(self._tmp, new_file_mode())
            except OSError as exc:  # a read-only file system, a full disk
                raise HudError(f"cannot write {self.path}: {exc.strerror or exc}") from None
            tmp = str(self._tmp)
            fourcc = cv2.VideoWriter.fourcc(*"mp4v")
            size = (int(even.shape[1]), int(even.shape[0]))
            self._writer = cv2.VideoWriter(tmp, fourcc, float(self.fps), size)
            if not self._writer.isOpened():
                raise HudError(f"cannot write {self.path}: OpenCV has no MPEG-4 encoder")
        self._writer.write(np.ascontiguousarray(even[:, :, ::-1]))

    def __enter__(self) -> FrameWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self._writer is not None:
            self._writer.release()
        tmp = self._tmp
        if tmp is None:
            return
        try:
            if self.complete and exc_type is None:
                _check_video(tmp, self.path, self.count)
                _publish(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)


def _check_video(tmp: Path, path: Path, count: int) -> None:
    """The finished temp MP4 flushed to disk and read back before it gets its name.

    OpenCV's writer reports no error (a full disk leaves a file without its index), so
    a video is published only when it is on disk (fsync) and opens with every frame.
    """
    import cv2

    try:
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
    except OSError as exc:
        raise HudError(f"cannot write {path}: {exc.strerror or exc}") from None
    from hud.io.sources import _quiet_opencv

    with _quiet_opencv():
        capture = cv2.VideoCapture(str(tmp))
        try:
            frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if capture.isOpened() else 0
        finally:
            capture.release()
    if frames != count:
        raise HudError(
            f"cannot write {path}: the video came out with {frames} of {count} frames "
            "(a full disk?); nothing was written"
        )


def _publish(tmp: Path, path: Path) -> None:
    """Give a finished temp file its name, never replacing a file made meanwhile."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise HudError(f"{path} appeared while the video was written; it was kept") from None
    except OSError:  # no hard links on this file system: check, then rename
        if path.exists():
            raise HudError(f"{path} appeared while the video was written; it was kept") from None
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise HudError(f"cannot write {path}: {exc.strerror or exc}") from None


def open_frame_writer(out: str | Path, fps: float) -> FrameWriter:
    """A writer for ``out`` (checked first by :func:`check_frames_output`)."""
    if not (np.isfinite(fps) and fps > 0):
        raise OptionsError(f"fps must be positive, got {fps}")
    return FrameWriter(check_frames_output(out), fps)
