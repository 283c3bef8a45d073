from __future__ import annotations

import pytest

from hud.render.shaders import ShaderLibrary, ShaderSourceError


def lib(**files: str) -> ShaderLibrary:
    return ShaderLibrary(
        search_path=[], overrides={k.replace("_", "."): v for k, v in files.items()}
    )


def test_include_is_expanded_in_place() -> None:
    src = lib(
        a_glsl='#version 330 core\n#include "b.glsl"\nvoid main() {}\n', b_glsl="float b;\n"
    ).load("a.glsl")
    lines = src.splitlines()
    assert lines[0] == "#version 330 core"
    assert "float b;" in lines
    assert lines.index("float b;") < lines.index("void main() {}")


def test_line_directives_name_each_file() -> None:
    """Compiler errors must point into the right file: an included file is numbered from
    its own line 1 under its own index, and the includer resumes where it left off."""
    src = lib(
        a_glsl='#version 330 core\n#include "b.glsl"\nvoid main() {}\n',
        b_glsl="float b;\nfloat c;\n",
    ).load("a.glsl")
    lines = src.splitlines()
    at = lines.index("float b;")
    assert lines[at - 1] == "#line 1 1"
    assert lines[at + 2] == "#line 3 0"
    assert lines[at + 3] == "void main() {}"


def test_defines_go_right_after_version() -> None:
    src = lib(a_glsl="// comment\n#version 330 core\nvoid main() {}\n").load(
        "a.glsl", {"TAPS": 12, "ON": True}
    )
    lines = src.splitlines()
    v = lines.index("#version 330 core")
    assert lines[v + 1] == "#define TAPS 12"
    assert lines[v + 2] == "#define ON 1"


def test_direct_cycle_is_reported() -> None:
    with pytest.raises(ShaderSourceError, match=r"a.glsl -> a.glsl"):
        lib(a_glsl='#include "a.glsl"\n').load("a.glsl")


def test_indirect_cycle_names_the_whole_loop() -> None:
    files = lib(
        a_glsl='#version 330 core\n#include "b.glsl"\n',
        b_glsl='#include "c.glsl"\n',
        c_glsl='#include "b.glsl"\n',
    )
    with pytest.raises(ShaderSourceError, match=r"b.glsl -> c.glsl -> b.glsl"):
        files.load("a.glsl")


def test_diamond_include_is_inserted_once() -> None:
    files = lib(
        a_glsl='#version 330 core\n#include "b.glsl"\n#include "c.glsl"\n',
        b_glsl='#include "common.glsl"\n',
        c_glsl='#include "common.glsl"\n',
        common_glsl="float shared_fn;\n",
    )
    assert files.load("a.glsl").count("float shared_fn;") == 1


def test_missing_file_names_it() -> None:
    with pytest.raises(ShaderSourceError, match="nope.glsl"):
        lib(a_glsl='#version 330 core\n#include "nope.glsl"\n').load("a.glsl")


def test_bad_define_name_is_rejected() -> None:
    with pytest.raises(ShaderSourceError, match="bad define"):
        lib(a_glsl="#version 330 core\n").load("a.glsl", {"1BAD": 1})


def test_defines_without_version_line_is_an_error() -> None:
    with pytest.raises(ShaderSourceError, match="no #version"):
        lib(a_glsl="void main() {}\n").load("a.glsl", {"X": 1})


def test_shipped_shaders_all_load() -> None:
    library = ShaderLibrary()
    folder = library.search_path[0]
    names = sorted(p.name for p in folder.iterdir() if p.suffix in (".vert", ".frag"))
    assert {"compose.frag", "display_light.frag", "fullscreen.vert", "panel.frag"} <= set(names)
    for name in names:
        src = library.load(name, {"X": 1})
        assert src.startswith("#version 330 core")
        assert "#include" not in src
