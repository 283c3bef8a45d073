"""Detector boxes: validation, coordinate conventions and stable ids across frames."""

from __future__ import annotations

import pytest

from hud.errors import HudError
from hud.scene import TrackedObject
from hud.trackers.boxes import BoxTracker, make_detection


def test_pixel_and_normalised_boxes_agree() -> None:
    px = make_detection("mug", 0.9, (64, 48, 128, 96), image_size=(640, 480))
    norm = make_detection("mug", 0.9, (0.1, 0.1, 0.2, 0.2))
    assert px.box == pytest.approx(norm.box)
    xywh = make_detection("mug", 0.9, (64, 48, 64, 48), image_size=(640, 480), box_format="xywh")
    centre = make_detection(
        "mug", 0.9, (96, 72, 64, 48), image_size=(640, 480), box_format="cxcywh"
    )
    assert xywh.box == pytest.approx(norm.box) and centre.box == pytest.approx(norm.box)


def test_boxes_are_clipped_to_the_image() -> None:
    det = make_detection("cup", 0.5, (-10, 20, 100, 500), image_size=(200, 400))
    assert det.box == pytest.approx((0.0, 0.05, 0.5, 1.0))


@pytest.mark.parametrize(
    ("label", "score", "box", "message"),
    [
        ("", 0.5, (0.1, 0.1, 0.2, 0.2), "non-empty label"),
        ("mug", 1.5, (0.1, 0.1, 0.2, 0.2), "between 0 and 1"),
        ("mug", "high", (0.1, 0.1, 0.2, 0.2), "not a number"),
        ("mug", 0.5, (0.1, 0.1, 0.2), "4 finite numbers"),
        ("mug", 0.5, (0.1, 0.1, float("nan"), 0.2), "4 finite numbers"),
        ("mug", 0.5, (0.3, 0.1, 0.2, 0.2), "no area"),
        ("mug", 0.5, (10, 10, 50, 50), "pass the image size"),
        ("mug", 0.5, (1.5, 1.5, 1.9, 1.9), "pass the image size"),
    ],
)
def test_invalid_detections_are_refused(
    label: str, score: object, box: tuple, message: str
) -> None:
    with pytest.raises(HudError, match=message):
        make_detection(label, score, box)  # type: ignore[arg-type]


def test_box_outside_the_image_is_refused() -> None:
    with pytest.raises(HudError, match="entirely outside"):
        make_detection("mug", 0.5, (700, 10, 800, 50), image_size=(640, 480))


def test_ids_stay_stable_while_objects_move_and_order_changes() -> None:
    tracker = BoxTracker()
    seen: list[dict[str, tuple[float, ...]]] = []
    for i in range(20):
        dx = 0.01 * i
        mug = ("mug", 0.9, (0.10 + dx, 0.10, 0.20 + dx, 0.25))
        cup = ("mug", 0.8, (0.60 - dx, 0.50, 0.70 - dx, 0.65))
        phone = ("phone", 0.7, (0.40, 0.70 + dx / 2, 0.50, 0.80 + dx / 2))
        detections = [mug, cup, phone] if i % 2 == 0 else [phone, cup, mug]  # order varies
        tracks = tracker.update(detections)
        seen.append({t.id: t.box for t in tracks})
    assert all(set(frame) == {"mug-1", "mug-2", "phone-1"} for frame in seen)
    assert seen[-1]["mug-1"][0] == pytest.approx(0.29)  # the left mug stayed mug-1
    assert seen[-1]["mug-2"][0] == pytest.approx(0.41)
    objects = tracker.objects()
    assert all(isinstance(o, TrackedObject) for o in objects)
    assert [o.id for o in objects] == ["mug-1", "mug-2", "phone-1"]


def test_a_missed_detection_keeps_the_id_and_a_long_absence_drops_it() -> None:
    tracker = BoxTracker(max_missed=2)
    box = (0.1, 0.1, 0.3, 0.3)
    tracker.update([("cup", 0.9, box)])
    gap = tracker.update([])
    assert [(t.id, t.missed) for t in gap] == [("cup-1", 1)]
    back = tracker.update([("cup", 0.9, (0.11, 0.1, 0.31, 0.3))])
    assert [(t.id, t.missed, t.hits) for t in back] == [("cup-1", 0, 2)]
    for _ in range(3):
        tracker.update([])
    assert tracker.tracks() == []
    assert [t.id for t in tracker.update([("cup", 0.9, box)])] == ["cup-2"]  # never reused


def test_fast_motion_is_followed_through_the_predicted_box() -> None:
    # After a slow start the ball moves 0.06 per frame with a width of 0.08: consecutive
    # boxes overlap by IoU 0.14 only, so matching on the last box alone would give it a
    # new id every frame; the velocity-predicted box keeps one id.
    tracker = BoxTracker()
    ids = set()
    x = 0.05
    for step in (0.0, 0.03, 0.05, *([0.06] * 8)):
        x += step
        ids |= {t.id for t in tracker.update([("ball", 0.9, (x, 0.4, x + 0.08, 0.5))])}
    assert ids == {"ball-1"}


def test_labels_keep_tracks_apart_and_min_hits_hides_one_frame_blips() -> None:
    tracker = BoxTracker(min_hits=2)
    assert tracker.update([("cat", 0.9, (0.1, 0.1, 0.3, 0.3))]) == []
    tracks = tracker.update([("dog", 0.9, (0.1, 0.1, 0.3, 0.3))])
    assert tracks == []  # same place, other label: a new (unconfirmed) track
    tracks = tracker.update([("dog", 0.9, (0.1, 0.1, 0.3, 0.3))])
    assert [t.id for t in tracks] == ["dog-1"]


def test_a_bad_detection_names_its_position_and_changes_nothing() -> None:
    tracker = BoxTracker()
    tracker.update([("mug", 0.9, (0.1, 0.1, 0.2, 0.2))])
    with pytest.raises(HudError, match="detection 1: score"):
        tracker.update([("mug", 0.9, (0.1, 0.1, 0.2, 0.2)), ("mug", 2.0, (0.5, 0.5, 0.6, 0.6))])
    with pytest.raises(HudError, match="detection 0: expected"):
        tracker.update([("mug", 0.9)])  # type: ignore[list-item]
    assert [(t.id, t.hits) for t in tracker.tracks()] == [("mug-1", 1)]
