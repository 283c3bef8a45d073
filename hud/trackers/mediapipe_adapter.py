"""Hands and faces from MediaPipe, behind an API shaped like MediaPipe Tasks.

This is the only module in the project that imports :mod:`mediapipe`, and it does so
inside constructors, so ``import hud`` (and every command that does not track hands or
faces) stays fast and works where MediaPipe is missing.

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

Handedness. ``solutions.hands`` labels hands as if the image were mirrored (a selfie
preview), so on an ordinary photo it says "Left" for a right hand. The Tasks landmarker
of this MediaPipe version labels the unmirrored image correctly (both checked on the
thumbs-up test photo, a right hand: solutions says "Left", Tasks "Right"). Results here
always name the person's actual hand for an unmirrored image; set ``mirrored=True`` when
frames are mirrored (a front camera shown as a mirror) and the labels are fixed up
for that instead.

Images are RGB ``uint8`` arrays (H × W × 3; gray and RGBA are accepted and converted).
OpenCV reads BGR: convert with ``cv2.cvtColor(img, cv2.COLOR_BGR2RGB)`` first.
"""

from __future__ import annotations

import contextlib
import enum
import os
import statistics
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from hud.errors import HudError
from hud.trackers.results import (
    FACE_LANDMARK_COUNT,
    HAND_LANDMARK_COUNT,
    FaceResult,
    Handedness,
    HandResult,
)


class RunningMode(enum.Enum):
    """How frames relate to each other (same meaning as MediaPipe Tasks' RunningMode)."""

    IMAGE = "image"
    VIDEO = "video"
    LIVE_STREAM = "live_stream"


#: LIVE_STREAM callback: (results, the RGB frame, its timestamp in ms).
HandCallback = Callable[[list[HandResult], np.ndarray, int], None]
FaceCallback = Callable[[list[FaceResult], np.ndarray, int], None]


