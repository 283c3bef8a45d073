"""``HudSession``, the embedding API: a host loop steps frames and gets display frames back.

Real frames (the fixture hand video, recorded into a session), real MediaPipe tracking and
the real renderer on EGL/llvmpipe: determinism bit for bit, display-ready pixel formats,
dirty rectangles, host-supplied landmarks, bounded memory.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hud.app.session import HudSession, HudSessionOptions, StepResult
from hud.cli import main
from hud.errors import HudError, OptionsError
from hud.io.records import FrameRecord
from hud.io.session import SessionReader
from hud.render.frames import PixelFormat, unpack_grey
from hud.scene import Card, Scene, TrackedObject, World

ROOT = Path(__file__).resolve().parents[3]
VIDEO = ROOT / "tests" / "data" / "video" / "hand_landmarker__test_video.mp4"
FRAMES = 40


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> list[FrameRecord]:
    """The first frames of the fixture video as a recorded session (images and hands)."""
    path = tmp_path_factory.mktemp("session") / "hand.wgs"
    argv = ["record", "--video", str(VIDEO), "--out", str(path), "--max-frames", str(FRAMES)]
    assert main(argv) == 0
    return SessionReader(path).read_all()


def _scene(profile: str = "rayban-display") -> Scene:
    world = World(image=None, fov_h_deg=70.0, width=640, height=360)
    objects = (TrackedObject("hand", "hand", (0.3, 0.3, 0.6, 0.8)),)
    cards = (
        Card("c1", "손 · Hand", "열린 손바닥 open palm", anchor="hand", state="done"),
        Card("c2", "듣는 중 Listening", state="listening"),
    )
    return Scene(profile=profile, world=world, objects=objects, cards=cards)


def _run(frames: list[FrameRecord], **options: object) -> list[StepResult]:
    opts = HudSessionOptions(scene=_scene(), **options)  # type: ignore[arg-type]
    with HudSession(opts) as session:
        return [session.step(f.decode_image(), timestamp_ms=f.timestamp_ms) for f in frames]


def _same(a: list[StepResult], b: list[StepResult]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.display.keys() == y.display.keys()
        for eye in x.display:
            assert np.array_equal(x.display[eye], y.display[eye])
            assert x.dirty[eye] == y.dirty[eye]
        for eye in x.composite:
            assert np.array_equal(x.composite[eye], y.composite[eye])
        assert [repr(e) for e in x.events] == [repr(e) for e in y.events]
        assert x.cards == y.cards and x.brightness == y.brightness


def test_a_recorded_session_steps_the_same_twice_bit_for_bit(recorded: list[FrameRecord]) -> None:
    first = _run(recorded, composite=True)
    again = _run(recorded, composite=True)
    _same(first, again)
    # It tracked the hand in the frames and anchored the card: not an empty run.
    assert sum(len(r.tracked.hands) for r in first) >= FRAMES // 2
    assert any(e.__class__.__name__ == "PoseChanged" for r in first for e in r.events)
    assert first[-1].composite["right"].shape == (360, 640, 3)
    assert first[-1].display["right"].any()


def test_host_landmarks_give_the_recorded_events_without_a_camera(
    recorded: list[FrameRecord],
) -> None:
    """A host that tracks on its own chip passes landmarks: the events are the recorded ones."""
    opts = HudSessionOptions(scene=_scene(), track_hands=False)
    with HudSession(opts) as session:
        steps = [session.step(timestamp_ms=f.timestamp_ms, hands=f.hands) for f in recorded]
    from hud.io.records import event_to_dict

    got = [[event_to_dict(e) for e in s.events] for s in steps]
    assert got == [list(f.events) for f in recorded]
    assert sum(len(g) for g in got) > 0


def test_an_empty_session_shows_an_empty_hud_and_cards_can_be_added() -> None:
    with HudSession(HudSessionOptions(profile="rayban-display", track_hands=False)) as session:
        empty = session.step(timestamp_ms=0)
        assert set(empty.display) == {"right"}
        frame = empty.display["right"]
        assert frame.shape == (600, 600, 3) and frame.dtype == np.uint8 and not frame.any()
        assert empty.dirty["right"] == ((0, 0, 600, 600),)  # the first frame is all new
        assert session.step(timestamp_ms=33).dirty["right"] == ()
        session.set_cards([Card("q", "Hello", "첫 줄 first line", state="info")])
        shown = session.step(timestamp_ms=66)
        assert shown.display["right"].any()
        assert [c.id for c in shown.cards] == ["q"]


def test_dirty_rectangles_cover_exactly_what_changed() -> None:
    card = Card("q", "Answer", "350 ml ceramic", state="done")
    opts = HudSessionOptions(profile="rayban-display", track_hands=False)
    with HudSession(opts) as session:
        session.set_cards([card, Card("s", "Status", "ready", state="info")])
        before = session.step(timestamp_ms=0).display["right"]
        session.set_cards([replace(card, body="420 ml ceramic"), session.scene.cards[1]])
        step = session.step(timestamp_ms=40)
    after = step.display["right"]
    changed = np.argwhere((before != after).any(axis=2))
    assert changed.size, "the text change changed no pixel"
    rects = step.dirty["right"]
    covered = np.zeros(after.shape[:2], bool)
    for x0, y0, x1, y1 in rects:
        covered[y0:y1, x0:x1] = True
    assert covered[changed[:, 0], changed[:, 1]].all()
    frame_bytes = step.pixel_format.frame_bytes(600, 600)
    assert 0 < step.update_bytes("right") < 0.1 * frame_bytes  # a slow link sends little


def test_a_monochrome_profile_gives_packed_one_bit_frames_for_both_eyes() -> None:
    opts = HudSessionOptions(profile="even-g1", track_hands=False)
    with HudSession(opts) as session:
        session.set_cards([Card("n", "Next turn", "150 m 왼쪽 left", state="info")])
        step = session.step(timestamp_ms=0)
    assert step.pixel_format is PixelFormat.GRAY1
    assert set(step.display) == {"left", "right"}
    packed = step.display["left"]
    assert packed.shape == (200, 80) and packed.dtype == np.uint8  # 640 px = 80 bytes a row
    levels = unpack_grey(packed, PixelFormat.GRAY1, 640)
    assert set(np.unique(levels)) == {0, 1}
    assert 0.002 < levels.mean() < 0.5  # text and outlines are lit, the rest is see-through
    gray4 = HudSessionOptions(profile="even-g1", track_hands=False, pixel_format="gray4")
    with HudSession(gray4) as session:
        session.set_cards([Card("n", "Next turn", "150 m 왼쪽 left", state="info")])
        four = session.step(timestamp_ms=0).display["right"]
    assert four.shape == (200, 320)
    assert (unpack_grey(four, PixelFormat.GRAY4, 640) > 7).mean() == pytest.approx(
        levels.mean(), abs=0.02
    )


def test_several_sessions_in_one_process_do_not_share_state(recorded: list[FrameRecord]) -> None:
    frames = recorded[:10]
    alone = _run(frames, track_hands=False)
    opts = HudSessionOptions(scene=_scene(), track_hands=False)
    with HudSession(opts) as a, HudSession(replace(opts, profile="orion")) as b:
        mixed = []
        for f in frames:
            b.step(f.decode_image(), timestamp_ms=f.timestamp_ms)
            mixed.append(a.step(f.decode_image(), timestamp_ms=f.timestamp_ms))
    _same(alone, mixed)


def test_bad_options_and_frames_are_one_line_errors() -> None:
    with pytest.raises(OptionsError, match="num_hands"):
        HudSessionOptions(num_hands=0)
    with pytest.raises(ValueError, match="camera_fov_h_deg"):
        HudSessionOptions(camera_fov_h_deg=0.0)
    with pytest.raises(HudError, match="pixel format"):
        HudSessionOptions(pixel_format="rgb565")
    with pytest.raises(HudError, match="unknown profile"):
        HudSession(HudSessionOptions(profile="no-such-glasses"))
    with HudSession(HudSessionOptions(track_hands=False)) as session:
        session.step(np.zeros((48, 64, 3), np.uint8), timestamp_ms=0)
        with pytest.raises(OptionsError, match="frame size changed"):
            session.step(np.zeros((64, 64, 3), np.uint8), timestamp_ms=1)
        with pytest.raises(OptionsError, match="H×W×3 uint8"):
            session.step(np.zeros((48, 64), np.uint8), timestamp_ms=2)


_MEMORY_RUN = """
import json
from pathlib import Path
from hud.app.session import HudSession, HudSessionOptions
from hud.scene import Card

