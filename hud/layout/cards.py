"""Layout: from a scene to a display list in display pixels.

This is where answers meet optics. Sizes are chosen in degrees of visual angle (what
decides legibility) and converted with the profile's pixels per degree, with a pixel floor
so text stays legible on low-ppd displays. A card anchored to an object is placed beside
the object (right, left, above, below), inside the FOV, never over the object it describes
and never over another card; when the object is outside the FOV the card sits at the edge
nearest to it with an arrow pointing the way.

The output, :class:`DisplayList`, is plain data: panels, lines and text runs with colours
in linear emitted light (1.0 = the display's white at the current brightness). Black is
transparent on an additive display, so the design relies on bright strokes and dim fills.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from hud import text as textlib
from hud.anchors import ViewGeometry, has_display
from hud.layout.display_list import RGB, DisplayList, Line, Panel, TextRun
from hud.profiles import DisplayProfile
from hud.scene import Card, Scene

#: Accent colour per card state (linear light, fraction of display white).
STATE_COLOURS: dict[str, RGB] = {
    "done": (0.15, 0.95, 0.55),
    "thinking": (0.25, 0.55, 1.0),
    "listening": (0.7, 0.35, 1.0),
    "info": (0.8, 0.85, 1.0),
    "warning": (1.0, 0.65, 0.08),
    "error": (1.0, 0.2, 0.15),
}
TITLE_RGB: RGB = (1.0, 1.0, 1.0)
BODY_RGB: RGB = (0.72, 0.76, 0.8)


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

    @staticmethod
    def for_profile(profile: DisplayProfile) -> LayoutMetrics:
        ppd = profile.ppd
        title = max(0.7 * ppd, 15.0)
        body = max(0.55 * ppd, 12.0)
        width = min(max(7.0 * ppd, 14 * title), 0.92 * profile.width_px)
        return LayoutMetrics(
            title_px=int(round(title)),
            body_px=int(round(body)),
            pad=round(max(0.3 * ppd, 6.0)),
            width=float(round(width)),
            gap=max(0.35 * ppd, 6.0),
            # Keep cards out of the FOV's rounded corners too.
            margin=max(0.25 * ppd, 4.0, 0.35 * profile.corner_radius_deg * ppd),
            radius=max(0.3 * ppd, 5.0),
            stroke=max(0.05 * ppd, 1.5),
        )


Rect = tuple[float, float, float, float]


def _overlap(a: Rect, b: Rect) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0.0) * max(h, 0.0)


def _clamp_rect(r: Rect, w: float, h: float, margin: float) -> Rect:
    rw, rh = r[2] - r[0], r[3] - r[1]
    x0 = min(max(r[0], margin), max(margin, w - margin - rw))
    y0 = min(max(r[1], margin), max(margin, h - margin - rh))
    return (x0, y0, x0 + rw, y0 + rh)


def layout_eye(
    scene: Scene,
    profile: DisplayProfile,
    eye: str,
    world_size: tuple[int, int],
    parallax: bool = False,
    latency_on: bool = True,
) -> DisplayList:
    """One eye's display list over a world of ``world_size`` pixels (an empty list for an
    eye without a display). ``parallax``: the eye is half of a stereo pair."""
    if not has_display(profile, eye):
        return DisplayList(profile.width_px, profile.height_px)
    w, h = world_size
    view = ViewGeometry.make(
        profile, w, h, scene.world.fov_h_deg, str(eye), scene.world.depth_m, parallax=parallax
    )
    return layout_scene(scene, profile, view, world_size, latency_on=latency_on)


def layout_scene(
    scene: Scene,
    profile: DisplayProfile,
    view: ViewGeometry,
    world_size: tuple[int, int],
    latency_on: bool = True,
) -> DisplayList:
    """Place the scene's cards on one eye's display."""
    dw, dh = profile.width_px, profile.height_px
    m = LayoutMetrics.for_profile(profile)
    out = DisplayList(width=dw, height=dh)
    iw, ih = world_size
    lag_px = (0.0, 0.0)
    if latency_on:
        lag_s = profile.latency_ms / 1000.0
        lag_px = (
            scene.viewer.head_rate_dps[0] * lag_s * profile.ppd,
            scene.viewer.head_rate_dps[1] * lag_s * profile.ppd,
        )

    def to_display(x_img: float, y_img: float, depth: float | None) -> tuple[float, float]:
        tx, ty = view.image_to_eye_tan(x_img, y_img, depth)
        u, v = view.eye_tan_to_display_uv(tx, ty)
        return u * dw + lag_px[0], v * dh + lag_px[1]

    placed: list[Rect] = []
    head_locked_y = m.margin
    for card in scene.cards:
        content = _card_content(card, m)
        cw, ch = m.width, content[0]
        obj = scene.object_by_id(card.anchor) if card.anchor else None
        colour = STATE_COLOURS[card.state]
        soft: list[Rect] = []  # the card's own object: avoided if there is room
        box: Rect | None = None  # the object on the display, framed and led to
        ang: float | None = None  # the direction of an object off the display
        if obj is None:
            # Head-locked: stacked down the middle of the display.
            candidates = [((dw - cw) / 2, head_locked_y, (dw + cw) / 2, head_locked_y + ch)]
        else:
            x0, y0 = to_display(obj.box[0] * iw, obj.box[1] * ih, obj.depth_m)
            x1, y1 = to_display(obj.box[2] * iw, obj.box[3] * ih, obj.depth_m)
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            if x1 > 0 and x0 < dw and y1 > 0 and y0 < dh:  # the object is on the display
                candidates = [
                    (x1 + m.gap, y0, x1 + m.gap + cw, y0 + ch),  # right, top-aligned
                    (x0 - m.gap - cw, y0, x0 - m.gap, y0 + ch),  # left
                    (cx - cw / 2, y0 - m.gap - ch, cx + cw / 2, y0 - m.gap),  # above
                    (cx - cw / 2, y1 + m.gap, cx + cw / 2, y1 + m.gap + ch),  # below
                    (x1 + m.gap, cy - ch / 2, x1 + m.gap + cw, cy + ch / 2),  # right, centred
                    (x0 - m.gap - cw, cy - ch / 2, x0 - m.gap, cy + ch / 2),  # left, centred
                ]
                box = (x0, y0, x1, y1)
                soft = [box]
            else:
                # Off-display anchor: pin the card to the nearest edge and point towards it.
                ang = math.atan2(cy - dh / 2, cx - dw / 2)
                ex = dw / 2 + math.cos(ang) * dw
                ey = dh / 2 + math.sin(ang) * dh
                candidates = [(ex - cw / 2, ey - ch / 2, ex + cw / 2, ey + ch / 2)]
        rect = _place(candidates, _grow(placed, m.gap / 2), soft, dw, dh, m.margin)
        if rect is None:
            out.overflow.append(card.id)
            continue
        if obj is None:
            head_locked_y = rect[3] + m.gap
        if box is not None:
            _emit_brackets(out, box, colour, m)
            _emit_leader(out, box, rect, colour, m)
        if ang is not None:
            _emit_arrow(out, rect, ang, colour, m)
        _emit_card(out, card, rect, content, m)
        placed.append(rect)
    if out.overflow:
        _emit_overflow_badge(out, placed, m)
    return out


def _place(
    candidates: list[Rect], hard: list[Rect], soft: list[Rect], dw: float, dh: float, margin: float
) -> Rect | None:
    """Where a card can go without covering another card (``hard``), if possible without
    covering its own object either (``soft``); None when the display has no room left.

    Tries the preferred candidate positions first, then slides the first one in growing
    steps, vertically and horizontally, inside the FOV.
    """
    clamped = [_clamp_rect(c, dw, dh, margin) for c in candidates]
    for obstacles in ([*hard, *soft], hard):
        for r in clamped:
            if not any(_overlap(r, o) > 0 for o in obstacles):
                return r
        base = clamped[0]
        w, h = base[2] - base[0], base[3] - base[1]
        step_y, step_x = max(h / 4, 4.0), max(w / 8, 4.0)
        for k in range(1, 60):
            for dx, dy in ((0, k * step_y), (0, -k * step_y), (k * step_x, 0), (-k * step_x, 0)):
                r = _clamp_rect(
                    (base[0] + dx, base[1] + dy, base[0] + dx + w, base[1] + dy + h), dw, dh, margin
                )
                if not any(_overlap(r, o) > 0 for o in obstacles):
                    return r
    return None


@lru_cache(maxsize=512)
def _card_content(card: Card, m: LayoutMetrics) -> tuple[float, list[str], list[str]]:
    # The title line leaves room for the state dot on the left and a direction chevron on
    # the right (drawn when the card's object is off the display).
    inner = m.width - 2 * m.pad - m.title_px * 0.8 - m.title_px * 1.1
    title_lines = textlib.wrap(card.title, m.title_px, inner, bold=True, max_lines=2)
    body_lines = (
        textlib.wrap(card.body, m.body_px, m.width - 2 * m.pad, max_lines=4) if card.body else []
    )
    h = 2 * m.pad + len(title_lines) * textlib.line_height(m.title_px)
    if body_lines:
        h += m.pad * 0.5 + len(body_lines) * textlib.line_height(m.body_px)
    return float(math.ceil(h)), title_lines, body_lines


def _emit_card(
    out: DisplayList,
    card: Card,
    rect: Rect,
    content: tuple[float, list[str], list[str]],
    m: LayoutMetrics,
) -> None:
    accent = STATE_COLOURS[card.state]
    fill = (accent[0] * 0.08 + 0.02, accent[1] * 0.08 + 0.02, accent[2] * 0.08 + 0.02)
    out.panels.append(
        Panel(*rect, radius=m.radius, fill=fill, border=_scale(accent, 0.75), border_width=m.stroke)
    )
    _, title_lines, body_lines = content
    x = rect[0] + m.pad
    y = rect[1] + m.pad
    dot = m.title_px * 0.36
    lh = textlib.line_height(m.title_px)
    out.panels.append(
        Panel(
            x,
            y + lh / 2 - dot / 2,
            x + dot,
            y + lh / 2 + dot / 2,
            radius=dot / 2,
            fill=accent,
            border=accent,
            border_width=0.0,
        )
    )
    for line in title_lines:
        out.texts.append(TextRun(line, x + m.title_px * 0.8, y, m.title_px, True, TITLE_RGB))
        y += lh
    if body_lines:
        y += m.pad * 0.5
        for line in body_lines:
            out.texts.append(TextRun(line, x, y, m.body_px, False, BODY_RGB))
            y += textlib.line_height(m.body_px)
    out.card_rects[card.id] = rect


def _scale(c: RGB, k: float) -> RGB:
    return (c[0] * k, c[1] * k, c[2] * k)


def _emit_brackets(out: DisplayList, box: Rect, accent: RGB, m: LayoutMetrics) -> None:
    """Corner marks around the object: they frame it without covering it."""
    x0, y0, x1, y1 = box
    arm = max(min(x1 - x0, y1 - y0) * 0.2, 4.0)
    col = _scale(accent, 0.9)
    w = m.stroke * 1.5
    for cx, cy, sx, sy in ((x0, y0, 1, 1), (x1, y0, -1, 1), (x0, y1, 1, -1), (x1, y1, -1, -1)):
        out.lines.append(Line(cx, cy, cx + sx * arm, cy, w, col))
        out.lines.append(Line(cx, cy, cx, cy + sy * arm, w, col))


def _emit_leader(out: DisplayList, box: Rect, card: Rect, accent: RGB, m: LayoutMetrics) -> None:
    bx = min(max((card[0] + card[2]) / 2, box[0]), box[2])
    by = min(max((card[1] + card[3]) / 2, box[1]), box[3])
    cx = min(max(bx, card[0]), card[2])
    cy = min(max(by, card[1]), card[3])
    if math.hypot(cx - bx, cy - by) > 2:
        out.lines.append(Line(bx, by, cx, cy, m.stroke, _scale(accent, 0.6)))


def _emit_arrow(out: DisplayList, rect: Rect, ang: float, accent: RGB, m: LayoutMetrics) -> None:
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


def _emit_overflow_badge(out: DisplayList, placed: list[Rect], m: LayoutMetrics) -> None:
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
        if not any(_overlap(r, o) > 0 for o in placed):
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


def _grow(rects: list[Rect], d: float) -> list[Rect]:
    """Rectangles grown by ``d`` on every side: placed cards keep a gap between them."""
    return [(r[0] - d, r[1] - d, r[2] + d, r[3] + d) for r in rects]
