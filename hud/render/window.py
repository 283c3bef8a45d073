"""The desktop emulator's window: the same pipeline, shown live in a pyglet window.

Rendering is identical to the headless path (offscreen framebuffers); the window only adds
a blit to its screen. Keys change what an engineer wants to compare while looking:

- ``P`` next profile, ``A`` cycle ambient light (indoor 100 → office 500 → overcast 2,000 →
  sunlight 10,000 nits), ``E`` effects all/none, ``L``/``R`` eye, arrow keys move the
  pupil in the eyebox (watch the vignetting), ``Esc`` quits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import moderngl
import numpy as np
import numpy.typing as npt

from hud.errors import HudError
from hud.io.images import save_png
from hud.optics import EFFECTS
from hud.profiles import DisplayProfile
from hud.render.context import create_context
from hud.render.renderer import HudRenderer
from hud.scene import Scene, Viewer, World, world_pixels

AMBIENTS = (100.0, 500.0, 2000.0, 10000.0)


def read_screen(ctx: moderngl.Context, size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """The window's front image as H×W×3, rows top first."""
    raw = ctx.screen.read(viewport=(0, 0, size[0], size[1]), components=3)
    _ = ctx.error  # reading the default framebuffer can leave a stale GL error on some drivers
    return np.frombuffer(raw, np.uint8).reshape(size[1], size[0], 3)[::-1].copy()


class WindowController(Protocol):
    """An app driving the window: it gets the input first and may replace the scene.

    Input handlers return True when they used the event (then the viewer's own keys are
    skipped, as a pyglet handler that returns ``EVENT_HANDLED``). Mouse positions are
    window pixels with y down. ``update`` is called every frame with the frame time in
    milliseconds and returns a new scene when the picture should change.
    """

    def key_press(self, key: str) -> bool: ...

    def key_release(self, key: str) -> bool: ...

    def mouse_move(self, x: float, y: float) -> None: ...

    def mouse_press(self, button: str = "left") -> bool: ...

    def mouse_release(self, button: str = "left") -> bool: ...

    def update(self, timestamp_ms: int) -> Scene | None: ...


