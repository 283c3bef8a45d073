"""The benchmark's floor: the cheapest possible frame at a given size.

One full-screen texture copy into an offscreen framebuffer, on the renderer's own
context. ``hud bench`` times every render figure against it in the same run, so a figure
is a ratio ("the optics cost 2.4 copies") that survives a shared, noisy machine.
"""

from __future__ import annotations

import moderngl
import numpy as np
import numpy.typing as npt

from hud.render.renderer import HudRenderer


class CopyFloor:
    """A full-screen copy of ``rgb`` (H×W×3 uint8) at the renderer's output size."""

    def __init__(self, renderer: HudRenderer, rgb: npt.NDArray[np.uint8]) -> None:
        self.renderer = renderer
        ctx = renderer.ctx
        size = renderer.size
        assert size is not None, "the floor is measured at the composite's size"
        with renderer.context.current():
            self._prog = renderer.programs.get(
                "fullscreen.vert", "copy.frag", {"FLIP_Y": 0, "ENCODE_SRGB": 0}
            )
            alpha = np.full((size[1], size[0], 1), 255, np.uint8)
            self._source = ctx.texture(size, 4, np.concatenate([rgb, alpha], axis=2).tobytes())
            self._vao = ctx.vertex_array(self._prog, [])
            self._target = ctx.texture(size, 4, dtype="f1")
            self._fbo = ctx.framebuffer(color_attachments=[self._target])

    def draw(self) -> None:
        """One copy, finished on the GPU (so a timer around it measures the work)."""
        with self.renderer.context.current():
            self._fbo.use()
            self._source.use(location=0)
            self._prog["u_tex"].value = 0  # type: ignore[union-attr]
            self._vao.render(moderngl.TRIANGLES, vertices=3)
            self.renderer.ctx.finish()

    def release(self) -> None:
        with self.renderer.context.current():
            for obj in (self._vao, self._source, self._fbo, self._target):
                obj.release()

    def __enter__(self) -> CopyFloor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
