"""The flat public API: ``import hud`` and ``import gestures`` give an app everything.

Like ``mediapipe.tasks.python.vision``: every name an app or a host needs is one
attribute away, ``__all__`` lists them, ``dir()`` shows them, and nothing heavy (OpenCV,
MediaPipe, moderngl) is imported until a name that needs it is used. Also the rules
every public options class and resource owner keeps: options are frozen dataclasses that
raise :class:`~hud.errors.OptionsError` when made, and whatever owns GPU, tracker or file
resources is a context manager.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.util
import json
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import gestures
import hud
from hud.errors import HudError, OptionsError

ROOT = Path(__file__).resolve().parents[2]

#: Defined in hud/__init__.py itself rather than loaded lazily.
HUD_EAGER = {"__version__", "GLUnavailableError", "HudError", "OptionsError"}


def _words(text: str) -> list[str]:
    return text.split()


#: What the issue asks ``import hud`` to give, at the least.
HUD_REQUIRED = _words(
    """
HudSession HudSessionOptions StepResult CardPlacement HudPipeline HudPipelineOptions
FrameInput MarkerOptions HudApp AppFrame FrameScheduler run_app HudRenderer EyeFrame
render_scene Eye HeadPose ViewGeometry Scene Card World Viewer DisplaySettings
TrackedObject load_scene parse_scene get_profile list_profiles DisplayProfile
ProfileRegistry load_profile_file RunningMode BaseOptions HandLandmarker
HandLandmarkerOptions FaceLandmarker FaceLandmarkerOptions HandResult FaceResult
MarkerResult detect_markers CameraIntrinsics BoxTracker RegionTracker open_source
VideoFileSource CameraSource ImageSequenceSource SessionFrameSource SessionReader
SessionWriter PixelFormat dirty_rects pack_frame EFFECTS ALL_EFFECTS HudError
OptionsError GLUnavailableError SceneError GestureRecognizer GestureRecognizerOptions
__version__ PoseChanged PinchStart PinchHold PinchDrag PinchEnd PinchCancel AirTap Swipe
Circle ThumbTap ThumbSwipe GestureEvent EventDispatcher EVENT_HANDLED
"""
)

#: ... and ``import gestures``.
GESTURES_REQUIRED = _words(
    """
