"""The layering rules of DEVELOPERS.md, enforced: they fail when someone breaks them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _library_files() -> list[Path]:
    return sorted([*ROOT.joinpath("hud").rglob("*.py"), *ROOT.joinpath("gestures").rglob("*.py")])


def test_only_the_render_layer_imports_moderngl_or_pyglet() -> None:
    offenders = []
    for path in _library_files():
        rel = path.relative_to(ROOT)
        in_render = rel.parts[:2] == ("hud", "render")
        if not in_render and _imports(path) & {"moderngl", "pyglet", "glcontext"}:
            offenders.append(str(rel))
    assert not offenders, f"GL imports outside hud/render: {offenders}"


def test_only_one_adapter_imports_mediapipe() -> None:
    users = [str(p.relative_to(ROOT)) for p in _library_files() if "mediapipe" in _imports(p)]
    assert len(users) <= 1, f"mediapipe imported by several modules: {users}"
    if users:
        assert users[0] == "hud/trackers/mediapipe_adapter.py"


def test_library_code_never_reads_the_wall_clock() -> None:
    """Time is injected so runs replay; only the benchmark measures real time."""
    banned = {("time", "time"), ("time", "monotonic"), ("datetime", "now"), ("time", "time_ns")}
    offenders = []
    for path in _library_files():
        rel = path.relative_to(ROOT)
        if rel.name == "bench.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in banned
            ):
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, f"wall-clock reads in library code: {offenders}"
