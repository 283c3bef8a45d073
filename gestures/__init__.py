"""Hand and gaze input: landmarks in, typed events out.

Every recogniser here is pure numpy on landmarks and takes time from frame
timestamps, so it can be unit-tested and replayed without a camera.

Everything an app needs is importable from here, flat, as from
``mediapipe.tasks.python.vision``::

    from gestures import GestureRecognizer, GestureRecognizerOptions, PinchStart

Names are loaded on first use (PEP 562), so ``import gestures`` costs next to nothing
and a program pays only for the recognisers it touches. Submodules
(:mod:`gestures.pinch`, :mod:`gestures.gaze`, ...) stay importable as before.
"""

from __future__ import annotations

import sys

#: ``typing.TYPE_CHECKING`` without importing typing (10 ms): type checkers read it as True.
TYPE_CHECKING = False

#: Where each public name lives, by module, in the order of the data flow.
_API: dict[str, tuple[str, ...]] = {
    "gestures.errors": ("GestureError", "LandmarkError", "TimestampOrderError"),
    "gestures.landmarks": (
        "HANDEDNESS",
        "NUM_LANDMARKS",
        "HandFrame",
        "HandLandmarks",
        "Handedness",
    ),
    "gestures.tracker_input": ("hand_frame", "hand_landmarks"),
    "gestures.clock": ("FrameClock",),
    "gestures.events": (
        *("EVENT_CLASSES", "EVENT_HANDLED", "EVENT_TYPES", "EVENT_UNHANDLED"),
        *("AirTap", "Circle", "EventDispatcher", "GestureEvent", "PinchCancel", "PinchDrag"),
        *("PinchEnd", "PinchHold", "PinchStart", "PoseChanged", "Swipe", "ThumbSwipe"),
        "ThumbTap",
    ),
    "gestures.recognizer": ("GestureRecognizer", "GestureRecognizerOptions"),
    "gestures.intent": (
        *("COMMAND_EVENTS", "IntentGate", "IntentOptions", "WearerOptions"),
        *("select_wearer_hands", "wearer_frame"),
    ),
    "gestures.pose_filter": ("PoseFilter", "PoseSmoothingOptions"),
    "gestures.poses": ("POSE_LABELS", "PoseLabel", "PoseOptions", "PoseResult", "classify_pose"),
    "gestures.pose_model": ("PoseModel",),
    "gestures.pinch": ("PinchOptions", "PinchRecognizer", "PinchState"),
    "gestures.motion": ("CircleOptions", "CircleRecognizer", "SwipeOptions", "SwipeRecognizer"),
    "gestures.microgestures": ("ThumbMicrogestureRecognizer", "ThumbOptions"),
    "gestures.tracks": ("TRACK_LABELS", "TrackOptions", "TrackResult", "classify_track"),
    "gestures.gaze_sample": ("GazeSample", "angular_distance_deg"),
    "gestures.gaze_geometry": ("GazeEstimate", "estimate_gaze", "face_gaze", "gaze_for_face"),
    "gestures.gaze": (
        *("CalibrationError", "CalibrationOptions", "CalibrationReport", "GazeCalibration"),
        *("GazeCalibrator", "GazeEstimator", "GazeOptions", "calibration_report"),
        *("feature_count", "fit_calibration", "nine_point_targets"),
    ),
    "gestures.fixations": (
        *("Fixation", "IDTOptions", "IVTOptions", "detect_fixations_idt"),
        *("detect_fixations_ivt", "merge_fixations"),
    ),
    "gestures.selection": (
        *("AppSession", "Commit", "DwellProgress", "GazePrivacyError", "GazeRouter"),
        *("HoverEnter", "HoverExit", "RawGazeSubscription", "SELECTION_EVENT_CLASSES"),
        *("SelectionDispatcher", "SelectionEvent", "SelectionOptions", "Target", "hit_test"),
    ),
    "gestures.hand_ray": (
        *("HandRay", "HandRayCaster", "HandRayOptions", "OneEuroFilter", "OneEuroOptions"),
    ),
    "gestures.simulate": ("InputSimulator", "SimulatedFrame", "SimulatorOptions"),
    "gestures.synthetic": ("ScriptedHand", "synthetic_hand"),
}

_LAZY: dict[str, str] = {name: module for module, names in _API.items() for name in names}

