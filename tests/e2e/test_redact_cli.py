"""``hud redact`` and ``hud record`` as a user runs them: faces gone from an image, a video
and a session, everything else kept, ``--json``, and bad input (exit 2, one line,
nothing left behind).

The video is made here from real footage: the first frames of MediaPipe's hand video
(tests/data/video) with MediaPipe's portrait's face pasted in as a bystander for the
first half, written with the project's own MP4 writer.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from pathlib import Path
from unittest import mock

import cv2
import numpy as np
import pytest
from cli_helpers import expect_error
from face_scenes import FACE_PHOTO, face_truth_box, iou, load, paste_face
from hud_process import run_hud

from hud.cli import main
from hud.io.session import SessionReader
from hud.io.video import open_frame_writer
from hud.trackers import FaceDetector, FaceDetectorOptions

ROOT = Path(__file__).resolve().parents[2]
HAND_VIDEO = ROOT / "tests" / "data" / "video" / "hand_landmarker__test_video.mp4"
FRAMES = 12  # 10 fps: the face is in frames 0-5, gone from 6 (hold_ms 300 covers 6-8)
WITH_FACE = 6
NATIVE = ("W0000", "I0000", "E0000", "WARNING: All log messages", "INFO: Created")


@pytest.fixture(scope="module")
def strict() -> FaceDetector:
    options = FaceDetectorOptions(min_detection_confidence=0.2, min_face_fraction=0.02)
    with FaceDetector(options) as d:
        yield d  # type: ignore[misc]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[float, ...]]]:
    """A 640 × 360 MP4 of a hand with a bystander's face (64 px) in its first frames."""
    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    capture = cv2.VideoCapture(str(HAND_VIDEO))
    truths = []
    with open_frame_writer(path, 10.0) as writer:
        for i in range(FRAMES):
            ok, bgr = capture.read()
            assert ok
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            if i < WITH_FACE:
                rgb, truth = paste_face(rgb, 64, (470.0 + 4 * i, 90.0))
                truths.append(truth)
            writer.write(rgb)
        writer.complete = True
    capture.release()
    return path, truths


def _frames_of(video: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(video))
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    capture.release()
    return frames


def _json_lines(stdout: str) -> tuple[list[dict], dict]:
    lines = [json.loads(line) for line in stdout.splitlines()]
    return lines[:-1], lines[-1]["summary"]


def _clean(stderr: str) -> None:
    assert not any(n in stderr for n in NATIVE), stderr


# -------------------------------------------------------------------------------- image


def test_an_image_comes_out_with_its_face_blurred(tmp_path: Path, strict: FaceDetector) -> None:
    for name in ("out.png", "out.jpg"):
        r = run_hud("redact", str(FACE_PHOTO), "--out", str(tmp_path / name), "--json")
        assert r.returncode == 0, r.stderr
        _clean(r.stderr)
        assert r.stderr == ""  # not a terminal: no progress bar either
        (frame,), summary = _json_lines(r.stdout)
        assert frame["frame"] == 0 and len(frame["faces"]) == 1
        face = frame["faces"][0]
        assert set(face) == {"box", "score"} and iou(tuple(face["box"]), face_truth_box()) > 0.6
        assert summary == {
            "kind": "image",
            "frames": 1,
            "frames_with_faces": 1,
            "faces": 1,
            "frames_changed": 1,
            "out": str(tmp_path / name),
        }
        out = load(tmp_path / name)
        assert out.shape == (1358, 958, 3)
        assert strict.detect(out) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jpg", "out.png"]


def test_a_16_bit_grey_png_is_redacted_to_8_bit_rgb(tmp_path: Path, strict: FaceDetector) -> None:
    from PIL import Image

    grey = cv2.cvtColor(load(FACE_PHOTO), cv2.COLOR_RGB2GRAY).astype(np.uint16) * 257
    source = tmp_path / "deep.png"
    Image.fromarray(grey).save(source)
    assert Image.open(source).mode.startswith("I;16")
    assert main(["redact", str(source), "--out", str(tmp_path / "out.png")]) == 0
    out = load(tmp_path / "out.png")
    assert out.shape == (1358, 958, 3) and strict.detect(out) == []


# -------------------------------------------------------------------------------- video


