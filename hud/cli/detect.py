"""``hud detect IMAGE``: what the trackers see in one picture — hands, faces, markers.

It is the quickest way to check that a photo (or a frame grabbed from the glasses'
camera) will drive the HUD: which hands and poses are found, where a face looks, and
which markers decode (``--markers tag36h11`` reads AprilTags with the AprilTag 3 reference
library, which finds small, distant tags; ``auto`` includes it). ``--json`` prints one object with exactly the keys ``hands``,
``faces`` and ``markers`` (``markers`` entries gain a ``pose`` key only when
``--marker-size`` asks for poses); without it, a short summary for people.

Landmarks are printed as MediaPipe gives them (x, y normalised to the image, z relative
depth); handedness is the person's actual hand for an unmirrored image (``--mirrored``
for selfie-style input). Heavy imports (MediaPipe, OpenCV) happen inside :func:`run`, so
``hud --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hud.errors import HudError

if TYPE_CHECKING:
    import numpy as np

    from hud.trackers.markers import CameraIntrinsics
    from hud.trackers.results import HandResult, MarkerResult


def register(sub: Any) -> None:
    """Add the ``detect`` subcommand (see :mod:`hud.cli`)."""
    p = sub.add_parser(
        "detect",
        help="find hands, faces and markers in an image",
        description="Find hands (with pose), faces (with gaze) and ArUco/AprilTag markers "
        "in one image.",
    )
    p.add_argument("image", help="image file (PNG, JPEG, ...)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--markers",
        default="auto",
        metavar="DICT",
        help="marker dictionary: auto (default: common ArUco and AprilTag families), "
        "none, an ArUco name such as DICT_6X6_250, or an AprilTag family such as "
        "tag36h11 (read by the AprilTag 3 library, which finds smaller tags)",
    )
    p.add_argument("--max-hands", type=int, default=2, help="most hands to report (default 2)")
    p.add_argument("--max-faces", type=int, default=1, help="most faces to report (default 1)")
    p.add_argument(
        "--model-complexity",
        type=int,
        choices=(0, 1),
        default=1,
        help="built-in hand model: 0 lite, 1 full (default 1)",
    )
    p.add_argument(
        "--hand-model", metavar="FILE", help="a MediaPipe Tasks hand_landmarker .task bundle"
    )
    p.add_argument("--mirrored", action="store_true", help="the image is mirrored (selfie preview)")
    p.add_argument(
        "--marker-size",
        type=float,
        metavar="METRES",
        help="printed marker side (black square) in metres: adds each marker's pose",
    )
    p.add_argument("--hfov", type=float, metavar="DEG", help="camera horizontal FOV, for poses")
    p.add_argument(
        "--calibration",
        metavar="FILE",
        help="camera calibration (JSON or OpenCV YAML/XML), for poses",
    )
    p.add_argument(
        "--draw", metavar="OUT.png", help="also write the image with the detections drawn on it"
    )
    p.set_defaults(func=run)


def classify_hand_pose(hand: HandResult) -> tuple[str, float]:
    """Pose label and score from :mod:`gestures.poses`, or ``("none", 0.0)`` without it.

    The hand goes in as the live recognisers get it (:func:`hud.app.rerun.hand_landmarks`:
    aspect ratio undone, MediaPipe's z as extra evidence), so a photo and a video frame of
    the same hand get the same pose.
    """
    try:
        from gestures.poses import classify_pose
    except ModuleNotFoundError as exc:
        if exc.name in ("gestures", "gestures.poses"):
            return "none", 0.0
        raise
    from gestures.tracker_input import hand_landmarks

    result = classify_pose(hand_landmarks(hand))
    return str(result.label), float(result.score)


def _intrinsics(args: argparse.Namespace, width: int, height: int) -> CameraIntrinsics | None:
    from hud.cli.common import check_marker_size
    from hud.trackers.markers import camera_intrinsics

    if args.marker_size is None:
        if args.hfov is not None or args.calibration is not None:
            raise HudError("--hfov and --calibration are for marker poses: add --marker-size")
        return None
    check_marker_size(args.marker_size)
    if args.hfov is None and args.calibration is None:
        raise HudError("--marker-size needs the camera: add --hfov DEG or --calibration FILE")
    return camera_intrinsics(width, height, calibration=args.calibration, hfov_deg=args.hfov)


def _round_rows(rows: Any, digits: int) -> list[list[float]]:
    return [[round(float(v), digits) for v in row] for row in rows]


def _marker_json(marker: MarkerResult, with_pose: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "dictionary": marker.dictionary,
        "id": marker.id,
        "corners": _round_rows(marker.corners, 3),
    }
    if with_pose:
        if marker.rvec is not None and marker.tvec is not None:
            out["pose"] = {
                "rvec": [round(float(v), 6) for v in marker.rvec],
                "tvec": [round(float(v), 6) for v in marker.tvec],
                "reprojection_error_px": round(float(marker.reprojection_error_px or 0.0), 4),
            }
        else:
            out["pose"] = None
    return out


def detect_image(rgb: np.ndarray, args: argparse.Namespace) -> dict[str, Any]:
    """Run every tracker on one RGB image and return the ``--json`` object."""
    import cv2

    from gestures import gaze_geometry
    from hud.trackers import markers
    from hud.trackers.faces import FaceLandmarker, FaceLandmarkerOptions
    from hud.trackers.hands import HandLandmarker, HandLandmarkerOptions
    from hud.trackers.landmarker import BaseOptions, quiet_native_logs

    dictionary = "none" if args.markers.strip().lower() == "none" else None
    if dictionary is None:
        dictionary = markers.resolve_dictionary(args.markers)
    height, width = rgb.shape[:2]
    intrinsics = _intrinsics(args, width, height)
    hand_options = HandLandmarkerOptions(
        num_hands=args.max_hands,
        model_complexity=args.model_complexity,
        base_options=BaseOptions(model_asset_path=args.hand_model),
        mirrored=args.mirrored,
    )
    face_options = FaceLandmarkerOptions(num_faces=args.max_faces)
    try:
        with quiet_native_logs():
            with HandLandmarker(hand_options) as hand_tracker:
                hands = hand_tracker.detect(rgb)
            with FaceLandmarker(face_options) as face_tracker:
                faces = face_tracker.detect(rgb)
    except RuntimeError as exc:  # MediaPipe's own failures, as one line
        raise HudError(f"MediaPipe failed: {exc}") from None

    hands_out = []
    for hand in hands:
        label, score = classify_hand_pose(hand)
        hands_out.append(
            {
                "handedness": hand.handedness,
                "score": round(hand.score, 4),
                "landmarks": _round_rows(hand.landmarks, 6),
                "pose": label,
                "pose_score": round(score, 4),
            }
        )
    faces_out = [
        {
            "landmarks": _round_rows(face.landmarks, 6),
            "gaze": gaze_geometry.gaze_for_face(face).as_dict(),
        }
        for face in faces
    ]
    markers_out: list[dict[str, Any]] = []
    if dictionary != "none":
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        found = markers.detect_markers(
            gray,
            dictionary,
            marker_length_m=args.marker_size if intrinsics is not None else None,
            intrinsics=intrinsics,
        )
        markers_out = [_marker_json(m, intrinsics is not None) for m in found]
    return {"hands": hands_out, "faces": faces_out, "markers": markers_out}


def summary(result: dict[str, Any], path: Path, width: int, height: int) -> str:
    """The human-readable report printed without ``--json``."""
    lines = [f"{path.name}: {width}×{height}"]
    lines.append(f"hands: {len(result['hands'])}")
    for hand in result["hands"]:
        lines.append(
            f"  {hand['handedness']} hand ({hand['score']:.2f}), "
            f"pose {hand['pose']} ({hand['pose_score']:.2f})"
        )
    lines.append(f"faces: {len(result['faces'])}")
    for face in result["faces"]:
        gaze = face["gaze"]
        lines.append(f"  gaze yaw {gaze['yaw_deg']:+.1f}°, pitch {gaze['pitch_deg']:+.1f}°")
    lines.append(f"markers: {len(result['markers'])}")
    by_dict: dict[str, list[str]] = {}
    for marker in result["markers"]:
        by_dict.setdefault(marker["dictionary"], []).append(str(marker["id"]))
    for name, ids in by_dict.items():
        lines.append(f"  {name}: {', '.join(ids)}")
    for marker in result["markers"]:
        if "pose" in marker:
            pose = marker["pose"]
            where = (
                "pose rejected (reprojection error too large)"
                if pose is None
                else "at ({:.3f}, {:.3f}, {:.3f}) m".format(*pose["tvec"])
            )
            lines.append(f"  {marker['dictionary']} #{marker['id']} {where}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``hud detect``; bad input raises :class:`HudError` (exit 2)."""
    if args.max_hands < 1 or args.max_faces < 1:
        raise HudError("--max-hands and --max-faces must be at least 1")
    from hud.io.images import check_output, load_rgb

    path = Path(args.image)
    if getattr(args, "draw", None):
        from hud.cli.common import same_file

        check_output(args.draw, "--draw")  # before tracking, not after
        if same_file(args.draw, path):
            raise HudError(f"--draw {args.draw} is the input image; give another file name")
    if path.is_dir():
        raise HudError(f"not an image file: {path} is a folder")
    rgb = load_rgb(path)
    height, width = rgb.shape[:2]
    result = detect_image(rgb, args)
    if getattr(args, "draw", None):
        from hud.cli.annotate import draw_detections
        from hud.io.images import save_png

        save_png(args.draw, draw_detections(rgb, result))
    if args.json:
        print(json.dumps(result, separators=(",", ":")))
    else:
        print(summary(result, path, width, height))
    return 0
