"""Hand landmarks as plain, immutable data, and the geometry every recogniser shares.

The layout is MediaPipe's 21-point hand model (wrist, then four joints per digit, thumb
first). It is reproduced here as constants so nothing in :mod:`gestures` has to import
MediaPipe: the recognisers take numbers, which makes them testable on recorded CSVs and
synthetic hands, and lets another tracker feed them.

Coordinates are *image* coordinates normalised to [0, 1] by the image width (x) and
height (y), y growing downward, exactly as MediaPipe returns them. Because x and y are
normalised by different lengths, distances are only isotropic after multiplying x by the
image aspect ratio; :attr:`HandLandmarks.xy` does that, so every recogniser measures on
it. ``z`` is optional: many recordings are 2-D only, and the recognisers here never need
it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gestures.errors import LandmarkError

WRIST = 0
THUMB_CMC = 1
THUMB_MCP = 2
THUMB_IP = 3
THUMB_TIP = 4
INDEX_MCP = 5
INDEX_PIP = 6
INDEX_DIP = 7
INDEX_TIP = 8
MIDDLE_MCP = 9
MIDDLE_PIP = 10
MIDDLE_DIP = 11
MIDDLE_TIP = 12
RING_MCP = 13
RING_PIP = 14
RING_DIP = 15
RING_TIP = 16
PINKY_MCP = 17
PINKY_PIP = 18
PINKY_DIP = 19
PINKY_TIP = 20

NUM_LANDMARKS = 21

#: The palm: the wrist and the four finger knuckles.
PALM: tuple[int, ...] = (WRIST, INDEX_MCP, MIDDLE_MCP, RING_MCP, PINKY_MCP)

#: Wrist-to-middle-knuckle length over index-to-pinky-knuckle width on a real hand
#: (MediaPipe's world landmarks of its test hands give 1.25-1.4). Used to turn the palm
#: width into a length estimate when the palm is foreshortened along its long axis.
PALM_LENGTH_PER_WIDTH = 1.3

Handedness = Literal["Left", "Right"]
HANDEDNESS: tuple[Handedness, ...] = ("Left", "Right")

FloatArray = NDArray[np.float64]


def _frozen_array(values: ArrayLike, shape_name: str) -> FloatArray:
    """A read-only float64 copy, so a frozen dataclass really cannot change under us."""
    array = np.array(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] != NUM_LANDMARKS or array.shape[1] not in (2, 3):
        raise LandmarkError(
            f"{shape_name} must have shape (21, 2) or (21, 3), got {tuple(array.shape)}"
        )
    if array.shape[1] == 2:
        array = np.concatenate([array, np.zeros((NUM_LANDMARKS, 1))], axis=1)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class HandLandmarks:
    """One detected hand in one frame.

    ``points`` is (21, 3): normalised image x, y and MediaPipe's relative depth z (0 when
    the source is 2-D; ``has_depth`` says which). ``world`` holds metric landmarks when
    the tracker provides them. ``aspect_ratio`` is the image width over its height, needed
    to measure true shapes in normalised coordinates. Equality is identity: comparing
    float arrays element-wise is never what a caller wants.
    """

    points: FloatArray
    handedness: Handedness = "Right"
    world: FloatArray | None = None
    score: float = 1.0
    aspect_ratio: float = 1.0
    has_depth: bool = field(default=False)

    def __post_init__(self) -> None:
        raw = np.asarray(self.points)
        object.__setattr__(self, "has_depth", bool(raw.ndim == 2 and raw.shape[-1] == 3))
        object.__setattr__(self, "points", _frozen_array(raw, "points"))
        if self.world is not None:
            object.__setattr__(self, "world", _frozen_array(self.world, "world"))
        if self.handedness not in HANDEDNESS:
            raise LandmarkError(f"handedness must be 'Left' or 'Right', got {self.handedness!r}")
        if not self.aspect_ratio > 0:
            raise LandmarkError(f"aspect_ratio must be positive, got {self.aspect_ratio}")

    @cached_property
    def xy(self) -> FloatArray:
        """(21, 2) image positions in units of image height, so distances are isotropic.

        Computed once per hand (every recogniser reads it) and read-only.
        """
        xy = self.points[:, :2].copy()
        xy[:, 0] *= self.aspect_ratio
        xy.setflags(write=False)
        return xy

    @cached_property
    def size(self) -> float:
        """:func:`palm_size` of this hand in image heights (NaN for an invalid hand)."""
        return palm_size(self.xy) if self.is_valid else float("nan")

    @cached_property
    def is_valid(self) -> bool:
        """False when any x or y is NaN or infinite: such a hand is treated as absent."""
        return bool(np.isfinite(self.points[:, :2]).all())

    @property
    def is_usable(self) -> bool:
        """Valid and not collapsed to a point (a palm size to measure by): what every
        recogniser needs; anything else counts as a missing hand."""
        return self.size > 1e-9  # NaN for an invalid hand, which compares False


@dataclass(frozen=True)
class HandFrame:
    """Every hand seen in one camera frame, stamped with the frame's own time.

    Recognisers take time only from ``timestamp_ms`` (never the wall clock), so a
    replayed recording behaves exactly like the live camera did.
    """

    timestamp_ms: int
    hands: tuple[HandLandmarks, ...] = ()

    def hand(self, handedness: Handedness) -> HandLandmarks | None:
        """The first valid hand of that side, or None (an invalid hand counts as missing)."""
        for hand in self.hands:
            if hand.handedness == handedness and hand.is_valid:
                return hand
        return None


def palm_size(xy: FloatArray) -> float:
    """A length that scales with the hand but not with what the fingers do.

    Wrist-to-middle-knuckle shrinks when the palm tilts forward; the knuckle width shrinks
    when the hand turns sideways. The larger of the two (width converted to a length) is
    a stable yardstick in 2-D whichever way the palm faces.
    """
    length = float(np.hypot(*(xy[MIDDLE_MCP, :2] - xy[WRIST, :2])))
    width = float(np.hypot(*(xy[PINKY_MCP, :2] - xy[INDEX_MCP, :2])))
    return max(length, PALM_LENGTH_PER_WIDTH * width)


def palm_centre(xy: FloatArray) -> FloatArray:
    """The mean of the palm's five landmarks (:data:`PALM`): a point that moves with the
    hand but not with its fingers."""
    return np.asarray(xy[list(PALM)].mean(axis=0), dtype=np.float64)


def ramp(value: float, centre: float, half_width: float) -> float:
    """0 below ``centre - half_width``, 1 above ``centre + half_width``, linear between:
    a soft threshold, so a value right on it scores 0.5 instead of flipping."""
    if half_width <= 0:
        return 1.0 if value > centre else 0.0
    return min(1.0, max(0.0, (value - centre + half_width) / (2.0 * half_width)))


def normalise(xy: ArrayLike, handedness: Handedness = "Right") -> FloatArray:
    """Hand-centred (21, 2) coordinates: wrist at 0, palm size 1, fingers up, right-handed.

    Removing position, scale, in-plane rotation and side leaves only the hand's shape,
    which is what a pose is. Left hands are mirrored so they look like right hands.
    Raises :class:`LandmarkError` for a degenerate hand (all points on top of each other).
    """
    pts = np.asarray(xy, dtype=np.float64)[:, :2] - np.asarray(xy, dtype=np.float64)[WRIST, :2]
    size = palm_size(pts)
    if not np.isfinite(size) or size <= 1e-9:
        raise LandmarkError("degenerate hand: palm size is zero")
    pts = pts / size
    axis = pts[MIDDLE_MCP]
    angle = np.arctan2(axis[0], -axis[1])  # rotate the palm axis onto -y (image up)
    cos, sin = np.cos(angle), np.sin(angle)
    rotated = pts @ np.array([[cos, -sin], [sin, cos]])
    if handedness == "Left":
        rotated[:, 0] *= -1.0
    return np.asarray(rotated, dtype=np.float64)
