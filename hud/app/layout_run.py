"""Layout over a whole run, measured: ``hud layout-metrics SCENE_OR_SESSION``.

The layout stage runs frame after frame, exactly as in a session or an animation (no GL:
layout is plain Python), and :class:`hud.layout.metrics.LayoutMetricsRecorder` measures
every frame: overlap, leader crossings, distance from card to object, card motion and
relayouts. A scene runs on its own clock (its head trajectory, streamed answers); a
recorded session runs on its frames' timestamps, its markers becoming the objects the
scene's cards (or, without cards, one card per marker) are anchored to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from hud.anchors import (
    Eye,
    HeadMotion,
    Pose,
    ViewGeometry,
    display_eyes,
    marker_objects,
    merge_objects,
)
from hud.errors import HudError
from hud.io.session import SessionReader
from hud.layout import CardLayout
from hud.layout.metrics import LayoutMetricsRecorder
from hud.layout.timeline import SceneTimeline
from hud.profiles import DisplayProfile
from hud.scene import Card, Scene, World, world_pixels


def _eye(profile: DisplayProfile) -> Eye:
    return display_eyes(profile)[0]


def _view(scene: Scene, profile: DisplayProfile, size: tuple[int, int]) -> ViewGeometry:
    return ViewGeometry.make(
        profile, size[0], size[1], scene.world.fov_h_deg, str(_eye(profile)), scene.world.depth_m
    )


def scene_layout_metrics(
    scene: Scene, profile: DisplayProfile, fps: float | None = None
) -> dict[str, Any]:
    """Metrics of the scene laid out over its whole run (a still scene: one frame)."""
    if scene.world.image is not None:
        img = world_pixels(scene)
        size = (int(img.shape[1]), int(img.shape[0]))
    else:
        size = (scene.world.width, scene.world.height)
    timeline = SceneTimeline(scene, size)
    layout = CardLayout(profile)
    recorder = LayoutMetricsRecorder(profile.ppd)
    head_rate = HeadMotion()
    view = _view(scene, profile, size)
    for t in timeline.frame_times(fps):
        state = timeline.at(t)
        shown = replace(scene, objects=state.objects, posed=(), cards=state.cards)
        rate = head_rate.update(int(round(t * 1000)), state.head_angles)
        if rate is not None:
            shown = replace(shown, viewer=replace(shown.viewer, head_rate_dps=rate))
        layout.update(shown, view, t, state.head)
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
        frames = iter(reader.frames())
        size, first = _session_size(frames)
        world = World(image=None, fov_h_deg=scene.world.fov_h_deg, width=size[0], height=size[1])
        base = replace(scene, world=world)
        view = _view(base, profile, size)
        count = 0
        for record in _chain(first, frames):
            found = marker_objects(record.markers, size)
            objects = merge_objects(base.objects, found)
            cards = base.cards or tuple(
                Card(id=f"card-{o.id}", title=o.label, anchor=o.id) for o in found
            )
            ids = {o.id for o in objects}
            cards = tuple(
                c for c in cards if c.anchor is None or c.anchor in ids or c.anchor in _ids(base)
            )
            shown = replace(base, objects=objects, cards=cards)
            layout.update(shown, view, record.timestamp_ms / 1000.0, Pose.identity())
            assert layout.last_frame is not None
            recorder.add(layout.last_frame)
            count += 1
    if count == 0:
        raise HudError(f"{path}: the session has no frames")
    return _report(recorder, profile, "session")


def _ids(scene: Scene) -> set[str]:
    return {o.id for o in scene.objects}


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
    yield from rest


def _session_size(frames: Iterator[Any]) -> tuple[tuple[int, int], Any]:
    """The camera image size of a session: from its first frame's image."""
    first = next(frames, None)
    if first is None:
        return (1280, 720), None
    rgb = first.decode_image()
    if rgb is None:
        raise HudError("the session was recorded without images, so its image size is unknown")
    return (int(rgb.shape[1]), int(rgb.shape[0])), first


def _report(recorder: LayoutMetricsRecorder, profile: DisplayProfile, kind: str) -> dict[str, Any]:
    report = recorder.report()
    report["profile"] = profile.name
    report["source"] = kind
    return report
