"""``hud ask`` as a user runs it: a real photo (the desk with ArUco markers), a box, a
question; the answered card rendered through the glasses, exit 0 / 1 / 2."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import expect_error
from hud_process import run_hud as hud
from PIL import Image
from sse_server import Answer, Drop, Reply, SSEServer, Stall, Status

ROOT = Path(__file__).resolve().parents[2]
DESK = ROOT / "demos" / "assets" / "desk.jpg"  # opencv_contrib's ArUco photo, Apache-2.0
#: The parcel and the keys of demos/assets/desk.json, and ArUco marker 23 (bottom centre,
#: on the Ray-Ban Display's patch of the view), in pixels of the 640×480 copy.
PARCEL = "179,0,474,110"
KEYS = "166,72,211,120"
MARKER = "360,308,409,352"
#: A key distinctive enough that any leak of it is found.
KEY = "sk-wg-ASK-0c9b8a7d6e5f4321"
KNOWLEDGE = """
[answers.parcel]
title = "Parcel"
en = "Delivered today at 11:02 from the corner shop."
ko = "오늘 11:02 도착, 동네 가게에서 보냄."

[answers.marker-23]
en = "ArUco marker 23 of the 6x6 dictionary, printed on the sheet."
"""


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """The desk photo at 640×480 (small framebuffers on a software renderer)."""
    path = tmp_path / "desk.png"
    with Image.open(DESK) as im:
        im.convert("RGB").resize((640, 480), Image.Resampling.LANCZOS).save(path)
    (tmp_path / "k.toml").write_text(KNOWLEDGE, encoding="utf-8")
    return path


def _ask(
    desk: Path, *args: str, env: dict[str, str] | None = None, out: str = "card.png"
) -> tuple[int, dict, str]:
    """``hud ask ARGS --image DESK --out OUT --json``: exit status, the JSON, stderr."""
    r = hud(
        "ask",
        *args,
        "--image",
        str(desk),
        "--out",
        str(desk.parent / out),
        "--json",
        env=env,
        without=("OPENAI_API_KEY", "OPENAI_BASE_URL"),
    )
    assert KEY not in r.stdout and KEY not in r.stderr  # whatever happened
    doc = json.loads(r.stdout) if r.stdout.strip() else {}
    return r.returncode, doc, r.stderr


def _added_light(desk: Path) -> tuple[int, int, int, int]:
    """The bounding box of where the render is brighter than the photo: the display's
    light (the lens only dims the world)."""
    shot = np.asarray(Image.open(desk.parent / "card.png").convert("RGB")).astype(int)
    photo = np.asarray(Image.open(desk).convert("RGB")).astype(int)
    assert shot.shape == photo.shape
    ys, xs = np.nonzero((shot - photo).clip(0).sum(axis=2) > 60)
    assert ys.size > 200, "no card light in the render"
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def test_an_offline_answer_is_rendered_beside_its_box(desk: Path) -> None:
    knowledge = str(desk.parent / "k.toml")
    code, doc, err = _ask(
        desk, "What is this?", "--box", MARKER, "--id", "marker-23", "--label", "marker",
        "--knowledge", knowledge,
    )  # fmt: skip
    assert code == 0, err
    card = doc["card"]
    assert (card["state"], card["title"], card["id"]) == ("done", "marker", "marker-23")
    assert card["body"] == "ArUco marker 23 of the 6x6 dictionary, printed on the sheet."
    assert card["shown"][0].endswith("marker") and card["placed"] and card["on_display"]
    assert " ".join(card["shown"][1:]) == card["body"]  # short enough to show whole
    assert card["icon"] == "" and doc["sent"] == [] and doc["profile"] == "rayban-display"
    # The card's light is on the display's patch of the photo, just above the marker.
    x0, y0, x1, y1 = _added_light(desk)
    dx0, dy0, dx1, dy1 = doc["display_px"]
    assert dx0 - 2 <= x0 and y0 >= dy0 - 2 and x1 <= dx1 + 2 and y1 <= dy1 + 2
    bx0, by0, bx1, _ = (int(v) for v in MARKER.split(","))
    assert by0 - 20 <= y1 and x0 < bx1 and x1 > bx0


def test_a_box_off_a_small_display_gets_a_card_pointing_at_it(desk: Path) -> None:
    code, doc, err = _ask(
        desk, "What is this?", "--box", PARCEL, "--id", "parcel", "--knowledge",
        str(desk.parent / "k.toml"),
    )  # fmt: skip
    assert code == 0, err
    assert doc["card"]["placed"] and not doc["card"]["on_display"]
    assert "outside the rayban-display display" in err and err.count("\n") == 1
    code, doc, err = _ask(
        desk, "What is this?", "--box", PARCEL, "--id", "parcel", "--knowledge",
        str(desk.parent / "k.toml"), "--profile", "orion", out="orion.png",
    )  # fmt: skip
    assert code == 0 and doc["card"]["on_display"], err  # Orion's 58° display covers it


def test_a_korean_answer(desk: Path) -> None:
    code, doc, err = _ask(
        desk,
        "이게 뭐야?",
        "--box",
        PARCEL,
        "--id",
        "parcel",
        "--label",
        "택배 상자",
        "--lang",
        "ko",
        "--knowledge",
        str(desk.parent / "k.toml"),
    )
    assert code == 0, err
    assert doc["card"]["body"] == "오늘 11:02 도착, 동네 가게에서 보냄."
    assert doc["card"]["title"] == "택배 상자"


def test_an_unknown_object_exits_1_with_the_error_card_written(desk: Path) -> None:
    code, doc, err = _ask(
        desk, "What is this?", "--box", MARKER, "--id", "lamp", "--knowledge",
        str(desk.parent / "k.toml"),
    )  # fmt: skip
    assert code == 1
    assert doc["card"]["state"] == "error" and "lamp" in doc["card"]["body"]
    assert err.strip().count("\n") == 0 and err.startswith("hud ask: the answer failed: ")
    assert Image.open(desk.parent / "card.png").size == (640, 480)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--image", "{dir}/none.png", "--box", PARCEL], "image not found"),
        (["--box", "600,0,700,100"], "outside the 640×480 image"),
        (["--box", "474,0,179,110"], "x0 < x1"),
        (["--box", "1,2,3"], "four numbers"),
        (["--box", "a,b,c,d"], "four numbers"),
        (["--box", "0,0,nan,5"], "four numbers"),
        (["--box", PARCEL, "--out", "{dir}/desk.png"], "exists"),
        (["--box", PARCEL, "--out", "{dir}/no/such/card.png"], "does not exist"),
        (["--box", PARCEL, "--out", "{dir}/card.jpg"], ".png"),
        (["--box", PARCEL, "--source", "oracle"], "--source must be one of"),
        (["--box", PARCEL, "--knowledge", "{dir}/none.toml"], "not found"),
        (["--box", PARCEL, "--timeout", "0"], "--timeout"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    desk: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    d = str(desk.parent)
    argv = ["ask", "What is this?", "--image", str(desk), "--out", f"{d}/card.png"]
    argv += ["--knowledge", f"{d}/k.toml", "--id", "parcel"]
    argv += [a.replace("{dir}", d) for a in args]
    before = sorted(p.name for p in desk.parent.iterdir())
    err = expect_error(capsys, argv)
    assert expected in err, err
    assert sorted(p.name for p in desk.parent.iterdir()) == before  # nothing written


def test_an_output_folder_this_user_cannot_write_is_exit_2(
    desk: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root ``chmod`` stops nothing, so the refusal is made where the check asks."""
    out = desk.parent / "card.png"
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == desk.parent else real_access(p, mode)
    )
    argv = ["ask", "?", "--image", str(desk), "--box", MARKER, "--out", str(out)]
    assert "cannot write in the output folder" in expect_error(capsys, argv)
    assert not out.exists()


