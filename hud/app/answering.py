"""Streamed answers bound to HUD cards: an :class:`~hud.answers.worker.AnswerWorker`'s
updates turned into the cards' life (``thinking`` → ``streaming`` → ``done`` or ``error``).

An app asks about an object and puts the returned card in its scene; every frame it hands
its scene to :meth:`CardAnswers.apply`, which returns the scene with the cards grown, or
``None`` when nothing arrived (an idle app redraws nothing)::

    with CardAnswers(OfflineAnswerSource("knowledge.toml")) as answers:
        card = answers.ask(Card("q1", "Parcel", anchor="parcel"), request)
        scene = replace(scene, cards=(*scene.cards, card))
        ...
        scene = answers.apply(scene) or scene          # in on_frame

The worker runs the sources off the frame loop, so a slow network never stalls a frame.
A card the wearer dismissed (state ``dismissed``) or the app removed has its request
cancelled. Answer text is untrusted: the layout sanitises it, and here the body kept per
card is capped (:data:`MAX_BODY_CHARS`) so a hostile server cannot grow memory without
bound. What was sent off the machine is logged per card (:attr:`CardAnswers.sent_log`,
for an app's trace), never a credential; such a card carries :data:`SENT_ICON`.
Nothing here reads a clock.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from hud.answers import AnswerError, AnswerRequest, AnswerSource
from hud.answers.worker import AnswerUpdate, AnswerWorker
from hud.errors import HudError, OptionsError, quote
from hud.scene import Card, Scene

#: The most characters of an answer kept per card: more than a glance ever shows (the
#: layout reads at most 1,000), so the cap is never visible, and memory stays bounded.
MAX_BODY_CHARS = 4000
#: The most characters of an error's reason shown on its card (one line).
MAX_REASON_CHARS = 120
#: Drawn before the title of a card whose request went off the machine (U+2197, "north
#: east arrow": both weights of the bundled NanumSquareRound have it).
SENT_ICON = "↗"
#: Records kept in :attr:`CardAnswers.sent_log` (the oldest go first).
SENT_LOG_LIMIT = 256
#: Names never copied from a "sent" mapping into the log, whatever a source reports.
_SECRET_NAMES = frozenset({"api_key", "apikey", "key", "authorization", "token", "password"})

Redactor = Callable[[npt.NDArray[np.uint8]], npt.NDArray[np.uint8]]


@dataclass(frozen=True)
class SentRecord:
    """What one request sent off the machine (sizes, host, model), for an app's trace."""

    card_id: str
    #: 1 for the first ask of the card, 2 for its first retry, ...
    attempt: int
    sent: Mapping[str, object]


@dataclass
class _Job:
    """One card's request and what has arrived for it so far."""

    card_id: str
    request: AnswerRequest
    icon: str  # the app's own icon, shown until the request is sent off the machine
    key: str = ""
    attempt: int = 0
    state: str = "thinking"
    body: str = ""
    sent: bool = False

    @property
    def running(self) -> bool:
        return self.state in ("thinking", "streaming")

    def shown(self, card: Card) -> Card:
        """``card`` as this job says it stands now."""
        icon = SENT_ICON if self.sent else self.icon
        if (card.state, card.body, card.icon) == (self.state, self.body, icon):
            return card
        return replace(card, state=self.state, body=self.body, icon=icon, stream=())


