"""Frame sources: counts, source-taken timestamps, and clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from hud.errors import HudError
from hud.io.sources import CameraSource, ImageSequenceSource, VideoFileSource, open_source
from hud.trackers.markers import camera_intrinsics

VIDEO = Path(__file__).resolve().parents[2] / "data" / "video" / "hand_landmarker__test_video.mp4"


def test_video_yields_every_frame_with_container_timestamps() -> None:
    with VideoFileSource(VIDEO) as source:
        frames = [(f.index, f.timestamp_ms, f.size) for f in source]
        assert source.fps == pytest.approx(25.0)
        assert source.adjusted_timestamps == 0
    assert len(frames) == 202  # 8.08 s at 25 fps
    assert [i for i, _, _ in frames] == list(range(202))
    stamps = [t for _, t, _ in frames]
    assert stamps[0] == 0
    assert bool(np.all(np.diff(stamps) > 0))
    assert set(np.diff(stamps)) == {40}  # 25 fps, from the container
    assert {size for _, _, size in frames} == {(640, 360)}


def test_video_max_frames_and_rgb_order() -> None:
    with VideoFileSource(VIDEO, max_frames=3) as source:
        frames = list(source)
    assert len(frames) == 3
    capture = cv2.VideoCapture(str(VIDEO))
    _, bgr = capture.read()
    capture.release()
    assert frames[0].rgb.dtype == np.uint8 and frames[0].rgb.shape == (360, 640, 3)
    assert np.array_equal(frames[0].rgb, bgr[:, :, ::-1])  # BGR converted once, here


def _write_images(folder: Path, count: int, size: tuple[int, int] = (64, 48)) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        image = np.full((size[1], size[0], 3), 10 * i, dtype=np.uint8)
        cv2.imwrite(str(folder / f"frame{i + 1}.png"), image)


def test_image_sequence_in_natural_order_with_index_timestamps(tmp_path: Path) -> None:
    _write_images(tmp_path / "seq", 12)
    (tmp_path / "seq" / "notes.txt").write_text("not an image")
    source = ImageSequenceSource(tmp_path / "seq", fps=20)
    frames = list(source)
    assert len(frames) == 12
    assert [f.timestamp_ms for f in frames] == [50 * i for i in range(12)]
    # frame10.png sorts after frame9.png: the grey level rises with the file number.
    assert [int(f.rgb[0, 0, 0]) for f in frames] == [10 * i for i in range(12)]


def test_image_sequence_from_glob_and_max_frames(tmp_path: Path) -> None:
    _write_images(tmp_path, 5)
    frames = list(ImageSequenceSource(str(tmp_path / "frame*.png"), fps=10, max_frames=3))
    assert [f.timestamp_ms for f in frames] == [0, 100, 200]


def test_image_sequence_errors(tmp_path: Path) -> None:
    with pytest.raises(HudError, match="no images"):
        ImageSequenceSource(tmp_path)
    with pytest.raises(HudError, match="no files match"):
        ImageSequenceSource(str(tmp_path / "*.png"))
    with pytest.raises(HudError, match="not found"):
        ImageSequenceSource(tmp_path / "missing")
    _write_images(tmp_path / "mixed", 2)
    cv2.imwrite(str(tmp_path / "mixed" / "frame3.png"), np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(HudError, match="same size"):
        list(ImageSequenceSource(tmp_path / "mixed"))
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "frame1.png").write_bytes(b"not a png")
    with pytest.raises(HudError, match="cannot read image"):
        list(ImageSequenceSource(tmp_path / "bad"))


def test_camera_that_cannot_open_lists_what_was_tried() -> None:
    with pytest.raises(HudError) as info:
        CameraSource(9)
    message = info.value.message
    assert "cannot open camera 9" in message
    assert "0, 1, 2, 3" in message and "/dev/video*" in message
    assert "video file" in message and "\n" not in message


def test_missing_or_unreadable_video(tmp_path: Path) -> None:
    with pytest.raises(HudError, match="video not found"):
        VideoFileSource(tmp_path / "nope.mp4")
    with pytest.raises(HudError, match="is a folder"):
        VideoFileSource(tmp_path)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\0" * 1000)
    with pytest.raises(HudError, match="cannot read video"):
        VideoFileSource(junk)


def test_open_source_needs_exactly_one() -> None:
    with pytest.raises(HudError, match="exactly one"):
        open_source()
    with pytest.raises(HudError, match="exactly one"):
        open_source(video=VIDEO, camera=0)
    assert isinstance(open_source(video=VIDEO, max_frames=1), VideoFileSource)


def test_intrinsics_from_fov_and_from_calibration(tmp_path: Path) -> None:
    from_fov = camera_intrinsics(640, 360, hfov_deg=90.0)
    assert from_fov is not None and from_fov.fx == pytest.approx(320.0)
    assert camera_intrinsics(640, 360) is None
    calib = tmp_path / "cam.json"
    matrix = [[1000.0, 0, 639.5], [0, 1000.0, 359.5], [0, 0, 1]]
    calib.write_text(json.dumps({"camera_matrix": matrix, "image_size": [1280, 720]}))
    scaled = camera_intrinsics(640, 360, calibration=calib)
    assert scaled is not None and scaled.fx == pytest.approx(500.0)
    assert scaled.cx == pytest.approx(319.5)
    with pytest.raises(HudError, match="different shape"):
        camera_intrinsics(640, 480, calibration=calib)
    with pytest.raises(HudError, match="not both"):
        camera_intrinsics(640, 360, calibration=calib, hfov_deg=60)


class _FakeCapture:
    """Stands in for cv2.VideoCapture: scripted driver timestamps, gray frames."""

    def __init__(self, positions: list[float], fps: float = 0.0) -> None:
        self.positions = positions
        self.fps = fps
        self.read_count = 0
        self.released = False

    def isOpened(self) -> bool:  # OpenCV spells it this way
        return True

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.read_count >= len(self.positions):
            return False, None
        self.read_count += 1
        return True, np.zeros((4, 6, 3), np.uint8)

    def get(self, prop: int) -> float:
        if prop == cv2.CAP_PROP_FPS:
            return self.fps
        if prop == cv2.CAP_PROP_POS_MSEC:
            return self.positions[self.read_count - 1]
        return 0.0

    def release(self) -> None:
        self.released = True


def test_camera_time_comes_from_the_driver_relative_to_the_first_frame() -> None:
    capture = _FakeCapture([5000.0, 5033.0, 5033.0, 5100.0])
    with CameraSource.from_capture(capture) as source:
        stamps = [f.timestamp_ms for f in source]
    assert stamps == [0, 33, 34, 100]  # a repeated driver time is nudged forward
    assert capture.released


def test_camera_without_driver_time_uses_the_injected_clock_or_the_frame_rate() -> None:
    ticks = iter([1000.0, 1020.0, 1050.0])
    source = CameraSource.from_capture(_FakeCapture([0.0] * 3), clock=lambda: next(ticks))
    assert [f.timestamp_ms for f in source] == [0, 20, 50]
    source = CameraSource.from_capture(_FakeCapture([0.0] * 3, fps=20.0))
    assert [f.timestamp_ms for f in source] == [0, 50, 100]


def test_an_image_sequence_names_its_folder_not_the_path_to_it(tmp_path: Path) -> None:
    """The description goes into session headers: no user's folder names in a file
    that is shared."""
    folder = tmp_path / "private-client-name" / "frames"
    folder.mkdir(parents=True)
    cv2.imwrite(str(folder / "a.png"), np.zeros((4, 4, 3), np.uint8))
    assert ImageSequenceSource(folder).description == "images frames"
    assert ImageSequenceSource(str(folder / "*.png")).description == "images frames/*.png"
    for source in (ImageSequenceSource(folder), ImageSequenceSource(str(folder / "*.png"))):
        assert "private-client-name" not in source.description
        assert str(tmp_path) not in source.description
