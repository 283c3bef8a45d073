"""Frame sources: a webcam, a video file, an image sequence or a recorded session.

Every source yields :class:`Frame` objects — an RGB image with a timestamp in
milliseconds *taken from the source itself* — so trackers in MediaPipe's VIDEO mode and
the gesture recognisers measure time the way the camera did, and a recording replays
identically. Nothing here reads the wall clock: a video's timestamps come from its
container, an image sequence's from its index and a frame rate you state, and a camera's
from the capture driver (or a clock you pass in). Timestamps are made strictly
increasing, because MediaPipe's VIDEO mode refuses anything else.

Images are RGB ``uint8`` (H × W × 3), what MediaPipe wants; OpenCV's BGR is converted
once here so no caller has to remember to.

Camera intrinsics (for marker poses) come from a calibration file or a horizontal field
of view, through :class:`hud.trackers.markers.CameraIntrinsics`; see
:func:`camera_intrinsics`.
"""

from __future__ import annotations

import contextlib
import glob
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from hud.errors import HudError, OptionsError, check_regular_file

#: File name endings an image sequence picks up from a folder.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
#: Camera indices tried (and reported) when a camera cannot be opened.
PROBED_CAMERA_INDICES = (0, 1, 2, 3)

#: A clock in milliseconds, injected by the caller (library code never reads one).
Clock = Callable[[], float]


@dataclass(frozen=True, eq=False)
class Frame:
    """One frame: its position in the source, its time in ms and its RGB pixels.

    ``jpeg`` is the frame as the source stored it, when that is a JPEG (a recorded
    session): a new recording copies those bytes instead of encoding the pixels again,
    which would lose a little more quality every generation.
    """

    index: int
    timestamp_ms: int
    rgb: np.ndarray
    jpeg: bytes | None = None

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.rgb.shape[1]), int(self.rgb.shape[0])


class _Monotonic:
    """Turns candidate timestamps into strictly increasing integers.

    A source's own clock is preferred, but containers and drivers occasionally repeat
    or reorder a timestamp; a repeat would make MediaPipe's VIDEO mode fail, so it is
    nudged forward by 1 ms instead (and counted, so a caller can tell).
    """

    def __init__(self) -> None:
        self.last: int | None = None
        self.adjusted = 0

    def next(self, candidate: float) -> int:
        value = int(round(candidate)) if math.isfinite(candidate) else -1
        if self.last is not None and value <= self.last:
            value = self.last + 1
            self.adjusted += 1
        value = max(value, 0)
        self.last = value
        return value


