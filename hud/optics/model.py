"""The physics of an optical see-through waveguide, as numbers the renderer consumes.

What a wearer sees through the lens is, per wavelength band, in linear light::

    L_eye = T · L_world + η(x, y, λ) · L_display

The lens passes a fraction ``T`` of the world's light and the waveguide *adds* the display's
light on top; it can never darken the world, so black display pixels are transparent and
there is no alpha blending. ``η`` is the waveguide's efficiency map (brightness fall-off and
colour non-uniformity), normalised to 1 at the centre.

Photometry: the world image is taken to show the surroundings with its diffuse white at
``ambient_nits``; display pixel value 1.0 emits ``peak_nits × brightness``. The composite is
exposed so that the world's diffuse white (before the lens) maps to 1.0, then clipped, or,
with the ``tonemap`` effect, rolled off with the shoulder curve of :func:`tonemap`. So the
same answer card is vivid indoors and washed out in sunlight, with contrast ratio
``1 + L_display / (T · L_world)`` (:func:`contrast_ratio`).

Everything here is numpy or plain Python: the shaders implement the same formulas and the
tests compare the two.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from hud.errors import HudError
from hud.profiles import DisplayProfile

#: The switchable departures from an ideal additive display. Additive light and the
#: ambient photometry are the model itself, not effects: with ``--effects none`` the
#: renderer still adds display light to ``T·world`` in the right proportion.
EFFECTS: tuple[str, ...] = (
    "fov",  # rounded, soft-edged field-of-view boundary (off: a hard rectangle)
    "eyebox",  # vignetting and pupil swim when the pupil is off-centre
    "uniformity",  # brightness fall-off and per-channel colour non-uniformity
    "rainbow",  # lateral colour shift of diffractive waveguides
    "streaks",  # world-side rainbow streaks from bright world light
    "ghost",  # faint displaced ghost image of the display
    "latency",  # world-anchored content lags head motion by the motion-to-photon latency
    "tonemap",  # highlight shoulder instead of a hard clip
)

#: Every effect on: the default wherever a caller does not choose.
ALL_EFFECTS: frozenset[str] = frozenset(EFFECTS)

#: Knee of the highlight shoulder: values below it are untouched.
TONEMAP_KNEE = 0.9
#: Automatic brightness aims the display's white at this multiple of the world's
#: diffuse white seen through the lens (a 4:1 contrast ratio over white paper), so body
#: text a little dimmer than white still clears the 3:1 a wearer needs to read it.
AUTO_CONTRAST_TARGET = 3.0
#: Diameter of the eye's pupil used by the eyebox model, mm (photopic, ~4 mm).
PUPIL_DIAMETER_MM = 4.0
#: Lever arm that turns field angle into footprint shift on the eye plane, mm (eye relief).
EYE_RELIEF_MM = 18.0


def parse_effects(spec: str | Iterable[str] | None) -> frozenset[str]:
    """``"all"``, ``"none"`` or a comma-separated list such as ``"fov,ghost"``."""
    if spec is None:
        return frozenset(EFFECTS)
    if isinstance(spec, str):
        s = spec.strip().lower()
        if s in ("all", ""):
            return frozenset(EFFECTS)
        if s == "none":
            return frozenset()
        items = [x.strip() for x in s.split(",") if x.strip()]
    else:
        items = [x.strip().lower() for x in spec]
    unknown = [x for x in items if x not in EFFECTS]
    if unknown:
        raise HudError(
            f"unknown effect(s) {', '.join(unknown)}; use all, none or a list of: {', '.join(EFFECTS)}"
        )
    return frozenset(items)


def srgb_to_linear(x: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """IEC 61966-2-1 sRGB decode, for values in [0, 1]."""
    a = np.asarray(x, dtype=np.float64)
    return np.where(a <= 0.04045, a / 12.92, ((a + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(x: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """IEC 61966-2-1 sRGB encode; input is clipped to [0, 1] first."""
    a = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    return np.where(a <= 0.0031308, a * 12.92, 1.055 * np.power(a, 1 / 2.4) - 0.055)


def tonemap(x: npt.ArrayLike, knee: float = TONEMAP_KNEE) -> npt.NDArray[np.float64]:
    """Highlight shoulder: identity below ``knee``, then an algebraic roll-off towards 1.

    ``y = k + e / √(1 + (e/(1-k))²)`` with ``e = x - k`` above the knee: continuous with
    slope 1 at the knee, monotonic, and never reaching 1, so mid-tones keep their physical
    values and only highlights compress (a bright card over a bright wall keeps some
    gradation instead of clipping flat). Algebraic because the GPU version must be cheap
    on a software rasteriser too.
    """
    a = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
    k = knee
    e = np.maximum(a - k, 0.0)
    return np.minimum(a, k) + e / np.sqrt(1.0 + (e / (1.0 - k)) ** 2)


def contrast_ratio(display_nits: float, transmittance: float, world_nits: float) -> float:
    """Contrast of display light over the world seen through the lens: ``1 + L_d/(T·L_w)``."""
    return 1.0 + display_nits / (transmittance * world_nits)


def auto_brightness(profile: DisplayProfile, ambient_nits: float) -> float:
    """What an ambient-light sensor loop would pick: white at 3× the see-through white.

    Capped at the profile's peak, and never below 0.6 % of it (Ray-Ban Display's 30-nit
    floor out of 5,000), so in sunlight a dim display runs at full power and still washes out.
    """
    target = AUTO_CONTRAST_TARGET * profile.transmittance * ambient_nits
    return float(np.clip(target / profile.peak_nits, 0.006, 1.0))


def uniformity_map(profile: DisplayProfile, size: int = 32) -> npt.NDArray[np.float32]:
    """η(x, y, λ): the waveguide's per-channel efficiency across the FOV, 1.0 at the centre.

    A smooth radial fall-off (``falloff`` lost at the corners), a colour gradient across
    the field (diffractive in-couplers favour blue on one side and red on the other) and a
    low-frequency, device-specific mottle seeded by the profile name, so a given profile
    always looks the same. Returned as ``size × size × 3`` float32, row 0 at the top.
    """
    a = profile.artefacts
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    u = (x + 0.5) / size * 2 - 1
    v = (y + 0.5) / size * 2 - 1
    r2 = (u * u + v * v) / 2.0
    base = 1.0 - a.falloff * r2
    rng = np.random.default_rng(zlib.crc32(profile.name.encode()))
    out = np.empty((size, size, 3))
    gradients = (0.9, 0.0, -0.9) if profile.colour == "rgb" else (0.0, 0.0, 0.0)
    for c in range(3):
        mottle = np.zeros_like(u)
        for _ in range(3):
            fx, fy = rng.uniform(0.5, 2.0, size=2)
            ph = rng.uniform(0, 2 * math.pi, size=2)
            mottle += np.sin(fx * math.pi * u + ph[0]) * np.sin(fy * math.pi * v + ph[1]) / 3
        colour = 1.0 + a.colour_nonuniformity * (gradients[c] * u * 0.6 + 0.4 * mottle)
        out[..., c] = base * colour
    # Normalise so the centre of the field is exactly 1 in each channel.
    centre = out[size // 2 - 1 : size // 2 + 1, size // 2 - 1 : size // 2 + 1].mean(axis=(0, 1))
    out /= centre
    return np.clip(out, 0.0, 2.0).astype(np.float32)


#: Linear world level above which world light makes streaks (light sources, sky glare).
STREAK_THRESHOLD = 0.93
#: Streak half-length as a fraction of the world image width.
STREAK_LENGTH = 0.12


def eyebox_half_mm(eyebox_mm: float, fov_half_tan: float) -> float:
    """Half-width (mm) of the pupil positions that see a field: the eyebox, widened by the
    pupil's radius and by how far the edge field's footprint walks at the eye relief."""
    return eyebox_mm / 2 + PUPIL_DIAMETER_MM / 2 + EYE_RELIEF_MM * fov_half_tan


def eyebox_visibility(
    field_tan: float, pupil_mm: float, eyebox_mm: float, fov_half_tan: float
) -> float:
    """The eyebox model of the compose shader for one axis, in numpy for tests and docs."""
    half = eyebox_half_mm(eyebox_mm, fov_half_tan)
    c = -EYE_RELIEF_MM * field_tan
    return float(np.clip((half - abs(pupil_mm - c)) / PUPIL_DIAMETER_MM + 0.5, 0.0, 1.0))
