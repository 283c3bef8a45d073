"""Fuzz: any JSON document is a scene or one SceneError, any table a profile or one
HudError, never another exception (hypothesis generates the documents)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hud.errors import HudError
from hud.profiles import profile_from_mapping
from hud.scene import Scene, SceneError, parse_scene

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
KEYS = st.sampled_from(
    ["version", "profile", "world", "objects", "cards", "viewer", "display", "description"]
)
SCENEISH = st.dictionaries(KEYS, JSON, max_size=8)
WORLDISH = st.fixed_dictionaries(
    {"version": st.just(1), "profile": st.just("orion")},
    optional={
        "world": st.dictionaries(
            st.sampled_from(["image", "fov_h_deg", "ambient_nits", "depth_m", "color", "width"]),
            JSON,
        ),
        "objects": st.lists(st.dictionaries(st.sampled_from(["id", "label", "box"]), JSON)),
        "cards": st.lists(
            st.dictionaries(st.sampled_from(["id", "anchor", "title", "body", "state"]), JSON)
        ),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(JSON, SCENEISH, WORLDISH))
def test_any_json_is_a_scene_or_one_scene_error(doc: Any) -> None:
    try:
        scene = parse_scene(doc, base_dir=Path("/nonexistent/scene-folder"))
    except SceneError as exc:
        assert "\n" not in exc.message and exc.message.startswith("$")
    else:
        assert isinstance(scene, Scene)


PROFILE_KEYS = st.sampled_from(
    [
        "name",
        "width_px",
        "height_px",
        "peak_nits",
        "transmittance",
        "fov_diag_deg",
        "eyes",
        "eye",
        "colour",
        "mono_rgb",
        "pixel_format",
        "artefacts",
        "sources",
        "fov_h_deg",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(PROFILE_KEYS, JSON, max_size=10))
def test_any_table_is_a_profile_or_one_hud_error(table: dict[str, Any]) -> None:
    try:
        profile_from_mapping(table, "fuzz.toml")
    except HudError as exc:
        assert "\n" not in exc.message and exc.message.startswith("fuzz.toml")
