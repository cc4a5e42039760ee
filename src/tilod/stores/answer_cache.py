"""Complete answers to users' SPARQL queries, kept for the release they were computed on.

A release never changes, so the answer to a query (its normalized text, dataset and chosen
media type) is exact until the next release. The answers live in one SQLite file of the
release's folder, shared by every web worker process; the file is bounded in bytes, and the
least recently used answers go first. Only complete answers (status 200) are kept: never an
error, a timeout or a result cut at the size limit. The cache is only ever a shortcut: when
its file cannot be opened or written, queries go to the store as if it were not there.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from pathlib import Path

from tilod.sparql.query_text import stable_text
from tilod.stores.base import QueryReply, QueryRequest

log = logging.getLogger(__name__)

#: a hit refreshes an answer's last use at most this often (seconds): a hit is then a read
#: only, and the order of eviction is the order of use to within this much
TOUCH_AFTER = 1.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY, media_type TEXT NOT NULL, body BLOB NOT NULL, size INTEGER NOT NULL, used REAL NOT NULL);
CREATE INDEX IF NOT EXISTS answers_by_use ON answers (used);
"""


def answer_key(version: str, store: str, request: QueryRequest) -> str | None:
    """What identifies an answer: the release, the store that computed it (two engines may write
    one result differently), the query's normalized text, its dataset, its base and the media
    type chosen; None when the query's answer may change between runs (RAND()...).

    >>> key = answer_key("v1", "embedded", QueryRequest("ASK {}", "text/csv"))
    >>> key == answer_key("v1", "embedded", QueryRequest("ASK  {} # yes", "text/csv"))
    True
    >>> key == answer_key("v2", "embedded", QueryRequest("ASK {}", "text/csv"))
    False
    """
    text = stable_text(request.query)
    if text is None:
        return None
    # each graph IRI was checked to hold no control character (sparql.protocol.graph_uris)
    parts = [version, store, text, request.media_type or "", "\n".join(sorted(request.default_graphs)),
             "\n".join(sorted(request.named_graphs)), request.base_iri or ""]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


class AnswerCache:
    """One release's answers in `path` (SQLite, WAL: readers never wait for a writer)."""

    def __init__(self, path: Path, max_bytes: int, touch_after: float = TOUCH_AFTER) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.touch_after = touch_after
        self._lock = threading.Lock()  # one connection per process, used by one thread at a time
        self._db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(exist_ok=True)
            db = sqlite3.connect(path, timeout=2.0, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a cache: an answer lost at a power cut is recomputed
            db.executescript(SCHEMA)
            self._db = db
        except (OSError, sqlite3.Error) as exc:
            log.warning("answer cache %s off for this release: %s", path, exc)

    def get(self, key: str) -> QueryReply | None:
        if self._db is None:
            return None
        try:
            with self._lock:
                row = self._db.execute("SELECT media_type, body, used FROM answers WHERE key = ?", (key,)).fetchone()
                if row is None:
                    return None
                now = time.time()
                if now - row[2] >= self.touch_after:
                    self._db.execute("UPDATE answers SET used = ? WHERE key = ?", (now, key))
        except sqlite3.Error as exc:
            log.warning("answer cache %s: %s", self.path, exc)
            return None
        return QueryReply(200, row[0], row[1])

    def put(self, key: str, reply: QueryReply) -> None:
        """Keep a complete answer (others are ignored), then evict the least recently used
        answers until the file's answers fit in `max_bytes`."""
        size = len(reply.body) + len(key) + len(reply.media_type)
        if self._db is None or reply.status != 200 or size > self.max_bytes:
            return
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")  # one writer at a time, across processes
                try:
                    self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
                                     (key, reply.media_type, reply.body, size, time.time()))
                    self._evict()
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            log.warning("answer cache %s: %s", self.path, exc)

    def _evict(self) -> None:
        assert self._db is not None
        excess = self._db.execute("SELECT total(size) FROM answers").fetchone()[0] - self.max_bytes
        if excess <= 0:
            return
        doomed = []
        for key, size in self._db.execute("SELECT key, size FROM answers ORDER BY used"):
            doomed.append((key,))
            excess -= size
            if excess <= 0:
                break
        self._db.executemany("DELETE FROM answers WHERE key = ?", doomed)

    def size(self) -> int:
        """Bytes the kept answers take (as counted against `max_bytes`)."""
        if self._db is None:
            return 0
        with self._lock:
            return int(self._db.execute("SELECT total(size) FROM answers").fetchone()[0])

    def close(self) -> None:
        if self._db is not None:
            with self._lock:
                self._db.close()
                self._db = None
