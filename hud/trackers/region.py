"""Follow one region the user picked (a box around an object) from frame to frame.

The tracking itself is OpenCV's: CSRT by default (the most accurate of the trackers in
opencv-contrib 4.11 that need no model file), KCF (faster) or MIL. What this module adds
is *honesty about loss*. Correlation-filter trackers keep reporting a box after the
object has gone — CSRT and KCF happily lock onto whatever background is left — and a
HUD card pinned to that box would point at nothing. So every update is checked:

* OpenCV itself says it failed → lost;
* less than half the box is inside the image → lost (the object left the view);
* the pixels in the box no longer look like the object → lost. "Look like" is the
  zero-mean normalised correlation of the box, resampled to a small grey patch, with
  the patch taken when tracking started (or with the latest patch that still resembled
  that one, so slow changes of light or pose are followed without drifting onto the
  background).

Once lost, the tracker says so on every frame instead of guessing, and (unless turned
off) looks for the original patch anywhere in the frame with template matching; when it
is found again tracking restarts there and the update says ``reacquired``. Template
matching is at the original scale only, so an object that comes back much nearer or
farther is not found again: call :meth:`RegionTracker.start` with a new box.

Boxes are normalised ``(x0, y0, x1, y1)`` like :class:`hud.trackers.results.TrackedObject`.
Images are ``uint8`` H × W × 3 (RGB or BGR, as long as it does not change) or grey.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np

from hud.errors import HudError, OptionsError
from hud.trackers.results import TrackedObject

TrackerKind = Literal["csrt", "kcf", "mil"]
TRACKER_KINDS: tuple[TrackerKind, ...] = ("csrt", "kcf", "mil")
Status = Literal["tracking", "lost", "reacquired"]
Box = tuple[float, float, float, float]

#: Side of the grey patch appearance is compared on (pixels).
PATCH_SIZE = 32


def _create(kind: str) -> Any:
    makers = {
        "csrt": "TrackerCSRT_create",
        "kcf": "TrackerKCF_create",
        "mil": "TrackerMIL_create",
    }
    maker = getattr(cv2, makers[kind], None)
    if maker is None:  # pragma: no cover - opencv-contrib 4.11 has all three
        raise HudError(f"this OpenCV build has no {kind.upper()} tracker (needs opencv-contrib)")
    return maker()


def _as_bgr(image: np.ndarray) -> np.ndarray:
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise HudError(f"region tracking needs an 8-bit image, got {array.dtype}")
    if array.ndim == 2:
        return np.ascontiguousarray(cv2.cvtColor(array, cv2.COLOR_GRAY2BGR))
    if array.ndim == 3 and array.shape[2] == 3:
        return np.ascontiguousarray(array)
    if array.ndim == 3 and array.shape[2] == 4:
        return np.ascontiguousarray(array[:, :, :3])
    raise HudError(f"region tracking needs a grey or colour image, got shape {array.shape}")


def _gray(bgr: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))


def normalised_to_pixels(box: Box, width: int, height: int) -> tuple[int, int, int, int]:
    """A normalised ``(x0, y0, x1, y1)`` as OpenCV's integer ``(x, y, w, h)``."""
    x0, y0, x1, y1 = box
    left, top = int(round(x0 * width)), int(round(y0 * height))
    right, bottom = int(round(x1 * width)), int(round(y1 * height))
    return left, top, max(1, right - left), max(1, bottom - top)


def pixels_to_normalised(rect: Any, width: int, height: int) -> Box:
    """OpenCV's ``(x, y, w, h)`` in pixels as a normalised ``(x0, y0, x1, y1)``."""
    x, y, w, h = (float(v) for v in rect)
    return (x / width, y / height, (x + w) / width, (y + h) / height)


def _check_box(box: Any) -> Box:
    try:
        values = tuple(float(v) for v in box)
    except (TypeError, ValueError):
        raise HudError(f"a box is 4 numbers (x0, y0, x1, y1), got {box!r}") from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise HudError(f"a box is 4 finite numbers (x0, y0, x1, y1), got {box!r}")
    x0, y0, x1, y1 = values
    if not (0.0 <= x0 < x1 <= 1.0 and 0.0 <= y0 < y1 <= 1.0):
        raise HudError(f"a normalised box needs 0 ≤ x0 < x1 ≤ 1 and 0 ≤ y0 < y1 ≤ 1, got {box!r}")
    return (x0, y0, x1, y1)


