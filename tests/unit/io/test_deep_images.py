"""16-bit and float images are converted to 8 bits by scaling, never clipped to white or
black, wherever images are read (world images and image sequences)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from hud.errors import HudError
from hud.io.images import load_rgb, to_uint8
from hud.io.sources import ImageSequenceSource

#: A left-to-right ramp: dark on the left, bright on the right.
RAMP = np.linspace(0.0, 1.0, 64 * 16).reshape(16, 64)


def _write(path: Path, pixels: np.ndarray) -> Path:
    # Uncompressed: OpenCV's default for float colour TIFF is lossy (SGI LogLuv).
    assert cv2.imwrite(str(path), pixels, [cv2.IMWRITE_TIFF_COMPRESSION, 1])
    return path


def _deep_files(folder: Path) -> dict[str, Path]:
    grey16 = np.round(RAMP * 65535).astype(np.uint16)
    f32 = RAMP.astype(np.float32)
    return {
        "grey16.png": _write(folder / "grey16.png", grey16),
        "colour16.png": _write(folder / "colour16.png", np.dstack([grey16] * 3)),
        "grey-float.tif": _write(folder / "grey-float.tif", f32),
        "colour-float.tif": _write(folder / "colour-float.tif", np.dstack([f32] * 3)),
    }


def _assert_ramp(rgb: np.ndarray) -> None:
    assert rgb.dtype == np.uint8 and rgb.shape == (16, 64, 3)
    expected = np.round(RAMP * 255)
    assert np.abs(rgb[:, :, 0].astype(float) - expected).max() <= 1.0
    assert (rgb[:, :, 0] == rgb[:, :, 2]).all()  # grey stays grey (no channel swap)


@pytest.mark.parametrize(
    "name", ["grey16.png", "colour16.png", "grey-float.tif", "colour-float.tif"]
)
def test_a_deep_world_image_is_scaled(tmp_path: Path, name: str) -> None:
    _assert_ramp(load_rgb(_deep_files(tmp_path)[name]))


@pytest.mark.parametrize(
    "name", ["grey16.png", "colour16.png", "grey-float.tif", "colour-float.tif"]
)
def test_a_deep_image_in_a_sequence_is_scaled(tmp_path: Path, name: str) -> None:
    path = _deep_files(tmp_path)[name]
    (tmp_path / "seq").mkdir()
    path.rename(tmp_path / "seq" / name)
    frames = list(ImageSequenceSource(tmp_path / "seq"))
    assert len(frames) == 1
    _assert_ramp(frames[0].rgb)


def test_a_colour_16_bit_image_keeps_its_channel_order(tmp_path: Path) -> None:
    bgr = np.zeros((4, 4, 3), np.uint16)
    bgr[:, :, 2] = 65535  # red, in OpenCV's order
    path = _write(tmp_path / "red16.png", bgr)
    assert tuple(load_rgb(path)[0, 0]) == (255, 0, 0)
    (tmp_path / "seq").mkdir()
    path.rename(tmp_path / "seq" / "red16.png")
    assert tuple(next(iter(ImageSequenceSource(tmp_path / "seq"))).rgb[0, 0]) == (255, 0, 0)


def test_pixels_that_cannot_be_converted_are_refused() -> None:
    with pytest.raises(HudError, match="not finite"):
        to_uint8(np.full((2, 2), np.nan, np.float32), "x.tif")
    with pytest.raises(HudError, match="past 16 bits"):
        to_uint8(np.full((2, 2), 1 << 20, np.int32), "x.tif")
    with pytest.raises(HudError, match="not an image"):
        to_uint8(np.zeros((2, 2, 5), np.uint8), "x.tif")
    assert to_uint8(np.full((1, 1), 2.5), "x.tif")[0, 0, 0] == 255  # over 1 is clipped


def test_a_float_tiff_reads_quietly(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """OpenCV's "can not handle images with 32-bit samples" must not reach the terminal."""
    path = _deep_files(tmp_path)["colour-float.tif"]
    capfd.readouterr()
    load_rgb(path)
    (tmp_path / "seq").mkdir()
    _deep_files(tmp_path / "seq")
    for frame in ImageSequenceSource(tmp_path / "seq", fps=10):
        assert frame.rgb.dtype == np.uint8
    captured = capfd.readouterr()
    assert "WARN" not in captured.err and "ERROR" not in captured.err, captured.err
