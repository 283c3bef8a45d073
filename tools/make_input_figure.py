"""Rebuild ``docs/images/input-detections.png``, the README's picture of what the trackers
see, from ``hud detect --draw`` on three real fixture photos.

    .venv/bin/python tools/make_input_figure.py [--out docs/images/input-detections.png]

Run it after changing a tracker or the pose classifier, so the README shows what the
code does now (labels and scores included).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "tests" / "data" / "images"
HEIGHT = 400
#: Photo, and the box (left, top, right, bottom) of it to show; None for all of it.
PANELS: tuple[tuple[str, tuple[int, int, int, int] | None], ...] = (
    ("thumbs-up_960x640.jpg", None),
    ("business-person.jpg", (0, 40, 958, 998)),  # face and hand, not the whole jacket
    ("aruco_detection__singlemarkersoriginal.jpg", None),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "images" / "input-detections.png"
    )
    args = parser.parse_args(argv)
    tiles = []
    with tempfile.TemporaryDirectory() as folder:
        for name, box in PANELS:
            drawn = Path(folder) / f"{name}.png"
            command = [
                sys.executable,
                "-m",
                "hud",
                "detect",
                str(IMAGES / name),
                "--draw",
                str(drawn),
            ]
            subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
            with Image.open(drawn) as image:
                tile = image.convert("RGB").crop(box) if box else image.convert("RGB")
            width = round(tile.width * HEIGHT / tile.height)
            tiles.append(tile.resize((width, HEIGHT), Image.Resampling.LANCZOS))
    sheet = Image.new("RGB", (sum(t.width for t in tiles), HEIGHT))
    left = 0
    for tile in tiles:
        sheet.paste(tile, (left, 0))
        left += tile.width
    sheet.save(args.out)
    print(f"wrote {args.out} ({sheet.width}x{sheet.height})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
