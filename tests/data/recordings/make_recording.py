"""Turn a landmarks-only ``hud record`` session into the small JSON recording kept here.

Usage (from the repository root)::

    .venv/bin/python -m hud record --video tests/data/video/hand_landmarker__test_video.mp4 \
        --no-video --out /tmp/fixture.wgs
    .venv/bin/python tests/data/recordings/make_recording.py /tmp/fixture.wgs \
        tests/data/recordings/hand_video_landmarks.json

Only what the gesture recognisers read is kept: per frame its timestamp, and per hand
the handedness, the tracker's score, the 21 image landmarks (x, y, z, rounded to 1e-5:
well under a hundredth of a pixel) and the image size. No pixels, no world landmarks,
no stored events (they depend on the recogniser version; re-run them instead).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from hud.io.session import SessionReader

    source, target = Path(argv[0]), Path(argv[1])
    frames = []
    with SessionReader(source) as reader:
        for frame in reader.frames():
            hands = []
            for hand in frame.hands:
                hands.append(
                    {
                        "handedness": hand.handedness,
                        "score": round(float(hand.score), 4),
                        "image_size": list(hand.image_size) if hand.image_size else None,
                        "landmarks": [[round(float(v), 5) for v in p] for p in hand.landmarks],
                    }
                )
            frames.append({"t": int(frame.timestamp_ms), "hands": hands})
    document = {
        "format": "waveglass-landmarks/1",
        "source": source.name,
        "frames": frames,
    }
    text = json.dumps(document, separators=(",", ":"))
    target.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(frames)} frames to {target} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
