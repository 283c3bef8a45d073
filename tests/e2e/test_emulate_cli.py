"""``hud emulate`` headless on the embedded session: the product end to end (a real photo,
real marker tracking on every frame, the scripted wearer's hand through the real gesture
recognisers, offline answers, the optics) into an MP4 and a per-frame trace."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import expect_error

from hud.cli import main

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict], str]:
    """40 frames (1.3 s): the wearer looks at marker 23 and pinches at 0.8-1.0 s."""
    out = tmp_path_factory.mktemp("emulate")
    video, trace = out / "x.mp4", out / "x.jsonl"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["emulate", "--headless", "--frames", "40", "--out", str(video),
                     "--trace", str(trace)]) == 0  # fmt: skip
    lines = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    return video, lines, buf.getvalue()


def _frames(video: Path) -> list[np.ndarray]:
    import cv2

    cap = cv2.VideoCapture(str(video))
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(bgr[:, :, ::-1])
    cap.release()
    return frames


def test_the_wearer_looks_pinches_and_the_answer_arrives_on_the_marker(run) -> None:
    _video, lines, stdout = run
    assert "wrote 40 frame(s)" in stdout and "1 question(s) asked" in stdout
    assert [r["frame"] for r in lines] == list(range(40))
    assert all("marker-23" in r["objects"] for r in lines)  # tracked in every frame
    events = [(r["frame"], e["name"]) for r in lines for e in r["events"]]
    starts = [f for f, name in events if name == "PinchStart"]
    ends = [f for f, name in events if name == "PinchEnd"]
    assert len(starts) == len(ends) == 1 and starts[0] < ends[0]
    asked = next(r for r in lines if r["cards"])
    assert asked["frame"] == ends[0]  # the pinch's end commits the looked-at marker
    card = asked["cards"][0]
    assert (card["anchor"], card["title"], card["state"]) == ("marker-23", "Printer 3F", "thinking")
    last = lines[-1]["cards"][0]
    assert last["state"] == "done" and last["text"].startswith("Shared printer, third floor.")
    assert lines[-1]["hovered"] == "marker-23"
    assert lines[-1]["sent"] == []  # offline: nothing left the machine
    assert all(r["capture"] for r in lines)  # the frames are being recorded


def test_the_mp4_shows_the_card_and_the_capture_led(run) -> None:
    video, _lines, _ = run
    frames = _frames(video)
    assert len(frames) == 40
    h, w = frames[0].shape[:2]
    from hud.app.overlays import led_center

    x, y, r = led_center((w, h))
    for frame in (frames[0], frames[-1]):
        led = frame[y - r // 2 : y + r // 2, x - r // 2 : x + r // 2].astype(int)
        assert led.min() > 200  # the LED's white core, over any world
    # The card: the display light adds to the world, so the card's text area is brighter
    # at the end than before the question (same world pixels, the head barely moved).
    before, after = frames[20].astype(int), frames[-1].astype(int)
    grew = (after - before).max(axis=2) > 60
    assert grew.sum() > 500


def test_the_run_is_the_same_every_time(run, tmp_path: Path) -> None:
    _, lines, _ = run
    trace = tmp_path / "again.jsonl"
    assert main(["emulate", "--headless", "--frames", "40", "--out", str(tmp_path / "f"),
                 "--trace", str(trace)]) == 0  # fmt: skip
    again = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    strip = lambda rs: [{k: v for k, v in r.items() if k != "timings_ms"} for r in rs]  # noqa: E731
    assert strip(again) == strip(lines)
    assert len(list((tmp_path / "f").glob("*.png"))) == 40


def test_bad_input_is_one_line_and_nothing_is_written(capsys, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "x.mp4"
    assert "--out" in expect_error(capsys, ["emulate", "--headless"])
    expect_error(capsys, ["emulate", "--headless", "--frames", "0", "--out", str(out)])
    expect_error(capsys, ["emulate", "--headless", "--out", str(out), "--profile", "nope"])
    expect_error(capsys, ["emulate", "--headless", "--out", str(out), "--fps", "nan"])
    expect_error(capsys, ["emulate", "--out", str(out)])  # the window writes no --out
    missing = str(tmp_path / "missing.mp4")
    expect_error(capsys, ["emulate", "--headless", "--out", str(out), "--video", missing])
    expect_error(capsys, ["emulate", "--headless", "--out", str(out), "--knowledge", str(tmp_path)])
    assert not out.exists()
    out.write_bytes(b"mine")
    expect_error(capsys, ["emulate", "--headless", "--frames", "2", "--out", str(out)])
    assert out.read_bytes() == b"mine"  # never replaced
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert "headless" in expect_error(capsys, ["emulate"])
    assert os.listdir(tmp_path) == ["x.mp4"]


def test_gaze_from_a_face_the_camera_sees_and_that_face_blurred_in_the_output(
    tmp_path: Path, capsys
) -> None:
    """A webcam facing the wearer: the eyes it sees are the gaze (the trace says where the
    gaze came from, never where it pointed), and that face is blurred in what is saved."""
    import cv2

    photo = ROOT / "tests/data/images/business-person.jpg"
    frames = tmp_path / "frames"
    frames.mkdir()
    for i in range(3):
        (frames / f"f{i}.jpg").write_bytes(photo.read_bytes())
    out, trace = tmp_path / "out", tmp_path / "t.jsonl"
    argv = ["emulate", "--headless", "--images", str(frames), "--gaze", "camera"]
    assert main([*argv, "--out", str(out), "--trace", str(trace)]) == 0
    lines = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    assert [r["gaze_source"] for r in lines] == ["face"] * 3
    assert all("yaw" not in json.dumps(r) for r in lines)  # raw gaze stays in the input layer
    saved = cv2.imread(str(out / "frame-00002.png"), cv2.IMREAD_GRAYSCALE).astype(float)
    source = cv2.imread(str(photo), cv2.IMREAD_GRAYSCALE).astype(float)
    eyes = (slice(250, 420), slice(330, 640))  # the eyes and brows of the portrait

    def detail(img: np.ndarray) -> float:
        return float(np.abs(cv2.Laplacian(img[eyes], cv2.CV_64F)).mean())

    assert detail(saved) < 0.1 * detail(source)
    capsys.readouterr()
    assert "camera" in expect_error(
        capsys, ["emulate", "--headless", "--out", str(tmp_path / "e"), "--gaze", "camera"]
    )


ROOT = Path(__file__).resolve().parents[2]


def test_an_openai_compatible_server_answers_the_pinch_and_the_key_stays_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded session asking a real loopback server (server-sent events): the
    card shows it was sent (↗), streams the server's text, the trace says what went out
    (sizes, host, model) and the key appears nowhere. A failed request, asked again by
    a second pinch, answers."""
    import contextlib
    import io

    from sse_server import Answer, SSEServer, Status

    secret = "sk-test-do-not-print-4242"
    with SSEServer(models=["tiny-vlm"]) as server:
        server.script(Answer(["Shared printer, ", "third floor."]))
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", secret)
        out, trace = tmp_path / "x.mp4", tmp_path / "x.jsonl"
        buf = io.StringIO()
        argv = ["emulate", "--headless", "--frames", "75", "--answers", "openai"]
        with contextlib.redirect_stdout(buf):
            assert main([*argv, "--out", str(out), "--trace", str(trace)]) == 0
        chats = server.chats()
    text = trace.read_text(encoding="utf-8")
    assert secret not in text and secret not in buf.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    card = lines[-1]["cards"][0]
    assert (card["anchor"], card["icon"], card["state"]) == ("marker-23", "↗", "done")
    assert card["text"] == "Shared printer, third floor."
    sent = lines[-1]["sent"][0]
    assert sent["model"] == "tiny-vlm" and sent["image_bytes"] > 0 and "key" not in str(sent)
    assert len(chats) == 1 and chats[0].json["model"] == "tiny-vlm"
    assert chats[0].headers["authorization"] == f"Bearer {secret}"
    del Status  # (the failure cases are the unit tests' and hud ask's)


