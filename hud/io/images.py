"""Reading world images and writing frames, with errors a user can act on."""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
                turned = ImageOps.exif_transpose(im)
                if turned.mode in _DEEP_MODES:  # 16-bit or float grey: scaled, not clipped
                    return to_uint8(np.asarray(turned), p)
                rgb = turned.convert("RGB")
    except UnidentifiedImageError as exc:
        if p.suffix.lower() in (".tif", ".tiff"):  # a float colour TIFF: Pillow has no mode
            return _load_tiff(p)
        raise HudError(f"cannot read image {p}: {exc.__class__.__name__}: {exc}") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Only a header too damaged to give a size gets here (sizes are checked above).
        raise HudError(
            f"image {p} has too many pixels; the largest side allowed is {MAX_SIDE}"
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise HudError(f"cannot read image {p}: {exc.__class__.__name__}: {exc}") from None
    return np.asarray(rgb, dtype=np.uint8).copy()


#: Pillow modes of grey images deeper than 8 bits (16-bit and 32-bit integers, float).
_DEEP_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})


def to_uint8(
    pixels: npt.NDArray[Any], path: str | Path, bgr: bool = False
) -> npt.NDArray[np.uint8]:
    """Decoded pixels of any common depth as H×W×3 uint8 RGB: what every reader returns.

    16-bit samples are scaled (``/257``), float samples are taken as 0-1 (``×255``,
    clipped), 32-bit integers as 16-bit when they fit; grey is expanded and alpha dropped.
    ``bgr`` says the channels are OpenCV's order. A depth or a layout that cannot be
    converted faithfully (pixels that are not finite, integers past 16 bits, five
    channels) is a :class:`HudError`, never an image turned white or black.
    """
    a = np.asarray(pixels)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (3, 4)):
        raise HudError(f"cannot read image {path}: pixels of shape {a.shape} are not an image")
    if a.ndim == 3:
        a = a[:, :, :3]
        if bgr:
            a = a[:, :, ::-1]
    if a.dtype.byteorder not in "=|":  # Pillow's big-endian 16-bit mode
        a = a.astype(a.dtype.newbyteorder("="))
    if a.dtype == np.uint8:
        out = a
    elif a.dtype.kind == "b":
        out = a.astype(np.uint8) * 255
    elif a.dtype.kind in "iu":
        if a.size and (int(a.min()) < 0 or int(a.max()) > 65535):
            raise HudError(
                f"cannot read image {path}: its integer pixels go past 16 bits; save it as "
                "an 8- or 16-bit image"
            )
        out = ((a.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    elif a.dtype.kind == "f":
        if not np.isfinite(a).all():
            raise HudError(f"cannot read image {path}: it has pixels that are not finite numbers")
        out = np.round(np.clip(a, 0.0, 1.0) * 255.0).astype(np.uint8)
    else:
        raise HudError(f"cannot read image {path}: pixels of type {a.dtype} are not supported")
    if out.ndim == 2:
        out = np.repeat(out[:, :, None], 3, axis=2)
    return np.ascontiguousarray(out)


def _load_tiff(p: Path) -> npt.NDArray[np.uint8]:
    """A TIFF Pillow cannot read (32-bit float colour) through OpenCV, depth kept."""
    import cv2

    previous = cv2.getLogLevel()
    cv2.setLogLevel(0)  # OpenCV's own warnings would reach the terminal
    try:
        pixels = cv2.imread(str(p), cv2.IMREAD_UNCHANGED)
    finally:
        cv2.setLogLevel(previous)
    if pixels is None:
        raise HudError(f"cannot read image {p}: not a TIFF file OpenCV or Pillow can decode")
    _check_side(p, int(pixels.shape[1]), int(pixels.shape[0]))
    return to_uint8(pixels, p, bgr=True)


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
    return save_pngs([(path, rgb)])[0]


def save_pngs(items: Sequence[tuple[str | Path, npt.NDArray[np.uint8]]]) -> list[Path]:
    """Write several PNGs all or none: every image goes to a temp file beside its target
    (flushed to disk), and only when all are written are they renamed into place. A
    failure (a read-only folder, a full disk, not an image) replaces no file."""
    targets = [check_output(path) for path, _ in items]
    written: list[Path] = []
    try:
        for target, (_, rgb) in zip(targets, items):
            written.append(_write_temp_png(target, rgb))
        for tmp, target in zip(written, targets):
            os.replace(tmp, target)
    except OSError as exc:
        failed = targets[len(written)] if len(written) < len(targets) else targets[-1]
        raise HudError(f"cannot write {failed}: {exc.strerror or exc}") from None
    finally:
        for tmp in written:
            tmp.unlink(missing_ok=True)  # renamed ones are gone already
    for folder in {t.parent if str(t.parent) else Path(".") for t in targets}:
        fsync_dir(folder)
    return targets


def _write_temp_png(target: Path, rgb: npt.NDArray[np.uint8]) -> Path:
    """``rgb`` as a PNG in a hidden temp file beside ``target``, on disk (fsync'ed)."""
    fd, tmp = temp_beside(target, ".png")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), new_file_mode())
            Image.fromarray(np.ascontiguousarray(rgb)).save(f, format="PNG")
            f.flush()
            os.fsync(f.fileno())
    except (TypeError, ValueError) as exc:  # an array that is not an image
        tmp.unlink(missing_ok=True)
        raise HudError(f"cannot write {target}: not an image array ({exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


#: Hidden temp files of unfinished writes: ``.waveglass-PID-XXXX.png``.
TEMP_PREFIX = ".waveglass-"


def temp_beside(target: Path, suffix: str) -> tuple[int, Path]:
    """A new hidden temp file (open descriptor, path) in ``target``'s folder, named for
    this process so a later run can tell a killed writer's leftovers; those are removed
    first. Outputs are written there and renamed over ``target`` when complete."""
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale_temps(folder)
    prefix = f"{TEMP_PREFIX}{os.getpid()}-"
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    return fd, Path(name)


def remove_stale_temps(folder: Path) -> None:
    """Delete temp files that a killed write left behind: those of processes no longer
    running (a live process's are never touched, so two commands can share a folder)."""
    with contextlib.suppress(OSError):
        for path in folder.glob(f"{TEMP_PREFIX}*-*"):
            pid_text = path.name[len(TEMP_PREFIX) :].split("-", 1)[0]
            if pid_text.isdigit() and not _alive(int(pid_text)):
                path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename) to disk, where the system allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
