"""Fixtures shared by the unit tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pose_tool() -> ModuleType:
    """``tools/train_pose_model.py`` imported as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "train_pose_model", ROOT / "tools" / "train_pose_model.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
