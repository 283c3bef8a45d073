"""Render frame costs for ``hud bench``, each beside its floor in the same run.

The floor (:class:`hud.render.floor.CopyFloor`) is one full-screen texture copy, the
cheapest possible frame at the same size.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from hud.render.floor import CopyFloor

BENCH_SIZE = (1280, 720)


def _median_ms(fn: Callable[[], None], frames: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(frames):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def bench_world(size: tuple[int, int] = BENCH_SIZE) -> npt.NDArray[np.uint8]:
    """A deterministic 'street' with sky, texture and a few light sources (for streaks)."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.empty((h, w, 3), np.float32)
    sky = y < h * 0.45
    img[..., 0] = np.where(
        sky, 0.55 + 0.2 * (1 - y / h), 0.35 + 0.1 * np.sin(x / 37.0) * np.cos(y / 23.0)
    )
    img[..., 1] = np.where(sky, 0.65 + 0.2 * (1 - y / h), 0.33 + 0.1 * np.sin(x / 29.0))
    img[..., 2] = np.where(sky, 0.85, 0.3 + 0.05 * np.cos(y / 17.0))
    for cx, cy in ((0.2, 0.2), (0.7, 0.15), (0.85, 0.5)):
        d2 = (x - cx * w) ** 2 + (y - cy * h) ** 2
        img += np.exp(-d2 / (2 * 12.0**2))[..., None]
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)


def bench_render(profile_name: str, frames: int, backend: str | None) -> dict[str, Any]:
    from hud.optics import EFFECTS
    from hud.profiles import get_profile
    from hud.render.renderer import HudRenderer
    from hud.scene import parse_scene

    profile = get_profile(profile_name)
    scene = parse_scene(
        {
            "version": 1,
            "profile": profile.name,
            "world": {
                "fov_h_deg": 70,
                "ambient_nits": 250,
                "width": BENCH_SIZE[0],
                "height": BENCH_SIZE[1],
            },
            "objects": [
                {"id": "a", "label": "cup", "box": [0.5, 0.5, 0.56, 0.6]},
                {"id": "b", "label": "sign", "box": [0.6, 0.4, 0.66, 0.48]},
            ],
            "cards": [
                {
                    "id": "c1",
                    "anchor": "a",
                    "title": "머그컵 · Mug",
                    "body": "세라믹, 350 ml",
                    "state": "done",
                },
                {
                    "id": "c2",
                    "anchor": "b",
                    "title": "출구 Exit",
                    "body": "2번 출구 → 120 m",
                    "state": "info",
                },
                {"id": "c3", "title": "듣는 중… Listening", "state": "listening"},
            ],
        }
    )
    renderer = HudRenderer(profile, BENCH_SIZE, backend=backend)
    with renderer.context.current():
        ctx = renderer.ctx
        world = bench_world()
        renderer.compositor.set_world(world)
        effects = frozenset(EFFECTS)

        def frame() -> None:
            renderer.draw_eye(scene, None, "right", effects)
            ctx.finish()

        def dynamic_frame() -> None:
            # Content that changes every frame (e.g. anchors following a moving head): the
            # display is redrawn and its light rebaked each time.
            renderer.draw_eye(scene, None, "right", effects, force_redraw=True)
            ctx.finish()

        worlds = [world, np.ascontiguousarray(world[:, ::-1])]
        live_index = [0]

        def live_frame() -> None:
            # A live camera: a new world image every frame (upload included), and content
            # that moves with it. Nothing is cached.
            live_index[0] ^= 1
            renderer.compositor.set_world(worlds[live_index[0]])
            dynamic_frame()

        floor_frame = CopyFloor(renderer, world)
        floor = floor_frame.draw

        def readback() -> None:
            renderer.compositor.read_srgb()

        # Interleave the measurements so a noisy neighbour hurts both sides alike.
        compose_runs, floor_runs = [], []
        for _ in range(3):
            compose_runs.append(_median_ms(frame, max(1, frames // 3)))
            floor_runs.append(_median_ms(floor, max(1, frames // 3)))
        compose_ms = statistics.median(compose_runs)
        floor_ms = statistics.median(floor_runs)
        readback_ms = _median_ms(readback, max(1, frames // 3))
        dynamic_ms = _median_ms(dynamic_frame, max(1, frames // 3))
        live_ms = _median_ms(live_frame, max(1, frames // 3))
        result = {
            "profile": profile.name,
            "size": list(BENCH_SIZE),
            "compose_ms": round(compose_ms, 3),
            "floor_ms": round(floor_ms, 3),
            "compose_over_floor": round(compose_ms / floor_ms, 3) if floor_ms > 0 else None,
            "readback_ms": round(readback_ms, 3),
            "compose_dynamic_ms": round(dynamic_ms, 3),
            "compose_dynamic_over_floor": round(dynamic_ms / floor_ms, 3) if floor_ms > 0 else None,
            "compose_live_ms": round(live_ms, 3),
            "compose_live_over_floor": round(live_ms / floor_ms, 3) if floor_ms > 0 else None,
            "gl_renderer": renderer.context.renderer_name,
            "gl_version": str(ctx.info.get("GL_VERSION", "")),
            "backend": renderer.context.backend,
        }
        floor_frame.release()
    renderer.release()
    return result
