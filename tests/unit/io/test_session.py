"""The session file: exact round trips, a cut-off tail is survivable, damage is named."""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from gestures.events import PinchStart, PoseChanged
from gestures.gaze_geometry import face_gaze
from hud.app.rerun import event_mismatches, rerun_events
from hud.errors import HudError
from hud.io.records import (
    FrameRecord,
    decode_frame,
    encode_frame,
    event_to_dict,
    pack_payload,
    unpack_payload,
)
from hud.io.session import MAGIC, SessionReader, SessionWriter
from hud.trackers.results import FaceResult, HandResult, MarkerResult

DATA = Path(__file__).resolve().parents[2] / "data"
FACE_JSON = DATA / "images" / "business-person_expected_face_landmarks.json"
HANDS = {
    h["gesture"]: h
    for h in json.loads((DATA / "landmarks" / "mediapipe_expected_hand_landmarks.json").read_text())
    if "world_landmarks_m" in h
}
HEADER = {"source": "synthetic", "fps": 25.0, "width": 640, "height": 360, "video": False}


def _hand(shift: float = 0.0, gesture: str = "Closed_Fist") -> HandResult:
    """A real MediaPipe hand (from its test data), moved right by ``shift``."""
    hand = HANDS[gesture]
    points = np.asarray(hand["landmarks"], dtype=np.float64) + np.array([shift, 0.0, 0.0])
    return HandResult(
        handedness=hand["handedness"],
        score=0.9612345678901234,
        landmarks=points,
        world_landmarks=np.asarray(hand["world_landmarks_m"], dtype=np.float64),
        image_size=(640, 480),
    )


def _frames(count: int = 10) -> list[FrameRecord]:
    frames = []
    for i in range(count):
        events = ()
        if i == 0:
            events = (
                event_to_dict(
                    PoseChanged(
                        timestamp_ms=0,
                        handedness="Right",
                        pose="open_palm",
                        previous="none",
                        score=0.1 + 0.2,
                    )
                ),
            )
        frames.append(
            FrameRecord(
                index=i,
                timestamp_ms=40 * i,
                hands=(_hand(0.001 * i),),
                events=events,
                image=bytes([i]) * 100,
            )
        )
    return frames


def _write(path: Path, frames: list[FrameRecord], **kwargs: object) -> Path:
    with SessionWriter(path, HEADER, **kwargs) as writer:  # type: ignore[arg-type]
        for frame in frames:
            writer.write_frame(frame)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_round_trip_is_exact(tmp_path: Path) -> None:
    face_points = np.asarray(json.loads(FACE_JSON.read_text())["landmarks"])
    face = FaceResult(landmarks=face_points, image_size=(958, 1358))
    gaze = face_gaze(face)
    assert gaze is not None and set(gaze) >= {"yaw_deg", "head_yaw_deg", "head_roll_deg"}
    marker = MarkerResult(
        dictionary="DICT_6X6_250",
        id=23,
        corners=np.array([[1.5, 2.25], [10.0, 2.0], [10.0, 11.0], [1.0, 11.0]]),
        rvec=np.array([0.1, 0.2, 0.3]),
        tvec=np.array([0.0, 0.0, 0.5]),
        reprojection_error_px=0.25,
    )
    event = event_to_dict(PinchStart(timestamp_ms=0, handedness="Right", x=0.1 + 0.2, y=1 / 3))
    record = FrameRecord(
        index=0,
        timestamp_ms=0,
        hands=(_hand(),),
        faces=(face,),
        gaze=(gaze,),
        markers=(marker,),
        events=(event,),
        image=b"\xff\xd8jpeg",
    )
    path = _write(tmp_path / "s.wgs", [record])
    reader = SessionReader(path)
    (back,) = reader.read_all()
    assert reader.complete and reader.notes == [] and reader.end is not None
    assert reader.header["version"] == 1 and reader.header["source"] == "synthetic"
    assert np.array_equal(back.hands[0].landmarks, record.hands[0].landmarks)
    assert np.array_equal(back.hands[0].world_landmarks, record.hands[0].world_landmarks)  # type: ignore[arg-type]
    assert back.hands[0].score == record.hands[0].score
    assert np.array_equal(back.faces[0].landmarks, face_points)
    assert back.gaze == (gaze,)
    assert np.array_equal(back.markers[0].corners, marker.corners)
    assert back.markers[0].tvec is not None and back.markers[0].tvec[2] == 0.5
    assert back.events == (event,) and back.events[0]["x"] == 0.1 + 0.2
    assert back.image == b"\xff\xd8jpeg"


