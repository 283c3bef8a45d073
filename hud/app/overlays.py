"""What the emulator draws over the through-the-glasses view, after the optics.

Two kinds, both drawn on the composite image (world pixels), never on the display:

* The **capture indicator**: the emulated LED on the glasses' frame, lit whenever frames
  are recorded or sent off the machine. The pipeline draws it last, after the app's scene
  has been laid out and rendered, so no app can hide it (:func:`draw_capture_led`).
* **Debug overlays** the wearer would not see, switched by the emulator's keys: hand
  landmarks, the gaze point, the display's field of view and the eyebox, the anchors
  (tracked objects' boxes and their cards' leader targets), layout metrics and frame
  timings (:func:`draw_overlays`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from hud.scene import TrackedObject
from hud.trackers.results import HAND_CONNECTIONS

#: The overlays the emulator can show, in the order of their keys (O cycles; see
#: :data:`OVERLAY_KEYS`).
OVERLAYS = ("hands", "gaze", "fov", "anchors", "metrics", "timings")
#: Keys that toggle one overlay each in the emulator window.
OVERLAY_KEYS = {"F1": "hands", "F2": "gaze", "F3": "fov", "F4": "anchors", "F5": "metrics"}
OVERLAY_KEYS["F6"] = "timings"


def led_center(size: tuple[int, int]) -> tuple[int, int, int]:
    """Where the capture LED sits on a composite of ``size``: (x, y, radius) in pixels,
    top-right, as on Meta's glasses (the LED is beside the camera on the frame)."""
    w, h = size
    r = max(4, round(min(w, h) * 0.018))
    return w - 3 * r, 3 * r, r