def _check_unit(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise HudError(f"{name} must be between 0 and 1, got {value}")


def _check_call(
    kind: str, closed: bool, running: RunningMode, mode: RunningMode, method: str
) -> None:
    """A landmarker method was called: it must be open and in the mode the method is for."""
    if closed:
        raise HudError(f"this {kind} is closed")
    if running is not mode:
        raise HudError(
            f"{method}() is for {mode.name} mode; this landmarker runs in {running.name} mode"
        )


def _check_mode_callback(mode: RunningMode, callback: object) -> None:
    if not isinstance(mode, RunningMode):
        raise HudError(f"running_mode must be a RunningMode, got {mode!r}")
    if mode is RunningMode.LIVE_STREAM and callback is None:
        raise HudError("LIVE_STREAM mode needs a result_callback")
    if mode is not RunningMode.LIVE_STREAM and callback is not None:
        raise HudError("result_callback is only used in LIVE_STREAM mode")


@dataclass(frozen=True)
class HandLandmarkerOptions:
    """Settings for :class:`HandLandmarker`; validated on construction.

    ``model_complexity`` (0 lite, 1 full) applies to the built-in models; with
    ``model_asset_path`` (a MediaPipe Tasks hand-landmarker ``.task`` bundle) the bundle's
    own models are used instead. ``mirrored`` says the frames are mirror images (see the
    module docstring); it only changes the handedness labels.
    """

    running_mode: RunningMode = RunningMode.IMAGE
    max_num_hands: int = 2
    model_complexity: int = 1
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    model_asset_path: str | Path | None = None
    mirrored: bool = False
    result_callback: HandCallback | None = None

    def __post_init__(self) -> None:
        _check_mode_callback(self.running_mode, self.result_callback)
        if isinstance(self.max_num_hands, bool) or self.max_num_hands < 1:
            raise HudError(f"max_num_hands must be at least 1, got {self.max_num_hands}")
        if self.model_complexity not in (0, 1):
            raise HudError(f"model_complexity must be 0 or 1, got {self.model_complexity}")
        _check_unit("min_detection_confidence", self.min_detection_confidence)
        _check_unit("min_tracking_confidence", self.min_tracking_confidence)


@dataclass(frozen=True)
class FaceLandmarkerOptions:
    """Settings for :class:`FaceLandmarker`. Landmarks are always refined (478 with irises)."""

    running_mode: RunningMode = RunningMode.IMAGE
    max_num_faces: int = 1
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    result_callback: FaceCallback | None = None

    def __post_init__(self) -> None:
        _check_mode_callback(self.running_mode, self.result_callback)
        if isinstance(self.max_num_faces, bool) or self.max_num_faces < 1:
            raise HudError(f"max_num_faces must be at least 1, got {self.max_num_faces}")
        _check_unit("min_detection_confidence", self.min_detection_confidence)
        _check_unit("min_tracking_confidence", self.min_tracking_confidence)


def _import_mediapipe() -> Any:
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


def _read_only(rgb: np.ndarray) -> np.ndarray:
    """A read-only view, which lets MediaPipe use the pixels without copying them.

    A view, so the caller's own array keeps its flags.
    """
    view = rgb.view()
    view.flags.writeable = False
    return view


def _flip(label: str) -> Handedness:
    return "Right" if label == "Left" else "Left"


def _landmark_array(landmarks: Sequence[Any]) -> np.ndarray:
    return np.array([[p.x, p.y, p.z] for p in landmarks], dtype=np.float64)


def _check_task_file(path: Path) -> None:
    """Fail early, in words, for the usual mistakes with a ``.task`` file.

    MediaPipe's own errors for these ("Unable to open zip archive.") do not say which
    file or what a valid one looks like.
    """
    if not path.is_file():
        raise HudError(f"hand model not found: {path}")
    if not zipfile.is_zipfile(path):
        raise HudError(
            f"hand model {path} is not a MediaPipe Tasks .task bundle "
            "(expected a zip holding hand_detector.tflite and hand_landmarks_detector.tflite)"
        )
    with zipfile.ZipFile(path) as bundle:
        names = {Path(n).name for n in bundle.namelist()}
    missing = {"hand_detector.tflite", "hand_landmarks_detector.tflite"} - names
    if missing:
        raise HudError(f"hand model {path} lacks {', '.join(sorted(missing))}")


OptionsT = TypeVar("OptionsT", HandLandmarkerOptions, FaceLandmarkerOptions)
ResultT = TypeVar("ResultT", HandResult, FaceResult)
SelfT = TypeVar("SelfT", bound="_Landmarker[Any, Any]")


class _Landmarker(Generic[OptionsT, ResultT]):
    """What the hand and face landmarkers share: running modes, monotonic timestamps,
    closing, and use as a context manager. A subclass opens its MediaPipe graph in
    ``__init__`` and implements :meth:`_run` and :meth:`_close_graph`."""

    _NAME = "Landmarker"

    def __init__(self, options: OptionsT) -> None:
        self.options: OptionsT = options
        self._clock = _Clock()
        self._closed = False

    @classmethod
    def create_from_options(cls: type[SelfT], options: Any) -> SelfT:
        """Same as the constructor; named like the MediaPipe Tasks factory."""
        return cls(options)

    def _expect(self, mode: RunningMode, method: str) -> None:
        _check_call(self._NAME, self._closed, self.options.running_mode, mode, method)

    def _run(self, rgb: np.ndarray, timestamp_ms: int | None) -> list[ResultT]:
        raise NotImplementedError

    def _close_graph(self) -> None:
        raise NotImplementedError

    def detect(self, image: np.ndarray) -> list[ResultT]:
        """Results for one unrelated RGB image (IMAGE mode)."""
        self._expect(RunningMode.IMAGE, "detect")
        return self._run(as_rgb(image), None)

    def detect_for_video(self, image: np.ndarray, timestamp_ms: int) -> list[ResultT]:
        """Results for the next frame of a video (VIDEO mode); timestamps must increase."""
        self._expect(RunningMode.VIDEO, "detect_for_video")
        rgb = as_rgb(image)
        self._clock.advance(timestamp_ms)
        return self._run(rgb, timestamp_ms)

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
        callback(self._run(rgb, None), rgb, timestamp_ms)

    def close(self) -> None:
        """Stop MediaPipe's graph; further calls raise. Safe to call twice."""
        if not self._closed:
            self._closed = True
            self._close_graph()

    def __enter__(self: SelfT) -> SelfT:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class HandLandmarker(_Landmarker[HandLandmarkerOptions, HandResult]):
    """21 landmarks and handedness per hand, like ``mediapipe.tasks...HandLandmarker``.

    Use as a context manager (or call :meth:`close`) so MediaPipe's graph threads stop.
    Call the method matching the running mode: :meth:`detect` (IMAGE),
    :meth:`detect_for_video` (VIDEO) or :meth:`detect_async` (LIVE_STREAM). With a
    ``.task`` model MediaPipe calls the live callback on its own thread and may drop
    frames while busy.
    """

    _NAME = "HandLandmarker"

    def __init__(self, options: HandLandmarkerOptions | None = None) -> None:
        super().__init__(options or HandLandmarkerOptions())
        self._tasks: Any = None
        self._solution: Any = None
        mp = _import_mediapipe()
        if self.options.model_asset_path is not None:
            self._open_task(mp, Path(self.options.model_asset_path))
        else:
            self._solution = mp.solutions.hands.Hands(
                static_image_mode=self.options.running_mode is RunningMode.IMAGE,
                max_num_hands=self.options.max_num_hands,
                model_complexity=self.options.model_complexity,
                min_detection_confidence=self.options.min_detection_confidence,
                min_tracking_confidence=self.options.min_tracking_confidence,
            )

    @property
    def backend(self) -> str:
        """``"tasks"`` for a ``.task`` model, ``"solutions"`` for the built-in models."""
        return "tasks" if self._tasks is not None else "solutions"

    def _open_task(self, mp: Any, path: Path) -> None:
        _check_task_file(path)
        from mediapipe.tasks.python import BaseOptions, vision

        modes = {
            RunningMode.IMAGE: vision.RunningMode.IMAGE,
            RunningMode.VIDEO: vision.RunningMode.VIDEO,
            RunningMode.LIVE_STREAM: vision.RunningMode.LIVE_STREAM,
        }
        callback = None
        if self.options.running_mode is RunningMode.LIVE_STREAM:
            user = self.options.result_callback
            assert user is not None  # checked by the options

            def callback(result: Any, image: Any, timestamp_ms: int) -> None:
                user(
                    self._from_tasks(result, image.width, image.height),
                    image.numpy_view(),
                    timestamp_ms,
                )

        opts = vision.HandLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=modes[self.options.running_mode],
            num_hands=self.options.max_num_hands,
            min_hand_detection_confidence=self.options.min_detection_confidence,
            min_tracking_confidence=self.options.min_tracking_confidence,
            result_callback=callback,
        )
        try:
            self._tasks = vision.HandLandmarker.create_from_options(opts)
        except (RuntimeError, ValueError) as exc:
            raise HudError(f"cannot load hand model {path}: {exc}") from None
        self._mp = mp

    # -- conversions -------------------------------------------------------------------

    def _label(self, raw: str, raw_is_mirrored: bool) -> Handedness:
        """The person's hand, given what the backend said and how it assumes frames look."""
        if raw not in ("Left", "Right"):
            raise HudError(f"MediaPipe gave an unexpected handedness {raw!r}")
        label: Handedness = "Left" if raw == "Left" else "Right"
        # A label made for mirrored frames is wrong for unmirrored ones and vice versa.
        return _flip(label) if raw_is_mirrored != self.options.mirrored else label

    def _from_solution(self, out: Any, width: int, height: int) -> list[HandResult]:
        if not out.multi_hand_landmarks:
            return []
        worlds = out.multi_hand_world_landmarks or [None] * len(out.multi_hand_landmarks)
        hands = []
        for lms, world, cls in zip(out.multi_hand_landmarks, worlds, out.multi_handedness):
            top = cls.classification[0]
            hands.append(
                HandResult(
                    handedness=self._label(top.label, raw_is_mirrored=True),
                    score=float(top.score),
                    landmarks=_landmark_array(lms.landmark),
                    world_landmarks=None if world is None else _landmark_array(world.landmark),
                    image_size=(width, height),
                )
            )
        return hands

    def _from_tasks(self, out: Any, width: int, height: int) -> list[HandResult]:
        hands = []
        for i, lms in enumerate(out.hand_landmarks):
            top = out.handedness[i][0]
            world = out.hand_world_landmarks[i] if out.hand_world_landmarks else None
            hands.append(
                HandResult(
                    handedness=self._label(top.category_name, raw_is_mirrored=False),
                    score=float(top.score),
                    landmarks=_landmark_array(lms),
                    world_landmarks=None if world is None else _landmark_array(world),
                    image_size=(width, height),
                )
            )
        return hands

    # -- running ------------------------------------------------------------------------

    def _run(self, rgb: np.ndarray, timestamp_ms: int | None) -> list[HandResult]:
        height, width = rgb.shape[:2]
        if self._tasks is not None:
            image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
            if timestamp_ms is None:
                result = self._tasks.detect(image)
            else:
                result = self._tasks.detect_for_video(image, int(timestamp_ms))
            return self._from_tasks(result, width, height)
        return self._from_solution(self._solution.process(_read_only(rgb)), width, height)

    def _send_live(self, rgb: np.ndarray, timestamp_ms: int) -> None:
        if self._tasks is None:
            super()._send_live(rgb, timestamp_ms)
            return
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        self._tasks.detect_async(image, timestamp_ms)

    def _close_graph(self) -> None:
        if self._tasks is not None:
            self._tasks.close()
        if self._solution is not None:
            self._solution.close()


