"""Faces from MediaPipe: the 478-point face mesh with both irises, per face.

Same running modes and methods as the hand landmarker (:mod:`hud.trackers.landmarker`);
gaze is estimated from these landmarks in :mod:`gestures.gaze_geometry`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from hud.errors import HudError, OptionsError
from hud.trackers.landmarker import (
    Landmarker,
    RunningMode,
    check_mode_callback,
    check_unit,
    import_mediapipe,
    landmark_array,
    quiet_native_logs,
    read_only,
)
from hud.trackers.results import FACE_LANDMARK_COUNT, FaceResult

FaceCallback = Callable[[list[FaceResult], np.ndarray, int], None]


@dataclass(frozen=True)
class FaceLandmarkerOptions:
    """Settings for :class:`FaceLandmarker`, named as MediaPipe Tasks'. Landmarks are
    always refined (478 with irises)."""

    running_mode: RunningMode = RunningMode.IMAGE
    num_faces: int = 1
    min_face_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    result_callback: FaceCallback | None = None

    def __post_init__(self) -> None:
        check_mode_callback(self.running_mode, self.result_callback)
        if isinstance(self.num_faces, bool) or self.num_faces < 1:
            raise OptionsError(f"num_faces must be at least 1, got {self.num_faces}")
        check_unit("min_face_detection_confidence", self.min_face_detection_confidence)
        check_unit("min_tracking_confidence", self.min_tracking_confidence)


class FaceLandmarker(Landmarker[FaceLandmarkerOptions, FaceResult]):
    """478 face landmarks (mesh + irises) per face, from ``solutions.face_mesh``.

    Same running modes and methods as :class:`HandLandmarker`.
    """

    _NAME = "FaceLandmarker"

    def __init__(self, options: FaceLandmarkerOptions | None = None) -> None:
        super().__init__(options or FaceLandmarkerOptions())
        mp = import_mediapipe()
        with quiet_native_logs():  # building the graph prints native banners too
            self._open_graph(mp)
            # Its models open on a worker thread, which prints TFLite's banners whenever
            # it gets there: one blank frame waits for that, still silenced.
            self._solution.process(read_only(np.zeros((32, 32, 3), np.uint8)))

    def _open_graph(self, mp: Any) -> None:
        self._solution = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=self.options.running_mode is RunningMode.IMAGE,
            max_num_faces=self.options.num_faces,
            refine_landmarks=True,
            min_detection_confidence=self.options.min_face_detection_confidence,
            min_tracking_confidence=self.options.min_tracking_confidence,
        )

    def _run(self, rgb: np.ndarray, timestamp_ms: int | None) -> list[FaceResult]:
        height, width = rgb.shape[:2]
        out = self._solution.process(read_only(rgb))
        faces = []
        for lms in out.multi_face_landmarks or []:
            points = landmark_array(lms.landmark)
            if points.shape[0] != FACE_LANDMARK_COUNT:  # pragma: no cover - refine is on
                raise HudError(f"face mesh gave {points.shape[0]} landmarks, expected 478")
            faces.append(FaceResult(landmarks=points, image_size=(width, height)))
        return faces

    def _close_graph(self) -> None:
        self._solution.close()