def draw_capture_led(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """A copy of ``image`` with the lit capture LED: a white disc in a red ring with a
    soft glow, bright enough to see over any world."""
    import cv2

    out = np.array(image, dtype=np.uint8, copy=True)
    x, y, r = led_center((out.shape[1], out.shape[0]))
    glow = np.zeros_like(out)
    cv2.circle(glow, (x, y), 2 * r, (255, 60, 60), -1, cv2.LINE_AA)
    soft = np.asarray(cv2.GaussianBlur(glow, (0, 0), r * 0.8), dtype=np.uint8)
    out = np.maximum(out, soft)
    cv2.circle(out, (x, y), r + max(1, r // 3), (230, 30, 30), -1, cv2.LINE_AA)
    cv2.circle(out, (x, y), r, (255, 255, 255), -1, cv2.LINE_AA)
    return out


@dataclass(frozen=True, eq=False)
class OverlayInput:
    """What the debug overlays show for one frame (world pixels, y down)."""

    #: Each hand's 21 landmarks, normalised image x, y (a camera's or the simulator's).
    hands: Sequence[npt.NDArray[np.float64]] = ()
    gaze_px: tuple[float, float] | None = None
    #: The display's field of view and the eyebox's visible part, as world-pixel rects.
    fov_rect: tuple[float, float, float, float] | None = None
    objects: Sequence[TrackedObject] = ()
    #: Card id → the world-pixel rect it is drawn in (for the anchors overlay).
    cards: Mapping[str, tuple[float, float, float, float]] = field(default_factory=dict)
    card_anchors: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    timings_ms: Mapping[str, float] = field(default_factory=dict)
    dropped_frames: int = 0
    #: The pupil's place in the eyebox, shown with the FOV outline.
    eyebox: str = ""


def draw_overlays(
    image: npt.NDArray[np.uint8], shown: frozenset[str], data: OverlayInput
) -> npt.NDArray[np.uint8]:
    """A copy of ``image`` with the overlays named in ``shown`` drawn over it."""
    import cv2

    out = np.array(image, dtype=np.uint8, copy=True)
    h, w = out.shape[:2]
    thick = max(1, round(min(w, h) / 400))
    if "fov" in shown and data.fov_rect is not None:
        x0, y0, x1, y1 = (round(v) for v in data.fov_rect)
        cv2.rectangle(out, (x0, y0), (x1, y1), (90, 200, 255), thick, cv2.LINE_AA)
    if "anchors" in shown:
        _draw_anchors(out, data, thick)
    if "hands" in shown:
        for hand in data.hands:
            pts = [(round(float(p[0]) * w), round(float(p[1]) * h)) for p in hand]
            for a, b in HAND_CONNECTIONS:
                cv2.line(out, pts[a], pts[b], (80, 255, 120), thick, cv2.LINE_AA)
            for p in pts:
                cv2.circle(out, p, thick + 1, (255, 255, 255), -1, cv2.LINE_AA)
    if "gaze" in shown and data.gaze_px is not None:
        gx, gy = round(data.gaze_px[0]), round(data.gaze_px[1])
        cv2.circle(out, (gx, gy), 6 * thick, (255, 230, 40), thick, cv2.LINE_AA)
        cv2.circle(out, (gx, gy), thick, (255, 230, 40), -1, cv2.LINE_AA)
    lines: list[str] = []
    if "fov" in shown and data.eyebox:
        lines.append(data.eyebox)
    if "metrics" in shown:
        lines += [f"{k} {v:.2f}" for k, v in data.metrics.items()]
    if "timings" in shown:
        lines += [f"{k} {v:.1f} ms" for k, v in data.timings_ms.items()]
        lines.append(f"dropped camera frames {data.dropped_frames}")
    _draw_text_block(out, lines, thick)
    return out


def _draw_anchors(out: npt.NDArray[np.uint8], data: OverlayInput, thick: int) -> None:
    import cv2

    h, w = out.shape[:2]
    centres: dict[str, tuple[int, int]] = {}
    for obj in data.objects:
        x0, y0, x1, y1 = obj.box
        p0, p1 = (round(x0 * w), round(y0 * h)), (round(x1 * w), round(y1 * h))
        cv2.rectangle(out, p0, p1, (255, 140, 40), thick, cv2.LINE_AA)
        centres[obj.id] = ((p0[0] + p1[0]) // 2, (p0[1] + p1[1]) // 2)
    for card_id, (x0, y0, x1, y1) in data.cards.items():
        anchor = data.card_anchors.get(card_id)
        if anchor in centres:
            mid = (round((x0 + x1) / 2), round((y0 + y1) / 2))
            cv2.line(out, mid, centres[anchor], (255, 140, 40), thick, cv2.LINE_AA)


def _draw_text_block(out: npt.NDArray[np.uint8], lines: list[str], thick: int) -> None:
    """Debug text, bottom-left, on a dark band (OpenCV's Hershey font: ASCII only)."""
    import cv2

    if not lines:
        return
    h = out.shape[0]
    scale = 0.3 * thick
    step = round(12 * thick)
    top = h - step * len(lines) - 6
    out[max(0, top - 4) :, : round(200 * thick)] //= 3
    for i, line in enumerate(lines):
        y = top + step * (i + 1) - 4
        text = line.encode("ascii", "replace").decode("ascii")
        cv2.putText(out, text, (6, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (230, 230, 230), 1)


def draw_help(
    image: npt.NDArray[np.uint8], keys: Sequence[tuple[str, str]], message: str = ""
) -> npt.NDArray[np.uint8]:
    """A copy of ``image`` with the key table (top-left) and a status message."""
    import cv2

    out = np.array(image, dtype=np.uint8, copy=True)
    thick = max(1, round(min(out.shape[:2]) / 400))
    step = round(18 * thick)
    if keys:
        height = step * (len(keys) + 1)
        out[:height, : round(420 * thick)] //= 4
        for i, (key, what) in enumerate(keys):
            y = step * (i + 1)
            for x, text in ((8, key), (round(110 * thick), what)):
                cv2.putText(
                    out, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.45 * thick, (235, 235, 235), 1
                )
    if message:
        text = message.encode("ascii", "replace").decode("ascii")[:120]
        y = out.shape[0] - 8
        cv2.putText(out, text, (8, y), cv2.FONT_HERSHEY_SIMPLEX, 0.45 * thick, (255, 255, 160), 1)
    return out


__all__ = [
    "OVERLAYS",
    "OVERLAY_KEYS",
    "OverlayInput",
    "draw_capture_led",
    "draw_help",
    "draw_overlays",
    "led_center",
]
