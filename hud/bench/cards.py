"""The Pillow strawman: 20 answer cards drawn on the CPU and composited additively.

The GPU card renderer is only worth its complexity if it beats the best CPU way of doing
the same job, so this is written as well as that job allows, not as a straw man:

- text is laid out (wrapped) once, as a renderer caches the layout of unchanged text;
- each card is drawn by Pillow's ImageDraw into its own card-sized image, allocated once
  and cleared each frame, so no full-frame Pillow work happens;
- a card is drawn straight onto black with alpha-blended ink (``ImageDraw.Draw(im,
  "RGBA")``): that *is* the card's RGBA layer composited over black, which on an additive
  display is the display frame (black emits nothing), without materialising the layer;
- the composite ``out = encode(T·decode(world) + gain·decode(display))``, in linear light,
  is one table look-up per sample: for 8-bit world and display codes it has only
  256 × 256 inputs, so a 64 KiB table (built once with :mod:`hud.optics`'s sRGB curves)
  gives the float64 result rounded once. Outside the cards the display is black and the
  table's first column, a 256-entry table, is applied to the whole frame by ``cv2.LUT``.

:func:`demo_cards20` is the card set every card benchmark uses, the GPU one included.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from hud.bench.timing import median_ms
from hud.errors import HudError, OptionsError
from hud.optics import AUTO_CONTRAST_TARGET, linear_to_srgb, srgb_to_linear

FRAME_SIZE = (1280, 720)
#: The bundled fonts of :mod:`hud.text` (found by path: drawing here needs no text engine).
FONT_DIR = Path(__file__).resolve().parents[1] / "text" / "fonts"

U8 = npt.NDArray[np.uint8]
Rect = tuple[int, int, int, int]
Rgb = tuple[int, int, int]

_EN = [
    ("Coffee mug", "Ceramic, 350 ml, dishwasher safe. Yours from the kitchen shelf, last washed this morning with the blue sponge."),
    ("Bus 42", "Arrives in 4 min at stop B, then every 12 min until 23:40. Two stops to the station, about six minutes."),
    ("Parcel", "Delivered 11:02 by courier. Sender: Coupang. Heavy box, keep it upright when lifting it inside."),
    ("Car keys", "Last seen here at 08:14, beside the parcel. The spare set is in the top hall drawer, left side."),
    ("Meeting", "Design review at 14:30 in room 5B with Mina and Joon. Bring the prototype glasses and the charger."),
    ("Plant", "Monstera deliciosa. Water once a week; the soil is dry now. Keep it out of direct afternoon sun."),
    ("Receipt", "Lunch for two, 23,800 won, paid by card at 12:41. Split: 11,900 won each, sent to Mina by message."),
    ("Train KTX 107", "Seoul to Busan, platform 6, departs 15:05, seat 9C. Arrives at 17:46, running on time today."),
    ("Weather", "Light rain after 16:00, 14 to 19 degrees. Take the umbrella by the door; tomorrow is clear."),
    ("Battery", "Glasses at 38 percent, about 2 hours left. The case holds two more full charges for tonight."),
]  # fmt: skip
_KO = [
    ("커피 머그", "이 카페의 라떼는 4,500원이며 오전 9시 전에 할인됩니다. 텀블러를 가져오면 300원 더 싸고, 적립 쿠폰은 열 잔에 한 잔이 무료예요. 지금 여덟 잔 모았어요."),
    ("버스 42번", "4분 뒤 B 정류장에 도착합니다. 이후 12분 간격으로 운행하며 막차는 23시 40분입니다. 역까지는 두 정거장이고 6분쯤 걸려요."),
    ("택배 상자", "오늘 11시 2분 도착. 보낸 곳은 쿠팡이고 무거운 상자라 들 때 허리를 조심하세요. 현관 앞에서 안으로 옮겨 주세요. 안에는 책이 들어 있어요."),
    ("약 복용", "점심 식후 30분에 비타민과 유산균을 드세요. 남은 약은 열흘 분량이라 다음 주 금요일까지 약국에 들러야 합니다. 처방전은 지갑에 있어요."),
    ("회의 알림", "오후 2시 30분 5B 회의실에서 디자인 리뷰가 있습니다. 시제품 안경을 챙기세요. 민아 씨와 준 씨가 참석하고 한 시간 걸립니다."),
    ("식물 관리", "몬스테라입니다. 흙이 말랐으니 오늘 물을 주세요. 직사광선은 피하고, 잎에 먼지가 쌓이면 젖은 천으로 닦아 주세요. 다음 물은 일주일 뒤예요."),
    ("영수증", "점심 두 명 23,800원을 12시 41분에 카드로 결제했습니다. 한 사람당 11,900원이고 영수증은 메일로 보냈어요. 민아 씨에게 송금 요청했어요."),
    ("열차 안내", "서울에서 부산행 KTX 107, 6번 승강장에서 15시 5분 출발. 좌석은 9C이고 부산역 도착은 17시 46분 예정입니다. 오늘은 정시 운행 중이에요."),
    ("날씨", "오후 4시 이후 약한 비가 옵니다. 기온은 14도에서 19도, 현관의 우산을 챙기세요. 내일 아침은 맑고 쌀쌀합니다. 겉옷을 챙기면 좋아요."),
    ("번역", "메뉴의 '오늘의 국밥'은 소고기 국물에 밥을 말아 먹는 음식으로 9,000원입니다. 맵지 않고 김치가 함께 나와요. 공깃밥 추가는 천 원입니다."),
]  # fmt: skip


def demo_cards20() -> list[tuple[str, str]]:
    """Twenty (title, body) answer cards, English and Korean in turn: 1,524 glyphs (non-space
    characters), the load of a busy answer screen. The same every call."""
    return [pair for en, ko in zip(_EN, _KO) for pair in (en, ko)]


def glyph_count(cards: list[tuple[str, str]]) -> int:
    """Glyphs the cards draw: their characters other than white space."""
    return sum(len("".join((title + body).split())) for title, body in cards)


@dataclass(frozen=True)
class CardStyle:
    """How a card looks, in 8-bit sRGB codes with alpha: a dim, mostly see-through fill
    (black is transparent on an additive display), a bright outline and light text."""

    title_px: int = 17
    body_px: int = 14
    pad: int = 8
    margin: int = 6
    radius: int = 10
    stroke: int = 2
    fill: tuple[int, int, int, int] = (14, 16, 22, 200)
    outline: tuple[int, int, int, int] = (40, 240, 140, 220)
    title: tuple[int, int, int, int] = (255, 255, 255, 255)
    body: tuple[int, int, int, int] = (205, 214, 224, 255)


@dataclass(frozen=True)
class AdditiveOptics:
    """The see-through composite: the lens passes ``transmittance`` of the world, and the
    display's white is ``gain`` times the world's diffuse white. The default gain is the
    automatic brightness of :func:`hud.optics.auto_brightness` (white at 2× the see-through
    white) on a display bright enough to reach it."""

    transmittance: float = 0.85
    gain: float = AUTO_CONTRAST_TARGET * 0.85

    def __post_init__(self) -> None:
        if not (0.0 < self.transmittance <= 1.0):
            raise OptionsError(f"transmittance must be in (0, 1], got {self.transmittance!r}")
        if not (np.isfinite(self.gain) and self.gain >= 0.0):
            raise OptionsError(f"gain must be a finite number from 0, got {self.gain!r}")


@lru_cache(maxsize=8)
def composite_tables(optics: AdditiveOptics) -> tuple[U8, U8]:
    """The composite as tables: ``(pair, world)``. ``pair[w << 8 | d]`` is the output code
    for world code ``w`` under display code ``d`` (65,536 entries); ``world[w]`` is
    ``pair`` with a black display (256 entries, for ``cv2.LUT``)."""
    codes = np.arange(256, dtype=np.float64) / 255.0
    lin = srgb_to_linear(codes)
    total = optics.transmittance * lin[:, None] + optics.gain * lin[None, :]
    pair = np.round(linear_to_srgb(total) * 255.0).astype(np.uint8).reshape(-1)
    pair.setflags(write=False)
    world = np.ascontiguousarray(pair[::256])
    world.setflags(write=False)
    return pair, world


def grid_rects(n: int, size: tuple[int, int], grid: tuple[int, int], margin: int) -> list[Rect]:
    """``n`` card rectangles (x0, y0, x1, y1) on a ``cols × rows`` grid over the frame."""
    cols, rows = grid
    if cols * rows < n:
        raise OptionsError(f"a {cols}×{rows} grid holds {cols * rows} cards, not {n}")
    w, h = size
    rects = []
    for i in range(n):
        c, r = i % cols, i // cols
        x0, x1 = c * w // cols + margin, (c + 1) * w // cols - margin
        y0, y1 = r * h // rows + margin, (r + 1) * h // rows - margin
        rects.append((x0, y0, x1, y1))
    return rects


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy line breaking at spaces, between characters inside a word too long."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:
            if line and font.getlength(line + ch) > width:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    return lines


@dataclass(frozen=True)
class _CardLayout:
    rect: Rect
    title: str
    body: tuple[str, ...]


class PillowCards:
    """Answer cards drawn with Pillow and composited over world frames on the CPU.

    Everything that does not change from frame to frame (fonts, line breaks, the card
    images and the composite's buffers, the tables) is made here once; :meth:`frame`
    draws the cards and composites them over a new world frame, as a live view must.
    With ``cache_runs`` each line of text is rasterised once and blended from its mask
    every frame (the GPU renderer keeps its runs in an atlas the same way); without it
    every line is rasterised by FreeType every frame, as text that changes would be.
    """

    def __init__(
        self,
        cards: list[tuple[str, str]],
        size: tuple[int, int] = FRAME_SIZE,
        grid: tuple[int, int] = (5, 4),
        optics: AdditiveOptics | None = None,
        style: CardStyle | None = None,
        cache_runs: bool = True,
    ) -> None:
        self.size = size
        self.optics = optics or AdditiveOptics()
        self.style = s = style or CardStyle()
        self._pair, self._world_table = composite_tables(self.optics)
        self._title_font = ImageFont.truetype(str(FONT_DIR / "NanumSquareRoundB.ttf"), s.title_px)
        self._body_font = ImageFont.truetype(str(FONT_DIR / "NanumSquareRoundR.ttf"), s.body_px)
        self.layouts = [
            self._lay_out(title, body, rect)
            for (title, body), rect in zip(cards, grid_rects(len(cards), size, grid, s.margin))
        ]
        self.cache_runs = cache_runs
        self._runs = [self._rasterise(c) for c in self.layouts] if cache_runs else []
        self._images = [Image.new("RGB", _extent(c.rect)) for c in self.layouts]
        self._draws = [ImageDraw.Draw(im, "RGBA") for im in self._images]
        shapes = [(r[3] - r[1], r[2] - r[0], 3) for r in (c.rect for c in self.layouts)]
        self._index = [np.empty(shape, np.uint16) for shape in shapes]
        self._out = np.empty((size[1], size[0], 3), np.uint8)

    def _lay_out(self, title: str, body: str, rect: Rect) -> _CardLayout:
        """The card's lines: the title on one line, as many body lines as the card holds."""
        s = self.style
        w, h = _extent(rect)
        inner = w - 2 * s.pad
        title_lines = _wrap(title, self._title_font, inner - s.title_px)
        room = (h - 2 * s.pad - _line_px(s.title_px) - s.pad // 2) // _line_px(s.body_px)
        lines = _wrap(body, self._body_font, inner)[: max(room, 0)]
        return _CardLayout(rect, title_lines[0] if title_lines else "", tuple(lines))

    @property
    def glyphs(self) -> int:
        """Glyphs drawn each frame (non-space characters of the lines that fit)."""
        return sum(len("".join((c.title + "".join(c.body)).split())) for c in self.layouts)

    def draw(self) -> list[U8]:
        """Draw every card into its image; each card's display codes, H×W×3 uint8."""
        s = self.style
        out = []
        for i, (layout, image, d) in enumerate(zip(self.layouts, self._images, self._draws)):
            w, h = image.size
            image.paste((0, 0, 0), (0, 0, w, h))  # clear: black emits nothing
            d.rounded_rectangle(
                (0, 0, w - 1, h - 1), s.radius, fill=s.fill, outline=s.outline, width=s.stroke
            )
            dot = s.title_px * 0.4
            cy = s.pad + _line_px(s.title_px) / 2
            d.ellipse((s.pad, cy - dot / 2, s.pad + dot, cy + dot / 2), fill=s.outline)
            if self.cache_runs:
                for xy, mask, rgb in self._runs[i]:
                    image.paste(rgb, xy, mask)  # the run's coverage blends its colour in
            else:
                for (x, y), text, font, rgba in self._lines(layout):
                    d.text((x, y), text, font=font, fill=rgba)
            out.append(np.asarray(image))
        return out

    def _lines(
        self, layout: _CardLayout
    ) -> list[tuple[tuple[int, int], str, ImageFont.FreeTypeFont, tuple[int, int, int, int]]]:
        """Where each line of a card goes, with its font and colour."""
        s = self.style
        lines = [((s.pad + s.title_px, s.pad), layout.title, self._title_font, s.title)]
        y = s.pad + _line_px(s.title_px) + s.pad // 2
        for line in layout.body:
            lines.append(((s.pad, y), line, self._body_font, s.body))
            y += _line_px(s.body_px)
        return lines

    def _rasterise(self, layout: _CardLayout) -> list[tuple[tuple[int, int], Image.Image, Rgb]]:
        """Each line of a card as a coverage mask at its place (text is opaque ink, so
        blending its colour by coverage is what drawing it does)."""
        runs = []
        for (x, y), text, font, rgba in self._lines(layout):
            if not text.strip():
                continue
            x0, y0, x1, y1 = (int(v) for v in font.getbbox(text))
            mask = Image.new("L", (x1 - x0, y1 - y0))
            ImageDraw.Draw(mask).text((-x0, -y0), text, font=font, fill=255)
            runs.append(((x + x0, y + y0), mask, rgba[:3]))
        return runs

    def display_frame(self, displays: list[U8] | None = None) -> U8:
        """The whole display frame (black outside the cards): for tests and pictures."""
        frame = np.zeros((self.size[1], self.size[0], 3), np.uint8)
        for layout, codes in zip(self.layouts, displays or self.draw()):
            x0, y0, x1, y1 = layout.rect
            frame[y0:y1, x0:x1] = codes
        return frame

    def composite(self, world: U8, displays: list[U8]) -> U8:
        """``encode(T·decode(world) + gain·decode(display))`` by table look-up: the whole
        frame through the world table, then each card's region through the pair table.
        The result is a buffer reused by the next call."""
        _check_world(world, self.size)
        world = np.ascontiguousarray(world)  # a flipped or cropped view: OpenCV wants rows
        out = self._out
        cv2.LUT(world, self._world_table, dst=out)
        for layout, codes, index in zip(self.layouts, displays, self._index):
            x0, y0, x1, y1 = layout.rect
            np.left_shift(world[y0:y1, x0:x1], 8, out=index, dtype=np.uint16)
            np.bitwise_or(index, codes, out=index)
            np.take(self._pair, index, out=out[y0:y1, x0:x1], mode="wrap")  # no bounds pass
        return out

    def frame(self, world: U8) -> U8:
        """One live frame: the cards drawn, then composited over ``world``."""
        return self.composite(world, self.draw())


def _extent(rect: Rect) -> tuple[int, int]:
    return rect[2] - rect[0], rect[3] - rect[1]


def _line_px(size_px: int) -> int:
    return int(round(size_px * 1.3))


def _check_world(world: Any, size: tuple[int, int]) -> None:
    shape = (size[1], size[0], 3)
    if not isinstance(world, np.ndarray) or world.dtype != np.uint8 or world.shape != shape:
        got = getattr(world, "shape", type(world).__name__)
        raise HudError(f"the world must be a {shape[1]}×{shape[0]} RGB uint8 image, got {got}")


def pillow_cards20(world_rgb_uint8: U8, cards: list[tuple[str, str]] | None = None) -> U8:
    """The cards (:func:`demo_cards20` by default) drawn and composited over a world frame
    of any size, on a 5 × 4 grid. A one-off: a live loop keeps a :class:`PillowCards`."""
    h, w = world_rgb_uint8.shape[:2]
    renderer = PillowCards(cards if cards is not None else demo_cards20(), (w, h))
    return renderer.frame(world_rgb_uint8).copy()


def bench_pillow_cards20(frames: int = 20, warmup: int = 3) -> dict[str, Any]:
    """``pillow_cards20_ms``: the median over ``frames`` of drawing the 20 demo cards and
    compositing them over a new 1280×720 world frame (two worlds in turn, as a camera
    delivers new images), text runs rasterised once. ``pillow_cards20_raster_ms``: the
    same with every line rasterised every frame, as changing text would be."""
    worlds = _bench_worlds()
    cached = PillowCards(demo_cards20(), FRAME_SIZE)
    raster = PillowCards(demo_cards20(), FRAME_SIZE, cache_runs=False)
    n = max(1, frames)
    return {
        "pillow_cards20_ms": round(median_ms(_alternating(cached, worlds), n, warmup), 3),
        "pillow_cards20_raster_ms": round(median_ms(_alternating(raster, worlds), n, warmup), 3),
        "cards": len(cached.layouts),
        "glyphs": cached.glyphs,
        "size": list(FRAME_SIZE),
        "frames": n,
    }


def _alternating(renderer: PillowCards, worlds: list[U8]) -> Callable[[], object]:
    """One frame per call over the worlds in turn (a live camera: never the same image)."""
    frames = itertools.cycle(worlds)
    return lambda: renderer.frame(next(frames))


def _bench_worlds() -> list[U8]:
    try:  # the GPU benchmarks' street scene (its module loads the GL layer)
        from hud.bench.render import bench_world

        world = bench_world(FRAME_SIZE)
    except ImportError:
        rng = np.random.default_rng(7)
        world = rng.integers(0, 256, (FRAME_SIZE[1], FRAME_SIZE[0], 3), dtype=np.uint8)
    return [world, np.ascontiguousarray(world[:, ::-1])]
