"""Answer cards as a see-through display shows them: typography, content and drawing.

Sizes are chosen in degrees of visual angle (what decides legibility) and converted with
the profile's pixels per degree, with a pixel floor so text stays legible on low-ppd
displays. A card is a title chip (three words at most, in the colour of the card's state)
over a body cut to the glance budget with an ellipsis; where cards go is decided in
:mod:`hud.layout.engine` and :mod:`hud.layout.placement`.

The output, :class:`DisplayList`, is plain data: panels, lines and text runs with colours
in linear emitted light (1.0 = the display's white at the current brightness). Black is
transparent on an additive display, so the design relies on light strokes and text over
near-black fills.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from hud import text as textlib
from hud.layout.display_list import RGB, DisplayList, Line, Panel, TextRun
from hud.layout.geometry import Rect, overlap_area
from hud.profiles import DisplayProfile
from hud.scene import Card

#: Accent colour per card state (linear light, fraction of display white).
STATE_COLOURS: dict[str, RGB] = {
    "listening": (0.7, 0.35, 1.0),
    "thinking": (0.25, 0.55, 1.0),
    "streaming": (0.3, 0.85, 1.0),
    "done": (0.15, 0.95, 0.55),
    "error": (1.0, 0.2, 0.15),
    "dismissed": (0.45, 0.45, 0.5),
    "info": (0.8, 0.85, 1.0),
    "warning": (1.0, 0.65, 0.08),
}
#: A card's fill: near black, which an additive display shows as (almost) nothing. A bright
#: fill would wash out the world behind it and cost battery; the outline and the text
#: carry the card. The slight lift keeps the panel's extent visible in the emulator.
CARD_FILL: RGB = (0.012, 0.013, 0.016)
TITLE_RGB: RGB = (1.0, 1.0, 1.0)
#: Cap height of the bundled font as a fraction of its em (measured on 'H').
CAP_EM = 0.719
#: Characters per body line the card width is made for (a glance: about 40).
BODY_CHARS = 40
#: Words a title chip holds; a longer title is cut with an ellipsis.
TITLE_WORDS = 3
BODY_RGB: RGB = (0.86, 0.89, 0.92)


@dataclass(frozen=True)
class LayoutMetrics:
    """Card typography and spacing for one profile, in display pixels."""

    title_px: int
    body_px: int
    pad: float
    width: float
    gap: float
    margin: float
    radius: float
    stroke: float

    #: The glance budget: body lines a wearer reads at a glance (longer answers are cut
    #: with an ellipsis), about ``BODY_CHARS`` characters each.
    body_lines: int = 3

    @staticmethod
    def for_profile(profile: DisplayProfile, body_lines: int = 3) -> LayoutMetrics:
        ppd = profile.ppd
        # Cap heights (0.719 em in the bundled font) at least max(0.6°, 9 px) with a
        # little to spare, the least a wearer reads at a glance (``hud lint`` checks it).
        body = max(0.62 * ppd, 9.3) / CAP_EM
        title = 1.15 * body
        pad = round(max(0.3 * ppd, 6.0))
        # Wide enough for about 40 characters of Latin body text (~0.5 em each).
        width = min(
            max(7.0 * ppd, 14 * title, BODY_CHARS * 0.5 * body + 2 * pad), 0.92 * profile.width_px
        )
        return LayoutMetrics(
            title_px=math.ceil(title),
            body_px=math.ceil(body),
            pad=pad,
            width=float(round(width)),
            gap=max(0.35 * ppd, 6.0),
            # Keep cards out of the FOV's rounded corners too.
            margin=max(0.25 * ppd, 4.0, 0.35 * profile.corner_radius_deg * ppd),
            radius=max(0.3 * ppd, 5.0),
            stroke=max(0.05 * ppd, 1.5),
            body_lines=body_lines,
        )


def chip_title(title: str) -> str:
    """A title as its chip shows it: three words at most (a glance, not a sentence)."""
    words = title.split()
    if len(words) <= TITLE_WORDS:
        return " ".join(words)
    return " ".join(words[:TITLE_WORDS]) + "…"


@dataclass(frozen=True)
class CardContent:
    """A card's text as laid out: its lines, its size and whether the body was cut."""

    height: float
    title_lines: tuple[str, ...]
    body_lines: tuple[str, ...]
    truncated: bool
    #: Width of the title chip (px): the chip hugs its title.
    chip_width: float
    #: Width of the card (px): it hugs its text, up to the card width of the profile,
    #: so short answers take less of the view (and leave room for other cards).
    width: float = 0.0


