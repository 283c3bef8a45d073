"""Bystanders' faces blurred out of frames before they are saved or sent anywhere.

The people around the wearer did not agree to be recorded. Whatever leaves the
glasses' pipeline — a session's stored frames, an MP4 of the emulator, a screenshot, a
crop sent to an answer source — goes through :class:`FaceRedactor` first: faces are
found with :class:`hud.trackers.face_detection.FaceDetector` (full-range model, tiled
for faces a few metres away) and each face's box, grown by a margin for hair and ears,
is blurred so heavily that the detector itself no longer finds a face there.

Two rules shape the design:

* **Recall over precision.** A missed face is a leak; a blurred patch of wall is not.
  So the default confidence is lower than the detector's, and in video a face found in
  one frame stays blurred for :attr:`RedactOptions.hold_ms` afterwards
  (:meth:`FaceRedactor.redact_for_video`), which covers the detector's one-frame
  dropouts. Offline callers can also blur what *later* frames found (:meth:`blur`
  takes any faces), as ``hud redact`` does.
* **The wearer's own hands stay sharp.** ``keep`` boxes (pixels; see
  :func:`hand_boxes`) are never blurred: a face's region that overlaps one is hidden
  everywhere except inside it. A detection centred in a kept box and lying mostly
  (:data:`ON_KEPT`) inside it is taken for the hand itself and not hidden at all: the
  face detector takes an open palm for a face (in 22 of the 202 frames of the test
  video of a hand, at scores of 0.6 to 0.7), and hiding "around" the palm would only
  smear the gesture the recording is for. A face behind the hand is covered by it.

The input array is never modified; the result is always a new H × W × 3 ``uint8``
RGB array (grey, RGBA, 16-bit and float images are converted as
:func:`hud.io.images.to_uint8` does). The same frame and options give the same output
bit for bit.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from hud.errors import HudError, OptionsError
from hud.io.images import to_uint8
from hud.trackers.face_detection import FaceDetector, FaceDetectorOptions
from hud.trackers.results import FaceDetection, HandResult

#: A box in pixels: (x0, y0, x1, y1).
Box = tuple[float, float, float, float]
RedactMethod = Literal["blur", "pixelate", "fill"]
METHODS: tuple[RedactMethod, ...] = ("blur", "pixelate", "fill")

#: The top of the region gets this many margins: a face box ends at the eyebrows and
#: the hair above them identifies a person as much as the ears do.
_TOP_MARGINS = 2.0
#: A detection with its centre in a kept box and at least this fraction of its box
#: inside it is the kept hand, not a face (see the module docstring).
ON_KEPT = 0.6
#: The blur is computed at a size where its sigma is this many pixels (then scaled
#: back up): a heavy Gaussian at a fraction of the cost, and the same result each run.
_SMALL_SIGMA = 2.0


@dataclass(frozen=True)
class RedactOptions:
    """How faces are found and hidden; validated on construction.

    ``method``: ``"blur"`` (a Gaussian), ``"pixelate"`` (blocks) or ``"fill"`` (the
    region's mean colour). ``strength`` is the size of the detail removed, as a
    fraction of the face box's width: the blur's sigma, or the side of a pixel block.
    The default, 0.3, leaves about three blocks across a face, and a blur that the
    detector itself no longer takes for a face, down to faces 40 pixels wide.
    ``margin`` grows the face box on each side by that fraction of its size (twice
    that at the top, for hair). Detection:
    ``min_detection_confidence`` and ``min_face_fraction`` as in
    :class:`~hud.trackers.face_detection.FaceDetectorOptions` (the confidence is lower
    by default: recall matters more here); frames whose longer side exceeds
    ``max_detection_side`` are searched at that size, which is faster and finds the
    same faces (sizes are relative). ``hold_ms``: in video, how long a face's region
    stays blurred after the detector last saw it.
    """

    method: RedactMethod = "blur"
    strength: float = 0.3
    margin: float = 0.25
    min_detection_confidence: float = 0.4
    min_face_fraction: float | None = 0.03
    model_selection: int = 1
    max_detection_side: int = 1280
    hold_ms: int = 300

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise OptionsError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if not _number_in(self.strength, 0.05, 1.0):
            raise OptionsError(f"strength must be 0.05 to 1, got {self.strength!r}")
        if not _number_in(self.margin, 0.0, 2.0):
            raise OptionsError(f"margin must be 0 to 2, got {self.margin!r}")
        side = self.max_detection_side
        if isinstance(side, bool) or not isinstance(side, int) or side < 192:
            raise OptionsError(
                f"max_detection_side must be an integer of at least 192, got {side!r}"
            )
        hold = self.hold_ms
        if isinstance(hold, bool) or not isinstance(hold, int) or hold < 0:
            raise OptionsError(f"hold_ms must be a whole number of milliseconds ≥ 0, got {hold!r}")
        self.detector_options()  # the detection settings are checked there

    def detector_options(self) -> FaceDetectorOptions:
        """The face detector's options these settings imply."""
        return FaceDetectorOptions(
            min_detection_confidence=self.min_detection_confidence,
            model_selection=self.model_selection,
            min_face_fraction=self.min_face_fraction,
        )


def _number_in(value: object, low: float, high: float) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and low <= value <= high
    )


