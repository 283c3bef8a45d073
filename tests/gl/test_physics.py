"""The optics pipeline against the physics it claims (EGL/llvmpipe is enough)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace

import moderngl
import numpy as np
import pytest

from hud.anchors import ViewGeometry
from hud.optics import EFFECTS, linear_to_srgb, srgb_to_linear
from hud.profiles import BUILTIN_PROFILES, DisplayProfile
from hud.render.renderer import HudRenderer, render_scene
from hud.render.uniforms import compose_uniforms
from hud.scene import parse_scene

W, H = 320, 180
FOV = 70.0


@pytest.fixture(scope="module")
def renderers() -> Iterator[dict[str, HudRenderer]]:
    made: dict[str, HudRenderer] = {}
    yield made
    for r in reversed(list(made.values())):  # the first one owns the shared context
        r.release()


def get(renderers: dict[str, HudRenderer], name: str) -> HudRenderer:
    if name not in renderers:
        ctx_owner = next(iter(renderers.values()), None)
        renderers[name] = HudRenderer(
            BUILTIN_PROFILES[name], (W, H), context=ctx_owner.context if ctx_owner else None
        )
    # Renderers enter their context only around their own calls, and other tests create and
    # release contexts: make ours current for the rest of a test that drives it directly.
    renderers[name].ctx.__enter__()
    return renderers[name]


def world_noise(seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(H, W, 3), dtype=np.uint8)


def display_tex(ctx: moderngl.Context, rgb: np.ndarray) -> moderngl.Texture:
    h, w = rgb.shape[:2]
    rgba = np.dstack([rgb, np.ones((h, w))]).astype("f2")
    tex = ctx.texture((w, h), 4, rgba.tobytes(), dtype="f2")
    tex.filter = (moderngl.NEAREST, moderngl.NEAREST)
    return tex


def compose(
    r: HudRenderer,
    disp: np.ndarray,
    effects: frozenset[str],
    ambient: float = 250.0,
    brightness: float = 0.5,
    linear: bool = True,
) -> np.ndarray:
    view = ViewGeometry.make(r.profile, W, H, FOV, "right", 3.0)
    u = compose_uniforms(r.profile, view, ambient, brightness, effects)
    tex = display_tex(r.ctx, disp)
    try:
        r.compositor.compose(tex, u, linear=linear)
        return r.compositor.read_linear() if linear else r.compositor.read_srgb()
    finally:
        tex.release()


def test_empty_scene_with_no_effects_is_transmitted_world() -> None:
    """Acceptance: an empty scene with --effects none gives exactly T·world (1/255 after sRGB)."""
    scene = parse_scene(
        {
            "version": 1,
            "profile": "rayban-display",
            "world": {"color": [0.8, 0.5, 0.2], "width": W, "height": H},
        }
    )
    for name in ("rayban-display", "orion", "even-g1"):
        prof = BUILTIN_PROFILES[name]
        (frame,) = render_scene(scene, prof, effects="none")
        world = np.array([0.8, 0.5, 0.2])
        expected = np.round(
            linear_to_srgb(prof.transmittance * srgb_to_linear(np.round(world * 255) / 255)) * 255
        )
        assert np.abs(frame.composite.astype(int) - expected).max() <= 1, name


def test_black_display_adds_nothing_whatever_the_display_effects(
    renderers: dict[str, HudRenderer],
) -> None:
    r = get(renderers, "orion")
    world = world_noise()
    r.compositor.set_world(world)
    display_side = frozenset(EFFECTS) - {"streaks", "tonemap"}
    out = compose(
        r, np.zeros((r.profile.height_px, r.profile.width_px, 3)), display_side, linear=False
    )
    # A single eye takes the photo as its own view: the world arrives unshifted.
    expected = np.round(
        linear_to_srgb(r.profile.transmittance * srgb_to_linear(world / 255.0)) * 255
    )
    assert np.abs(out.astype(int) - expected).max() <= 1


def test_composite_matches_additive_formula(renderers: dict[str, HudRenderer]) -> None:
    """L = T·world + gain·display at every pixel, checked where the display is constant."""
    r = get(renderers, "orion")
    prof = r.profile
    world = world_noise(2)
    r.compositor.set_world(world)
    # Display: 8×6 blocks of random colours, so resampling inside a block is exact.
    rng = np.random.default_rng(3)
    blocks = rng.uniform(0, 1, size=(6, 8, 3))
    disp = np.kron(blocks, np.ones((prof.height_px // 6, prof.width_px // 8, 1)))
    out = compose(r, disp, frozenset())
    view = ViewGeometry.make(prof, W, H, FOV, "right", 3.0)
    gain = prof.peak_nits * 0.5 / 250.0
    T = prof.transmittance
    checked = 0
    for y in range(0, H, 3):
        for x in range(0, W, 3):
            # Output pixels are this eye's directions (no disparity: the display moves with the eye).
            u, v = view.eye_tan_to_display_uv(
                (x + 0.5 - W / 2) / view.focal_px, (y + 0.5 - H / 2) / view.focal_px
            )
            world_lin = srgb_to_linear(world[y, x] / 255.0)
            if not (0 < u < 1 and 0 < v < 1):
                np.testing.assert_allclose(out[y, x], T * world_lin, atol=2e-3)
                continue
            bu, bv = u * 8, v * 6
            if min(bu % 1, 1 - bu % 1, bv % 1, 1 - bv % 1) < 0.08:
                continue  # block edge: resampling mixes neighbours
            expected = T * world_lin + gain * blocks[int(bv), int(bu)]
            enc = np.round(linear_to_srgb(np.clip(expected, 0, 1)) * 255)
            got = np.round(linear_to_srgb(np.clip(out[y, x], 0, 1)) * 255)
            assert np.abs(enc - got).max() <= 1, (x, y, expected, out[y, x])
            checked += 1
    assert checked > 500


@pytest.mark.parametrize("ambient", [100.0, 1000.0, 10000.0])
def test_contrast_ratio_of_white_patch(renderers: dict[str, HudRenderer], ambient: float) -> None:
    r = get(renderers, "rayban-display")
    prof = r.profile
    grey = np.full((H, W, 3), 118, np.uint8)
    r.compositor.set_world(grey)
    disp = np.ones((prof.height_px, prof.width_px, 3))
    out = compose(r, disp, frozenset(), ambient=ambient, brightness=1.0)
    view = ViewGeometry.make(prof, W, H, FOV, "right", 3.0)
    cx, cy = view.display_uv_to_image_px(0.5, 0.5)
    inside = out[int(cy), int(cx), 1]
    outside = out[5, 5, 1]
    world_nits = srgb_to_linear(118 / 255) * ambient
    expected = 1 + prof.peak_nits / (prof.transmittance * world_nits)
    assert inside / outside == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize("name", ["rayban-display", "orion", "hololens2", "even-g1"])
def test_visible_fov_boundary_matches_profile(name: str, renderers: dict[str, HudRenderer]) -> None:
    r = get(renderers, name)
    prof: DisplayProfile = r.profile
    r.compositor.set_world(np.zeros((H, W, 3), np.uint8))
    out = compose(
        r, np.ones((prof.height_px, prof.width_px, 3)), frozenset({"fov"}), brightness=0.01
    )
    view = ViewGeometry.make(prof, W, H, FOV, "right", 3.0)
    focal = view.focal_px
    cx, cy = view.display_uv_to_image_px(0.5, 0.5)
    row = out[int(cy), :, 1]
    col = out[:, int(cx), 1]
    peak = row.max()

    def edges(profile_line: np.ndarray, centre: float) -> tuple[float, float]:
        above = np.where(profile_line >= peak / 2)[0]
        lo, hi = above.min(), above.max() + 1  # pixel edges of the lit span
        to_deg = lambda px: math.degrees(math.atan((px - centre) / focal))  # noqa: E731
        return to_deg(lo), to_deg(hi)

    left, right = edges(row, W / 2)
    top, bottom = edges(col, H / 2)
    ox, oy = prof.center_offset_deg
    tol = 0.5  # the bound, with this 0.25°-per-pixel grid
    # Tan-space centre offset: edges are atan(tan(off) ± tan(half)).
    t_off, t_half = math.tan(math.radians(ox)), math.tan(math.radians(prof.fov_h_deg / 2))
    assert left == pytest.approx(math.degrees(math.atan(t_off - t_half)), abs=tol)
    assert right == pytest.approx(math.degrees(math.atan(t_off + t_half)), abs=tol)
    t_off_y, t_half_y = math.tan(math.radians(oy)), math.tan(math.radians(prof.fov_v_deg / 2))
    if abs(t_off_y) + t_half_y < (H / 2 - 2) / focal:  # else cropped by this 180-px-high image
        assert top == pytest.approx(math.degrees(math.atan(t_off_y - t_half_y)), abs=tol)
        assert bottom == pytest.approx(math.degrees(math.atan(t_off_y + t_half_y)), abs=tol)


def test_uniformity_and_eyebox_change_the_display_only(renderers: dict[str, HudRenderer]) -> None:
    r = get(renderers, "hololens2")
    prof = r.profile
    r.compositor.set_world(np.zeros((H, W, 3), np.uint8))
    white = np.ones((prof.height_px, prof.width_px, 3))
    ideal = compose(r, white, frozenset(), brightness=0.05)
    uni = compose(r, white, frozenset({"uniformity"}), brightness=0.05)
    view = ViewGeometry.make(prof, W, H, FOV, "right", 3.0)
    cx, cy = (int(v) for v in view.display_uv_to_image_px(0.5, 0.5))
    ex, _ = (int(v) for v in view.display_uv_to_image_px(0.03, 0.5))
    assert uni[cy, cx] == pytest.approx(ideal[cy, cx], rel=0.03)
    assert uni[cy, ex].mean() < 0.95 * ideal[cy, ex].mean()
    assert (
        abs(uni[cy, ex, 0] - uni[cy, ex, 2]) > 0.02 * ideal[cy, ex, 1]
    )  # colour shift at the edge


def test_monocular_profile_leaves_other_eye_clear() -> None:
    scene = parse_scene(
        {
            "version": 1,
            "profile": "rayban-display",
            "world": {"color": [0.1, 0.1, 0.1], "width": W, "height": H},
            "cards": [{"id": "q", "title": "안녕하세요"}],
        }
    )
    prof = BUILTIN_PROFILES["rayban-display"]
    left, right = render_scene(scene, prof, eye="both", effects="none")
    assert left.eye == "left" and right.eye == "right"
    assert left.display.max() == 0.0
    assert right.display.max() > 0.5
    assert np.ptp(left.composite) == 0  # uniform world, nothing added
    assert right.composite.max() > left.composite.max()


def test_eyebox_pupil_offset_vignettes_one_side(renderers: dict[str, HudRenderer]) -> None:
    r = get(renderers, "hololens2")
    prof = r.profile
    r.compositor.set_world(np.zeros((H, W, 3), np.uint8))
    white = np.ones((prof.height_px, prof.width_px, 3))
    view = ViewGeometry.make(prof, W, H, FOV, "right", 3.0)
    cy = int(view.display_uv_to_image_px(0.5, 0.5)[1])
    xl = int(view.display_uv_to_image_px(0.08, 0.5)[0])
    xr = int(view.display_uv_to_image_px(0.92, 0.5)[0])

    def row(pupil_x: float) -> np.ndarray:
        u = compose_uniforms(prof, view, 250.0, 0.05, frozenset({"eyebox"}), (pupil_x, 0.0))
        tex = display_tex(r.ctx, white)
        try:
            r.compositor.compose(tex, u, linear=True)
        finally:
            tex.release()
        return r.compositor.read_linear()[cy, :, 1]

    centred = row(0.0)
    inside = row(prof.eyebox_mm[0] / 2 - 0.5)  # still inside the eyebox: nothing lost
    outside = row(prof.eyebox_mm[0] / 2 + 3.0)  # pupil moved right, past the eyebox edge
    assert inside[xl] == pytest.approx(centred[xl], rel=0.02)
    assert inside[xr] == pytest.approx(centred[xr], rel=0.02)
    # Moving the pupil right loses the fields whose beams land left of it: the left side of
    # the FOV (negative field angles shift footprints right, so the right side stays lit).
    assert min(outside[xl], outside[xr]) < 0.6 * centred[xl]
    assert max(outside[xl], outside[xr]) > 0.95 * centred[xl]


def test_world_streaks_come_from_bright_light_only(renderers: dict[str, HudRenderer]) -> None:
    r = get(renderers, "hololens2")
    world = np.full((H, W, 3), 60, np.uint8)
    world[88:92, 158:162] = 255  # a lamp
    r.compositor.set_world(world)
    black = np.zeros((r.profile.height_px, r.profile.width_px, 3))
    on = compose(r, black, frozenset({"streaks"}))
    off = compose(r, black, frozenset())
    extra = on - off
    beside = extra[90, 175:200].sum(axis=1)
    above = extra[60:80, 160].sum(axis=1)
    assert beside.max() > 0.01  # a streak along the grating (horizontal)
    assert above.max() < 1e-3  # not across it
    far_colour = extra[90, 185]
    near_colour = extra[90, 165]
    assert far_colour[0] / max(far_colour[2], 1e-6) > near_colour[0] / max(
        near_colour[2], 1e-6
    )  # red spreads farther
    r.compositor.set_world(np.full((H, W, 3), 200, np.uint8))  # bright but not a light source
    assert (
        np.abs(compose(r, black, frozenset({"streaks"})) - compose(r, black, frozenset())).max()
        < 1e-4
    )


def test_ghost_is_a_faint_displaced_copy(renderers: dict[str, HudRenderer]) -> None:
    r = get(renderers, "rayban-display")
    prof = r.profile
    r.compositor.set_world(np.zeros((H, W, 3), np.uint8))
    disp = np.zeros((prof.height_px, prof.width_px, 3))
    disp[250:350, 250:350] = 1.0  # a white square in the middle of the display
    with_ghost = compose(r, disp, frozenset({"ghost"}), brightness=0.05)
    without = compose(r, disp, frozenset(), brightness=0.05)
    diff = (with_ghost - without)[..., 1]
    main = without[..., 1].max()
    assert 0.5 * prof.artefacts.ghost * main < diff.max() < 1.5 * prof.artefacts.ghost * main
    ys, xs = np.nonzero(diff > 0.5 * diff.max())
    my, mx = np.nonzero(without[..., 1] > 0.5 * main)
    gx, gy = prof.artefacts.ghost_offset_deg
    assert (ys.mean() - my.mean()) * np.sign(gy or 1) > 0 or gy == 0  # displaced the right way
    assert abs(xs.mean() - mx.mean()) <= abs(gx) * 3 + 1


def test_renderers_with_their_own_contexts_do_not_disturb_each_other() -> None:
    """Creating or releasing one renderer's context must not break another's frames."""
    scene = parse_scene(
        {
            "version": 1,
            "profile": "orion",
            "world": {"color": [0.2, 0.2, 0.2], "width": 96, "height": 64},
            "cards": [{"id": "q", "title": "A"}],
        }
    )
    fx = frozenset(EFFECTS)
    world = np.full((64, 96, 3), 51, np.uint8)
    a = HudRenderer(BUILTIN_PROFILES["orion"], (96, 64))
    first = a.render_eye(scene, world, "right", fx).composite
    b = HudRenderer(BUILTIN_PROFILES["rayban-display"], (96, 64))
    b.render_eye(scene, world, "right", fx)
    b.release()
    again = a.render_eye(scene, world, "right", fx).composite
    a.release()
    assert np.array_equal(first, again)


def test_world_light_cache_is_never_stale() -> None:
    """A still world is computed once and kept in the output (only the display's
    rectangles are redrawn over it); any change recomputes it."""
    scene = parse_scene(
        {
            "version": 1,
            "profile": "orion",
            "world": {"width": 96, "height": 64},
            "cards": [{"id": "q", "title": "A"}],
        }
    )
    fx = frozenset(EFFECTS)
    r = HudRenderer(BUILTIN_PROFILES["orion"], (96, 64))
    try:
        a = np.full((64, 96, 3), 40, np.uint8)
        b = np.full((64, 96, 3), 200, np.uint8)
        frames = [
            r.render_eye(scene, a if i == 0 else None, "right", fx).composite for i in range(4)
        ]
        assert all(np.array_equal(frames[0], f) for f in frames[1:])
        assert r.compositor.world_passes == 1  # then kept in the output
        assert r.compositor.streak_passes == 1  # streaks depend on the world image only
        changed = r.render_eye(scene, b, "right", fx).composite
        assert (
            changed[2, 2].mean() > frames[0][2, 2].mean() + 50
        )  # the new world, not the cached one
        brighter = r.render_eye(
            replace(scene, world=replace(scene.world, ambient_nits=50.0)), None, "right", fx
        )
        assert np.array_equal(
            brighter.composite[2, 2], changed[2, 2]
        )  # ambient only scales the display
        left = r.render_eye(scene, None, "left", fx).composite
        assert np.array_equal(left[2, 2], changed[2, 2])  # the other eye: the new world too
    finally:
        r.release()


def test_context_blocks_nest() -> None:
    """A caller's own `with renderer.context.current()` around render calls must not break them."""
    scene = parse_scene(
        {
            "version": 1,
            "profile": "orion",
            "world": {"width": 64, "height": 48},
            "cards": [{"id": "q", "title": "A"}],
        }
    )
    fx = frozenset(EFFECTS)
    r = HudRenderer(BUILTIN_PROFILES["orion"], (64, 48))
    try:
        world = np.full((48, 64, 3), 90, np.uint8)
        plain = r.render_eye(scene, world, "right", fx).composite
        with r.context.current():
            nested = r.render_eye(scene, world, "right", fx).composite
            r.ctx.finish()  # still current after the inner block
        assert np.array_equal(plain, nested)
    finally:
        r.release()


