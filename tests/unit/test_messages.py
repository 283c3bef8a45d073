"""Library error messages name options and values, never a command-line flag.

``HudSession(HudSessionOptions(camera_fov_h_deg=500))`` must not tell a host to "pass
--hfov": the library has no flags. The command line (``hud/cli``) may catch an error and
say it again with its flag. Every string literal inside a ``raise`` statement, or given to
a ``...Error(...)`` call, in library code is scanned for ``--word``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Command-line code may name its flags.
CLI_FOLDERS = ("hud/cli/", "hud/bench/")

FLAG = re.compile(r"(?<![\w-])--[a-z]")

#: Flag-naming messages that cannot move yet, each with why. Remove an entry once fixed;
#: a stale entry fails the test below.
KNOWN: dict[tuple[str, str], str] = {}


def _library_files() -> list[Path]:
    files = [*ROOT.joinpath("hud").rglob("*.py"), *ROOT.joinpath("gestures").rglob("*.py")]
    return sorted(p for p in files if not p.relative_to(ROOT).as_posix().startswith(CLI_FOLDERS))


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _strings(node: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of the string literals under ``node``, f-string parts included."""
    return [
        (n.lineno, n.value)
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def flag_messages(path: Path) -> list[tuple[int, str]]:
    """(line, flag) of every ``--flag`` in a raised or constructed error's message."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            scopes: list[ast.AST] = [node.exc]
        elif isinstance(node, ast.Call) and _callee(node).endswith("Error"):
            scopes = [*node.args, *(k.value for k in node.keywords)]
        else:
            continue
        for scope in scopes:
            for line, text in _strings(scope):
                for match in FLAG.finditer(text):
                    flag = re.match(r"--[a-z][a-z0-9-]*", text[match.start() :])
                    assert flag is not None
                    found.add((line, flag.group()))
    return sorted(found)


def test_library_messages_name_no_command_line_flag() -> None:
    offenders = []
    for path in _library_files():
        rel = path.relative_to(ROOT).as_posix()
        for line, flag in flag_messages(path):
            if (rel, flag) not in KNOWN:
                offenders.append(f"{rel}:{line}: {flag}")
    assert not offenders, (
        "library error messages naming command-line flags (name the option or value; the "
        "CLI may re-raise with its flag):\n" + "\n".join(offenders)
    )


def test_known_exceptions_are_still_needed() -> None:
    seen = {
        (path.relative_to(ROOT).as_posix(), flag)
        for path in _library_files()
        for _, flag in flag_messages(path)
    }
    stale = sorted(f"{file}: {flag}" for file, flag in KNOWN if (file, flag) not in seen)
    assert not stale, f"remove these from KNOWN, they are fixed: {stale}"


def test_the_scan_sees_an_offence(tmp_path: Path) -> None:
    """Raised, returned and f-string messages are all found; other strings are not."""
    module = tmp_path / "m.py"
    module.write_text(
        '"""Docstrings may say --anything."""\n'
        "def f(path, n):\n"
        "    if n:\n"
        '        raise HudError(f"{path} is a folder (use --images)")\n'
        '    help = "--not-a-message"\n'
        '    return OptionsError("pass --camera INDEX", "x")\n'
        "def g():\n"
        '    raise ValueError("a range of 1--5 and -- alone are fine")\n'
    )
    assert flag_messages(module) == [(4, "--images"), (6, "--camera")]