@dataclass(frozen=True, eq=False)
class RedactResult:
    """A redacted frame: ``image`` (new H × W × 3 ``uint8`` RGB); the ``faces`` found in
    it and hidden (pixels of the frame); the ``regions`` hidden (integer pixel boxes,
    margins and held faces included, kept boxes not subtracted); the detections left
    alone because they are a kept hand (``on_kept``); and, in video, the faces of
    earlier frames hidden again (``held``)."""

    image: np.ndarray
    faces: tuple[FaceDetection, ...]
    regions: tuple[tuple[int, int, int, int], ...]
    on_kept: tuple[FaceDetection, ...] = ()
    held: tuple[FaceDetection, ...] = ()


@dataclass(frozen=True)
class _Region:
    """One rectangle to hide and the size of detail to remove there (pixels)."""

    box: tuple[int, int, int, int]
    detail: float


class FaceRedactor:
    """Finds faces and hides them; owns a :class:`FaceDetector` (use as a context manager).

    :meth:`redact` treats every image on its own (photos, screenshots, crops);
    :meth:`redact_for_video` also keeps recent faces hidden for ``hold_ms``.
    :meth:`find` and :meth:`blur` are the two halves, for callers that gather faces
    from several frames first (``hud redact`` blurs each frame with the faces of the
    frames around it, before and after).
    """

    def __init__(self, options: RedactOptions | None = None) -> None:
        self.options = options or RedactOptions()
        self._detector = FaceDetector(self.options.detector_options())
        self._recent: deque[tuple[int, tuple[FaceDetection, ...]]] = deque()
        self._last_ms: int | None = None

    # -- the two halves -------------------------------------------------------------

    def find(self, image: np.ndarray) -> tuple[FaceDetection, ...]:
        """Faces in ``image`` (any depth, see the module docstring), in its pixels.

        A frame larger than ``max_detection_side`` is searched shrunk to it; the boxes
        are scaled back.
        """
        return self._find(as_frame(image))

    def _find(self, rgb: np.ndarray) -> tuple[FaceDetection, ...]:
        width, height = _size(rgb)
        scale = self.options.max_detection_side / max(width, height)
        if scale >= 1.0:
            return tuple(self._detector.detect(rgb))
        import cv2

        size = (max(2, round(width * scale)), max(2, round(height * scale)))
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        sx, sy = width / size[0], height / size[1]
        found = self._detector.detect(small)
        return tuple(_rescaled(face, sx, sy, (width, height)) for face in found)

    def blur(
        self,
        image: np.ndarray,
        faces: Iterable[FaceDetection],
        keep: Sequence[Box] = (),
        held: Iterable[FaceDetection] = (),
    ) -> RedactResult:
        """``image`` with each face's region hidden, except inside the ``keep`` boxes.

        ``faces`` are this image's (from :meth:`find`); ``held`` are faces of other
        frames of the same video (before or after) to hide as well, their boxes taken
        as they are. A face taken for a kept hand is left alone (``on_kept``).
        """
        rgb = as_frame(image)
        return self._blur(rgb, tuple(faces), _checked_boxes(keep), tuple(held))

    def _blur(
        self,
        rgb: np.ndarray,
        faces: tuple[FaceDetection, ...],
        keep: list[Box],
        held: tuple[FaceDetection, ...] = (),
    ) -> RedactResult:
        width, height = _size(rgb)
        hidden = tuple(f for f in faces if not on_kept(f.box, keep))
        held = tuple(f for f in held if not on_kept(f.box, keep))
        kept = [k for k in (_pixel_box(b, width, height) for b in keep) if k is not None]
        regions = sorted({self._region(f, width, height) for f in (*hidden, *held)}, key=_order)
        out = rgb.copy()  # never the caller's array
        for region in regions:
            _hide(rgb, out, region, self.options.method, kept)
        return RedactResult(
            image=out,
            faces=hidden,
            regions=tuple(r.box for r in regions),
            on_kept=tuple(f for f in faces if on_kept(f.box, keep)),
            held=held,
        )

    # -- whole frames -----------------------------------------------------------------

    def redact(
        self, image: np.ndarray, keep: Sequence[Box] = (), markers: Sequence[Box] = ()
    ) -> RedactResult:
        """Faces found in this image hidden; ``keep`` boxes (pixels) left as they are.

        ``markers``: boxes (pixels) of printed fiducials the marker tracker found. The
        detector can take a sheet of them for a face (their black squares for eyes and a
        mouth); a "face" with two or more whole markers inside it is that pattern, not a
        person, and is left alone (:func:`made_of_markers`).
        """
        rgb = as_frame(image)
        boxes = _checked_boxes(keep)
        return self._blur(rgb, _not_markers(self._find(rgb), markers), boxes)

    def redact_for_video(
        self,
        image: np.ndarray,
        timestamp_ms: int,
        keep: Sequence[Box] = (),
        markers: Sequence[Box] = (),
    ) -> RedactResult:
        """Like :meth:`redact`, and the faces hidden in the frames of the last
        ``hold_ms`` stay hidden too (as ``held``). Timestamps must increase (use a new
        redactor to rewind)."""
        if isinstance(timestamp_ms, bool) or not isinstance(timestamp_ms, int | np.integer):
            raise HudError(f"timestamp_ms must be an integer, got {timestamp_ms!r}")
        stamp = int(timestamp_ms)
        if self._last_ms is not None and stamp <= self._last_ms:
            raise HudError(
                f"timestamp {stamp} ms is not after the previous frame's {self._last_ms} ms"
            )
        rgb = as_frame(image)
        boxes = _checked_boxes(keep)
        self._last_ms = stamp
        while self._recent and self._recent[0][0] < stamp - self.options.hold_ms:
            self._recent.popleft()
        held = tuple(f for _, past in self._recent for f in past if f.image_size == _size(rgb))
        result = self._blur(rgb, _not_markers(self._find(rgb), markers), boxes, held)
        self._recent.append((stamp, result.faces))
        return result

    def _region(self, face: FaceDetection, width: int, height: int) -> _Region:
        x0, y0, x1, y1 = face.box
        mx = self.options.margin * (x1 - x0)
        my = self.options.margin * (y1 - y0)
        box = (
            max(0, math.floor(x0 - mx)),
            max(0, math.floor(y0 - _TOP_MARGINS * my)),
            min(width, math.ceil(x1 + mx)),
            min(height, math.ceil(y1 + my)),
        )
        return _Region(box=box, detail=max(1.0, self.options.strength * (x1 - x0)))

    def close(self) -> None:
        """Stop the detector; further calls raise. Safe to call twice."""
        self._detector.close()

    def __enter__(self) -> FaceRedactor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------------------------ pixels


