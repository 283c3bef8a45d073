"""The One Euro filter: jitter removal whose lag shrinks as the signal speeds up.

Tracked boxes and poses jitter by a few pixels while still and move fast when the head or
the object moves. A fixed low-pass filter must choose between jitter and lag; the One Euro
filter (Casiez, Roussel and Vogel, CHI 2012) raises its cutoff with the filtered speed, so
a card sits still when the object does and follows it closely when it moves. This is the
reference algorithm (github casiez/OneEuroFilter, ``python/OneEuroFilter``) step for step,
checked against its published ground truth to 1e-4.

Time comes only from the timestamps passed in: the sampling rate of each step is
``1 / (t - t_prev)``, as the reference does when timestamps are given, so frames that
arrive unevenly are filtered correctly and a replay gives the same output. The first
sample passes through unchanged (the reference's choice: its derivative is taken as 0).

A timestamp equal to the previous one is a repeated frame: the previous output is
returned and the state is left as it was (there is no time step to filter over). A
timestamp before the previous one raises :class:`TimestampError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeVar, overload

import numpy as np
import numpy.typing as npt

from hud.errors import HudError, OptionsError

FloatArray = npt.NDArray[np.float64]
Value = TypeVar("Value", float, FloatArray)


class TimestampError(HudError, ValueError):
    """Time went backwards: frames were fed out of order or from two clocks."""


class FilterInputError(HudError, ValueError):
    """A value a filter cannot take: not finite, or of a different shape than before."""


def check_timestamp(t_s: float, previous_s: float | None) -> None:
    """Raise :class:`TimestampError` if ``t_s`` comes before ``previous_s`` (or is not finite)."""
    if not math.isfinite(t_s):
        raise TimestampError(f"timestamp must be a finite number of seconds, got {t_s}")
    if previous_s is not None and t_s < previous_s:
        raise TimestampError(
            f"timestamps must not go backwards: {t_s:.3f} s after {previous_s:.3f} s"
        )


@dataclass(frozen=True)
class OneEuroSettings:
    """The three parameters of a One Euro filter, validated once.

    ``min_cutoff`` (Hz) is the cutoff while the signal is still: lower removes more jitter.
    ``beta`` (per unit of speed: per m/s for positions in metres) is how much the cutoff
    rises with speed: higher lags less in fast motion. ``d_cutoff`` (Hz) smooths the speed
    estimate itself; the paper's 1 Hz rarely needs changing.
    """

    min_cutoff: float = 1.0
    beta: float = 0.0
    d_cutoff: float = 1.0

    def __post_init__(self) -> None:
        for name in ("min_cutoff", "beta", "d_cutoff"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise OptionsError(f"{name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise OptionsError(f"{name} must be finite, got {value}")
        if self.min_cutoff <= 0 or self.d_cutoff <= 0:
            raise OptionsError(
                f"cutoffs must be > 0 Hz, got min_cutoff={self.min_cutoff}, d_cutoff={self.d_cutoff}"
            )
        if self.beta < 0:
            raise OptionsError(f"beta must be ≥ 0, got {self.beta}")


def smoothing_factor(rate_hz: float, cutoff_hz: float) -> float:
    """The exponential-smoothing weight of a first-order low-pass at this rate and cutoff."""
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    te = 1.0 / rate_hz
    return 1.0 / (1.0 + tau / te)


class OneEuroFilter:
    """One Euro filter over a float or, element-wise, a numpy array of fixed shape.

    Feed ``(value, timestamp_s)`` with :meth:`__call__`; :meth:`reset` forgets the past so
    the next value passes through (a card that snaps to a re-acquired object).
    """

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.0, d_cutoff: float = 1.0) -> None:
        self.settings = OneEuroSettings(min_cutoff=min_cutoff, beta=beta, d_cutoff=d_cutoff)
        self.reset()

    @classmethod
    def from_settings(cls, settings: OneEuroSettings) -> OneEuroFilter:
        return cls(settings.min_cutoff, settings.beta, settings.d_cutoff)

    def reset(self) -> None:
        """Forget every sample: the next one is returned as it is."""
        self._x: FloatArray | None = None  # last filtered value
        self._dx: FloatArray | None = None  # last filtered derivative
        self._t: float | None = None
        self._scalar = True

    @property
    def last_timestamp_s(self) -> float | None:
        return self._t

    @overload
    def __call__(self, value: float, timestamp_s: float) -> float: ...
    @overload
    def __call__(self, value: FloatArray, timestamp_s: float) -> FloatArray: ...

    def __call__(self, value: float | FloatArray, timestamp_s: float) -> float | FloatArray:
        """The filtered value at ``timestamp_s`` (seconds, not going backwards)."""
        x = self._as_array(value)
        check_timestamp(timestamp_s, self._t)
        if self._x is None or self._dx is None or self._t is None:
            self._x, self._dx, self._t = x, np.zeros_like(x), float(timestamp_s)
            self._scalar = np.ndim(value) == 0
            return self._out(x)
        if x.shape != self._x.shape:
            raise FilterInputError(f"value shape changed from {self._x.shape} to {x.shape}")
        if timestamp_s == self._t:
            return self._out(self._x)
        rate = 1.0 / (timestamp_s - self._t)
        s = self.settings
        dx = (x - self._x) * rate
        a_d = smoothing_factor(rate, s.d_cutoff)
        self._dx = a_d * dx + (1.0 - a_d) * self._dx
        cutoff = s.min_cutoff + s.beta * np.abs(self._dx)
        a = 1.0 / (1.0 + (1.0 / (2.0 * np.pi * cutoff)) * rate)
        self._x = a * x + (1.0 - a) * self._x
        self._t = float(timestamp_s)
        return self._out(self._x)

    filter = __call__

    def _as_array(self, value: float | FloatArray) -> FloatArray:
        try:
            x = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise FilterInputError(
                f"filter input must be numbers, got {type(value).__name__}"
            ) from None
        if not np.all(np.isfinite(x)):
            raise FilterInputError("filter input must be finite (got NaN or infinity)")
        return x

    def _out(self, x: FloatArray) -> float | FloatArray:
        return float(x) if self._scalar else x.copy()
