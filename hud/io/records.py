"""Session records: the payload of one frame (landmarks, markers, gaze, events) as bytes.

Part of the session format (``docs/session-format.md``); :mod:`hud.io.session` writes and
reads the records. Landmarks are raw little-endian float64 and everything else JSON, so
a stored frame decodes to exactly what was recorded.
"""

from __future__ import annotations

import dataclasses
import json
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hud.errors import HudError
from hud.trackers.results import FaceResult, HandResult, MarkerResult

_JSON_LENGTH = struct.Struct("<I")


# ----------------------------------------------------------------------------- payloads


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars turned into Python ones, so JSON stores them exactly."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    return value


def pack_payload(meta: dict[str, Any], blobs: Sequence[tuple[str, bytes]] = ()) -> bytes:
    """A record payload: ``u32`` JSON length, the JSON object, then the blobs in order.

    The JSON lists the blobs as ``"blobs": [[name, length], ...]`` so a reader can cut
    them apart; large numeric arrays and images go in blobs rather than JSON text.
    """
    body = dict(meta)
    body["blobs"] = [[name, len(data)] for name, data in blobs]
    text = json.dumps(_plain(body), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return b"".join([_JSON_LENGTH.pack(len(text)), text, *(data for _, data in blobs)])


def unpack_payload(payload: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Inverse of :func:`pack_payload`; ``ValueError`` says what is malformed."""
    if len(payload) < _JSON_LENGTH.size:
        raise ValueError("payload shorter than its JSON length field")
    (size,) = _JSON_LENGTH.unpack_from(payload)
    end = _JSON_LENGTH.size + size
    if end > len(payload):
        raise ValueError("JSON length runs past the end of the payload")
    try:
        meta = json.loads(payload[_JSON_LENGTH.size : end].decode("utf-8"))
    except RecursionError:
        raise ValueError("payload JSON is nested too deeply") from None
    if not isinstance(meta, dict):
        raise ValueError("payload JSON is not an object")
    blobs: dict[str, bytes] = {}
    offset = end
    listed = meta.get("blobs", [])
    if not isinstance(listed, list):
        raise ValueError("'blobs' is not a list")
    for entry in listed:
        if not (
            isinstance(entry, list)
            and len(entry) == 2
            and isinstance(entry[0], str)
            and isinstance(entry[1], int)
            and not isinstance(entry[1], bool)
            and entry[1] >= 0
        ):
            raise ValueError(f"'blobs' entry {_short(entry)} is not [name, length]")
        name, length = entry
        if offset + length > len(payload):
            raise ValueError(f"blob {name!r} runs past the end of the payload")
        blobs[name] = payload[offset : offset + length]
        offset += length
    if offset != len(payload):
        raise ValueError(f"{len(payload) - offset} unexplained bytes after the blobs")
    return meta, blobs


def _short(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, for a message about bad data."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _array_ref(name: str, array: np.ndarray, blobs: list[tuple[str, bytes]]) -> dict[str, Any]:
    data = np.ascontiguousarray(array, dtype="<f8")
    blobs.append((name, data.tobytes()))
    return {"blob": name, "dtype": "<f8", "shape": list(data.shape)}


def _array_from(ref: dict[str, Any], blobs: dict[str, bytes]) -> np.ndarray:
    if not isinstance(ref, dict):
        raise ValueError(f"array reference {_short(ref)} is not an object")
    if ref.get("dtype") != "<f8":
        raise ValueError(f"unsupported array dtype {ref.get('dtype')!r}")
    raw = blobs[ref["blob"]]
    shape = tuple(int(n) for n in ref["shape"])
    if len(raw) != 8 * math.prod(shape):
        raise ValueError(f"blob {ref['blob']!r} has {len(raw)} bytes for shape {shape}")
    return np.frombuffer(raw, dtype="<f8").reshape(shape).astype(np.float64)


# ------------------------------------------------------------------------------ events


def event_to_dict(event: Any) -> dict[str, Any]:
    """A gesture event as plain JSON data: ``event`` (its handler name), ``type``, fields.

    Numpy scalars become Python numbers so the stored form and a re-run compare exactly.
    """
    fields = _plain(dataclasses.asdict(event))
    return {"event": type(event).name, "type": type(event).__name__, **fields}


def check_event(event: Any) -> None:
    """Raise ``ValueError`` unless ``event`` has the form of ``docs/session-format.md``.

    An object with the strings ``event`` and ``type``, an integer ``timestamp_ms`` and,
    when present, a string ``handedness``: what ``hud replay`` prints and counts.
    """
    if not isinstance(event, dict):
        raise ValueError(f"event {_short(event)} is not an object")
    for key in ("event", "type"):
        if not isinstance(event.get(key), str):
            raise ValueError(f"event {key!r} must be a string, got {_short(event.get(key))}")
    stamp = event.get("timestamp_ms")
    if not isinstance(stamp, int) or isinstance(stamp, bool):
        raise ValueError(f"event 'timestamp_ms' must be an integer, got {_short(stamp)}")
    if "handedness" in event and not isinstance(event["handedness"], str):
        raise ValueError(f"event 'handedness' must be a string, got {_short(event['handedness'])}")


def canonical_event(event: dict[str, Any]) -> str:
    """One event as canonical JSON text: equal text ⇔ equal event (NaN included)."""
    return json.dumps(_plain(event), sort_keys=True, separators=(",", ":"))


# ------------------------------------------------------------------------------ frames


@dataclass(frozen=True, eq=False)
class FrameRecord:
    """Everything known about one frame: what was seen and what it meant.

    ``gaze`` holds one entry per face (``None`` when gaze could not be estimated) with
    the keys of :func:`face_gaze`. ``events`` are :func:`event_to_dict` dicts. ``image``
    is the encoded frame (JPEG) or ``None`` for a session recorded without video.
    """

    index: int
    timestamp_ms: int
    hands: tuple[HandResult, ...] = ()
    faces: tuple[FaceResult, ...] = ()
    gaze: tuple[dict[str, float] | None, ...] = ()
    markers: tuple[MarkerResult, ...] = ()
    events: tuple[dict[str, Any], ...] = ()
    image: bytes | None = None

    def decode_image(self) -> np.ndarray | None:
        """The frame as RGB ``uint8`` (H × W × 3), or ``None`` without an image."""
        if self.image is None:
            return None
        import cv2

        bgr = cv2.imdecode(np.frombuffer(self.image, dtype=np.uint8), cv2.IMREAD_COLOR)
        if bgr is None:
            raise HudError(f"frame {self.index}: stored image cannot be decoded")
        return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def encode_frame(record: FrameRecord) -> bytes:
    """The payload of a frame record (see ``docs/session-format.md``)."""
    blobs: list[tuple[str, bytes]] = []
    hands = []
    for i, hand in enumerate(record.hands):
        world = hand.world_landmarks
        hands.append(
            {
                "handedness": hand.handedness,
                "score": float(hand.score),
                "landmarks": _array_ref(f"hand{i}", hand.landmarks, blobs),
                "world_landmarks": None
                if world is None
                else _array_ref(f"hand{i}_world", world, blobs),
                "image_size": None if hand.image_size is None else list(hand.image_size),
            }
        )
    if len(record.gaze) not in (0, len(record.faces)):
        raise HudError("a frame needs one gaze entry per face (or none at all)")
    faces = []
    for i, face in enumerate(record.faces):
        faces.append(
            {
                "landmarks": _array_ref(f"face{i}", face.landmarks, blobs),
                "image_size": None if face.image_size is None else list(face.image_size),
                "gaze": record.gaze[i] if record.gaze else None,
            }
        )
    markers = [
        {
            "dictionary": m.dictionary,
            "id": m.id,
            "corners": m.corners,
            "rvec": m.rvec,
            "tvec": m.tvec,
            "reprojection_error_px": m.reprojection_error_px,
        }
        for m in record.markers
    ]
    events = _plain(list(record.events))
    for event in events:
        try:
            check_event(event)
        except ValueError as exc:
            raise HudError(f"frame {record.index}: cannot store {exc}") from None
    image = None
    if record.image is not None:
        blobs.append(("image", record.image))
        image = {"blob": "image", "encoding": "jpeg"}
    meta = {
        "index": int(record.index),
        "timestamp_ms": int(record.timestamp_ms),
        "hands": hands,
        "faces": faces,
        "markers": markers,
        "events": events,
        "image": image,
    }
    return pack_payload(meta, blobs)


def decode_frame(payload: bytes) -> FrameRecord:
    """Inverse of :func:`encode_frame`; ``ValueError``/``KeyError``/``TypeError`` if malformed."""
    try:
        return _decode_frame(payload)
    except (AttributeError, IndexError, OverflowError) as exc:  # JSON of the wrong shape
        raise ValueError(f"{exc.__class__.__name__}: {exc}") from None


def _decode_frame(payload: bytes) -> FrameRecord:
    meta, blobs = unpack_payload(payload)

    def size(value: Any) -> tuple[int, int] | None:
        return None if value is None else (int(value[0]), int(value[1]))

    hands = tuple(
        HandResult(
            handedness=h["handedness"],
            score=float(h["score"]),
            landmarks=_array_from(h["landmarks"], blobs),
            world_landmarks=None
            if h.get("world_landmarks") is None
            else _array_from(h["world_landmarks"], blobs),
            image_size=size(h.get("image_size")),
        )
        for h in meta["hands"]
    )
    faces = tuple(
        FaceResult(landmarks=_array_from(f["landmarks"], blobs), image_size=size(f["image_size"]))
        for f in meta["faces"]
    )
    gaze = tuple(f.get("gaze") for f in meta["faces"])
    markers = tuple(
        MarkerResult(
            dictionary=m["dictionary"],
            id=int(m["id"]),
            corners=np.asarray(m["corners"], dtype=np.float64),
            rvec=None if m.get("rvec") is None else np.asarray(m["rvec"], dtype=np.float64),
            tvec=None if m.get("tvec") is None else np.asarray(m["tvec"], dtype=np.float64),
            reprojection_error_px=m.get("reprojection_error_px"),
        )
        for m in meta["markers"]
    )
    events = meta["events"]
    if not isinstance(events, list):
        raise ValueError(f"'events' is not a list: {_short(events)}")
    for event in events:
        check_event(event)
    image_ref = meta.get("image")
    return FrameRecord(
        index=int(meta["index"]),
        timestamp_ms=int(meta["timestamp_ms"]),
        hands=hands,
        faces=faces,
        gaze=gaze,
        markers=markers,
        events=tuple(events),
        image=None if image_ref is None else blobs[image_ref["blob"]],
    )
