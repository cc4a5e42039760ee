"""A release published to any SPARQL 1.1 Protocol endpoint (Oxigraph server, Fuseki, QLever...).

Each release lives in its own named graph; queries are sent with that graph as their
default graph, so users see exactly one release. Timeouts on every call; a store that is
down raises StoreUnavailable (served as 503), and the next call tries again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pyoxigraph as ox
import requests

from tilod.sparql.guard import keywords
from tilod.sparql.syntax_errors import relative_to
from tilod.stores.base import QueryReply, QueryRequest, QueryTimeout, StoreUnavailable
from tilod.stores.bindings import with_values
from tilod.stores.describe import INBOUND, OUTBOUND, distinct

NOT_ACCEPTABLE = b"none of the Accept header's types is available for this result"
#: how Oxigraph's server ends an answer it stopped at its own limit (`--timeout-s`): status 200,
#: the body cut there and this text
CANCELLED = b"The SPARQL operation has been cancelled"
class RemoteStore:
    def __init__(self, query_url: str, graph: str, timeout: float, max_bytes: int,
                 named_graphs: tuple[str, ...] = ()) -> None:
        self.query_url = query_url
        self.graph = graph
        #: the release's own named graphs (ontology, VoID, changes), offered beside its data
        self.named_graphs = named_graphs
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.session = requests.Session()

    def _post(self, query: str, accept: str | None, graphs: tuple[str, ...] | None = None,
              named: tuple[str, ...] = ()) -> requests.Response:
        """POST a query; `graphs` None: the release's graph as default graph (and its named graphs);
        (): the store's dataset."""
        if graphs is None:
            graphs = (self.graph,) if self.graph else ()
            named = named or self.named_graphs
        data = ([("query", query)] + [("default-graph-uri", g) for g in graphs]
                + [("named-graph-uri", g) for g in named])
        headers = {"Accept": accept} if accept else {}
        try:
            return self.session.post(self.query_url, data=data, headers=headers,
                                     timeout=(3.0, self.timeout), stream=True)
        except requests.Timeout:
            raise QueryTimeout from None
        except requests.RequestException as exc:
            raise StoreUnavailable(f"SPARQL store {self.query_url} unreachable: {type(exc).__name__}") from None

    def _read(self, response: requests.Response) -> bytes:
        body = bytearray()
        try:
            for chunk in response.iter_content(1 << 16):
                body += chunk
                if len(body) > self.max_bytes:
                    response.close()
                    raise OverflowError
        except requests.RequestException as exc:
            raise StoreUnavailable(f"SPARQL store answer broken off: {type(exc).__name__}") from None
        return bytes(body)

    def construct(self, query: str) -> list[ox.Triple]:
        """A description: the release's data and its named graphs read as one (see describe.py)."""
        response = self._post(query, "application/n-triples", (self.graph, *self.named_graphs) if self.graph else ())
        if 400 <= response.status_code < 500:
            return []  # the store will not take this IRI: nothing describes it
        if response.status_code != 200:
            raise StoreUnavailable(f"SPARQL store answered {response.status_code}")
        return [q.triple for q in ox.parse(self._read(response), format=ox.RdfFormat.N_TRIPLES)]

    def describe(self, uri: str) -> list[ox.Triple]:
        try:
            outbound_query, inbound_query = (with_values(q, {"s": uri}) for q in (OUTBOUND, INBOUND))
        except ValueError:  # not an IRI tilod mints: nothing describes it
            return []
        outbound = self.construct(outbound_query)
        if not outbound:
            return []
        return distinct(outbound + self.construct(inbound_query))

    def select(self, query: str, bindings: Mapping[str, str], base_iri: str | None = None) -> list[dict[str, str]]:
        response = self._post(with_values(query, bindings, base_iri), "application/sparql-results+json")
        try:
            body = self._read(response)
        except OverflowError:
            raise ValueError(f"result larger than {self.max_bytes:,} bytes") from None
        if response.status_code >= 500:
            raise StoreUnavailable(f"SPARQL store answered {response.status_code}")
        if response.status_code != 200:
            raise ValueError(f"the store answered {response.status_code}: {body[:300]!r}")
        rows = json.loads(body)["results"]["bindings"]
        return [{name: cell["value"] for name, cell in row.items()} for row in rows]

    def query(self, request: QueryRequest) -> QueryReply:
        # same line, so that only the first line's columns move (and are moved back, below)
        base = f"BASE <{request.base_iri}> " if request.base_iri else ""
        query = base + request.query
        # a dataset named by the request (parameters or FROM) replaces the release's graph
        datasets = request.default_graphs or request.named_graphs or "FROM" in keywords(request.query)
        response = self._post(query, request.media_type, request.default_graphs if datasets else None,
                              request.named_graphs)
        if request.media_type is None and response.status_code == 200:  # the store took the query
            response.close()
            return QueryReply(406, "text/plain", NOT_ACCEPTABLE)
        try:
            body = self._read(response)
        except OverflowError:
            return QueryReply(422, "text/plain", f"result larger than {self.max_bytes:,} bytes".encode())
        if response.status_code >= 500:
            raise StoreUnavailable(f"SPARQL store answered {response.status_code}")
        if response.status_code == 200 and body.rstrip().endswith(CANCELLED):
            raise QueryTimeout  # a cut answer is no answer: never served (nor kept) as one
        if response.status_code == 406:
            return QueryReply(406, "text/plain", NOT_ACCEPTABLE)
        if response.status_code >= 400:
            message = f"SPARQL syntax error or invalid query: {relative_to(body.decode('utf-8', 'replace'), base)}"
            return QueryReply(response.status_code, "text/plain", message.encode())
        media = response.headers.get("Content-Type", "application/octet-stream").split(";")[0].strip()
        return QueryReply(response.status_code, media, body)

    def healthy(self) -> bool:
        try:
            response = self._post("ASK { ?s ?p ?o }", "application/sparql-results+json")
            return response.status_code == 200 and b"true" in self._read(response)
        except (StoreUnavailable, QueryTimeout, OverflowError):
            return False

    def close(self) -> None:
        self.session.close()

    def query_json(self, query: str) -> list[str]:
        """Values of the first variable of a SELECT, for tilod's own small queries."""
        response = self._post(query, "application/sparql-results+json", graphs=())
        if response.status_code != 200:
            raise StoreUnavailable(f"SPARQL store answered {response.status_code}")
        data = response.json()
        var = data["head"]["vars"][0]
        return [b[var]["value"] for b in data["results"]["bindings"] if var in b]