def made_of_markers(face: Box, markers: Sequence[Box]) -> bool:
    """Whether two or more of the ``markers`` boxes lie wholly inside the face box: a
    face is never made of printed fiducials, a sheet of them can look like one."""
    fx0, fy0, fx1, fy1 = face
    inside = sum(
        1 for x0, y0, x1, y1 in markers if fx0 <= x0 and fy0 <= y0 and x1 <= fx1 and y1 <= fy1
    )
    return inside >= 2


def _not_markers(
    faces: tuple[FaceDetection, ...], markers: Sequence[Box]
) -> tuple[FaceDetection, ...]:
    if not markers:
        return faces
    return tuple(f for f in faces if not made_of_markers(f.box, markers))


def as_frame(image: np.ndarray) -> np.ndarray:
    """Any image array as H × W × 3 ``uint8`` RGB. It may be the caller's own array
    (when that is one already): read it, never write to it."""
    if not isinstance(image, np.ndarray):
        raise HudError(f"expected an image array, got {type(image).__name__}")
    rgb = to_uint8(image, "(the frame)")
    if rgb.shape[0] < 2 or rgb.shape[1] < 2:
        raise HudError(f"expected an image of at least 2 × 2 pixels, got shape {image.shape}")
    return rgb


def _size(rgb: np.ndarray) -> tuple[int, int]:
    """(width, height) of a frame, as :attr:`FaceDetection.image_size` gives it."""
    return int(rgb.shape[1]), int(rgb.shape[0])