#: The most characters of an answer ever looked at: far more than a glance budget shows,
#: so cutting there is never visible, and a 10,000-character answer costs nothing more.
MAX_TEXT_CHARS = 1000


@lru_cache(maxsize=1024)
def card_content(card: Card, m: LayoutMetrics) -> CardContent:
    """The card's text broken into lines inside its width, with the glance budget.

    Answer text is untrusted: control, bidirectional-override and zero-width characters
    are removed first (:func:`hud.text.sanitize`), so nothing can reorder or hide text.
    """
    icon = textlib.sanitize(card.icon, max_chars=2)
    icon = f"{icon} " if icon.strip() else ""
    title_text = chip_title(textlib.sanitize(card.title, max_chars=MAX_TEXT_CHARS))
    body_text = textlib.sanitize(card.body, max_chars=MAX_TEXT_CHARS)
    chip_inner = m.width - 2 * m.pad - m.title_px * 1.9  # state dot left, chevron right
    title = textlib.wrap(icon + title_text, m.title_px, chip_inner, bold=True, max_lines=1)
    body: tuple[str, ...] = ()
    truncated = len(card.body) > MAX_TEXT_CHARS
    if body_text.strip():
        wrapped = textlib.wrap_result(
            body_text, m.body_px, m.width - 2 * m.pad, max_lines=m.body_lines
        )
        body, truncated = wrapped.lines, truncated or wrapped.truncated
    h = 2 * m.pad + len(title) * textlib.line_height(m.title_px)
    if body:
        h += m.pad * 0.5 + len(body) * textlib.line_height(m.body_px)
    chip_w = m.title_px * 0.8 + max(textlib.text_width(t, m.title_px, True) for t in title)
    text_w = max(
        [chip_w + m.pad + textlib.line_height(m.title_px) * 0.3]
        + [textlib.text_width(line, m.body_px) for line in body]
    )
    width = min(m.width, float(math.ceil(text_w + 2 * m.pad + 2)))
    return CardContent(float(math.ceil(h)), tuple(title), body, truncated, chip_w, width)


def emit_card(
    out: DisplayList,
    card: Card,
    rect: Rect,
    content: CardContent,
    m: LayoutMetrics,
    opacity: float = 1.0,
) -> None:
    """A card as a see-through display shows it well: a near-black panel (transparent on
    an additive display) with a thin outline, a title chip in the state's colour and light
    body text. ``opacity`` fades a card whose object was lost."""
    k = max(0.0, min(1.0, opacity))
    accent = STATE_COLOURS.get(card.state, STATE_COLOURS["info"])
    out.panels.append(
        Panel(
            *rect,
            radius=m.radius,
            fill=CARD_FILL,
            border=_scale(accent, 0.45 * k),
            border_width=m.stroke,
        )
    )
    x = rect[0] + m.pad
    y = rect[1] + m.pad
    lh = textlib.line_height(m.title_px)
    inset = m.pad * 0.5
    chip = (
        x - inset,
        y - inset * 0.6,
        x + content.chip_width + inset + lh * 0.3,
        y + lh + inset * 0.6,
    )
    out.panels.append(
        Panel(
            *chip,
            radius=(chip[3] - chip[1]) / 2,
            fill=CARD_FILL,
            border=_scale(accent, 0.9 * k),
            border_width=m.stroke,
        )
    )
    dot = m.title_px * 0.36
    out.panels.append(
        Panel(
            x,
            y + lh / 2 - dot / 2,
            x + dot,
            y + lh / 2 + dot / 2,
            radius=dot / 2,
            fill=_scale(accent, k),
            border=_scale(accent, k),
            border_width=0.0,
        )
    )
    for line in content.title_lines:
        out.texts.append(
            TextRun(line, x + m.title_px * 0.8, y, m.title_px, True, _scale(TITLE_RGB, k))
        )
        y += lh
    if content.body_lines:
        y += m.pad * 0.5
        for line in content.body_lines:
            out.texts.append(TextRun(line, x, y, m.body_px, False, _scale(BODY_RGB, k)))
            y += textlib.line_height(m.body_px)
    out.card_rects[card.id] = rect


