"""The optics of an optical see-through waveguide, in physical terms, and its latency.

- :mod:`hud.optics.model`: ``L_eye = T·L_world + η·L_display`` and everything around it
  (effects, sRGB, the highlight shoulder, automatic brightness, the efficiency map η, the
  eyebox). No GL names: the shader uniforms are :mod:`hud.render.uniforms`.
- :mod:`hud.optics.latency`: motion-to-photon delay and its misregistration on a head trace.
"""

from hud.optics.model import (
    ALL_EFFECTS,
    AUTO_CONTRAST_TARGET,
    EFFECTS,
    EYE_RELIEF_MM,
    PUPIL_DIAMETER_MM,
    STREAK_LENGTH,
    STREAK_THRESHOLD,
    TONEMAP_KNEE,
    auto_brightness,
    contrast_ratio,
    eyebox_half_mm,
    eyebox_visibility,
    linear_to_srgb,
    parse_effects,
    srgb_to_linear,
    tonemap,
    uniformity_map,
)

__all__ = [
    "ALL_EFFECTS",
    "AUTO_CONTRAST_TARGET",
    "EFFECTS",
    "EYE_RELIEF_MM",
    "PUPIL_DIAMETER_MM",
    "STREAK_LENGTH",
    "STREAK_THRESHOLD",
    "TONEMAP_KNEE",
    "auto_brightness",
    "contrast_ratio",
    "eyebox_half_mm",
    "eyebox_visibility",
    "linear_to_srgb",
    "parse_effects",
    "srgb_to_linear",
    "tonemap",
    "uniformity_map",
]