def test_display_light_is_baked_once_per_content_and_viewer() -> None:
    """The eyes of a stereo pair differ only on the world side (disparity), and tonemap
    and streaks act on the world side only: neither re-bakes the display light. A
    display-side effect or new content does."""
    spec = {"version": 1, "profile": "orion", "world": {"width": 96, "height": 64}}
    scene = parse_scene({**spec, "cards": [{"id": "q", "title": "A"}]})
    world = np.full((64, 96, 3), 90, np.uint8)
    fx = frozenset(EFFECTS)
    r = HudRenderer(BUILTIN_PROFILES["orion"], (96, 64))
    try:
        pair = {
            eye: r.render_eye(scene, world, eye, fx, parallax=True).composite
            for eye in ("left", "right")
        }
        for eye in ("left", "right", "left", "right"):
            again = r.render_eye(scene, None, eye, fx, parallax=True).composite
            assert np.array_equal(again, pair[eye])
        assert r.compositor.light_bakes == 1
        r.render_eye(scene, None, "right", fx - {"tonemap", "streaks"}, parallax=True)
        assert r.compositor.light_bakes == 1
        r.render_eye(scene, None, "right", fx - {"ghost"}, parallax=True)
        assert r.compositor.light_bakes == 2
        other = parse_scene({**spec, "cards": [{"id": "q", "title": "B"}]})
        r.render_eye(other, None, "right", fx - {"ghost"}, parallax=True)
        assert r.compositor.light_bakes == 3
    finally:
        r.release()


