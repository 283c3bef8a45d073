"""``hud eval-poses`` and ``hud eval-tracks``: score the gesture recognisers on recordings.

Both print ``{"n", "accuracy", "per_class", "confusion"}`` with ``--json`` (a stable
contract for scripts) or a readable table without it. Bad input is a
:class:`~hud.errors.HudError`, which the CLI turns into one line and exit status 2.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any, TypeVar

from gestures.evaluate import (
    KINIVI_IMAGE_SIZE,
    POSE_VOCABULARY,
    TRACK_VOCABULARY,
    EvaluationError,
    evaluate_poses,
    evaluate_tracks,
    format_table,
    parse_image_size,
    parse_labels,
)

DEFAULT_POSE_LABELS = "0=open_palm,1=fist,2=point,3=pinch"
DEFAULT_TRACK_LABELS = "0=none,1=circle_cw,2=circle_ccw,3=move"

T = TypeVar("T")


def register(sub: Any) -> None:
    """Add the two evaluation subcommands to the ``hud`` subparsers."""
    poses = sub.add_parser(
        "eval-poses",
        help="score the static pose classifier on a labelled landmark CSV",
        description="Classify every hand in a labelled landmark CSV and report accuracy, "
        "per-class recall and precision, and the confusion table.",
    )
    poses.add_argument("file", help="landmark CSV (class id, then x0,y0,...,x20,y20)")
    poses.add_argument("--format", choices=["kinivi"], default="kinivi", help="CSV layout")
    poses.add_argument(
        "--labels",
        default=DEFAULT_POSE_LABELS,
        help=f"class id to pose label, e.g. {DEFAULT_POSE_LABELS} "
        f"(labels: {', '.join(POSE_VOCABULARY)})",
    )
    poses.add_argument("--json", action="store_true", help="print JSON instead of a table")
    poses.set_defaults(func=run_eval_poses)

    tracks = sub.add_parser(
        "eval-tracks",
        help="score the fingertip-track classifier on a labelled point-history CSV",
        description="Classify every fingertip track (stop, circle cw/ccw, move) and report "
        "accuracy, per-class recall and precision, and the confusion table.",
    )
    tracks.add_argument("file", help="point-history CSV (class id, then 16 x,y pairs)")
    tracks.add_argument(
        "--format", choices=["kinivi-history"], default="kinivi-history", help="CSV layout"
    )
    tracks.add_argument(
        "--labels",
        default=DEFAULT_TRACK_LABELS,
        help=f"class id to track label, e.g. {DEFAULT_TRACK_LABELS} "
        f"(labels: {', '.join(TRACK_VOCABULARY)})",
    )
    tracks.add_argument(
        "--image-size",
        default="{}x{}".format(*KINIVI_IMAGE_SIZE),
        help="WIDTHxHEIGHT the positions were divided by (kinivi: 960x540)",
    )
    tracks.add_argument("--json", action="store_true", help="print JSON instead of a table")
    tracks.set_defaults(func=run_eval_tracks)


def _option(flag: str, parse: Callable[[], T]) -> T:
    """``parse()``, with the command-line flag named in its error (the library names none)."""
    try:
        return parse()
    except EvaluationError as exc:
        raise EvaluationError(f"{flag}: {exc.message}") from None


def _print(result: dict[str, Any], as_json: bool) -> None:
    print(json.dumps(result, indent=2) if as_json else format_table(result))


def run_eval_poses(args: argparse.Namespace) -> int:
    """Evaluate poses; returns 0 (bad input raises HudError, exit 2)."""
    labels = _option("--labels", lambda: parse_labels(args.labels, POSE_VOCABULARY))
    _print(evaluate_poses(args.file, labels), args.json)
    return 0


def run_eval_tracks(args: argparse.Namespace) -> int:
    """Evaluate fingertip tracks; returns 0 (bad input raises HudError, exit 2)."""
    labels = _option("--labels", lambda: parse_labels(args.labels, TRACK_VOCABULARY))
    image_size = _option("--image-size", lambda: parse_image_size(args.image_size))
    _print(evaluate_tracks(args.file, labels, image_size), args.json)
    return 0
