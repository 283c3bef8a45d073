"""The region tracker follows a moving patch and admits when it has lost it."""

from __future__ import annotations

import numpy as np
import pytest

from hud.errors import HudError
from hud.scene import TrackedObject
from hud.trackers.region import RegionTracker, similarity

H, W = 240, 320
SIDE = 40


def _background(seed: int = 7) -> np.ndarray:
    return (np.random.default_rng(seed).random((H, W)) * 60 + 100).astype(np.uint8)


def _patch() -> np.ndarray:
    patch = np.zeros((SIDE, SIDE), np.uint8)
    patch[:20, :20] = 250
    patch[20:, 20:] = 250
    patch[10:30, 10:30] = 20
    return patch


def _frame(x: int | None, y: int | None, background: np.ndarray) -> np.ndarray:
    image = background.copy()
    if x is not None and y is not None:
        image[y : y + SIDE, x : x + SIDE] = _patch()
    return np.dstack([image] * 3)


def _start(kind: str, background: np.ndarray) -> RegionTracker:
    tracker = RegionTracker(kind, object_id="cup", label="cup")  # type: ignore[arg-type]
    tracker.start(_frame(40, 60, background), (40 / W, 60 / H, 80 / W, 100 / H))
    return tracker


@pytest.mark.parametrize("kind", ["csrt", "kcf"])
def test_follows_a_moving_patch(kind: str) -> None:
    background = _background()
    tracker = _start(kind, background)
    for i in range(1, 31):
        x, y = 40 + 4 * i, 60 + 2 * i
        update = tracker.update(_frame(x, y, background))
        assert update.status == "tracking", (i, update.reason)
        assert update.box is not None
        assert abs(update.box[0] * W - x) <= 4 and abs(update.box[1] * H - y) <= 4, i
        assert update.similarity >= 0.5
    obj = tracker.tracked_object()
    assert isinstance(obj, TrackedObject) and obj.id == "cup"
    assert obj.box[0] == pytest.approx((40 + 120) / W, abs=4.5 / W)


@pytest.mark.parametrize("kind", ["csrt", "kcf", "mil"])
def test_reports_loss_when_the_patch_vanishes(kind: str) -> None:
    background = _background()
    tracker = _start(kind, background)
    for i in range(1, 6):
        assert tracker.update(_frame(40 + 3 * i, 60, background)).tracking
    gone = [tracker.update(_frame(None, None, background)) for _ in range(3)]
    # Lost on the first empty frame and every frame after; never a made-up box.
    assert [u.status for u in gone] == ["lost"] * 3
    assert all(u.box is None and u.reason for u in gone)
    assert tracker.tracked_object() is None


def test_loss_is_caught_even_when_opencv_says_ok() -> None:
    # MIL keeps "tracking" the background; the appearance check must catch it.
    background = _background()
    tracker = _start("mil", background)
    tracker.update(_frame(43, 60, background))
    update = tracker.update(_frame(None, None, background))
    assert update.status == "lost"
    assert "no longer looks like the object" in update.reason


def test_reacquires_when_the_object_returns() -> None:
    background = _background()
    tracker = _start("csrt", background)
    tracker.update(_frame(None, None, background))
    update = tracker.update(_frame(200, 150, background))
    assert update.status == "reacquired"
    assert update.box is not None
    assert update.box[0] * W == pytest.approx(200, abs=1) and update.box[1] * H == pytest.approx(
        150, abs=1
    )
    assert tracker.update(_frame(204, 152, background)).status == "tracking"


def test_no_reacquire_when_turned_off() -> None:
    background = _background()
    tracker = RegionTracker("kcf", reacquire=False)
    tracker.start(_frame(40, 60, background), (40 / W, 60 / H, 80 / W, 100 / H))
    tracker.update(_frame(None, None, background))
    assert tracker.update(_frame(40, 60, background)).status == "lost"


def test_bad_input() -> None:
    background = _background()
    with pytest.raises(HudError, match="unknown region tracker"):
        RegionTracker("goturn")  # type: ignore[arg-type]
    tracker = RegionTracker()
    with pytest.raises(HudError, match="start"):
        tracker.update(_frame(0, 0, background))
    with pytest.raises(HudError, match="0 ≤ x0 < x1"):
        tracker.start(_frame(0, 0, background), (0.5, 0.5, 0.4, 0.6))
    with pytest.raises(HudError, match="4×4"):
        tracker.start(_frame(0, 0, background), (0.5, 0.5, 0.505, 0.505))
    with pytest.raises(HudError, match="8-bit"):
        tracker.start(np.zeros((10, 10, 3), np.float32), (0.1, 0.1, 0.9, 0.9))


def test_similarity_scores() -> None:
    patch = _patch().astype(np.float32)
    assert similarity(patch, patch) == pytest.approx(1.0)
    assert similarity(patch, 255 - patch) == pytest.approx(-1.0)
    flat = np.full((8, 8), 100.0)
    assert similarity(flat, flat) == pytest.approx(1.0)
    assert similarity(flat, flat + 64) == pytest.approx(0.0)