__all__ = [
    "COMMAND_EVENTS",
    "EVENT_CLASSES",
    "EVENT_HANDLED",
    "EVENT_TYPES",
    "EVENT_UNHANDLED",
    "HANDEDNESS",
    "NUM_LANDMARKS",
    "POSE_LABELS",
    "SELECTION_EVENT_CLASSES",
    "TRACK_LABELS",
    "AirTap",
    "AppSession",
    "CalibrationError",
    "CalibrationOptions",
    "CalibrationReport",
    "Circle",
    "CircleOptions",
    "CircleRecognizer",
    "Commit",
    "DwellProgress",
    "EventDispatcher",
    "Fixation",
    "FrameClock",
    "GazeCalibration",
    "GazeCalibrator",
    "GazeEstimate",
    "GazeEstimator",
    "GazeOptions",
    "GazePrivacyError",
    "GazeRouter",
    "GazeSample",
    "GestureError",
    "GestureEvent",
    "GestureRecognizer",
    "GestureRecognizerOptions",
    "HandFrame",
    "HandLandmarks",
    "HandRay",
    "HandRayCaster",
    "HandRayOptions",
    "Handedness",
    "HoverEnter",
    "HoverExit",
    "IDTOptions",
    "IVTOptions",
    "InputSimulator",
    "IntentGate",
    "IntentOptions",
    "LandmarkError",
    "OneEuroFilter",
    "OneEuroOptions",
    "PinchCancel",
    "PinchDrag",
    "PinchEnd",
    "PinchHold",
    "PinchOptions",
    "PinchRecognizer",
    "PinchStart",
    "PinchState",
    "PoseChanged",
    "PoseFilter",
    "PoseLabel",
    "PoseModel",
    "PoseOptions",
    "PoseResult",
    "PoseSmoothingOptions",
    "RawGazeSubscription",
    "ScriptedHand",
    "SelectionDispatcher",
    "SelectionEvent",
    "SelectionOptions",
    "SimulatedFrame",
    "SimulatorOptions",
    "Swipe",
    "SwipeOptions",
    "SwipeRecognizer",
    "Target",
    "ThumbMicrogestureRecognizer",
    "ThumbOptions",
    "ThumbSwipe",
    "ThumbTap",
    "TimestampOrderError",
    "TrackOptions",
    "TrackResult",
    "WearerOptions",
    "angular_distance_deg",
    "calibration_report",
    "classify_pose",
    "classify_track",
    "detect_fixations_idt",
    "detect_fixations_ivt",
    "estimate_gaze",
    "face_gaze",
    "feature_count",
    "fit_calibration",
    "gaze_for_face",
    "hand_frame",
    "hand_landmarks",
    "hit_test",
    "merge_fixations",
    "nine_point_targets",
    "select_wearer_hands",
    "synthetic_hand",
    "wearer_frame",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562), then keep it here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gestures' has no attribute {name!r}")
    __import__(module)  # not importlib: importing it would cost more than this module
    value = getattr(sys.modules[module], name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # what type checkers and editors see; keep in step with _API
    from typing import Any

    from gestures.clock import FrameClock
    from gestures.errors import GestureError, LandmarkError, TimestampOrderError
    from gestures.events import (
        EVENT_CLASSES,
        EVENT_HANDLED,
        EVENT_TYPES,
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
    from gestures.fixations import (
        Fixation,
        IDTOptions,
        IVTOptions,
        detect_fixations_idt,
        detect_fixations_ivt,
        merge_fixations,
    )
    from gestures.gaze import (
        CalibrationError,
        CalibrationOptions,
        CalibrationReport,
        GazeCalibration,
        GazeCalibrator,
        GazeEstimator,
        GazeOptions,
        calibration_report,
        feature_count,
        fit_calibration,
        nine_point_targets,
    )
    from gestures.gaze_geometry import GazeEstimate, estimate_gaze, face_gaze, gaze_for_face
    from gestures.gaze_sample import GazeSample, angular_distance_deg
    from gestures.hand_ray import (
        HandRay,
        HandRayCaster,
        HandRayOptions,
        OneEuroFilter,
        OneEuroOptions,
    )
    from gestures.intent import (
        COMMAND_EVENTS,
        IntentGate,
        IntentOptions,
        WearerOptions,
        select_wearer_hands,
        wearer_frame,
    )
    from gestures.landmarks import (
        HANDEDNESS,
        NUM_LANDMARKS,
        Handedness,
        HandFrame,
        HandLandmarks,
    )
    from gestures.microgestures import ThumbMicrogestureRecognizer, ThumbOptions
    from gestures.motion import CircleOptions, CircleRecognizer, SwipeOptions, SwipeRecognizer
    from gestures.pinch import PinchOptions, PinchRecognizer, PinchState
    from gestures.pose_filter import PoseFilter, PoseSmoothingOptions
    from gestures.pose_model import PoseModel
    from gestures.poses import POSE_LABELS, PoseLabel, PoseOptions, PoseResult, classify_pose
    from gestures.recognizer import GestureRecognizer, GestureRecognizerOptions
    from gestures.selection import (
        SELECTION_EVENT_CLASSES,
        AppSession,
        Commit,
        DwellProgress,
        GazePrivacyError,
        GazeRouter,
        HoverEnter,
        HoverExit,
        RawGazeSubscription,
        SelectionDispatcher,
        SelectionEvent,
        SelectionOptions,
        Target,
        hit_test,
    )
    from gestures.simulate import InputSimulator, SimulatedFrame, SimulatorOptions
    from gestures.synthetic import ScriptedHand, synthetic_hand
    from gestures.tracker_input import hand_frame, hand_landmarks
    from gestures.tracks import TRACK_LABELS, TrackOptions, TrackResult, classify_track

del TYPE_CHECKING