class FrameSource:
    """Base class: iterate for frames; use as a context manager so devices are released.

    ``fps`` is the nominal frame rate (``None`` when unknown) and ``description`` says
    what the source is, for session headers and messages.
    """

    fps: float | None = None
    description: str = ""

    def __iter__(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the device or file (safe to call twice)."""

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _bgr_to_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_GRAY2RGB))
    if image.shape[2] == 4:
        return np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGRA2RGB))
    return np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))


class _CaptureSource(FrameSource):
    """Shared reading loop of a video file and a camera (both are cv2.VideoCapture)."""

    def __init__(self, capture: Any, max_frames: int | None) -> None:
        if max_frames is not None and max_frames < 1:
            raise OptionsError(f"max_frames must be at least 1, got {max_frames}")
        self._capture = capture
        self._max_frames = max_frames
        self._clock = _Monotonic()
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if math.isfinite(fps) and fps > 0 else None

    def _timestamp(self, index: int) -> float:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        while self._max_frames is None or index < self._max_frames:
            ok, bgr = self._capture.read()
            if not ok or bgr is None:
                return
            stamp = self._clock.next(self._timestamp(index))
            yield Frame(index=index, timestamp_ms=stamp, rgb=_bgr_to_rgb(bgr))
            index += 1

    @property
    def adjusted_timestamps(self) -> int:
        """How many timestamps had to be nudged forward to keep them increasing."""
        return self._clock.adjusted

    def close(self) -> None:
        self._capture.release()


class VideoFileSource(_CaptureSource):
    """Frames of a video file, timed by the container (``CAP_PROP_POS_MSEC``).

    When the backend gives no usable position (0 after the first frame, or going
    backwards), the time is ``index / fps``. Raises :class:`HudError` for a missing file,
    a folder, or a file OpenCV's FFmpeg backend cannot decode.
    """

    def __init__(self, path: str | Path, *, max_frames: int | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise HudError(f"video not found: {self.path}")
        if self.path.is_dir():
            raise HudError(
                f"not a video file: {self.path} is a folder (read it as an image sequence)"
            )
        check_regular_file(self.path, "video")
        with _quiet_opencv():
            capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise HudError(f"cannot read video {self.path}: OpenCV cannot decode it")
        super().__init__(capture, max_frames)
        self.description = f"video {self.path.name}"
        self._last_pos = -1.0

    def _timestamp(self, index: int) -> float:
        pos = float(self._capture.get(cv2.CAP_PROP_POS_MSEC))
        if math.isfinite(pos) and pos > self._last_pos and (pos > 0 or index == 0):
            self._last_pos = pos
            return pos
        return index * 1000.0 / (self.fps or 30.0)


def _camera_devices() -> list[str]:
    return sorted(glob.glob("/dev/video*"))


#: Read by OpenCV's FFmpeg backend each time it opens a file: FFmpeg's own log level.
_FFMPEG_LOGLEVEL = "OPENCV_FFMPEG_LOGLEVEL"


@contextlib.contextmanager
def _quiet_opencv() -> Iterator[None]:
    """OpenCV's own log lines silenced (LOG_LEVEL_SILENT), and FFmpeg's (``moov atom not
    found``, decoding errors: AV_LOG_QUIET, which OpenCV sets when a capture is opened and
    which then holds while it reads): a video or camera that does not open is reported
    by our message alone. A level the user set in the environment is kept."""
    previous = cv2.getLogLevel()
    cv2.setLogLevel(0)
    user_level = os.environ.get(_FFMPEG_LOGLEVEL)
    if user_level is None:
        os.environ[_FFMPEG_LOGLEVEL] = "-8"
    try:
        yield
    finally:
        if user_level is None:
            os.environ.pop(_FFMPEG_LOGLEVEL, None)
        cv2.setLogLevel(previous)


def _probe_cameras(indices: tuple[int, ...]) -> list[int]:
    """Indices among ``indices`` that open."""
    opened = []
    with _quiet_opencv():
        for index in indices:
            capture = cv2.VideoCapture(index)
            if capture.isOpened():
                opened.append(index)
            capture.release()
    return opened


def camera_open_error(device: int | str, opened: list[int], devices: list[str]) -> HudError:
    """The message for a camera that would not open: what was tried and what exists."""
    tried = ", ".join(str(i) for i in PROBED_CAMERA_INDICES)
    others = f"indices that did open: {', '.join(map(str, opened))}" if opened else "none opened"
    nodes = ", ".join(devices) if devices else "no /dev/video* devices exist"
    return HudError(
        f"cannot open camera {device}; tried camera indices {tried} ({others}) and "
        f"/dev/video* ({nodes}); give another camera index or a device path, or read a "
        "video file instead"
    )


class CameraSource(_CaptureSource):
    """Live frames from a camera (an index or a device path/URL), until it stops.

    Timestamps, in order of preference: the driver's own (``CAP_PROP_POS_MSEC``; V4L2
    reports the buffer's capture time), then ``clock()`` if one is passed in, then
    ``index / fps``. All are made relative to the first frame. Library code never reads
    the wall clock, which is why a clock is a parameter.
    """

    def __init__(
        self,
        device: int | str = 0,
        *,
        clock: Clock | None = None,
        max_frames: int | None = None,
        size: tuple[int, int] | None = None,
    ) -> None:
        target: int | str = device
        if isinstance(device, str) and device.strip().isdigit():
            target = int(device)
        with _quiet_opencv():
            capture = cv2.VideoCapture(target)
            opened = capture.isOpened()
        if not opened:
            capture.release()
            raise camera_open_error(
                device, _probe_cameras(PROBED_CAMERA_INDICES), _camera_devices()
            )
        if size is not None:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        self._setup(capture, f"camera {device}", clock, max_frames)

    def _setup(
        self, capture: Any, description: str, clock: Clock | None, max_frames: int | None
    ) -> None:
        super().__init__(capture, max_frames)
        self.description = description
        self._clock_fn = clock
        self._origin: float | None = None
        self._source_of_time = "driver"

    @classmethod
    def from_capture(
        cls,
        capture: Any,
        *,
        description: str = "camera",
        clock: Clock | None = None,
        max_frames: int | None = None,
    ) -> CameraSource:
        """Wrap an already opened ``cv2.VideoCapture`` (a GStreamer pipeline, say)."""
        if not capture.isOpened():
            raise HudError(f"{description} is not open")
        source = cls.__new__(cls)
        source._setup(capture, description, clock, max_frames)
        return source

    def _timestamp(self, index: int) -> float:
        pos = float(self._capture.get(cv2.CAP_PROP_POS_MSEC))
        if math.isfinite(pos) and pos > 0:
            value, kind = pos, "driver"
        elif self._clock_fn is not None:
            value, kind = float(self._clock_fn()), "clock"
        else:
            value, kind = index * 1000.0 / (self.fps or 30.0), "index"
        if self._origin is None or kind != self._source_of_time:
            # Re-anchor when the kind changes, so time never jumps back to a new origin.
            last = self._clock.last
            self._origin = value - (0.0 if last is None else last + 1000.0 / (self.fps or 30.0))
            self._source_of_time = kind
        return value - self._origin


def _natural_key(path: Path) -> list[Any]:
    """Sort ``frame2.png`` before ``frame10.png`` (plain sorting would not)."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def _list_images(spec: str | Path) -> list[Path]:
    path = Path(spec)
    if path.is_dir():
        files = [p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()]
        if not files:
            raise HudError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in folder {path}")
    elif glob.has_magic(str(spec)):
        files = [Path(p) for p in glob.glob(str(spec)) if Path(p).is_file()]
        if not files:
            raise HudError(f"no files match {spec}")
    elif path.exists():
        raise HudError(
            f"not a folder or a glob pattern: {path} (a video file is read as a video source)"
        )
    else:
        raise HudError(f"image folder not found: {path}")
    return sorted(files, key=lambda p: (_natural_key(p), str(p)))


def _sequence_label(spec: str | Path) -> str:
    """What a session header says of an image sequence: the folder's own name (and a
    glob's pattern), never the path to it, which names the user's folders."""
    path = Path(os.path.abspath(spec))
    if glob.has_magic(str(spec)):
        return f"{path.parent.name}/{path.name}" if path.parent.name else path.name
    return path.name or str(path)


class ImageSequenceSource(FrameSource):
    """Still images from a folder or a glob pattern, in natural order, ``fps`` apart.

    Frame ``i`` is at ``round(i * 1000 / fps)`` ms. All images must have one size: the
    trackers' VIDEO mode and the stored landmarks assume one camera.
    """

    def __init__(
        self, spec: str | Path, *, fps: float = 30.0, max_frames: int | None = None
    ) -> None:
        if not (math.isfinite(fps) and fps > 0):
            raise OptionsError(f"frame rate must be positive, got {fps}")
        if max_frames is not None and max_frames < 1:
            raise OptionsError(f"max_frames must be at least 1, got {max_frames}")
        self.files = _list_images(spec)[:max_frames]
        self.fps = self.rate = float(fps)
        self.description = f"images {_sequence_label(spec)}"

    def __iter__(self) -> Iterator[Frame]:
        size: tuple[int, int] | None = None
        clock = _Monotonic()
        for index, path in enumerate(self.files):
            check_regular_file(path, "image")
            rgb = _read_image_rgb(path)
            shape = (int(rgb.shape[1]), int(rgb.shape[0]))
            if size is not None and shape != size:
                raise HudError(
                    f"image {path} is {shape[0]}×{shape[1]}, but the sequence started at "
                    f"{size[0]}×{size[1]}; every frame must have the same size"
                )
            size = shape
            stamp = clock.next(index * 1000.0 / self.rate)
            yield Frame(index=index, timestamp_ms=stamp, rgb=rgb)


def _read_image_rgb(path: str | Path) -> np.ndarray:
    """One image of a sequence as H×W×3 uint8 RGB, through OpenCV (EXIF rotation applied).

    The depth is kept while decoding and then converted by :func:`hud.io.images.to_uint8`:
    a 16-bit PNG is scaled, a float TIFF taken as 0-1, never clipped to white or black.
    OpenCV's own log lines are silenced; a file it cannot decode is one :class:`HudError`.
    """
    from hud.io.images import to_uint8

    with _quiet_opencv():
        pixels = cv2.imread(str(path), cv2.IMREAD_COLOR | cv2.IMREAD_ANYDEPTH)
        if pixels is None:  # a float grey TIFF decodes only unchanged
            pixels = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if pixels is None:
        raise HudError(f"cannot read image {path} (not an image OpenCV can decode)")
    return to_uint8(pixels, path, bgr=True)


class SessionFrameSource(FrameSource):
    """The camera frames stored in a recorded session, at their recorded timestamps.

    Lets the trackers run again on what was recorded (e.g. with other settings). A
    session recorded without video has no frames to give: that is an error.
    """

    def __init__(self, path: str | Path, *, max_frames: int | None = None) -> None:
        from hud.io.session import SessionReader

        self._reader = SessionReader(path)
        if not self._reader.header.get("video", True):
            raise HudError(f"{path}: this session was recorded without video frames")
        self._max_frames = max_frames
        self._jpeg = self._reader.header.get("image_encoding") == "jpeg"
        fps = self._reader.header.get("fps")
        self.fps = float(fps) if isinstance(fps, (int, float)) and fps > 0 else None
        self.description = f"session {Path(path).name}"

    def __iter__(self) -> Iterator[Frame]:
        for count, frame in enumerate(self._reader.frames()):
            if self._max_frames is not None and count >= self._max_frames:
                return
            rgb = frame.decode_image()
            if rgb is None:
                raise HudError(f"frame {frame.index} of the session has no image")
            jpeg = frame.image if self._jpeg else None
            yield Frame(index=frame.index, timestamp_ms=frame.timestamp_ms, rgb=rgb, jpeg=jpeg)

    def close(self) -> None:
        self._reader.close()


def open_source(
    *,
    video: str | Path | None = None,
    camera: int | str | None = None,
    images: str | Path | None = None,
    session: str | Path | None = None,
    fps: float = 30.0,
    max_frames: int | None = None,
    clock: Clock | None = None,
) -> FrameSource:
    """The one source named by exactly one keyword (what ``hud record`` calls)."""
    named = (("video", video), ("camera", camera), ("images", images), ("session", session))
    given = [name for name, value in named if value is not None]
    if len(given) != 1:
        raise OptionsError(
            f"name exactly one frame source, got {len(given)}: {', '.join(given) or 'none'}"
        )
    if video is not None:
        return VideoFileSource(video, max_frames=max_frames)
    if images is not None:
        return ImageSequenceSource(images, fps=fps, max_frames=max_frames)
    if session is not None:
        return SessionFrameSource(session, max_frames=max_frames)
    assert camera is not None
    return CameraSource(camera, clock=clock, max_frames=max_frames)


__all__ = [
    "IMAGE_SUFFIXES",
    "PROBED_CAMERA_INDICES",
    "CameraSource",
    "Clock",
    "Frame",
    "FrameSource",
    "ImageSequenceSource",
    "SessionFrameSource",
    "VideoFileSource",
    "camera_open_error",
    "open_source",
]
