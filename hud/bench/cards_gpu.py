"""Answer-card frame costs on the GPU, beside the Pillow baseline in the same run.

``cards20_ms``: a live 1280×720 world frame (a new camera image every frame) with 20
answer cards (about 1,500 glyphs, Latin and Hangul, from :func:`hud.bench.cards.demo_cards20`)
drawn on the display and composited through the optics, read back to CPU memory as the
Pillow baseline's output is. ``cards20_streaming_ms``: the same while every card's body
grows every frame, as streaming answers do (new glyph runs, new layout, new display
light). ``pillow_cards20_ms``: the same cards drawn with Pillow and composited
additively in linear light on the CPU (:func:`hud.bench.cards.bench_pillow_cards20`).
"""

from __future__ import annotations

import statistics
from typing import Any

import numpy as np

from hud.bench.cards import bench_pillow_cards20, demo_cards20
from hud.bench.render import BENCH_SIZE, bench_world
from hud.bench.timing import median_ms


def _card_grid(profile: Any, cards: list[tuple[str, str]], grow: int | None = None) -> Any:
    """The 20 cards on a grid covering the display (they may touch on small displays:
    this measures drawing, not layout). ``grow``: show only that many body characters."""
    from hud.layout import DisplayList
    from hud.layout.cards import LayoutMetrics, card_content, emit_card
    from hud.scene import Card

    m = LayoutMetrics.for_profile(profile)
    dl = DisplayList(profile.width_px, profile.height_px)
    cols = max(1, int(profile.width_px // (m.width + m.gap)))
    rows = (len(cards) + cols - 1) // cols
    cell_h = (profile.height_px - 2 * m.margin) / rows
    for i, (title, body) in enumerate(cards):
        shown = body if grow is None else body[: grow % (len(body) + 1)]
        card = Card(id=f"c{i}", title=title, body=shown, state="streaming" if grow else "done")
        content = card_content(card, m)
        x0 = m.margin + (i % cols) * (m.width + m.gap)
        y0 = m.margin + (i // cols) * cell_h
        emit_card(dl, card, (x0, y0, x0 + content.width, y0 + content.height), content, m)
    return dl


class _CardsBench:
    def __init__(self, profile_name: str, backend: str | None) -> None:
        from hud.bench.render import _bench_scene
        from hud.optics import EFFECTS
        from hud.profiles import get_profile
        from hud.render.renderer import HudRenderer

        self.profile = get_profile(profile_name)
        self.scene = _bench_scene(self.profile.name)
        self.renderer = HudRenderer(self.profile, BENCH_SIZE, backend=backend)
        self.effects = frozenset(EFFECTS)
        world = bench_world()
        self.worlds = [world, np.ascontiguousarray(world[:, ::-1])]
        self.cards = demo_cards20()
        self.still = _card_grid(self.profile, self.cards)
        self.glyphs = sum(len(t.text.replace(" ", "")) for t in self.still.texts)
        self._i = 0

    def _frame(self, dl: Any) -> None:
        self._i += 1
        r = self.renderer
        r.draw_eye(
            self.scene,
            self.worlds[self._i % 2],
            "right",
            self.effects,
            display_list=dl,
            force_redraw=True,
        )
        r.compositor.read_srgb()

    def frame(self) -> None:
        self._frame(self.still)

    def streaming_frame(self) -> None:
        # Every card's body one more character long than last frame: new runs to shape,
        # new glyphs to place, a new display to bake (the layout is rebuilt too).
        self._frame(_card_grid(self.profile, self.cards, grow=20 + self._i))


def bench_cards(profile_names: tuple[str, ...], frames: int, backend: str | None) -> dict[str, Any]:
    """``cards20_ms`` and ``cards20_streaming_ms`` per profile, interleaved with the
    Pillow baseline (one figure for all profiles: it draws at the world's size)."""
    benches = [_CardsBench(name, backend) for name in profile_names]
    n = max(3, frames // 3)
    runs: dict[str, dict[str, list[float]]] = {b.profile.name: {} for b in benches}
    pillow: list[float] = []
    try:
        for _ in range(3):
            pillow.append(float(bench_pillow_cards20(frames=n)["pillow_cards20_ms"]))
            for b in benches:
                with b.renderer.context.current():
                    runs[b.profile.name].setdefault("still", []).append(median_ms(b.frame, n))
                    runs[b.profile.name].setdefault("streaming", []).append(
                        median_ms(b.streaming_frame, n)
                    )
    finally:
        for b in benches:
            b.renderer.release()
    pillow_ms = statistics.median(pillow)
    out: dict[str, Any] = {"pillow_cards20_ms": round(pillow_ms, 3), "size": list(BENCH_SIZE)}
    for b in benches:
        r = {k: statistics.median(v) for k, v in runs[b.profile.name].items()}
        out[b.profile.name] = {
            "glyphs": b.glyphs,
            "cards20_ms": round(r["still"], 3),
            "cards20_streaming_ms": round(r["streaming"], 3),
            "cards20_over_pillow": round(r["still"] / pillow_ms, 3),
            "streaming_over_still": round(r["streaming"] / r["still"], 3),
        }
    return out
