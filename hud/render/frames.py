"""Display frames as bytes a host sends to the glasses.

The renderer reads the display back as linear light; a pair of glasses takes a video
signal: 8-bit sRGB for colour panels, or packed grey levels for monochrome text displays
(Even G1-class glasses take 1-bit images over Bluetooth LE). No GL here.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from hud.optics.model import linear_to_srgb


def encode_display(display_linear: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    """A display frame (linear pixel values) as sRGB bytes for a PNG."""
    return np.round(linear_to_srgb(display_linear) * 255).astype(np.uint8)
