"""A failing command leaves the user's files as they were, and says why in one line.

Outputs are checked before any work (a missing folder, a name that is not ``.png``, an
output that is one of the inputs), a session is never replaced by a recording whose
input turns out bad half-way, huge images and malformed sessions are one-line errors.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from cli_helpers import expect_error
from PIL import Image

import hud.cli.detect
import hud.io.session
from hud.errors import HudError
from hud.io.records import FrameRecord, pack_payload
from hud.io.session import MAGIC, SessionWriter

ROOT = Path(__file__).resolve().parents[3]
VIDEO = ROOT / "tests" / "data" / "video" / "hand_landmarker__test_video.mp4"
OLD = b"the user's old file, which must survive"


def _keep(path: Path, data: bytes = OLD) -> Path:
    path.write_bytes(data)
    return path


def _png_header(path: Path, width: int, height: int) -> Path:
    """A PNG whose header says ``width`` × ``height`` (no pixel data: nothing to decode)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    return path


def _jpeg(width: int = 32, height: int = 24) -> bytes:
    ok, data = cv2.imencode(".jpg", np.full((height, width, 3), 128, np.uint8))
    assert ok
    return data.tobytes()


def _session(path: Path, frames: int = 3) -> Path:
    header = {"source": "test", "fps": 25.0, "width": 32, "height": 24, "video": True}
    with SessionWriter(path, header) as writer:
        for i in range(frames):
            writer.write_frame(FrameRecord(index=i, timestamp_ms=40 * i, image=_jpeg()))
    return path


def _scene(folder: Path, world: str | None = None) -> Path:
    body: dict = {"version": 1, "profile": "orion", "world": {}}
    if world is not None:
        body["world"]["image"] = world
    path = folder / "s.json"
    path.write_text(json.dumps(body))
    return path


# ------------------------------------------------------------------------------ record