def _order(region: _Region) -> tuple[float, tuple[int, int, int, int]]:
    """Weakest first, so where regions overlap the strongest hiding is the one left."""
    return (region.detail, region.box)


def _hide(
    source: np.ndarray,
    out: np.ndarray,
    region: _Region,
    method: RedactMethod,
    kept: list[tuple[int, int, int, int]],
) -> None:
    """Write the hidden version of ``region`` of ``source`` into ``out``, outside ``kept``."""
    import cv2

    x0, y0, x1, y1 = region.box
    if x1 <= x0 or y1 <= y0:
        return
    detail = region.detail
    if method == "blur":
        # Context around the region, so its border blurs into its surroundings.
        pad = math.ceil(3 * detail)
        h, w = source.shape[:2]
        cx0, cy0, cx1, cy1 = max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)
        patch = source[cy0:cy1, cx0:cx1]
        factor = max(1.0, detail / _SMALL_SIGMA)
        small_size = (
            max(1, round(patch.shape[1] / factor)),
            max(1, round(patch.shape[0] / factor)),
        )
        small = cv2.resize(patch, small_size, interpolation=cv2.INTER_AREA)
        small = cv2.GaussianBlur(
            small, (0, 0), sigmaX=detail / factor, borderType=cv2.BORDER_REFLECT
        )
        hidden = cv2.resize(small, (patch.shape[1], patch.shape[0]), interpolation=cv2.INTER_LINEAR)
        hidden = hidden[y0 - cy0 : y1 - cy0, x0 - cx0 : x1 - cx0]
    elif method == "pixelate":
        patch = source[y0:y1, x0:x1]
        blocks = (max(1, round((x1 - x0) / detail)), max(1, round((y1 - y0) / detail)))
        small = cv2.resize(patch, blocks, interpolation=cv2.INTER_AREA)
        hidden = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
    else:
        mean = source[y0:y1, x0:x1].reshape(-1, 3).mean(axis=0)
        hidden = np.broadcast_to(np.round(mean).astype(np.uint8), (y1 - y0, x1 - x0, 3))
    mask = np.ones((y1 - y0, x1 - x0), dtype=bool)
    for kx0, ky0, kx1, ky1 in kept:
        ix0, iy0, ix1, iy1 = max(kx0, x0), max(ky0, y0), min(kx1, x1), min(ky1, y1)
        if ix1 > ix0 and iy1 > iy0:
            mask[iy0 - y0 : iy1 - y0, ix0 - x0 : ix1 - x0] = False
    out[y0:y1, x0:x1][mask] = hidden[mask]


