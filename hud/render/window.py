"""The desktop emulator's window surface: a pyglet window the window runner draws into.

Rendering is identical to the headless path (offscreen framebuffers); the window only
adds a blit of the composite texture to its screen. This module is the only place that
knows pyglet's window: the runner (:mod:`hud.app.runners`) gets plain key names and
mouse positions in world pixels (y down) through :class:`WindowInput`, and calls
:meth:`WindowSurface.blit`, :meth:`WindowSurface.read_screen` and
:meth:`WindowSurface.flip`.
"""

from __future__ import annotations

from typing import Any, Protocol

import moderngl
import numpy as np
import numpy.typing as npt

from hud.render.context import RenderContext, create_context
from hud.render.programs import ProgramCache

#: pyglet's mouse buttons by the names apps get.
_BUTTONS = {1: "left", 2: "middle", 4: "right"}


def read_screen(ctx: moderngl.Context, size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """The window's back buffer as H×W×3, rows top first."""
    raw = ctx.screen.read(viewport=(0, 0, size[0], size[1]), components=3)
    _ = ctx.error  # reading the default framebuffer can leave a stale GL error on some drivers
    return np.frombuffer(raw, np.uint8).reshape(size[1], size[0], 3)[::-1].copy()


class WindowInput(Protocol):
    """What a window reports: key names are pyglet's (``"P"``, ``"SPACE"``, ``"ESCAPE"``,
    ``"LEFT"``); positions are pixels of the content drawn, y down."""

    def on_key_press(self, key: str) -> None: ...

    def on_key_release(self, key: str) -> None: ...

    def on_mouse_motion(self, x: float, y: float) -> None: ...

    def on_mouse_press(self, x: float, y: float, button: str) -> None: ...

    def on_mouse_release(self, x: float, y: float, button: str) -> None: ...

    def on_mouse_leave(self) -> None: ...


class WindowSurface:
    """A window of ``size`` pixels showing a texture 1:1 from its bottom-left corner
    (the blit maps pixels, it does not scale; a larger window leaves a black margin).

    Owns the window and its GL context (renderers made on :attr:`context` share it);
    use it as a context manager, or call :meth:`release`.
    """

    def __init__(self, size: tuple[int, int], title: str, visible: bool = True) -> None:
        self.size = (int(size[0]), int(size[1]))
        #: The size of what was last blitted: mouse positions and screenshots are its.
        self.content_size = self.size
        self.context: RenderContext = create_context(
            "window", size=self.size, title=title, visible=visible
        )
        self.window: Any = self.context.window
        self.ctx = self.context.ctx
        self._programs = ProgramCache(self.ctx)
        self._blit = self._programs.get(
            "fullscreen.vert", "copy.frag", {"FLIP_Y": 1, "ENCODE_SRGB": 1}
        )
        self._vao = self.ctx.vertex_array(self._blit, [])
        #: For :meth:`blit_image`: a picture made on the CPU (codes, no sRGB step).
        self._plain = self._programs.get(
            "fullscreen.vert", "copy.frag", {"FLIP_Y": 1, "ENCODE_SRGB": 0}
        )
        self._plain_vao = self.ctx.vertex_array(self._plain, [])
        self._image_tex: moderngl.Texture | None = None

    @property
    def should_close(self) -> bool:
        """The window was closed (its close button, or :meth:`request_close`)."""
        return bool(self.window is None or self.window.has_exit)

    def request_close(self) -> None:
        self.window.has_exit = True

    def set_title(self, title: str) -> None:
        self.window.set_caption(title)

    def set_input(self, handler: WindowInput) -> None:
        """Send this window's keys and mouse to ``handler``. Every key is reported as
        handled, so pyglet's own Escape-closes-the-window never runs behind its back."""
        import pyglet

        symbol_string = pyglet.window.key.symbol_string

        def flip_y(y: int) -> float:
            return float(self.content_size[1] - y)

        def key_press(symbol: int, modifiers: int) -> bool:
            handler.on_key_press(str(symbol_string(symbol)))
            return True

        def key_release(symbol: int, modifiers: int) -> bool:
            handler.on_key_release(str(symbol_string(symbol)))
            return True

        def motion(x: int, y: int, dx: int, dy: int, *rest: int) -> None:
            handler.on_mouse_motion(float(x), flip_y(y))

        def press(x: int, y: int, button: int, modifiers: int) -> None:
            handler.on_mouse_press(float(x), flip_y(y), _BUTTONS.get(button, "other"))

        def release(x: int, y: int, button: int, modifiers: int) -> None:
            handler.on_mouse_release(float(x), flip_y(y), _BUTTONS.get(button, "other"))

        self.window.push_handlers(
            on_key_press=key_press,
            on_key_release=key_release,
            on_mouse_motion=motion,
            on_mouse_drag=motion,
            on_mouse_press=press,
            on_mouse_release=release,
            on_mouse_leave=lambda x, y: handler.on_mouse_leave(),
        )

    def dispatch_events(self) -> None:
        self.window.dispatch_events()

    def blit(self, texture: moderngl.Texture) -> None:
        """Draw ``texture`` (sRGB, rows top first) to the back buffer."""
        self.ctx.screen.use()
        self.content_size = (int(texture.width), int(texture.height))
        if tuple(self.window.get_framebuffer_size()) != self.content_size:
            self.ctx.clear(0.0, 0.0, 0.0)  # the margin of a window larger than the picture
        self.ctx.viewport = (0, 0, *self.content_size)
        texture.use(location=0)
        self._blit["u_tex"].value = 0  # type: ignore[union-attr]
        self._vao.render(moderngl.TRIANGLES, vertices=3)

    def blit_image(self, image: npt.NDArray[np.uint8]) -> None:
        """Draw an H×W×3 uint8 picture (sRGB codes, rows top first) to the back buffer:
        a composite the CPU drew on (overlays, the capture LED)."""
        h, w = int(image.shape[0]), int(image.shape[1])
        tex = self._image_tex
        if tex is None or tuple(tex.size) != (w, h):
            if tex is not None:
                tex.release()
            tex = self._image_tex = self.ctx.texture((w, h), 3, alignment=1)
            tex.filter = (moderngl.NEAREST, moderngl.NEAREST)
        tex.write(np.ascontiguousarray(image, dtype=np.uint8).tobytes())
        self.ctx.screen.use()
        self.content_size = (w, h)
        if tuple(self.window.get_framebuffer_size()) != self.content_size:
            self.ctx.clear(0.0, 0.0, 0.0)
        self.ctx.viewport = (0, 0, w, h)
        tex.use(location=0)
        self._plain["u_tex"].value = 0  # type: ignore[union-attr]
        self._plain_vao.render(moderngl.TRIANGLES, vertices=3)

    def read_screen(self) -> npt.NDArray[np.uint8]:
        """What :meth:`blit` drew, H×W×3 (read it before :meth:`flip`)."""
        return read_screen(self.ctx, self.content_size)

    def flip(self) -> None:
        self.window.flip()

    def release(self) -> None:
        """Close the window and release its context; safe to call twice."""
        if self._vao is not None:
            self._vao.release()
            self._vao = None  # type: ignore[assignment]
            self._plain_vao.release()
            if self._image_tex is not None:
                self._image_tex.release()
                self._image_tex = None
        self.context.release()

    def __enter__(self) -> WindowSurface:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def show(size: tuple[int, int], title: str, visible: bool = True) -> WindowSurface:
    """Open the emulator's window (needs a display): a surface showing ``size`` pixels.

    Raises :class:`hud.errors.GLUnavailableError` when there is no display or no GL 3.3.
    """
    return WindowSurface(size, title, visible)


__all__ = ["WindowInput", "WindowSurface", "read_screen", "show"]
