"""Draw what the trackers found onto the photo: hand skeletons with their poses, face
irises with the gaze direction, marker outlines with ids.

Used by ``hud detect --draw`` so a person can see at a glance whether a photo will drive
the HUD, and to make the README's pictures. Works on the ``hud detect --json`` object, so
it draws exactly what the command reports.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from gestures.gaze_geometry import LEFT_EYE, RIGHT_EYE
from hud.text import font
from hud.trackers.results import FACE_LANDMARK_COUNT, HAND_CONNECTIONS

FINGER_COLOURS = ((255, 210, 60), (80, 220, 120), (60, 180, 255), (190, 120, 255), (255, 120, 160))
IRIS_CENTRES = (RIGHT_EYE.iris, LEFT_EYE.iris)


def _finger(i: int, j: int) -> int:
    tip = max(i, j)
    return 0 if tip <= 4 else (tip - 1) // 4


def draw_detections(rgb: npt.NDArray[np.uint8], result: dict[str, Any]) -> npt.NDArray[np.uint8]:
    """A copy of ``rgb`` with the detections of ``result`` drawn on it."""
    h, w = rgb.shape[:2]
    img = Image.fromarray(rgb).convert("RGB")
    d = ImageDraw.Draw(img)
    s = max(1.0, min(w, h) / 500)
    label_font = font(int(15 * s), bold=True)

    def px(p: Any) -> tuple[float, float]:
        return float(p[0]) * w, float(p[1]) * h

    for hand in result.get("hands", []):
        pts = [px(p) for p in hand["landmarks"]]
        for i, j in HAND_CONNECTIONS:
            d.line([pts[i], pts[j]], fill=FINGER_COLOURS[_finger(i, j)], width=max(2, int(3 * s)))
        for x, y in pts:
            r = 3 * s
            d.ellipse([x - r, y - r, x + r, y + r], fill=(255, 255, 255), outline=(20, 20, 20))
        x0 = min(p[0] for p in pts)
        y0 = min(p[1] for p in pts)
        text = f"{hand['handedness']} · {hand['pose']} {hand['pose_score']:.2f}"
        _label(d, (x0, y0 - 24 * s), text, label_font, (30, 30, 30), (255, 230, 120))

    for face in result.get("faces", []):
        lm = face["landmarks"]
        if len(lm) < FACE_LANDMARK_COUNT:
            continue
        for k in range(468):
            x, y = px(lm[k])
            d.point((x, y), fill=(120, 200, 255))
        for c in IRIS_CENTRES:
            ring = [px(lm[c + k]) for k in range(1, 5)]
            cx, cy = px(lm[c])
            r = max(math.dist(ring[0], ring[2]), math.dist(ring[1], ring[3])) / 2
            d.ellipse(
                [cx - r, cy - r, cx + r, cy + r], outline=(255, 80, 80), width=max(1, int(2 * s))
            )
        # Gaze arrow from between the eyes, along the reported yaw/pitch.
        ex = (px(lm[IRIS_CENTRES[0]])[0] + px(lm[IRIS_CENTRES[1]])[0]) / 2
        ey = (px(lm[IRIS_CENTRES[0]])[1] + px(lm[IRIS_CENTRES[1]])[1]) / 2
        eye_span = math.dist(px(lm[RIGHT_EYE.outer]), px(lm[LEFT_EYE.outer]))
        yaw = math.radians(face["gaze"]["yaw_deg"])
        pitch = math.radians(face["gaze"]["pitch_deg"])
        length = eye_span * 1.2
        tip = (ex + math.sin(yaw) * length, ey + math.sin(pitch) * length)
        d.line([(ex, ey), tip], fill=(255, 80, 80), width=max(2, int(3 * s)))
        d.ellipse(
            [tip[0] - 4 * s, tip[1] - 4 * s, tip[0] + 4 * s, tip[1] + 4 * s], fill=(255, 80, 80)
        )
        text = f"gaze yaw {face['gaze']['yaw_deg']:+.1f}° pitch {face['gaze']['pitch_deg']:+.1f}°"
        x0 = min(px(p)[0] for p in lm[:468])
        y0 = min(px(p)[1] for p in lm[:468])
        _label(d, (x0, y0 - 24 * s), text, label_font, (255, 255, 255), (200, 50, 50))

    for marker in result.get("markers", []):
        corners = [(float(x), float(y)) for x, y in marker["corners"]]
        d.line([*corners, corners[0]], fill=(60, 255, 140), width=max(2, int(3 * s)))
        cx = sum(c[0] for c in corners) / 4
        cy = sum(c[1] for c in corners) / 4
        _label(
            d, (cx - 14 * s, cy - 10 * s), str(marker["id"]), label_font, (0, 0, 0), (60, 255, 140)
        )
    return np.asarray(img, dtype=np.uint8).copy()


def _label(
    d: ImageDraw.ImageDraw,
    at: tuple[float, float],
    text: str,
    f: Any,
    fg: tuple[int, int, int],
    bg: tuple[int, int, int],
) -> None:
    x, y = max(0.0, at[0]), max(0.0, at[1])
    box = d.textbbox((x, y), text, font=f)
    d.rectangle([box[0] - 4, box[1] - 3, box[2] + 4, box[3] + 3], fill=bg)
    d.text((x, y), text, font=f, fill=fg)
