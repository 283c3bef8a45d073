"""``hud ask --image IMG --box x0,y0,x1,y1 "question" --out card.png``: ask once, render
the answered card over the photo, anchored to the box, through a pair of glasses.

The answer comes from a knowledge file (``--source offline``, the default) or an
OpenAI-compatible server (``--source openai``: its URL and key from OPENAI_BASE_URL /
OPENAI_API_KEY, or the ``[openai]`` table of ``--config FILE``, which names the variable
holding the key; the key is never a flag, so it never lands in a shell history or a
process list, and it is never printed). Exit 0 when the answer completed; 1 when the source failed or
the stream ended early (the card is written in its ``error`` state); 2 on bad input,
with nothing written.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hud.cli.common import add_profile_options, profile_for, registry_from_args
from hud.errors import HudError, escape_controls, quote
from hud.io.images import check_output, load_rgb, save_png
from hud.profiles import DisplayProfile
from hud.scene import Card, Scene, TrackedObject, World

if TYPE_CHECKING:  # the session imports OpenCV and moderngl: only when a command runs
    import numpy as np
    import numpy.typing as npt

    from hud.answers import AnswerSource

DEFAULT_PROFILE = "rayban-display"
SOURCES = ("offline", "openai")
#: The longest question accepted (characters): a spoken question, not a document.
MAX_QUESTION_CHARS = 2000
#: Seconds the command waits past the source's own time limits for it to report them.
GRACE_S = 5.0
#: ``--timeout`` of the offline source (it answers at once; this bounds a stuck thread).
OFFLINE_TIMEOUT_S = 30.0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "ask",
        help="ask about an object in a photo and render the answered card",
        description="Ask the assistant about the object in a box of a photo, once, and render "
        "the answer's card over the photo as the wearer sees it through the glasses. A box on "
        "the display's patch of the view (--json prints it as display_px) gets its card beside "
        "it; one outside gets a card at the display's edge pointing at it.",
    )
    p.add_argument("question", help="what to ask about the object")
    p.add_argument("--image", required=True, help="the photo (what the glasses' camera saw)")
    p.add_argument(
        "--box", required=True, help="the object's box in image pixels: x0,y0,x1,y1 (top-left 0,0)"
    )
    p.add_argument("--out", required=True, help="through-the-glasses PNG to write (a new file)")
    p.add_argument(
        "--source", default="offline", help=f"where answers come from: {', '.join(SOURCES)}"
    )
    p.add_argument("--knowledge", help="knowledge file (TOML or JSON) of the offline source")
    p.add_argument("--label", help="what the object is (a detector's label); also the card's title")
    p.add_argument(
        "--id", default="object", help="the object's and the card's id (default: object)"
    )
    p.add_argument("--lang", choices=("en", "ko"), default="en", help="answer language")
    p.add_argument("--profile", help=f"glasses profile, name or file (default {DEFAULT_PROFILE})")
    p.add_argument("--model", help="model name (openai source)")
    p.add_argument("--base-url", help="server URL (openai source; default OPENAI_BASE_URL)")
    p.add_argument(
        "--timeout",
        type=float,
        help="seconds the server may stay silent (openai; default: the config's, else 20); "
        "offline: seconds to wait for the answer (default 30)",
    )
    p.add_argument("--config", help="TOML file whose [openai] table configures the openai source")
    p.add_argument(
        "--fov", type=float, default=70.0, help="the photo's horizontal field of view (default 70)"
    )
    p.add_argument("--json", action="store_true", help="print the card and what was sent as JSON")
    add_profile_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hud.app.answering import CardAnswers

    question = _question(args.question)
    out = _check_out(args.out)
    rgb = load_rgb(args.image)
    h, w = rgb.shape[:2]
    box = parse_box(args.box, (w, h))
    if args.timeout is not None and not (math.isfinite(args.timeout) and 0 < args.timeout <= 600):
        raise HudError(f"--timeout must be between 0 and 600 seconds, got {args.timeout}")
    if not (math.isfinite(args.fov) and 1 <= args.fov <= 170):
        raise HudError(f"--fov must be between 1 and 170 degrees, got {args.fov}")
    if not args.id.strip() or len(args.id) > 80:
        raise HudError(f"--id must be 1 to 80 characters, got {quote(args.id)}")
    profile = profile_for(registry_from_args(args), args.profile or DEFAULT_PROFILE, None)
    source, limit_s = _source(args)
    label = args.label or args.id
    obj = TrackedObject(args.id, label, (box[0] / w, box[1] / h, box[2] / w, box[3] / h))
    scene = Scene(profile=profile.name, world=World(image=None, width=w, height=h), objects=(obj,))
    with CardAnswers(source, language=args.lang) as answers:
        card = Card(id=args.id, title=label, anchor=args.id)
        request = answers.request_for(card, scene, question, rgb)
        if not args.label:  # the knowledge file's name for it, if it has one
            card = replace(card, title=answers.known_title(request) or label)
        card = answers.ask(card, request)
        scene = replace(scene, cards=(card,))
        while card.id in answers.pending:
            if not answers.wait(limit_s + GRACE_S):
                answers.cancel(card.id, f"no answer within {limit_s:g} s")
        scene = answers.apply(scene) or scene
        sent = [dict(r.sent) for r in answers.sent_log if r.card_id == card.id]
    shown = _render(scene, profile, rgb, args.fov)
    save_png(out, shown.frame)
    _report(args, profile, scene.cards[0], sent, shown, out)
    return 0 if scene.cards[0].state == "done" else 1


def parse_box(text: str, size: tuple[int, int]) -> tuple[float, float, float, float]:
    """``x0,y0,x1,y1`` in pixels of an image of ``size`` (w, h): four finite numbers, not
    inverted, inside the image."""
    parts = text.replace(" ", "").split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise HudError(f"--box must be four numbers x0,y0,x1,y1, got {quote(text)}")
    x0, y0, x1, y1 = values
    if not (x0 < x1 and y0 < y1):
        raise HudError(f"--box must have x0 < x1 and y0 < y1, got {quote(text)}")
    w, h = size
    if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
        raise HudError(f"--box {quote(text)} is outside the {w}×{h} image")
    return (x0, y0, x1, y1)


def _question(text: str) -> str:
    question = text.strip()
    if not question:
        raise HudError("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise HudError(f"the question is longer than {MAX_QUESTION_CHARS} characters")
    return question


def _check_out(path: str) -> Path:
    """A new PNG in a folder this user may write: checked before any work is done."""
    out = check_output(path, "--out")
    if os.path.lexists(out):
        raise HudError(f"--out {out} exists; give a new file name")
    parent = out.parent if str(out.parent) else Path(".")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise HudError(f"cannot write in the output folder {parent}")
    return out


def _source(args: argparse.Namespace) -> tuple[AnswerSource, float]:
    """The answer source the options name, configured (a HudError when it cannot be),
    and the longest it may go without news (seconds) before the command gives up."""
    if args.source not in SOURCES:
        raise HudError(f"--source must be one of {', '.join(SOURCES)}, got {quote(args.source)}")
    if args.source == "offline":
        if args.model or args.base_url or args.config:
            raise HudError("--model, --base-url and --config are for the openai source")
        if not args.knowledge:
            raise HudError("the offline source needs a knowledge file: give --knowledge FILE")
        from hud.answers import OfflineAnswerSource

        return OfflineAnswerSource(args.knowledge), args.timeout or OFFLINE_TIMEOUT_S
    if args.knowledge:
        raise HudError("--knowledge is for the offline source")
    from hud.answers.config import load_openai_options
    from hud.answers.openai_source import OpenAIAnswerOptions, OpenAIAnswerSource

    options = load_openai_options(args.config) if args.config else OpenAIAnswerOptions()
    given = {"base_url": args.base_url, "model": args.model, "timeout_s": args.timeout}
    options = replace(options, **{k: v for k, v in given.items() if v is not None})
    # Each wait on the server is bounded by timeout_s; a retry (after a back-off of at
    # most 8 s) may wait as long again.
    limit_s = options.timeout_s * (options.max_retries + 1) + 8.0 * options.max_retries
    return OpenAIAnswerSource(options), limit_s


@dataclass(frozen=True, eq=False)
class _Shown:
    """The rendered view and where the card went."""

    frame: npt.NDArray[np.uint8]
    #: The card found a place on the display (else it did not fit at all).
    placed: bool
    #: Image pixels the display covers: only an object in there gets its card beside it;
    #: one outside gets its card at the display's edge with an arrow pointing at it.
    display_px: tuple[float, float, float, float]
    #: The object's box overlaps :attr:`display_px`.
    on_display: bool


def _render(
    scene: Scene, profile: DisplayProfile, rgb: npt.NDArray[np.uint8], fov_h_deg: float
) -> _Shown:
    """The through-the-glasses view of the photo with the card, for the display eye."""
    from hud.anchors.view import ViewGeometry
    from hud.app.session import HudSession, HudSessionOptions
    from hud.render.renderer import eyes_for

    eye = eyes_for(profile, None)[0]
    options = HudSessionOptions(
        profile=profile,
        scene=scene,
        track_hands=False,
        composite=True,
        eyes=(str(eye),),
        camera_fov_h_deg=fov_h_deg,
    )
    with HudSession(options) as session:
        result = session.step(rgb, timestamp_ms=0)
    card = scene.cards[0]
    h, w = rgb.shape[:2]
    view = ViewGeometry.make(profile, w, h, fov_h_deg, str(eye), scene.world.depth_m)
    (x0, y0), (x1, y1) = view.display_uv_to_image_px(0, 0), view.display_uv_to_image_px(1, 1)
    bx0, by0, bx1, by1 = scene.objects[0].box
    on = bx1 * w > x0 and bx0 * w < x1 and by1 * h > y0 and by0 * h < y1
    placed = any(c.id == card.id for c in result.cards)
    return _Shown(result.composite[eye], placed, (x0, y0, x1, y1), on)


def _report(
    args: argparse.Namespace,
    profile: DisplayProfile,
    card: Card,
    sent: list[dict[str, object]],
    shown: _Shown,
    out: Path,
) -> None:
    """The result on stdout (a line, or JSON); a failed answer's reason and notes on
    stderr."""
    from hud.layout.cards import LayoutMetrics, card_content
    from hud.text import sanitize

    content = card_content(card, LayoutMetrics.for_profile(profile))
    region = ",".join(f"{v:.0f}" for v in shown.display_px)
    if card.state != "done":
        print(f"hud ask: the answer failed: {escape_controls(card.body)}", file=sys.stderr)
    if not shown.placed:
        print(f"note: the card found no place on the {profile.name} display", file=sys.stderr)
    elif not shown.on_display:
        print(
            f"note: the box is outside the {profile.name} display (image pixels {region}): "
            "the card points at it from the display's edge",
            file=sys.stderr,
        )
    if args.json:
        doc = {
            "card": {
                "id": card.id,
                "title": card.title,
                "state": card.state,
                "icon": card.icon,
                "body": sanitize(card.body),
                "shown": [*content.title_lines, *content.body_lines],
                "truncated": content.truncated,
                "placed": shown.placed,
                "on_display": shown.on_display,
            },
            "display_px": [round(v, 1) for v in shown.display_px],
            "sent": sent,
            "source": args.source,
            "profile": profile.name,
            "out": str(out),
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
        return
    words = f" ({len(card.body.split())} words)" if card.state == "done" else ""
    print(f"{profile.name}: card {quote(card.id)} {card.state}{words} -> {out}")
