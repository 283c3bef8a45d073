"""Fixtures shared by the unit tests."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from gestures.evaluate import read_kinivi_keypoints

ROOT = Path(__file__).resolve().parents[2]
LANDMARKS = ROOT / "tests" / "data" / "landmarks"
IMAGES = ROOT / "tests" / "data" / "images"


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


@pytest.fixture(scope="session")
def kinivi_hands() -> tuple[list[int], np.ndarray]:
    """Class ids and (N, 21, 2) hands of the kinivi keypoint sample (see its README)."""
    return read_kinivi_keypoints(LANDMARKS / "kinivi_keypoint_sample.csv")


@pytest.fixture(scope="session")
def mediapipe_hands() -> list[dict]:
    """MediaPipe's own expected hand landmarks, with their gesture labels."""
    return json.loads((LANDMARKS / "mediapipe_expected_hand_landmarks.json").read_text())


@pytest.fixture(scope="session")
def expected_face() -> np.ndarray:
    """MediaPipe's expected 478 face landmarks (normalised x, y, z) for business-person.jpg."""
    data = json.loads((IMAGES / "business-person_expected_face_landmarks.json").read_text())
    return np.asarray(data["landmarks"], dtype=np.float64)
