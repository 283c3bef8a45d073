"""The display list: what layout hands the renderer, as plain data.

Panels, lines and text runs in display pixels (origin top-left), colours in linear emitted
light (1.0 = the display's white at the current brightness). Black is transparent on an
additive display. Frozen items compare by value, so the renderer can tell an unchanged list
from a changed one and skip the redraw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RGB = tuple[float, float, float]


@dataclass(frozen=True)
class Panel:
    x0: float
    y0: float
    x1: float
    y1: float
    radius: float
    fill: RGB
    border: RGB
    border_width: float


@dataclass(frozen=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float
    rgb: RGB


@dataclass(frozen=True)
class TextRun:
    text: str
    x: float
    y: float
    size_px: int
    bold: bool
    rgb: RGB


@dataclass
class DisplayList:
    """Everything to draw on one eye's display, in display pixels (origin top-left)."""

    width: int
    height: int
    panels: list[Panel] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    texts: list[TextRun] = field(default_factory=list)
    #: Where each card ended up (card id -> panel rectangle), for tests and hit-testing.
    card_rects: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    #: Cards that did not fit without covering another card (shown as a "+N" badge).
    overflow: list[str] = field(default_factory=list)
