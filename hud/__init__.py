"""Waveglass: the heads-up display layer of AI glasses, in Python.

The package follows one data flow per frame::

    frame source -> trackers -> gestures / anchors -> layout -> scene -> renderer -> optics

Everything up to the scene is plain Python and numpy (unit-testable without GL);
only :mod:`hud.render` imports moderngl or pyglet.

Everything an app or a host needs is importable from here, flat, as from
``mediapipe.tasks.python.vision``::

    import hud

    options = hud.HudSessionOptions(profile="rayban-display", scene="desk.json")
    with hud.HudSession(options) as session:
        result = session.step(frame_rgb, timestamp_ms=timestamp_ms)

Names are loaded on first use (PEP 562): ``import hud`` imports neither numpy nor
OpenCV, MediaPipe or moderngl, so the ``hud`` command starts fast and a host pays only
for the stages it uses. The gesture names come from :mod:`gestures` (all of them are
there, flat, too).
"""

from __future__ import annotations

import sys

from hud.errors import GLUnavailableError, HudError, OptionsError

#: ``typing.TYPE_CHECKING`` without importing typing (10 ms): type checkers read it as True.
TYPE_CHECKING = False

__version__ = "0.1.0"

#: Where each public name lives, by module, in the order of the per-frame flow. A name
#: is imported from its module the first time it is used.
_API: dict[str, tuple[str, ...]] = {
    # the device
    "hud.profiles.model": ("DisplayProfile",),
    "hud.profiles.loader": ("ProfileRegistry", "get_profile", "list_profiles", "load_profile_file"),
    # frames in, sessions out
    "hud.io.sources": (
        *("CameraSource", "Frame", "FrameSource", "ImageSequenceSource"),
        *("SessionFrameSource", "VideoFileSource", "open_source"),
    ),
    "hud.io.session": ("SessionReader", "SessionWriter"),
    "hud.io.records": ("FrameRecord",),
    # trackers (MediaPipe Tasks names)
    "hud.trackers.landmarker": ("BaseOptions", "RunningMode"),
    "hud.trackers.results": (
        *("FaceDetection", "FaceResult", "HandResult", "MarkerResult", "TrackedObject"),
    ),
    "hud.trackers.hands": ("HandLandmarker", "HandLandmarkerOptions"),
    "hud.trackers.faces": ("FaceLandmarker", "FaceLandmarkerOptions"),
    "hud.trackers.markers": ("CameraIntrinsics", "camera_intrinsics", "detect_markers"),
    "hud.trackers.boxes": ("BoxTracker", "Detection", "TrackedBox"),
    "hud.trackers.region": ("RegionTracker", "RegionUpdate"),
    "hud.trackers.face_detection": ("FaceDetector", "FaceDetectorOptions"),
    # privacy: bystanders' faces hidden in what is saved or sent
    "hud.privacy.redact": ("FaceRedactor", "RedactOptions", "RedactResult"),
    # gestures (the rest of them: ``import gestures``)
    "gestures.errors": ("GestureError",),
    "gestures.landmarks": ("HandFrame", "HandLandmarks"),
    "gestures.events": (
        *("EVENT_HANDLED", "EVENT_UNHANDLED", "AirTap", "Circle", "EventDispatcher"),
        *("GestureEvent", "PinchCancel", "PinchDrag", "PinchEnd", "PinchHold", "PinchStart"),
        *("PoseChanged", "Swipe", "ThumbSwipe", "ThumbTap"),
    ),
    "gestures.recognizer": ("GestureRecognizer", "GestureRecognizerOptions"),
    # anchors, scene, optics
    "hud.anchors.view": ("Eye", "ViewGeometry"),
    "hud.anchors.tracked": ("HeadMotion", "HeadPose"),
    "hud.anchors.filters": ("OneEuroFilter", "OneEuroSettings", "TimestampError"),
    "hud.anchors.head_trace": ("HeadTraceError", "HeadTrajectory", "read_tum"),
    "hud.anchors.solvers": (
        *("Billboard", "ConstantAngularSize", "DirectionalIndicator", "Goal", "HandAttached"),
        *("HandInput", "HeadLocked", "ObjectLocked", "ObjectObservation", "RadialView"),
        *("SolverContext", "WorldLocked"),
    ),
    "hud.anchors.pose": ("Pose", "pose_from_angles"),
    "hud.anchors.handler": ("AnchorState", "SolverHandler", "SolverHandlerOptions"),
    "hud.scene.model": ("Card", "DisplaySettings", "Scene", "Viewer", "World"),
    "hud.scene.load": ("SceneError", "load_scene", "parse_scene"),
    "hud.scene.timeline": ("card_at", "cards_at"),
    "hud.answers.protocol": (
        *("AnswerError", "AnswerRequest", "AnswerSource", "AnswerStream", "ChunkStream"),
    ),
    "hud.answers.offline": ("KnowledgeError", "OfflineAnswerSource", "load_knowledge"),
    "hud.answers.config": ("AnswerConfigError", "OpenAIAnswerOptions", "load_openai_options"),
    "hud.answers.openai_source": ("OpenAIAnswerSource",),
    "hud.answers.worker": ("AnswerUpdate", "AnswerWorker"),
    "hud.text.sanitize": ("sanitize",),
    "hud.layout.engine": ("CardLayout", "CardLayoutOptions"),
    "hud.layout.placement": ("CardRequest", "LayoutFrame", "PlacementOptions", "TemporalLayout"),
    "hud.layout.metrics": ("LayoutMetricsRecorder",),
    "hud.layout.timeline": ("SceneTimeline",),
    "hud.layout.lint": ("Finding", "LintOptions", "lint_scene"),
    "hud.optics.model": ("ALL_EFFECTS", "EFFECTS", "parse_effects"),
    # rendering and display frames
    "hud.render.frames": ("PixelFormat", "dirty_rects", "pack_frame"),
    "hud.render.renderer": ("EyeFrame", "HudRenderer", "render_scene"),
    # the app stage: pipeline, session, apps and how a host runs them
    "hud.app.pipeline": (
        *("FrameInput", "HudPipeline", "HudPipelineOptions", "MarkerOptions", "Rendered"),
        "Tracked",
    ),
    "hud.app.session": ("CardPlacement", "HudSession", "HudSessionOptions", "StepResult"),
    "hud.app.app": ("AppFrame", "HudApp"),
    "hud.app.scheduler": ("FrameScheduler", "blink_on", "blink_phase"),
    "hud.app.runners": ("RunOptions", "run_app"),
    "hud.app.animate": ("AnimationFrame", "animate_scene"),
    "hud.app.tracking": ("TrackingThread",),
    "hud.app.answering": ("CardAnswers",),
    "hud.app.assistant": ("AssistantApp", "AssistantOptions"),
    "hud.app.embedded": ("InputScript", "SceneWorldSource", "load_embedded", "load_script"),
    "hud.app.emulate": ("Emulator", "EmulatorOptions"),
}

