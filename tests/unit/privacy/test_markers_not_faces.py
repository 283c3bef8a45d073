"""A sheet of printed markers is not a face: the full-range detector takes the embedded
desk photo's marker sheet for one (score 0.6) at one head pose; with the tracked markers'
boxes, redaction leaves it alone, while a real face beside markers is still hidden."""

from __future__ import annotations

import numpy as np
from face_scenes import desk_frame, paste_face

from hud.app.embedded import SceneWorldSource, load_embedded
from hud.privacy import FaceRedactor
from hud.privacy.redact import made_of_markers
from hud.trackers.markers import detect_markers


def _marker_boxes(rgb: np.ndarray) -> list[tuple[float, float, float, float]]:
    import cv2

    found = detect_markers(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), "DICT_6X6_250")
    return [
        (*(float(v) for v in m.corners.min(axis=0)), *(float(v) for v in m.corners.max(axis=0)))
        for m in found
    ]


def test_the_marker_sheet_taken_for_a_face_is_left_alone_given_the_markers() -> None:
    source = SceneWorldSource(load_embedded().scene)
    frame = source.frame_at(0.8)  # the head pose at which the detector fires on the sheet
    markers = _marker_boxes(frame)
    assert len(markers) == 6
    with FaceRedactor() as redactor:
        blind = redactor.redact(frame)
        told = redactor.redact(frame, markers=markers)
    assert blind.regions, "the detector no longer takes the sheet for a face: pick a new pose"
    assert all(made_of_markers(f.box, markers) for f in blind.faces)
    assert not told.regions and np.array_equal(told.image, frame)


def test_a_real_face_beside_markers_is_still_hidden() -> None:
    background = desk_frame(1280, 720)
    image, truth = paste_face(background, 96, (100.0, 300.0))
    markers = [(600.0, 300.0, 660.0, 360.0), (700.0, 300.0, 760.0, 360.0)]
    with FaceRedactor() as redactor:
        result = redactor.redact(image, markers=markers)
    assert result.regions  # the face is not made of the markers
    assert made_of_markers((0, 0, 800, 400), markers)
    assert not made_of_markers(truth, markers)
