"""A pointing ray for far targets: from the shoulder, through the hand, One Euro filtered.

Why the shoulder: a ray along the index finger swings with every small wrist and finger
movement, and pinching to click bends the finger, so the ray jumps exactly when the
user commits (the "Heisenberg effect"). A ray from a body point through the hand moves
only when the whole arm moves; HoloLens 2 and Quest both cast far rays this way. The
shoulder is not seen by a head-mounted camera, so it is a fixed offset from the camera
(to the side of the hand, below and slightly behind the eyes), which holds while the
head faces the same way as the torso.

How far away the hand is comes from its apparent palm size
(:func:`gestures.landmarks.palm_size`) against a typical adult palm length, through a
pinhole camera of known field of view. The hand point is the index knuckle (MCP) by
default: it does not move when the fingers pinch.

The direction is then smoothed with the One Euro filter (Casiez, Roussel & Vogel,
CHI 2012): a low-pass filter whose cutoff rises with speed, so a still hand's tracker
jitter is removed while a sweeping arm is followed with little lag. Its parameters are
in degrees and seconds: ``beta`` is per °/s.

Angles: yaw positive to the image's right, pitch positive up, (0, 0) along the
camera's optical axis, which is taken as the display's centre.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from gestures.clock import FrameClock
from gestures.errors import check_choice, check_number, check_type
from gestures.landmarks import (
    HANDEDNESS,
    INDEX_MCP,
    FloatArray,
    Handedness,
    HandFrame,
    HandLandmarks,
    palm_centre,
)
from gestures.selection import Target, hit_test
from hud.errors import OptionsError


@dataclass(frozen=True)
class OneEuroOptions:
    """One Euro filter parameters (Casiez et al. 2012), for values in degrees."""

    #: Cutoff at rest, Hz: lower removes more jitter from a still hand.
    min_cutoff_hz: float = 1.0
    #: How fast the cutoff rises with speed, Hz per (°/s): higher means less lag.
    beta: float = 0.05
    #: Cutoff of the speed estimate itself, Hz.
    d_cutoff_hz: float = 1.0

    def __post_init__(self) -> None:
        check_number("OneEuroOptions.min_cutoff_hz", self.min_cutoff_hz, low=0, low_open=True)
        check_number("OneEuroOptions.beta", self.beta, low=0)
        check_number("OneEuroOptions.d_cutoff_hz", self.d_cutoff_hz, low=0, low_open=True)


def _alpha(cutoff_hz: float, dt_s: float) -> float:
    """Smoothing factor of a first-order low-pass with this cutoff at this step."""
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    """Filters a vector stream; time comes from the samples' timestamps.

    The cutoff follows the vector's speed (the norm of its derivative), so yaw and
    pitch are smoothed together rather than one lagging while the other moves.
    """

    def __init__(self, options: OneEuroOptions | None = None) -> None:
        self.options = options or OneEuroOptions()
        self.clock = FrameClock()
        self._value: FloatArray | None = None
        self._speed: FloatArray | None = None

    def reset(self) -> None:
        """Start over: the next value passes through unfiltered."""
        self.clock.reset()
        self._value = None
        self._speed = None

    def __call__(self, timestamp_ms: int, value: ArrayLike) -> FloatArray:
        """The filtered value at ``timestamp_ms`` (a repeated timestamp changes nothing)."""
        dt_ms = self.clock.advance(timestamp_ms)
        x = np.asarray(value, dtype=np.float64)
        if self._value is None or self._speed is None:
            self._value, self._speed = x.copy(), np.zeros_like(x)
            return x.copy()
        if dt_ms == 0:
            return self._value.copy()
        dt = dt_ms / 1000.0
        opts = self.options
        raw_speed = (x - self._value) / dt
        a_d = _alpha(opts.d_cutoff_hz, dt)
        self._speed = self._speed + a_d * (raw_speed - self._speed)
        cutoff = opts.min_cutoff_hz + opts.beta * float(np.linalg.norm(self._speed))
        self._value = self._value + _alpha(cutoff, dt) * (x - self._value)
        return self._value.copy()


@dataclass(frozen=True)
class HandRayOptions:
    """Camera, body model and filter of :class:`HandRayCaster`."""

    #: Horizontal field of view of the camera that sees the hands.
    camera_fov_h_deg: float = 70.0
    #: The right shoulder relative to the camera, metres: x right, y down, z forward.
    #: The left shoulder mirrors x. Roughly an adult's, with the camera at the eyes.
    shoulder_m: tuple[float, float, float] = (0.18, 0.25, -0.05)
    #: Real length that :func:`~gestures.landmarks.palm_size` measures (wrist to
    #: middle knuckle; about 9 cm on adults), for the hand's distance.
    palm_size_m: float = 0.09
    #: The point on the hand the ray passes through.
    anchor: Literal["index_mcp", "palm_centre"] = "index_mcp"
    #: Hit test margin around targets, degrees.
    margin_deg: float = 1.0
    filter: OneEuroOptions = field(default_factory=OneEuroOptions)

    def __post_init__(self) -> None:
        check_number(
            "HandRayOptions.camera_fov_h_deg",
            self.camera_fov_h_deg,
            low=1,
            high=179,
            low_open=True,
            high_open=True,
        )
        if len(self.shoulder_m) != 3:
            raise OptionsError(
                f"HandRayOptions.shoulder_m must be (x, y, z), got {self.shoulder_m!r}"
            )
        for value in self.shoulder_m:
            check_number("HandRayOptions.shoulder_m", value)
        check_number("HandRayOptions.palm_size_m", self.palm_size_m, low=0, low_open=True)
        check_choice("HandRayOptions.anchor", self.anchor, ("index_mcp", "palm_centre"))
        check_number("HandRayOptions.margin_deg", self.margin_deg, low=0)
        check_type("HandRayOptions.filter", self.filter, OneEuroOptions)


@dataclass(frozen=True)
class HandRay:
    """One hand's ray at one frame. ``origin``/``through`` are camera-frame metres."""

    timestamp_ms: int
    handedness: Handedness
    yaw_deg: float
    pitch_deg: float
    raw_yaw_deg: float
    raw_pitch_deg: float
    origin: tuple[float, float, float]
    through: tuple[float, float, float]
    target_id: str | None = None

    @property
    def direction(self) -> FloatArray:
        """The filtered unit direction in the camera frame (x right, y down, z forward)."""
        return angles_to_direction(self.yaw_deg, self.pitch_deg)