#: Name -> module, for :func:`__getattr__`.
_LAZY: dict[str, str] = {name: module for module, names in _API.items() for name in names}

__all__ = [
    "ALL_EFFECTS",
    "EFFECTS",
    "EVENT_HANDLED",
    "EVENT_UNHANDLED",
    "AirTap",
    "AnchorState",
    "AnimationFrame",
    "AnswerConfigError",
    "AnswerError",
    "AnswerRequest",
    "AnswerSource",
    "AnswerStream",
    "AnswerUpdate",
    "AnswerWorker",
    "AppFrame",
    "AssistantApp",
    "AssistantOptions",
    "BaseOptions",
    "Billboard",
    "BoxTracker",
    "CameraIntrinsics",
    "CameraSource",
    "Card",
    "CardAnswers",
    "CardLayout",
    "CardLayoutOptions",
    "CardPlacement",
    "CardRequest",
    "ChunkStream",
    "Circle",
    "ConstantAngularSize",
    "Detection",
    "DirectionalIndicator",
    "DisplayProfile",
    "DisplaySettings",
    "Emulator",
    "EmulatorOptions",
    "EventDispatcher",
    "Eye",
    "EyeFrame",
    "FaceDetection",
    "FaceDetector",
    "FaceDetectorOptions",
    "FaceLandmarker",
    "FaceLandmarkerOptions",
    "FaceRedactor",
    "FaceResult",
    "Finding",
    "Frame",
    "FrameInput",
    "FrameRecord",
    "FrameScheduler",
    "FrameSource",
    "GLUnavailableError",
    "GestureError",
    "GestureEvent",
    "GestureRecognizer",
    "GestureRecognizerOptions",
    "Goal",
    "HandAttached",
    "HandFrame",
    "HandInput",
    "HandLandmarker",
    "HandLandmarkerOptions",
    "HandLandmarks",
    "HandResult",
    "HeadLocked",
    "HeadMotion",
    "HeadPose",
    "HeadTraceError",
    "HeadTrajectory",
    "HudApp",
    "HudError",
    "HudPipeline",
    "HudPipelineOptions",
    "HudRenderer",
    "HudSession",
    "HudSessionOptions",
    "ImageSequenceSource",
    "InputScript",
    "KnowledgeError",
    "LayoutFrame",
    "LayoutMetricsRecorder",
    "LintOptions",
    "MarkerOptions",
    "MarkerResult",
    "ObjectLocked",
    "ObjectObservation",
    "OfflineAnswerSource",
    "OneEuroFilter",
    "OneEuroSettings",
    "OpenAIAnswerOptions",
    "OpenAIAnswerSource",
    "OptionsError",
    "PinchCancel",
    "PinchDrag",
    "PinchEnd",
    "PinchHold",
    "PinchStart",
    "PixelFormat",
    "PlacementOptions",
    "Pose",
    "PoseChanged",
    "ProfileRegistry",
    "RadialView",
    "RedactOptions",
    "RedactResult",
    "RegionTracker",
    "RegionUpdate",
    "Rendered",
    "RunOptions",
    "RunningMode",
    "Scene",
    "SceneError",
    "SceneTimeline",
    "SceneWorldSource",
    "SessionFrameSource",
    "SessionReader",
    "SessionWriter",
    "SolverContext",
    "SolverHandler",
    "SolverHandlerOptions",
    "StepResult",
    "Swipe",
    "TemporalLayout",
    "ThumbSwipe",
    "ThumbTap",
    "TimestampError",
    "Tracked",
    "TrackedBox",
    "TrackedObject",
    "TrackingThread",
    "VideoFileSource",
    "ViewGeometry",
    "Viewer",
    "World",
    "WorldLocked",
    "__version__",
    "animate_scene",
    "blink_on",
    "blink_phase",
    "camera_intrinsics",
    "card_at",
    "cards_at",
    "detect_markers",
    "dirty_rects",
    "get_profile",
    "lint_scene",
    "list_profiles",
    "load_embedded",
    "load_knowledge",
    "load_openai_options",
    "load_profile_file",
    "load_scene",
    "load_script",
    "open_source",
    "pack_frame",
    "parse_effects",
    "parse_scene",
    "pose_from_angles",
    "read_tum",
    "render_scene",
    "run_app",
    "sanitize",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562), then keep it here.

    A name whose module cannot be imported raises that :class:`ImportError` (which names
    the module); a name that is not public is an :class:`AttributeError`, as usual.
    """
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'hud' has no attribute {name!r}")
    __import__(module)  # not importlib: importing it would cost more than this module
    value = getattr(sys.modules[module], name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # what type checkers and editors see; keep in step with _API
    from typing import Any

    from gestures.errors import GestureError
    from gestures.events import (
        EVENT_HANDLED,
        EVENT_UNHANDLED,
        AirTap,
        Circle,
        EventDispatcher,
        GestureEvent,
        PinchCancel,
        PinchDrag,
        PinchEnd,
        PinchHold,
        PinchStart,
        PoseChanged,
        Swipe,
        ThumbSwipe,
        ThumbTap,
    )
    from gestures.landmarks import HandFrame, HandLandmarks
    from gestures.recognizer import GestureRecognizer, GestureRecognizerOptions
    from hud.anchors.filters import OneEuroFilter, OneEuroSettings, TimestampError
    from hud.anchors.handler import AnchorState, SolverHandler, SolverHandlerOptions
    from hud.anchors.head_trace import HeadTraceError, HeadTrajectory, read_tum
    from hud.anchors.pose import Pose, pose_from_angles
    from hud.anchors.solvers import (
        Billboard,
        ConstantAngularSize,
        DirectionalIndicator,
        Goal,
        HandAttached,
        HandInput,
        HeadLocked,
        ObjectLocked,
        ObjectObservation,
        RadialView,
        SolverContext,
        WorldLocked,
    )
    from hud.anchors.tracked import HeadMotion, HeadPose
    from hud.anchors.view import Eye, ViewGeometry
    from hud.answers.config import AnswerConfigError, OpenAIAnswerOptions, load_openai_options
    from hud.answers.offline import KnowledgeError, OfflineAnswerSource, load_knowledge
    from hud.answers.openai_source import OpenAIAnswerSource
    from hud.answers.protocol import (
        AnswerError,
        AnswerRequest,
        AnswerSource,
        AnswerStream,
        ChunkStream,
    )
    from hud.answers.worker import AnswerUpdate, AnswerWorker
    from hud.app.animate import AnimationFrame, animate_scene
    from hud.app.answering import CardAnswers
    from hud.app.app import AppFrame, HudApp
    from hud.app.assistant import AssistantApp, AssistantOptions
    from hud.app.embedded import InputScript, SceneWorldSource, load_embedded, load_script
    from hud.app.emulate import Emulator, EmulatorOptions
    from hud.app.pipeline import (
        FrameInput,
        HudPipeline,
        HudPipelineOptions,
        MarkerOptions,
        Rendered,
        Tracked,
    )
    from hud.app.runners import RunOptions, run_app
    from hud.app.scheduler import FrameScheduler, blink_on, blink_phase
    from hud.app.session import CardPlacement, HudSession, HudSessionOptions, StepResult
    from hud.app.tracking import TrackingThread
    from hud.io.records import FrameRecord
    from hud.io.session import SessionReader, SessionWriter
    from hud.io.sources import (
        CameraSource,
        Frame,
        FrameSource,
        ImageSequenceSource,
        SessionFrameSource,
        VideoFileSource,
        open_source,
    )
    from hud.layout.engine import CardLayout, CardLayoutOptions
    from hud.layout.lint import Finding, LintOptions, lint_scene
    from hud.layout.metrics import LayoutMetricsRecorder
    from hud.layout.placement import CardRequest, LayoutFrame, PlacementOptions, TemporalLayout
    from hud.layout.timeline import SceneTimeline
    from hud.optics.model import ALL_EFFECTS, EFFECTS, parse_effects
    from hud.privacy.redact import FaceRedactor, RedactOptions, RedactResult
    from hud.profiles.loader import ProfileRegistry, get_profile, list_profiles, load_profile_file
    from hud.profiles.model import DisplayProfile
    from hud.render.frames import PixelFormat, dirty_rects, pack_frame
    from hud.render.renderer import EyeFrame, HudRenderer, render_scene
    from hud.scene.load import SceneError, load_scene, parse_scene
    from hud.scene.model import Card, DisplaySettings, Scene, Viewer, World
    from hud.scene.timeline import card_at, cards_at
    from hud.text.sanitize import sanitize
    from hud.trackers.boxes import BoxTracker, Detection, TrackedBox
    from hud.trackers.face_detection import FaceDetector, FaceDetectorOptions
    from hud.trackers.faces import FaceLandmarker, FaceLandmarkerOptions
    from hud.trackers.hands import HandLandmarker, HandLandmarkerOptions
    from hud.trackers.landmarker import BaseOptions, RunningMode
    from hud.trackers.markers import CameraIntrinsics, camera_intrinsics, detect_markers
    from hud.trackers.region import RegionTracker, RegionUpdate
    from hud.trackers.results import (
        FaceDetection,
        FaceResult,
        HandResult,
        MarkerResult,
        TrackedObject,
    )

del TYPE_CHECKING