def rss_kib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

rss, objects = {}, {}
with HudSession(HudSessionOptions(profile="rayban-display", track_hands=False)) as session:
    for i in range(3000):
        body = f"{i * 7 % 1000} m · {i} 번째 frame"
        session.set_cards([Card("c", "Route 길 안내", body, state="info")])
        session.step(timestamp_ms=i * 33)
        if i in (999, 1999, 2999):
            rss[i], objects[i] = rss_kib(), session.pipeline.gl_objects()
print(json.dumps({"rss": rss, "objects": objects}))
"""


def test_memory_stops_growing_over_3000_steps() -> None:
    """Text that changes every frame, for 3,000 frames: RSS and live GL objects level off.

    In a process of its own: a session's memory, not the allocator's state after
    whatever else the test run imported and did (in a process that had imported the
    openai client, the same loop's RSS climbed 48 MiB although the Python heap, traced,
    did not grow)."""
    run = subprocess.run(
        [sys.executable, "-c", _MEMORY_RUN], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(run.stdout.splitlines()[-1])
    rss, objects = figures["rss"], figures["objects"]
    assert objects["999"] == objects["1999"] == objects["2999"] > 0
    growth_mib = (rss["2999"] - rss["999"]) / 1024
    assert growth_mib < 12, f"RSS grew {growth_mib:.1f} MiB between frames 1,000 and 3,000"


def test_the_readme_host_loop_runs_as_written(
    recorded: list[FrameRecord], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    snippet = next(b for b in blocks if "hud.HudSession(" in b and "session.step(" in b)
    # The snippet's scene file, next to the working directory as the snippet assumes.
    assets = ROOT / "demos" / "assets"
    for name in ("desk.json", "desk.jpg"):
        (tmp_path / name).write_bytes((assets / name).read_bytes())
    monkeypatch.chdir(tmp_path)

    class CameraFrame:
        def __init__(self, record: FrameRecord) -> None:
            self.rgb = record.decode_image()
            self.t = record.timestamp_ms

    shown: list[np.ndarray] = []
    namespace = {
        "camera": [CameraFrame(r) for r in recorded[:12]],
        "send_to_display": shown.append,
    }
    exec(compile(snippet, "README.md", "exec"), namespace)
    assert len(shown) == 12
    assert shown[-1].shape == (600, 600, 3) and shown[-1].any()


def test_mediapipe_start_up_lines_never_reach_the_hosts_terminal() -> None:
    """A host that only steps a session sees nothing on stderr: MediaPipe's native
    banners (printed to file descriptor 2 as its graphs start) are kept off it."""
    import subprocess
    import sys

    code = (
        "import numpy as np, hud\n"
        "opts = hud.HudSessionOptions(track_faces=True, markers='auto')\n"
        "with hud.HudSession(opts) as s:\n"
        "    for t in range(4):\n"
        "        s.step(np.full((120, 160, 3), 90, np.uint8), timestamp_ms=t * 40)\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
    assert r.stderr == ""


def test_host_markers_anchor_cards_and_a_host_timer_times_the_stages() -> None:
    """A host that finds markers itself passes them in: a card anchored to ``marker-7``
    follows the marker's box; with a timer every stage is timed (and only then)."""
    from hud.trackers.results import MarkerResult

    ticks = iter(range(10_000))
    world = World(image=None, fov_h_deg=70.0, width=640, height=360)
    scene = Scene(
        profile="rayban-display",
        world=world,
        objects=(TrackedObject("marker-7", "mug", (0.05, 0.05, 0.1, 0.1)),),
        cards=(Card("m", "Mug", "350 ml", anchor="marker-7"),),
    )
    opts = HudSessionOptions(
        scene=scene, track_hands=False, stage_timer=lambda: next(ticks) / 1000.0
    )

    def marker_at(x: float, y: float) -> MarkerResult:
        corners = np.array([[x, y], [x + 30, y], [x + 30, y + 30], [x, y + 30]], float)
        return MarkerResult(dictionary="DICT_4X4_50", id=7, corners=corners)

    frame = np.zeros((360, 640, 3), np.uint8)
    with HudSession(opts) as session:
        left = session.step(frame, timestamp_ms=0, markers=[marker_at(300, 200)])
        right = session.step(frame, timestamp_ms=40, markers=[marker_at(300, 260)])
        lost = session.step(frame, timestamp_ms=80, markers=[])
    (a,), (b,), (c,) = left.cards, right.cards, lost.cards
    assert b.rect_px[1] > a.rect_px[1]  # the card moved down with the marker
    # Without the marker the declared box (top-left, off the display) holds the card in
    # the display's top-left corner, pointing the way.
    assert c.center_deg[1] < a.center_deg[1]
    assert c.rect_px[0] < 600 / 4 and c.rect_px[1] < 600 / 4
    assert set(left.timings_ms) == {
        "track",
        "gestures",
        "anchors",
        "layout",
        "render",
        "output",
        "total",
    }
    assert left.timings_ms["total"] == pytest.approx(
        sum(v for k, v in left.timings_ms.items() if k != "total")
    )
    with HudSession(replace(opts, stage_timer=None)) as session:
        assert session.step(frame, timestamp_ms=0).timings_ms == {}