@pytest.mark.parametrize("fov_h_deg", [70.0, 20.0])  # the display minified, and magnified
def test_display_light_drawn_only_where_the_display_is_lit_is_exact(fov_h_deg: float) -> None:
    """The bake and the display pass skip what the display left black (its content
    record): the same light as resampling the whole field of view."""
    scene = parse_scene(
        {
            "version": 1,
            "profile": "orion",
            "world": {"width": W, "height": H, "fov_h_deg": fov_h_deg},
            "objects": [{"id": "a", "label": "cup", "box": [0.45, 0.45, 0.55, 0.6]}],
            "cards": [
                {"id": "c", "anchor": "a", "title": "Mug", "body": "350 ml"},
                {"id": "q", "title": "Listening"},
            ],
        }
    )
    fx = frozenset(EFFECTS)
    with HudRenderer(BUILTIN_PROFILES["orion"], (W, H)) as r:
        lamp = world_noise(5)
        lamp[60:64, 100:104] = 255  # and a light source, for the streaks
        frame = r.render_eye(scene, lamp, "right", fx, linear=True)
        assert frame.linear is not None
        tex = r.display.texture
        content = tex.extra
        assert content is not None and len(content.rects) > 0
        assert (content.mip_level == 0) == (fov_h_deg < 30)  # magnified: no mipmaps
        with r.context.current():
            tex.extra = None  # any texture: lit everywhere
            try:
                r.compositor.compose(tex, frame.uniforms, linear=True)
                full = r.compositor.read_linear()
            finally:
                tex.extra = content
        np.testing.assert_allclose(frame.linear, full, rtol=1e-3, atol=1e-5)
        lit = frame.linear - r.profile.transmittance * srgb_to_linear(lamp / 255.0)
        assert lit.max() > 0.1  # the cards are there


