"""``hud record`` and ``hud replay``: capture what the trackers saw, and play it back.

``hud record`` runs the trackers on a video, a camera, an image sequence or the frames
of an earlier session — MediaPipe hands in VIDEO mode (timestamps from the source),
optionally the face mesh with gaze and head pose, optionally markers — feeds the hands
to :class:`gestures.recognizer.GestureRecognizer`, and writes frames, landmarks and
events to a session file (:mod:`hud.io.session`) as it goes. A camera records until
Ctrl-C, which ends the file cleanly; a crash or ``kill -9`` leaves a file that replays
up to the last written frame.

Stored frames are redacted (:class:`hud.privacy.redact.FaceRedactor`): bystanders'
faces are blurred, the wearer's hands (the hands the session keeps) stay sharp, and the
header's ``redaction`` entry says how. ``--keep-faces`` stores frames as captured, for
the one case where the faces in view are the consenting user's own and must stay
findable: a gaze recording of yourself at a desk camera, to be re-tracked later with
``--session ... --face`` (a blurred face cannot be). Landmarks are tracked on the
unblurred frame either way.

``hud replay`` prints the events, frame by frame, and a summary. ``--rerun`` recomputes
them from the stored landmarks with the current recognisers (to try a change on a real
recording); ``--verify`` does that and exits 1 if anything differs from what was
recorded. ``--json`` prints JSON lines: one ``{"event": ...}`` object per event, then
one ``{"summary": ...}`` object.

Bad input — a missing video, a session that is not one, a damaged record — is one line
on stderr and exit status 2. ``record`` never replaces an existing file without
``--force``, and checks its input before creating the output, so a failed command
leaves the user's files as they were.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hud.errors import HudError


def register(sub: Any) -> None:
    """Add the ``record`` subcommand (see :mod:`hud.cli`)."""
    rec = sub.add_parser(
        "record",
        help="track hands (and faces, markers) in a video or camera and save a session",
        description="Run the hand tracker (optionally face and markers) and the gesture "
        "recognisers on frames from a video, camera or image sequence, and write frames, "
        "landmarks and events to a session file, incrementally.",
    )
    src = rec.add_mutually_exclusive_group(required=True)
    src.add_argument("--video", metavar="FILE", help="a video file")
    src.add_argument("--camera", metavar="N|DEVICE", help="a camera index or device path")
    src.add_argument("--images", metavar="DIR|GLOB", help="a folder or glob of images")
    src.add_argument("--session", metavar="FILE", help="the frames of an earlier session")
    rec.add_argument("--out", required=True, metavar="SESSION", help="session file to write")
    rec.add_argument("--force", action="store_true", help="replace SESSION if it exists")
    rec.add_argument("--max-frames", type=int, metavar="N", help="stop after N frames")
    rec.add_argument("--fps", type=float, default=30.0, help="frame rate of --images (default 30)")
    rec.add_argument("--face", action="store_true", help="also track faces (gaze, head pose)")
    rec.add_argument(
        "--markers",
        default="none",
        metavar="DICT",
        help="marker dictionary: none (default), auto, or a name such as DICT_6X6_250",
    )
    rec.add_argument("--marker-size", type=float, metavar="METRES", help="adds marker poses")
    rec.add_argument("--hfov", type=float, metavar="DEG", help="camera horizontal FOV")
    rec.add_argument("--calibration", metavar="FILE", help="camera calibration file")
    rec.add_argument("--max-hands", type=int, default=2, help="most hands (default 2)")
    rec.add_argument("--model-complexity", type=int, choices=(0, 1), default=1)
    rec.add_argument("--mirrored", action="store_true", help="frames are mirrored (selfie)")
    rec.add_argument("--no-video", action="store_true", help="store landmarks only, no frames")
    rec.add_argument(
        "--keep-faces",
        action="store_true",
        help="store frames without blurring faces: only when everyone in view agreed "
        "(e.g. your own face at a desk camera, for gaze sessions to re-track with --face)",
    )
    rec.add_argument(
        "--jpeg-quality",
        type=int,
        default=90,
        metavar="Q",
        help="JPEG quality 1-100 (90); frames from --session keep their stored JPEG",
    )
    rec.set_defaults(func=run_record)


# ------------------------------------------------------------------------------ record


def _check_record_args(args: argparse.Namespace) -> Path:
    """The output path, once it and the options are fine; nothing has been opened yet."""
    from hud.cli.common import check_marker_size, same_file
    from hud.io.session import check_new_session_path

    out = Path(args.out)
    for option, value in (("--video", args.video), ("--session", args.session)):
        if value is not None and same_file(value, out):
            raise HudError(f"{option} and --out are the same file")
    check_new_session_path(out, force=args.force)
    if args.max_frames is not None and args.max_frames < 1:
        raise HudError(f"--max-frames must be at least 1, got {args.max_frames}")
    if args.max_hands < 1:
        raise HudError(f"--max-hands must be at least 1, got {args.max_hands}")
    if not 1 <= args.jpeg_quality <= 100:
        raise HudError(f"--jpeg-quality must be 1 to 100, got {args.jpeg_quality}")
    check_marker_size(args.marker_size)
    return out


def _check_source(source: Any, args: argparse.Namespace, out: Path) -> None:
    """Check the whole input before the output is created, as far as that is cheap.

    A session file is written as it is recorded (so that a crash leaves a file that
    replays), so ``--force`` truncates the old one at the start: an input that fails
    half-way must fail here instead. Image sequences: none is ``--out``, and every
    image's header gives one size. Sessions: every frame decodes and has an image.
    A video or camera fails only when it cannot be opened (checked already) and ends
    at an unreadable frame rather than failing.
    """
    from hud.cli.common import same_file
    from hud.io.sources import ImageSequenceSource

    if isinstance(source, ImageSequenceSource):
        files = source.files
        for path in files:
            if same_file(path, out):
                raise HudError(f"--out {out} is one of the --images; give another file name")
        _check_image_sizes(files)
    if args.session is not None:
        from hud.io.session import SessionReader

        with SessionReader(args.session) as reader:
            for count, frame in enumerate(reader.frames()):
                if args.max_frames is not None and count >= args.max_frames:
                    break
                if frame.image is None:
                    raise HudError(f"frame {frame.index} of the session has no image")


def _image_size(path: Path) -> tuple[tuple[int, int], set[tuple[int, int]]]:
    """An image's size as it will be read, and the sizes it may have (from its header).

    OpenCV applies an EXIF rotation, so a rotated photo may be read either way round;
    a PNG's EXIF is only looked for in its header (Pillow would decode the image to
    find a late one), so a PNG with EXIF may be either way round too.
    """
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                width, height = im.size
                if im.format == "PNG":
                    turned = "exif" in im.info
                else:
                    turned = im.getexif().get(0x0112) in (5, 6, 7, 8)
    except Exception:  # not for Pillow (or refused by it): let OpenCV say
        import cv2

        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            raise HudError(f"cannot read image {path} (not an image OpenCV can decode)") from None
        size = (int(bgr.shape[1]), int(bgr.shape[0]))
        return size, {size}
    if turned:
        return (height, width), {(width, height), (height, width)}
    return (width, height), {(width, height)}


def _check_image_sizes(files: list[Path]) -> None:
    first: tuple[int, int] | None = None
    allowed: set[tuple[int, int]] = set()
    for path in files:
        size, sizes = _image_size(path)
        if first is None:
            first, allowed = size, sizes
        elif not allowed & sizes:
            raise HudError(
                f"image {path} is {size[0]}×{size[1]}, but the sequence started at "
                f"{first[0]}×{first[1]}; every frame must have the same size"
            )
        else:
            allowed &= sizes


def _pipeline_options(args: argparse.Namespace) -> Any:
    """The pipeline's trackers for the flags, checked before the source is opened."""
    from hud.app.pipeline import HudPipelineOptions, MarkerOptions
    from hud.trackers.faces import FaceLandmarkerOptions
    from hud.trackers.hands import HandLandmarkerOptions
    from hud.trackers.landmarker import RunningMode
    from hud.trackers.markers import resolve_dictionary

    name = args.markers.strip()
    dictionary = None if name.lower() == "none" else resolve_dictionary(name)
    no_camera = args.hfov is None and args.calibration is None
    if args.marker_size is not None and (dictionary is None or no_camera):
        raise HudError("--marker-size needs --markers and --hfov or --calibration")
    markers = None
    if dictionary is not None:
        markers = MarkerOptions(
            dictionary=dictionary,
            marker_length_m=args.marker_size,
            camera_fov_h_deg=args.hfov,
            calibration=args.calibration,
        )
    hands = HandLandmarkerOptions(
        running_mode=RunningMode.VIDEO,
        num_hands=args.max_hands,
        model_complexity=args.model_complexity,
        mirrored=args.mirrored,
    )
    faces = FaceLandmarkerOptions(running_mode=RunningMode.VIDEO) if args.face else None
    return HudPipelineOptions(hands=hands, faces=faces, markers=markers)


