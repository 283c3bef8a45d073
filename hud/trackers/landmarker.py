"""MediaPipe behind an API shaped like MediaPipe Tasks: running modes, timestamps, closing.

This is the only module in the project that imports :mod:`mediapipe`, and it does so
inside constructors, so ``import hud`` (and every command that does not track hands or
faces) stays fast and works where MediaPipe is missing. The hand and face landmarkers
(:mod:`hud.trackers.hands`, :mod:`hud.trackers.faces`) build on :class:`Landmarker`.

Why not use MediaPipe Tasks directly? The Tasks hand and face landmarkers need ``.task``
model bundles that the wheel does not ship and that cannot be downloaded here, whereas
the legacy ``mediapipe.solutions`` graphs run on models inside the mediapipe 0.10.21
wheel. So the default backend is ``solutions.hands`` / ``solutions.face_mesh``, wrapped to
look like Tasks — frozen options, a running mode, plain result dataclasses — so that
callers can switch to a ``.task`` file (``HandLandmarkerOptions.model_asset_path``,
served by ``mediapipe.tasks.python.vision.HandLandmarker``) without changing code.

Running modes follow Tasks: ``IMAGE`` treats every call as an unrelated photo (the palm
or face detector runs every time); ``VIDEO`` tracks across frames (the detector runs only
when tracking is lost) and needs strictly increasing timestamps; ``LIVE_STREAM`` is
``VIDEO`` with results delivered to a callback. Going back in time raises
:class:`hud.errors.HudError` naming both timestamps, instead of MediaPipe's opaque
graph error.

Images are RGB ``uint8`` arrays (H × W × 3; gray and RGBA are accepted and converted).
OpenCV reads BGR: convert with ``cv2.cvtColor(img, cv2.COLOR_BGR2RGB)`` first."""

from __future__ import annotations

import contextlib
import enum
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from hud.errors import HudError, OptionsError
from hud.trackers.results import (
    FaceResult,
    HandResult,
)


@dataclass(frozen=True)
class BaseOptions:
    """Where a tracker's model comes from, as in MediaPipe Tasks' ``BaseOptions``.

    ``model_asset_path`` names a MediaPipe Tasks ``.task`` bundle; ``None`` uses the models
    inside the mediapipe wheel (nothing is downloaded).
    """

    model_asset_path: str | Path | None = None

    def __post_init__(self) -> None:
        path = self.model_asset_path
        if path is not None and not isinstance(path, str | os.PathLike):
            raise OptionsError(f"model_asset_path must be a file path or None, got {path!r}")


class RunningMode(enum.Enum):
    """How frames relate to each other (same meaning as MediaPipe Tasks' RunningMode)."""

    IMAGE = "image"
    VIDEO = "video"
    LIVE_STREAM = "live_stream"