GestureRecognizer GestureRecognizerOptions PoseChanged PinchStart PinchHold PinchDrag
PinchEnd PinchCancel AirTap Swipe Circle ThumbTap ThumbSwipe GestureEvent
EventDispatcher EVENT_HANDLED EVENT_UNHANDLED HandFrame HandLandmarks PoseOptions
PinchOptions SwipeOptions CircleOptions ThumbOptions TrackOptions classify_pose
GazeEstimator GazeOptions GazeSample GazeCalibrator CalibrationOptions fit_calibration
detect_fixations_ivt detect_fixations_idt IVTOptions IDTOptions GazeRouter
SelectionOptions Target HoverEnter HoverExit DwellProgress Commit HandRayCaster
HandRayOptions OneEuroOptions InputSimulator SimulatorOptions ScriptedHand hand_frame
hand_landmarks GestureError TimestampOrderError
"""
)


def _fail_import(package: str, name: str, module: str, exc: ImportError) -> None:
    pytest.fail(
        f"{package}.{name} is loaded from {module}, which cannot be imported: {exc} "
        f"(missing module: {getattr(exc, 'name', None) or module})"
    )


def _check_name(package: ModuleType, table: dict[str, str], name: str) -> None:
    module = table.get(name)
    if module is None:  # defined in the package's __init__ itself
        assert name in vars(package), f"{package.__name__}.{name} is neither lazy nor defined"
        return
    if importlib.util.find_spec(module) is None:
        pytest.fail(
            f"{package.__name__}.{name} comes from module {module}, which does not exist (yet)"
        )
    try:
        source = importlib.import_module(module)
    except ImportError as exc:
        _fail_import(package.__name__, name, module, exc)
    assert hasattr(source, name), f"{package.__name__}.{name}: module {module} defines no {name}"
    value = getattr(package, name)
    assert value is getattr(source, name)
    assert name in vars(package), "a loaded name is kept, so __getattr__ runs once"


# ----------------------------------------------------------------------- the names


@pytest.mark.parametrize("name", hud.__all__)
def test_every_hud_name_imports(name: str) -> None:
    _check_name(hud, hud._LAZY, name)


@pytest.mark.parametrize("name", gestures.__all__)
def test_every_gestures_name_imports(name: str) -> None:
    _check_name(gestures, gestures._LAZY, name)


def test_all_is_the_table_and_holds_what_apps_need() -> None:
    assert len(hud.__all__) == len(set(hud.__all__)), "a name is listed twice in hud.__all__"
    assert set(hud.__all__) == set(hud._LAZY) | HUD_EAGER
    assert not set(hud._LAZY) & HUD_EAGER
    assert set(HUD_REQUIRED) <= set(hud.__all__), set(HUD_REQUIRED) - set(hud.__all__)
    assert len(gestures.__all__) == len(set(gestures.__all__))
    assert set(gestures.__all__) == set(gestures._LAZY)
    missing = set(GESTURES_REQUIRED) - set(gestures.__all__)
    assert not missing, missing
    for table in (hud._API, gestures._API):
        names = [n for names in table.values() for n in names]
        assert len(names) == len(set(names)), "a name comes from two modules"


def test_gestures_exports_every_options_and_event_class() -> None:
    from gestures.events import EVENT_CLASSES
    from gestures.selection import SELECTION_EVENT_CLASSES

    for cls in (*EVENT_CLASSES, *SELECTION_EVENT_CLASSES):
        assert getattr(gestures, cls.__name__) is cls
    options = {
        node.name
        for path in ROOT.joinpath("gestures").glob("*.py")
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ClassDef) and node.name.endswith("Options")
    }
    assert options and options <= set(gestures.__all__), options - set(gestures.__all__)


def test_dir_lists_the_api_and_unknown_names_fail_as_usual() -> None:
    assert set(hud.__all__) <= set(dir(hud))
    assert set(gestures.__all__) <= set(dir(gestures))
    assert "TYPE_CHECKING" not in dir(hud) and "TYPE_CHECKING" not in dir(gestures)
    with pytest.raises(AttributeError, match="no_such_name"):
        hud.no_such_name  # noqa: B018
    with pytest.raises(AttributeError, match="no_such_name"):
        gestures.no_such_name  # noqa: B018
    assert not hasattr(hud, "no_such_name")
    from gestures import gaze_geometry  # submodules still import through the package
    from hud import text

    assert text.__name__ == "hud.text" and gaze_geometry.__name__ == "gestures.gaze_geometry"


def _defined(module: str, name: str) -> bool:
    """Whether ``module`` exists, imports and defines ``name``."""
    if importlib.util.find_spec(module) is None:
        return False
    try:
        return hasattr(importlib.import_module(module), name)
    except ImportError:
        return False


def test_the_type_checking_imports_match_the_table() -> None:
    """``if TYPE_CHECKING:`` imports are what mypy and editors see: they must name the same
    modules as the runtime table (names not written yet are left out until their module defines them)."""
    for package in (hud, gestures):
        path = Path(package.__file__ or "")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        blocks = [
            n
            for n in tree.body
            if isinstance(n, ast.If)
            and isinstance(n.test, ast.Name)
            and n.test.id == "TYPE_CHECKING"
        ]
        assert len(blocks) == 1, f"{path.name}: one `if TYPE_CHECKING:` block expected"
        typed = {
            alias.name: node.module
            for node in ast.walk(blocks[0])
            if isinstance(node, ast.ImportFrom) and node.module != "typing"
            for alias in node.names
        }
        lazy: dict[str, str] = package._LAZY
        wrong = {n: m for n, m in typed.items() if lazy.get(n) != m}
        assert not wrong, f"{package.__name__}: TYPE_CHECKING imports not in the table: {wrong}"
        untyped = sorted(
            f"from {m} import {n}" for n, m in lazy.items() if n not in typed and _defined(m, n)
        )
        assert not untyped, f"{package.__name__}/__init__.py: add under TYPE_CHECKING: {untyped}"


def test_import_hud_loads_nothing_heavy() -> None:
    """``hud --help`` and a host's ``import hud`` stay fast: no OpenCV, MediaPipe or GL."""
    code = (
        "import json, sys; import hud, gestures; hud.__all__; gestures.__all__; dir(hud); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    loaded = {m.split(".")[0] for m in json.loads(out)}
    heavy = loaded & {"cv2", "mediapipe", "moderngl", "pyglet", "glcontext"}
    assert not heavy, f"`import hud` imported {sorted(heavy)}"


def test_hud_help_loads_nothing_heavy() -> None:
    """Building the ``hud`` parser imports every command module: none may pull in OpenCV,
    MediaPipe or GL at import time (they load inside the command that needs them)."""
    code = (
        "import json, sys; from hud.cli import build_parser; build_parser(); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    loaded = {m.split(".")[0] for m in json.loads(out)}
    heavy = loaded & {"cv2", "mediapipe", "moderngl", "pyglet", "glcontext"}
    assert not heavy, f"`hud --help` imported {sorted(heavy)}"


# ------------------------------------------------------------------------- options


def _options_classes() -> dict[str, str]:
    """Every public ``...Options`` class of hud/ and gestures/ (protocols aside): module."""
    found = {}
    for path in sorted(
        [*ROOT.joinpath("hud").rglob("*.py"), *ROOT.joinpath("gestures").rglob("*.py")]
    ):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not (isinstance(node, ast.ClassDef) and node.name.endswith("Options")):
                continue
            if any(isinstance(b, ast.Name) and b.id == "Protocol" for b in node.bases):
                continue
            found[node.name] = module
    return found


def _nan() -> float:
    return math.nan


#: For every options class, settings it must refuse when made.
BAD_OPTIONS: dict[str, list[dict[str, Any]]] = {
    "AprilTagOptions": [
        *({"max_hamming": 3}, {"min_decision_margin": _nan()}),
        *({"quad_decimate": 0.5}, {"nthreads": 0}),
    ],
    "IntentOptions": [{"min_score": 1.5}, {"settle_ms": -1}, {"camera_hfov_deg": 0.0}],
    "WearerOptions": [{"view": "top"}, {"min_palm_deg": _nan()}, {"max_hands": 0}],
    "PoseSmoothingOptions": [{"tau_ms": -1}, {"margin": 2.0}],
    "CardLayoutOptions": [{"grow_s": -1.0}, {"body_lines": 0}, {"grow_s": _nan()}],
    "PlacementOptions": [{"gap_px": -1.0}, {"hysteresis": _nan()}, {"smoothing_s": -0.5}],
    "LintOptions": [{"max_lines": 0}, {"max_line_chars": 2.5}, {"min_contrast": _nan()}],
    "SolverHandlerOptions": [
        *({"lost_grace_s": -1.0}, {"fade_s": _nan()}),
        *({"snap_distance_deg": "5"}, {"smoothing": 3}),
    ],
    "PinchOptions": [{"enter_distance": 0.5, "exit_distance": 0.4}, {"debounce_ms": -1}],
    "SwipeOptions": [{"min_distance": 0}, {"min_straightness": 1.5}, {"cooldown_ms": "x"}],
    "CircleOptions": [{"min_turns": -1}, {"min_step_fraction": 1.0}],
    "ThumbOptions": [{"contact_enter": 0.4, "contact_exit": 0.3}, {"tap_max_ms": -5}],
    "PoseOptions": [{"straightness": 2.0}, {"min_agreement": _nan()}, {"shape_model": "m"}],
    "TrackOptions": [{"min_turn_deg": 0}, {"stop_length": -0.1}],
    "GestureRecognizerOptions": [{"min_pose_score": 2.0}, {"pinch": {}}],
    "GazeOptions": [{"max_eye_deg": 0}, {"image_size": (0, 480)}, {"image_size": (640,)}],
    "CalibrationOptions": [{"sample_ms": 0}, {"degree": 4}, {"targets": ((0.0, 0.0),)}],
    "SelectionOptions": [{"dwell_ms": 0}, {"exit_margin_deg": 0.1}, {"commit_on": "middle"}],
    "IVTOptions": [{"velocity_threshold_dps": 0}, {"merge_gap_ms": -1}],
    "IDTOptions": [{"dispersion_threshold_deg": -1}, {"duration_threshold_ms": _nan()}],
    "OneEuroOptions": [{"min_cutoff_hz": 0}, {"beta": -1}],
    "HandRayOptions": [{"camera_fov_h_deg": 200}, {"anchor": "wrist"}, {"filter": None}],
    "SimulatorOptions": [{"window_size": (0, 720)}, {"handedness": "Middle"}, {"home": (2, 0)}],
    "BaseOptions": [{"model_asset_path": 3}],
    "HandLandmarkerOptions": [{"num_hands": 0}, {"model_complexity": 2}],
    "FaceLandmarkerOptions": [{"num_faces": 0}, {"min_tracking_confidence": 1.5}],
    "FaceDetectorOptions": [{"model_selection": 2}, {"min_face_fraction": 0.001}],
    "RedactOptions": [{"method": "smudge"}, {"strength": _nan()}, {"hold_ms": -1}],
    "MarkerOptions": [{"marker_length_m": -1.0}, {"dictionary": "DICT_9X9"}],
    "HudPipelineOptions": [{"eyes": ()}],
    "HudSessionOptions": [{"num_hands": 0}, {"camera_fov_h_deg": 500.0}],
    "RunOptions": [{"frames": 0}, {"headless": True}],
    "OpenAIAnswerOptions": [{"timeout_s": 0}, {"max_retries": -1}, {"base_url": "ftp://x"}],
    "AssistantOptions": [{"language": "fr"}, {"max_cards": 0}],
    "EmulatorOptions": [
        *({"profiles": ()}, {"profiles": ("nope",)}, {"language": "de"}),
        *({"answers": "cloud"}, {"overlays": frozenset({"xray"})}),
    ],
}


def _options_class(name: str) -> type:
    module = _options_classes()[name]
    cls: type = getattr(importlib.import_module(module), name)
    return cls


@pytest.mark.parametrize("name", sorted(_options_classes()))
def test_options_are_frozen_dataclasses_that_refuse_bad_values(name: str) -> None:
    cls = _options_class(name)
    assert dataclasses.is_dataclass(cls), f"{name} is not a dataclass"
    assert cls.__dataclass_params__.frozen, f"{name} is not frozen"  # type: ignore[attr-defined]
    default = cls()
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(default, dataclasses.fields(cls)[0].name, None)
    assert name in BAD_OPTIONS, f"add bad settings for {name} to BAD_OPTIONS"
    for bad in BAD_OPTIONS[name]:
        with pytest.raises(OptionsError) as info:
            cls(**bad)
        assert isinstance(info.value, HudError) and isinstance(info.value, ValueError)
        assert "--" not in info.value.message, info.value.message


def test_every_bad_options_entry_names_a_real_class() -> None:
    assert set(BAD_OPTIONS) <= set(_options_classes()), set(BAD_OPTIONS) - set(_options_classes())


def test_constructor_settings_of_trackers_and_sources_are_option_errors() -> None:
    from hud.io.sources import ImageSequenceSource, open_source
    from hud.trackers.boxes import BoxTracker
    from hud.trackers.markers import CameraIntrinsics, resolve_dictionary
    from hud.trackers.region import RegionTracker

    bad: list[Callable[[], object]] = [
        lambda: BoxTracker(iou_threshold=0),
        lambda: BoxTracker(min_hits=0),
        lambda: RegionTracker("boosting"),  # type: ignore[arg-type]
        lambda: RegionTracker(min_similarity=2),
        lambda: ImageSequenceSource(ROOT, fps=0),
        lambda: open_source(),
        lambda: resolve_dictionary("DICT_9X9"),
        lambda: CameraIntrinsics.from_hfov(640, 480, 200),
    ]
    for make in bad:
        with pytest.raises(OptionsError):
            make()


# ----------------------------------------------------------------- context managers

RESOURCE_OWNERS = {
    "hud.render.context": ("RenderContext",),
    "hud.render.renderer": ("HudRenderer",),
    "hud.app.pipeline": ("HudPipeline",),
    "hud.app.session": ("HudSession",),
    "hud.trackers.hands": ("HandLandmarker",),
    "hud.trackers.faces": ("FaceLandmarker",),
    "hud.trackers.face_detection": ("FaceDetector",),
    "hud.privacy.redact": ("FaceRedactor",),
    "hud.trackers.region": ("RegionTracker",),
    "hud.io.sources": (
        *("FrameSource", "VideoFileSource", "CameraSource", "ImageSequenceSource"),
        "SessionFrameSource",
    ),
    "hud.io.session": ("SessionReader", "SessionWriter"),
}


@pytest.mark.parametrize(
    ("module", "name"), [(m, n) for m, names in RESOURCE_OWNERS.items() for n in names]
)
def test_resource_owners_are_context_managers(module: str, name: str) -> None:
    cls = getattr(importlib.import_module(module), name)
    assert callable(getattr(cls, "__enter__", None)) and callable(getattr(cls, "__exit__", None))


class _FakeGL:
    def __init__(self) -> None:
        self.released = 0

    def release(self) -> None:
        self.released += 1


def test_a_render_context_releases_once_when_its_block_ends() -> None:
    from hud.render.context import RenderContext

    fake = _FakeGL()
    with RenderContext(ctx=fake, backend="headless") as gl:  # type: ignore[arg-type]
        assert gl.ctx is fake and fake.released == 0
    assert fake.released == 1
    gl.release()  # a second release does nothing
    assert fake.released == 1


def test_a_region_tracker_lets_go_when_its_block_ends() -> None:
    from hud.trackers.region import RegionTracker

    image = (np.random.default_rng(3).random((120, 160, 3)) * 255).astype(np.uint8)
    with RegionTracker("kcf") as tracker:
        tracker.start(image, (0.3, 0.3, 0.6, 0.6))
        assert tracker.update(image).tracking
    assert not tracker.started and tracker.tracked_object() is None
    with pytest.raises(HudError, match="start"):
        tracker.update(image)
    tracker.close()  # twice is fine


def test_session_reader_and_session_frame_source_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hud.io.records import FrameRecord
    from hud.io.session import SessionReader, SessionWriter
    from hud.io.sources import SessionFrameSource

    path = tmp_path / "s.wgsession"
    header = {"source": "test", "fps": 10.0, "width": 4, "height": 4, "video": True}
    with SessionWriter(path, header) as writer:
        writer.write_frame(FrameRecord(index=0, timestamp_ms=0))
    with SessionReader(path) as reader:
        assert len(reader.read_all()) == 1
    closed: list[SessionReader] = []
    monkeypatch.setattr(SessionReader, "close", lambda self: closed.append(self))
    with SessionFrameSource(path) as source:
        assert source.fps == 10.0
    assert len(closed) == 1
