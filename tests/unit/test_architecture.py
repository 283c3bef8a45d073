"""The layering rules of DEVELOPERS.md, enforced: they fail when someone breaks them.

The per-frame flow is ``frame source → trackers → gestures and anchors → layout →
display list → renderer → optics → display frame``, and the package tree follows it. One
table says which package may import which; every module of ``hud/`` and ``gestures/`` is
checked against it, for imports at the top of a module and inside functions alike.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Packages in the order of the flow. A package may import only packages before it, and
#: only those its row of ``ALLOWED`` names.
ORDER = (
    "hud.errors",
    "hud.profiles",  # the device: read by every stage after it
    "hud.io",
    "hud.trackers",
    "hud.privacy",  # bystanders' faces blurred in what is saved or sent
    "gestures",
    "hud.anchors",
    "hud.scene",
    "hud.answers",  # what the assistant says: text streams for the cards
    "hud.text",
    "hud.layout",
    "hud.optics",
    "hud.render",
    "hud.app",
    "hud.bench",
    "hud.cli",
)

#: Which package may import which (besides itself). Exceptions to the flow's order are
#: listed in EXCEPTIONS with their reason.
ALLOWED: dict[str, set[str]] = {
    "hud.errors": set(),
    "hud.profiles": {"hud.errors"},
    "hud.io": {"hud.errors"},
    "hud.trackers": {"hud.errors", "hud.io"},
    "hud.privacy": {"hud.errors", "hud.io", "hud.trackers"},
    "gestures": {"hud.errors"},
    "hud.anchors": {"hud.errors", "hud.profiles", "hud.trackers"},
    "hud.scene": {"hud.errors", "hud.io", "hud.trackers"},
    "hud.answers": {"hud.errors"},
    "hud.text": {"hud.errors"},
    "hud.layout": {"hud.errors", "hud.profiles", "hud.anchors", "hud.scene", "hud.text"},
    "hud.optics": {"hud.errors", "hud.profiles"},
    "hud.render": {
        *("hud.errors", "hud.profiles", "hud.io", "hud.anchors", "hud.scene"),
        *("hud.text", "hud.layout", "hud.optics"),
    },
    "hud.app": set(ORDER[: ORDER.index("hud.app")]),
    "hud.bench": set(ORDER[: ORDER.index("hud.bench")]),
    "hud.cli": set(ORDER[: ORDER.index("hud.cli")]),
}

#: Imports against the flow's order, each for a reason.
EXCEPTIONS: dict[tuple[str, str], str] = {
    # A session file stores what the trackers found: its records hold their result types.
    ("hud.io", "hud.trackers.results"): "session records store tracker results",
    # Gestures read tracker result types (landmarks, faces) and nothing else of trackers.
    ("gestures", "hud.trackers.results"): "recognisers take tracker results as input",
}

#: Where a real clock may be read: benchmarks measure time, the window runner paces
#: frames and the emulator times its stages. Everything else takes time from frame timestamps or an injected clock.
CLOCK_READERS = (
    *("hud/bench/", "hud/app/runners.py"),
    *("hud/app/emulate.py", "hud/app/emulate_window.py"),
)


def _package(module: str) -> str | None:
    """The ORDER entry a dotted module name belongs to (``hud`` itself has none)."""
    for name in sorted(ORDER, key=len, reverse=True):
        if module == name or module.startswith(name + "."):
            return name
    return None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in ("hud", "gestures"):  # `from hud import text`: submodules
                found.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names)
            else:
                found.append((node.lineno, node.module))
    return found


def _library_files() -> list[Path]:
    return sorted([*ROOT.joinpath("hud").rglob("*.py"), *ROOT.joinpath("gestures").rglob("*.py")])


def test_the_table_follows_the_flow() -> None:
    """No row allows a later package: the table itself cannot drift from the order."""
    for package, allowed in ALLOWED.items():
        later = {p for p in allowed if ORDER.index(p) > ORDER.index(package)}
        assert not later, f"{package} is allowed later packages {later}"
    assert set(ALLOWED) == set(ORDER)


def test_every_module_imports_only_what_its_package_may() -> None:
    offenders = []
    for path in _library_files():
        own = _package(_module_name(path))
        if own is None:  # hud/__init__.py, hud/__main__.py: the flat public API
            continue
        for line, module in _imported_modules(path):
            target = _package(module)
            if target is None or target == own:
                continue
            if target in ALLOWED[own]:
                continue
            if any(module == m or module.startswith(m + ".") for (p, m) in EXCEPTIONS if p == own):
                continue
            offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not offenders, "imports against the layering table:\n" + "\n".join(offenders)


def test_only_the_render_layer_imports_moderngl_or_pyglet() -> None:
    offenders = []
    for path in _library_files():
        rel = path.relative_to(ROOT)
        names = {m.split(".")[0] for _, m in _imported_modules(path)}
        if rel.parts[:2] != ("hud", "render") and names & {"moderngl", "pyglet", "glcontext"}:
            offenders.append(str(rel))
    assert not offenders, f"GL imports outside hud/render: {offenders}"


def test_only_tracker_adapters_import_mediapipe() -> None:
    users = sorted(
        str(p.relative_to(ROOT))
        for p in _library_files()
        if "mediapipe" in {m.split(".")[0] for _, m in _imported_modules(p)}
    )
    assert users, "no module imports mediapipe: the check would pass vacuously"
    assert set(users) <= {"hud/trackers/landmarker.py", "hud/trackers/hands.py"}, users


def test_library_code_never_reads_the_wall_clock() -> None:
    """Time is injected so runs replay; only benchmarks and the window runner read a clock."""
    banned = {
        ("time", "time"),
        ("time", "time_ns"),
        ("time", "monotonic"),
        ("time", "monotonic_ns"),
        ("time", "perf_counter"),
        ("time", "perf_counter_ns"),
        ("datetime", "now"),
        ("datetime", "utcnow"),
    }
    offenders = []
    for path in _library_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(CLOCK_READERS):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in banned
            ):
                offenders.append(f"{rel}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module in ("time", "datetime"):
                clock = {a.name for a in node.names} & {n for _, n in banned}
                if clock:
                    offenders.append(f"{rel}:{node.lineno} imports {sorted(clock)}")
    assert not offenders, f"wall-clock reads in library code: {offenders}"


def test_the_checks_see_an_offence(tmp_path: Path) -> None:
    """The import scanner finds nested and `from hud import x` imports (no vacuous pass)."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from hud import render\n    import moderngl\n")
    assert [m for _, m in _imported_modules(module)] == ["hud.render", "moderngl"]