def on_kept(box: Box, keep: Sequence[Box]) -> bool:
    """Whether a detection's ``box`` is a kept hand: centred in a kept box and lying
    mostly (:data:`ON_KEPT`) inside it."""
    cx, cy = (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0
    area = (box[2] - box[0]) * (box[3] - box[1])
    for k in keep:
        if not (k[0] <= cx <= k[2] and k[1] <= cy <= k[3]):
            continue
        ix = max(0.0, min(box[2], k[2]) - max(box[0], k[0]))
        iy = max(0.0, min(box[3], k[3]) - max(box[1], k[1]))
        if ix * iy >= ON_KEPT * area:
            return True
    return False


def _checked_boxes(boxes: Sequence[Box]) -> list[Box]:
    """``keep`` as boxes of four finite numbers with x0 ≤ x1 and y0 ≤ y1."""
    checked = []
    for box in boxes:
        try:
            values = tuple(float(v) for v in box)
        except (TypeError, ValueError):
            raise HudError(f"a keep box is 4 numbers (x0, y0, x1, y1), got {box!r}") from None
        if len(values) != 4 or not all(math.isfinite(v) for v in values):
            raise HudError(f"a keep box is 4 finite numbers (x0, y0, x1, y1), got {box!r}")
        x0, y0, x1, y1 = values
        if x1 < x0 or y1 < y0:
            raise HudError(f"a keep box needs x0 ≤ x1 and y0 ≤ y1, got {box!r}")
        checked.append((x0, y0, x1, y1))
    return checked


def _pixel_box(box: Box, width: int, height: int) -> tuple[int, int, int, int] | None:
    """A keep box as whole pixels inside the image (rounded outwards), or ``None``."""
    x0, y0 = max(0, math.floor(box[0])), max(0, math.floor(box[1]))
    x1, y1 = min(width, math.ceil(box[2])), min(height, math.ceil(box[3]))
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _rescaled(face: FaceDetection, sx: float, sy: float, size: tuple[int, int]) -> FaceDetection:
    x0, y0, x1, y1 = face.box
    return FaceDetection(
        box=(
            min(x0 * sx, size[0]),
            min(y0 * sy, size[1]),
            min(x1 * sx, size[0]),
            min(y1 * sy, size[1]),
        ),
        score=face.score,
        keypoints=face.keypoints * np.array([sx, sy]),
        image_size=size,
    )


def describe_redaction(options: RedactOptions) -> dict[str, Any]:
    """What a session header says of how its frames were redacted (plain JSON data)."""
    return {
        "faces": "hidden",
        "method": options.method,
        "strength": options.strength,
        "margin": options.margin,
        "min_detection_confidence": options.min_detection_confidence,
        "min_face_fraction": options.min_face_fraction,
        "hold_ms": options.hold_ms,
    }


def hand_boxes(
    hands: Iterable[HandResult], image_size: tuple[int, int], margin: float = 0.15
) -> tuple[Box, ...]:
    """Pixel boxes around hands (their landmarks, grown by ``margin`` of the box's size
    on each side, for the flesh beyond the joints), to pass as ``keep``.

    ``image_size`` (width, height) is the frame's: the landmarks are normalised to it.
    Give only the wearer's hands (``gestures.tracker_input.wearer_hand_results``): a
    bystander's hand is not theirs to keep.
    """
    width, height = image_size
    boxes = []
    for hand in hands:
        points = hand.landmarks[:, :2] * np.array([width, height], dtype=np.float64)
        x0, y0 = points.min(axis=0)
        x1, y1 = points.max(axis=0)
        mx, my = margin * (x1 - x0), margin * (y1 - y0)
        boxes.append((float(x0 - mx), float(y0 - my), float(x1 + mx), float(y1 + my)))
    return tuple(boxes)


__all__ = [
    "METHODS",
    "Box",
    "FaceRedactor",
    "RedactMethod",
    "RedactOptions",
    "RedactResult",
    "as_frame",
    "describe_redaction",
    "hand_boxes",
    "made_of_markers",
    "on_kept",
]
