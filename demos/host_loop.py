"""A glasses firmware host loop: frames in, display frames out, no window.

The host owns the loop and the clock: it reads camera frames (here the fixture hand video,
or any video or image folder), hands each to ``HudSession.step`` with the frame's own
timestamp, and sends the display frame to the glasses — here written as PNGs, with the
bytes a Bluetooth LE link would have carried (only the rectangles that changed).

    python demos/host_loop.py --out-dir out/host [--video FILE] [--profile even-g1]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import hud
from hud.io.images import save_png
from hud.io.sources import open_source
from hud.render.frames import PixelFormat, unpack_grey

ROOT = Path(__file__).resolve().parents[1]
VIDEO = ROOT / "tests" / "data" / "video" / "hand_landmarker__test_video.mp4"


def status_cards(t_ms: int, hands: int, events: int) -> list[hud.Card]:
    """What this host shows: a head-locked status card that changes with what it sees."""
    seen = "손 보임 · hand in view" if hands else "손 없음 · no hand"
    return [
        hud.Card("status", "Waveglass host", f"{seen} · {t_ms / 1000:.1f} s", state="info"),
        hud.Card("events", "Events", f"{events} so far", state="listening"),
    ]


def to_png(frame: np.ndarray, fmt: PixelFormat, width: int) -> np.ndarray:
    """A display frame in any pixel format as an RGB image for a PNG."""
    if fmt is PixelFormat.RGB888:
        return frame
    levels = unpack_grey(frame, fmt, width).astype(np.float32)
    grey = np.round(levels * 255.0 / ((1 << fmt.bits) - 1)).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default="out/host")
    ap.add_argument("--video", default=str(VIDEO))
    ap.add_argument("--profile", default="rayban-display")
    ap.add_argument("--max-frames", type=int, default=None)
    ap.add_argument("--every", type=int, default=25, help="write every Nth display frame")
    args = ap.parse_args(argv)
    try:
        out = Path(args.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        options = hud.HudSessionOptions(profile=args.profile, camera_fov_h_deg=70.0)
        sent = full = steps = events = 0
        with (
            hud.HudSession(options) as session,
            open_source(video=args.video, max_frames=args.max_frames) as camera,
        ):
            profile = session.profile
            for frame in camera:  # the host owns the loop and the clock
                out_step = session.step(frame.rgb, timestamp_ms=frame.timestamp_ms)
                events += len(out_step.events)
                hands = len(out_step.tracked.hands)
                session.set_cards(status_cards(frame.timestamp_ms, hands, events))
                for eye in out_step.display:
                    sent += out_step.update_bytes(eye)
                    full += out_step.pixel_format.frame_bytes(profile.width_px, profile.height_px)
                if steps % args.every == 0:
                    for eye, image in out_step.display.items():
                        png = to_png(image, out_step.pixel_format, profile.width_px)
                        save_png(out / f"display-{steps:04d}-{eye}.png", png)
                steps += 1
        print(
            f"{steps} frames through {profile.label}: {events} gesture events; the link "
            f"carried {sent:,} of {full:,} bytes ({sent / max(full, 1):.1%}) -> {out}"
        )
    except hud.HudError as exc:
        print(f"demo: error: {exc.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
