"""Compile shader programs from the ``shaders/`` files, once per context."""

from __future__ import annotations

from collections.abc import Mapping

import moderngl

from hud.errors import HudError
from hud.render.shaders import ShaderLibrary

# OpenGL enums moderngl has no names for. sRGB formats decode on fetch and encode on write,
# exactly (IEC 61966-2-1), so the shaders work in linear light at no cost.
GL_SRGB8 = 0x8C41
GL_SRGB8_ALPHA8 = 0x8C43
GL_FRAMEBUFFER_SRGB = 0x8DB9


class ProgramCache:
    """``get("panel.vert", "panel.frag", defines)`` compiles on first use and keeps it."""

    def __init__(self, ctx: moderngl.Context, library: ShaderLibrary | None = None) -> None:
        self.ctx = ctx
        self.library = library or ShaderLibrary()
        self._programs: dict[tuple[str, str, tuple[tuple[str, str], ...]], moderngl.Program] = {}

    def get(
        self, vert: str, frag: str, defines: Mapping[str, object] | None = None
    ) -> moderngl.Program:
        key = (vert, frag, tuple(sorted((k, str(v)) for k, v in (defines or {}).items())))
        prog = self._programs.get(key)
        if prog is None:
            try:
                prog = self.ctx.program(
                    vertex_shader=self.library.load(vert, defines),
                    fragment_shader=self.library.load(frag, defines),
                )
            except moderngl.Error as exc:
                raise HudError(f"shader {vert}+{frag} failed to compile: {exc}") from None
            self._programs[key] = prog
        return prog


def set_uniform(prog: moderngl.Program, name: str, value: object) -> None:
    """Set a uniform if the compiled program still has it (drivers drop unused ones)."""
    member = prog.get(name, None)
    if member is not None:
        member.value = value  # type: ignore[union-attr]
