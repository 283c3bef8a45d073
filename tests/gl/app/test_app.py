"""HudApp run headless: frames written, the same inputs twice give the same pixels, timers
and gesture events reach the app, and a bad output is refused before any work."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from gestures.events import PoseChanged
from hud.app.app import AppFrame, HudApp
from hud.app.runners import HeadlessRunner, RunOptions, run_headless
from hud.app.scheduler import blink_on
from hud.errors import HudError, OptionsError
from hud.io.sources import Frame, VideoFileSource
from hud.io.video import FRAME_NAME, check_frames_output
from hud.scene import Card, Scene, World

VIDEO = Path(__file__).resolve().parents[2] / "data" / "video" / "hand_landmarker__test_video.mp4"
SIZE = (160, 90)


class Blinker(HudApp):
    """A "recording" card that a scheduler interval turns on and off every 200 ms."""

    profiles = ("orion",)
    hands = None
    fps = 10.0

    def __init__(self) -> None:
        world = World(image=None, width=SIZE[0], height=SIZE[1], color=(0.3, 0.35, 0.4))
        super().__init__(Scene(profile="orion", world=world))
        self.lit = True
        self.seen: list[tuple[int, int, bool, int, int]] = []
        self.toggles: list[tuple[int, int]] = []
        self.scheduler.schedule_interval(self.toggle, 200)

    def toggle(self, timestamp_ms: int, elapsed_ms: int) -> None:
        self.lit = not self.lit
        self.toggles.append((timestamp_ms, elapsed_ms))

    def on_frame(self, frame: AppFrame) -> Scene | None:
        assert frame.scheduler is self.scheduler and frame.scheduler.now_ms == frame.timestamp_ms
        assert self.lit == blink_on(frame.timestamp_ms, 400)  # the same blink, from the phase
        self.seen.append(
            (frame.index, frame.timestamp_ms, frame.rgb is None, len(frame.events), self.lit)
        )
        cards = (Card(id="rec", title="REC", state="listening"),) if self.lit else ()
        return replace(self.scene, cards=cards)


def _pngs(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted(folder.glob("frame-*.png"))]


def test_headless_run_writes_n_pngs_and_the_timer_blinks(tmp_path: Path) -> None:
    app = Blinker()
    written = run_headless(app, RunOptions(headless=True, frames=6, out=tmp_path / "f"))
    assert written == 6
    names = sorted(p.name for p in (tmp_path / "f").iterdir())
    assert names == [FRAME_NAME.format(i) for i in range(6)]
    assert [s[1] for s in app.seen] == [0, 100, 200, 300, 400, 500]  # i · 1000 / fps
    assert app.toggles == [(200, 200), (400, 200)]
    frames = [cv2.imread(str(tmp_path / "f" / n)) for n in names]
    assert frames[0].shape == (SIZE[1], SIZE[0], 3)
    same = [np.array_equal(frames[0], f) for f in frames]
    assert same == [True, True, False, False, True, True]  # card on, off, on again
    assert np.abs(frames[0].astype(int) - frames[2].astype(int)).max() > 30


def test_the_same_inputs_twice_give_identical_pngs(tmp_path: Path) -> None:
    apps = []
    for run in ("a", "b"):
        app = Blinker()
        run_headless(app, RunOptions(headless=True, frames=5, out=tmp_path / run))
        apps.append(app)
    assert apps[0].seen == apps[1].seen
    assert _pngs(tmp_path / "a") == _pngs(tmp_path / "b") and len(_pngs(tmp_path / "a")) == 5


def test_an_mp4_has_every_frame_and_no_temp_file_is_left(tmp_path: Path) -> None:
    out = tmp_path / "blink.mp4"
    assert run_headless(Blinker(), RunOptions(headless=True, frames=4, out=out)) == 4
    capture = cv2.VideoCapture(str(out))
    count = 0
    while capture.read()[0]:
        count += 1
    capture.release()
    assert count == 4
    assert [p.name for p in tmp_path.iterdir()] == ["blink.mp4"]


def test_a_run_that_fails_leaves_no_video(tmp_path: Path) -> None:
    class Broken(Blinker):
        def on_frame(self, frame: AppFrame) -> Scene | None:
            if frame.index == 2:
                raise HudError("the app gave up")
            return super().on_frame(frame)

    with pytest.raises(HudError, match="gave up"):
        run_headless(Broken(), RunOptions(headless=True, frames=4, out=tmp_path / "x.mp4"))
    assert list(tmp_path.iterdir()) == []


def test_a_bad_output_is_refused_before_any_work(tmp_path: Path) -> None:
    keep = tmp_path / "mine.mp4"
    keep.write_bytes(b"the user's video")
    with pytest.raises(HudError, match="exists"):
        check_frames_output(keep)
    with pytest.raises(HudError, match="output folder does not exist"):
        check_frames_output(tmp_path / "nodir" / "x.mp4")
    with pytest.raises(HudError, match="a folder or an .mp4"):
        check_frames_output(tmp_path / "x.png")
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(HudError, match="is not a folder"):
        check_frames_output(tmp_path / "file")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / FRAME_NAME.format(0)).write_bytes(b"an earlier run")
    with pytest.raises(HudError, match="already holds frames"):
        check_frames_output(tmp_path / "full")
    app = Blinker()
    with pytest.raises(HudError, match="exists"):
        run_headless(app, RunOptions(headless=True, frames=2, out=keep))
    assert app.seen == [] and keep.read_bytes() == b"the user's video"
    with pytest.raises(OptionsError):
        RunOptions(headless=True)  # no output
    with pytest.raises(OptionsError):
        RunOptions(frames=0)


def _small_video(frames: int) -> Iterator[Frame]:
    with VideoFileSource(VIDEO, max_frames=frames) as source:
        for f in source:
            small = cv2.resize(f.rgb, (320, 180), interpolation=cv2.INTER_AREA)
            yield Frame(f.index, f.timestamp_ms, np.ascontiguousarray(small))


class HandWatcher(HudApp):
    """Tracks hands in the camera frames; counts the poses its handler was sent."""

    profiles = ("orion",)

    def __init__(self) -> None:
        super().__init__()
        self.poses: list[PoseChanged] = []
        self.frames: list[AppFrame] = []

    def on_pose(self, event: PoseChanged) -> None:
        self.poses.append(event)

    def on_frame(self, frame: AppFrame) -> Scene | None:
        self.frames.append(frame)
        return None


def test_camera_frames_are_tracked_and_events_reach_the_handlers() -> None:
    app = HandWatcher()
    with HeadlessRunner(app, _small_video(3)) as runner:
        images = [runner.step() for _ in range(4)]
    assert images[3] is None  # the source ended
    assert all(i is not None and i.shape == (180, 320, 3) for i in images[:3])
    assert [f.timestamp_ms for f in app.frames] == [0, 40, 80]
    assert all(f.rgb is not None and len(f.tracked.hands) == 1 for f in app.frames)
    sent = [e for f in app.frames for e in f.events if isinstance(e, PoseChanged)]
    assert sent and app.poses == sent  # the frame's events, also sent to on_pose


def test_the_readme_app_runs_headless_as_written(tmp_path: Path) -> None:
    """The README's HudApp example, run as a program: a window-less run writes its frames,
    and the blinking dot and the pinch count come out on them."""
    import re
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    readme = (root / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    app_file = tmp_path / "counter.py"
    app_file.write_text(next(b for b in blocks if "hud.HudApp" in b), encoding="utf-8")
    out = tmp_path / "frames"
    argv = [sys.executable, str(app_file), "--headless", "--frames", "4", "--out", str(out)]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    frames = sorted(out.glob("*.png"))
    assert len(frames) == 4
    first = np.asarray(cv2.imread(str(frames[0])))
    assert first.shape[2] == 3 and first.std() > 0  # a world with a lit card on it


def test_an_app_can_light_the_capture_led_but_the_scene_cannot_hide_it() -> None:
    """The LED is drawn by the pipeline after the app's scene: an app sets ``capturing``
    (a photo being taken) and the composite shows it, whatever the scene draws."""
    from hud.app.app import AppLoop, HudApp
    from hud.app.overlays import led_center
    from hud.scene import Card, Scene, World

    class Shutter(HudApp):
        hands = None
        effects = "none"

        def on_frame(self, frame):  # type: ignore[no-untyped-def]
            self.capturing = frame.index == 1
            card = Card(id="c", title="covers the corner", body="x" * 40)
            return Scene(
                profile="orion", world=World(image=None, width=160, height=120), cards=(card,)
            )

    with AppLoop(Shutter(), live=False) as loop:
        x, y, _r = led_center((160, 120))
        lit = []
        for t in (0, 33, 66):
            loop.step(t)
            assert loop.composite is not None
            lit.append(int(loop.composite[y, x].min()))
    assert lit[1] > 240 and lit[0] < 200 and lit[2] < 200  # the white core, only then
