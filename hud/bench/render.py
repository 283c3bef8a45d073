"""Render frame costs for ``hud bench``, each beside its floor in the same run.

The floor (:class:`hud.render.floor.CopyFloor`) is one full-screen texture copy, the
cheapest possible frame at the same size.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from hud.bench.timing import median_ms
from hud.render.floor import CopyFloor

BENCH_SIZE = (1280, 720)


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


def _bench_scene(profile_name: str) -> Any:
    from hud.scene import parse_scene

    return parse_scene(
        {
            "version": 1,
            "profile": profile_name,
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


class _ProfileBench:
    """One profile's renderer and its four timed frames (still, dynamic, live, floor)."""

    def __init__(self, profile_name: str, backend: str | None) -> None:
        from hud.optics import EFFECTS
        from hud.profiles import get_profile
        from hud.render.renderer import HudRenderer

        self.name = profile_name
        self.profile = get_profile(profile_name)
        self.scene = _bench_scene(self.profile.name)
        self.renderer = HudRenderer(self.profile, BENCH_SIZE, backend=backend)
        self.effects = frozenset(EFFECTS)
        world = bench_world()
        self.worlds = [world, np.ascontiguousarray(world[:, ::-1])]
        self._live_index = 0
        with self.renderer.context.current():
            self.renderer.compositor.set_world(world)
        self.floor = CopyFloor(self.renderer, world)

    def timed(self, fn: Callable[[], None]) -> Callable[[], None]:
        """``fn`` finished on the GPU, so a timer around it measures the work."""

        def run() -> None:
            fn()
            self.renderer.ctx.finish()

        return run

    def frame(self) -> None:
        self.renderer.draw_eye(self.scene, None, "right", self.effects)

    def dynamic_frame(self) -> None:
        # Content that changes every frame (e.g. anchors following a moving head): the
        # display is redrawn and its light rebaked each time.
        self.renderer.draw_eye(self.scene, None, "right", self.effects, force_redraw=True)

    def live_frame(self) -> None:
        # A live camera: a new world image every frame (upload included), and content
        # that moves with it. Nothing is cached.
        self._live_index ^= 1
        self.renderer.compositor.set_world(self.worlds[self._live_index])
        self.dynamic_frame()

    def readback(self) -> None:
        self.renderer.compositor.read_srgb()

    def release(self) -> None:
        self.floor.release()
        self.renderer.release()


def _ratio(ms: float, floor_ms: float) -> float | None:
    return round(ms / floor_ms, 3) if floor_ms > 0 else None


def bench_render_profiles(
    profile_names: tuple[str, ...] | list[str], frames: int, backend: str | None
) -> dict[str, dict[str, Any]]:
    """Every render figure for each profile, ``{name: {compose_ms, floor_ms, ...}}``.

    All profiles' renderers share the run: each figure is measured in rounds that visit
    every profile in turn, and each profile's own floor is timed right beside its frames
    (interleaved), so a noisy neighbour hurts every figure and its floor alike.
    """
    benches = [_ProfileBench(name, backend) for name in profile_names]
    try:
        n = max(1, frames // 3)
        runs: dict[str, dict[str, list[float]]] = {b.name: {} for b in benches}

        def record(b: _ProfileBench, key: str, fn: Callable[[], None]) -> None:
            # The renderer's context stays current around the timing (switching contexts
            # is not part of a frame); floors go to one list, measured beside each figure.
            with b.renderer.context.current():
                ms = median_ms(fn, n)
            runs[b.name].setdefault("floor" if key.startswith("floor") else key, []).append(ms)

        for _ in range(3):
            for b in benches:
                record(b, "compose", b.timed(b.frame))
                record(b, "floor", b.floor.draw)
        for _ in range(3):
            for b in benches:
                record(b, "dynamic", b.timed(b.dynamic_frame))
                record(b, "floor", b.floor.draw)
                record(b, "live", b.timed(b.live_frame))
                record(b, "floor", b.floor.draw)
        for b in benches:
            record(b, "readback", b.timed(b.readback))
        results: dict[str, dict[str, Any]] = {}
        for b in benches:
            r = {k: statistics.median(v) for k, v in runs[b.name].items()}
            floor_ms = r["floor"]
            ctx = b.renderer.ctx
            with b.renderer.context.current():  # GL strings need the context current
                gl_renderer = b.renderer.context.renderer_name
                gl_version = str(ctx.info.get("GL_VERSION", ""))
            results[b.name] = {
                "profile": b.profile.name,
                "size": list(BENCH_SIZE),
                "compose_ms": round(r["compose"], 3),
                "floor_ms": round(floor_ms, 3),
                "compose_over_floor": _ratio(r["compose"], floor_ms),
                "readback_ms": round(r["readback"], 3),
                "compose_dynamic_ms": round(r["dynamic"], 3),
                "compose_dynamic_over_floor": _ratio(r["dynamic"], floor_ms),
                "compose_live_ms": round(r["live"], 3),
                "compose_live_over_floor": _ratio(r["live"], floor_ms),
                "gl_renderer": gl_renderer,
                "gl_version": gl_version,
                "backend": b.renderer.context.backend,
            }
        return results
    finally:
        for b in reversed(benches):
            b.release()


def bench_render(profile_name: str, frames: int, backend: str | None) -> dict[str, Any]:
    """One profile's render figures (see :func:`bench_render_profiles`)."""
    return bench_render_profiles((profile_name,), frames, backend)[profile_name]