def test_record_refuses_to_write_over_its_video(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = tmp_path / "v.mp4"
    shutil.copy(VIDEO, video)
    before = video.read_bytes()
    argv = ["record", "--video", str(video), "--max-frames", "2", "--force", "--out"]
    err = expect_error(capsys, [*argv, str(video)])
    assert "--video and --out are the same file" in err
    os.link(video, tmp_path / "link.wgs")  # a hard link is the same file too
    err = expect_error(capsys, [*argv, str(tmp_path / "link.wgs")])
    assert "--video and --out are the same file" in err
    assert video.read_bytes() == before


def test_record_refuses_a_hard_link_to_its_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _session(tmp_path / "s.wgs")
    before = source.read_bytes()
    os.link(source, tmp_path / "link.wgs")
    argv = ["record", "--session", str(source), "--force", "--out", str(tmp_path / "link.wgs")]
    err = expect_error(capsys, argv)
    assert "--session and --out are the same file" in err
    assert source.read_bytes() == before


def test_record_refuses_to_write_over_one_of_its_images(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(2):
        Image.new("RGB", (16, 12), (i, i, i)).save(folder / f"f{i}.png")
    before = (folder / "f1.png").read_bytes()
    argv = ["record", "--images", str(folder), "--force", "--out", str(folder / "f1.png")]
    err = expect_error(capsys, argv)
    assert "is one of the --images" in err
    assert (folder / "f1.png").read_bytes() == before


@pytest.mark.parametrize("bad", ["size", "junk"])
def test_a_bad_later_image_leaves_the_old_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    Image.new("RGB", (16, 12)).save(folder / "f0.png")
    Image.new("RGB", (16, 12)).save(folder / "f1.png")
    if bad == "size":
        Image.new("RGB", (20, 12)).save(folder / "f2.png")
    else:
        (folder / "f2.png").write_bytes(b"not an image")
    old = _keep(tmp_path / "old.wgs")
    err = expect_error(capsys, ["record", "--images", str(folder), "--out", str(old), "--force"])
    expected = "every frame must have the same size" if bad == "size" else "cannot read image"
    assert expected in err and "f2.png" in err
    assert old.read_bytes() == OLD


def test_a_damaged_source_session_leaves_the_old_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _session(tmp_path / "s.wgs", frames=4)
    data = bytearray(source.read_bytes())
    data[-60] ^= 0xFF  # inside the last frame: the first frames read fine
    source.write_bytes(bytes(data))
    old = _keep(tmp_path / "old.wgs")
    err = expect_error(capsys, ["record", "--session", str(source), "--out", str(old), "--force"])
    assert "corrupt session at byte offset" in err
    assert old.read_bytes() == OLD


def test_record_and_the_writer_check_the_output_path_in_one_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    argv = ["record", "--video", str(VIDEO), "--out"]
    err = expect_error(capsys, [*argv, str(folder)])
    with pytest.raises(HudError) as raised:
        SessionWriter(folder, {})
    assert err == f"hud: error: {raised.value}"
    err = expect_error(capsys, [*argv, str(tmp_path / "nodir" / "s.wgs")])
    with pytest.raises(HudError) as raised:
        SessionWriter(tmp_path / "nodir" / "s.wgs", {})
    assert err == f"hud: error: {raised.value}"

    def refuse(path: str | Path, *, force: bool = False) -> Path:
        raise HudError(f"checked {Path(path).name} force={force}")

    monkeypatch.setattr(hud.io.session, "check_new_session_path", refuse)
    assert expect_error(capsys, [*argv, str(tmp_path / "x.wgs")]).endswith(
        "checked x.wgs force=False"
    )
    with pytest.raises(HudError, match="checked y.wgs force=True"):
        SessionWriter(tmp_path / "y.wgs", {}, force=True)


# ------------------------------------------------------------------------------ replay


def _raw_session(path: Path, frames: list[dict]) -> Path:
    """A session with valid framing and checksums around whatever frame JSON is given."""

    def record(kind: int, payload: bytes) -> bytes:
        head = b"WR" + struct.pack("<BBI", kind, 0, len(payload))
        crc = struct.pack("<I", zlib.crc32(head) & 0xFFFFFFFF)
        return head + crc + payload + struct.pack("<I", zlib.crc32(payload) & 0xFFFFFFFF)

    top = MAGIC + struct.pack("<HH", 1, 0)
    parts = [top + struct.pack("<I", zlib.crc32(top) & 0xFFFFFFFF)]
    parts.append(record(1, pack_payload({"format": "waveglass-session", "version": 1})))
    for frame in frames:
        blobs = frame.pop("_blobs", [])
        parts.append(record(2, pack_payload(frame, blobs)))
    path.write_bytes(b"".join(parts))
    return path


def _frame(i: int, **changes: object) -> dict:
    good = {"event": "on_air_tap", "type": "AirTap", "timestamp_ms": 40 * i, "handedness": "Right"}
    frame: dict = {
        "index": i,
        "timestamp_ms": 40 * i,
        "hands": [],
        "faces": [],
        "markers": [],
        "events": [good],
        "image": None,
    }
    frame.update(changes)
    return frame


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"events": [7]}, "event 7 is not an object"),
        ({"events": "abc"}, "'events' is not a list"),
        (
            {"events": [{"event": "on_air_tap", "type": "AirTap", "timestamp_ms": "soon"}]},
            "'timestamp_ms' must be an integer, got 'soon'",
        ),
        ({"events": [{"type": "AirTap", "timestamp_ms": 40}]}, "'event' must be a string"),
        (
            {
                "events": [
                    {"event": "on_air_tap", "type": "AirTap", "timestamp_ms": 4, "handedness": 1}
                ]
            },
            "'handedness' must be a string",
        ),
        ({"faces": [{"landmarks": 7, "image_size": None}]}, "array reference 7"),
        (
            {
                "hands": [
                    {
                        "handedness": "Right",
                        "score": 1.0,
                        "landmarks": {"blob": "h", "dtype": "<f8", "shape": [21, 3]},
                        "image_size": [],
                    }
                ],
                "_blobs": [("h", bytes(8 * 63))],
            },
            "IndexError",
        ),
    ],
)
@pytest.mark.parametrize("mode", [[], ["--json"], ["--rerun"]])
def test_replay_of_malformed_frames_names_the_offset(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    changes: dict,
    message: str,
    mode: list[str],
) -> None:
    path = _raw_session(tmp_path / "bad.wgs", [_frame(0), _frame(1, **changes), _frame(2)])
    before = path.read_bytes()
    err = expect_error(capsys, ["replay", str(path), *mode])
    assert "corrupt session at byte offset" in err and message in err
    assert path.read_bytes() == before


def test_the_writer_refuses_events_a_reader_would_refuse(tmp_path: Path) -> None:
    path = tmp_path / "s.wgs"
    with SessionWriter(path, {}) as writer:
        with pytest.raises(HudError, match="'timestamp_ms' must be an integer"):
            writer.write_frame(
                FrameRecord(
                    index=0,
                    timestamp_ms=0,
                    events=({"event": "e", "type": "T", "timestamp_ms": "soon"},),
                )
            )
        writer.write_frame(
            FrameRecord(
                index=1,
                timestamp_ms=40,
                events=({"event": "e", "type": "T", "timestamp_ms": np.int64(40)},),
            )
        )
    (frame,) = hud.io.session.SessionReader(path).read_all()
    assert frame.events == ({"event": "e", "type": "T", "timestamp_ms": 40},)