@pytest.mark.parametrize(
    ("transmittance", "effects"),
    [
        (0.8, frozenset()),  # orion's: the table-free formula
        (0.85, frozenset()),  # rayban-display's (one code is an exact tie)
        (0.4, frozenset()),  # hololens2's: the 256-entry table
        (0.95, frozenset({"tonemap"})),  # above the knee: the shoulder, in the table
    ],
)
@pytest.mark.parametrize("shift", [0.0, 2.5, -3.25])
def test_world_pass_maps_codes_exactly(
    transmittance: float, effects: frozenset[str], shift: float
) -> None:
    """Where only the world's light arrives, the 8-bit output is computed code to code:
    it must be encode(T·decode(c)) correctly rounded for every code (what the sRGB
    math gives), within 1/255 of the linear-light pass, stereo disparity included."""
    from hud.optics import TONEMAP_KNEE, tonemap
    from hud.render.compositor import world_code_light, world_codes_affine
    from hud.render.display import DisplayContent

    w, h = 256, 4
    prof = replace(BUILTIN_PROFILES["orion"], transmittance=transmittance)
    codes = np.arange(256, dtype=np.uint8)
    world = np.stack([codes, codes[::-1], np.roll(codes, 77)], axis=-1)[None].repeat(h, 0)
    world = np.ascontiguousarray(world)
    with HudRenderer(prof, (w, h)) as r, r.context.current():
        r.compositor.set_world(world)
        view = ViewGeometry.make(prof, w, h, FOV, "right", 3.0)
        u = {**compose_uniforms(prof, view, 250.0, 0.5, effects), "u_world_shift": shift}
        tex = display_tex(r.ctx, np.zeros((8, 8, 3)))
        tex.extra = DisplayContent(np.zeros((0, 4), "f4"), ("nothing drawn",), 0)
        try:
            r.compositor.compose(tex, u)
            out = r.compositor.read_srgb().astype(np.float64)
            r.compositor.compose(tex, u, linear=True)
            lin = r.compositor.read_linear()
        finally:
            tex.release()
    shoulder = "tonemap" in effects and transmittance > TONEMAP_KNEE
    # Output column x shows world column floor(x + 0.5 - shift), clamped to the image.
    src = np.clip(np.floor(np.arange(w) + 0.5 - shift), 0, w - 1).astype(int)
    exact = world_code_light(transmittance, shoulder)[world[:, src]]
    assert np.abs(out - exact).max() <= 0.5 + 1e-3
    light = tonemap(lin, TONEMAP_KNEE) if shoulder else lin
    assert np.abs(out - np.round(linear_to_srgb(light) * 255)).max() <= 1
    expected_lin = transmittance * srgb_to_linear(world[:, src] / 255.0)
    np.testing.assert_allclose(lin, expected_lin, rtol=1e-5, atol=1e-6)
    assert world_codes_affine(transmittance, shoulder) == (transmittance in (0.8, 0.85))


