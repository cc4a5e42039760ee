"""The one interface the serving layer uses to read a release's data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox


@dataclass(frozen=True)
class QueryRequest:
    query: str
    #: the type the answer is serialized in, chosen once by the protocol layer
    #: (tilod.sparql.negotiation): a results type for SELECT / ASK, an RDF type for the others;
    #: None: the client accepts no type this query can have: the store checks the query (a syntax
    #: error is 400, a store down unavailable) and answers 406
    media_type: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: resolves relative IRIs in the query (the protocol lets the service pick it: the endpoint)
    base_iri: str | None = None


@dataclass(frozen=True)
class QueryReply:
    status: int
    media_type: str
    body: bytes


class StoreUnavailable(Exception):
    """The store cannot be reached or did not answer in time (served as 503)."""


class QueryTimeout(Exception):
    """The query ran past the time limit and was stopped."""


class StoreBusy(Exception):
    """Every query worker stayed busy for the whole wait."""


class DataStore(Protocol):
    def describe(self, uri: str) -> list[ox.Triple]:
        """Bounded description of `uri` (see stores/describe.py); empty if unknown."""
        ...

    def select(self, query: str, bindings: Mapping[str, str], base_iri: str | None = None) -> list[dict[str, str]]:
        """Rows of one of tilod's own SELECTs as {variable: value} (unbound variables absent).

        Each variable named in `bindings` is bound to that IRI by the store's own mechanism, never
        by writing the IRI into `query` by hand: either store puts a VALUES block, each IRI checked,
        at each `#VALUES` line of the query (see stores/bindings.py `with_values`). `base_iri` resolves
        the query's relative IRIs. Raises ValueError for a query or an IRI the store refuses (a bug in
        tilod, not the reader's fault).
        """
        ...

    def query(self, request: QueryRequest) -> QueryReply:
        """Run a user's SPARQL query (already checked by the guard) under the time limit."""
        ...

    def healthy(self) -> bool:
        """True when the store answers a trivial query."""
        ...

    def close(self) -> None: ...