# ------------------------------------------------------------------------------ PNG outputs


def test_render_checks_every_output_before_writing_any(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = _scene(tmp_path)
    keep = _keep(tmp_path / "keep.png")
    base = ["render", str(scene), "--out", str(keep)]
    err = expect_error(capsys, [*base, "--display-out", str(tmp_path / "nodir" / "d.png")])
    assert "output folder does not exist" in err and keep.read_bytes() == OLD
    err = expect_error(capsys, [*base, "--display-out", str(tmp_path / "d.jpg")])
    assert "--display-out must name a .png file" in err and keep.read_bytes() == OLD
    err = expect_error(capsys, [*base, "--display-out", str(keep)])
    assert "--out and --display-out are the same file" in err
    err = expect_error(capsys, [*base, "--display-out", str(tmp_path)])
    assert "output path is a folder" in err
    err = expect_error(capsys, ["render", str(scene), "--out", str(tmp_path / "o.png") + "/"])
    assert "output path is a folder" in err
    assert keep.read_bytes() == OLD


def test_render_refuses_to_write_over_its_world_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Image.new("RGB", (40, 30), (200, 100, 0)).save(tmp_path / "w.png")
    before = (tmp_path / "w.png").read_bytes()
    scene = _scene(tmp_path, world="w.png")
    err = expect_error(capsys, ["render", str(scene), "--out", str(tmp_path / "w.png")])
    assert "is the scene's world image" in err
    assert (tmp_path / "w.png").read_bytes() == before


def test_show_checks_the_screenshot_before_opening_a_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import hud.render.window

    def no_window(*args: object, **kwargs: object) -> int:
        raise AssertionError("the window opened before the screenshot path was checked")

    monkeypatch.setattr(hud.render.window, "show", no_window)
    scene = _scene(tmp_path)
    base = ["show", str(scene), "--max-frames", "1", "--screenshot"]
    err = expect_error(capsys, [*base, str(tmp_path / "nodir" / "x.png")])
    assert "output folder does not exist" in err
    err = expect_error(capsys, [*base, str(_keep(tmp_path / "shot.jpg"))])
    assert "--screenshot must name a .png file" in err
    assert (tmp_path / "shot.jpg").read_bytes() == OLD


def test_detect_checks_draw_before_tracking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_tracking(*args: object) -> dict:
        raise AssertionError("tracking ran before --draw was checked")

    monkeypatch.setattr(hud.cli.detect, "detect_image", no_tracking)
    image = tmp_path / "photo.png"
    Image.new("RGB", (40, 30)).save(image)
    before = image.read_bytes()
    base = ["detect", str(image), "--draw"]
    assert "output folder does not exist" in expect_error(
        capsys, [*base, str(tmp_path / "no" / "x.png")]
    )
    assert "--draw must name a .png file" in expect_error(capsys, [*base, str(tmp_path / "x.jpg")])
    assert "is the input image" in expect_error(capsys, [*base, str(image)])
    assert image.read_bytes() == before


# ------------------------------------------------------------------------------ huge images


@pytest.mark.parametrize(("width", "height"), [(20000, 10000), (10000, 10000), (9000, 100)])
def test_huge_image_is_one_line_without_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], width: int, height: int
) -> None:
    huge = _png_header(tmp_path / "huge.png", width, height)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        err = expect_error(capsys, ["detect", str(huge)])
        assert "the largest side allowed is 8192" in err
        _png_header(tmp_path / "w.png", width, height)
        err = expect_error(
            capsys, ["render", str(_scene(tmp_path, "w.png")), "--out", str(tmp_path / "o.png")]
        )
        assert "the largest side allowed is 8192" in err
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]
    assert not (tmp_path / "o.png").exists()


def test_huge_image_in_a_real_process_prints_one_line(tmp_path: Path) -> None:
    huge = _png_header(tmp_path / "big.png", 10000, 10000)  # Pillow warns from 89 Mpx
    proc = subprocess.run(
        [sys.executable, "-m", "hud", "detect", str(huge)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"hud: error: image {huge} has too many pixels; the largest side allowed is 8192"
    ]
