"""Steadier poses over time: hysteresis on the classifier's scores, and a motion prior.

One 2-D frame cannot settle some poses: a fist and a point with the index aimed at the
camera project alike, and a frame or two of a moving hand can read as either. A pose
that flips with every such frame is useless to an app (and to the intent gate, which
asks for a pointing hand before a circle). So in live and video use the pose changes
only when the evidence for the new one has led for a while:

* each label's evidence is an exponential moving average of the classifier's score for
  it (time constant ``tau_ms``, from frame timestamps);
* a new label must lead the held one by ``margin`` for ``hold_ms`` before it replaces it;
* the temporal prior: a hand moving fast is blurred and foreshortened, and its pose is
  not what the wearer is choosing, so its frames count for less. The averaging slows by
  ``1 + speed / motion_deg_s`` (palm speed in degrees per second).

A hand that disappears has pose ``none`` at once (nothing to hold), and a hand that
appears takes its first pose at once: the hysteresis is against flicker, not a delay
on a new hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gestures.errors import check_number


@dataclass(frozen=True)
class PoseSmoothingOptions:
    """How a hand's pose is held (times in ms). ``hold_ms=0`` and ``tau_ms=0``: no
    smoothing, every frame's label as it is (the single-frame classifier)."""

    #: Time constant of the per-label evidence average: about two frames at 30 fps,
    #: long enough to outvote one odd frame, short enough to follow a real change.
    tau_ms: int = 60
    #: A new pose must lead the held one for this long: a few frames.
    hold_ms: int = 60
    #: ...by at least this much evidence (scores are probabilities, 0-1).
    margin: float = 0.1
    #: Palm speed (deg/s) at which a frame's evidence counts half (0: no motion prior).
    #: A deliberate pose is shown by a near-still hand; a reach or a beat is 50-200 deg/s.
    motion_deg_s: float = 60.0

    def __post_init__(self) -> None:
        check_number("PoseSmoothingOptions.tau_ms", self.tau_ms, low=0)
        check_number("PoseSmoothingOptions.hold_ms", self.hold_ms, low=0)
        check_number("PoseSmoothingOptions.margin", self.margin, low=0, high=1)
        check_number("PoseSmoothingOptions.motion_deg_s", self.motion_deg_s, low=0)

    @classmethod
    def off(cls) -> PoseSmoothingOptions:
        """Each frame's label as the classifier gives it."""
        return cls(tau_ms=0, hold_ms=0, margin=0.0, motion_deg_s=0.0)


class PoseFilter:
    """One hand's held pose, updated frame by frame."""

    def __init__(self, options: PoseSmoothingOptions | None = None) -> None:
        self.options = options or PoseSmoothingOptions()
        self.reset()

    def reset(self) -> None:
        self.label = "none"
        self.score = 0.0
        self._evidence: dict[str, float] = {}
        self._last_ms: int | None = None
        self._pending: str | None = None
        self._pending_since = 0

    def update(self, t: int, label: str | None, score: float, speed_deg_s: float) -> str:
        """This frame's classifier label (None: no hand) and score; returns the held pose."""
        opts = self.options
        if label is None:
            self.reset()
            self._last_ms = t
            return self.label
        first = not self._evidence
        dt = 0 if self._last_ms is None else max(0, t - self._last_ms)
        self._last_ms = t
        if first or opts.tau_ms == 0:
            self._evidence = {label: score}
            if first or opts.hold_ms == 0:
                self._pending = None
                self.label, self.score = label, score
                return self.label
        else:
            slow = 1.0 + (speed_deg_s / opts.motion_deg_s if opts.motion_deg_s > 0 else 0.0)
            alpha = 1.0 - math.exp(-dt / (opts.tau_ms * slow))
            for key in set(self._evidence) | {label}:
                target = score if key == label else 0.0
                old = self._evidence.get(key, 0.0)
                self._evidence[key] = old + alpha * (target - old)
        best = max(self._evidence, key=lambda k: self._evidence[k])
        held = self._evidence.get(self.label, 0.0)
        if best == self.label or self._evidence[best] - held < opts.margin:
            self._pending = None
            if best == self.label:
                self.score = self._evidence[best]
            return self.label
        if self._pending != best:
            self._pending, self._pending_since = best, t
        if t - self._pending_since >= opts.hold_ms:
            self.label, self.score = best, self._evidence[best]
            self._pending = None
        return self.label
