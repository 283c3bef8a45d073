"""Motion-to-photon latency: a frame-delay queue and its cost on real head motion.

A frame is rendered for the head pose sampled at time ``t`` and reaches the eye at
``t + latency``. World-anchored content is therefore drawn where the world *was*: as the head
turns, it lags by the rotation made during the latency. :class:`FrameDelayQueue` reproduces
that in a host loop (push what you rendered, take what the display would show now), and
:func:`registration_error_deg` measures the resulting misregistration on a recorded head
trajectory. Time is always passed in, never read from a clock, so both replay exactly.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from hud.errors import HudError

T = TypeVar("T")


class FrameDelayQueue(Generic[T]):
    """Holds rendered frames and releases each one ``latency_ms`` after it was made."""

    def __init__(self, latency_ms: float) -> None:
        if latency_ms < 0:
            raise HudError(f"latency must be ≥ 0 ms, got {latency_ms}")
        self.latency_ms = float(latency_ms)
        self._items: deque[tuple[float, T]] = deque()
        self._last_push: float | None = None
        self._shown: tuple[float, T] | None = None

    def push(self, t_ms: float, item: T) -> None:
        """Add a frame rendered for time ``t_ms``; timestamps must not go backwards."""
        if self._last_push is not None and t_ms < self._last_push:
            raise HudError(f"frame timestamp went backwards: {t_ms} ms after {self._last_push} ms")
        self._last_push = t_ms
        self._items.append((t_ms, item))

    def get(self, now_ms: float) -> T | None:
        """The newest frame whose latency has elapsed at ``now_ms`` (None before the first)."""
        while self._items and self._items[0][0] + self.latency_ms <= now_ms:
            self._shown = self._items.popleft()
        return None if self._shown is None else self._shown[1]

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class HeadTrace:
    """A head trajectory: times (s) and orientations as unit quaternions (x, y, z, w)."""

    t: npt.NDArray[np.float64]
    q: npt.NDArray[np.float64]


def load_tum(path: str | Path) -> HeadTrace:
    """Read a TUM trajectory (``t tx ty tz qx qy qz qw`` per line, ``#`` comments)."""
    p = Path(path)
    try:
        rows = [
            line.split()
            for line in p.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        data = np.array(rows, dtype=np.float64)
    except (OSError, ValueError) as exc:
        raise HudError(f"cannot read head trace {p}: {exc}") from None
    if data.ndim != 2 or data.shape[1] != 8 or len(data) < 2:
        raise HudError(f"{p}: expected lines of 8 numbers (t tx ty tz qx qy qz qw)")
    if np.any(np.diff(data[:, 0]) < 0):
        raise HudError(f"{p}: timestamps go backwards")
    q = data[:, 4:8] / np.linalg.norm(data[:, 4:8], axis=1, keepdims=True)
    return HeadTrace(t=data[:, 0] - data[0, 0], q=q)


def _slerp_at(trace: HeadTrace, times: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Orientation at arbitrary times (normalised linear blend: fine at 120 Hz sampling)."""
    idx = np.clip(np.searchsorted(trace.t, times) - 1, 0, len(trace.t) - 2)
    t0, t1 = trace.t[idx], trace.t[idx + 1]
    a = np.clip((times - t0) / np.maximum(t1 - t0, 1e-9), 0.0, 1.0)[:, None]
    q0, q1 = trace.q[idx], trace.q[idx + 1]
    q1 = np.where(np.sum(q0 * q1, axis=1, keepdims=True) < 0, -q1, q1)
    q = (1 - a) * q0 + a * q1
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def angle_between_deg(
    qa: npt.NDArray[np.float64], qb: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Rotation angle between orientations, degrees."""
    dot = np.clip(np.abs(np.sum(qa * qb, axis=1)), 0.0, 1.0)
    return np.degrees(2 * np.arccos(dot))


def registration_error_deg(
    trace: HeadTrace, latency_ms: float, refresh_hz: float
) -> npt.NDArray[np.float64]:
    """Angular misregistration of world-anchored content at each displayed frame.

    Frames are shown at ``refresh_hz``; each shows content rendered for the pose
    ``latency_ms`` earlier (exactly what :class:`FrameDelayQueue` does in a live loop).
    """
    lat = latency_ms / 1000.0
    shown = np.arange(trace.t[0] + lat, trace.t[-1], 1.0 / refresh_hz)
    if len(shown) == 0:
        return np.zeros(0)
    return angle_between_deg(_slerp_at(trace, shown), _slerp_at(trace, shown - lat))


def summarize(errors: Iterable[float]) -> dict[str, float]:
    e = np.asarray(list(errors), dtype=np.float64)
    if e.size == 0:
        return {"frames": 0, "median_deg": 0.0, "p95_deg": 0.0, "max_deg": 0.0}
    return {
        "frames": int(e.size),
        "median_deg": round(float(np.median(e)), 4),
        "p95_deg": round(float(np.percentile(e, 95)), 4),
        "max_deg": round(float(e.max()), 4),
    }