def _header(
    args: argparse.Namespace, pipeline: Any, source: Any, first: Any, redactor: Any
) -> dict:
    """The session header: what was tracked and how (the keys ``hud replay`` reads)."""
    import dataclasses

    from hud.privacy.redact import describe_redaction
    from hud.trackers.markers import camera_intrinsics

    width, height = first.size
    intr = camera_intrinsics(width, height, calibration=args.calibration, hfov_deg=args.hfov)
    options = pipeline.options
    hands, markers = options.hands, options.markers
    return {
        "source": source.description,
        "fps": source.fps,
        "video": not args.no_video,
        "image_encoding": None if args.no_video else "jpeg",
        "hands": {
            # HandLandmarker's backend: a .task model runs on Tasks, else on solutions.
            "backend": "tasks" if hands.base_options.model_asset_path else "solutions",
            "max_num_hands": hands.num_hands,
            "model_complexity": hands.model_complexity,
            "mirrored": hands.mirrored,
            "running_mode": "video",
        },
        "faces": options.faces is not None,
        "redaction": None if redactor is None else describe_redaction(redactor.options),
        "markers": {
            "dictionary": None if markers is None else markers.dictionary,
            "marker_length_m": args.marker_size,
        },
        "intrinsics": None if intr is None else dataclasses.asdict(intr),
        "recognizer": dataclasses.asdict(pipeline.recognizer.options),
        "width": width,
        "height": height,
    }