class FaceLandmarker(_Landmarker[FaceLandmarkerOptions, FaceResult]):
    """478 face landmarks (mesh + irises) per face, from ``solutions.face_mesh``.

    Same running modes and methods as :class:`HandLandmarker`.
    """

    _NAME = "FaceLandmarker"

    def __init__(self, options: FaceLandmarkerOptions | None = None) -> None:
        super().__init__(options or FaceLandmarkerOptions())
        mp = _import_mediapipe()
        self._solution = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=self.options.running_mode is RunningMode.IMAGE,
            max_num_faces=self.options.max_num_faces,
            refine_landmarks=True,
            min_detection_confidence=self.options.min_detection_confidence,
            min_tracking_confidence=self.options.min_tracking_confidence,
        )

    def _run(self, rgb: np.ndarray, timestamp_ms: int | None) -> list[FaceResult]:
        height, width = rgb.shape[:2]
        out = self._solution.process(_read_only(rgb))
        faces = []
        for lms in out.multi_face_landmarks or []:
            points = _landmark_array(lms.landmark)
            if points.shape[0] != FACE_LANDMARK_COUNT:  # pragma: no cover - refine is on
                raise HudError(f"face mesh gave {points.shape[0]} landmarks, expected 478")
            faces.append(FaceResult(landmarks=points, image_size=(width, height)))
        return faces

    def _close_graph(self) -> None:
        self._solution.close()


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
    mp = _import_mediapipe()
    return Path(mp.__file__).resolve().parent / "modules"