def show(
    scene: Scene,
    profiles: list[DisplayProfile],
    effects: frozenset[str],
    eye: str = "right",
    max_frames: int | None = None,
    screenshot: str | Path | None = None,
    controller: WindowController | None = None,
    clock: Callable[[], float] | None = None,
    world_frames: Iterator[tuple[int, npt.NDArray[np.uint8]]] | None = None,
    step_frames: bool = False,
) -> int:
    """Open a window and show the scene through ``profiles[0]``; returns frames shown.

    ``clock`` returns seconds (default: pyglet's clock); it is only read to timestamp
    frames for ``controller`` (milliseconds since the window opened), so a test can pass
    a fake one.

    ``world_frames`` makes the world live: ``(timestamp_ms, rgb)`` pairs from a camera,
    video or recording replace the scene's image, each shown once the clock reaches its
    timestamp (or one per window frame with ``step_frames``, to step through footage). The
    last frame stays when the source ends.
    """
    pending: tuple[int, npt.NDArray[np.uint8]] | None = None
    if world_frames is not None:
        pending = next(world_frames, None)
        if pending is None:
            raise HudError("the frame source gave no frames")
        world = pending[1]
        pending = next(world_frames, None)
    else:
        world = world_pixels(scene)
    h, w = world.shape[:2]
    rc = create_context("window", size=(w, h), title=f"Waveglass — {profiles[0].label}")
    window = rc.window
    state = {
        "profile": 0,
        "ambient": scene.world.ambient_nits,
        "effects": effects,
        "eye": eye,
        "pupil": scene.viewer.pupil_offset_mm,
        "dirty": True,
    }

    def make_renderer(index: int) -> HudRenderer:
        """A renderer for profile ``index`` on the window's context, showing the current
        world (the latest live frame, not the first)."""
        made = HudRenderer(profiles[index], (w, h), context=rc)
        made.compositor.set_world(world)
        return made

    renderer = make_renderer(0)
    blit = renderer.programs.get("fullscreen.vert", "copy.frag", {"FLIP_Y": 1, "ENCODE_SRGB": 1})
    blit_vao = rc.ctx.vertex_array(blit, [])

    import pyglet

    key = pyglet.window.key

    if clock is None:
        clock = pyglet.clock.get_default().time
    start_s = clock()

    def key_text(symbol: int) -> str:
        return str(key.symbol_string(symbol))

    @window.event
    def on_mouse_motion(x: int, y: int, dx: int, dy: int) -> None:
        if controller is not None:
            controller.mouse_move(float(x), float(h - y))

    @window.event
    def on_mouse_drag(x: int, y: int, dx: int, dy: int, buttons: int, modifiers: int) -> None:
        on_mouse_motion(x, y, dx, dy)

    @window.event
    def on_mouse_press(x: int, y: int, button: int, modifiers: int) -> None:
        if controller is not None and button == pyglet.window.mouse.LEFT:
            controller.mouse_press("left")

    @window.event
    def on_mouse_release(x: int, y: int, button: int, modifiers: int) -> None:
        if controller is not None and button == pyglet.window.mouse.LEFT:
            controller.mouse_release("left")

    @window.event
    def on_key_release(symbol: int, modifiers: int) -> None:
        if controller is not None:
            controller.key_release(key_text(symbol))

    @window.event
    def on_key_press(symbol: int, modifiers: int) -> None:
        nonlocal renderer
        if controller is not None and controller.key_press(key_text(symbol)):
            return
        if symbol == key.ESCAPE:
            window.has_exit = True
            return
        if symbol == key.P and len(profiles) > 1:
            state["profile"] = (int(state["profile"]) + 1) % len(profiles)  # type: ignore[call-overload]
            renderer.release()  # the window's context stays: the renderer does not own it
            renderer = make_renderer(int(state["profile"]))  # type: ignore[call-overload]
            window.set_caption(f"Waveglass — {renderer.profile.label}")
        elif symbol == key.A:
            i = min(range(len(AMBIENTS)), key=lambda k: abs(AMBIENTS[k] - float(state["ambient"])))  # type: ignore[arg-type]
            state["ambient"] = AMBIENTS[(i + 1) % len(AMBIENTS)]
        elif symbol == key.E:
            state["effects"] = frozenset() if state["effects"] else frozenset(EFFECTS)
        elif symbol in (key.L, key.R):
            state["eye"] = "left" if symbol == key.L else "right"
        elif symbol in (key.LEFT, key.RIGHT, key.UP, key.DOWN):
            pupil: tuple[float, float] = state["pupil"]  # type: ignore[assignment]
            px, py = pupil
            dx = {key.LEFT: -1.0, key.RIGHT: 1.0}.get(symbol, 0.0)
            dy = {key.UP: -1.0, key.DOWN: 1.0}.get(symbol, 0.0)
            state["pupil"] = (px + dx, py + dy)
        state["dirty"] = True

    frames = 0
    last: npt.NDArray[np.uint8] | None = None
    try:
        while not window.has_exit:
            window.dispatch_events()
            now_ms = int(round((clock() - start_s) * 1000))
            if pending is not None and (step_frames or pending[0] <= now_ms):
                if pending[1].shape[:2] != (h, w):
                    raise HudError(
                        f"a source frame changed size to {pending[1].shape[1]}×{pending[1].shape[0]}"
                    )
                world = pending[1]
                renderer.compositor.set_world(world)
                state["dirty"] = True
                assert world_frames is not None
                pending = next(world_frames, None)
            if controller is not None:
                updated = controller.update(now_ms)
                if updated is not None:
                    scene = updated
                    state["dirty"] = True
            if state["dirty"]:
                s = replace(
                    scene,
                    world=replace(scene.world, ambient_nits=float(state["ambient"])),  # type: ignore[arg-type]
                    viewer=replace(scene.viewer, pupil_offset_mm=state["pupil"]),  # type: ignore[arg-type]
                )
                renderer.draw_eye(s, None, str(state["eye"]), state["effects"])  # type: ignore[arg-type]
                state["dirty"] = False
            rc.ctx.screen.use()
            rc.ctx.viewport = (0, 0, w, h)
            renderer.compositor.out_tex.use(location=0)
            blit["u_tex"].value = 0  # type: ignore[union-attr]
            blit_vao.render(moderngl.TRIANGLES, vertices=3)
            if max_frames is not None and frames + 1 >= max_frames:
                last = read_screen(rc.ctx, (w, h))
            window.flip()
            frames += 1
            if max_frames is None and not state["dirty"]:
                time.sleep(1 / 60)  # nothing changed: don't spin a core redrawing the same frame
            if max_frames is not None and frames >= max_frames:
                break
    finally:
        if screenshot is not None and last is not None:
            save_png(screenshot, last)
        blit_vao.release()
        renderer.release()
        rc.release()
    return frames


__all__ = ["AMBIENTS", "Viewer", "WindowController", "World", "read_screen", "show"]
