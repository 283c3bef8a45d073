"""The temporal placement: apart, inside, off the objects, uncrossed, stable and smooth."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hud import text as textlib
from hud.errors import HudError, OptionsError
from hud.layout.cards import LayoutMetrics
from hud.layout.geometry import leader_line, overlap_area, segments_cross
from hud.layout.placement import (
    CardRequest,
    LayoutFrame,
    PlacementOptions,
    TemporalLayout,
    TimestampError,
)
from hud.profiles import BUILTIN_PROFILES, DisplayProfile

Rect = tuple[float, float, float, float]
OPTS = PlacementOptions(gap_px=8.0, margin_px=6.0)
CARD = (270.0, 85.0)


def _box(cx: float, cy: float, half: float = 20.0) -> Rect:
    return (cx - half, cy - half, cx + half, cy + half)


def _assert_valid(frame: LayoutFrame, size: tuple[float, float], o: PlacementOptions) -> None:
    """No two cards closer than the gap; every card inside the margins."""
    rects = list(frame.rects.items())
    for i, (ka, a) in enumerate(rects):
        assert a[0] >= o.margin_px - 1e-6 and a[1] >= o.margin_px - 1e-6, (ka, a)
        assert a[2] <= size[0] - o.margin_px + 1e-6 and a[3] <= size[1] - o.margin_px + 1e-6
        for kb, b in rects[i + 1 :]:
            dx = max(a[0] - b[2], b[0] - a[2])
            dy = max(a[1] - b[3], b[1] - a[3])
            assert max(dx, dy) >= o.gap_px - 1e-6, (ka, a, kb, b)


# ---------------------------------------------------------------------- options, errors
@pytest.mark.parametrize(
    "bad",
    [
        {"gap_px": -1.0},
        {"margin_px": math.nan},
        {"hysteresis": 11.0},
        {"smoothing_s": "fast"},
        {"ppd": 0.0},
        {"max_speed_dps": 0.0},
        {"max_search": -1},
        {"gap_px": True},
    ],
)
def test_bad_options_are_refused_at_once(bad: dict[str, object]) -> None:
    with pytest.raises(OptionsError):
        PlacementOptions(**bad)  # type: ignore[arg-type]


def test_time_going_backwards_is_a_one_line_error() -> None:
    layout = TemporalLayout((800, 600), OPTS)
    layout.place([CardRequest("a", CARD, _box(400, 300))], 1.0)
    with pytest.raises(TimestampError) as err:
        layout.place([CardRequest("a", CARD, _box(400, 300))], 0.5)
    assert isinstance(err.value, HudError) and "\n" not in str(err.value)
    with pytest.raises(TimestampError):
        layout.place([], math.nan)


def test_non_finite_requests_are_skipped_and_keep_their_slot() -> None:
    layout = TemporalLayout((800, 600), OPTS)
    good = CardRequest("a", CARD, _box(300, 300))
    first = layout.place([good], 0.0)
    bad = [
        CardRequest("a", CARD, (math.nan, 0.0, 1.0, 1.0)),
        CardRequest("b", (math.inf, 10.0), _box(100, 100)),
        CardRequest("c", (0.0, 10.0), _box(100, 100)),
        CardRequest("d", CARD, _box(500, 300)),
        CardRequest("d", CARD, _box(600, 300)),  # a repeated id
    ]
    frame = layout.place(bad, 0.1)
    assert frame.skipped == ("a", "b", "c", "d")
    assert set(frame.rects) == {"d"}
    again = layout.place([good], 0.2)
    assert again.rects["a"] == first.rects["a"] and again.relayouts == ()


# ---------------------------------------------------------------------- random scenes
def _scene(profile: DisplayProfile, n: int, seed: int, small: bool) -> list[CardRequest]:
    """``n`` objects anywhere on the display, cards of the sizes the profile's typography
    gives (a title alone up to three body lines)."""
    m = LayoutMetrics.for_profile(profile)
    h_min = 2 * m.pad + textlib.line_height(m.title_px)
    h_max = h_min + 0.5 * m.pad + 3 * textlib.line_height(m.body_px)
    rng = np.random.default_rng(seed)
    w, h = profile.width_px, profile.height_px
    out = []
    for i in range(n):
        side = rng.uniform(0.01, 0.05 if small else 0.3, size=2) * (w, h)
        x0, y0 = rng.uniform(0, 1, size=2) * (w - side[0], h - side[1])
        anchor = (x0, y0, x0 + side[0], y0 + side[1]) if rng.random() < 0.9 else None
        card_h = float(rng.uniform(h_min, h_max))
        out.append(CardRequest(f"c{i}", (m.width, card_h), anchor, priority=-i))
    return out


def _options(profile: DisplayProfile) -> PlacementOptions:
    m = LayoutMetrics.for_profile(profile)
    return PlacementOptions(gap_px=m.gap, margin_px=m.margin, ppd=profile.ppd)


@pytest.mark.parametrize("name", sorted(BUILTIN_PROFILES))
@settings(max_examples=12, deadline=None)
@given(n=st.integers(1, 50), seed=st.integers(0, 2**31))
def test_random_scenes_never_overlap_and_stay_inside(name: str, n: int, seed: int) -> None:
    """Crowded or not: cards never overlap, stay inside, and the rest is reported."""
    profile = BUILTIN_PROFILES[name]
    requests = _scene(profile, n, seed, small=False)
    o = _options(profile)
    layout = TemporalLayout((profile.width_px, profile.height_px), o)
    for t in (0.0, 0.05):  # the second frame starts from the first's slots
        frame = layout.place(requests, t)
        _assert_valid(frame, (profile.width_px, profile.height_px), o)
        assert len(frame.rects) + len(frame.overflow) == n
        assert not frame.skipped


#: A sparse scene: cards whose area, grown by the gap on every side, is under a quarter of
#: the display, beside small objects (5 % of the display a side at most). Cards then fit
#: with room to spare, so none may overflow or cover an object. (A quarter holds with a
#: wide margin: random scenes only begin to overflow above about 45 %.)
SPARSE = 0.25


@pytest.mark.parametrize("name", sorted(BUILTIN_PROFILES))
@settings(max_examples=12, deadline=None)
@given(n=st.integers(1, 50), seed=st.integers(0, 2**31))
def test_sparse_scenes_place_every_card_off_every_object(name: str, n: int, seed: int) -> None:
    profile = BUILTIN_PROFILES[name]
    o = _options(profile)
    budget = SPARSE * profile.width_px * profile.height_px
    requests, used = [], 0.0
    for req in _scene(profile, n, seed, small=True):
        grown = (req.size[0] + 2 * o.gap_px) * (req.size[1] + 2 * o.gap_px)
        if used + grown > budget:
            break
        requests.append(req)
        used += grown
    frame = TemporalLayout((profile.width_px, profile.height_px), o).place(requests, 0.0)
    assert frame.overflow == ()
    _assert_valid(frame, (profile.width_px, profile.height_px), o)
    boxes = [r.anchor for r in requests if r.anchor is not None]
    for key, rect in frame.rects.items():
        assert all(overlap_area(rect, b) == 0 for b in boxes), key


def test_a_tiny_display_overflows_instead_of_overlapping() -> None:
    even = BUILTIN_PROFILES["even-g1"]
    o = _options(even)
    requests = [CardRequest(f"c{i}", (300.0, 80.0), None, priority=-i) for i in range(6)]
    frame = TemporalLayout((even.width_px, even.height_px), o).place(requests, 0.0)
    assert frame.overflow and len(frame.rects) + len(frame.overflow) == 6
    _assert_valid(frame, (even.width_px, even.height_px), o)
    assert frame.overflow == tuple(f"c{i}" for i in range(6 - len(frame.overflow), 6))


def test_cards_without_an_object_stack_from_the_top_centre() -> None:
    requests = [CardRequest(f"h{i}", (200.0, 50.0), None, priority=-i) for i in range(3)]
    frame = TemporalLayout((800, 600), OPTS).place(requests, 0.0)
    tops = [frame.rects[f"h{i}"][1] for i in range(3)]
    assert tops[0] == OPTS.margin_px and tops == sorted(tops)
    assert frame.rects["h0"][0] == pytest.approx(300.0)
    assert frame.leaders == {}


def test_a_card_avoids_its_own_and_other_objects() -> None:
    # b's preferred slot (right of it) would cover a's object.
    a, b = _box(420, 300), _box(300, 300)
    requests = [CardRequest("a", CARD, a, 1.0), CardRequest("b", CARD, b)]
    frame = TemporalLayout((800, 600), OPTS).place(requests, 0.0)
    for rect in frame.rects.values():
        assert overlap_area(rect, a) == 0 and overlap_area(rect, b) == 0


# ---------------------------------------------------------------------- stability
def test_a_static_scene_never_relayouts_or_moves() -> None:
    rng = np.random.default_rng(3)
    requests = [
        CardRequest(f"c{i}", (160.0, 50.0), _box(*rng.uniform((60, 60), (1180, 660))))
        for i in range(12)
    ]
    layout = TemporalLayout((1280, 720), OPTS)
    first = layout.place(requests, 0.0)
    for k in range(1, 100):
        frame = layout.place(requests, k / 60)
        assert frame.relayouts == () and frame.rects == first.rects


def test_a_card_follows_a_moving_object_without_lag_or_relayout() -> None:
    layout = TemporalLayout((1280, 720), OPTS)
    other = CardRequest("still", CARD, _box(900, 500))
    offsets = set()
    for k in range(100):
        box = _box(200 + 2 * k, 300 + k)
        frame = layout.place([CardRequest("moving", CARD, box, 1.0), other], k / 60)
        rect = frame.rects["moving"]
        offsets.add((round(rect[0] - box[0], 6), round(rect[1] - box[1], 6)))
        assert k == 0 or frame.relayouts == ()
    assert len(offsets) == 1  # always the same place beside the object: no lag


def test_an_obstacle_on_the_slot_moves_the_card_once_then_it_stays() -> None:
    layout = TemporalLayout((1280, 720), OPTS)
    req = [CardRequest("a", CARD, _box(600, 360))]
    before = layout.place(req, 0.0).rects["a"]
    relayouts: list[str] = []
    for k in range(1, 60):
        frame = layout.place(req, k / 60, obstacles=[before])
        relayouts += frame.relayouts
        assert overlap_area(frame.rects["a"], before) == 0  # not even on its way
    assert relayouts == ["a"]


def test_a_card_glides_back_smoothly_when_its_slot_frees_up() -> None:
    # No dwell: the card may go home the frame its slot frees up (the glide is the subject).
    o = PlacementOptions(gap_px=8.0, margin_px=6.0, smoothing_s=0.1, dwell_s=0.0)
    layout = TemporalLayout((1280, 720), o)
    req = [CardRequest("a", CARD, _box(600, 360))]
    home = layout.place(req, 0.0).rects["a"]
    # Block the right and the left: the card is pushed further away.
    left = (600 - 28 - 270, 340, 600 - 28, 425)
    away = layout.place(req, 1 / 60, obstacles=[home, left]).rects["a"]
    assert away != home
    dt, prev, steps = 1 / 60, away, []
    for k in range(2, 80):
        frame = layout.place(req, k * dt)
        rect = frame.rects["a"]
        steps.append(math.hypot(rect[0] - prev[0], rect[1] - prev[1]))
        prev = rect
    total = math.hypot(away[0] - home[0], away[1] - home[1])
    assert prev == home
    assert max(steps) <= total * (1 - math.exp(-dt / o.smoothing_s)) + 1e-6
    assert sum(s > 0 for s in steps) > 10  # a glide over many frames, not a jump


def test_gliding_cards_never_overlap_and_speed_is_capped() -> None:
    o = PlacementOptions(gap_px=8.0, margin_px=6.0, smoothing_s=0.2, max_speed_dps=30, ppd=20)
    layout = TemporalLayout((1280, 720), o)
    rng = np.random.default_rng(5)
    centres = rng.uniform((100, 100), (1180, 620), size=(10, 2))
    prev: dict[str, Rect] = {}
    for k in range(90):
        jump = 1 if k < 45 else -1  # the objects swap sides half way
        requests = [
            CardRequest(f"c{i}", (180.0, 50.0), _box(*(c if jump > 0 else c[::-1] * (1, 0.6))))
            for i, c in enumerate(centres)
        ]
        frame = layout.place(requests, k / 30)
        _assert_valid(frame, (1280, 720), o)
        prev = frame.rects
    assert prev


# ---------------------------------------------------------------------- leaders
def _old_greedy(size: tuple[int, int], requests: list[CardRequest], gap: float) -> dict[str, Rect]:
    """The single-frame placement cards.py had: six slots, then slides, first fit wins."""
    dw, dh, m = size[0], size[1], 6.0

    def clamp(r: Rect) -> Rect:
        w, h = r[2] - r[0], r[3] - r[1]
        x, y = min(max(r[0], m), dw - m - w), min(max(r[1], m), dh - m - h)
        return (x, y, x + w, y + h)

    placed: dict[str, Rect] = {}
    for req in requests:
        assert req.anchor is not None
        (cw, ch), (x0, y0, x1, y1) = req.size, req.anchor
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        slots = [
            (x1 + gap, y0),
            (x0 - gap - cw, y0),
            (cx - cw / 2, y0 - gap - ch),
            (cx - cw / 2, y1 + gap),
            (x1 + gap, cy - ch / 2),
            (x0 - gap - cw, cy - ch / 2),
        ]
        hard = [
            (p[0] - gap / 2, p[1] - gap / 2, p[2] + gap / 2, p[3] + gap / 2)
            for p in placed.values()
        ]
        for r in (clamp((x, y, x + cw, y + ch)) for x, y in slots):
            if not any(overlap_area(r, o) > 0 for o in [*hard, req.anchor]):
                placed[req.id] = r
                break
        else:
            base = clamp((slots[0][0], slots[0][1], slots[0][0] + cw, slots[0][1] + ch))
            for k in range(1, 60):
                r = clamp((base[0], base[1] + k * ch / 4, base[2], base[3] + k * ch / 4))
                if not any(overlap_area(r, o) > 0 for o in [*hard, req.anchor]):
                    placed[req.id] = r
                    break
    return placed


def test_leaders_do_not_cross_where_the_old_greedy_crossed() -> None:
    size = (600, 600)
    requests = [
        CardRequest("a", CARD, (362.0, 64.0, 402.0, 104.0), 1.0),
        CardRequest("b", CARD, (318.0, 32.0, 358.0, 72.0)),
    ]
    old = _old_greedy(size, requests, 8.0)
    old_leaders = [leader_line(r.anchor, old[r.id]) for r in requests if r.anchor]
    assert segments_cross(*old_leaders)
    frame = TemporalLayout(size, OPTS).place(requests, 0.0)
    assert len(frame.leaders) == 2 and not segments_cross(*frame.leaders.values())
    _assert_valid(frame, size, OPTS)
    for rect in frame.rects.values():
        assert all(overlap_area(rect, r.anchor) == 0 for r in requests if r.anchor)


def test_crossing_leaders_of_two_cards_swap_places() -> None:
    """A constructed crossing (each card held beyond the other's object): one frame later
    the two cards have swapped and their leaders are apart."""
    layout = TemporalLayout((1000, 600), OPTS)
    a, b = _box(300, 300), _box(700, 300)
    requests = [CardRequest("a", (200.0, 60.0), a, 1.0), CardRequest("b", (200.0, 60.0), b)]
    layout.place(requests, 0.0)
    # Hold each card on the far side of the other's object (as a crowded frame might).
    for key, (x, y) in (("a", (420.0, 420.0)), ("b", (380.0, 150.0))):
        track = layout._tracks[key]
        track.slot, track.offset = "free", (x - track.ref[0] - 100, y - track.ref[1])
        track.drawn = track.offset
    frame = layout.place(requests, 0.0)
    assert not segments_cross(*frame.leaders.values())


# ---------------------------------------------------------------------- cost
def _spread(n: int) -> tuple[tuple[int, int], list[CardRequest]]:
    cols = math.ceil(math.sqrt(n))
    size = (cols * 500, math.ceil(n / cols) * 200)
    requests = [
        CardRequest(f"c{i}", (200.0, 60.0), _box((i % cols + 0.3) * 500, (i // cols + 0.5) * 200))
        for i in range(n)
    ]
    return size, requests


def test_overlap_tests_grow_about_linearly() -> None:
    counts = {}
    for n in (100, 1000):
        size, requests = _spread(n)
        layout = TemporalLayout(size, OPTS)
        layout.place(requests, 0.0)
        first = layout.overlap_tests
        layout.place(requests, 0.1)
        counts[n] = first + layout.overlap_tests
    assert counts[1000] / counts[100] < 30, counts


def test_a_card_that_just_moved_stays_a_while_before_it_moves_back() -> None:
    """After a relayout the card dwells in its new slot for ``dwell_s`` unless that slot
    becomes invalid: it does not flip back and forth as a neighbour comes and goes."""
    req = [CardRequest("a", CARD, _box(600, 360))]

    def pushed_away(dwell: float) -> tuple[TemporalLayout, Rect]:
        layout = TemporalLayout((1280, 720), PlacementOptions(dwell_s=dwell))
        home = layout.place(req, 0.0).rects["a"]
        left = (600 - 28 - 270, 340, 600 - 28, 425)
        assert layout.place(req, 0.1, obstacles=[home, left]).relayouts == ("a",)
        return layout, home

    eager, _ = pushed_away(0.0)
    assert eager.place(req, 0.2).relayouts == ("a",)  # goes home at once
    patient, _ = pushed_away(1.0)
    assert all(not patient.place(req, 0.1 + 0.1 * k).relayouts for k in range(1, 9))
    assert patient.place(req, 1.2).relayouts == ("a",)  # home, once the dwell is over


def test_a_card_that_grows_while_it_settles_never_covers_its_object() -> None:
    """A new card dwells in its first slot for ``dwell_s``; when its answer arrives and
    it grows, the slot may no longer fit beside the object (near the display's edge it
    is clamped onto it). Then it moves, dwell or not: a card never sits on what it
    describes while there is room elsewhere (it did, for a second, in the emulator)."""
    from hud.layout.geometry import overlap_area

    covered = []
    for cx in range(30, 1280, 50):
        for cy in range(30, 720, 100):
            layout = TemporalLayout((1280, 720), PlacementOptions(dwell_s=1.0))
            box = _box(cx, cy)
            layout.place([CardRequest("a", (120.0, 40.0), box)], 0.0)  # thinking: small
            for t in (0.1, 0.5):  # the answer arrived: wide, within the dwell
                frame = layout.place([CardRequest("a", (420.0, 85.0), box)], t)
            if overlap_area(frame.rects["a"], box) > 0:
                covered.append((cx, cy, frame.slots["a"]))
    assert covered == []
