"""Reading world images and writing frames, with errors a user can act on."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from hud.errors import HudError
from hud.optics import linear_to_srgb
from hud.scene import Scene

MAX_SIDE = 8192


def load_rgb(path: str | Path) -> npt.NDArray[np.uint8]:
    """An image file as H×W×3 uint8 sRGB (EXIF rotation applied, alpha dropped, grey expanded)."""
    p = Path(path)
    if not p.exists():
        raise HudError(f"image not found: {p}")
    try:
        with Image.open(p) as im:
            im.load()
            if im.width > MAX_SIDE or im.height > MAX_SIDE:
                raise HudError(
                    f"image {p} is {im.width}×{im.height}; the largest side allowed is {MAX_SIDE}"
                )
            # Phone photos store their rotation in EXIF; apply it so "up" is up.
            rgb = ImageOps.exif_transpose(im).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise HudError(f"cannot read image {p}: {exc.__class__.__name__}: {exc}") from None
    return np.asarray(rgb, dtype=np.uint8).copy()


def world_pixels(scene: Scene) -> npt.NDArray[np.uint8]:
    """The scene's world as pixels: its image, or a solid colour of the given size."""
    if scene.world.image is not None:
        return load_rgb(scene.resolve(scene.world.image))
    c = np.round(np.asarray(scene.world.color) * 255).astype(np.uint8)
    return np.broadcast_to(c, (scene.world.height, scene.world.width, 3)).copy()


def save_png(path: str | Path, rgb: npt.NDArray[np.uint8]) -> Path:
    """Write a PNG atomically (temp file + rename), so a failed write never leaves half a file."""
    p = Path(path)
    if p.exists() and p.is_dir():
        raise HudError(f"output path is a folder: {p}")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise HudError(f"output folder does not exist: {parent}")
    fd, tmp = tempfile.mkstemp(prefix=".waveglass-", suffix=".png", dir=parent)
    os.close(fd)
    try:
        Image.fromarray(np.ascontiguousarray(rgb)).save(tmp, format="PNG")
        os.replace(tmp, p)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise HudError(f"cannot write {p}: {exc.strerror or exc}") from None
    except (TypeError, ValueError) as exc:  # an array that is not an image
        Path(tmp).unlink(missing_ok=True)
        raise HudError(f"cannot write {p}: not an image array ({exc})") from None
    return p


def encode_display(display_linear: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    """A display frame (linear pixel values) as sRGB bytes for a PNG."""
    return np.round(linear_to_srgb(display_linear) * 255).astype(np.uint8)
