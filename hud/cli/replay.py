"""``hud replay SESSION``: print the gesture events of a recorded session, and a summary.

``--rerun`` recomputes them from the stored landmarks with the current recognisers (to try
a change on a real recording); ``--verify`` does that and exits 1 if anything differs from
what was recorded. ``--json`` prints JSON lines: one ``{"event": ...}`` object per event,
then one ``{"summary": ...}`` object.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from hud.errors import escape_controls


def register(sub: Any) -> None:
    """Add the ``replay`` subcommand (see :mod:`hud.cli`)."""
    rep = sub.add_parser(
        "replay",
        help="print the events of a recorded session",
        description="Print the gesture events of a session frame by frame, and a summary.",
    )
    rep.add_argument("session", help="session file written by hud record")
    rep.add_argument(
        "--rerun", action="store_true", help="recompute events from the stored landmarks"
    )
    rep.add_argument(
        "--verify",
        action="store_true",
        help="recompute events and exit 1 unless they equal the stored ones",
    )
    rep.add_argument("--json", action="store_true", help="print JSON lines")
    rep.set_defaults(func=run_replay)


def _event_line(frame_index: int, event: dict[str, Any]) -> str:
    skip = {"event", "type", "timestamp_ms", "handedness"}
    details = ", ".join(
        f"{k}={round(v, 3) if isinstance(v, float) else v}"
        for k, v in event.items()
        if k not in skip
    )
    # A session may come from someone else: its strings are escaped, never sent raw.
    return escape_controls(
        f"frame {frame_index:5d}  {event.get('timestamp_ms', 0):8d} ms  "
        f"{event.get('handedness', '?'):5s}  {event.get('event', '?')}  {details}"
    )


class _Summary:
    """Running totals for the replay summary, so frames need not be kept in memory."""

    def __init__(self) -> None:
        self.frames = 0
        self.first_ms: int | None = None
        self.last_ms = 0
        self.with_hands = 0
        self.with_faces = 0
        self.markers = 0
        self.sides: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()

    def add(self, frame: Any, events: list[dict[str, Any]]) -> None:
        self.frames += 1
        self.first_ms = frame.timestamp_ms if self.first_ms is None else self.first_ms
        self.last_ms = frame.timestamp_ms
        self.with_hands += bool(frame.hands)
        self.with_faces += bool(frame.faces)
        self.markers += len(frame.markers)
        self.sides.update(h.handedness for h in frame.hands)
        self.counts.update(e.get("event", "?") for e in events)

    def as_dict(self, reader: Any, mode: str) -> dict[str, Any]:
        return {
            "session": str(reader.path),
            "events_from": mode,
            "frames": self.frames,
            "duration_ms": self.last_ms - (self.first_ms or 0),
            "frames_with_hands": self.with_hands,
            "hands": dict(sorted(self.sides.items())),
            "frames_with_faces": self.with_faces,
            "markers": self.markers,
            "events": sum(self.counts.values()),
            "events_by_type": dict(sorted(self.counts.items())),
            "complete": reader.complete,
            "notes": reader.notes,
        }


def run_replay(args: argparse.Namespace) -> int:
    """Entry point of ``hud replay``; exit 1 when ``--verify`` finds a difference."""
    from hud.app.rerun import EventRerunner, frame_mismatch
    from hud.io.session import SessionReader

    reader = SessionReader(args.session)
    reader.validate()  # damage is reported before anything is printed
    rerunner = EventRerunner() if (args.rerun or args.verify) else None
    mode = "rerun" if args.rerun else "stored"
    totals = _Summary()
    mismatches: list[str] = []
    for frame in reader.frames():
        fresh = rerunner.process(frame) if rerunner is not None else None
        events = fresh if (args.rerun and fresh is not None) else list(frame.events)
        for event in events:
            if args.json:
                print(json.dumps({"frame": frame.index, **event}, separators=(",", ":")))
            else:
                print(_event_line(frame.index, event))
        totals.add(frame, events)
        if args.verify and fresh is not None:
            line = frame_mismatch(frame, fresh)
            if line is not None:
                mismatches.append(line)
    for note in reader.notes:
        print(f"hud: note: {escape_controls(note)}", file=sys.stderr)
    summary = totals.as_dict(reader, mode)
    status = 0
    if args.verify:
        summary["verify"] = {"equal": not mismatches, "frames_differing": len(mismatches)}
        for line in mismatches[:5]:
            print(f"hud: verify: {escape_controls(line)}", file=sys.stderr)
        status = 1 if mismatches else 0
    if args.json:
        print(json.dumps({"summary": summary}, separators=(",", ":")))
    else:
        print(
            f"{summary['frames']} frames ({summary['duration_ms'] / 1000:.2f} s), "
            f"{summary['frames_with_hands']} with hands, {summary['events']} events "
            f"({mode})"
        )
        for name, n in summary["events_by_type"].items():
            print(f"  {escape_controls(str(name))}: {n}")
        if args.verify:
            verdict = summary["verify"]
            print(
                "verify: re-run events equal the stored ones"
                if verdict["equal"]
                else f"verify: {verdict['frames_differing']} frames differ"
            )
    return status
