"""A query worker process: runs one SPARQL query at a time on the release's store.

It lives in its own process so that a runaway query can be stopped for real: the web
process kills it at the time limit (no engine here can interrupt a query from inside).
Results are serialized here, into a buffer that refuses to grow past the size limit.
"""

from __future__ import annotations

import io
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from tilod.sparql.media_types import RDF_FORMATS, RESULT_FORMATS
from tilod.stores.base import QueryReply, QueryRequest


class ResultTooLarge(Exception):
    pass


class BoundedBuffer(io.RawIOBase):
    def __init__(self, limit: int) -> None:
        self.buffer = bytearray()
        self.limit = limit

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += data
        if len(self.buffer) > self.limit:
            raise ResultTooLarge
        return len(data)


def _text(status: int, message: str) -> QueryReply:
    return QueryReply(status, "text/plain", message.encode("utf-8"))


def run_query(store: ox.Store, request: QueryRequest, max_bytes: int) -> QueryReply:
    """Evaluate and serialize; every failure becomes a reply with a 4xx status and a message."""
    options: dict = {"base_iri": request.base_iri}
    if request.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    if request.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    try:
        result = store.query(request.query, **options)
    except SyntaxError as exc:
        return _text(400, f"SPARQL syntax error: {exc}")
    except (ValueError, TypeError) as exc:
        return _text(400, f"invalid query or dataset: {exc}")
    formats: dict[str, Any] = RDF_FORMATS if isinstance(result, ox.QueryTriples) else RESULT_FORMATS
    media = request.media_type
    if media is None or media not in formats:  # the client accepts none of this result's types
        return _text(406, f"none of the Accept header's types is available; this result is in: {', '.join(formats)}")
    entry = formats[media]
    fmt = entry[1] if isinstance(entry, tuple) else entry
    buffer = BoundedBuffer(max_bytes)
    try:
        # the engine writes many small pieces: buffer them in C, check the size per 64 KiB
        with io.BufferedWriter(buffer, buffer_size=1 << 16) as writer:
            result.serialize(writer, format=fmt)
    except ResultTooLarge:
        return _text(422, f"result larger than {max_bytes:,} bytes: add a LIMIT or narrow the query")
    except OSError as exc:
        if isinstance(exc.__context__, ResultTooLarge) or "ResultTooLarge" in repr(exc):
            return _text(422, f"result larger than {max_bytes:,} bytes: add a LIMIT or narrow the query")
        return _text(400, f"query evaluation failed: {exc}")
    except (ValueError, TypeError, SyntaxError) as exc:
        return _text(400, f"query evaluation failed: {exc}")
    return QueryReply(200, media, bytes(buffer.buffer))


def worker_main(conn: Connection, store_path: str, max_bytes: int) -> None:
    """Loop: receive a QueryRequest, send back a QueryReply; exit when the parent goes away."""
    store = ox.Store.read_only(store_path)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = run_query(store, request, max_bytes)
        except Exception as exc:  # noqa: BLE001 - a worker must answer, whatever the engine raised
            reply = _text(400, f"query evaluation failed: {type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
