"""``hud redact IN --out OUT``: bystanders' faces blurred in a photo, a video or a session.

IN is recognised by its content: a Waveglass session (its magic bytes), an image Pillow
reads (PNG, JPEG, ...) or a video OpenCV decodes (MP4, MOV, ...). OUT is a new file of
the same kind — an image (``.png`` or ``.jpg``, 8-bit RGB whatever the input's depth), an
``.mp4`` (the video's frames only: no audio track) or a session in which only the
frames' images change: hands, faces, markers, gaze and events are copied as recorded,
a frame with nothing to hide keeps its JPEG bytes, and the header gains a
``redaction`` entry. The wearer's hands stay sharp — a session's stored hands, and in
images and videos the hands the hand tracker finds and ``hud record`` would keep —
because the face detector takes open palms for faces.

In a video or a session, each frame also hides the faces found in the frames up to
``hold_ms`` before *and after* it (two passes over the input), so a face the detector
misses for a frame or two is still hidden. ``--json`` prints one JSON object per frame
(``frame``, ``timestamp_ms`` for videos and sessions, ``faces``: each a pixel ``box`` and
a ``score``; never pixels) and then one ``{"summary": ...}`` object.

OUT must not exist and must not be IN; it is written to a temp file beside it and given
its name only when complete, so a failure or Ctrl-C leaves nothing. Bad input is one line
on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from hud.errors import HudError, check_regular_file

if TYPE_CHECKING:
    import numpy as np

    from hud.privacy.redact import Box, FaceRedactor, RedactOptions
    from hud.trackers.results import FaceDetection

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm")


def register(sub: Any) -> None:
    """Add the ``redact`` subcommand (see :mod:`hud.cli`)."""
    p = sub.add_parser(
        "redact",
        help="blur bystanders' faces in an image, a video or a recorded session",
        description="Find faces (MediaPipe's full-range face detector, tiled for distant "
        "faces) and blur them, writing a new image, MP4 or session.",
    )
    p.add_argument("input", metavar="IN", help="an image, a video or a session file")
    p.add_argument(
        "--out",
        required=True,
        metavar="OUT",
        help="new file: .png/.jpg for an image, .mp4 for a video, a session file for a session",
    )
    p.add_argument("--json", action="store_true", help="print the faces found, as JSON lines")
    p.add_argument("--method", choices=("blur", "pixelate", "fill"), help="default blur")
    p.add_argument(
        "--strength", type=float, help="detail removed, as a fraction of a face's width (0.3)"
    )
    p.add_argument(
        "--min-confidence", type=float, metavar="C", help="face detector's threshold (0.4)"
    )
    p.add_argument(
        "--min-face",
        type=float,
        metavar="FRACTION",
        help="smallest face to find, as a fraction of the image's longer side (0.03)",
    )
    p.add_argument("--jpeg-quality", type=int, default=90, metavar="Q", help="for JPEG output (90)")
    p.set_defaults(func=run)


def _options(args: argparse.Namespace) -> RedactOptions:
    from hud.privacy.redact import RedactOptions

    given = {
        "method": args.method,
        "strength": args.strength,
        "min_detection_confidence": args.min_confidence,
        "min_face_fraction": args.min_face,
    }
    if not 1 <= args.jpeg_quality <= 100:
        raise HudError(f"--jpeg-quality must be 1 to 100, got {args.jpeg_quality}")
    return RedactOptions(**{k: v for k, v in given.items() if v is not None})


# ------------------------------------------------------------------------------ checks


def input_kind(path: Path) -> str:
    """``"session"``, ``"video"`` or ``"image"``, from the file's content and name."""
    from hud.io.session import MAGIC

    if not path.exists():
        raise HudError(f"input not found: {path}")
    if path.is_dir():
        raise HudError(f"{path} is a folder; give an image, a video or a session file")
    check_regular_file(path, "input")
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise HudError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head.startswith(MAGIC):
        return "session"
    if head[4:8] == b"ftyp" or path.suffix.lower() in VIDEO_SUFFIXES:
        return "video"
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path):
                return "image"
    except Exception:  # anything Pillow refuses is not an image for this command
        raise HudError(f"{path} is not an image, a video or a Waveglass session") from None


