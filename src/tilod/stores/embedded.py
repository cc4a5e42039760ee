"""The release's own Oxigraph store, opened read-only: the default, for one machine."""

from __future__ import annotations

import pyoxigraph as ox

from tilod.stores.base import QueryReply, QueryRequest
from tilod.stores.describe import describe
from tilod.stores.query_pool import QueryPool


class EmbeddedStore:
    """Descriptions run in-process (bounded queries); users' queries in killable workers."""

    def __init__(self, path: str, workers: int, timeout: float, max_bytes: int) -> None:
        self.store = ox.Store.read_only(path)
        self.pool = QueryPool(path, workers, timeout, max_bytes)

    def describe(self, uri: str) -> list[ox.Triple]:
        return describe(self.store, uri)

    def query(self, request: QueryRequest) -> QueryReply:
        return self.pool.run(request)

    def healthy(self) -> bool:
        return bool(self.store.query("ASK { ?s ?p ?o }"))

    def close(self) -> None:
        self.pool.close()
