"""Tracker results as recogniser input: :class:`hud.trackers.results.HandResult` to
:class:`gestures.landmarks.HandFrame`.

Live tracking, recording and re-running a recording all build the recognisers' input
here, so the recognisers see identical input either way and unchanged recognisers give
bit-identical events.
"""

from __future__ import annotations

from collections.abc import Sequence

from gestures.landmarks import HandFrame, HandLandmarks
from hud.trackers.results import HandResult


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