def test_rerun_matches_stored_events_and_verify_can_fail(tmp_path: Path) -> None:
    hands = [_hand(0.0, "Closed_Fist")] * 5 + [_hand(0.0, "Victory")] * 5
    frames = [FrameRecord(index=i, timestamp_ms=40 * i, hands=(h,)) for i, h in enumerate(hands)]
    events = rerun_events(frames)
    assert sum(len(e) for e in events) >= 2  # pose changes at least
    recorded = [
        FrameRecord(index=f.index, timestamp_ms=f.timestamp_ms, hands=f.hands, events=tuple(e))
        for f, e in zip(frames, events)
    ]
    path = _write(tmp_path / "s.wgs", recorded)
    stored = SessionReader(path).read_all()
    assert event_mismatches(stored, rerun_events(stored)) == []
    # Frame 3 claims an event the recognisers would not give there: verify must see it.
    wrong = FrameRecord(index=3, timestamp_ms=120, hands=stored[3].hands, events=(events[0][0],))
    tampered = [*stored[:3], wrong]
    mismatches = event_mismatches(tampered, rerun_events(tampered))
    assert len(mismatches) == 1 and mismatches[0].startswith("frame 3 (120 ms)")


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "s.wgs"
    path.write_bytes(b"the user's file")
    with pytest.raises(HudError, match="exists; replacing it needs force=True"):
        SessionWriter(path, HEADER)
    assert path.read_bytes() == b"the user's file"
    _write(path, _frames(2), force=True)
    assert len(SessionReader(path).read_all()) == 2


def test_timestamps_must_increase(tmp_path: Path) -> None:
    with SessionWriter(tmp_path / "s.wgs", HEADER) as writer:
        writer.write_frame(FrameRecord(index=0, timestamp_ms=40))
        with pytest.raises(HudError, match="not after"):
            writer.write_frame(FrameRecord(index=1, timestamp_ms=40))


def test_without_end_record_it_still_replays_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "s.wgs"
    writer = SessionWriter(path, HEADER)
    for frame in _frames(3):
        writer.write_frame(frame)
    writer.close(complete=False)
    reader = SessionReader(path)
    assert len(reader.read_all()) == 3
    assert not reader.complete and "no end record" in reader.notes[0]


def _record_offsets(path: Path) -> list[int]:
    """Byte offsets of every record (walking the documented layout)."""
    data = path.read_bytes()
    offsets, pos = [], 16
    while pos < len(data):
        offsets.append(pos)
        (length,) = struct.unpack_from("<I", data, pos + 4)
        pos += 12 + length + 4
    return offsets


def test_a_cut_off_tail_is_ignored_with_a_note(tmp_path: Path) -> None:
    full = _write(tmp_path / "full.wgs", _frames(5))
    data = full.read_bytes()
    offsets = _record_offsets(full)
    last_frame = offsets[-2]  # the end record is last
    # Cut inside the last frame's record header, its payload and its trailing checksum.
    for cut in (last_frame + 3, last_frame + 40, offsets[-1] - 2):
        path = tmp_path / f"cut{cut}.wgs"
        path.write_bytes(data[:cut])
        before = _digest(path)
        reader = SessionReader(path)
        frames = reader.read_all()
        assert [f.index for f in frames] == [0, 1, 2, 3]
        assert len(reader.notes) == 1 and f"byte offset {last_frame}" in reader.notes[0]
        assert _digest(path) == before  # reading never modifies the file
    # A zero-filled tail (what a power cut can leave) is a cut-off tail too.
    path = tmp_path / "zeros.wgs"
    path.write_bytes(data[:last_frame] + b"\0" * 300)
    assert len(SessionReader(path).read_all()) == 4


def test_damage_in_the_middle_is_an_error_naming_the_offset(tmp_path: Path) -> None:
    full = _write(tmp_path / "full.wgs", _frames(5))
    data = bytearray(full.read_bytes())
    offsets = _record_offsets(full)
    third = offsets[3]  # header record, frame 0, frame 1, frame 2 ...
    payload = bytearray(data)
    payload[third + 30] ^= 0x40
    path = tmp_path / "payload.wgs"
    path.write_bytes(payload)
    before = _digest(path)
    with pytest.raises(HudError, match=f"byte offset {third}: record 2 .*checksum mismatch"):
        SessionReader(path).read_all()
    assert _digest(path) == before
    length = bytearray(data)
    length[third + 5] ^= 0x01  # the payload length: must not pass for a cut-off tail
    path.write_bytes(length)
    with pytest.raises(HudError, match=f"byte offset {third}: record 2: header checksum"):
        SessionReader(path).read_all()
    marker = bytearray(data)
    marker[third] = ord("X")
    path.write_bytes(marker)
    with pytest.raises(HudError, match=f"byte offset {third}: record 2: no record marker"):
        SessionReader(path).read_all()