def _patch(gray: np.ndarray, rect: tuple[int, int, int, int]) -> np.ndarray | None:
    """The region resampled to PATCH_SIZE², lightly blurred; None if mostly off-image."""
    x, y, w, h = rect
    height, width = gray.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(width, x + w), min(height, y + h)
    if x1 <= x0 or y1 <= y0 or (x1 - x0) * (y1 - y0) < 0.5 * w * h:
        return None
    crop = gray[y0:y1, x0:x1]
    small = cv2.resize(crop, (PATCH_SIZE, PATCH_SIZE), interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.GaussianBlur(small.astype(np.float32), (3, 3), 0.8))


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Zero-mean normalised correlation of two equal patches, in [-1, 1].

    A featureless patch has no correlation to speak of; then the score is how close the
    two mean brightnesses are (1 equal, 0 at 64 grey levels apart).
    """
    da, db = a - a.mean(), b - b.mean()
    na, nb = float(np.sqrt((da * da).sum())), float(np.sqrt((db * db).sum()))
    if na < 1e-3 * a.size or nb < 1e-3 * b.size:
        return max(0.0, 1.0 - abs(float(a.mean()) - float(b.mean())) / 64.0)
    return float((da * db).sum() / (na * nb))


@dataclass(frozen=True)
class RegionUpdate:
    """What one frame said about the region.

    ``box`` is normalised and present only while ``status`` is ``tracking`` or
    ``reacquired``; ``similarity`` is the appearance score behind that decision (NaN
    when there was nothing to compare); ``reason`` says in words why it is lost.
    """

    status: Status
    box: Box | None
    similarity: float
    reason: str = ""

    @property
    def tracking(self) -> bool:
        """Whether ``box`` can be trusted this frame."""
        return self.status != "lost"


class RegionTracker:
    """One user-selected region, tracked with loss detection (see the module docstring).

    >>> with RegionTracker("csrt") as tracker:                   # doctest: +SKIP
    ...     tracker.start(first_frame, (0.4, 0.4, 0.6, 0.6))
    ...     update = tracker.update(next_frame)

    It holds an OpenCV tracker and the start patch: :meth:`close` (or leaving a ``with``
    block) lets them go; :meth:`start` may begin again afterwards.
    """

    def __init__(
        self,
        kind: TrackerKind = "csrt",
        *,
        min_similarity: float = 0.5,
        reacquire: bool = True,
        reacquire_similarity: float = 0.8,
        object_id: str = "region",
        label: str = "object",
    ) -> None:
        if kind not in TRACKER_KINDS:
            raise OptionsError(
                f"unknown region tracker {kind!r}; valid: {', '.join(TRACKER_KINDS)}"
            )
        for name, value in (
            ("min_similarity", min_similarity),
            ("reacquire_similarity", reacquire_similarity),
        ):
            if not -1.0 <= value <= 1.0:
                raise OptionsError(f"{name} must be between -1 and 1, got {value}")
        self.kind = kind
        self.min_similarity = min_similarity
        self.reacquire = reacquire
        self.reacquire_similarity = reacquire_similarity
        self.object_id = object_id
        self.label = label
        self._tracker: Any = None
        self._template: np.ndarray | None = None  # PATCH_SIZE² patch at start
        self._recent: np.ndarray | None = None  # latest patch still like the template
        self._pixels: np.ndarray | None = None  # the start crop, for re-acquisition
        self._last: RegionUpdate | None = None

    @property
    def started(self) -> bool:
        """Whether :meth:`start` has been called."""
        return self._template is not None

    def start(self, image: np.ndarray, box: Any) -> None:
        """Begin tracking the normalised ``box`` (x0, y0, x1, y1) in ``image``."""
        bgr = _as_bgr(image)
        height, width = bgr.shape[:2]
        rect = normalised_to_pixels(_check_box(box), width, height)
        if rect[2] < 4 or rect[3] < 4:
            raise HudError(f"the region is {rect[2]}×{rect[3]} pixels; at least 4×4 is needed")
        gray = _gray(bgr)
        patch = _patch(gray, rect)
        assert patch is not None  # the box was checked to lie inside the image
        self._begin(bgr, rect)
        self._template = self._recent = patch
        x, y, w, h = rect
        self._pixels = gray[y : y + h, x : x + w].copy()
        self._last = RegionUpdate("tracking", pixels_to_normalised(rect, width, height), 1.0)

    def _begin(self, bgr: np.ndarray, rect: tuple[int, int, int, int]) -> None:
        self._tracker = _create(self.kind)
        self._tracker.init(bgr, rect)

    def update(self, image: np.ndarray) -> RegionUpdate:
        """Track into the next frame and say, honestly, whether the region is still there."""
        if self._template is None:
            raise HudError("call start() with a box before update()")
        bgr = _as_bgr(image)
        gray = _gray(bgr)
        if self._last is not None and self._last.status == "lost":
            result = self._try_reacquire(bgr, gray)
        else:
            result = self._follow(bgr, gray)
        self._last = result
        return result

    def _follow(self, bgr: np.ndarray, gray: np.ndarray) -> RegionUpdate:
        height, width = gray.shape[:2]
        ok, found = self._tracker.update(bgr)
        if not ok:
            return RegionUpdate("lost", None, math.nan, f"the {self.kind.upper()} tracker failed")
        rect = tuple(int(round(v)) for v in found)
        patch = _patch(gray, (rect[0], rect[1], rect[2], rect[3]))
        if patch is None:
            return RegionUpdate("lost", None, math.nan, "the region left the image")
        assert self._template is not None and self._recent is not None
        initial = similarity(patch, self._template)
        score = max(initial, similarity(patch, self._recent))
        if score < self.min_similarity:
            return RegionUpdate(
                "lost",
                None,
                score,
                f"the region no longer looks like the object (similarity {score:.2f} "
                f"< {self.min_similarity:.2f})",
            )
        if initial >= self.min_similarity:
            self._recent = patch
        box = pixels_to_normalised(rect, width, height)
        return RegionUpdate("tracking", _clip(box), score)

    def _try_reacquire(self, bgr: np.ndarray, gray: np.ndarray) -> RegionUpdate:
        assert self._pixels is not None and self._last is not None
        reason = self._last.reason
        templ = self._pixels
        if not self.reacquire or gray.shape[0] < templ.shape[0] or gray.shape[1] < templ.shape[1]:
            return RegionUpdate("lost", None, math.nan, reason)
        scores = cv2.matchTemplate(gray, templ, cv2.TM_CCOEFF_NORMED)
        _, best, _, (x, y) = cv2.minMaxLoc(scores)
        if not math.isfinite(best) or best < self.reacquire_similarity:
            return RegionUpdate("lost", None, float(best), reason)
        h, w = templ.shape[:2]
        rect = (int(x), int(y), int(w), int(h))
        self._begin(bgr, rect)
        self._recent = self._template
        height, width = gray.shape[:2]
        return RegionUpdate("reacquired", pixels_to_normalised(rect, width, height), float(best))

    def tracked_object(self) -> TrackedObject | None:
        """The region as a scene object while it is tracked, ``None`` while lost."""
        if self._last is None or self._last.box is None:
            return None
        return TrackedObject(id=self.object_id, label=self.label, box=self._last.box)

    def close(self) -> None:
        """Release the OpenCV tracker and the stored patches (safe to call twice).

        Afterwards the tracker is as if never started: :meth:`update` asks for
        :meth:`start` again.
        """
        self._tracker = None
        self._template = self._recent = self._pixels = None
        self._last = None

    def __enter__(self) -> RegionTracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _clip(box: Box) -> Box:
    x0, y0, x1, y1 = (min(1.0, max(0.0, v)) for v in box)
    return (x0, y0, x1, y1)


__all__ = [
    "TRACKER_KINDS",
    "RegionTracker",
    "RegionUpdate",
    "normalised_to_pixels",
    "pixels_to_normalised",
    "similarity",
]
