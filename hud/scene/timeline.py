"""A scene over time: what each answer card shows at a given moment.

Answers stream in: a version 2 card carries its text as timed chunks. At time ``t`` the
card shows the chunks that have arrived; its state follows the answer's life (thinking
before the first chunk, streaming while chunks arrive, then its final state), and it is
absent before it appears and after it is dismissed. Time is the scene's own clock
(seconds from its start), so a render over time is the same on every run.
"""

from __future__ import annotations

from dataclasses import replace

from hud.scene.model import Card, Scene


def card_at(card: Card, t_s: float) -> Card | None:
    """``card`` as shown at ``t_s``, or None when it is not on show then."""
    if t_s < card.appear_s or (card.dismiss_s is not None and t_s >= card.dismiss_s):
        return None
    if not card.stream:
        return card
    arrived = [chunk.text for chunk in card.stream if chunk.t_s <= t_s]
    if not arrived:
        return replace(card, state="thinking", stream=())
    body = card.body + "".join(arrived)
    state = card.state if len(arrived) == len(card.stream) else "streaming"
    return replace(card, body=body, state=state, stream=())


def cards_at(scene: Scene, t_s: float) -> tuple[Card, ...]:
    """The cards on show at ``t_s``, each with the text that has arrived by then."""
    shown = (card_at(card, t_s) for card in scene.cards)
    return tuple(card for card in shown if card is not None)