def test_not_a_session_or_cut_before_the_header(tmp_path: Path) -> None:
    full = _write(tmp_path / "full.wgs", _frames(1))
    data = full.read_bytes()
    cases = {
        b"": "only 0 bytes",
        data[:10]: "only 10 bytes",
        data[:40]: "no complete header record",
        b"PK\x03\x04 not a session": "not a Waveglass session",
    }
    for i, (content, message) in enumerate(cases.items()):
        path = tmp_path / f"case{i}.wgs"
        path.write_bytes(content)
        with pytest.raises(HudError, match=message):
            SessionReader(path)
    newer = bytearray(data)
    newer[8:10] = struct.pack("<H", 99)
    header = bytes(newer[:12])
    newer[12:16] = struct.pack("<I", zlib.crc32(header) & 0xFFFFFFFF)
    path = tmp_path / "newer.wgs"
    path.write_bytes(newer)
    with pytest.raises(HudError, match="version 99 is newer"):
        SessionReader(path)
    assert data.startswith(MAGIC)
    with pytest.raises(HudError, match="session not found"):
        SessionReader(tmp_path / "missing.wgs")


def test_decode_frame_refuses_malformed_events_and_blobs() -> None:
    good = json.loads(
        json.dumps(event_to_dict(PinchStart(timestamp_ms=0, handedness="Right", x=0.5, y=0.5)))
    )
    frame = {"index": 0, "timestamp_ms": 0, "hands": [], "faces": [], "markers": [], "image": None}
    assert decode_frame(pack_payload({**frame, "events": [good]})).events == (good,)
    bad_events = [
        [7],
        "abc",
        [{**good, "timestamp_ms": "soon"}],
        [{**good, "timestamp_ms": 1.5}],
        [{**good, "timestamp_ms": True}],
        [{**good, "type": None}],
        [{k: v for k, v in good.items() if k != "event"}],
        [{**good, "handedness": 1}],
    ]
    for events in bad_events:
        with pytest.raises(ValueError, match="event"):
            decode_frame(pack_payload({**frame, "events": events}))
    with pytest.raises(HudError, match="frame 3: cannot store event"):
        encode_frame(FrameRecord(index=3, timestamp_ms=0, events=({**good, "timestamp_ms": "x"},)))
    for blobs in (7, [["a"]], [[1, 2]], [["a", -1]], [["a", "8"]]):
        text = json.dumps({"blobs": blobs}).encode()
        with pytest.raises(ValueError, match="blobs"):
            unpack_payload(struct.pack("<I", len(text)) + text)


def test_a_forced_recording_that_fails_keeps_the_old_session(tmp_path: Path) -> None:
    """``force`` replaces an old session only when the new one ends well: a bad later
    input frame (an exception inside the writer) leaves the old file as it was."""
    path = tmp_path / "s.wgs"
    _write(path, _frames(3))
    before = path.read_bytes()
    with pytest.raises(RuntimeError), SessionWriter(path, HEADER, force=True) as writer:
        for frame in _frames(2):
            writer.write_frame(frame)
        raise RuntimeError("frame 3 of the input is not an image")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.wgs"]  # no temp file left
    _write(path, _frames(5), force=True)
    assert len(SessionReader(path).read_all()) == 5


def test_a_full_disk_mid_recording_is_one_line_and_the_frames_so_far_replay(
    tmp_path: Path,
) -> None:
    import errno

    path = tmp_path / "s.wgs"
    writer = SessionWriter(path, HEADER)
    frames = _frames(4)
    writer.write_frame(frames[0])
    writer.write_frame(frames[1])
    real = writer._file

    class Full:
        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

    writer._file = Full()  # type: ignore[assignment]
    with pytest.raises(HudError, match="No space left on device; the 2 frames written"):
        writer.write_frame(frames[2])
    writer._file = real
    writer.close(complete=False)
    assert len(SessionReader(path).read_all()) == 2


@pytest.mark.parametrize("cut_back", [0, 1, 3, 50, 67, 200, 1500])
def test_a_zero_filled_tail_replays_up_to_the_last_good_record(
    tmp_path: Path, cut_back: int
) -> None:
    """A power cut can leave the last blocks zeroed: cut the file anywhere in its last
    records and pad with zeros, and the records before replay, with a note."""
    path = tmp_path / "s.wgs"
    _write(path, _frames(5))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - cut_back] + b"\0" * 4096)
    reader = SessionReader(path)
    frames = reader.read_all()
    assert 3 <= len(frames) <= 5
    assert reader.notes and "zero-filled" in reader.notes[0]
    assert [f.index for f in frames] == list(range(len(frames)))


def test_damage_in_the_middle_is_still_an_error(tmp_path: Path) -> None:
    path = tmp_path / "s.wgs"
    _write(path, _frames(5))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, not a zeroed tail
    path.write_bytes(bytes(data))
    with pytest.raises(HudError, match="corrupt session at byte offset"):
        SessionReader(path).read_all()
