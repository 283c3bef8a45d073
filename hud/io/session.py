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

import contextlib
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from hud.errors import HudError, check_regular_file
from hud.io.images import fsync_dir, temp_beside

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

#: Frame time between fsyncs; the writer syncs at least this often (and on close).
SYNC_INTERVAL_MS = 1000


def _crc(data: bytes) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


from hud.io.records import (  # noqa: E402  (re-exported: the format's public names)
    FrameRecord,
    canonical_event,
    decode_frame,
    encode_frame,
    event_to_dict,
    pack_payload,
    unpack_payload,
)

# ------------------------------------------------------------------------------ writer


class SessionExistsError(HudError):
    """The session file exists and replacing it was not asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} exists; replacing it needs force=True")
        self.path = path


def check_new_session_path(path: str | Path, *, force: bool = False) -> Path:
    """``path`` as a :class:`Path`, if a new session may be written there.

    Refuses a folder, a missing parent folder, and an existing file unless ``force``.
    :class:`SessionWriter` checks this on creation, and ``hud record`` before it opens
    its input, so a bad ``--out`` fails before any work.
    """
    p = Path(path)
    if p.is_dir():
        raise HudError(f"{p} is a folder; give a session file name")
    if not p.parent.is_dir():
        raise HudError(f"folder {p.parent} does not exist")
    if p.exists() and not force:
        raise SessionExistsError(p)
    return p


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
        self.path = check_new_session_path(path, force=force)
        #: Replacing an old session (``force``): the new one is written beside it and
        #: renamed over it only when it ends well, so a failed recording keeps the old.
        self._replacing = self.path.exists()
        try:
            self._written = self._temp_path() if self._replacing else self.path
            self._file: BinaryIO = open(self._written, "xb")  # noqa: SIM115
        except FileExistsError:
            raise SessionExistsError(self.path) from None
        except OSError as exc:  # a read-only file system, a folder one may not write in
            raise HudError(f"cannot create {self.path}: {exc.strerror or exc}") from None
        self.frames = 0
        self.events = 0
        self.last_timestamp_ms: int | None = None
        self._sync_interval_ms = sync_interval_ms
        self._synced_at_ms: int | None = None
        self._closed = False
        self._started = False
        try:
            head = _FILE_HEADER.pack(MAGIC, FORMAT_VERSION, 0, 0)[:12]
            body = {"format": "waveglass-session", "version": FORMAT_VERSION, **header}
            self._file.write(head + _CRC.pack(_crc(head)))
            self._append(KIND_HEADER, pack_payload(body))
            self._sync()
            self._started = True
        except BaseException as exc:
            # Not even the header is on disk: nothing would replay, so nothing is left
            # (a replaced session keeps the old one, as any failed recording does).
            self._closed = True
            with contextlib.suppress(OSError):
                self._file.close()
            with contextlib.suppress(OSError):
                self._written.unlink()
            if isinstance(exc, OSError):
                raise HudError(f"cannot write {self.path}: {exc.strerror or exc}") from None
            raise
        fsync_dir(self.path.resolve().parent)

    def _temp_path(self) -> Path:
        fd, path = temp_beside(self.path.resolve(), ".wgs")
        os.close(fd)
        path.unlink()  # opened exclusively below, like a new session
        return path

    def _append(self, kind: int, payload: bytes) -> None:
        head = _RECORD_HEADER.pack(RECORD_SYNC, kind, 0, len(payload), 0)[:8]
        try:
            self._file.write(head + _CRC.pack(_crc(head)) + payload + _CRC.pack(_crc(payload)))
            self._file.flush()  # in the OS now: killing the process cannot lose it
        except OSError as exc:
            raise self._write_error(exc) from None

    def _sync(self) -> None:
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise self._write_error(exc) from None

    def _write_error(self, exc: OSError) -> HudError:
        if self._replacing:
            kept = "the old session is kept"
        elif not self._started:
            kept = "nothing was recorded"
        else:
            kept = f"the {self.frames} frames written before it replay"
        return HudError(f"cannot write {self.path}: {exc.strerror or exc}; {kept}")

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
        """Write the end record (unless ``complete`` is false), fsync and close.

        A replacement is published (renamed over the old session) only when complete;
        an incomplete one is removed and the old session stays.
        """
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
        except HudError:
            complete = False
            raise
        finally:
            self._file.close()
            if self._replacing:
                self._finish_replacement(complete)

    def _finish_replacement(self, complete: bool) -> None:
        if not complete:
            self._written.unlink(missing_ok=True)
            return
        try:
            os.replace(self._written, self.path)
        except OSError as exc:
            self._written.unlink(missing_ok=True)
            raise HudError(f"cannot replace {self.path}: {exc.strerror}; it is kept") from None
        fsync_dir(self.path.resolve().parent)

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
        check_regular_file(self.path, "session")
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
                if head.endswith(b"\0") and not f.read().strip(b"\0"):
                    # Zeros from here to the end: a power cut's zero-filled tail.
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
                if body.endswith(b"\0") and not f.read().strip(b"\0"):
                    # A power cut zero-fills the tail: this record was being written.
                    scan.notes.append(self._cut_note(offset, number, "zero-filled record"))
                    return
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

    def close(self) -> None:
        """Nothing to release: the file is open only inside each pass. For symmetry with
        :class:`SessionWriter` and use as a context manager."""

    def __enter__(self) -> SessionReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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


__all__ = [
    "FORMAT_VERSION",
    "MAGIC",
    "SYNC_INTERVAL_MS",
    "FrameRecord",
    "SessionExistsError",
    "SessionReader",
    "SessionWriter",
    "canonical_event",
    "check_new_session_path",
    "decode_frame",
    "encode_frame",
    "event_to_dict",
    "pack_payload",
    "unpack_payload",
]