def check_out(text: str, source: Path, kind: str) -> Path:
    """OUT, if a new file of ``kind`` may be written there; checked before any work."""
    from hud.cli.common import same_file

    out = Path(text)
    if not text or text.endswith(("/", os.sep)) or out.is_dir():
        raise HudError(f"output path is a folder: {text or '(empty)'}")
    if same_file(source, out):
        raise HudError(f"--out {out} is the input; give a new file name")
    if out.exists() or out.is_symlink():
        raise HudError(f"{out} exists; give a new file name (nothing is replaced)")
    suffix = out.suffix.lower()
    if kind == "image" and suffix not in IMAGE_SUFFIXES:
        raise HudError(f"--out for an image must end in .png, .jpg or .jpeg, got {out}")
    if kind == "video" and suffix != ".mp4":
        raise HudError(f"--out for a video must be an .mp4 file, got {out}")
    if kind == "session" and suffix in (*IMAGE_SUFFIXES, *VIDEO_SUFFIXES):
        raise HudError(f"--out for a session must be a session file (.wgs), got {out}")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise HudError(f"output folder does not exist: {parent}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise HudError(f"cannot write in folder {parent}: permission denied")
    return out


# ------------------------------------------------------------------------------ run


@dataclasses.dataclass
class _Report:
    """What one frame held: its faces (pixels) and whether its pixels changed."""

    index: int
    timestamp_ms: int | None
    faces: tuple[FaceDetection, ...]
    changed: bool


def run(args: argparse.Namespace) -> int:
    """Entry point of ``hud redact``; bad input raises :class:`HudError` (exit 2)."""
    from hud.privacy.redact import FaceRedactor
    from hud.trackers.landmarker import quiet_native_logs

    options = _options(args)
    source = Path(args.input)
    kind = input_kind(source)
    out = check_out(args.out, source, kind)
    # MediaPipe's and FFmpeg's native log lines are silenced for the whole run; the
    # progress bars write to a copy of the terminal's stderr, so they still show.
    with _terminal() as terminal, quiet_native_logs(), FaceRedactor(options) as redactor:
        if kind == "image":
            reports = _redact_image(redactor, source, out, args.jpeg_quality)
        elif kind == "video":
            reports = _redact_video(redactor, source, out, terminal)
        else:
            reports = _redact_session(redactor, source, out, args.jpeg_quality, terminal)
    _print(args.json, kind, source, out, reports)
    return 0


@contextlib.contextmanager
def _terminal() -> Iterator[TextIO]:
    """A second stream on stderr's file, which stays the terminal while fd 2 is silenced."""
    try:
        fd = os.dup(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):  # no real stderr (a test's capture)
        yield sys.stderr
        return
    with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as stream:
        yield stream


def _print(as_json: bool, kind: str, source: Path, out: Path, reports: list[_Report]) -> None:
    found = sum(len(r.faces) for r in reports)
    with_faces = sum(1 for r in reports if r.faces)
    changed = sum(1 for r in reports if r.changed)
    if not as_json:
        if kind == "image":
            done = "hidden" if changed else "nothing changed"
            print(f"image {source.name}: {_count(found, 'face')} found, {done} -> {out}")
        else:
            print(
                f"{kind} {source.name}: {_count(len(reports), 'frame')}, "
                f"{_count(found, 'face')} found in {with_faces}, "
                f"{changed} changed -> {out}"
            )
        return
    for r in reports:
        line: dict[str, Any] = {"frame": r.index}
        if r.timestamp_ms is not None:
            line["timestamp_ms"] = r.timestamp_ms
        line["faces"] = [
            {"box": [round(v, 1) for v in f.box], "score": round(f.score, 4)} for f in r.faces
        ]
        print(json.dumps(line, separators=(",", ":")))
    summary = {
        "kind": kind,
        "frames": len(reports),
        "frames_with_faces": with_faces,
        "faces": found,
        "frames_changed": changed,
        "out": str(out),
    }
    print(json.dumps({"summary": summary}, separators=(",", ":")))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _redact_image(redactor: FaceRedactor, source: Path, out: Path, quality: int) -> list[_Report]:
    from hud.io.images import load_rgb

    rgb = load_rgb(source)
    with _WearerHands(video=False) as hands:
        keep = hands.boxes(rgb, None)
    result = redactor.redact(rgb, keep=keep)
    _write_image(out, result.image, quality)
    changed = bool(result.regions) and not _same(result.image, rgb)
    return [_Report(0, None, result.faces, changed)]


def _write_image(out: Path, rgb: np.ndarray, quality: int) -> None:
    """``rgb`` as a PNG or JPEG (by ``out``'s suffix), via a temp file beside it."""
    from PIL import Image

    from hud.io.images import new_file_mode, temp_beside

    try:
        fd, tmp = temp_beside(out, out.suffix.lower())
    except OSError as exc:
        raise HudError(f"cannot write {out}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), new_file_mode())
            if out.suffix.lower() == ".png":
                Image.fromarray(rgb).save(f, format="PNG")
            else:
                Image.fromarray(rgb).save(f, format="JPEG", quality=quality)
            f.flush()
            os.fsync(f.fileno())
        _publish(tmp, out)
    except OSError as exc:
        raise HudError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _publish(tmp: Path, out: Path) -> None:
    """Give a finished temp file its name, never replacing a file made meanwhile."""
    from hud.io.images import fsync_dir

    try:
        os.link(tmp, out)
    except FileExistsError:
        raise HudError(f"{out} appeared while it was being written; it was kept") from None
    except OSError:  # no hard links here: check, then rename
        if out.exists():
            raise HudError(f"{out} appeared while it was being written; it was kept") from None
        os.replace(tmp, out)
    fsync_dir(out.parent if str(out.parent) else Path("."))


def _progress(desc: str, total: int | None, stream: TextIO) -> Any:
    """A progress bar on ``stream`` (stderr), shown only on a terminal."""
    from tqdm import tqdm

    return tqdm(desc=desc, total=total, unit="frame", disable=None, leave=False, file=stream)


class _WearerHands:
    """The wearer's hands in each frame, tracked and selected as ``hud record`` does, as
    boxes to keep: the face detector takes open palms for faces, and blurring them
    would smear the very gestures a glasses video shows."""

    def __init__(self, video: bool) -> None:
        from hud.trackers.hands import HandLandmarker, HandLandmarkerOptions
        from hud.trackers.landmarker import RunningMode

        mode = RunningMode.VIDEO if video else RunningMode.IMAGE
        self._tracker = HandLandmarker(HandLandmarkerOptions(running_mode=mode))

    def boxes(self, rgb: np.ndarray, timestamp_ms: int | None) -> tuple[Box, ...]:
        from gestures.tracker_input import wearer_hand_results
        from hud.privacy.redact import hand_boxes

        if timestamp_ms is None:
            hands = self._tracker.detect(rgb)
        else:
            hands = self._tracker.detect_for_video(rgb, timestamp_ms)
        size = (int(rgb.shape[1]), int(rgb.shape[0]))
        return hand_boxes(wearer_hand_results(hands), size)

    def __enter__(self) -> _WearerHands:
        return self

    def __exit__(self, *exc: object) -> None:
        self._tracker.close()


def _neighbours(
    stamps: list[int], faces: list[tuple[FaceDetection, ...]], hold_ms: int
) -> Iterator[tuple[FaceDetection, ...]]:
    """For each frame, the faces of the other frames within ``hold_ms`` of it."""
    for i, t in enumerate(stamps):
        near: list[FaceDetection] = []
        j = i - 1
        while j >= 0 and t - stamps[j] <= hold_ms:
            near.extend(faces[j])
            j -= 1
        j = i + 1
        while j < len(stamps) and stamps[j] - t <= hold_ms:
            near.extend(faces[j])
            j += 1
        yield tuple(near)


def _redact_video(
    redactor: FaceRedactor, source: Path, out: Path, terminal: TextIO
) -> list[_Report]:
    from hud.io.sources import VideoFileSource
    from hud.io.video import open_frame_writer

    stamps: list[int] = []
    found: list[tuple[FaceDetection, ...]] = []
    keeps: list[tuple[Box, ...]] = []
    with (
        VideoFileSource(source) as video,
        _WearerHands(video=True) as hands,
        _progress("find faces", None, terminal) as bar,
    ):
        fps = video.fps or 30.0
        for frame in video:
            keep = hands.boxes(frame.rgb, frame.timestamp_ms)
            stamps.append(frame.timestamp_ms)
            found.append(_faces_to_hide(redactor.find(frame.rgb), keep))
            keeps.append(keep)
            bar.update(1)
    if not stamps:
        raise HudError(f"cannot read video {source}: no frames could be read")
    reports = []
    near = _neighbours(stamps, found, redactor.options.hold_ms)
    with (
        VideoFileSource(source, max_frames=len(stamps)) as video,
        open_frame_writer(out, fps) as writer,
        _progress("blur", len(stamps), terminal) as bar,
    ):
        for frame, faces, keep, held in zip(video, found, keeps, near):
            result = redactor.blur(frame.rgb, faces, keep=keep, held=held)
            writer.write(result.image)
            changed = bool(result.regions) and not _same(result.image, frame.rgb)
            reports.append(_Report(frame.index, frame.timestamp_ms, result.faces, changed))
            bar.update(1)
        if writer.count != len(stamps):
            raise HudError(
                f"{source} gave {writer.count} frames the second time, not {len(stamps)}"
            )
        writer.complete = True
    return reports


def _faces_to_hide(
    faces: tuple[FaceDetection, ...], keep: tuple[Box, ...]
) -> tuple[FaceDetection, ...]:
    """The faces that are not a kept hand: the ones to hide in neighbouring frames too."""
    from hud.privacy.redact import on_kept

    return tuple(f for f in faces if not on_kept(f.box, keep))


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    import numpy as np

    return bool(np.array_equal(a, b))


def _redact_session(
    redactor: FaceRedactor, source: Path, out: Path, quality: int, terminal: TextIO
) -> list[_Report]:
    from hud.io.session import SessionReader
    from hud.privacy.redact import describe_redaction, hand_boxes

    reader = SessionReader(source)
    if not reader.header.get("video", True):
        raise HudError(f"{source} was recorded without video frames; there is nothing to blur")
    total = reader.validate()  # a damaged record fails here, before any output exists
    stamps: list[int] = []
    found: list[tuple[FaceDetection, ...]] = []
    with _progress("find faces", total, terminal) as bar:
        for frame in reader.frames():
            rgb = frame.decode_image()
            stamps.append(frame.timestamp_ms)
            if rgb is None:
                found.append(())
            else:
                keep = hand_boxes(frame.hands, (int(rgb.shape[1]), int(rgb.shape[0])))
                found.append(_faces_to_hide(redactor.find(rgb), keep))
            bar.update(1)
    header = {**reader.header, "redaction": describe_redaction(redactor.options)}
    with _SessionOutput(out, header) as writer, _progress("blur", len(stamps), terminal) as bar:
        near = _neighbours(stamps, found, redactor.options.hold_ms)
        reports = []
        for frame, faces, held in zip(reader.frames(), found, near):
            record, report = _redact_record(redactor, frame, faces, held, quality)
            writer.write_frame(record)
            reports.append(report)
            bar.update(1)
        writer.complete = reader.complete  # an end record only if the input had one
    return reports


def _redact_record(
    redactor: FaceRedactor,
    frame: Any,
    faces: tuple[FaceDetection, ...],
    held: tuple[FaceDetection, ...],
    quality: int,
) -> tuple[Any, _Report]:
    """One session frame with its image redacted (the wearer's stored hands kept)."""
    from hud.privacy.redact import hand_boxes

    rgb = frame.decode_image()
    if rgb is None:
        return frame, _Report(frame.index, frame.timestamp_ms, (), False)
    size = (int(rgb.shape[1]), int(rgb.shape[0]))
    result = redactor.blur(rgb, faces, keep=hand_boxes(frame.hands, size), held=held)
    report = _Report(frame.index, frame.timestamp_ms, result.faces, False)
    if not result.regions or _same(result.image, rgb):
        return frame, report  # nothing hidden: the stored JPEG bytes, untouched
    report.changed = True
    return dataclasses.replace(frame, image=encode_jpeg(result.image, quality)), report


def encode_jpeg(rgb: np.ndarray, quality: int) -> bytes:
    """An RGB frame as JPEG bytes, as sessions store frames."""
    import cv2

    ok, jpeg = cv2.imencode(".jpg", rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV always encodes an 8-bit image
        raise HudError("cannot encode a frame as JPEG")
    return bytes(jpeg.tobytes())


class _SessionOutput:
    """A session written to a temp file beside ``out`` and linked to its name only when
    every frame is in (``complete`` says whether it gets an end record)."""

    def __init__(self, out: Path, header: dict[str, Any]) -> None:
        from hud.io.images import temp_beside
        from hud.io.session import SessionWriter

        self.out = out
        self.complete = False
        try:
            fd, self._tmp = temp_beside(out, ".wgs")
            os.close(fd)
            self._tmp.unlink()  # SessionWriter creates it exclusively
        except OSError as exc:
            raise HudError(f"cannot write {out}: {exc.strerror or exc}") from None
        self._writer = SessionWriter(self._tmp, header)

    def write_frame(self, record: Any) -> None:
        self._writer.write_frame(record)

    def __enter__(self) -> _SessionOutput:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if exc_type is None:
                self._writer.close(complete=self.complete)
                try:
                    _publish(self._tmp, self.out)
                except OSError as err:
                    raise HudError(f"cannot write {self.out}: {err.strerror or err}") from None
            else:
                self._writer.close(complete=False)
        finally:
            self._tmp.unlink(missing_ok=True)
