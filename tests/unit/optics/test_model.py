from __future__ import annotations

import numpy as np
import pytest

from hud.anchors import ViewGeometry
from hud.errors import HudError
from hud.optics import (
    AUTO_CONTRAST_TARGET,
    EFFECTS,
    TONEMAP_KNEE,
    auto_brightness,
    contrast_ratio,
    eyebox_visibility,
    linear_to_srgb,
    parse_effects,
    srgb_to_linear,
    tonemap,
    uniformity_map,
)
from hud.profiles import BUILTIN_PROFILES
from hud.render.uniforms import compose_uniforms


def test_srgb_roundtrip_and_known_values() -> None:
    x = np.linspace(0, 1, 1001)
    assert np.allclose(linear_to_srgb(srgb_to_linear(x)), x, atol=1e-9)
    assert srgb_to_linear(0.5) == pytest.approx(0.21404, abs=1e-4)


def test_tonemap_is_identity_below_knee_monotonic_and_bounded() -> None:
    x = np.linspace(0, 50, 5001)
    y = tonemap(x)
    below = x <= TONEMAP_KNEE
    assert np.allclose(y[below], x[below])
    assert np.all(np.diff(y) >= 0) and y.max() < 1.0
    slope = (tonemap(TONEMAP_KNEE + 1e-6) - tonemap(TONEMAP_KNEE)) / 1e-6
    assert slope == pytest.approx(1.0, abs=1e-3)


def test_contrast_ratio_formula() -> None:
    assert contrast_ratio(1000, 0.8, 250) == pytest.approx(6.0)
    assert contrast_ratio(5000, 0.85, 10000) == pytest.approx(1 + 5000 / 8500)


def test_auto_brightness_washes_out_in_sunlight() -> None:
    rb = BUILTIN_PROFILES["rayban-display"]
    indoor, sun = auto_brightness(rb, 100), auto_brightness(rb, 10000)
    assert indoor < sun == 1.0
    cr_in = contrast_ratio(indoor * rb.peak_nits, rb.transmittance, 100)
    cr_sun = contrast_ratio(sun * rb.peak_nits, rb.transmittance, 10000)
    assert cr_in == pytest.approx(1 + AUTO_CONTRAST_TARGET, rel=1e-6)  # 4:1 indoors
    assert cr_sun < 1.7


@pytest.mark.parametrize("name", sorted(BUILTIN_PROFILES))
def test_uniformity_map_is_one_at_centre_and_falls_off(name: str) -> None:
    eta = uniformity_map(BUILTIN_PROFILES[name], 32)
    assert eta.shape == (32, 32, 3)
    assert np.allclose(eta[15:17, 15:17].mean(axis=(0, 1)), 1.0, atol=1e-6)
    assert eta[0, 0].mean() < 0.97
    assert np.array_equal(eta, uniformity_map(BUILTIN_PROFILES[name], 32)), "must be deterministic"


def test_diffractive_has_more_colour_nonuniformity_than_birdbath() -> None:
    def spread(name: str) -> float:
        eta = uniformity_map(BUILTIN_PROFILES[name], 32)
        return float(np.abs(eta[..., 0] - eta[..., 2]).mean())

    assert spread("hololens2") > 3 * spread("xreal-one-pro")


def test_eyebox_full_inside_and_vignettes_outside() -> None:
    half = np.tan(np.radians(7))
    fields = np.linspace(-half, half, 21)
    assert all(eyebox_visibility(t, 0.0, 8.0, half) == 1.0 for t in fields)
    assert all(eyebox_visibility(t, 3.9, 8.0, half) == 1.0 for t in fields)
    far = [eyebox_visibility(t, 8.0, 8.0, half) for t in fields]
    assert min(far) < 0.5 and max(far) == 1.0  # one side of the FOV goes dark first


def test_parse_effects() -> None:
    assert parse_effects("all") == frozenset(EFFECTS)
    assert parse_effects("none") == frozenset()
    assert parse_effects("fov, ghost") == {"fov", "ghost"}
    with pytest.raises(HudError, match="unknown effect"):
        parse_effects("fov,bloom")


def test_gain_is_display_white_over_world_white() -> None:
    rb = BUILTIN_PROFILES["rayban-display"]
    view = ViewGeometry.make(rb, 640, 360, 70, "right", 3.0)
    u = compose_uniforms(rb, view, 250.0, 0.5, frozenset())
    assert u["u_gain"] == pytest.approx(5000 * 0.5 / 250)
    assert u["u_T"] == rb.transmittance


def test_binocular_disparity() -> None:
    orion = BUILTIN_PROFILES["orion"]
    left = ViewGeometry.make(orion, 640, 360, 70, "left", 2.0, parallax=True)
    right = ViewGeometry.make(orion, 640, 360, 70, "right", 2.0, parallax=True)
    # A point straight ahead at 2 m appears to the right for the left eye, left for the right.
    assert left.image_to_eye_tan(320, 180)[0] == pytest.approx(0.0315 / 2.0)
    assert right.image_to_eye_tan(320, 180)[0] == pytest.approx(-0.0315 / 2.0)
    mono = ViewGeometry.make(
        BUILTIN_PROFILES["rayban-display"], 640, 360, 70, "right", 2.0, parallax=True
    )
    assert mono.world_shift_px() == 0.0
    single = ViewGeometry.make(orion, 640, 360, 70, "left", 2.0)  # one eye: the photo is its view
    assert single.world_shift_px() == 0.0
