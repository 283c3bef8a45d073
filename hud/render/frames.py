"""Display frames as bytes a host sends to the glasses, and what changed since the last one.

The renderer's display framebuffer holds 8-bit sRGB codes, the video signal a colour
microdisplay takes (:attr:`PixelFormat.RGB888`). Monochrome text displays take fewer bits:
Even Realities' G1 is fed 1-bit images over Bluetooth LE, one arm at a time, so packed grey
(:attr:`PixelFormat.GRAY4`, ``GRAY2``, ``GRAY1``; rows padded to whole bytes, the leftmost
pixel in the most significant bits) is what such a link carries.

A slow link should carry only what changed: :func:`dirty_rects` compares two frames and
returns the rectangles that differ, snapped to whole bytes of the packed format, so a host
sends :func:`crop_packed` of each instead of the whole frame. No GL here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from hud.errors import OptionsError
from hud.optics.model import linear_to_srgb, srgb_to_linear
from hud.profiles import DisplayProfile

K = TypeVar("K", bound=str)

#: A rectangle in display pixels: ``(x0, y0, x1, y1)``, end-exclusive.
Rect = tuple[int, int, int, int]

_DECODE = srgb_to_linear(np.arange(256) / 255.0)


class PixelFormat(str, enum.Enum):
    """How a display frame is laid out in bytes."""

    RGB888 = "rgb888"  # 3 bytes a pixel, sRGB codes (colour panels)
    GRAY8 = "gray8"  # 1 byte a pixel, sRGB-coded grey
    GRAY4 = "gray4"  # 2 pixels a byte
    GRAY2 = "gray2"  # 4 pixels a byte
    GRAY1 = "gray1"  # 8 pixels a byte (on/off text displays)

    def __str__(self) -> str:
        return self.value

    @property
    def bits(self) -> int:
        return {"rgb888": 24, "gray8": 8, "gray4": 4, "gray2": 2, "gray1": 1}[self.value]

    @property
    def pixels_per_byte(self) -> int:
        """Pixels that share one byte (1 for byte-per-pixel formats)."""
        return max(1, 8 // self.bits)

    @classmethod
    def parse(cls, value: str | PixelFormat) -> PixelFormat:
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            names = ", ".join(f.value for f in cls)
            raise OptionsError(f"unknown pixel format {value!r} (one of {names})") from None

    def row_bytes(self, width: int) -> int:
        return (width * self.bits + 7) // 8

    def frame_bytes(self, width: int, height: int) -> int:
        return self.row_bytes(width) * height


def default_pixel_format(profile: DisplayProfile) -> PixelFormat:
    """The profile's pixel format; when it names none, RGB for colour panels and one bit a
    pixel for monochrome displays (what G1-class links carry)."""
    if profile.pixel_format:
        return PixelFormat.parse(profile.pixel_format)
    return PixelFormat.RGB888 if profile.colour == "rgb" else PixelFormat.GRAY1


def grey_levels(
    codes: npt.NDArray[np.uint8], mono_rgb: tuple[float, float, float]
) -> npt.NDArray[np.uint8]:
    """The emitted level of a monochrome display as 8-bit sRGB-coded grey, H×W.

    A mono display's frame is drawn as ``mono_rgb × level`` in linear light (its one
    emitter colour); the level is recovered from the channel the emitter is strongest in.
    """
    channel = int(np.argmax(mono_rgb))
    peak = float(mono_rgb[channel]) or 1.0
    level = np.clip(_DECODE[codes[..., channel]] / peak, 0.0, 1.0)
    return np.round(linear_to_srgb(level) * 255.0).astype(np.uint8)


def pack_frame(
    codes: npt.NDArray[np.uint8],
    fmt: PixelFormat,
    mono_rgb: tuple[float, float, float] = (1.0, 1.0, 1.0),
) -> npt.NDArray[np.uint8]:
    """A display frame (H×W×3 sRGB codes) in ``fmt``: H×W×3 for RGB, else H×row_bytes."""
    if fmt is PixelFormat.RGB888:
        return codes
    grey = grey_levels(codes, mono_rgb)
    if fmt is PixelFormat.GRAY8:
        return grey
    bits = fmt.bits
    levels = (grey.astype(np.uint16) * ((1 << bits) - 1) + 127) // 255  # round to the level
    if bits == 1:
        return np.packbits(levels.astype(np.uint8), axis=1)
    per = fmt.pixels_per_byte
    h, w = grey.shape
    padded = np.zeros((h, fmt.row_bytes(w) * per), np.uint16)
    padded[:, :w] = levels
    groups = padded.reshape(h, -1, per)
    shifts = np.arange(per - 1, -1, -1, dtype=np.uint16) * bits  # leftmost pixel highest
    return (groups << shifts).sum(axis=2).astype(np.uint8)


def unpack_grey(
    packed: npt.NDArray[np.uint8], fmt: PixelFormat, width: int
) -> npt.NDArray[np.uint8]:
    """Packed grey back to one level per pixel (0 to 2**bits - 1), H×width: for tests and
    hosts that draw the frame themselves."""
    if fmt in (PixelFormat.RGB888, PixelFormat.GRAY8):
        return packed
    bits = fmt.bits
    per = fmt.pixels_per_byte
    shifts = np.arange(per - 1, -1, -1, dtype=np.uint8) * bits
    mask = (1 << bits) - 1
    levels = (packed[:, :, None] >> shifts) & mask
    return levels.reshape(packed.shape[0], -1)[:, :width].astype(np.uint8)


def dirty_rects(
    previous: npt.NDArray[np.uint8] | None,
    current: npt.NDArray[np.uint8],
    fmt: PixelFormat = PixelFormat.RGB888,
    max_rects: int = 8,
    width: int | None = None,
) -> tuple[Rect, ...]:
    """Rectangles (display pixels) where ``current`` differs from ``previous``.

    Both frames are in ``fmt`` (as :func:`pack_frame` makes them); with no previous frame
    the whole frame is dirty. Changed rows are grouped into bands, each band cut to the
    columns that changed, and x snapped to whole bytes of the format so every rectangle
    can be sent as bytes. Bands closer than 8 rows are merged, and at most ``max_rects``
    are returned (the closest ones merged), because a link pays per message too.
    ``width`` is the frame's width in pixels (packed rows may be padded past it).
    """
    height = current.shape[0]
    width_px = width if width is not None else _width_px(current, fmt)
    if previous is None or previous.shape != current.shape:
        return ((0, 0, width_px, height),)
    if previous is current:  # the renderer hands back the same frame when nothing changed
        return ()
    # Compare whole rows as bytes: one pass, no per-channel reduction.
    prev_rows = previous.reshape(height, -1)
    cur_rows = current.reshape(height, -1)
    rows = np.flatnonzero((prev_rows != cur_rows).any(axis=1))
    if rows.size == 0:
        return ()
    bands: list[list[int]] = [[int(rows[0]), int(rows[0]) + 1]]
    for r in rows[1:]:
        if r - bands[-1][1] < 8:
            bands[-1][1] = int(r) + 1
        else:
            bands.append([int(r), int(r) + 1])
    while len(bands) > max_rects:  # merge the pair with the smallest gap
        gaps = [bands[i + 1][0] - bands[i][1] for i in range(len(bands) - 1)]
        i = int(np.argmin(gaps))
        bands[i : i + 2] = [[bands[i][0], bands[i + 1][1]]]
    # Columns of the byte rows: 3 per pixel for RGB, 1/pixels_per_byte for packed grey.
    channels = 3 if fmt is PixelFormat.RGB888 else 1
    per = fmt.pixels_per_byte if fmt is not PixelFormat.RGB888 else 1
    rects = []
    for y0, y1 in bands:
        cols = np.flatnonzero((prev_rows[y0:y1] != cur_rows[y0:y1]).any(axis=0))
        x0 = int(cols[0]) // channels * per
        x1 = (int(cols[-1]) // channels + 1) * per
        rects.append((x0, y0, min(x1, width_px), y1))
    return tuple(rects)


def crop_packed(
    frame: npt.NDArray[np.uint8], rect: Rect, fmt: PixelFormat
) -> npt.NDArray[np.uint8]:
    """The bytes of one rectangle of a frame in ``fmt`` (x snapped out to whole bytes)."""
    x0, y0, x1, y1 = rect
    if fmt is PixelFormat.RGB888:
        return frame[y0:y1, x0:x1]
    per = fmt.pixels_per_byte
    return frame[y0:y1, x0 // per : -(-x1 // per)]


def rect_bytes(rect: Rect, fmt: PixelFormat) -> int:
    """How many bytes :func:`crop_packed` gives for ``rect``."""
    x0, y0, x1, y1 = rect
    if fmt is PixelFormat.RGB888:
        return (x1 - x0) * (y1 - y0) * 3
    per = fmt.pixels_per_byte
    return (-(-x1 // per) - x0 // per) * (y1 - y0)


def _width_px(frame: npt.NDArray[np.uint8], fmt: PixelFormat) -> int:
    if fmt is PixelFormat.RGB888 or fmt is PixelFormat.GRAY8:
        return int(frame.shape[1])
    return int(frame.shape[1]) * fmt.pixels_per_byte


class DisplayLink:
    """The host's side of the link to the glasses: frames packed in one pixel format, and
    what changed since the frame each eye was last sent."""

    def __init__(self, fmt: PixelFormat, mono_rgb: tuple[float, float, float]) -> None:
        self.format = fmt
        self.mono_rgb = mono_rgb
        self._previous: dict[str, npt.NDArray[np.uint8]] = {}

    def send(
        self, frames: Mapping[K, npt.NDArray[np.uint8]]
    ) -> tuple[dict[K, npt.NDArray[np.uint8]], dict[K, tuple[Rect, ...]]]:
        """Each eye's frame (H×W×3 sRGB codes) packed, and its dirty rectangles.

        Read-back frames are read-only and new per drawn frame, so they are kept as the
        previous frame without a copy.
        """
        packed: dict[K, npt.NDArray[np.uint8]] = {}
        dirty: dict[K, tuple[Rect, ...]] = {}
        for eye, codes in frames.items():
            frame = pack_frame(codes, self.format, self.mono_rgb)
            key = str(eye)
            dirty[eye] = dirty_rects(
                self._previous.get(key), frame, self.format, width=codes.shape[1]
            )
            self._previous[key] = frame
            packed[eye] = frame
        return packed, dirty


def encode_display(display_linear: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    """A display frame (linear pixel values) as sRGB bytes for a PNG."""
    return np.round(linear_to_srgb(display_linear) * 255).astype(np.uint8)