def build_hand_task_bundle(destination: str | Path, *, full: bool = True) -> Path:
    """Write a Tasks ``.task`` hand bundle made of the wheel's own palm and hand models.

    The Tasks HandLandmarker loads it like the official ``hand_landmarker.task`` (which
    cannot be downloaded here); it lets tests and offline users exercise the Tasks
    backend. ``full`` picks the full rather than the lite models.
    """
    models = bundled_model_dir()
    kind = "full" if full else "lite"
    palm = models / "palm_detection" / f"palm_detection_{kind}.tflite"
    hand = models / "hand_landmark" / f"hand_landmark_{kind}.tflite"
    for f in (palm, hand):
        if not f.is_file():
            raise HudError(f"mediapipe wheel lacks {f}")
    dest = Path(destination)
    with zipfile.ZipFile(dest, "w") as bundle:
        bundle.write(palm, "hand_detector.tflite")
        bundle.write(hand, "hand_landmarks_detector.tflite")
    return dest


@dataclass(frozen=True)
class HandsBenchmark:
    """Per-frame wall time of hand tracking (ms) and how many hands it found per frame."""

    median_ms: float
    p90_ms: float
    frames: int
    mean_hands: float
    width: int
    height: int
    running_mode: RunningMode
    model_complexity: int


def benchmark_hands(
    image: np.ndarray | None = None,
    *,
    frames: int = 30,
    warmup: int = 3,
    model_complexity: int = 1,
    running_mode: RunningMode = RunningMode.VIDEO,
    size: tuple[int, int] = (640, 480),
) -> HandsBenchmark:
    """Time hand tracking on one RGB frame fed repeatedly (for ``hud bench``'s hands_ms).

    ``image`` is resized to ``size`` (width, height) when it differs. The cost depends on
    what is in the frame and on the mode: in VIDEO mode with a hand present MediaPipe
    tracks it and runs only the landmark model (the live-camera case); in IMAGE mode, or
    with no hand (``image=None`` gives a plain gray frame), the palm detector runs on
    every frame. ``mean_hands`` shows which case was measured.
    """
    if frames < 1 or warmup < 0:
        raise HudError("frames must be at least 1 and warmup at least 0")
    width, height = size
    if image is None:
        frame = np.full((height, width, 3), 128, dtype=np.uint8)
    else:
        frame = as_rgb(image)
        if frame.shape[:2] != (height, width):
            import cv2

            frame = np.ascontiguousarray(
                cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
            )
    options = HandLandmarkerOptions(running_mode=running_mode, model_complexity=model_complexity)
    times: list[float] = []
    found = 0
    with HandLandmarker(options) as landmarker:
        for i in range(warmup + frames):
            start = time.perf_counter()
            if running_mode is RunningMode.IMAGE:
                hands = landmarker.detect(frame)
            elif running_mode is RunningMode.VIDEO:
                hands = landmarker.detect_for_video(frame, i * 33 + 1)
            else:
                raise HudError("benchmark_hands times IMAGE or VIDEO mode")
            elapsed = (time.perf_counter() - start) * 1000.0
            if i >= warmup:
                times.append(elapsed)
                found += len(hands)
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return HandsBenchmark(
        median_ms=statistics.median(times),
        p90_ms=p90,
        frames=frames,
        mean_hands=found / frames,
        width=width,
        height=height,
        running_mode=running_mode,
        model_complexity=model_complexity,
    )


def measure_hands_ms(
    frames: int = 30,
    *,
    image: np.ndarray | None = None,
    model_complexity: int = 1,
    running_mode: RunningMode = RunningMode.VIDEO,
) -> float:
    """Median milliseconds per 640×480 frame of hand tracking (``hud bench``'s hands_ms).

    Without ``image`` the frame is plain gray, so this measures the no-hand cost (palm
    detector only); pass an RGB frame showing a hand for the cost while a hand is
    tracked. See :func:`benchmark_hands` for the full breakdown.
    """
    with quiet_native_logs():
        result = benchmark_hands(
            image,
            frames=frames,
            model_complexity=model_complexity,
            running_mode=running_mode,
        )
    return result.median_ms


__all__ = [
    "HAND_LANDMARK_COUNT",
    "FaceCallback",
    "FaceLandmarker",
    "FaceLandmarkerOptions",
    "HandCallback",
    "HandLandmarker",
    "HandLandmarkerOptions",
    "HandsBenchmark",
    "RunningMode",
    "as_rgb",
    "benchmark_hands",
    "build_hand_task_bundle",
    "bundled_model_dir",
    "measure_hands_ms",
    "quiet_native_logs",
]
