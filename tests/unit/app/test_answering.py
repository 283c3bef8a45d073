"""CardAnswers: streamed answers bound to cards (thinking → streaming → done, or error),
with the offline source run by the real worker, and crops of the camera frame."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sse_server import Answer, Drop, Raw, Reply, SSEServer, Stall, Status

from hud import text as textlib
from hud.answers import AnswerRequest, OfflineAnswerSource
from hud.answers.config import OpenAIAnswerOptions
from hud.answers.offline import KnowledgeEntry
from hud.answers.openai_source import OpenAIAnswerSource
from hud.answers.protocol import ChunkStream
from hud.answers.worker import AnswerWorker
from hud.app.answering import MAX_BODY_CHARS, SENT_ICON, CardAnswers, crop_for
from hud.errors import HudError, OptionsError
from hud.scene import Card, Scene, TrackedObject, World

KNOWLEDGE = """
[answers.parcel]
title = "Parcel"
en = "Delivered today at 11:02 from the corner shop, signed for at the door."
ko = "오늘 11:02 도착, 동네 가게에서 보냄."

[answers.keys]
en = "Car keys, last seen here at 08:14."
"""


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    path = tmp_path / "k.toml"
    path.write_text(KNOWLEDGE, encoding="utf-8")
    return path


def _scene(*cards: Card) -> Scene:
    objects = (
        TrackedObject("parcel", "parcel", (0.28, 0.0, 0.74, 0.23)),
        TrackedObject("keys", "keys", (0.26, 0.15, 0.33, 0.25)),
        TrackedObject("lamp", "lamp", (0.1, 0.5, 0.2, 0.7)),
    )
    return Scene(profile="rayban-display", world=World(image=None), objects=objects, cards=cards)


def _settle(answers: CardAnswers, scene: Scene, until: Callable[[Scene], bool]) -> Scene:
    """Apply updates as they arrive until ``until(scene)``; the waits only bound a hang."""
    for _ in range(200):
        scene = answers.apply(scene) or scene
        if until(scene):
            return scene
        answers.wait(10.0)
    raise AssertionError(f"the cards never got there: {scene.cards}")


def _card(scene: Scene, card_id: str) -> Card:
    return next(c for c in scene.cards if c.id == card_id)


def _state(card_id: str, *states: str) -> Callable[[Scene], bool]:
    return lambda s: _card(s, card_id).state in states


class GatedSource:
    """The offline source paced by the test: each chunk waits for a permit, so the
    states between the first chunk and the last can be looked at."""

    remote = False

    def __init__(self, inner: OfflineAnswerSource) -> None:
        self.inner = inner
        self.permits = threading.Semaphore(0)
        self.cancelled = threading.Event()
        self.finished = threading.Event()

    def release(self, n: int = 1) -> None:
        for _ in range(n):
            self.permits.release()

    def stream(self, request: AnswerRequest, *, on_sent: object = None) -> GatedStream:
        return GatedStream(self, self.inner.stream(request))


class GatedStream:
    sent = None

    def __init__(self, source: GatedSource, inner: ChunkStream) -> None:
        self.source = source
        self.inner = inner

    def __iter__(self) -> Iterator[str]:
        try:
            for chunk in self.inner:
                if not self.source.permits.acquire(timeout=30.0):
                    return
                if self.source.cancelled.is_set():
                    return
                yield chunk
        finally:
            self.source.finished.set()

    def close(self) -> None:
        self.source.cancelled.set()
        self.inner.close()
        self.source.permits.release()


class FloodSource:
    """A hostile source: far more text than any card keeps, in big chunks."""

    remote = False

    def stream(self, request: AnswerRequest, *, on_sent: object = None) -> ChunkStream:
        return ChunkStream("x" * 1000 for _ in range(50))


def test_a_card_thinks_then_streams_then_is_done(knowledge: Path) -> None:
    source = GatedSource(OfflineAnswerSource(knowledge, words_per_chunk=2))
    with CardAnswers(source) as answers:
        asked = Card("q1", "Parcel", body="old text", anchor="parcel", state="done")
        scene = _scene(asked)
        card = answers.ask(asked, answers.request_for(asked, scene, "What is this?"))
        assert (card.state, card.body, card.title) == ("thinking", "", "Parcel")
        scene = _scene(card)
        assert answers.apply(scene) is None  # nothing arrived: nothing to redraw
        assert answers.pending == ("q1",)
        source.release()
        scene = _settle(answers, scene, lambda s: _card(s, "q1").body != "")
        first = _card(scene, "q1")
        assert (first.state, first.body) == ("streaming", "Delivered today ")
        source.release(100)
        scene = _settle(answers, scene, _state("q1", "done"))
        done = _card(scene, "q1")
        assert done.body == "Delivered today at 11:02 from the corner shop, signed for at the door."
        assert done.icon == ""  # answered on this machine: nothing went off it
        assert answers.pending == () and answers.sent_log == ()
        assert answers.apply(scene) is None


def test_an_unknown_object_is_an_error_card_with_a_one_line_reason(knowledge: Path) -> None:
    with CardAnswers(OfflineAnswerSource(knowledge)) as answers:
        asked = Card("q1", "Lamp", anchor="lamp")
        card = answers.ask(asked, answers.request_for(asked, _scene(asked), "What is this?"))
        scene = _settle(answers, _scene(card), _state("q1", "error", "done"))
        failed = _card(scene, "q1")
        assert failed.state == "error"
        assert "lamp" in failed.body and "\n" not in failed.body and len(failed.body) <= 120


def test_dismissing_a_card_cancels_its_request(knowledge: Path) -> None:
    source = GatedSource(OfflineAnswerSource(knowledge, words_per_chunk=1))
    with CardAnswers(source) as answers:
        asked = Card("q1", "Parcel", anchor="parcel")
        card = answers.ask(asked, answers.request_for(asked, _scene(asked), "?"))
        source.release()
        scene = _settle(answers, _scene(card), _state("q1", "streaming"))
        dismissed = replace(scene, cards=(replace(_card(scene, "q1"), state="dismissed"),))
        assert answers.apply(dismissed) is None
        assert answers.pending == ()
        assert source.cancelled.wait(10.0)  # the worker told the source
        source.release(100)
        assert source.finished.wait(10.0)
        answers.wait(0.5)  # whatever the stream still sent is dropped
        assert answers.apply(dismissed) is None
        with pytest.raises(OptionsError, match="no answer was asked"):
            answers.retry("q1")


def test_a_card_removed_from_the_scene_is_cancelled(knowledge: Path) -> None:
    source = GatedSource(OfflineAnswerSource(knowledge))
    with CardAnswers(source) as answers:
        asked = Card("q1", "Parcel", anchor="parcel")
        answers.ask(asked, answers.request_for(asked, _scene(asked), "?"))
        assert answers.apply(_scene()) is None
        assert answers.pending == () and not answers.worker.busy()
        source.release(100)  # had the stream started, it could run to its end now
        assert answers.wait(0.5) is False  # and nothing of it arrives
        assert answers.apply(_scene(asked)) is None


def test_retry_asks_again_after_an_error(knowledge: Path) -> None:
    source = OfflineAnswerSource(dict(OfflineAnswerSource(knowledge).entries))
    with CardAnswers(source) as answers:
        asked = Card("q1", "Lamp", anchor="lamp")
        card = answers.ask(asked, answers.request_for(asked, _scene(asked), "?"))
        scene = _settle(answers, _scene(card), _state("q1", "error"))
        source.entries["lamp"] = KnowledgeEntry("Lamp", {"en": "A desk lamp, switched off."})
        answers.retry("q1")
        assert answers.pending == ("q1",)
        thinking = answers.apply(scene)
        assert thinking is not None and _card(thinking, "q1").state == "thinking"
        assert _card(thinking, "q1").body == ""
        scene = _settle(answers, thinking, _state("q1", "done"))
        assert _card(scene, "q1").body == "A desk lamp, switched off."


def test_two_cards_answer_at_once_each_with_its_own_text(knowledge: Path) -> None:
    with CardAnswers(OfflineAnswerSource(knowledge)) as answers:
        a, b = Card("q1", "Parcel", anchor="parcel"), Card("q2", "Keys", anchor="keys")
        scene = _scene(a, b)
        cards = [answers.ask(c, answers.request_for(c, scene, "?")) for c in (a, b)]
        assert set(answers.pending) == {"q1", "q2"}
        scene = _settle(answers, _scene(*cards), lambda s: all(c.state == "done" for c in s.cards))
        assert _card(scene, "q1").body.startswith("Delivered today at 11:02")
        assert _card(scene, "q2").body == "Car keys, last seen here at 08:14."


def test_korean_requests_get_korean_answers(knowledge: Path) -> None:
    with CardAnswers(OfflineAnswerSource(knowledge), language="ko") as answers:
        asked = Card("q1", "택배 상자", anchor="parcel")
        request = answers.request_for(asked, _scene(asked), "이게 뭐야?")
        assert (request.language, request.object_id, request.label) == ("ko", "parcel", "parcel")
        card = answers.ask(asked, request)
        scene = _settle(answers, _scene(card), _state("q1", "done"))
        assert _card(scene, "q1").body == "오늘 11:02 도착, 동네 가게에서 보냄."
    with pytest.raises(OptionsError, match="language"):
        CardAnswers(OfflineAnswerSource(knowledge), language="fr")


def test_the_body_kept_is_capped_whatever_the_source_sends() -> None:
    with CardAnswers(AnswerWorker(FloodSource())) as answers:
        asked = Card("q1", "Flood")
        card = answers.ask(asked, AnswerRequest("?"))
        scene = _settle(answers, _scene(card), _state("q1", "done", "error"))
        assert len(_card(scene, "q1").body) == MAX_BODY_CHARS


def test_closed_answers_refuse_work_and_close_twice(knowledge: Path) -> None:
    answers = CardAnswers(OfflineAnswerSource(knowledge))
    answers.close()
    answers.close()
    with pytest.raises(OptionsError, match="closed"):
        answers.ask(Card("q1", "x"), AnswerRequest("?"))


def test_the_sent_icon_is_a_glyph_of_both_font_weights() -> None:
    for bold in (False, True):
        glyphs = textlib.shape(SENT_ICON, 20, bold).glyphs
        assert len(glyphs) == 1 and int(glyphs[0]) != 0  # 0 would be the fallback box


# ---------------------------------------------------------------------------- crops
def _frame() -> np.ndarray:
    rgb = np.zeros((100, 200, 3), np.uint8)
    rgb[:, :, 0] = np.arange(200)[None, :]  # red: the column
    rgb[:, :, 1] = np.arange(100)[:, None]  # green: the row
    return rgb


def test_crops_from_normalised_and_pixel_boxes_with_margin() -> None:
    rgb = _frame()
    crop = crop_for(rgb, (0.25, 0.5, 0.5, 1.0), margin=0.0)
    assert crop.shape == (50, 50, 3) and crop[0, 0, 0] == 50 and crop[0, 0, 1] == 50
    same = crop_for(rgb, box_px=(50, 50, 100, 100), margin=0.0)
    assert np.array_equal(crop, same)
    wide = crop_for(rgb, box_px=(50, 50, 100, 100), margin=0.2)  # clipped at the bottom
    assert wide.shape == (60, 70, 3) and wide[0, 0, 0] == 40 and wide[0, 0, 1] == 40
    assert wide.flags["C_CONTIGUOUS"]


def test_a_face_cut_by_the_crop_edge_is_still_found_and_blurred() -> None:
    """Redaction looks at a region around the crop (so the whole face is seen), not the
    whole frame (which costs tens of milliseconds)."""
    import cv2
    from face_scenes import desk_frame, paste_face

    from hud.privacy import FaceRedactor

    image, (fx0, fy0, fx1, fy1) = paste_face(desk_frame(1280, 720), 96, (600.0, 300.0))
    right = (fx0 + fx1) / 2  # the crop's right edge cuts the face in half
    box_px = (right - 200, fy0 - 20, right, fy1 + 20)
    shapes: list[tuple[int, ...]] = []
    with FaceRedactor() as redactor:

        def redact(region: np.ndarray) -> np.ndarray:
            shapes.append(region.shape)
            return redactor.redact(region).image

        crop = crop_for(image, box_px=box_px, margin=0.0, redact=redact)
    raw = crop_for(image, box_px=box_px, margin=0.0)
    half = (slice(20, 20 + round(fy1 - fy0)), slice(round(fx0 - box_px[0]), raw.shape[1]))

    def detail(img: np.ndarray) -> float:
        grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(float)
        return float(np.abs(cv2.Laplacian(grey, cv2.CV_64F)).mean())

    assert detail(crop[half]) < 0.3 * detail(raw[half])
    assert shapes and shapes[0][0] < 720 and shapes[0][1] < 1280  # not the whole frame
    with pytest.raises(HudError, match="redactor"):
        crop_for(_frame(), box_px=(10, 10, 40, 40), redact=lambda f: f[:10])


def test_request_for_carries_the_redacted_crop_of_the_anchor() -> None:
    """The crop is redacted when the request is sent, on the worker's thread (redaction
    costs tens of milliseconds a frame); the frame loop only copies the frame."""
    calls: list[int] = []

    def redact(rgb: np.ndarray) -> np.ndarray:
        calls.append(threading.get_ident())
        return np.zeros_like(rgb)

    with CardAnswers(FloodSource(), redact=redact) as answers:
        card = Card("q1", "Keys", anchor="keys")
        frame = _frame()
        request = answers.request_for(card, _scene(card), "?", frame, margin=0.0)
        assert request.image is None and not calls  # nothing redacted on this thread yet
        frame[:] = 0  # the caller's frame may change after: the request has its copy
        request = request.prepared()
        assert request.image is not None and request.image.shape == (10, 14, 3)
        assert request.image.max() == 0 and request.box == (0.26, 0.15, 0.33, 0.25)
        loose = answers.request_for(Card("q2", "Note"), _scene(), "?", _frame())
        assert loose.image is None and loose.object_id is None
        calls.clear()
        answers.ask(card, answers.request_for(card, _scene(card), "?", _frame()))
        while answers.pending:
            answers.wait(10.0)
        assert calls and threading.get_ident() not in calls  # on the worker's thread


@pytest.mark.parametrize(
    "kwargs",
    [
        {"box": (0.5, 0.1, 0.4, 0.2)},  # inverted
        {"box_px": (250, 0, 300, 10)},  # outside the frame
        {"box_px": (0, 0, float("nan"), 10)},
        {},  # no box
        {"box": (0, 0, 1, 1), "box_px": (0, 0, 1, 1)},  # both
        {"box": (0, 0, 1, 1), "margin": -1.0},
    ],
)
def test_bad_crops_are_options_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(OptionsError):
        crop_for(_frame(), **kwargs)
    with pytest.raises(OptionsError, match="H×W×3"):
        crop_for(np.zeros((4, 4), np.uint8), (0, 0, 1, 1))


# ------------------------------------------------------------- a real loopback server
#: A key distinctive enough that any leak of it is found.
KEY = "sk-wg-CARDS-5b1e9c0d7a3f2468"


@pytest.fixture
def server() -> Iterator[SSEServer]:
    with SSEServer(models=["test-model"]) as s:
        yield s


def _remote(server: SSEServer, **options: object) -> OpenAIAnswerSource:
    settings: dict[str, object] = {
        "base_url": server.base_url,
        "api_key": KEY,
        "model": "test-model",
        "timeout_s": 10.0,
        "max_retries": 0,
    }
    settings.update(options)
    return OpenAIAnswerSource(OpenAIAnswerOptions(**settings))  # type: ignore[arg-type]


def _ask_remote(answers: CardAnswers) -> Scene:
    asked = Card("q1", "Keys", anchor="keys")
    request = answers.request_for(asked, _scene(asked), "Whose keys?", _frame())
    return _scene(answers.ask(asked, request))


def test_a_remote_answer_streams_with_the_sent_icon_and_a_log_without_the_key(
    server: SSEServer,
) -> None:
    server.script(Answer(["Your ", "car ", "keys."]))
    with CardAnswers(_remote(server)) as answers:
        scene = _settle(answers, _ask_remote(answers), _state("q1", "done", "error"))
        card = _card(scene, "q1")
        assert (card.state, card.body, card.icon) == ("done", "Your car keys.", SENT_ICON)
        (record,) = answers.sent_log
        assert (record.card_id, record.attempt) == ("q1", 1)
        assert record.sent["host"] == f"127.0.0.1:{server.port}"
        assert record.sent["model"] == "test-model" and int(record.sent["image_bytes"]) > 0
        assert KEY not in repr(answers.sent_log) and KEY not in repr(scene)
    headers = {k.lower(): v for k, v in server.chats()[0].headers.items()}
    assert headers["authorization"] == f"Bearer {KEY}"  # it went where it belongs


@pytest.mark.parametrize(
    ("reply", "options", "reason"),
    [
        (Status(500, "the model fell over"), {}, "answered 500"),
        (Drop(["Your "]), {}, "lost mid-answer"),
        (Raw(b"data: {not json\n\n"), {}, "malformed"),
        (Answer(["Your "], finish_reason=None, done=False), {}, "cut off"),
        (Stall(), {"timeout_s": 0.5}, "did not answer within 0.5 s"),
    ],
    ids=["status", "dropped", "malformed", "unfinished", "timeout"],
)
def test_a_failed_stream_shows_error_and_a_retry_answers(
    server: SSEServer, reply: Reply, options: dict[str, object], reason: str
) -> None:
    server.script(reply, Answer(["Your ", "car ", "keys."]))
    with CardAnswers(_remote(server, **options)) as answers:
        scene = _settle(answers, _ask_remote(answers), _state("q1", "done", "error"))
        failed = _card(scene, "q1")
        assert failed.state == "error" and reason in failed.body, failed.body
        assert "\n" not in failed.body and KEY not in failed.body
        answers.retry("q1")
        scene = _settle(answers, scene, _state("q1", "done"))
        assert _card(scene, "q1").body == "Your car keys."
        assert [r.attempt for r in answers.sent_log] == [1, 2]


def test_dismissing_a_remote_card_closes_its_connection(server: SSEServer) -> None:
    server.script(Stall(["Your "]))
    with CardAnswers(_remote(server)) as answers:
        scene = _settle(answers, _ask_remote(answers), _state("q1", "streaming"))
        dismissed = replace(scene, cards=(replace(_card(scene, "q1"), state="dismissed"),))
        assert answers.apply(dismissed) is None and answers.pending == ()
        (chat,) = server.wait_for_requests(1)
        assert chat.closed.wait(30.0)  # the cancel reached the wire