def direction_angles(direction: ArrayLike) -> tuple[float, float]:
    """(yaw, pitch) degrees of a camera-frame direction looking along +z."""
    x, y, z = (float(c) for c in np.asarray(direction, dtype=np.float64))
    return math.degrees(math.atan2(x, z)), math.degrees(math.atan2(-y, math.hypot(x, z)))


def angles_to_direction(yaw_deg: float, pitch_deg: float) -> FloatArray:
    """Inverse of :func:`direction_angles`."""
    yaw, pitch = math.radians(yaw_deg), math.radians(pitch_deg)
    return np.array(
        [math.sin(yaw) * math.cos(pitch), -math.sin(pitch), math.cos(yaw) * math.cos(pitch)]
    )


def focal_length(options: HandRayOptions, aspect_ratio: float) -> float:
    """Pinhole focal length in image heights (the unit of :attr:`HandLandmarks.xy`)."""
    return aspect_ratio * 0.5 / math.tan(math.radians(options.camera_fov_h_deg) / 2.0)


def hand_point_m(hand: HandLandmarks, options: HandRayOptions) -> FloatArray | None:
    """The anchor point in camera-frame metres, or None for an unusable hand."""
    if not hand.is_usable:
        return None
    size = hand.size
    xy = hand.xy
    point = xy[INDEX_MCP] if options.anchor == "index_mcp" else palm_centre(xy)
    f = focal_length(options, hand.aspect_ratio)
    depth = f * options.palm_size_m / size
    centre = np.array([0.5 * hand.aspect_ratio, 0.5])
    x, y = (point - centre) / f * depth
    return np.array([x, y, depth])


def shoulder_m(handedness: Handedness, options: HandRayOptions) -> FloatArray:
    """The shoulder on the hand's side, camera-frame metres."""
    x, y, z = options.shoulder_m
    return np.array([x if handedness == "Right" else -x, y, z])


class HandRayCaster:
    """Hand landmarks in, one filtered :class:`HandRay` per visible hand out.

    Each side has its own filter; a hand that disappears resets its filter, so a hand
    coming back elsewhere does not glide in from where it left.
    """

    def __init__(self, options: HandRayOptions | None = None) -> None:
        self.options = options or HandRayOptions()
        self._filters = {side: OneEuroFilter(self.options.filter) for side in HANDEDNESS}
        self.clock = FrameClock()

    def reset(self) -> None:
        """Forget both filters and the last timestamp."""
        self.clock.reset()
        for f in self._filters.values():
            f.reset()

    def cast(
        self, timestamp_ms: int, hand: HandLandmarks | None, targets: Iterable[Target] = ()
    ) -> HandRay | None:
        """The ray of one hand (None when it is missing or unusable)."""
        if hand is None:
            return None
        through = hand_point_m(hand, self.options)
        filt = self._filters[hand.handedness]
        if through is None:
            filt.reset()
            return None
        origin = shoulder_m(hand.handedness, self.options)
        raw_yaw, raw_pitch = direction_angles(through - origin)
        yaw, pitch = (float(v) for v in filt(timestamp_ms, [raw_yaw, raw_pitch]))
        hit = hit_test(targets, yaw, pitch, self.options.margin_deg)
        return HandRay(
            timestamp_ms=int(timestamp_ms),
            handedness=hand.handedness,
            yaw_deg=yaw,
            pitch_deg=pitch,
            raw_yaw_deg=raw_yaw,
            raw_pitch_deg=raw_pitch,
            origin=(float(origin[0]), float(origin[1]), float(origin[2])),
            through=(float(through[0]), float(through[1]), float(through[2])),
            target_id=None if hit is None else hit.id,
        )

    def process(self, frame: HandFrame, targets: Iterable[Target] = ()) -> list[HandRay]:
        """Rays of every hand in a frame; raises TimestampOrderError if time went back."""
        self.clock.advance(frame.timestamp_ms)
        target_list = list(targets)
        rays = []
        for side in HANDEDNESS:
            hand = frame.hand(side)
            if hand is None:
                self._filters[side].reset()
                continue
            ray = self.cast(frame.timestamp_ms, hand, target_list)
            if ray is not None:
                rays.append(ray)
        return rays
