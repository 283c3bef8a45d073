"""Display profiles as plain data: the optical facts of a pair of AR glasses.

A profile is everything the optics emulation needs to know about one device: how wide
its field of view is, how many pixels it spreads over it, how bright it gets, how much
world light its lenses pass, and how strong its waveguide's artefacts are. Each built-in
profile cites where its figures come from in ``sources``; where a maker publishes no
figure the source says it is an estimate and how it was derived (see ``docs/profiles.md``).

Angles are in degrees of visual angle. The display is modelled as a flat virtual image,
so pixels are uniform in ``tan(angle)``: the diagonal field of view follows from the
horizontal and vertical ones as ``2·atan(√(tan²(h/2) + tan²(v/2)))``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Artefacts:
    """How strongly the waveguide departs from an ideal display (0 = ideal).

    These drive the optics effects. A diffractive (surface-relief grating) waveguide shows
    rainbow colour shifts and world-side streaks that a geometric (reflective) one does not;
    each built-in profile's file writes its own values out.
    """

    #: Luminance fall-off from centre to the FOV corner (fraction lost at the corner).
    falloff: float = 0.25
    #: Amplitude of the per-channel colour non-uniformity across the FOV (0.15 = ±15 %).
    colour_nonuniformity: float = 0.15
    #: Lateral colour shift of red vs. blue at the FOV edge, in degrees (diffractive dispersion).
    rainbow_deg: float = 0.15
    #: Strength of rainbow streaks that bright world light makes through the grating.
    world_streaks: float = 0.5
    #: Intensity of the ghost image (fraction of the main image) and its offset in degrees.
    ghost: float = 0.03
    ghost_offset_deg: tuple[float, float] = (0.6, 0.4)
    #: Image shift per millimetre of pupil offset ("pupil swim"), degrees/mm.
    swim_deg_per_mm: float = 0.08


@dataclass(frozen=True)
class DisplayProfile:
    """One device's display, per eye."""

    name: str
    label: str
    eyes: int
    #: Which eye carries the display for monocular devices ("left" or "right"); "both" if eyes=2.
    eye: str
    width_px: int
    height_px: int
    fov_h_deg: float
    fov_v_deg: float
    peak_nits: float
    refresh_hz: float
    #: Fraction of world light the lens passes (0-1), photopic, lenses in their clear state.
    transmittance: float
    #: Motion-to-photon latency of world-locked content, milliseconds.
    latency_ms: float = 20.0
    #: "rgb" or "mono"; a monochrome display emits only ``mono_rgb``.
    colour: str = "rgb"
    mono_rgb: tuple[float, float, float] = (0.0, 1.0, 0.0)
    waveguide: str = "diffractive"
    #: Where the FOV centre sits relative to straight ahead (x right, y down), degrees.
    center_offset_deg: tuple[float, float] = (0.0, 0.0)
    #: Eyebox width and height, mm: the pupil sees the whole FOV anywhere inside it.
    eyebox_mm: tuple[float, float] = (10.0, 8.0)
    #: Corner radius of the visible FOV and the width of its soft edge, degrees.
    corner_radius_deg: float = 2.0
    edge_softness_deg: float = 0.4
    ipd_mm: float = 63.0
    #: How a display frame is sent to the glasses: "rgb888", or packed grey for
    #: monochrome text displays ("gray8", "gray4", "gray2", "gray1"); "" follows the
    #: colour (RGB for colour panels, 1-bit grey for monochrome ones).
    pixel_format: str = ""
    artefacts: Artefacts = field(default_factory=Artefacts)
    #: Where each figure comes from, by topic ("fov", "resolution", ...); "estimate: ..."
    #: says how a figure was derived when no maker figure exists. Citations, not optics:
    #: they take no part in ``==`` or ``hash`` (a profile stays hashable) and no part in
    #: ``repr``.
    sources: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def fov_diag_deg(self) -> float:
        th = math.tan(math.radians(self.fov_h_deg) / 2)
        tv = math.tan(math.radians(self.fov_v_deg) / 2)
        return math.degrees(2 * math.atan(math.hypot(th, tv)))

    @property
    def ppd(self) -> float:
        """Mean pixels per degree across the horizontal field of view."""
        return self.width_px / self.fov_h_deg

    def summary(self) -> dict[str, Any]:
        """The keys ``hud profiles --json`` promises, plus the rest of the profile."""
        d = asdict(self)
        sources = d.pop("sources")
        d["fov_diag_deg"] = round(self.fov_diag_deg, 2)
        d["ppd"] = round(self.ppd, 2)
        d["sources"] = sources
        return d


#: The display-frame layouts a profile may name (:class:`hud.render.frames.PixelFormat`).
PIXEL_FORMATS = ("rgb888", "gray8", "gray4", "gray2", "gray1")


def fov_from_diagonal(diag_deg: float, width_px: int, height_px: int) -> tuple[float, float]:
    """Horizontal and vertical FOV of a flat display with square pixels and this diagonal."""
    t = math.tan(math.radians(diag_deg) / 2)
    d = math.hypot(width_px, height_px)
    h = math.degrees(2 * math.atan(t * width_px / d))
    v = math.degrees(2 * math.atan(t * height_px / d))
    return round(h, 3), round(v, 3)