def _scale(c: RGB, k: float) -> RGB:
    return (c[0] * k, c[1] * k, c[2] * k)


def emit_brackets(
    out: DisplayList, box: Rect, accent: RGB, m: LayoutMetrics, opacity: float = 1.0
) -> None:
    """Corner marks around the object: they frame it without covering it."""
    x0, y0, x1, y1 = box
    arm = max(min(x1 - x0, y1 - y0) * 0.2, 4.0)
    col = _scale(accent, 0.9 * opacity)
    w = m.stroke * 1.5
    for cx, cy, sx, sy in ((x0, y0, 1, 1), (x1, y0, -1, 1), (x0, y1, 1, -1), (x1, y1, -1, -1)):
        out.lines.append(Line(cx, cy, cx + sx * arm, cy, w, col))
        out.lines.append(Line(cx, cy, cx, cy + sy * arm, w, col))


def emit_leader(
    out: DisplayList,
    leader: tuple[tuple[float, float], tuple[float, float]],
    accent: RGB,
    m: LayoutMetrics,
    opacity: float = 1.0,
) -> None:
    """The line from the object's edge to its card's edge (the layout chose both ends)."""
    (bx, by), (cx, cy) = leader
    if math.hypot(cx - bx, cy - by) > 2:
        out.lines.append(Line(bx, by, cx, cy, m.stroke, _scale(accent, 0.6 * opacity)))


def emit_arrow(out: DisplayList, rect: Rect, ang: float, accent: RGB, m: LayoutMetrics) -> None:
    """A chevron in the card's top-right corner (kept free of title text) that points
    towards the off-display object, so the wearer knows which way to turn."""
    lh = textlib.line_height(m.title_px)
    size = m.title_px * 0.45
    cx = rect[2] - m.pad - size
    cy = rect[1] + m.pad + lh / 2
    dx, dy = math.cos(ang), math.sin(ang)
    tip = (cx + dx * size * 0.6, cy + dy * size * 0.6)
    for sgn in (1, -1):
        a = ang + math.pi + sgn * 0.7
        end = (tip[0] + math.cos(a) * size, tip[1] + math.sin(a) * size)
        out.lines.append(Line(tip[0], tip[1], end[0], end[1], m.stroke * 1.5, accent))


def emit_overflow_badge(out: DisplayList, placed: list[Rect], m: LayoutMetrics) -> None:
    """A small "+N" in a free corner: more answers are waiting, none is drawn over another."""
    text = f"+{len(out.overflow)}"
    size = m.body_px
    w = textlib.text_width(text, size, True) + 2 * m.pad
    h = textlib.line_height(size) + m.pad
    dw, dh = out.width, out.height
    for x0, y0 in (
        (dw - m.margin - w, dh - m.margin - h),
        (m.margin, dh - m.margin - h),
        (dw - m.margin - w, m.margin),
        (m.margin, m.margin),
    ):
        r = (x0, y0, x0 + w, y0 + h)
        if not any(overlap_area(r, o) > 0 for o in placed):
            out.panels.append(
                Panel(
                    *r,
                    radius=h / 2,
                    fill=(0.05, 0.05, 0.06),
                    border=(0.6, 0.6, 0.65),
                    border_width=m.stroke,
                )
            )
            out.texts.append(TextRun(text, x0 + m.pad, y0 + m.pad / 2, size, True, TITLE_RGB))
            return
