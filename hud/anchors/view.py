"""View geometry: where a world-image pixel, an eye direction and a display pixel meet.

Anchoring starts here: a tracked object's box is a region of the camera image, a card is
drawn in display pixels, and between them sit the eye (offset by half the IPD in a stereo
pair) and the display's field of view. Pure arithmetic on the profile, no GL and no optics
effects, so solvers and layout can be unit-tested on plain numbers.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from hud.errors import OptionsError
from hud.profiles import DisplayProfile


class Eye(str, enum.Enum):
    """Which eye: a display frame, a view and a layout are per eye.

    A ``str`` enum, so ``Eye.RIGHT == "right"`` and a mapping keyed by eyes can be read
    with plain strings (``out.display["right"]``).
    """

    LEFT = "left"
    RIGHT = "right"

    __hash__ = str.__hash__  # so a dict keyed by Eye answers plain "left"/"right" too

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @classmethod
    def parse(cls, value: str | Eye) -> Eye:
        """``"left"``/``"right"`` (any case) or an :class:`Eye`; anything else is an error."""
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise OptionsError(f"eye must be 'left' or 'right', got {value!r}") from None


def has_display(profile: DisplayProfile, eye: str | Eye) -> bool:
    """Whether ``eye`` has a display (the other eye of a monocular device has none: it
    sees the world through a plain lens)."""
    return profile.eyes == 2 or profile.eye == str(eye)


def display_eyes(profile: DisplayProfile) -> tuple[Eye, ...]:
    """The eyes that have a display: both for a binocular profile, else the profile's eye."""
    if profile.eyes == 2:
        return (Eye.LEFT, Eye.RIGHT)
    return (Eye.parse(profile.eye),)


@dataclass(frozen=True)
class ViewGeometry:
    """Maps the eye's view (the output pixel grid) to the world image and the display.

    The world image is a pinhole picture taken from between the eyes. Directions are
    handled in tangent space (``tan θ``) because both the camera and the display's virtual
    image are flat. For a binocular profile each eye sits ``ipd/2`` to the side; without a
    depth map the world is treated as one plane at ``world.depth_m`` and shifted by the
    resulting disparity, and anchored content at its object's depth gets its own shift.
    """

    width: int
    height: int
    focal_px: float
    #: Sideways eye position in metres (left eye negative), 0 for the cyclopean view.
    eye_x_m: float
    world_depth_m: float
    #: Display FOV centre and half-extent in tangent space.
    fov_center_tan: tuple[float, float]
    fov_half_tan: tuple[float, float]

    @staticmethod
    def make(
        profile: DisplayProfile,
        width: int,
        height: int,
        world_fov_h_deg: float,
        eye: str,
        world_depth_m: float,
        parallax: bool = False,
    ) -> ViewGeometry:
        """The view of ``eye``. Without ``parallax`` the world image is taken to be that
        eye's own view (a single-eye render: the composite is then exactly ``T·world``
        where no display light falls). With it, the camera sits between the eyes and each
        eye sees the world plane and the anchored content with its own disparity (a
        stereo pair, ``--eye both``)."""
        focal = (width / 2) / math.tan(math.radians(world_fov_h_deg) / 2)
        eye_x = 0.0
        if parallax and profile.eyes == 2 and eye in ("left", "right"):
            eye_x = (-1 if eye == "left" else 1) * profile.ipd_mm / 2000.0
        ox, oy = profile.center_offset_deg
        return ViewGeometry(
            width=width,
            height=height,
            focal_px=focal,
            eye_x_m=eye_x,
            world_depth_m=world_depth_m,
            fov_center_tan=(math.tan(math.radians(ox)), math.tan(math.radians(oy))),
            fov_half_tan=(
                math.tan(math.radians(profile.fov_h_deg) / 2),
                math.tan(math.radians(profile.fov_v_deg) / 2),
            ),
        )

    def disparity_tan(self, depth_m: float) -> float:
        """How far a point at ``depth_m`` moves, in tan units, from the cyclopean view to this eye."""
        return -self.eye_x_m / depth_m

    def world_shift_px(self) -> float:
        return self.disparity_tan(self.world_depth_m) * self.focal_px

    def image_to_eye_tan(
        self, x_px: float, y_px: float, depth_m: float | None = None
    ) -> tuple[float, float]:
        """Tangent-space direction in this eye of a world-image pixel at ``depth_m``."""
        d = self.world_depth_m if depth_m is None else depth_m
        tx = (x_px - self.width / 2) / self.focal_px + self.disparity_tan(d)
        ty = (y_px - self.height / 2) / self.focal_px
        return tx, ty

    def eye_tan_to_display_uv(self, tx: float, ty: float) -> tuple[float, float]:
        """Display coordinates (0-1, origin top-left) of a direction; outside 0-1 is off-display."""
        u = ((tx - self.fov_center_tan[0]) / self.fov_half_tan[0] + 1) / 2
        v = ((ty - self.fov_center_tan[1]) / self.fov_half_tan[1] + 1) / 2
        return u, v

    def display_uv_to_image_px(self, u: float, v: float) -> tuple[float, float]:
        """Inverse: output-grid pixel where display point ``(u, v)`` appears."""
        tx = (u * 2 - 1) * self.fov_half_tan[0] + self.fov_center_tan[0]
        ty = (v * 2 - 1) * self.fov_half_tan[1] + self.fov_center_tan[1]
        return self.width / 2 + tx * self.focal_px, self.height / 2 + ty * self.focal_px
