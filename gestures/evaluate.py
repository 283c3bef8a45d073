"""Score the recognisers on labelled recordings: CSV readers and metrics.

Backs ``hud eval-poses`` and ``hud eval-tracks``. Every problem with the input (missing
file, a malformed row, an unknown class id, a bad label mapping) raises
:class:`EvaluationError` with a message naming the row, so the command line can print
one line instead of a traceback.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gestures.errors import GestureError
from gestures.poses import POSE_LABELS, PoseOptions, classify_pose
from gestures.tracks import TRACK_LABELS, TrackOptions, classify_track

#: The kinivi app captures 960x540 (its ``--width``/``--height`` defaults); the point
#: history is divided by those, so x needs the 16:9 aspect back to measure true shapes.
KINIVI_IMAGE_SIZE = (960, 540)
KINIVI_HISTORY_POINTS = 16


class EvaluationError(GestureError):
    """Unusable evaluation input; the message says which file, row or option."""


def parse_labels(spec: str, vocabulary: Sequence[str]) -> dict[int, str]:
    """``"0=open_palm,1=fist"`` -> ``{0: "open_palm", 1: "fist"}``, checked.

    Each label must be in ``vocabulary`` (what the classifier can answer), since a
    label it never produces could only ever score zero.
    """
    mapping: dict[int, str] = {}
    for part in spec.split(","):
        key, sep, label = part.strip().partition("=")
        label = label.strip()
        try:
            class_id = int(key.strip())
        except ValueError:
            class_id = -1
        if not sep or class_id < 0 or not label:
            raise EvaluationError(
                f"bad label mapping {spec!r}: expected ID=LABEL[,ID=LABEL...] with ids 0, 1, ..."
            )
        if label not in vocabulary:
            raise EvaluationError(
                f"bad label mapping: {label!r} is not one of {', '.join(vocabulary)}"
            )
        if class_id in mapping:
            raise EvaluationError(f"bad label mapping: class id {class_id} is given twice")
        mapping[class_id] = label
    return mapping


def parse_image_size(spec: str) -> tuple[int, int]:
    """``"960x540"`` -> ``(960, 540)``."""
    width, sep, height = spec.lower().partition("x")
    try:
        size = (int(width), int(height))
    except ValueError:
        size = (0, 0)
    if not sep or min(size) <= 0:
        raise EvaluationError(f"bad image size {spec!r}: expected WIDTHxHEIGHT, e.g. 960x540")
    return size


def _read_rows(path: str | Path, columns: int, what: str) -> tuple[list[int], np.ndarray]:
    """Class ids and float values of a headerless numeric CSV with ``columns`` columns."""
    file = Path(path)
    if not file.is_file():
        raise EvaluationError(f"no such file: {file}")
    ids: list[int] = []
    values: list[list[float]] = []
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                if not row or all(not cell.strip() for cell in row):
                    continue
                if len(row) != columns:
                    raise EvaluationError(
                        f"{file}: row {number} has {len(row)} columns, a {what} row has "
                        f"{columns} (class id + {columns - 1} numbers)"
                    )
                try:
                    class_id = int(row[0])
                    numbers = [float(cell) for cell in row[1:]]
                except ValueError:
                    raise EvaluationError(
                        f"{file}: row {number} is not numeric (a landmark row is a label then numbers)"
                    ) from None
                ids.append(class_id)
                values.append(numbers)
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationError(f"cannot read {file}: {exc}") from None
    except csv.Error as exc:  # a field longer than the csv module's limit, a NUL byte
        raise EvaluationError(f"{file}: not a CSV file of numbers ({exc})") from None
    if not ids:
        raise EvaluationError(f"{file}: no rows")
    return ids, np.array(values, dtype=np.float64)


def read_kinivi_keypoints(path: str | Path) -> tuple[list[int], np.ndarray]:
    """Class ids and (N, 21, 2) hands of a kinivi ``keypoint.csv``."""
    ids, values = _read_rows(path, 1 + 42, "kinivi keypoint")
    return ids, values.reshape(-1, 21, 2)


def read_kinivi_history(
    path: str | Path, image_size: tuple[int, int] = KINIVI_IMAGE_SIZE
) -> tuple[list[int], np.ndarray]:
    """Class ids and (N, 16, 2) fingertip tracks in image heights (x times the aspect)."""
    ids, values = _read_rows(path, 1 + 2 * KINIVI_HISTORY_POINTS, "kinivi point-history")
    tracks = values.reshape(-1, KINIVI_HISTORY_POINTS, 2).copy()
    tracks[:, :, 0] *= image_size[0] / image_size[1]
    return ids, tracks


def map_class_ids(ids: Sequence[int], labels: dict[int, str], path: str | Path) -> list[str]:
    """The label of every class id; an id missing from ``labels`` is an
    :class:`EvaluationError` naming its row (1-based) and the known ids."""
    truth = []
    for number, class_id in enumerate(ids, start=1):
        if class_id not in labels:
            known = ", ".join(str(k) for k in sorted(labels))
            raise EvaluationError(
                f"{path}: row {number} has class id {class_id}, not in the label mapping "
                f"(ids {known})"
            )
        truth.append(labels[class_id])
    return truth


def metrics(truth: Sequence[str], predicted: Sequence[str], labels: Iterable[str]) -> dict:
    """Accuracy, per-class recall/precision and a sparse confusion table.

    ``per_class`` covers the true labels in ``labels``; the confusion table is
    ``{true: {predicted: count}}`` with zero counts left out. Precision of a class that
    was never predicted is 0.0.
    """
    if len(truth) != len(predicted):
        raise ValueError("truth and predicted differ in length")
    n = len(truth)
    correct = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    pairs = Counter(zip(truth, predicted, strict=True))
    true_counts = Counter(truth)
    pred_counts = Counter(predicted)
    per_class: dict[str, dict[str, float | int]] = {}
    for label in dict.fromkeys(labels):
        hits = pairs[(label, label)]
        per_class[label] = {
            "n": true_counts[label],
            "recall": hits / true_counts[label] if true_counts[label] else 0.0,
            "precision": hits / pred_counts[label] if pred_counts[label] else 0.0,
        }
    confusion: dict[str, dict[str, int]] = {}
    for (t, p), count in sorted(pairs.items()):
        confusion.setdefault(t, {})[p] = count
    return {
        "n": n,
        "accuracy": correct / n if n else 0.0,
        "per_class": per_class,
        "confusion": confusion,
    }


def evaluate_poses(
    path: str | Path, labels: dict[int, str], options: PoseOptions | None = None
) -> dict[str, Any]:
    """Classify every hand of a kinivi keypoint CSV and score it against ``labels``."""
    ids, hands = read_kinivi_keypoints(path)
    truth = map_class_ids(ids, labels, path)
    predicted = [classify_pose(hand, options).label for hand in hands]
    return metrics(truth, predicted, labels.values())


def evaluate_tracks(
    path: str | Path,
    labels: dict[int, str],
    image_size: tuple[int, int] = KINIVI_IMAGE_SIZE,
    options: TrackOptions | None = None,
) -> dict[str, Any]:
    """Classify every fingertip track of a kinivi point-history CSV and score it."""
    ids, tracks = read_kinivi_history(path, image_size)
    truth = map_class_ids(ids, labels, path)
    predicted = [classify_track(track, options).label for track in tracks]
    return metrics(truth, predicted, labels.values())


POSE_VOCABULARY: tuple[str, ...] = POSE_LABELS
TRACK_VOCABULARY: tuple[str, ...] = TRACK_LABELS


def format_table(result: dict[str, Any]) -> str:
    """A plain-text report of :func:`metrics` output, for people rather than scripts."""
    lines = [f"n = {result['n']}   accuracy = {result['accuracy']:.3f}", ""]
    per_class = result["per_class"]
    width = max([len("class"), *(len(label) for label in per_class)])
    lines.append(f"{'class':<{width}}  {'n':>5}  {'recall':>6}  {'precision':>9}")
    for label, row in per_class.items():
        lines.append(
            f"{label:<{width}}  {row['n']:>5}  {row['recall']:>6.3f}  {row['precision']:>9.3f}"
        )
    predicted = sorted({p for row in result["confusion"].values() for p in row})
    if predicted:
        lines += ["", "confusion (rows: true, columns: predicted)"]
        cell = max(5, *(len(p) for p in predicted))
        lines.append(" " * width + "  " + "  ".join(f"{p:>{cell}}" for p in predicted))
        for true_label, row in result["confusion"].items():
            counts = "  ".join(f"{row.get(p, 0):>{cell}}" for p in predicted)
            lines.append(f"{true_label:<{width}}  {counts}")
    return "\n".join(lines)
