"""Recorded sessions: camera frames, landmarks, markers, gaze and gesture events on disk.

A session is what ``hud record`` writes and ``hud replay`` reads; the byte layout is
specified in ``docs/session-format.md`` (this module is its reference implementation).
Two properties drive the design:

* **A crash loses at most the last second.** The file is an append-only run of
  length-prefixed records, each with a checksummed header and a checksummed payload, and
  one record holds one whole frame. The writer flushes every record to the operating
  system (so killing the process loses at most the record being written) and fsyncs at
  least once per second of frame time (so a power cut loses at most about a second).
  A reader stops, with a note, at an incomplete last record; a damaged record anywhere
  else is an error naming its byte offset, because silently skipping it would replay
  something that never happened.
* **Replay is exact.** Landmarks are stored as raw little-endian float64 and events as
  JSON (whose floats round-trip exactly in Python), so re-running the gesture
  recognisers on stored landmarks gives bit-identical events to the live run — which
  is what ``hud replay --verify`` checks after a recogniser change.

Reading never modifies a file.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from hud.errors import HudError
from hud.trackers.results import FaceResult, HandResult, MarkerResult

if TYPE_CHECKING:
    from gestures.landmarks import HandFrame
    from gestures.recognizer import GestureRecognizerOptions

#: First 8 bytes of every session file (PNG-style: catches text-mode and 7-bit damage).
MAGIC = b"\x89WGSESS\n"
#: The format version this module writes; it reads versions up to this one.
FORMAT_VERSION = 1
#: Every record starts with these two bytes.
RECORD_SYNC = b"WR"

KIND_HEADER = 1
KIND_FRAME = 2
KIND_END = 3
_KIND_NAMES = {KIND_HEADER: "header", KIND_FRAME: "frame", KIND_END: "end"}

_FILE_HEADER = struct.Struct("<8sHHI")  # magic, version, flags, crc32 of the first 12 bytes
_RECORD_HEADER = struct.Struct("<2sBBII")  # sync, kind, reserved, payload length, crc32
_CRC = struct.Struct("<I")
_JSON_LENGTH = struct.Struct("<I")

#: Frame time between fsyncs; the writer syncs at least this often (and on close).
SYNC_INTERVAL_MS = 1000


def _crc(data: bytes) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


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
    meta = json.loads(payload[_JSON_LENGTH.size : end].decode("utf-8"))
    if not isinstance(meta, dict):
        raise ValueError("payload JSON is not an object")
    blobs: dict[str, bytes] = {}
    offset = end
    for name, length in meta.get("blobs", []):
        if offset + int(length) > len(payload):
            raise ValueError(f"blob {name!r} runs past the end of the payload")
        blobs[str(name)] = payload[offset : offset + int(length)]
        offset += int(length)
    if offset != len(payload):
        raise ValueError(f"{len(payload) - offset} unexplained bytes after the blobs")
    return meta, blobs


def _array_ref(name: str, array: np.ndarray, blobs: list[tuple[str, bytes]]) -> dict[str, Any]:
    data = np.ascontiguousarray(array, dtype="<f8")
    blobs.append((name, data.tobytes()))
    return {"blob": name, "dtype": "<f8", "shape": list(data.shape)}


def _array_from(ref: dict[str, Any], blobs: dict[str, bytes]) -> np.ndarray:
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
        "events": list(record.events),
        "image": image,
    }
    return pack_payload(meta, blobs)


def decode_frame(payload: bytes) -> FrameRecord:
    """Inverse of :func:`encode_frame`; ``ValueError``/``KeyError``/``TypeError`` if malformed."""
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
    image_ref = meta.get("image")
    return FrameRecord(
        index=int(meta["index"]),
        timestamp_ms=int(meta["timestamp_ms"]),
        hands=hands,
        faces=faces,
        gaze=gaze,
        markers=markers,
        events=tuple(meta["events"]),
        image=None if image_ref is None else blobs[image_ref["blob"]],
    )


# ------------------------------------------------------------------------------ writer


def _fsync_dir(path: Path) -> None:
    """Make a new file's directory entry durable too (POSIX; a no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class SessionWriter:
    """Appends records to a new session file; see the module docstring for durability.

    Refuses to replace an existing file unless ``force``. Use as a context manager:
    a normal exit writes the end record; an exception leaves the file without one (it
    still replays, and the reader notes that the recording stopped abnormally).
    """

    def __init__(
        self,
        path: str | Path,
        header: dict[str, Any],
        *,
        force: bool = False,
        sync_interval_ms: int = SYNC_INTERVAL_MS,
    ) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise HudError(f"{self.path} is a folder; give a session file name")
        if not self.path.parent.is_dir():
            raise HudError(f"folder {self.path.parent} does not exist")
        if self.path.exists() and not force:
            raise HudError(f"{self.path} exists; pass --force to replace it")
        try:
            self._file: BinaryIO = open(self.path, "wb" if force else "xb")  # noqa: SIM115
        except FileExistsError:
            raise HudError(f"{self.path} exists; pass --force to replace it") from None
        except OSError as exc:
            raise HudError(f"cannot create {self.path}: {exc.strerror}") from None
        self.frames = 0
        self.events = 0
        self.last_timestamp_ms: int | None = None
        self._sync_interval_ms = sync_interval_ms
        self._synced_at_ms: int | None = None
        self._closed = False
        head = _FILE_HEADER.pack(MAGIC, FORMAT_VERSION, 0, 0)[:12]
        self._file.write(head + _CRC.pack(_crc(head)))
        body = {"format": "waveglass-session", "version": FORMAT_VERSION, **header}
        self._append(KIND_HEADER, pack_payload(body))
        self._sync()
        _fsync_dir(self.path.resolve().parent)

    def _append(self, kind: int, payload: bytes) -> None:
        head = _RECORD_HEADER.pack(RECORD_SYNC, kind, 0, len(payload), 0)[:8]
        self._file.write(head + _CRC.pack(_crc(head)) + payload + _CRC.pack(_crc(payload)))
        self._file.flush()  # in the OS now: killing the process cannot lose it

    def _sync(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    def write_frame(self, record: FrameRecord) -> None:
        """Append one frame; timestamps must increase (the reader checks it too)."""
        if self._closed:
            raise HudError("this session writer is closed")
        t = int(record.timestamp_ms)
        if self.last_timestamp_ms is not None and t <= self.last_timestamp_ms:
            raise HudError(
                f"frame {record.index} at {t} ms is not after the previous frame's "
                f"{self.last_timestamp_ms} ms"
            )
        self._append(KIND_FRAME, encode_frame(record))
        self.frames += 1
        self.events += len(record.events)
        self.last_timestamp_ms = t
        if self._synced_at_ms is None or t - self._synced_at_ms >= self._sync_interval_ms:
            self._sync()
            self._synced_at_ms = t

    def close(self, *, complete: bool = True) -> None:
        """Write the end record (unless ``complete`` is false), fsync and close."""
        if self._closed:
            return
        self._closed = True
        try:
            if complete:
                summary = {
                    "frames": self.frames,
                    "events": self.events,
                    "last_timestamp_ms": self.last_timestamp_ms,
                }
                self._append(KIND_END, pack_payload(summary))
            self._sync()
        finally:
            self._file.close()

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(complete=exc_type is None)


# ------------------------------------------------------------------------------ reader


@dataclass
class _Scan:
    notes: list[str] = field(default_factory=list)
    end: dict[str, Any] | None = None


class SessionReader:
    """Reads a session file; raises :class:`HudError` naming the byte offset of damage.

    The file header and the session header record are read on construction, so a file
    that is not a session (or is cut off before its header) fails at once. Frames are
    streamed by :meth:`frames`; afterwards :attr:`notes` says whether the tail was cut
    off and :attr:`complete` whether the recording ended normally.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise HudError(f"session not found: {self.path}")
        if self.path.is_dir():
            raise HudError(f"{self.path} is a folder, not a session file")
        self._scan = _Scan()
        with self._open() as f:
            self._data_offset = self._read_file_header(f)
            records = self._records(f, self._data_offset, _Scan())
            first = next(records, None)
            if first is None or first[1] != KIND_HEADER:
                raise HudError(f"{self.path}: truncated session: no complete header record")
            self.header = self._meta(first[0], first[2], "header")
            self._frames_offset = f.tell()

    def _open(self) -> BinaryIO:
        try:
            return open(self.path, "rb")
        except OSError as exc:
            raise HudError(f"cannot read session {self.path}: {exc.strerror}") from None

    def _fail(self, offset: int, what: str) -> HudError:
        return HudError(f"{self.path}: corrupt session at byte offset {offset}: {what}")

    def _read_file_header(self, f: BinaryIO) -> int:
        raw = f.read(_FILE_HEADER.size)
        seen = min(len(raw), len(MAGIC))
        if raw[:seen] != MAGIC[:seen]:
            raise HudError(f"{self.path}: not a Waveglass session (wrong magic bytes)")
        if len(raw) < _FILE_HEADER.size:
            raise HudError(
                f"{self.path}: truncated session: only {len(raw)} bytes, "
                f"the file header alone is {_FILE_HEADER.size}"
            )
        _magic, version, _flags, crc = _FILE_HEADER.unpack(raw)
        if crc != _crc(raw[:12]):
            raise self._fail(8, "file header checksum mismatch")
        if version > FORMAT_VERSION:
            raise HudError(
                f"{self.path}: session format version {version} is newer than this hud "
                f"reads (up to {FORMAT_VERSION}); upgrade waveglass"
            )
        return _FILE_HEADER.size

    def _records(self, f: BinaryIO, offset: int, scan: _Scan) -> Iterator[tuple[int, int, bytes]]:
        """(offset, kind, payload) of every complete record; damage raises, a cut tail stops."""
        f.seek(offset)
        number = 0
        while True:
            head = f.read(_RECORD_HEADER.size)
            if not head:
                return
            if len(head) < _RECORD_HEADER.size:
                scan.notes.append(self._cut_note(offset, number, "record header"))
                return
            sync, kind, _reserved, length, crc = _RECORD_HEADER.unpack(head)
            if sync != RECORD_SYNC or crc != _crc(head[:8]):
                if not head.strip(b"\0") and not f.read().strip(b"\0"):
                    scan.notes.append(self._cut_note(offset, number, "zero-filled tail"))
                    return
                what = "no record marker" if sync != RECORD_SYNC else "header checksum mismatch"
                raise self._fail(offset, f"record {number}: {what}")
            body = f.read(length + _CRC.size)
            if len(body) < length + _CRC.size:
                scan.notes.append(self._cut_note(offset, number, "record"))
                return
            payload = body[:length]
            (stored,) = _CRC.unpack(body[length:])
            if stored != _crc(payload):
                raise self._fail(
                    offset,
                    f"record {number} ({_KIND_NAMES.get(kind, f'kind {kind}')}): payload "
                    f"checksum mismatch (stored {stored:08x}, computed {_crc(payload):08x})",
                )
            yield offset, kind, payload
            offset += _RECORD_HEADER.size + length + _CRC.size
            number += 1

    def _cut_note(self, offset: int, number: int, what: str) -> str:
        return (
            f"{self.path}: incomplete {what} at byte offset {offset} (record {number}) ignored: "
            "the recording was interrupted; the complete records before it are used"
        )

    def _meta(self, offset: int, payload: bytes, what: str) -> dict[str, Any]:
        try:
            meta, _ = unpack_payload(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            raise self._fail(offset, f"{what} record: {exc}") from None
        meta.pop("blobs", None)  # framing, not content
        return meta

    def frames(self) -> Iterator[FrameRecord]:
        """Every complete frame in order; also fills :attr:`notes` and :attr:`end`."""
        scan = _Scan()
        self._scan = scan
        previous: int | None = None
        with self._open() as f:
            for offset, kind, payload in self._records(f, self._frames_offset, scan):
                if kind == KIND_FRAME:
                    if scan.end is not None:
                        raise self._fail(offset, "a frame after the end record")
                    try:
                        record = decode_frame(payload)
                    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
                        raise self._fail(offset, f"frame record: {exc}") from None
                    if previous is not None and record.timestamp_ms <= previous:
                        raise self._fail(
                            offset,
                            f"frame {record.index} at {record.timestamp_ms} ms is not after "
                            f"the previous frame's {previous} ms",
                        )
                    previous = record.timestamp_ms
                    yield record
                elif kind == KIND_END:
                    scan.end = self._meta(offset, payload, "end")
                elif kind == KIND_HEADER:
                    raise self._fail(offset, "a second header record")
                else:
                    scan.notes.append(f"{self.path}: skipped unknown record kind {kind}")
        if scan.end is None and not scan.notes:
            scan.notes.append(
                f"{self.path}: no end record: the recording stopped abnormally "
                "(every frame it wrote is used)"
            )

    def validate(self) -> int:
        """Check every record's framing and checksums without decoding; return the count.

        Lets a command refuse a damaged file before printing anything from it. Fills
        :attr:`notes` like :meth:`frames` does.
        """
        scan = _Scan()
        count = 0
        with self._open() as f:
            for _offset, _kind, _payload in self._records(f, self._frames_offset, scan):
                count += 1
        self._scan = scan
        return count

    def read_all(self) -> list[FrameRecord]:
        """All frames as a list (for small sessions and tests)."""
        return list(self.frames())

    @property
    def notes(self) -> list[str]:
        """What the last :meth:`frames` pass noticed (a cut-off tail, no end record)."""
        return list(self._scan.notes)

    @property
    def end(self) -> dict[str, Any] | None:
        """The end record's summary, if the last pass found one."""
        return self._scan.end

    @property
    def complete(self) -> bool:
        """Whether the last :meth:`frames` pass found the end record."""
        return self._scan.end is not None


# ------------------------------------------------------------------------ re-running


def hand_frame(timestamp_ms: int, hands: Sequence[HandResult]) -> HandFrame:
    """The recognisers' :class:`gestures.landmarks.HandFrame` for tracker results.

    Recording and re-running both go through here, so the recognisers see identical
    input either way; the aspect ratio comes from each hand's image size.
    """
    from gestures.landmarks import HandFrame, HandLandmarks

    converted = []
    for hand in hands:
        aspect = 1.0
        if hand.image_size is not None and hand.image_size[1] > 0:
            aspect = hand.image_size[0] / hand.image_size[1]
        converted.append(
            HandLandmarks(
                hand.landmarks,
                handedness=hand.handedness,
                world=hand.world_landmarks,
                score=float(hand.score),
                aspect_ratio=aspect,
            )
        )
    return HandFrame(timestamp_ms=int(timestamp_ms), hands=tuple(converted))


class EventRerunner:
    """A fresh recogniser fed with stored frames, one at a time (replay streams)."""

    def __init__(self, options: GestureRecognizerOptions | None = None) -> None:
        from gestures.recognizer import GestureRecognizer

        self.recognizer = GestureRecognizer(options)

    def process(self, frame: FrameRecord) -> list[dict[str, Any]]:
        """The events the current recognisers give for this stored frame."""
        events = self.recognizer.process(hand_frame(frame.timestamp_ms, frame.hands))
        return [event_to_dict(e) for e in events]


def rerun_events(
    frames: Iterable[FrameRecord], options: GestureRecognizerOptions | None = None
) -> list[list[dict[str, Any]]]:
    """Events per frame from a fresh recogniser run on the stored landmarks."""
    rerunner = EventRerunner(options)
    return [rerunner.process(frame) for frame in frames]


def frame_mismatch(frame: FrameRecord, events: Sequence[dict[str, Any]]) -> str | None:
    """A line saying how ``frame``'s stored events differ from ``events``, or ``None``."""
    stored = [canonical_event(e) for e in frame.events]
    fresh = [canonical_event(e) for e in events]
    if stored == fresh:
        return None
    return (
        f"frame {frame.index} ({frame.timestamp_ms} ms): stored "
        f"[{', '.join(stored)}] but re-run gives [{', '.join(fresh)}]"
    )


def event_mismatches(
    frames: Sequence[FrameRecord], rerun: Sequence[Sequence[dict[str, Any]]]
) -> list[str]:
    """One line per frame whose stored events differ from ``rerun``'s (empty: all equal)."""
    lines = (frame_mismatch(frame, events) for frame, events in zip(frames, rerun))
    return [line for line in lines if line is not None]


def face_gaze(face: FaceResult) -> dict[str, float] | None:
    """Gaze and head pose of one face for storage, or ``None`` if it cannot be estimated.

    Keys: ``yaw_deg``, ``pitch_deg`` (gaze), ``head_yaw_deg``, ``head_pitch_deg``,
    ``head_roll_deg`` (head x axis's angle in the image, clockwise positive as y points
    down), ``eye_yaw_deg``, ``eye_pitch_deg``; conventions of
    :mod:`hud.trackers.gaze_geometry`.
    """
    from hud.trackers import gaze_geometry as gg

    if face.image_size is None:
        return None
    try:
        gaze = gg.estimate_gaze(face.landmarks, face.image_size)
        axes = gg.head_axes(gg.to_metric_points(face.landmarks, face.image_size))
    except ValueError:
        return None
    return {
        "yaw_deg": gaze.yaw_deg,
        "pitch_deg": gaze.pitch_deg,
        "head_yaw_deg": gaze.head_yaw_deg,
        "head_pitch_deg": gaze.head_pitch_deg,
        "head_roll_deg": math.degrees(math.atan2(float(axes[1, 0]), float(axes[0, 0]))),
        "eye_yaw_deg": gaze.eye_yaw_deg,
        "eye_pitch_deg": gaze.eye_pitch_deg,
    }


__all__ = [
    "FORMAT_VERSION",
    "MAGIC",
    "SYNC_INTERVAL_MS",
    "EventRerunner",
    "FrameRecord",
    "SessionReader",
    "SessionWriter",
    "canonical_event",
    "decode_frame",
    "encode_frame",
    "event_mismatches",
    "event_to_dict",
    "face_gaze",
    "frame_mismatch",
    "hand_frame",
    "pack_payload",
    "rerun_events",
    "unpack_payload",
]
