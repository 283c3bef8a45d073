"""Reading world images and writing frames, with errors a user can act on."""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from hud.errors import HudError, check_regular_file

MAX_SIDE = 8192


def load_rgb(path: str | Path) -> npt.NDArray[np.uint8]:
    """An image file as H×W×3 uint8 sRGB (EXIF rotation applied, alpha dropped, grey expanded).

    An image with a side over :data:`MAX_SIDE` is refused before its pixels are decoded,
    and so is one Pillow calls a decompression bomb (its warning is an error here too).
    """
    p = Path(path)
    if not p.exists():
        raise HudError(f"image not found: {p}")
    check_regular_file(p, "image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(p) as im:
                _check_side(p, im.width, im.height)  # before decoding: never load a huge image
                im.load()
                # Phone photos store their rotation in EXIF; apply it so "up" is up.
                rgb = ImageOps.exif_transpose(im).convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Only a header too damaged to give a size gets here (sizes are checked above).
        raise HudError(
            f"image {p} has too many pixels; the largest side allowed is {MAX_SIDE}"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise HudError(f"cannot read image {p}: {exc.__class__.__name__}: {exc}") from None
    return np.asarray(rgb, dtype=np.uint8).copy()


def _check_side(p: Path, width: int, height: int) -> None:
    if width > MAX_SIDE or height > MAX_SIDE:
        raise HudError(f"image {p} is {width}×{height}; the largest side allowed is {MAX_SIDE}")


def check_output(path: str | Path, option: str | None = None) -> Path:
    """Check that a PNG can be written at ``path``, before any work is done for it.

    Refuses a folder (an existing one, or a name ending in a slash), a name that does not
    end in ``.png`` (the bytes written are PNG) and a missing parent folder. ``option``
    (``"--out"``) names the argument in the message. :func:`save_png` checks the same.
    """
    text = os.fspath(path)
    p = Path(text)
    if not text or text.endswith(("/", os.sep)) or p.is_dir():
        raise HudError(f"output path is a folder: {text or '(empty)'}")
    if p.suffix.lower() != ".png":
        raise HudError(f"{option or 'output'} must name a .png file, got {p}")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise HudError(f"output folder does not exist: {parent}")
    if not parent.is_dir():
        raise HudError(f"output folder is not a folder: {parent}")
    return p


def new_file_mode() -> int:
    """The mode a plain ``open()`` would give a new file (0666 less the umask): temp
    files are made 0600, and a published output should not keep that."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def save_png(path: str | Path, rgb: npt.NDArray[np.uint8]) -> Path:
    """Write a PNG atomically (temp file + rename), so a failed write never leaves half a file."""
    p = check_output(path)
    parent = p.parent if str(p.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=".waveglass-", suffix=".png", dir=parent)
    os.close(fd)
    try:
        os.chmod(tmp, new_file_mode())
        Image.fromarray(np.ascontiguousarray(rgb)).save(tmp, format="PNG")
        os.replace(tmp, p)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise HudError(f"cannot write {p}: {exc.strerror or exc}") from None
    except (TypeError, ValueError) as exc:  # an array that is not an image
        Path(tmp).unlink(missing_ok=True)
        raise HudError(f"cannot write {p}: not an image array ({exc})") from None
    return p
