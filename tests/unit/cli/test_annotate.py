from __future__ import annotations

import numpy as np

from hud.cli.annotate import draw_detections


def test_draws_hands_faces_and_markers_where_they_are() -> None:
    rgb = np.zeros((200, 300, 3), np.uint8)
    hand = {
        "handedness": "Right",
        "score": 0.9,
        "pose": "fist",
        "pose_score": 0.8,
        "landmarks": [[0.5 + 0.01 * (i % 5), 0.5 + 0.01 * (i // 5), 0.0] for i in range(21)],
    }
    marker = {
        "dictionary": "DICT_6X6_250",
        "id": 7,
        "corners": [[20, 20], [60, 20], [60, 60], [20, 60]],
    }
    out = draw_detections(rgb, {"hands": [hand], "faces": [], "markers": [marker]})
    assert out.shape == rgb.shape and rgb.max() == 0  # input untouched
    assert out[100, 150].max() > 0  # landmark 0 at (0.5, 0.5)
    assert out[20, 40].max() > 0  # marker outline
    assert out[180, 280].max() == 0  # nothing drawn far away