def test_the_offline_source_without_a_knowledge_file_says_so(
    desk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["ask", "?", "--image", str(desk), "--box", PARCEL, "--out", str(desk.parent / "c.png")]
    assert "needs a knowledge file" in expect_error(capsys, argv)
    assert not (desk.parent / "c.png").exists()


# ------------------------------------------------- the openai source, a loopback server
@pytest.fixture
def server() -> Iterator[SSEServer]:
    with SSEServer(models=["test-model"]) as s:
        yield s


def _env(server: SSEServer) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": KEY}


def test_an_openai_answer_is_streamed_sent_and_logged(desk: Path, server: SSEServer) -> None:
    server.script(Answer(["Marker ", "23, ", "printed on paper."]))
    code, doc, err = _ask(
        desk, "What is this?", "--box", MARKER, "--id", "marker-23", "--source", "openai",
        env=_env(server),
    )  # fmt: skip
    assert code == 0, err
    card = doc["card"]
    assert (card["state"], card["body"], card["icon"]) == (
        "done",
        "Marker 23, printed on paper.",
        "↗",
    )
    (sent,) = doc["sent"]
    assert sent["host"] == f"127.0.0.1:{server.port}" and sent["model"] == "test-model"
    assert sent["image_bytes"] > 0 and sent["request_bytes"] > sent["image_bytes"]
    (chat,) = server.chats()
    assert chat.json["model"] == "test-model" and "image_url" in chat.body.decode()
    headers = {k.lower(): v for k, v in chat.headers.items()}
    assert headers["authorization"] == f"Bearer {KEY}"  # the key went only there
    assert Image.open(desk.parent / "card.png").size == (640, 480)


@pytest.mark.parametrize(
    ("reply", "args", "reason"),
    [
        (Drop(["Marker "]), [], "lost mid-answer"),
        (Answer(["Marker "], finish_reason=None, done=False), [], "cut off"),
        (Stall(), ["--timeout", "0.5"], "did not answer within 0.5 s"),
        (Status(401, f"invalid key {KEY}"), [], "refused the API key"),
    ],
    ids=["dropped", "unfinished", "silent", "refused"],
)
def test_a_failed_stream_exits_1_with_the_error_card_written(
    desk: Path, server: SSEServer, reply: Reply, args: list[str], reason: str
) -> None:
    server.script(reply)
    code, doc, err = _ask(
        desk, "What is this?", "--box", MARKER, "--source", "openai", "--model", "test-model",
        *args, env=_env(server),
    )  # fmt: skip
    assert code == 1, err
    assert doc["card"]["state"] == "error" and reason in doc["card"]["body"]
    assert err.startswith("hud ask: the answer failed: ") and err.strip().count("\n") == 0
    assert Image.open(desk.parent / "card.png").size == (640, 480)


def test_bad_openai_settings_are_exit_2(
    desk: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    d = desk.parent
    base = ["ask", "?", "--image", str(desk), "--box", MARKER, "--out", f"{d}/c.png"]
    base += ["--source", "openai"]
    (d / "keyed.toml").write_text(f'[openai]\napi_key = "{KEY}"\n', encoding="utf-8")
    for extra, expected in (
        (["--config", f"{d}/keyed.toml"], "does not belong in a file"),
        (["--base-url", "ftp://example.org"], "base_url"),
        (["--knowledge", f"{d}/k.toml"], "--knowledge is for the offline source"),
    ):
        err = expect_error(capsys, [*base, *extra])
        assert expected in err and KEY not in err
    assert not (d / "c.png").exists()
