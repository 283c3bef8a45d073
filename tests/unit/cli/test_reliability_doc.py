"""docs/reliability.md lists, for each promise, tests that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "reliability.md"


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def test_every_test_the_table_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", text)
    assert len(named) > 40
    missing = [
        f"{file}::{test}"
        for file, test in named
        if not (ROOT / file).is_file() or test not in _tests_in(ROOT / file)
    ]
    assert missing == []


def test_every_promise_has_a_row_with_tests() -> None:
    rows = [
        line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| **")
    ]
    promises = {re.sub(r"\*\*(.+?)\*\*.*", r"\1", row[2:]).strip() for row in rows}
    for promise in (
        "One-line error",
        "Exit status 2 on bad input",
        "Outputs atomic, all or nothing",
        "Inputs never overwritten",
        "Sessions crash-safe",
        "Nothing leaves the machine unless asked",
        "A server never stalls or breaks the app",
        "Bystanders' faces out of what is saved",
        "No secrets in output",
        "Untrusted text escaped",
    ):
        assert promise in promises
    assert all("::test_" in row for row in rows)
