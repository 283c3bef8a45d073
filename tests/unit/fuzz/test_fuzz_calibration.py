"""Fuzz the camera calibration reader (``--calibration``): any JSON, YAML or XML file is
camera intrinsics or one :class:`HudError`, never another exception."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hud.errors import HudError
from hud.trackers.markers import CameraIntrinsics

NUMBER = (
    st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, 1, -1, 1e308, -1e308, 2**63, 10**30])
)
JSON = st.recursive(
    st.none() | st.booleans() | NUMBER | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)
MATRIX = st.lists(st.lists(NUMBER | JSON, min_size=0, max_size=4), min_size=0, max_size=4)
KEYS = {
    "camera_matrix": MATRIX | JSON,
    "K": MATRIX,
    "dist_coeffs": st.lists(NUMBER | JSON, max_size=6) | JSON,
    "distortion_coefficients": st.lists(NUMBER, max_size=6),
    "D": JSON,
    "image_size": st.lists(NUMBER | JSON, max_size=3) | JSON,
    "width": NUMBER | JSON,
    "height": NUMBER | JSON,
}
CALIBRATIONISH = st.fixed_dictionaries(
    {"camera_matrix": MATRIX}, optional={k: v for k, v in KEYS.items() if k != "camera_matrix"}
)
#: A well-formed camera matrix, so the fuzzing reaches the size and distortion checks.
GOOD_MATRIX = st.just([[500, 0, 320], [0, 500, 240], [0, 0, 1]]) | st.lists(
    st.lists(NUMBER, min_size=3, max_size=3), min_size=3, max_size=3
)
NEAR_VALID = st.fixed_dictionaries(
    {"camera_matrix": GOOD_MATRIX, "image_size": st.lists(NUMBER, min_size=2, max_size=2)},
    optional={"dist_coeffs": st.lists(NUMBER, max_size=6) | JSON},
)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _load(path: Path) -> None:
    try:
        intrinsics = CameraIntrinsics.from_file(path)
    except HudError as exc:
        assert "\n" not in exc.message, exc.message
    else:
        assert intrinsics.width > 0 and intrinsics.height > 0
        assert all(math.isfinite(v) for v in (intrinsics.fx, intrinsics.fy, intrinsics.cx))


@given(
    st.one_of(JSON, CALIBRATIONISH, NEAR_VALID, st.dictionaries(st.sampled_from(list(KEYS)), JSON))
)
def test_any_json_is_a_calibration_or_one_hud_error(folder: Path, doc: Any) -> None:
    path = folder / "calibration.json"
    try:
        text = json.dumps(doc)
    except (ValueError, OverflowError):  # pragma: no cover - every generated value dumps
        return
    path.write_text(text, encoding="utf-8")
    _load(path)


@given(st.binary(max_size=300))
def test_any_bytes_are_a_calibration_or_one_hud_error(folder: Path, data: bytes) -> None:
    for name in ("calibration.json", "calibration.yaml", "calibration.xml"):
        path = folder / name
        path.write_bytes(data)
        _load(path)


@given(
    st.sampled_from(["camera_matrix", "K", "image_width", "image_height", "D", "x"]),
    st.text(max_size=40),
)
def test_any_yaml_field_is_a_calibration_or_one_hud_error(
    folder: Path, key: str, value: str
) -> None:
    path = folder / "calibration.yaml"
    path.write_text(f"%YAML:1.0\n---\n{key}: {value}\nimage_width: 640\n", encoding="utf-8")
    _load(path)


def test_an_infinite_image_size_is_one_hud_error(folder: Path) -> None:
    """Found by the fuzzing above: ``int(inf)`` raised an OverflowError."""
    path = folder / "calibration.json"
    path.write_text(
        '{"camera_matrix": [[500,0,320],[0,500,240],[0,0,1]], "image_size": [Infinity, 480]}',
        encoding="utf-8",
    )
    with pytest.raises(HudError):
        CameraIntrinsics.from_file(path)
