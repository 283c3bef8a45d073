"""Layout over a whole run, measured: ``hud layout-metrics SCENE_OR_SESSION``.

The layout stage runs frame after frame, exactly as in a session or an animation (no GL:
layout is plain Python), and :class:`hud.layout.metrics.LayoutMetricsRecorder` measures
every frame: overlap, leader crossings, distance from card to object, card motion and
relayouts. A scene runs on its own clock (its head trajectory, streamed answers); a
recorded session runs on its frames' timestamps, its markers becoming the objects the
scene's cards (or, without cards, one card per marker) are anchored to.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any

from hud.anchors import (
    ViewGeometry,
    display_eyes,
    marker_objects,
    merge_objects,
)
from hud.errors import HudError
from hud.io.records import FrameRecord
from hud.io.session import SessionReader
from hud.layout import CardLayout
from hud.layout.engine import scene_view
from hud.layout.metrics import LayoutMetricsRecorder
from hud.layout.timeline import SceneTimeline
from hud.profiles import DisplayProfile
from hud.scene import Card, Scene, World, world_pixels


def _view(scene: Scene, profile: DisplayProfile, size: tuple[int, int]) -> ViewGeometry:
    """The first display eye's view (a monocular profile has one; both eyes lay out alike)."""
    return scene_view(scene, profile, str(display_eyes(profile)[0]), size)


def scene_layout_metrics(
    scene: Scene, profile: DisplayProfile, fps: float | None = None
) -> dict[str, Any]:
    """Metrics of the scene laid out over its whole run (a still scene: one frame)."""
    if scene.world.image is not None:
        img = world_pixels(scene)
        size = (int(img.shape[1]), int(img.shape[0]))
    else:
        size = (scene.world.width, scene.world.height)
    layout = CardLayout(profile)
    recorder = LayoutMetricsRecorder(profile.ppd)
    view = _view(scene, profile, size)
    for state, shown in SceneTimeline(scene, size).frames(fps):
        layout.update(shown, view, state.t_s, state.head)
        assert layout.last_frame is not None
        recorder.add(layout.last_frame)
    return _report(recorder, profile, "scene")


def session_layout_metrics(
    path: str | Path, scene: Scene, profile: DisplayProfile
) -> dict[str, Any]:
    """Metrics over a recorded session: its markers are the objects, its timestamps the clock."""
    layout = CardLayout(profile)
    recorder = LayoutMetricsRecorder(profile.ppd)
    with SessionReader(path) as reader:
        frames = reader.frames()
        first = next(frames, None)
        if first is None:
            raise HudError(f"{path}: the session has no frames")
        size = _image_size(first)
        world = World(image=None, fov_h_deg=scene.world.fov_h_deg, width=size[0], height=size[1])
        base = replace(scene, world=world)
        view = _view(base, profile, size)
        for record in itertools.chain([first], frames):
            found = marker_objects(record.markers, size)
            cards = base.cards or tuple(
                Card(id=f"card-{o.id}", title=o.label, anchor=o.id) for o in found
            )
            shown = replace(base, objects=merge_objects(base.objects, found), cards=cards)
            layout.update(shown, view, record.timestamp_ms / 1000.0)
            assert layout.last_frame is not None
            recorder.add(layout.last_frame)
    return _report(recorder, profile, "session")


def _image_size(record: FrameRecord) -> tuple[int, int]:
    """The camera image size of a session, from a frame's image."""
    rgb = record.decode_image()
    if rgb is None:
        raise HudError("the session was recorded without images, so its image size is unknown")
    return (int(rgb.shape[1]), int(rgb.shape[0]))


def _report(recorder: LayoutMetricsRecorder, profile: DisplayProfile, kind: str) -> dict[str, Any]:
    report = recorder.report()
    report["profile"] = profile.name
    report["source"] = kind
    return report
