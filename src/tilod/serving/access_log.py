"""The access log: one JSON object a line on stderr, what log collectors read (under gunicorn too).

Written at the WSGI level (serving/replay.py), so an answer replayed from memory is logged as one
Flask drew. The fields are listed in the README.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime

access_log = logging.getLogger("tilod.access")


def log_to_stderr() -> None:
    if not access_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False


def request_path(environ: dict) -> str:
    """The path as Flask reads it (`request.path`): WSGI's latin-1 text taken back to UTF-8."""
    raw = environ.get("PATH_INFO") or ""
    return "/" + raw.encode("latin-1").decode("utf-8", "replace").lstrip("/")


def log_answer(environ: dict, status: int, length: int | None, started: float) -> None:
    """One line for one answer; `started` is the request's `time.perf_counter()`."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    line = json.dumps({
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "method": environ.get("REQUEST_METHOD"),
        "path": request_path(environ),
        "query": len(environ.get("QUERY_STRING") or ""),
        "status": status,
        "bytes": length,
        "ms": round((time.perf_counter() - started) * 1000, 2),
        "accept": (environ.get("HTTP_ACCEPT") or "")[:100],
        "agent": (environ.get("HTTP_USER_AGENT") or "")[:100],
        "remote": environ.get("REMOTE_ADDR"),
    }, ensure_ascii=False)
    # a record made here, not by `access_log.info`: that one walks the stack to find its caller
    access_log.handle(access_log.makeRecord(access_log.name, logging.INFO, __file__, 0, line, (), None))
