"""A tour of the waveguide emulator: one desk, two pairs of glasses, indoors and in sunlight.

Renders the assistant's answer cards over a real photo through Meta Orion and Meta Ray-Ban
Display, at indoor (150 nits) and direct-sunlight (10,000 nits) ambient light, and writes a
PNG per view plus the raw display frames and a contact sheet. When a display is present it
then opens the emulator window (keys: P profile, A ambient, E effects, arrows move the pupil).

    python demos/glasses_tour.py --out-dir out/demo [--no-window]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from hud.app.session import HudSession, HudSessionOptions, StepResult
from hud.errors import HudError
from hud.io.images import save_png
from hud.optics import EFFECTS
from hud.profiles import get_profile
from hud.scene import Scene, load_scene

ASSETS = Path(__file__).resolve().parent / "assets"
PROFILES = ("orion", "rayban-display")
AMBIENTS = {"indoor": 150.0, "sunlight": 10000.0}


def through_the_glasses(scene: Scene, profile: str, ambient_nits: float) -> StepResult:
    """One step of a session showing the scene's photo through the right eye's lens."""
    options = HudSessionOptions(
        profile=profile,
        scene=scene,
        track_hands=False,
        composite=True,
        eyes=("right",),
        ambient_nits=ambient_nits,
    )
    with HudSession(options) as session:
        return session.step(timestamp_ms=0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default="out/demo")
    ap.add_argument("--scene", default=str(ASSETS / "desk.json"))
    ap.add_argument("--no-window", action="store_true", help="do not open the emulator window")
    args = ap.parse_args(argv)
    try:
        out = Path(args.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        scene = load_scene(args.scene)
        tiles = []
        for name in PROFILES:
            profile = get_profile(name)
            for label, nits in AMBIENTS.items():
                step = through_the_glasses(scene, name, nits)
                view = step.composite["right"]
                path = save_png(out / f"{name}-{label}.png", view)
                tiles.append(view)
                print(
                    f"wrote {path}  ({profile.label}, {label} {nits:,.0f} nits, "
                    f"display {step.brightness * profile.peak_nits:,.0f} nits)"
                )
            disp = save_png(out / f"{name}-display.png", step.display["right"])
            print(f"wrote {disp}  (raw display frame, {profile.width_px}×{profile.height_px})")
        sheet = np.concatenate([np.concatenate(tiles[i : i + 2], axis=1) for i in (0, 2)], axis=0)
        small = sheet[::2, ::2]
        print(
            f"wrote {save_png(out / 'contact-sheet.png', small)}  (rows: {', '.join(PROFILES)}; "
            "columns: indoor, sunlight)"
        )
        if not args.no_window and (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            from hud.app.runners import show_scene

            print("opening the emulator window (Esc to close)")
            show_scene(scene, [get_profile(n) for n in PROFILES], frozenset(EFFECTS))
        elif not args.no_window:
            print("no display found: skipping the window (PNG files above)")
    except HudError as exc:
        print(f"demo: error: {exc.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