def test_a_scene_set_by_the_app_is_seen_through_the_camera() -> None:
    """Replacing the scene mid-run keeps the camera as the world: the same object box
    lays the card out at the same place whatever world size the new scene declares."""
    frame = np.zeros((360, 640, 3), np.uint8)
    card = Card("c", "Cup", "350 ml", anchor="cup")
    cup = TrackedObject("cup", "cup", (0.45, 0.45, 0.55, 0.6))

    def placed(world: World) -> tuple[float, ...]:
        opts = HudSessionOptions(profile="rayban-display", track_hands=False)
        with HudSession(opts) as session:
            session.step(frame, timestamp_ms=0)
            session.scene = Scene("rayban-display", world, objects=(cup,), cards=(card,))
            return session.step(frame, timestamp_ms=40).cards[0].rect_px

    a = placed(World(image=None, width=640, height=360, fov_h_deg=70.0))
    b = placed(World(image=None, width=100, height=900, fov_h_deg=20.0))
    assert a == b


def test_a_streaming_answer_grows_its_card_downward_and_ends_done() -> None:
    """Chunks appended frame by frame: the card's top stays put while it grows, the text
    past the glance budget is cut, and the last chunk marks it done."""
    opts = HudSessionOptions(profile="orion", track_hands=False)
    words = "The museum opens at nine and closes at six, with late hours on Fridays until ten. "
    with HudSession(opts) as session:
        session.set_cards([Card("a", "Museum", "", state="thinking")])
        placements = []
        for i, word in enumerate(words.split(" ") * 3):
            session.stream_text("a", word + " ", done=False)
            placements.append(session.step(timestamp_ms=33 * i).cards[0])
        session.stream_text("a", "", done=True)
        assert session.scene.cards[0].state == "done"
        with pytest.raises(OptionsError):
            session.stream_text("nope", "x")
        with pytest.raises(OptionsError):
            session.set_card_state("a", "sleeping")
    tops = [p.rect_px[1] for p in placements]
    heights = [p.rect_px[3] - p.rect_px[1] for p in placements]
    assert max(tops) - min(tops) < 1.0
    assert heights[-1] > heights[0] and all(b >= a - 1e-6 for a, b in itertools.pairwise(heights))
