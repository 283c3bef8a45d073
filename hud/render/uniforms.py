"""The optical model as shader uniforms: the render layer's names for the physics.

:mod:`hud.optics` holds the model in physical terms (transmittance, nits, eyebox in mm);
this module turns one profile, view and viewer into the ``u_*`` values and ``FX_*`` flag
bits that the compose shaders read. It imports no GL, so unit tests check the numbers
(``u_gain`` is display white over world white, and so on) without a context.
"""

from __future__ import annotations

import math

from hud.anchors.view import ViewGeometry
from hud.optics.model import EYE_RELIEF_MM, PUPIL_DIAMETER_MM, eyebox_half_mm
from hud.profiles import DisplayProfile

#: Bit per effect in ``u_flags``; each becomes an ``FX_*`` define of the shaders that read it.
EFFECT_BITS: dict[str, int] = {
    "fov": 1,
    "eyebox": 2,
    "uniformity": 4,
    "rainbow": 8,
    "streaks": 16,
    "ghost": 32,
    "latency": 64,
    "tonemap": 128,
}


def compose_uniforms(
    profile: DisplayProfile,
    view: ViewGeometry,
    ambient_nits: float,
    brightness: float,
    effects: frozenset[str],
    pupil_offset_mm: tuple[float, float] = (0.0, 0.0),
) -> dict[str, object]:
    """Every number the compose shader needs, derived from the profile and the viewer.

    Kept free of GL so the physics can be checked by unit tests: e.g. ``u_gain`` is the
    display's white in units of the world's diffuse white, ``peak·brightness/ambient``.
    """
    a = profile.artefacts
    hx, hy = view.fov_half_tan
    # Corner radius and soft edge are given in degrees near the FOV edge; convert to tan units
    # with the derivative of tan at the edge (d tan θ = sec²θ dθ).
    sec2 = 1.0 + hx * hx
    deg = math.radians(1.0)
    edge = profile.edge_softness_deg * deg * sec2 if "fov" in effects else 0.0
    corner = min(profile.corner_radius_deg * deg * sec2, min(hx, hy))
    px, py = pupil_offset_mm
    tmax = (hx + abs(view.fov_center_tan[0]), hy + abs(view.fov_center_tan[1]))
    eyebox_half = (
        eyebox_half_mm(profile.eyebox_mm[0], tmax[0]),
        eyebox_half_mm(profile.eyebox_mm[1], tmax[1]),
    )
    swim = (
        math.tan(math.radians(a.swim_deg_per_mm * px)),
        math.tan(math.radians(a.swim_deg_per_mm * py)),
    )
    rainbow_uv = math.tan(math.radians(a.rainbow_deg)) / (2 * hx)
    ghost_uv = (
        math.tan(math.radians(a.ghost_offset_deg[0])) / (2 * hx),
        math.tan(math.radians(a.ghost_offset_deg[1])) / (2 * hy),
    )
    # An effect this device does not have (a geometric waveguide's rainbow, say) is left out
    # of the shader entirely: the result is the same and the taps are saved.
    absent = {
        "rainbow": a.rainbow_deg == 0,
        "ghost": a.ghost == 0,
        "streaks": a.world_streaks == 0,
        "uniformity": a.falloff == 0 and a.colour_nonuniformity == 0,
    }
    flags = 0
    for name in effects:
        if not absent.get(name, False):
            flags |= EFFECT_BITS[name]
    return {
        "u_out_size": (float(view.width), float(view.height)),
        "u_focal": float(view.focal_px),
        "u_world_shift": float(view.world_shift_px()),
        "u_fov_center": tuple(float(x) for x in view.fov_center_tan),
        "u_fov_half": (float(hx), float(hy)),
        "u_corner": float(corner),
        "u_edge": float(edge),
        "u_T": float(profile.transmittance),
        "u_gain": float(profile.peak_nits * brightness / ambient_nits),
        "u_swim": (float(swim[0]), float(swim[1])),
        "u_pupil": (float(px), float(py)),
        "u_eyebox_half": (float(eyebox_half[0]), float(eyebox_half[1])),
        "u_relief": EYE_RELIEF_MM,
        "u_pupil_d": PUPIL_DIAMETER_MM,
        "u_rainbow": float(rainbow_uv),
        "u_ghost": float(a.ghost),
        "u_ghost_offset": (float(ghost_uv[0]), float(ghost_uv[1])),
        "u_streak_gain": float(a.world_streaks),
        "u_flags": flags,
    }
