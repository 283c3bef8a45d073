"""A scene rendered over time: answers streaming in while the head moves (``hud render`` to
an MP4 or a folder of PNGs).

Each frame samples the scene's timeline (:class:`hud.layout.timeline.SceneTimeline`): the
head pose, the world photo as seen from it (warped by the homography the pose induces on
the world plane), the objects where they now appear and the cards with the text that has
arrived. The pipeline's layout keeps its state from frame to frame (solvers, smoothing,
hysteresis), so cards follow their objects as a wearer would see them. The clock is the
scene's own: the same scene gives the same frames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hud.anchors import Eye
from hud.app.pipeline import HudPipeline, HudPipelineOptions
from hud.layout import DisplayList
from hud.layout.timeline import SceneFrame, SceneTimeline
from hud.optics import ALL_EFFECTS
from hud.profiles import DisplayProfile
from hud.scene import Scene, world_pixels

#: Grey of the world where a head turn reveals what the photo did not capture.
OUTSIDE_PHOTO_RGB = (24, 24, 24)


@dataclass(frozen=True, eq=False)
class AnimationFrame:
    """One rendered frame: its time, the scene state and the through-the-glasses views."""

    index: int
    t_s: float
    state: SceneFrame
    layouts: dict[Eye, DisplayList]
    composite: dict[Eye, npt.NDArray[np.uint8]]
    display: dict[Eye, npt.NDArray[np.uint8]]


def warp_world(
    world: npt.NDArray[np.uint8], homography: npt.NDArray[np.float64]
) -> npt.NDArray[np.uint8]:
    """The world photo as seen from a moved head (same size); what the photo did not
    capture is a flat dark grey, not a smear of its edge."""
    import cv2

    if np.allclose(homography, np.eye(3), atol=1e-9):
        return world
    h, w = world.shape[:2]
    out = cv2.warpPerspective(
        world,
        homography,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=OUTSIDE_PHOTO_RGB,
    )
    return np.asarray(out, dtype=np.uint8)


def animate_scene(
    scene: Scene,
    profile: DisplayProfile,
    *,
    eyes: tuple[Eye, ...] | None = None,
    effects: frozenset[str] = ALL_EFFECTS,
    fps: float | None = None,
    backend: str | None = None,
    on_frame: Callable[[int, int], None] | None = None,
) -> Iterator[AnimationFrame]:
    """Render ``scene`` frame by frame on its own clock (``fps``: the scene's if None).

    ``on_frame(i, n)`` is called after each frame (a progress bar).
    """
    world = world_pixels(scene)
    timeline = SceneTimeline(scene, (int(world.shape[1]), int(world.shape[0])))
    total = sum(1 for _ in timeline.frame_times(fps))
    options = HudPipelineOptions(
        hands=None, composite=True, effects=effects, eyes=eyes, backend=backend
    )
    with HudPipeline(profile, options) as pipeline:
        for i, (state, shown) in enumerate(timeline.frames(fps)):
            layouts = pipeline.layout(shown, t_s=state.t_s, head=state.head)
            rendered = pipeline.render(shown, layouts, warp_world(world, state.homography))
            yield AnimationFrame(
                i, state.t_s, state, layouts, dict(rendered.composite), dict(rendered.display)
            )
            if on_frame is not None:
                on_frame(i + 1, total)