def test_a_video_comes_out_with_the_bystander_blurred_and_the_hand_sharp(
    clip: tuple[Path, list[tuple[float, ...]]], tmp_path: Path, strict: FaceDetector
) -> None:
    video, truths = clip
    out = tmp_path / "red.mp4"
    r = run_hud("redact", str(video), "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    _clean(r.stderr)
    frames, summary = _json_lines(r.stdout)
    assert [f["frame"] for f in frames] == list(range(FRAMES))
    assert [f["timestamp_ms"] for f in frames] == [100 * i for i in range(FRAMES)]
    for f, truth in zip(frames, truths):
        assert any(iou(tuple(face["box"]), truth) > 0.3 for face in f["faces"]), f
    assert all(f["faces"] == [] for f in frames[WITH_FACE:])
    assert summary["kind"] == "video" and summary["frames"] == FRAMES
    assert summary["frames_with_faces"] == WITH_FACE
    # Frames 6-8 are within hold_ms (300) of the face's last frame: hidden there too.
    assert summary["frames_changed"] == WITH_FACE + 3
    before, after = _frames_of(video), _frames_of(out)
    assert len(after) == FRAMES and after[0].shape == (360, 640, 3)

    def loss(i: int, x0: int, x1: int) -> float:
        return float(np.abs(after[i][:, x0:x1].astype(int) - before[i][:, x0:x1]).mean())

    codec = loss(FRAMES - 1, 0, 640)  # beyond the hold nothing was hidden: MPEG-4's loss
    assert codec < 4.0
    for i, truth in enumerate(truths):
        assert not any(iou(f.box, truth) > 0.1 for f in strict.detect(after[i])), i
        assert loss(i, 0, 400) < codec + 0.5  # the hand's half: as it was
        x0, x1 = int(truth[0]), int(truth[2])
        assert loss(i, x0, x1) > codec + 3.0  # the face's columns: changed


# ------------------------------------------------------------------------------ sessions


def test_record_stores_frames_with_faces_blurred_and_hands_kept(
    clip: tuple[Path, list[tuple[float, ...]]], tmp_path: Path, strict: FaceDetector
) -> None:
    video, truths = clip
    out = tmp_path / "rec.wgs"
    r = run_hud("record", "--video", str(video), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    reader = SessionReader(out)
    frames = reader.read_all()
    assert len(frames) == FRAMES and reader.header["redaction"]["faces"] == "hidden"
    assert all(len(f.hands) == 1 for f in frames)
    for frame, truth in zip(frames, truths):
        rgb = frame.decode_image()
        assert rgb is not None
        assert not any(iou(f.box, truth) > 0.1 for f in strict.detect(rgb)), frame.index


def test_redacting_a_session_changes_only_the_images_of_frames_with_faces(
    clip: tuple[Path, list[tuple[float, ...]]], tmp_path: Path, strict: FaceDetector
) -> None:
    video, truths = clip
    raw = tmp_path / "raw.wgs"
    assert main(["record", "--video", str(video), "--keep-faces", "--out", str(raw)]) == 0
    original = SessionReader(raw)
    before = original.read_all()
    assert original.header["redaction"] is None
    first = before[0].decode_image()
    assert first is not None and any(iou(f.box, truths[0]) > 0.3 for f in strict.detect(first))

    out = tmp_path / "red.wgs"
    r = run_hud("redact", str(raw), "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    _clean(r.stderr)
    lines, summary = _json_lines(r.stdout)
    assert summary["kind"] == "session" and summary["frames_with_faces"] == WITH_FACE
    assert [line["frame"] for line in lines] == [f.index for f in before]
    reader = SessionReader(out)
    after = reader.read_all()
    assert reader.complete and original.complete
    unchanged = {k: v for k, v in original.header.items() if k != "redaction"}
    assert {k: v for k, v in reader.header.items() if k != "redaction"} == unchanged
    assert reader.header["redaction"]["method"] == "blur"
    assert len(after) == len(before)
    for old, new in zip(before, after):
        assert (old.index, old.timestamp_ms, old.events, old.gaze) == (
            new.index,
            new.timestamp_ms,
            new.events,
            new.gaze,
        )
        assert [h.landmarks.tobytes() for h in old.hands] == [
            h.landmarks.tobytes() for h in new.hands
        ]
    for i, truth in enumerate(truths):
        rgb = after[i].decode_image()
        assert rgb is not None and not any(iou(f.box, truth) > 0.1 for f in strict.detect(rgb))
    # Beyond the hold nothing was hidden: the stored JPEG bytes are copied as they were.
    assert [f.image for f in after[WITH_FACE + 3 :]] == [f.image for f in before[WITH_FACE + 3 :]]
    assert summary["frames_changed"] == WITH_FACE + 3


# --------------------------------------------------------------------------- bad input


def test_bad_input_is_one_line_exit_2_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(FACE_PHOTO.read_bytes())
    text = tmp_path / "notes.txt"
    text.write_text("not a picture\n")
    taken = tmp_path / "taken.png"
    taken.write_bytes(b"the user's own file")
    landmarks_only = tmp_path / "nov.wgs"
    argv = ["record", "--video", str(HAND_VIDEO), "--max-frames", "2", "--no-video"]
    assert main([*argv, "--out", str(landmarks_only)]) == 0
    cases = {
        "input not found": [str(tmp_path / "missing.jpg"), "--out", str(tmp_path / "a.png")],
        "is a folder": [str(tmp_path), "--out", str(tmp_path / "a.png")],
        "not an image, a video or a Waveglass session": [
            str(text),
            "--out",
            str(tmp_path / "a.png"),
        ],
        "exists; give a new file name": [str(photo), "--out", str(taken)],
        "is the input": [str(photo), "--out", str(photo)],
        "must end in .png, .jpg or .jpeg": [str(photo), "--out", str(tmp_path / "a.mp4")],
        "output folder does not exist": [str(photo), "--out", str(tmp_path / "no" / "a.png")],
        "without video frames": [str(landmarks_only), "--out", str(tmp_path / "a.wgs")],
        "strength must be": [str(photo), "--out", str(tmp_path / "a.png"), "--strength", "nan"],
        "--jpeg-quality": [str(photo), "--out", str(tmp_path / "a.jpg"), "--jpeg-quality", "0"],
    }
    before = sorted(p.name for p in tmp_path.iterdir())
    for expected, args in cases.items():
        err = expect_error(capsys, ["redact", *args])
        assert expected in err, (expected, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert taken.read_bytes() == b"the user's own file"


def test_a_damaged_session_fails_before_anything_is_written(
    clip: tuple[Path, list[tuple[float, ...]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = tmp_path / "s.wgs"
    argv = ["record", "--video", str(clip[0]), "--max-frames", "4", "--keep-faces"]
    assert main([*argv, "--out", str(session)]) == 0
    data = bytearray(session.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the middle of a frame
    session.write_bytes(bytes(data))
    err = expect_error(capsys, ["redact", str(session), "--out", str(tmp_path / "out.wgs")])
    assert "corrupt session" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.wgs"]


@pytest.mark.parametrize(
    ("fault", "patches"),
    [
        ("read-only", {"tempfile.mkstemp": errno.EROFS}),
        ("full disk", {"os.fsync": errno.ENOSPC}),
    ],
)
def test_an_unwritable_output_is_one_line_and_leaves_nothing(
    fault: str,
    patches: dict[str, int],
    clip: tuple[Path, list[tuple[float, ...]]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Tests run as root here, where chmod stops nothing: the faults are the errors the
    system calls would give (as in tests/e2e/test_faults.py)."""
    raw = tmp_path / "in" / "raw.wgs"
    raw.parent.mkdir()
    argv = ["record", "--video", str(clip[0]), "--max-frames", "3", "--keep-faces"]
    assert main([*argv, "--out", str(raw)]) == 0
    outs = tmp_path / "outs"
    outs.mkdir()

    def fail(code: int) -> object:
        def raiser(*args: object, **kwargs: object) -> None:
            raise OSError(code, os.strerror(code))

        return raiser

    for source, name in ((FACE_PHOTO, "a.png"), (clip[0], "a.mp4"), (raw, "a.wgs")):
        with contextlib.ExitStack() as stack:
            for target, code in patches.items():
                stack.enter_context(mock.patch(target, fail(code)))
            err = expect_error(capsys, ["redact", str(source), "--out", str(outs / name)])
        assert "cannot write" in err or "cannot create" in err, (fault, name, err)
        assert list(outs.iterdir()) == [], (fault, name)
