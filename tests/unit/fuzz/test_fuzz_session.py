"""Fuzz the session reader: random bytes, cut, bit-flipped and zero-filled sessions, and
records with valid checksums around arbitrary payloads all end in a :class:`HudError` or
in valid records, never in another exception or a hang."""

from __future__ import annotations

import contextlib
import struct
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hud.errors import HudError
from hud.io.records import FrameRecord, decode_frame, pack_payload
from hud.io.session import MAGIC, SessionReader, SessionWriter
from hud.trackers.results import HandResult

HEADER = {"source": "fuzz", "fps": 25.0, "width": 32, "height": 24, "video": True}
#: The slowest a read of a few-kB file may be; far more means a loop that never ends.
SECONDS = 5.0


def _session_bytes() -> bytes:
    rng = np.random.default_rng(7)
    ok, jpeg = cv2.imencode(".jpg", rng.integers(0, 255, (24, 32, 3), dtype=np.uint8))
    assert ok
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.wgs"
        with SessionWriter(path, HEADER) as writer:
            for i in range(3):
                hand = HandResult(
                    handedness="Right",
                    score=0.9,
                    landmarks=rng.random((21, 3)),
                    world_landmarks=rng.random((21, 3)),
                    image_size=(32, 24),
                )
                event = {"event": "on_pinch", "type": "PinchStart", "timestamp_ms": i * 40}
                writer.write_frame(
                    FrameRecord(
                        index=i,
                        timestamp_ms=i * 40,
                        hands=(hand,),
                        events=(event,),
                        image=bytes(jpeg.tobytes()),
                    )
                )
        return path.read_bytes()


VALID = _session_bytes()
FILE_HEADER_SIZE = 16


@pytest.fixture(scope="module")
def folder() -> Any:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _read(folder: Path, data: bytes) -> list[FrameRecord] | None:
    """Read ``data`` as a session every way a command does; None when it is refused."""
    path = folder / "fuzz.wgs"
    path.write_bytes(data)
    start = time.monotonic()
    try:
        reader = SessionReader(path)
        reader.validate()
        frames = reader.read_all()
        for frame in frames:
            assert isinstance(frame, FrameRecord)
            frame.decode_image()
        return frames
    except HudError as exc:
        assert "\n" not in exc.message, exc.message
        return None
    finally:
        assert time.monotonic() - start < SECONDS, "reading took too long"


def _record(kind: int, payload: bytes) -> bytes:
    head = struct.pack("<2sBBI", b"WR", kind, 0, len(payload))
    crc = struct.pack("<I", zlib.crc32(head) & 0xFFFFFFFF)
    return head + crc + payload + struct.pack("<I", zlib.crc32(payload) & 0xFFFFFFFF)


def test_the_valid_session_reads() -> None:
    with tempfile.TemporaryDirectory() as name:
        frames = _read(Path(name), VALID)
    assert frames is not None and len(frames) == 3


@given(st.binary(max_size=2000))
def test_random_bytes(folder: Path, data: bytes) -> None:
    _read(folder, data)
    _read(folder, MAGIC + data)
    _read(folder, VALID[:FILE_HEADER_SIZE] + data)


@given(st.integers(0, len(VALID)))
def test_cut_anywhere_reads_the_complete_frames(folder: Path, size: int) -> None:
    frames = _read(folder, VALID[:size])
    if frames is not None:
        assert [f.index for f in frames] == list(range(len(frames)))


@given(st.integers(0, len(VALID) - 1), st.integers(0, 4096))
def test_zero_filled_tail(folder: Path, start: int, extra: int) -> None:
    frames = _read(folder, VALID[:start] + b"\0" * (len(VALID) - start + extra))
    if frames is not None:
        assert [f.index for f in frames] == list(range(len(frames)))


@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 7)), max_size=6))
def test_bit_flips(folder: Path, flips: list[tuple[int, int]]) -> None:
    data = bytearray(VALID)
    for position, bit in flips:
        data[position] ^= 1 << bit
    _read(folder, bytes(data))


@given(st.integers(0, len(VALID)), st.binary(min_size=1, max_size=64))
def test_spliced_bytes(folder: Path, at: int, junk: bytes) -> None:
    _read(folder, VALID[:at] + junk + VALID[at + len(junk) :])
    _read(folder, VALID[:at] + junk + VALID[at:])


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
FRAME_KEYS = st.sampled_from(
    ["index", "timestamp_ms", "hands", "faces", "gaze", "markers", "events", "image", "blobs"]
)
HAND_KEYS = st.sampled_from(
    ["handedness", "score", "landmarks", "world_landmarks", "image_size", "dtype", "shape", "blob"]
)
FRAMEISH = st.dictionaries(
    FRAME_KEYS,
    JSON | st.lists(st.dictionaries(HAND_KEYS, JSON | st.just("a0") | st.just("<f8"))),
)
BLOBS = st.lists(st.tuples(st.sampled_from(["a0", "a1", "image", "x"]), st.binary(max_size=200)))


@given(st.one_of(JSON, FRAMEISH), BLOBS)
def test_checksummed_records_of_any_content(
    folder: Path, meta: Any, blobs: list[tuple[str, bytes]]
) -> None:
    """Past the checksums: a record whose payload is anything a buggy writer could store."""
    try:
        payload = pack_payload(meta if isinstance(meta, dict) else {"x": meta}, blobs)
    except (ValueError, TypeError):  # not storable (NaN is, a non-str key is not)
        return
    body = VALID[: len(VALID) - len(_end_record())]
    for kind in (2, 3, 1, 9):
        _read(folder, body + _record(kind, payload))
    # decode_frame's own contract (the reader turns these into one HudError).
    with contextlib.suppress(ValueError, KeyError, TypeError, HudError):
        decode_frame(payload)


@given(st.binary(max_size=400))
def test_checksummed_records_of_random_bytes(folder: Path, payload: bytes) -> None:
    body = VALID[: len(VALID) - len(_end_record())]
    for kind in (2, 3):
        _read(folder, body + _record(kind, payload))


def _end_record() -> bytes:
    """The last record of :data:`VALID` (its end record), found by walking the records."""
    offset = FILE_HEADER_SIZE
    last = b""
    while offset < len(VALID):
        (length,) = struct.unpack("<I", VALID[offset + 4 : offset + 8])
        size = 12 + length + 4
        last = VALID[offset : offset + size]
        offset += size
    return last
