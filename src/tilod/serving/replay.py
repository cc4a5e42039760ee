"""Answers replayed from memory, in front of Flask, and the access log of every answer.

A release never changes, so neither does an answer `http.cacheable` marked (a document, a page,
the service description, with its validators): the status, headers and bytes Flask sent are kept
per release, under everything such an answer depends on (method, path, query string, Accept and
the two validators a conditional GET sends), and the next identical request gets them without
going through Flask (no routing, negotiation, release look-up or rendering). A request with a
Range or another precondition always goes to Flask; so does anything not marked (errors,
searches, SPARQL answers, dumps). A new release starts with none kept (they live in its `memo`).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tilod.serving.access_log import log_answer
from tilod.serving.http import REPLAYABLE
from tilod.serving.release import ReleaseHolder

StartResponse = Callable[..., object]
WsgiApp = Callable[..., Iterable[bytes]]

#: the request headers a marked answer may depend on (Vary: Accept; 304 or not)
KEY_HEADERS = ("HTTP_ACCEPT", "HTTP_ACCEPT_DATETIME", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
#: a request with one of these is answered by Flask (byte ranges, other preconditions)
FLASK_ONLY_HEADERS = ("HTTP_RANGE", "HTTP_IF_RANGE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
MAX_ANSWERS = 4096  # kept per release and web worker (LRU)
MAX_KEPT_BYTES = 64 << 20  # bodies kept in all (most share their bytes with the rendered documents)
MAX_BODY = 1 << 20  # a larger answer is drawn by Flask each time
#: headers the server writes for each answer itself
NOT_KEPT = frozenset({"date"})


@dataclass(frozen=True)
class Answer:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Answers:
    """A bounded LRU of answers (threads of a worker share it)."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Answer | None:
        answer = self._kept.get(key)
        if answer is not None:
            with contextlib.suppress(KeyError):  # evicted meanwhile by another thread: still valid
                self._kept.move_to_end(key)
        return answer

    def put(self, key: tuple, answer: Answer) -> None:
        with self._lock:
            old = self._kept.pop(key, None)
            self._bytes += len(answer.body) - (len(old.body) if old else 0)
            self._kept[key] = answer
            while self._kept and (len(self._kept) > MAX_ANSWERS or self._bytes > MAX_KEPT_BYTES):
                _, evicted = self._kept.popitem(last=False)
                self._bytes -= len(evicted.body)


def replay_key(environ: dict) -> tuple | None:
    """What a marked answer to this request depends on; None: not a request to replay."""
    method = environ.get("REQUEST_METHOD")
    if method not in ("GET", "HEAD") or any(name in environ for name in FLASK_ONLY_HEADERS):
        return None
    return (method, environ.get("PATH_INFO"), environ.get("QUERY_STRING"),
            *(environ.get(name) for name in KEY_HEADERS))


def content_length(headers: Iterable[tuple[str, str]]) -> int | None:
    for name, value in headers:
        if name.lower() == "content-length":
            return int(value) if value.isdigit() else None
    return None


class ReplayMiddleware:
    """WSGI: replay a kept answer, or ask Flask and keep what it marked; log every answer."""

    def __init__(self, app: WsgiApp, holder: ReleaseHolder) -> None:
        self.app = app
        self.holder = holder

    def _answers(self) -> Answers | None:
        """Those of the release, if it is known to be current (else None: Flask's answer will read
        the pointer, or say what is wrong; /health never waits on a store here)."""
        release = self.holder.fresh()
        if release is None:
            return None
        answers = release.memo.get("replay")
        if answers is None:
            answers = release.memo.setdefault("replay", Answers())
        return answers

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        key = replay_key(environ)
        answers = self._answers() if key is not None else None
        answer = answers.get(key) if answers is not None and key is not None else None
        if answer is not None:
            start_response(answer.status, list(answer.headers))
            log_answer(environ, int(answer.status[:3]), content_length(answer.headers), started)
            return [answer.body]

        sent: list = []

        def recording_start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> object:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.app(environ, recording_start_response)
        status, headers = (sent[0], sent[1]) if sent else ("500 INTERNAL SERVER ERROR", [])
        log_answer(environ, int(status[:3]), content_length(headers), started)
        if answers is None or key is None or not environ.get(REPLAYABLE) or status[:3] not in ("200", "304"):
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        if len(data) <= MAX_BODY:
            kept = tuple((name, value) for name, value in headers if name.lower() not in NOT_KEPT)
            answers.put(key, Answer(status, kept, data))
        return [data]