def test_in_korean_the_question_the_title_and_the_answer_are_korean(tmp_path: Path) -> None:
    trace = tmp_path / "ko.jsonl"
    argv = ["emulate", "--headless", "--frames", "40", "--lang", "ko"]
    assert main([*argv, "--out", str(tmp_path / "f"), "--trace", str(trace)]) == 0
    last = json.loads(trace.read_text(encoding="utf-8").splitlines()[-1])
    card = last["cards"][0]
    assert card["title"] == "3층 프린터" and card["state"] == "done"
    assert card["text"].startswith("3층 공용 프린터.")


def test_a_server_that_goes_silent_never_holds_a_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mid-answer the server says nothing more: every frame is still rendered and
    written, the card shows what came and then its error (the configured timeout)."""
    from sse_server import SSEServer, Stall

    config = tmp_path / "answers.toml"
    config.write_text("[openai]\ntimeout_s = 0.5\nmax_retries = 0\n", encoding="utf-8")
    with SSEServer(models=["tiny-vlm"]) as server:
        server.script(Stall(["Shared printer, "]))
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        trace = tmp_path / "x.jsonl"
        argv = ["emulate", "--headless", "--frames", "75", "--answers", "openai"]
        argv += [
            "--answer-config",
            str(config),
            "--out",
            str(tmp_path / "f"),
            "--trace",
            str(trace),
        ]
        assert main(argv) == 0
    lines = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 75 and len(list((tmp_path / "f").glob("*.png"))) == 75
    states = [r["cards"][0]["state"] for r in lines if r["cards"]]
    assert states[0] == "thinking" and states[-1] == "error"
    assert "streaming" in states  # the first chunk was shown before the silence
    assert "silent" in lines[-1]["cards"][0]["text"]


def test_a_trace_on_a_full_disk_is_one_line_and_no_half_video(capsys, tmp_path: Path) -> None:
    """The trace fills the disk mid-run: one line and exit 2; the MP4 (elsewhere) is not
    published half-made."""
    import contextlib
    import subprocess
    import sys

    if sys.platform != "linux":
        pytest.skip("tmpfs is Linux")
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        with contextlib.suppress(OSError), open(small / "filler", "wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
        out = tmp_path / "x.mp4"
        argv = ["emulate", "--headless", "--frames", "40", "--out", str(out)]
        err = expect_error(capsys, [*argv, "--trace", str(small / "t.jsonl")])
        assert "cannot write the trace" in err, err
        assert not out.exists()
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)
