"""Load GLSL shaders by name, with ``#include`` and injected ``#define``s.

Shaders live as plain ``.glsl`` files (in the repository's ``shaders/`` folder, shipped in
the wheel as ``hud/shaders``) so they can be read, diffed and edited like any source file.
This module is pure text processing, so it is unit-tested without an OpenGL context.

Rules:
- ``#include "name.glsl"`` is replaced by that file's processed text; a file that includes
  itself, directly or through others, is an error that names the cycle.
- A file included twice along different paths is inserted only once (include guard).
- Defines are inserted right after the ``#version`` line, which GLSL requires to come first.
- ``#line`` directives keep compiler error line numbers pointing at the right file: the
  file index is the order in which files were first seen (0 is the shader itself, then
  its includes in the order they appear).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hud.errors import HudError

_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$')
_VERSION = re.compile(r"^\s*#\s*version\b")
_DEFINE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ShaderSourceError(HudError):
    """A shader file is missing, includes itself, or a define is malformed."""


def default_shader_dir() -> Path:
    """``hud/shaders`` inside an installed wheel, else the repository's ``shaders/``."""
    package = Path(__file__).resolve().parents[1]  # hud/
    for candidate in (package / "shaders", package.parent / "shaders"):
        if candidate.is_dir():
            return candidate
    raise ShaderSourceError(
        f"shader folder not found next to {package} (looked for hud/shaders and shaders/)"
    )


@dataclass
class ShaderLibrary:
    """Reads shader files from one or more folders; the first folder that has a name wins."""

    search_path: list[Path] = field(default_factory=lambda: [default_shader_dir()])
    #: Optional in-memory sources (name -> text) that take precedence; used by tests and tools.
    overrides: dict[str, str] = field(default_factory=dict)

    def read(self, name: str) -> str:
        if name in self.overrides:
            return self.overrides[name]
        if "/" in name.replace("\\", "/").strip("/") and ".." in Path(name).parts:
            raise ShaderSourceError(f"shader name '{name}' may not leave the shader folder")
        for folder in self.search_path:
            path = folder / name
            if path.is_file():
                return path.read_text(encoding="utf-8")
        where = ", ".join(str(p) for p in self.search_path)
        raise ShaderSourceError(f"shader '{name}' not found (searched {where})")

    def load(self, name: str, defines: Mapping[str, object] | None = None) -> str:
        """The full source of shader ``name``: includes resolved, defines injected."""
        body = self._expand(name, stack=[], included={})
        return _inject_defines(body, defines or {}, name)

    def _expand(self, name: str, stack: list[str], included: dict[str, int]) -> str:
        """``name``'s text with its includes expanded; ``included`` maps every file
        inserted so far to its ``#line`` file index."""
        if name in stack:
            cycle = " -> ".join([*stack[stack.index(name) :], name])
            raise ShaderSourceError(f"#include cycle: {cycle}")
        if name in included:
            return ""
        index = included[name] = len(included)
        text = self.read(name)
        # The shader itself starts with #version, which must stay first; an included
        # file's lines are numbered from 1 in its own file index.
        out: list[str] = [f"#line 1 {index}"] if index else []
        stack.append(name)
        lines = text.splitlines()
        for lineno, line in enumerate(lines, start=1):
            m = _INCLUDE.match(line)
            if m:
                child = m.group(1)
                out.append(self._expand(child, stack, included))
                if lineno < len(lines):
                    out.append(f"#line {lineno + 1} {index}")
            else:
                out.append(line)
        stack.pop()
        return "\n".join(out)


def _inject_defines(source: str, defines: Mapping[str, object], name: str) -> str:
    lines = source.splitlines()
    define_lines = []
    for key, value in defines.items():
        if not _DEFINE_NAME.match(key):
            raise ShaderSourceError(f"bad define name {key!r} for shader '{name}'")
        if isinstance(value, bool):
            value = int(value)
        define_lines.append(f"#define {key} {value}".rstrip())
    for i, line in enumerate(lines):
        if _VERSION.match(line):
            after = [f"#line {i + 2} 0"] if define_lines else []
            return "\n".join([*lines[: i + 1], *define_lines, *after, *lines[i + 1 :]]) + "\n"
    if define_lines:
        raise ShaderSourceError(f"shader '{name}' has no #version line to put defines after")
    return source + "\n"