def _record(pipeline: Any, frame: Any, args: argparse.Namespace, redactor: Any = None) -> Any:
    """One :class:`hud.io.sources.Frame` tracked and recognised, as a session record;
    its image redacted by ``redactor`` (``None``: stored as captured)."""
    from gestures.gaze_geometry import face_gaze
    from gestures.tracker_input import wearer_hand_results
    from hud.app.pipeline import FrameInput
    from hud.io.records import FrameRecord, event_to_dict

    tracked = pipeline.track(FrameInput(timestamp_ms=frame.timestamp_ms, rgb=frame.rgb))
    events = pipeline.recognise(tracked)
    # Only the wearer's hands are kept: a bystander's landmarks never reach the file.
    hands = wearer_hand_results(tracked.hands, pipeline.recognizer.options.wearer)
    return FrameRecord(
        index=frame.index,
        timestamp_ms=tracked.timestamp_ms,
        hands=hands,
        faces=tracked.faces,
        gaze=tuple(face_gaze(f) for f in tracked.faces),
        markers=tracked.markers,
        events=tuple(event_to_dict(e) for e in events),
        image=None if args.no_video else _stored_image(frame, hands, args, redactor),
    )


def _stored_image(frame: Any, hands: Any, args: argparse.Namespace, redactor: Any) -> bytes:
    """The frame's JPEG with bystanders' faces hidden and the wearer's ``hands`` kept.

    A frame in which nothing had to change keeps the bytes :func:`_jpeg` gives (a
    session's own, when re-recording one), so redaction costs no quality there.
    """
    if redactor is not None:
        import numpy as np

        from hud.cli.redact import encode_jpeg
        from hud.privacy.redact import hand_boxes

        keep = hand_boxes(hands, frame.size)
        result = redactor.redact_for_video(frame.rgb, frame.timestamp_ms, keep=keep)
        if result.regions and not np.array_equal(result.image, frame.rgb):
            return encode_jpeg(result.image, args.jpeg_quality)
    return _jpeg(frame, args.jpeg_quality)


