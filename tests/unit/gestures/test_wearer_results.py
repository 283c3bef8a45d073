"""What a recording keeps: only the wearer's tracker hands, never a bystander's."""

from __future__ import annotations

from gestures.intent import WearerOptions
from gestures.synthetic import ScriptedHand
from gestures.tracker_input import wearer_hand_results
from hud.trackers.results import HandResult


def _result(hand: ScriptedHand, t: int) -> HandResult:
    (lm,) = hand.tick(t).hands
    return HandResult(
        handedness=lm.handedness, score=0.98, landmarks=lm.points, image_size=(1280, 720)
    )


def test_a_bystanders_hand_is_not_kept() -> None:
    wearer = ScriptedHand(handedness="Right", position=(0.6, 0.75), size=0.2, aspect_ratio=16 / 9)
    bystander = ScriptedHand(
        handedness="Left", position=(0.3, 0.35), size=0.05, aspect_ratio=16 / 9
    )
    hands = (_result(bystander, 0), _result(wearer, 0))
    for view in ("facing", "egocentric"):
        kept = wearer_hand_results(hands, WearerOptions(view=view))
        assert kept == (hands[1],), view
    assert wearer_hand_results(hands, WearerOptions(view="all")) == hands
    assert wearer_hand_results((), WearerOptions()) == ()
