"""The scene: what the glasses should show, as plain data.

A scene names a display profile, the world the wearer looks at (an image with its field of
view and how bright the surroundings are), the objects tracked in it and the answer cards
the assistant wants to show. It holds no GL types: the renderer is a function of it.

:func:`parse_scene` validates a JSON document and reports the JSON path of the first bad
field (``$.cards[0].anchor``), because a user editing a scene by hand needs to know where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hud.trackers.results import TrackedObject

#: The newest scene version this Waveglass writes and reads; version 1 stays valid.
SCENE_VERSION = 2
SCENE_VERSIONS = (1, 2)
#: A card's life: the assistant is listening to the question, thinking about it, streaming
#: its answer, done (or failed), and the wearer may dismiss it. ``info`` and ``warning``
#: are notices that are not answers (version 1 scenes use them).
CARD_STATES = (
    "listening",
    "thinking",
    "streaming",
    "done",
    "error",
    "dismissed",
    "info",
    "warning",
)
#: How a card follows its object (or the wearer), after MRTK3's solvers: ``object``
#: (locked to its tracked object; the default for an anchored card), ``tag-along`` (stays
#: within a cone of the view direction; the default for an unanchored card), ``head``
#: (head-locked: small status items only), ``world`` (fixed where it first appeared) and
#: ``hand`` (beside the wearer's hand, like a wrist menu; hidden while no hand is seen).
CARD_SOLVERS = ("object", "tag-along", "head", "world", "hand")


@dataclass(frozen=True)
class World:
    """The view through the glasses: an image and the photometry of the surroundings."""

    image: str | None
    #: Horizontal field of view of the world image; maps image pixels to visual angles.
    fov_h_deg: float = 70.0
    #: Luminance of a diffuse white surface in the surroundings (cd/m²): ~100 indoors,
    #: ~10,000 in direct sun.
    ambient_nits: float = 250.0
    #: Distance of the world for the binocular approximation (one plane), metres.
    depth_m: float = 3.0
    #: Solid colour (sRGB 0-1) used when no image is given; width/height then set the size.
    color: tuple[float, float, float] = (0.5, 0.5, 0.5)
    width: int = 1280
    height: int = 720


@dataclass(frozen=True)
class StreamChunk:
    """A piece of an answer's text and when it arrived (seconds from the scene's start)."""

    t_s: float
    text: str


@dataclass(frozen=True)
class Card:
    """One answer from the assistant, optionally anchored to a tracked object.

    ``stream`` (version 2) is the answer as it arrives: before the first chunk the card
    is ``thinking``, while chunks arrive ``streaming`` and after the last one it takes
    ``state``. ``body`` is text shown before the stream starts (usually empty).
    """

    id: str
    title: str
    body: str = ""
    anchor: str | None = None
    state: str = "done"
    stream: tuple[StreamChunk, ...] = ()
    solver: str = ""
    #: A short symbol drawn before the title (one or two characters), or empty.
    icon: str = ""
    #: When the card appears and is dismissed (seconds from the scene's start).
    appear_s: float = 0.0
    dismiss_s: float | None = None

    @property
    def solver_name(self) -> str:
        """The solver this card uses: its own, or the default for its anchoring."""
        return self.solver or ("object" if self.anchor else "tag-along")


@dataclass(frozen=True)
class ObjectPose:
    """A 6-DoF object in the world (version 2), instead of a box in the world image.

    The world frame is the head's frame at the scene's start: x right, y down, z forward,
    metres (the camera convention). ``size_m`` is the object's extent facing the wearer,
    from which its box on the image follows at every head pose.
    """

    position_m: tuple[float, float, float]
    rotation_xyzw: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)
    size_m: tuple[float, float] = (0.2, 0.2)


@dataclass(frozen=True)
class PosedObject:
    id: str
    label: str
    pose: ObjectPose


@dataclass(frozen=True)
class HeadKeyframe:
    """The head's orientation at one time: degrees, yaw right, pitch down, roll clockwise."""

    t_s: float
    yaw_deg: float
    pitch_deg: float
    roll_deg: float = 0.0


@dataclass(frozen=True)
class HeadPath:
    """How the head moves over a scene (version 2): a recorded trajectory in TUM format
    (``t tx ty tz qx qy qz qw``), read from ``trace`` starting ``start_s`` into it, or
    keyframes interpolated between. The first pose is where the world image was taken."""

    trace: str | None = None
    start_s: float = 0.0
    keyframes: tuple[HeadKeyframe, ...] = ()


@dataclass(frozen=True)
class Animation:
    """How long a scene runs and at how many frames per second, when rendered over time."""

    duration_s: float = 0.0
    fps: float = 30.0


@dataclass(frozen=True)
class Viewer:
    """Where the wearer's eye and head are: pupil offset in the eyebox and head motion."""

    pupil_offset_mm: tuple[float, float] = (0.0, 0.0)
    #: Head angular velocity (yaw right, pitch down) in degrees per second; with the latency
    #: effect on, world-anchored content lags by velocity × motion-to-photon latency.
    head_rate_dps: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class DisplaySettings:
    #: Fraction of peak luminance, or None for automatic (ambient-light-sensor) brightness.
    brightness: float | None = None


@dataclass(frozen=True)
class Scene:
    profile: str
    world: World
    objects: tuple[TrackedObject, ...] = ()
    cards: tuple[Card, ...] = ()
    viewer: Viewer = field(default_factory=Viewer)
    display: DisplaySettings = field(default_factory=DisplaySettings)
    #: Objects with a 6-DoF pose in the world (version 2).
    posed: tuple[PosedObject, ...] = ()
    head: HeadPath | None = None
    animation: Animation = field(default_factory=Animation)
    #: Folder that relative paths (world image, profile files) are resolved against.
    base_dir: str = "."
    version: int = SCENE_VERSION

    def object_by_id(self, oid: str) -> TrackedObject | None:
        for obj in self.objects:
            if obj.id == oid:
                return obj
        return None

    def duration_s(self) -> float:
        """How long the scene runs: its animation's duration, else until its last
        stream chunk, card event or head keyframe (0 for a still scene)."""
        if self.animation.duration_s > 0:
            return self.animation.duration_s
        ends = [0.0]
        for card in self.cards:
            ends += [c.t_s for c in card.stream] + [card.appear_s]
            if card.dismiss_s is not None:
                ends.append(card.dismiss_s)
        if self.head is not None:
            ends += [k.t_s for k in self.head.keyframes]
        return max(ends)

    def resolve(self, path: str) -> Path:
        p = Path(path)
        return p if p.is_absolute() else Path(self.base_dir) / p


# --- parsing -------------------------------------------------------------------------
