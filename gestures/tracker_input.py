"""Tracker results as recogniser input: :class:`hud.trackers.results.HandResult` to
:class:`gestures.landmarks.HandFrame`.

Live tracking, recording and re-running a recording all build the recognisers' input
here, so the recognisers see identical input either way and unchanged recognisers give
bit-identical events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gestures.landmarks import HandFrame, HandLandmarks
from hud.trackers.results import HandResult

if TYPE_CHECKING:
    from gestures.intent import WearerOptions


def hand_frame(timestamp_ms: int, hands: Sequence[HandResult]) -> HandFrame:
    """The recognisers' :class:`gestures.landmarks.HandFrame` for tracker results.

    Recording and re-running both go through here, so the recognisers see identical
    input either way; the aspect ratio comes from each hand's image size.
    """
    from gestures.landmarks import HandFrame

    converted = tuple(hand_landmarks(hand) for hand in hands)
    return HandFrame(timestamp_ms=int(timestamp_ms), hands=converted)


def hand_landmarks(hand: HandResult) -> HandLandmarks:
    """One tracker hand as the recognisers' :class:`gestures.landmarks.HandLandmarks`:
    normalised landmarks with depth, and the aspect ratio from the hand's image size."""
    from gestures.landmarks import HandLandmarks

    aspect = 1.0
    if hand.image_size is not None and hand.image_size[1] > 0:
        aspect = hand.image_size[0] / hand.image_size[1]
    return HandLandmarks(
        hand.landmarks,
        handedness=hand.handedness,
        world=hand.world_landmarks,
        score=float(hand.score),
        aspect_ratio=aspect,
    )


def wearer_hand_results(
    hands: Sequence[HandResult], options: WearerOptions | None = None
) -> tuple[HandResult, ...]:
    """The tracker hands that are the wearer's (:func:`gestures.intent.select_wearer_hands`),
    in their tracker order: what a recording keeps, so no bystander's landmarks are stored."""
    from gestures.intent import select_wearer_hands

    converted = [hand_landmarks(hand) for hand in hands]
    kept = {id(h) for h in select_wearer_hands(tuple(converted), options)}
    return tuple(hand for hand, lm in zip(hands, converted) if id(lm) in kept)
