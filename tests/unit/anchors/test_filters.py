"""The One Euro filter against the reference implementation's published output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hud.anchors import OneEuroFilter, OneEuroSettings, TimestampError
from hud.anchors.filters import FilterInputError
from hud.errors import HudError, OptionsError

DATA = Path(__file__).resolve().parents[2] / "data" / "filters" / "one_euro_groundTruth.csv"


def _ground_truth() -> np.ndarray:
    return np.genfromtxt(DATA, delimiter=",", names=True)


def test_matches_the_reference_on_every_sample() -> None:
    gt = _ground_truth()
    assert len(gt) == 1200
    f = OneEuroFilter(min_cutoff=1.0, beta=0.1, d_cutoff=1.0)
    ours = np.array([f(float(n), float(t)) for t, n in zip(gt["timestamp"], gt["noisy"])])
    err = np.abs(ours - gt["filtered"])
    assert err.max() <= 1e-4, f"worst sample {int(err.argmax())}: {err.max():.2e}"


def test_arrays_filter_element_wise() -> None:
    gt = _ground_truth()
    f = OneEuroFilter(1.0, 0.1, 1.0)
    out = np.array([f(np.array([n, -n]), float(t)) for t, n in zip(gt["timestamp"], gt["noisy"])])
    assert np.abs(out[:, 0] - gt["filtered"]).max() <= 1e-4
    assert np.allclose(out[:, 1], -out[:, 0])


def test_first_sample_passes_through_and_reset_forgets() -> None:
    f = OneEuroFilter()
    assert f(3.0, 0.0) == 3.0
    assert f(5.0, 0.1) != 5.0
    f.reset()
    assert f(5.0, 0.2) == 5.0


def test_repeated_timestamp_returns_the_previous_output() -> None:
    f = OneEuroFilter()
    f(0.0, 0.0)
    y = f(1.0, 0.1)
    assert f(9.0, 0.1) == y  # a repeated frame carries no time step
    assert f(1.0, 0.2) != y


def test_backwards_time_is_a_clear_error() -> None:
    f = OneEuroFilter()
    f(0.0, 1.25)
    with pytest.raises(TimestampError, match=r"1\.200 s after 1\.250 s") as info:
        f(0.0, 1.2)
    assert isinstance(info.value, HudError) and "\n" not in str(info.value)


def test_bad_inputs_and_settings() -> None:
    f = OneEuroFilter()
    with pytest.raises(FilterInputError):
        f(float("nan"), 0.0)
    f(np.zeros(3), 0.0)
    with pytest.raises(FilterInputError, match="shape"):
        f(np.zeros(2), 0.1)
    for bad in ({"min_cutoff": 0.0}, {"d_cutoff": -1.0}, {"beta": -0.1}, {"beta": float("nan")}):
        with pytest.raises(OptionsError):
            OneEuroSettings(**bad)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(-10, 10), min_size=2, max_size=60),
    steps=st.lists(st.floats(1e-3, 0.2), min_size=60, max_size=60),
    beta=st.floats(0.0, 5.0),
)
def test_output_stays_within_the_input_range(
    values: list[float], steps: list[float], beta: float
) -> None:
    """Each output is a convex blend of the input and the last output: never beyond the inputs."""
    f = OneEuroFilter(min_cutoff=1.0, beta=beta)
    t = 0.0
    lo, hi = min(values), max(values)
    for v, dt in zip(values, steps):
        t += dt
        y = f(v, t)
        assert lo - 1e-9 <= y <= hi + 1e-9
