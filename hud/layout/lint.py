"""Legibility lint: will a scene's answer cards be readable on a given pair of glasses?

A card that renders is not yet a card a wearer can read. On a see-through display text is
legible when its letters subtend enough visual angle, when its light stands out against
the world seen through the lens, and when it fits a glance. :func:`lint_scene` checks each
card of a scene on one profile against those limits and returns what fails as
:class:`Finding` values; it draws nothing (no GL) and reads no clock.

The checks and their kinds (limits in :class:`LintOptions`):

- ``cap_height``: a letter's cap height under ``max(0.6°, 9 px)``: below about 0.6° HUD
  text takes effort to read, and a cap of fewer than 9 pixels cannot show its strokes
  whatever its angle (which decides on coarse displays). Title and body are checked apart.
- ``contrast``: text light over the see-through world under 3:1 (WCAG's floor for large
  text), with the additive model of :mod:`hud.optics.model` at the scene's ambient light.
- ``glance_budget``: a body longer than a glance (3 lines of about 40 characters).
- ``outside_fov``: a card the layout could not place on a display, or placed past its edge.
- ``title_words``: a title chip of more than three words (the chip cuts the rest).
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from hud import text as textlib
from hud.anchors import display_eyes
from hud.errors import OptionsError
from hud.layout.cards import BODY_RGB, TITLE_RGB, LayoutMetrics
from hud.layout.display_list import RGB, DisplayList
from hud.layout.engine import layout_eye
from hud.layout.timeline import SceneTimeline
from hud.profiles import DisplayProfile
from hud.scene import Card, Scene, world_pixels

#: :data:`hud.optics.AUTO_CONTRAST_TARGET`, restated (layout comes before the optics in
#: the flow); a test holds the two equal.
AUTO_CONTRAST_TARGET = 3.0

#: The kinds of finding, in the order a card's findings are reported.
KINDS = ("cap_height", "contrast", "glance_budget", "outside_fov", "title_words")

#: The bundled font whose cap height the check measures (regular; bold caps are 0.1 % taller).
FONT_FILE = Path(textlib.__file__).resolve().parent / "fonts" / "NanumSquareRoundR.ttf"
#: Times sampled at most for an animated scene's layout (its events, thinned evenly).
MAX_SAMPLES = 64


@dataclass(frozen=True)
class LintOptions:
    """The limits a card must meet; the defaults are the literature's (see the module)."""

    #: Smallest cap height of a letter, degrees of visual angle and display pixels.
    min_cap_deg: float = 0.6
    min_cap_px: float = 9.0
    #: Lowest contrast ratio of text over the world, ``1 + L_display / (T·L_world)``.
    min_contrast: float = 3.0
    #: The glance budget: body lines, and characters a line holds about.
    max_lines: int = 3
    max_line_chars: int = 40
    #: Words a title chip shows.
    max_title_words: int = 3

    def __post_init__(self) -> None:
        for name in ("min_cap_deg", "min_cap_px", "min_contrast"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise OptionsError(f"{name} must be a finite number from 0, got {value!r}")
        for name in ("max_lines", "max_line_chars", "max_title_words"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise OptionsError(f"{name} must be a whole number from 1, got {value!r}")


@dataclass(frozen=True)
class Finding:
    """One limit one card fails on one profile: ``value`` against ``limit``, in the kind's
    unit (degrees, contrast ratio, lines, fraction of the card outside, words)."""

    card_id: str
    profile: str
    kind: str
    message: str
    value: float
    limit: float


@dataclass(frozen=True)
class _Context:
    scene: Scene
    profile: DisplayProfile
    options: LintOptions
    metrics: LayoutMetrics
    brightness: float


def lint_scene(
    scene: Scene,
    profile: DisplayProfile,
    options: LintOptions | None = None,
    *,
    brightness: float | None = None,
    world_size: tuple[int, int] | None = None,
) -> list[Finding]:
    """Every legibility limit the scene's cards fail on ``profile``, card by card.

    ``brightness`` is the display's brightness (fraction of peak) the contrast check
    assumes; None takes the scene's own, or the automatic brightness the renderer picks.
    ``world_size`` is the world's pixel grid; None reads it from the scene's world image.
    A streamed card is checked with its whole answer; placement is checked at the times
    the scene's cards change (once for a still scene).
    """
    opts = options or LintOptions()
    if brightness is None:
        brightness = scene.display.brightness
    if brightness is None:
        brightness = auto_brightness(profile, scene.world.ambient_nits)
    if not (math.isfinite(brightness) and 0.0 <= brightness <= 1.0):
        raise OptionsError(f"brightness must be a fraction of peak in 0-1, got {brightness!r}")
    ctx = _Context(scene, profile, opts, LayoutMetrics.for_profile(profile), brightness)
    placement = _placement_findings(ctx, world_size or _world_size(scene))
    findings: list[Finding] = []
    for card in scene.cards:
        final = final_card(card)
        findings += _cap_height(ctx, final)
        findings += _contrast(ctx, final)
        findings += _glance_budget(ctx, final)
        findings += placement.get(card.id, [])
        findings += _title_words(ctx, final)
    return findings


def final_card(card: Card) -> Card:
    """The card as its answer ends: the body with every streamed chunk appended."""
    if not card.stream:
        return card
    return replace(card, body=card.body + "".join(c.text for c in card.stream), stream=())


def _finding(
    ctx: _Context, card: Card, kind: str, message: str, value: float, limit: float
) -> Finding:
    return Finding(card.id, ctx.profile.name, kind, message, float(value), float(limit))


# --- cap height ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def cap_height_em() -> float:
    """The bundled font's cap height as a fraction of its em: the height of 'H' drawn at
    1,000 px. freetype-py does not expose the OS/2 ``sCapHeight`` field, and the outline
    of 'H' is what a wearer sees anyway."""
    freetype: Any = importlib.import_module("freetype")  # untyped; loaded only when used
    face = freetype.Face(str(FONT_FILE))
    size = 1000
    face.set_pixel_sizes(0, size)
    face.load_char("H", freetype.FT_LOAD_NO_HINTING)
    return float(face.glyph.metrics.height) / 64.0 / size


def _cap_height(ctx: _Context, card: Card) -> list[Finding]:
    ppd = ctx.profile.ppd
    limit = max(ctx.options.min_cap_deg, ctx.options.min_cap_px / ppd)
    out = []
    sizes = [("title", ctx.metrics.title_px)]
    if card.body.strip():
        sizes.append(("body", ctx.metrics.body_px))
    for which, size_px in sizes:
        cap_px = size_px * cap_height_em()
        cap_deg = cap_px / ppd
        if cap_deg < limit - 1e-9:
            message = (
                f"{which} text cap height {cap_deg:.2f}° ({cap_px:.1f} px at {ppd:.1f} px/°) "
                f"is under {limit:.2f}°"
            )
            out.append(_finding(ctx, card, "cap_height", message, cap_deg, limit))
    return out


# --- contrast --------------------------------------------------------------------------


def auto_brightness(profile: DisplayProfile, ambient_nits: float) -> float:
    """The renderer's automatic brightness (:func:`hud.optics.auto_brightness`): white at
    2× the see-through white, between 0.6 % and 100 % of peak. Restated here because
    layout comes before optics in the flow and may not import it; a unit test holds the
    two equal."""
    target = AUTO_CONTRAST_TARGET * profile.transmittance * ambient_nits
    return min(max(target / profile.peak_nits, 0.006), 1.0)


def luminance(rgb: RGB) -> float:
    """Relative luminance of linear RGB (Rec. 709), as the shaders compute it."""
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def emitted_luminance(profile: DisplayProfile, rgb: RGB) -> float:
    """What the display emits for ``rgb``, relative to its white: a monochrome display
    emits only its primary, at the content's luminance."""
    if profile.colour == "mono":
        return luminance(rgb) * luminance(profile.mono_rgb)
    return luminance(rgb)


def text_contrast(profile: DisplayProfile, rgb: RGB, brightness: float, ambient: float) -> float:
    """Contrast ratio of text of colour ``rgb`` over the world: ``1 + L_d / (T·L_w)``."""
    display = profile.peak_nits * brightness * emitted_luminance(profile, rgb)
    return 1.0 + display / (profile.transmittance * ambient)


def _contrast(ctx: _Context, card: Card) -> list[Finding]:
    ambient = ctx.scene.world.ambient_nits
    colours = [("title", TITLE_RGB)]
    if card.body.strip():
        colours.append(("body", BODY_RGB))
    out = []
    for which, rgb in colours:
        ratio = text_contrast(ctx.profile, rgb, ctx.brightness, ambient)
        if ratio < ctx.options.min_contrast - 1e-9:
            nits = ctx.profile.peak_nits * ctx.brightness * emitted_luminance(ctx.profile, rgb)
            message = (
                f"{which} text contrast {ratio:.2f}:1 is under {ctx.options.min_contrast:g}:1 "
                f"({nits:.0f} nits over {ambient:g} nits ambient at "
                f"{ctx.brightness:.0%} brightness)"
            )
            out.append(_finding(ctx, card, "contrast", message, ratio, ctx.options.min_contrast))
    return out


# --- glance budget ---------------------------------------------------------------------


def body_lines(card: Card, metrics: LayoutMetrics, max_lines: int) -> int:
    """Lines the body takes at the card's width, counted up to ``max_lines + 1`` (the
    wrap stops there: more is over the budget either way)."""
    if not card.body.strip():
        return 0
    lines = textlib.wrap(
        card.body, metrics.body_px, metrics.width - 2 * metrics.pad, max_lines=max_lines + 1
    )
    return len(lines)


def _glance_budget(ctx: _Context, card: Card) -> list[Finding]:
    o = ctx.options
    lines = body_lines(card, ctx.metrics, o.max_lines)
    chars = len(card.body.strip())
    if lines <= o.max_lines and chars <= o.max_lines * o.max_line_chars:
        return []
    shown = f"more than {o.max_lines}" if lines > o.max_lines else str(lines)
    message = (
        f"body takes {shown} lines ({chars} characters), over the glance budget of "
        f"{o.max_lines} lines of about {o.max_line_chars} characters"
    )
    return [_finding(ctx, card, "glance_budget", message, lines, o.max_lines)]


# --- placement -------------------------------------------------------------------------


def _world_size(scene: Scene) -> tuple[int, int]:
    if scene.world.image is None:
        return scene.world.width, scene.world.height
    pixels = world_pixels(scene)
    return int(pixels.shape[1]), int(pixels.shape[0])


def _sample_times(scene: Scene) -> list[float]:
    """When the cards change: appearing, each chunk of an answer, the end of the scene
    (just before a card is dismissed too). Thinned evenly to :data:`MAX_SAMPLES`."""
    times = {0.0}
    for card in scene.cards:
        times.add(card.appear_s)
        times.update(chunk.t_s for chunk in card.stream)
        if card.dismiss_s is not None:
            times.add(max(card.appear_s, card.dismiss_s - 1e-3))
    end = scene.duration_s()
    ordered = sorted(t for t in times if 0.0 <= t <= max(end, 0.0))
    if len(ordered) > MAX_SAMPLES:
        step = (len(ordered) - 1) / (MAX_SAMPLES - 1)
        ordered = [ordered[round(i * step)] for i in range(MAX_SAMPLES)]
    return ordered or [0.0]


def _frames(scene: Scene, world_size: tuple[int, int]) -> list[tuple[float | None, Scene]]:
    """The scene as laid out at each sampled time (itself, once, for a version 1 scene)."""
    if scene.version < 2:
        return [(None, scene)]
    timeline = SceneTimeline(scene, world_size)
    frames: list[tuple[float | None, Scene]] = []
    for t in _sample_times(scene):
        frame = timeline.at(t)
        frames.append((t, replace(scene, objects=frame.objects, posed=(), cards=frame.cards)))
    return frames


def _placement_findings(ctx: _Context, world_size: tuple[int, int]) -> dict[str, list[Finding]]:
    """Cards the layout could not place, or placed past a display's edge: the first time
    and eye each happens, by card id."""
    found: dict[str, list[Finding]] = {}
    eyes = display_eyes(ctx.profile)
    by_id = {card.id: card for card in ctx.scene.cards}
    for t, frame in _frames(ctx.scene, world_size):
        for eye in eyes:
            shown = layout_eye(frame, ctx.profile, str(eye), world_size, parallax=len(eyes) == 2)
            for card_id, outside in _outside(shown, [c.id for c in frame.cards]):
                if card_id in found or card_id not in by_id:
                    continue
                when = "" if t is None else f" at {t:g} s"
                if outside >= 1.0:
                    message = (
                        f"does not fit on the {eye} display{when} (no room beside the other cards)"
                    )
                else:
                    message = f"{outside:.0%} of the card is outside the {eye} display{when}"
                found[card_id] = [
                    _finding(ctx, by_id[card_id], "outside_fov", message, outside, 0.0)
                ]
    return found


def _outside(shown: DisplayList, ids: list[str]) -> list[tuple[str, float]]:
    """(card id, fraction of its area off the display) for each card not wholly on it;
    1.0 for a card that was not placed at all."""
    out = []
    for card_id in ids:
        rect = shown.card_rects.get(card_id)
        if card_id in shown.overflow or rect is None:
            out.append((card_id, 1.0))
            continue
        x0, y0, x1, y1 = rect
        area = max(x1 - x0, 0.0) * max(y1 - y0, 0.0)
        inside_w = max(min(x1, shown.width) - max(x0, 0.0), 0.0)
        inside_h = max(min(y1, shown.height) - max(y0, 0.0), 0.0)
        off = 1.0 - inside_w * inside_h / area if area > 0 else 1.0
        if off > 1e-6:
            out.append((card_id, off))
    return out


# --- title -----------------------------------------------------------------------------


def _title_words(ctx: _Context, card: Card) -> list[Finding]:
    n = len(card.title.split())
    limit = ctx.options.max_title_words
    if n <= limit:
        return []
    message = f"title has {n} words; its chip shows {limit} and cuts the rest"
    return [_finding(ctx, card, "title_words", message, n, limit)]