@pytest.mark.parametrize("width", [61, 62, 63, 64])  # 3·width bytes a row: padded unless 4 | it
def test_world_upload_unpacks_every_pixel(width: int) -> None:
    """The camera's packed RGB bytes go four to a texel (world.glsl unpacks them): every
    pixel must come back as itself, whatever the row length."""
    h = 3
    world = np.random.default_rng(width).integers(0, 256, size=(h, width, 3), dtype=np.uint8)
    prof = BUILTIN_PROFILES["orion"]
    with HudRenderer(prof, (width, h)) as r, r.context.current():
        r.compositor.set_world(world)
        view = ViewGeometry.make(prof, width, h, FOV, "right", 3.0)
        u = compose_uniforms(prof, view, 250.0, 0.5, frozenset())
        tex = display_tex(r.ctx, np.zeros((8, 8, 3)))
        try:
            r.compositor.compose(tex, u, linear=True)
            lin = r.compositor.read_linear()
        finally:
            tex.release()
    expected = prof.transmittance * srgb_to_linear(world / 255.0)
    np.testing.assert_allclose(lin, expected, rtol=1e-5, atol=1e-6)


def test_disjoint_passes_match_the_whole_frame_passes() -> None:
    """Straight into the output the world and streak passes skip what later passes write
    (rects.rect_difference); a frame with the same world keeps it in the output. Both give
    the same bytes, frame after frame with moving content, and a display redrawn over older
    content (cleared only where that content was) equals one drawn fresh."""
    w, h = 160, 96
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    world = np.full((h, w, 3), 90.0, np.float32) + 40 * np.sin(x / 7.0)[..., None]
    for cx, cy in ((30, 20), (120, 60)):  # bright spots: streak rows
        world += 255 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 18.0)[..., None]
    world_a = np.clip(world, 0, 255).astype(np.uint8)
    world_b = np.ascontiguousarray(world_a[:, ::-1])

    def scene(title: str, box: list[float]):
        return parse_scene(
            {
                "version": 1,
                "profile": "orion",
                "world": {"width": w, "height": h},
                "objects": [{"id": "o", "label": "x", "box": box}],
                "cards": [{"id": "q", "anchor": "o", "title": title, "body": "detail 123"}],
            }
        )

    scenes = [scene("Alpha", [0.2, 0.3, 0.3, 0.4]), scene("Bravo bravo", [0.55, 0.5, 0.65, 0.6])]
    fx = frozenset(EFFECTS)
    r = HudRenderer(BUILTIN_PROFILES["orion"], (w, h))
    try:
        for i in range(4):
            s, img = scenes[i % 2], (world_a, world_b)[(i // 2) % 2]
            direct = r.render_eye(s, img, "right", fx).composite
            shown = r.display.read_codes().copy()
            passes = r.compositor.world_passes
            kept = r.render_eye(s, None, "right", fx).composite  # the world kept
            assert r.compositor.world_passes == passes
            assert np.array_equal(direct, kept)
            fresh = HudRenderer(BUILTIN_PROFILES["orion"], (w, h))
            try:
                alone = fresh.render_eye(s, img, "right", fx).composite
                assert np.array_equal(fresh.display.read_codes(), shown)
            finally:
                fresh.release()
            assert np.array_equal(direct, alone)
    finally:
        r.release()


def test_rect_difference_tiles_exactly() -> None:
    from hud.render.rects import rect_difference

    rng = np.random.default_rng(3)
    keep = np.array([[0, 0, 50, 40], [60, 10, 90, 30]], np.float32)
    holes = np.sort(rng.integers(0, 95, (12, 2, 2)), axis=1).transpose(0, 2, 1).reshape(12, 4)
    holes = holes[:, [0, 2, 1, 3]].astype(np.float32)
    out = rect_difference(keep, holes)

    def paint(rects: np.ndarray) -> np.ndarray:
        grid = np.zeros((100, 100), np.int32)
        for x0, y0, x1, y1 in rects.astype(int):
            grid[y0:y1, x0:x1] += 1
        return grid

    want = (paint(keep) > 0) & (paint(holes) == 0)
    got = paint(out)
    assert got.max() <= 1  # disjoint
    assert np.array_equal(got > 0, want)