def check_unit(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise OptionsError(f"{name} must be between 0 and 1, got {value}")


def check_call(
    kind: str, closed: bool, running: RunningMode, mode: RunningMode, method: str
) -> None:
    """A landmarker method was called: it must be open and in the mode the method is for."""
    if closed:
        raise HudError(f"this {kind} is closed")
    if running is not mode:
        raise HudError(
            f"{method}() is for {mode.name} mode; this landmarker runs in {running.name} mode"
        )


def check_mode_callback(mode: RunningMode, callback: object) -> None:
    if not isinstance(mode, RunningMode):
        raise OptionsError(f"running_mode must be a RunningMode, got {mode!r}")
    if mode is RunningMode.LIVE_STREAM and callback is None:
        raise OptionsError("LIVE_STREAM mode needs a result_callback")
    if mode is not RunningMode.LIVE_STREAM and callback is not None:
        raise OptionsError("result_callback is only used in LIVE_STREAM mode")


def import_mediapipe() -> Any:
    try:
        import mediapipe
    except ImportError as exc:  # pragma: no cover - mediapipe is a hard dependency
        raise HudError(f"hand and face tracking need mediapipe ({exc})") from None
    return mediapipe


def as_rgb(image: np.ndarray) -> np.ndarray:
    """A C-contiguous H × W × 3 ``uint8`` RGB array, or :class:`HudError` saying why not."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise HudError(f"expected an 8-bit image, got {array.dtype}")
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    elif array.ndim == 3 and array.shape[2] == 4:
        array = array[:, :, :3]
    elif array.ndim == 3 and array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    if array.ndim != 3 or array.shape[2] != 3 or array.shape[0] < 2 or array.shape[1] < 2:
        raise HudError(f"expected an RGB image (H × W × 3), got shape {np.shape(image)}")
    return np.ascontiguousarray(array)


class _Clock:
    """Enforces strictly increasing timestamps, with an error that says what went wrong."""

    def __init__(self) -> None:
        self._last: int | None = None
        self._lock = threading.Lock()

    def advance(self, timestamp_ms: int) -> None:
        if isinstance(timestamp_ms, bool) or not isinstance(timestamp_ms, (int, np.integer)):
            raise HudError(f"timestamp_ms must be an integer, got {timestamp_ms!r}")
        with self._lock:
            if self._last is not None and timestamp_ms <= self._last:
                raise HudError(
                    f"timestamp {int(timestamp_ms)} ms is not after the previous frame's "
                    f"{self._last} ms; VIDEO and LIVE_STREAM frames need strictly increasing "
                    "timestamps (start a new landmarker to rewind)"
                )
            self._last = int(timestamp_ms)


def read_only(rgb: np.ndarray) -> np.ndarray:
    """A read-only view, which lets MediaPipe use the pixels without copying them.

    A view, so the caller's own array keeps its flags.
    """
    view = rgb.view()
    view.flags.writeable = False
    return view


def landmark_array(landmarks: Sequence[Any]) -> np.ndarray:
    return np.array([[p.x, p.y, p.z] for p in landmarks], dtype=np.float64)


class LandmarkerOptions(Protocol):
    """What every landmarker's options give the shared base: a mode and a callback."""

    @property
    def running_mode(self) -> RunningMode: ...

    @property
    def result_callback(self) -> Any: ...


OptionsT = TypeVar("OptionsT", bound=LandmarkerOptions)
ResultT = TypeVar("ResultT", HandResult, FaceResult)
SelfT = TypeVar("SelfT", bound="Landmarker[Any, Any]")


class Landmarker(Generic[OptionsT, ResultT]):
    """What the hand and face landmarkers share: running modes, monotonic timestamps,
    closing, and use as a context manager. A subclass opens its MediaPipe graph in
    ``__init__`` and implements :meth:`_run` and :meth:`_close_graph`."""

    _NAME = "Landmarker"

    #: MediaPipe prints its native banners (TFLite delegates, feedback tensors) to file
    #: descriptor 2 while a graph starts, which is on its first frames: those are run with
    #: the process's stderr silenced, so a host's terminal never shows them.
    _QUIET_RUNS = 3

    def __init__(self, options: OptionsT) -> None:
        self.options: OptionsT = options
        self._clock = _Clock()
        self._closed = False
        self._runs = 0

    def _quiet_run(self, rgb: np.ndarray, timestamp_ms: int | None) -> list[ResultT]:
        """:meth:`_run`, with MediaPipe's start-up log lines kept off the terminal."""
        self._runs += 1
        if self._runs > self._QUIET_RUNS:
            return self._run(rgb, timestamp_ms)
        with quiet_native_logs():
            return self._run(rgb, timestamp_ms)

    @classmethod
    def create_from_options(cls: type[SelfT], options: Any) -> SelfT:
        """Same as the constructor; named like the MediaPipe Tasks factory."""
        return cls(options)

    def _expect(self, mode: RunningMode, method: str) -> None:
        check_call(self._NAME, self._closed, self.options.running_mode, mode, method)

    def _run(self, rgb: np.ndarray, timestamp_ms: int | None) -> list[ResultT]:
        raise NotImplementedError

    def _close_graph(self) -> None:
        raise NotImplementedError

    def detect(self, image: np.ndarray) -> list[ResultT]:
        """Results for one unrelated RGB image (IMAGE mode)."""
        self._expect(RunningMode.IMAGE, "detect")
        return self._quiet_run(as_rgb(image), None)

    def detect_for_video(self, image: np.ndarray, timestamp_ms: int) -> list[ResultT]:
        """Results for the next frame of a video (VIDEO mode); timestamps must increase."""
        self._expect(RunningMode.VIDEO, "detect_for_video")
        rgb = as_rgb(image)
        self._clock.advance(timestamp_ms)
        return self._quiet_run(rgb, timestamp_ms)

    def detect_async(self, image: np.ndarray, timestamp_ms: int) -> None:
        """Send a live frame (LIVE_STREAM mode); the result goes to ``result_callback``,
        which the built-in models call before this returns."""
        self._expect(RunningMode.LIVE_STREAM, "detect_async")
        rgb = as_rgb(image)
        self._clock.advance(timestamp_ms)
        self._send_live(rgb, int(timestamp_ms))

    def _send_live(self, rgb: np.ndarray, timestamp_ms: int) -> None:
        # Typed per options class; mypy cannot pair each with its result type here.
        callback: Any = self.options.result_callback
        assert callback is not None  # checked by the options
        callback(self._quiet_run(rgb, None), rgb, timestamp_ms)

    def close(self) -> None:
        """Stop MediaPipe's graph; further calls raise. Safe to call twice."""
        if not self._closed:
            self._closed = True
            self._close_graph()

    def __enter__(self: SelfT) -> SelfT:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------------------- utilities


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Silence MediaPipe's C++ log lines (TFLite/absl banners) written straight to fd 2.

    They are informational ("Created TensorFlow Lite XNNPACK delegate") but would clutter
    a command's output. Python exceptions are unaffected; only the process's stderr file
    descriptor is pointed at /dev/null for the duration.
    """
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr replaced (e.g. by pytest)
        fd = 2
    sys.stderr.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            try:
                yield
            finally:
                sys.stderr.flush()
                os.dup2(saved, fd)
    finally:
        os.close(saved)


def bundled_model_dir() -> Path:
    """Folder of the models inside the mediapipe wheel (``modules/``)."""
    mp = import_mediapipe()
    return Path(mp.__file__).resolve().parent / "modules"


__all__ = [
    "BaseOptions",
    "Landmarker",
    "LandmarkerOptions",
    "RunningMode",
    "as_rgb",
    "bundled_model_dir",
    "quiet_native_logs",
]
