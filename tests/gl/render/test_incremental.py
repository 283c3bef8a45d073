"""Redrawing only what changed gives the bytes of a frame drawn from scratch: the world
kept in the output (only the display's rectangles redrawn over it) and the display light
computed in the display pass for content that changes every frame (not baked)."""

from __future__ import annotations

import numpy as np
import pytest

from hud.optics import EFFECTS
from hud.profiles import BUILTIN_PROFILES
from hud.render.renderer import HudRenderer
from hud.scene import parse_scene

W, H = 192, 112


def _world() -> np.ndarray:
    y, x = np.mgrid[0:H, 0:W].astype(np.float32)
    img = np.full((H, W, 3), 80.0, np.float32) + 40 * np.sin(x / 9.0)[..., None]
    for cx, cy in ((40, 30), (150, 70)):  # bright spots: rows with streaks
        img += 255 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 20.0)[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def _scene(profile: str, i: int):
    x = 0.2 + 0.07 * i  # the card moves across the frame, and its text changes
    return parse_scene(
        {
            "version": 1,
            "profile": profile,
            "world": {"width": W, "height": H},
            "objects": [
                {"id": "o", "label": "x", "box": [x, 0.2 + 0.04 * i, x + 0.1, 0.3 + 0.04 * i]}
            ],
            "cards": [{"id": "q", "anchor": "o", "title": f"Card {i}", "body": "x" * (i + 2)}],
        }
    )


@pytest.mark.parametrize("profile", ["orion", "rayban-display"])  # magnified, minified
def test_moving_content_over_a_kept_world_equals_fresh_frames(profile: str) -> None:
    world = _world()
    fx = frozenset(EFFECTS)
    r = HudRenderer(BUILTIN_PROFILES[profile], (W, H))
    try:
        for i in range(6):
            scene = _scene(profile, i)
            frame = r.render_eye(scene, world if i == 0 else None, "right", fx, linear=i == 5)
            with HudRenderer(BUILTIN_PROFILES[profile], (W, H)) as fresh:
                alone = fresh.render_eye(scene, world, "right", fx, linear=i == 5)
            assert np.array_equal(frame.composite, alone.composite), i
            if i == 5:
                assert frame.linear is not None and alone.linear is not None
                np.testing.assert_array_equal(frame.linear, alone.linear)
        # The world was computed once; new content after content shown once was not baked.
        assert r.compositor.world_passes == 1
        assert r.compositor.light_inline >= 4
        # Forced redraws of the same content every frame: the same bytes each time.
        scene = _scene(profile, 2)
        with r.context.current():
            shown = []
            for _ in range(3):
                r.draw_eye(scene, None, "right", fx, force_redraw=True)
                shown.append(r.compositor.read_srgb())
        with HudRenderer(BUILTIN_PROFILES[profile], (W, H)) as fresh:
            alone = fresh.render_eye(scene, world, "right", fx)
        assert all(np.array_equal(s, alone.composite) for s in shown)
    finally:
        r.release()


def test_content_removed_gives_back_the_world() -> None:
    """Where last frame's display was and this frame's is not, the world comes back."""
    world = _world()
    fx = frozenset(EFFECTS)
    empty = parse_scene({"version": 1, "profile": "orion", "world": {"width": W, "height": H}})
    with HudRenderer(BUILTIN_PROFILES["orion"], (W, H)) as r:
        r.render_eye(_scene("orion", 1), world, "right", fx)
        gone = r.render_eye(empty, None, "right", fx).composite
        assert r.compositor.world_passes == 1
        with HudRenderer(BUILTIN_PROFILES["orion"], (W, H)) as fresh:
            alone = fresh.render_eye(empty, world, "right", fx).composite
        assert np.array_equal(gone, alone)