class CardAnswers:
    """The glue between an answer worker and the cards of a scene; a context manager.

    ``worker_or_source``: an :class:`AnswerWorker`, or a source to run in a new one. What
    is given is closed with this object: the worker, and a source given directly (when it
    has a ``close``; a worker's source stays its caller's). ``language`` (``"en"`` or ``"ko"``) is the
    language of the requests :meth:`request_for` builds; ``redact`` (any rgb → rgb
    callable, such as a face redactor) is applied to every camera frame before a crop of
    it goes into a request.
    """

    def __init__(
        self,
        worker_or_source: AnswerWorker | AnswerSource,
        *,
        language: str = "en",
        redact: Redactor | None = None,
    ) -> None:
        if language not in ("en", "ko"):
            raise OptionsError(f"language must be 'en' or 'ko', got {quote(language)}")
        #: The source this object closes (one it was given directly), else None.
        self._own_source: AnswerSource | None = None
        if isinstance(worker_or_source, AnswerWorker):
            self.worker = worker_or_source
        else:
            self.worker = AnswerWorker(worker_or_source)
            self._own_source = worker_or_source
        self.language = language
        self.redact = redact
        self._jobs: dict[str, _Job] = {}
        self._by_key: dict[str, _Job] = {}
        self._keys = itertools.count(1)
        self._sent: deque[SentRecord] = deque(maxlen=SENT_LOG_LIMIT)
        self._closed = False

    # ------------------------------------------------------------------ asking
    def request_for(
        self,
        card: Card,
        scene: Scene,
        question: str,
        rgb: npt.NDArray[np.uint8] | None = None,
        *,
        margin: float = 0.1,
    ) -> AnswerRequest:
        """A request about the object ``card`` is anchored to: its id, label and box
        from ``scene``, and with a camera frame its crop (redacted, see :func:`crop_for`),
        made on the answer worker's thread when the request is sent: the frame loop only
        pays for a copy of the frame."""
        obj = scene.object_by_id(card.anchor) if card.anchor else None
        image_source = None
        if obj is not None and rgb is not None:
            frame, box, redact = np.array(rgb, dtype=np.uint8, copy=True), obj.box, self.redact
            crop_for(frame, box, margin=margin)  # a bad box or frame says so now

            def image_source() -> npt.NDArray[np.uint8]:
                return crop_for(frame, box, margin=margin, redact=redact)

        return AnswerRequest(
            question=question,
            object_id=card.anchor,
            label=None if obj is None else obj.label,
            box=None if obj is None else obj.box,
            language=self.language,
            image_source=image_source,
        )

    def known_title(self, request: AnswerRequest) -> str | None:
        """The source's own name for the object, in the request's language, when it has
        one (an offline source knows "Printer 3F" where a tracker knows "marker 23")."""
        lookup = getattr(self.worker.source, "lookup", None)
        if lookup is None:
            return None
        try:
            entry = lookup(request)
        except AnswerError:
            return None  # the source says so itself when it answers
        title_in = getattr(entry, "title_in", None)
        return str(title_in(request.language) if title_in else entry.title)

    def ask(self, card: Card, request: AnswerRequest) -> Card:
        """Start ``request`` in the background and return ``card`` as it shows meanwhile:
        ``thinking``, with an empty body. A request already running for this card id is
        cancelled first. Put the returned card in the scene given to :meth:`apply`."""
        self._check_open()
        old = self._jobs.get(card.id)
        if old is not None:
            self._stop(old)
        job = _Job(card.id, request, card.icon, attempt=0 if old is None else old.attempt)
        self._jobs[card.id] = job
        self._start(job)
        return job.shown(card)

    def retry(self, card_id: str) -> None:
        """Ask a card's last request again (after an error, say): the card shows
        ``thinking`` from the next :meth:`apply` on."""
        self._check_open()
        job = self._job(card_id)
        self._stop(job)
        job.state, job.body, job.sent = "thinking", "", False
        self._start(job)

    def cancel(self, card_id: str, reason: str = "cancelled") -> None:
        """Stop a card's request; the card shows ``error`` with ``reason`` (a timeout the
        app decided, say). A finished card is left as it is."""
        job = self._job(card_id)
        if job.running:
            self._stop(job)
            job.state, job.body = "error", _one_line(reason)

    # ------------------------------------------------------------------ updates
    def apply(self, scene: Scene) -> Scene | None:
        """The scene with every card that has news updated, or ``None`` when nothing
        changed. Requests of cards dismissed or no longer in ``scene`` are cancelled."""
        self._check_open()
        present = {c.id: c for c in scene.cards}
        for card_id, job in list(self._jobs.items()):
            card = present.get(card_id)
            if card is None or card.state == "dismissed":
                self._stop(job)
                del self._jobs[card_id]
        self._take(self.worker.poll())
        cards = tuple(self._jobs[c.id].shown(c) if c.id in self._jobs else c for c in scene.cards)
        if all(a is b for a, b in zip(cards, scene.cards)):
            return None
        return replace(scene, cards=cards)

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until an update arrives (or ``timeout_s`` passes); whether one did. For
        a caller without a frame loop (``hud ask``); :meth:`apply` then shows it."""
        self._check_open()
        updates = self.worker.wait(timeout_s)
        self._take(updates)
        return bool(updates)

    @property
    def pending(self) -> tuple[str, ...]:
        """Ids of the cards whose answer is still coming (``thinking`` or ``streaming``)."""
        return tuple(cid for cid, job in self._jobs.items() if job.running)

    @property
    def sent_log(self) -> tuple[SentRecord, ...]:
        """What went off the machine, per card and attempt, oldest first (the last
        :data:`SENT_LOG_LIMIT`): sizes, host, model; never a key."""
        return tuple(self._sent)

    # ------------------------------------------------------------------ internals
    def _start(self, job: _Job) -> None:
        job.attempt += 1
        job.key = f"{job.card_id}#{next(self._keys)}"  # stale updates of a retry are told apart
        self._by_key[job.key] = job
        self.worker.ask(job.key, job.request)

    def _stop(self, job: _Job) -> None:
        if self._by_key.pop(job.key, None) is not None:
            self.worker.cancel(job.key)

    def _job(self, card_id: str) -> _Job:
        job = self._jobs.get(card_id)
        if job is None:
            known = ", ".join(quote(c) for c in self._jobs) or "none"
            raise OptionsError(f"no answer was asked for card {quote(card_id)} (asked: {known})")
        return job

    def _take(self, updates: list[AnswerUpdate]) -> None:
        for update in updates:
            job = self._by_key.get(update.key)
            if job is None or not job.running:  # a cancelled or superseded request's
                continue
            if update.kind == "sent":
                job.sent = True
                self._sent.append(SentRecord(job.card_id, job.attempt, _public(update.sent)))
            elif update.kind == "chunk":
                if len(job.body) < MAX_BODY_CHARS:
                    job.body = (job.body + update.text)[:MAX_BODY_CHARS]
                job.state = "streaming"
            elif update.kind == "done":
                job.state = "done"
                self._by_key.pop(job.key, None)
            elif update.kind == "error":
                job.state, job.body = "error", _one_line(update.text or "no answer")
                self._by_key.pop(job.key, None)

    def _check_open(self) -> None:
        if self._closed:
            raise OptionsError("these card answers are closed")

    # ------------------------------------------------------------------ lifetime
    def close(self) -> None:
        """Cancel every request and close the worker; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for job in self._jobs.values():
            self._stop(job)
        self.worker.close()
        close = getattr(self._own_source, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> CardAnswers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: How much of the frame around a crop redaction looks at, in the crop's larger side on
#: each side: a face cut by the crop's edge lies mostly inside it.
REDACT_CONTEXT = 0.75


def crop_for(
    rgb: npt.NDArray[np.uint8],
    box: tuple[float, float, float, float] | None = None,
    *,
    box_px: tuple[float, float, float, float] | None = None,
    margin: float = 0.1,
    redact: Redactor | None = None,
) -> npt.NDArray[np.uint8]:
    """The object's crop of a camera frame: what a source may send about it.

    Give the box normalised (``box``, a scene object's) or in pixels (``box_px``);
    ``margin`` widens it by that fraction of its size on each side (context helps a
    model), clipped to the frame. ``redact`` runs on a region around the crop (the crop
    and :data:`REDACT_CONTEXT` of its larger side again on each side) before it is cut,
    so a face at the crop's edge is still found whole and blurred, for far less than a
    whole frame costs.
    """
    frame = np.asarray(rgb)
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3 or 0 in frame.shape:
        raise OptionsError(f"a frame must be H×W×3 uint8 RGB, got {frame.shape} {frame.dtype}")
    if (box is None) == (box_px is None):
        raise OptionsError("give exactly one of a normalised box and a pixel box")
    if not (np.isfinite(margin) and 0.0 <= margin <= 2.0):
        raise OptionsError(f"margin must be 0 to 2, got {margin}")
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = (float(v) for v in (box_px if box is None else box))  # type: ignore[union-attr]
    if box is not None:
        x0, y0, x1, y1 = x0 * w, y0 * h, x1 * w, y1 * h
    if not (all(np.isfinite((x0, y0, x1, y1))) and x0 < x1 and y0 < y1):
        raise OptionsError(f"a box must have x0 < x1 and y0 < y1, got {(x0, y0, x1, y1)}")
    mx, my = (x1 - x0) * margin, (y1 - y0) * margin
    c0, r0 = max(0, int(np.floor(x0 - mx))), max(0, int(np.floor(y0 - my)))
    c1, r1 = min(w, int(np.ceil(x1 + mx))), min(h, int(np.ceil(y1 + my)))
    if c0 >= c1 or r0 >= r1:
        raise OptionsError(f"the box {(x0, y0, x1, y1)} lies outside the {w}×{h} frame")
    if redact is None:
        return np.ascontiguousarray(frame[r0:r1, c0:c1])
    pad = round(REDACT_CONTEXT * max(c1 - c0, r1 - r0))
    a0, b0, a1, b1 = max(0, c0 - pad), max(0, r0 - pad), min(w, c1 + pad), min(h, r1 + pad)
    region = np.ascontiguousarray(frame[b0:b1, a0:a1])
    hidden = np.asarray(redact(region))
    if hidden.shape != region.shape or hidden.dtype != np.uint8:
        raise HudError(f"the redactor returned a {hidden.shape} {hidden.dtype} image")
    return np.ascontiguousarray(hidden[r0 - b0 : r1 - b0, c0 - a0 : c1 - a0])


def _one_line(text: str) -> str:
    """A reason fit for a card: one line, at most :data:`MAX_REASON_CHARS` characters."""
    line = " ".join(str(text).split())
    if len(line) > MAX_REASON_CHARS:
        line = line[: MAX_REASON_CHARS - 1] + "…"
    return line or "no answer"


def _public(sent: Mapping[str, object]) -> Mapping[str, object]:
    """A "sent" mapping without anything named like a credential (defence in depth: the
    worker never reports the key)."""
    kept = {str(k): v for k, v in sent.items() if str(k).lower() not in _SECRET_NAMES}
    return MappingProxyType(kept)


__all__ = ["MAX_BODY_CHARS", "SENT_ICON", "CardAnswers", "Redactor", "SentRecord", "crop_for"]