def _jpeg(frame: Any, quality: int) -> bytes:
    """The frame as a JPEG: a session's own bytes when it came from one (no generation
    loss), else encoded at ``quality``."""
    import cv2

    if frame.jpeg is not None:
        return bytes(frame.jpeg)
    bgr = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR)
    ok, jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV always encodes an 8-bit image
        raise HudError(f"cannot encode frame {frame.index} as JPEG")
    return bytes(jpeg.tobytes())


@contextlib.contextmanager
def _stop_on_ctrl_c() -> Iterator[Callable[[], bool]]:
    """Turn the first Ctrl-C into a request to stop after the current frame.

    A KeyboardInterrupt raised in the middle of writing a record would leave a torn
    record followed by the end record, i.e. a damaged file; a flag checked between
    frames cannot. A second Ctrl-C raises as usual (for a source stuck in a read); the
    file then simply has no end record.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop.is_set  # signals only reach the main thread
        return

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _redactor(args: argparse.Namespace) -> Iterator[Any]:
    """The face redactor for stored frames, or ``None`` when none are stored or
    ``--keep-faces`` asks for them as captured."""
    if args.no_video or args.keep_faces:
        yield None
        return
    from hud.privacy.redact import FaceRedactor

    with FaceRedactor() as redactor:
        yield redactor


def run_record(args: argparse.Namespace) -> int:
    """Entry point of ``hud record``: an existing session is kept unless ``--force``."""
    from hud.io.session import SessionExistsError

    try:
        return _run_record(args)
    except SessionExistsError as exc:
        raise HudError(f"{exc.path} exists; pass --force to replace it") from None


def _run_record(args: argparse.Namespace) -> int:
    """Entry point of ``hud record``: a thin user of :class:`hud.app.pipeline.HudPipeline`
    (track + recognise; nothing is rendered)."""
    from hud.app.pipeline import HudPipeline
    from hud.io.session import SessionWriter
    from hud.io.sources import open_source
    from hud.trackers.landmarker import quiet_native_logs

    out = _check_record_args(args)
    options = _pipeline_options(args)
    source = open_source(
        video=args.video,
        camera=args.camera,
        images=args.images,
        session=args.session,
        fps=args.fps,
        max_frames=args.max_frames,
    )
    interrupted = False
    with source:
        _check_source(source, args, out)
        frames = iter(source)
        first = next(frames, None)
        if first is None:
            raise HudError(f"{source.description}: no frames could be read")
        # Tracking and recognising only: no display profile, nothing rendered.
        with (
            quiet_native_logs(),
            HudPipeline(None, options) as pipeline,
            _redactor(args) as redactor,
        ):
            # The first frame is tracked before the output is made: a tracker that
            # cannot start leaves the user's file (even with --force) as it was.
            head = _record(pipeline, first, args, redactor)
            header = _header(args, pipeline, source, first, redactor)
            rest = (_record(pipeline, f, args, redactor) for f in frames)
            records = itertools.chain([head], rest)
            with (
                SessionWriter(out, header, force=args.force) as writer,
                _stop_on_ctrl_c() as stop,
            ):
                for record in records:
                    writer.write_frame(record)
                    if stop():  # a camera stops this way; the file is closed cleanly
                        interrupted = True
                        break
    seconds = (writer.last_timestamp_ms or 0) / 1000.0
    how = " (stopped by Ctrl-C)" if interrupted else ""
    print(
        f"recorded {writer.frames} frames ({seconds:.2f} s) and {writer.events} events "
        f"to {out}{how}"
    )
    return 0


# ------------------------------------------------------------------------------ replay
