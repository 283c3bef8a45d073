"""OpenGL contexts behind one interface: headless EGL or a pyglet window.

The drawing code never knows which one it has: both give a ``moderngl.Context`` at GL 3.3
core or newer, and all rendering goes to offscreen framebuffers; a window only adds a
final blit to its screen. Choose with ``backend=`` or the ``WAVEGLASS_BACKEND`` environment
variable (``headless`` is the default, because the firmware and test use cases have no
display).

``WAVEGLASS_LIBEGL`` / ``WAVEGLASS_LIBGL`` point the headless backend at specific driver
libraries (a vendor EGL, say). When no context can be made, the error says which system
libraries to install instead of showing a driver traceback.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import moderngl

from hud.errors import GLUnavailableError, OptionsError

BACKENDS = ("headless", "window")

DEBIAN_GL_PACKAGES = "libegl1 libgl1 libgl1-mesa-dri libegl-mesa0"


def _first_line(exc: BaseException) -> str:
    """A driver error's first line (they can be long), or its type when it has no text."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _install_hint() -> str:
    system = platform.system()
    if system == "Linux":
        return (
            f"install the OpenGL/EGL libraries (Debian/Ubuntu: sudo apt-get install {DEBIAN_GL_PACKAGES}; "
            "Fedora: sudo dnf install mesa-libEGL mesa-dri-drivers) or run 'make setup' as root"
        )
    if system == "Darwin":
        return "macOS has no EGL: use the window backend (WAVEGLASS_BACKEND=window)"
    return "update the graphics driver (OpenGL 3.3 is needed) or use the window backend"


@dataclass
class RenderContext:
    """A moderngl context plus, for the window backend, the pyglet window that owns it.

    Owns GPU resources: :meth:`release` it, or use it as a context manager
    (``with create_context() as gl: ...``), which releases it when the block ends.
    """

    ctx: moderngl.Context
    backend: str
    window: Any = None
    info: dict[str, str] = field(default_factory=dict)
    _depth: int = field(default=0, repr=False)
    _released: bool = field(default=False, repr=False)

    @contextmanager
    def current(self) -> Iterator[None]:
        """Make this context current for a block (restoring the previous one after).

        Several headless contexts can live in one process (one per renderer); creating or
        releasing one changes which is current, so every renderer enters its own before
        issuing GL calls. Blocks nest: only the outermost one switches contexts (entering
        an EGL context twice would release it when the inner block ends). A window's
        context is current on its own thread already.
        """
        if self.window is not None or self._depth > 0:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with self.ctx:
                yield
        finally:
            self._depth = 0

    @property
    def renderer_name(self) -> str:
        return str(self.ctx.info.get("GL_RENDERER", "unknown"))

    def release(self) -> None:
        """Release the GL context (and close the window that owns it); safe to call twice."""
        if self._released:
            return
        self._released = True
        if self.window is not None:
            self.window.close()
            self.window = None
        else:
            self.ctx.release()

    def __enter__(self) -> RenderContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def resolve_backend(backend: str | None) -> str:
    name = (backend or os.environ.get("WAVEGLASS_BACKEND") or "headless").strip().lower()
    if name not in BACKENDS:
        raise OptionsError(f"unknown backend '{name}' (use one of: {', '.join(BACKENDS)})")
    return name


def create_context(
    backend: str | None = None,
    size: tuple[int, int] = (640, 480),
    title: str = "Waveglass",
    visible: bool = True,
) -> RenderContext:
    """A GL 3.3+ context on the chosen backend; raises :class:`GLUnavailableError` if none."""
    name = resolve_backend(backend)
    if name == "headless":
        return _create_headless()
    return _create_window(size, title, visible)


def _create_headless() -> RenderContext:
    kwargs: dict[str, str] = {}
    if os.environ.get("WAVEGLASS_LIBEGL"):
        kwargs["libegl"] = os.environ["WAVEGLASS_LIBEGL"]
    if os.environ.get("WAVEGLASS_LIBGL"):
        kwargs["libgl"] = os.environ["WAVEGLASS_LIBGL"]
    try:
        if platform.system() == "Linux":
            settings: Any = {"require": 330, "backend": "egl", **kwargs}
            ctx = moderngl.create_standalone_context(**settings)
        else:
            ctx = moderngl.create_standalone_context(require=330)
    except (TypeError, AttributeError):
        raise  # a programming error, not a missing driver
    except Exception as exc:  # driver errors come as many types; all mean "no GL here"
        raise GLUnavailableError(
            f"no OpenGL 3.3 context available ({_first_line(exc)}); {_install_hint()}"
        ) from None
    return RenderContext(ctx=ctx, backend="headless")


def _check_x_depth(pyglet: Any) -> None:
    """Refuse an X screen of fewer than 24 bits of colour before opening a window.

    On a 16-bit screen the GLX server still offers 8-bit RGBA configs, but a window made
    with one is never mapped, and pyglet waits for the map for ever: the emulator would
    hang instead of saying why.
    """
    if platform.system() != "Linux" or not os.environ.get("DISPLAY"):
        return
    try:
        from pyglet.libs.x11 import xlib

        display = pyglet.display.get_display()
        depth = int(xlib.XDefaultDepth(display._display, getattr(display, "x_screen", 0)))
    except Exception:  # not an X display pyglet can open: pyglet's own error says why
        return
    if depth < 24:
        raise GLUnavailableError(
            f"the X screen has {depth}-bit colour; the window needs 24-bit colour "
            "(start a virtual one with: Xvfb :1 -screen 0 1280x720x24)"
        )


def _create_window(size: tuple[int, int], title: str, visible: bool) -> RenderContext:
    try:
        import pyglet
    except ImportError as exc:  # pragma: no cover - pyglet is a dependency
        raise GLUnavailableError(f"pyglet is not installed: {exc}") from None
    pyglet.options["shadow_window"] = False
    display_env = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if platform.system() == "Linux" and not display_env:
        raise GLUnavailableError(
            "the window backend needs a display (DISPLAY is not set); use the headless backend "
            "or start a virtual one with xvfb-run"
        )
    _check_x_depth(pyglet)
    # An explicit 8-bit RGBA config: without it some X servers hand out a 16-bit visual.
    config = pyglet.gl.Config(  # type: ignore[abstract]
        red_size=8,
        green_size=8,
        blue_size=8,
        alpha_size=8,
        double_buffer=True,
        major_version=3,
        minor_version=3,
        forward_compatible=True,
    )
    try:
        window = pyglet.window.Window(
            width=size[0],
            height=size[1],
            caption=title,
            config=config,
            visible=visible,
            resizable=True,
        )
        ctx = moderngl.create_context(require=330)
    except Exception as exc:
        raise GLUnavailableError(
            f"cannot open an OpenGL 3.3 window ({_first_line(exc)}); {_install_hint()}"
        ) from None
    return RenderContext(ctx=ctx, backend="window", window=window)
