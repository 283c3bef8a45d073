"""Bystanders' faces out of what an app's loop saves: the glue between an
:class:`~hud.app.app.AppLoop` and a :class:`hud.privacy.FaceRedactor`.

What is saved (MP4s and PNG frames of a live world, screenshots, recordings, crops sent
to an answer source) has faces blurred; what is tracked never does, so the trackers still
see the real frame. The wearer's hands (their last tracked boxes) stay sharp, and a
sheet of tracked markers is never taken for a face.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from gestures.tracker_input import wearer_hand_results
from hud.app.app import AppLoop
from hud.privacy import FaceRedactor
from hud.privacy import hand_boxes as privacy_hand_boxes
from hud.trackers.results import MarkerResult

Box = tuple[float, float, float, float]
Image = npt.NDArray[np.uint8]


def hand_boxes(loop: AppLoop, size: tuple[int, int] | None = None) -> tuple[Box, ...]:
    """The wearer's last tracked hands as pixel boxes of the world (or of ``size``)."""
    wearer = wearer_hand_results(loop.tracked.hands, loop.tracking.recognizer.options.wearer)
    return privacy_hand_boxes(wearer, size or loop.world_size())


def marker_boxes(markers: Sequence[MarkerResult]) -> list[Box]:
    """Tracked markers as pixel boxes."""
    out = []
    for m in markers:
        (x0, y0), (x1, y1) = m.corners.min(axis=0), m.corners.max(axis=0)
        out.append((float(x0), float(y0), float(x1), float(y1)))
    return out


def redact_frame(redactor: FaceRedactor, loop: AppLoop, image: Image) -> Image:
    """One picture of the loop's world (a camera frame or the composite: the same pixel
    grid) with the faces in it blurred."""
    size = (int(image.shape[1]), int(image.shape[0]))
    markers = marker_boxes(loop.tracked.markers)
    return redactor.redact(image, hand_boxes(loop, size), markers).image


def world_filter(redactor: FaceRedactor, loop: AppLoop) -> Callable[[Image, int], Image]:
    """An :attr:`AppLoop.world_filter` for a run whose every frame is saved: faces held
    over a few frames (one missed detection does not unblur a face), blurred before the
    HUD is composited over them, so the HUD stays sharp."""

    def redact(rgb: Image, t_ms: int) -> Image:
        size = (int(rgb.shape[1]), int(rgb.shape[0]))
        keep, markers = hand_boxes(loop, size), marker_boxes(loop.tracked.markers)
        return redactor.redact_for_video(rgb, t_ms, keep, markers).image

    return redact


__all__ = ["hand_boxes", "marker_boxes", "redact_frame", "world_filter"]
