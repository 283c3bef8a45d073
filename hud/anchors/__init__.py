"""Anchors: where on the display a thing in the world appears.

:mod:`hud.anchors.view` maps camera-image pixels to eye directions and display pixels for
one profile and eye; :mod:`hud.anchors.tracked` turns what the trackers found (markers,
head poses) into objects and head motion; layout places cards from there.

:mod:`hud.anchors.solvers` and :mod:`hud.anchors.handler` place an item MRTK3-style: a
chain of solvers computes a goal pose each frame and the handler smooths toward it (One
Euro, :mod:`hud.anchors.filters`) and holds, fades and loses it when tracking drops.
:mod:`hud.anchors.head_trace` replays recorded head trajectories. Conventions (head frame
x right, y down, z forward; quaternions x, y, z, w) are in :mod:`hud.anchors.solvers`.
"""

from hud.anchors.filters import (
    FilterInputError,
    OneEuroFilter,
    OneEuroSettings,
    TimestampError,
)
from hud.anchors.handler import AnchorState, SolverHandler, SolverHandlerOptions
from hud.anchors.head_trace import (
    HeadTraceError,
    HeadTrajectory,
    parse_tum,
    read_tum,
)
from hud.anchors.pose import Pose, PoseError, pose_from_angles
from hud.anchors.solvers import (
    Billboard,
    ConstantAngularSize,
    DirectionalIndicator,
    Goal,
    HandAttached,
    HandInput,
    HeadLocked,
    Indicator,
    ObjectLocked,
    ObjectObservation,
    RadialView,
    Solver,
    SolverContext,
    WorldLocked,
)
from hud.anchors.tracked import HeadMotion, HeadPose, marker_objects, merge_objects
from hud.anchors.view import Eye, ViewGeometry, display_eyes, has_display

__all__ = [
    "AnchorState",
    "Billboard",
    "ConstantAngularSize",
    "DirectionalIndicator",
    "Eye",
    "FilterInputError",
    "Goal",
    "HandAttached",
    "HandInput",
    "HeadLocked",
    "HeadMotion",
    "HeadPose",
    "HeadTraceError",
    "HeadTrajectory",
    "Indicator",
    "ObjectLocked",
    "ObjectObservation",
    "OneEuroFilter",
    "OneEuroSettings",
    "Pose",
    "PoseError",
    "RadialView",
    "Solver",
    "SolverContext",
    "SolverHandler",
    "SolverHandlerOptions",
    "TimestampError",
    "ViewGeometry",
    "WorldLocked",
    "display_eyes",
    "has_display",
    "marker_objects",
    "merge_objects",
    "parse_tum",
    "pose_from_angles",
    "read_tum",
]
