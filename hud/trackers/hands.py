"""Hands from MediaPipe: 21 landmarks and handedness per hand, shaped like MediaPipe Tasks.

See :mod:`hud.trackers.landmarker` for the running modes and why the legacy solutions
graph is the default backend. Handedness: ``solutions.hands`` labels hands as if the image
were mirrored (a selfie preview), so on an ordinary photo it says "Left" for a right hand;
the Tasks landmarker of this MediaPipe version labels the unmirrored image correctly.
Results here always name the person's actual hand for an unmirrored image; set
``mirrored=True`` when frames are mirrored and the labels are fixed up for that instead.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hud.errors import HudError, OptionsError
from hud.trackers.landmarker import (
    BaseOptions,
    Landmarker,
    RunningMode,
    bundled_model_dir,
    check_mode_callback,
    check_unit,
    import_mediapipe,
    landmark_array,
    quiet_native_logs,
    read_only,
)
from hud.trackers.results import Handedness, HandResult

#: LIVE_STREAM callback: (results, the RGB frame, its timestamp in ms).
HandCallback = Callable[[list[HandResult], np.ndarray, int], None]


@dataclass(frozen=True)
class HandLandmarkerOptions:
    """Settings for :class:`HandLandmarker`; validated on construction.

    Named as MediaPipe Tasks' ``HandLandmarkerOptions``. ``base_options.model_asset_path``
    names a Tasks hand-landmarker ``.task`` bundle; without one the models inside the
    mediapipe wheel run, and ``model_complexity`` (0 lite, 1 full) picks which.
    ``min_hand_presence_confidence`` applies to a ``.task`` bundle (the built-in graph
    folds presence into tracking). ``mirrored`` says the frames are mirror images (see the
    module docstring); it only changes the handedness labels.
    """

    base_options: BaseOptions = field(default_factory=BaseOptions)
    running_mode: RunningMode = RunningMode.IMAGE
    num_hands: int = 2
    min_hand_detection_confidence: float = 0.5
    min_hand_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    model_complexity: int = 1
    mirrored: bool = False
    result_callback: HandCallback | None = None

    def __post_init__(self) -> None:
        check_mode_callback(self.running_mode, self.result_callback)
        if isinstance(self.num_hands, bool) or self.num_hands < 1:
            raise OptionsError(f"num_hands must be at least 1, got {self.num_hands}")
        if self.model_complexity not in (0, 1):
            raise OptionsError(f"model_complexity must be 0 or 1, got {self.model_complexity}")
        check_unit("min_hand_detection_confidence", self.min_hand_detection_confidence)
        check_unit("min_hand_presence_confidence", self.min_hand_presence_confidence)
        check_unit("min_tracking_confidence", self.min_tracking_confidence)


def _flip(label: str) -> Handedness:
    return "Right" if label == "Left" else "Left"


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


class HandLandmarker(Landmarker[HandLandmarkerOptions, HandResult]):
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
        mp = import_mediapipe()
        with quiet_native_logs():  # building the graph prints native banners too
            self._open_graph(mp)
            if self._solution is not None:  # (a Tasks graph takes timestamps: not here)
                # Its models open on a worker thread, which prints TFLite's banners
                # whenever it gets there: one blank frame waits for that, still silenced.
                self._solution.process(read_only(np.zeros((32, 32, 3), np.uint8)))

    def _open_graph(self, mp: Any) -> None:
        if self.options.base_options.model_asset_path is not None:
            self._open_task(mp, Path(self.options.base_options.model_asset_path))
        else:
            self._solution = mp.solutions.hands.Hands(
                static_image_mode=self.options.running_mode is RunningMode.IMAGE,
                max_num_hands=self.options.num_hands,
                model_complexity=self.options.model_complexity,
                min_detection_confidence=self.options.min_hand_detection_confidence,
                min_tracking_confidence=self.options.min_tracking_confidence,
            )

    @property
    def backend(self) -> str:
        """``"tasks"`` for a ``.task`` model, ``"solutions"`` for the built-in models."""
        return "tasks" if self._tasks is not None else "solutions"

    def _open_task(self, mp: Any, path: Path) -> None:
        _check_task_file(path)
        from mediapipe.tasks.python import BaseOptions as TasksBaseOptions
        from mediapipe.tasks.python import vision

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
            base_options=TasksBaseOptions(model_asset_path=str(path)),
            running_mode=modes[self.options.running_mode],
            num_hands=self.options.num_hands,
            min_hand_detection_confidence=self.options.min_hand_detection_confidence,
            min_hand_presence_confidence=self.options.min_hand_presence_confidence,
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
                    landmarks=landmark_array(lms.landmark),
                    world_landmarks=None if world is None else landmark_array(world.landmark),
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
                    landmarks=landmark_array(lms),
                    world_landmarks=None if world is None else landmark_array(world),
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
        return self._from_solution(self._solution.process(read_only(rgb)), width, height)

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
