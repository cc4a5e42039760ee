"""The W3C SPARQL 1.1 Protocol test suite (tests/serving/w3c-protocol/), run against the real server.

Each test of the suite's manifest is one test here, named after it. The requests are read
from the manifest and sent as written (method, path and query string, headers, body in its
declared character encoding), with the manifest's `/sparql/` replaced by the server's
endpoint. Where tilod deliberately differs from what a suite test expects, the test says so
and asserts what tilod does instead:

* Datasets. Several query tests expect the endpoint to hold the suite's graphs (data1-3.nt)
  under their kasei.us names and to use them when `default-graph-uri`, `named-graph-uri` or
  FROM names them. tilod serves one release and never fetches or loads anything, so those
  names denote empty graphs: the protocol part (status, result format) is checked as the
  suite says, and the answer is the one the *empty* dataset gives (false).
* Updates. tilod is read-only: every `update_*` request must be refused with 403, the
  follow-up ASK (which expects the update's effect) must be false, and the store's triple
  count must not change. The `bad_update_*` tests expect a 4xx and get one (403 or 415).
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import requests
from helpers import media_type
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

SUITE = Path(__file__).parent / "w3c-protocol"
MANIFEST_URI = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
TEST = Namespace(MANIFEST_URI + "#")
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"
TIMEOUT = 20

#: media types per mf:expectedFormat (the suite names XML, JSON, CSV, TSV, RDF/XML, Turtle,
#: N-Triples and RDFa; JSON-LD is an RDF syntax too)
FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {"application/sparql-results+json", "application/sparql-results+xml",
                "text/csv", "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples",
            "application/ld+json"},
}
RDFLIB_FORMATS = {"application/rdf+xml": "xml", "text/turtle": "turtle",
                  "application/n-triples": "nt", "application/ld+json": "json-ld"}


@dataclass(frozen=True)
class SuiteRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected_status: frozenset[int]  # status classes: 2, 3, 4
    expected_format: str | None
    expected_boolean: bool | None

    def send(self, server) -> requests.Response:
        assert self.path.startswith("/sparql/")
        url = server.sparql + self.path[len("/sparql/"):]
        return requests.request(self.method, url, headers=self.headers, data=self.body,
                                timeout=TIMEOUT, allow_redirects=False)


@cache
def manifest() -> Graph:
    return Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID=MANIFEST_URI)


def entries() -> list[str]:
    g = manifest()
    head = g.value(g.value(predicate=RDF.type, object=MF.Manifest), MF.entries)
    return [str(e)[len(TEST):] for e in Collection(g, head)]


@cache
def suite_requests(name: str) -> tuple[SuiteRequest, ...]:
    """The HTTP requests of one suite test, in order, with what the suite expects of each."""
    g = manifest()
    action = g.value(TEST[name], MF.action)
    out = []
    for node in Collection(g, g.value(action, HT.requests)):
        headers = {}
        header_list = g.value(node, HT.headers)
        if header_list is not None:
            for header in Collection(g, header_list):
                headers[str(g.value(header, HT.fieldName))] = str(g.value(header, HT.fieldValue))
        body = g.value(node, HT.body)
        data = None
        if body is not None:
            encoding = str(g.value(body, CNT.characterEncoding) or "UTF-8")
            data = str(g.value(body, CNT.chars)).encode(encoding)
        response = g.value(node, HT.resp)
        statuses = {int(str(s)[len(HTS) + len("StatusCode")])
                    for s in g.objects(response, MF.expectedStatus)}
        fmt = g.value(response, MF.expectedFormat)
        boolean = g.value(response, MF.expectedBoolean)
        out.append(SuiteRequest(
            method=str(g.value(node, HT.methodName)), path=str(g.value(node, HT.absolutePath)),
            headers=headers, body=data, expected_status=frozenset(statuses),
            expected_format=str(fmt) if fmt is not None else None,
            expected_boolean=boolean.toPython() if boolean is not None else None,
        ))
    return tuple(out)


def graph_data(name: str) -> list[tuple[str, Path]]:
    """(graph name, file) of the data a suite test expects the endpoint to hold."""
    g = manifest()
    return [(str(g.value(d, RDFS.label)), SUITE / Path(str(g.value(d, UT.graph))).name)
            for d in g.objects(TEST[name], UT.graphData)]


def read_boolean(response: requests.Response) -> bool:
    media = media_type(response)
    if media == "application/sparql-results+json":
        value = json.loads(response.content)["boolean"]
        assert isinstance(value, bool)
        return value
    assert media == "application/sparql-results+xml", media
    text = ET.fromstring(response.content).find(SPARQL_RESULTS + "boolean").text
    assert text in ("true", "false")
    return text == "true"


def check_well_formed(response: requests.Response, expected_format: str) -> None:
    """The response is in one of the formats the suite allows, and parses as such."""
    media = media_type(response)
    assert media in FORMATS[expected_format], media
    if expected_format == "boolean":
        read_boolean(response)
    elif expected_format == "tabular":
        if media == "application/sparql-results+json":
            assert "bindings" in json.loads(response.content)["results"]
        elif media == "application/sparql-results+xml":
            assert ET.fromstring(response.content).find(SPARQL_RESULTS + "results") is not None
        else:
            assert response.content.strip()  # a header line at least
    else:
        Graph().parse(data=response.content, format=RDFLIB_FORMATS[media])


def run_as_specified(server, name: str) -> list[requests.Response]:
    """Send every request of a suite test and check each response exactly as the suite says."""
    responses = []
    for spec in suite_requests(name):
        response = spec.send(server)
        assert response.status_code // 100 in spec.expected_status, (name, response.status_code,
                                                                       response.text)
        if spec.expected_format is not None:
            check_well_formed(response, spec.expected_format)
        if spec.expected_boolean is not None:
            assert read_boolean(response) is spec.expected_boolean
        responses.append(response)
    return responses


def run_on_empty_dataset(server, name: str) -> None:
    """A query test whose dataset names the suite's remote graphs: tilod neither fetches nor
    holds them, so the ASK that the suite expects to be true is false; the rest holds."""
    (spec,) = suite_requests(name)
    assert spec.expected_boolean is True and spec.expected_format == "boolean"
    assert graph_data(name), "the suite test declares the data it expects"
    response = spec.send(server)
    assert response.status_code // 100 in spec.expected_status, response.text
    check_well_formed(response, "boolean")
    assert read_boolean(response) is False
    # and the suite's data really is absent from the store, under any graph
    for _, path in graph_data(name):
        for s, p, o in Graph().parse(path, format="nt"):
            ask = f"ASK {{ {{ <{s}> <{p}> <{o}> }} UNION {{ GRAPH ?g {{ <{s}> <{p}> <{o}> }} }} }}"
            answer = requests.get(server.sparql, params={"query": ask}, timeout=TIMEOUT)
            assert answer.json()["boolean"] is False


def triple_count(server) -> int:
    response = requests.get(server.sparql, timeout=TIMEOUT, params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def run_refused_update(server, name: str, status: int = 403) -> None:
    """An update test: the update is refused, nothing changes, the follow-up ASK is false."""
    before = triple_count(server)
    update, *follow_ups = suite_requests(name)
    assert update.method == "POST"
    assert 2 in update.expected_status  # the suite expects the update to succeed...
    response = update.send(server)
    assert response.status_code == status, response.text  # ...a read-only endpoint refuses it
    assert "read-only" in response.text
    for spec in follow_ups:  # the suite's checks of the update's effect
        assert spec.expected_boolean is True
        answer = spec.send(server)
        assert answer.status_code == 200, answer.text
        check_well_formed(answer, spec.expected_format)
        assert read_boolean(answer) is False
    assert triple_count(server) == before


def run_bad_request(server, name: str, status: int) -> requests.Response:
    """A bad_* test: the suite expects some 4xx; tilod's exact status is pinned here."""
    (spec,) = suite_requests(name)
    assert spec.expected_status == {4}
    before = triple_count(server)
    response = spec.send(server)
    assert response.status_code == status, response.text
    assert response.text.strip()  # with a message saying why
    assert triple_count(server) == before
    return response


# -- the manifest itself -----------------------------------------------------------------------

def test_every_suite_test_has_a_test_here():
    names = entries()
    assert len(names) == 34
    module = sys.modules[__name__]
    missing = [n for n in names if not callable(getattr(module, f"test_{n}", None))]
    assert missing == []


# -- query tests -------------------------------------------------------------------------------

def test_query_post_form(server):
    # the default-graph-uri names an unknown (empty) graph; ASK {} is true on any dataset
    run_as_specified(server, "query_post_form")


def test_query_dataset_default_graphs_get(server):
    run_on_empty_dataset(server, "query_dataset_default_graphs_get")


def test_query_dataset_default_graphs_post(server):
    run_on_empty_dataset(server, "query_dataset_default_graphs_post")


def test_query_dataset_named_graphs_post(server):
    run_on_empty_dataset(server, "query_dataset_named_graphs_post")


def test_query_dataset_named_graphs_get(server):
    run_on_empty_dataset(server, "query_dataset_named_graphs_get")


def test_query_dataset_full(server):
    run_on_empty_dataset(server, "query_dataset_full")


def test_query_multiple_dataset(server):
    # the suite checks that named-graph-uri overrides the query's FROM; both name graphs tilod
    # does not hold, so the answer is that of an empty dataset
    run_on_empty_dataset(server, "query_multiple_dataset")
    # what can be checked on tilod's data: a FROM naming an unknown graph really replaces the
    # store's default graph (it is not added to it), so nothing is found through it
    territory = "http://localhost:8000/id/territoire/2023-2027/ti-3208"
    with_from = f"ASK FROM <urn:x-tilod:nothing> {{ <{territory}> ?p ?o }}"
    assert requests.get(server.sparql, params={"query": with_from},
                        timeout=TIMEOUT).json()["boolean"] is False
    without = requests.get(server.sparql, params={"query": f"ASK {{ <{territory}> ?p ?o }}"},
                           timeout=TIMEOUT)
    assert without.json()["boolean"] is True


def test_query_get(server):
    run_as_specified(server, "query_get")


def test_query_content_type_select(server):
    (response,) = run_as_specified(server, "query_content_type_select")
    assert response.json()["results"]["bindings"] == [
        {"value": {"type": "literal", "value": "1",
                   "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]


def test_query_content_type_ask(server):
    (response,) = run_as_specified(server, "query_content_type_ask")
    assert read_boolean(response) is True


def test_query_content_type_describe(server):
    # DESCRIBE of an IRI the dataset does not mention: an empty, well-formed graph
    (response,) = run_as_specified(server, "query_content_type_describe")
    assert len(Graph().parse(data=response.content, format="turtle")) == 0


def test_query_content_type_construct(server):
    # the query uses relative IRIs (<s>, <p>): they resolve against the endpoint's URI
    (response,) = run_as_specified(server, "query_content_type_construct")
    graph = Graph().parse(data=response.content, format="turtle")
    assert {(str(s), str(p), o.toPython()) for s, p, o in graph} == {
        ("http://localhost:8000/s", "http://localhost:8000/p", 1)}


def test_query_post_direct(server):
    run_as_specified(server, "query_post_direct")


# -- update tests: refused by a read-only endpoint -----------------------------------------------

def test_update_dataset_default_graph(server):
    run_refused_update(server, "update_dataset_default_graph")


def test_update_dataset_default_graphs(server):
    run_refused_update(server, "update_dataset_default_graphs")


def test_update_dataset_named_graphs(server):
    run_refused_update(server, "update_dataset_named_graphs")


def test_update_dataset_full(server):
    run_refused_update(server, "update_dataset_full")


def test_update_post_form(server):
    run_refused_update(server, "update_post_form")


def test_update_post_direct(server):
    run_refused_update(server, "update_post_direct")


def test_update_base_uri(server):
    run_refused_update(server, "update_base_uri")


# -- bad requests ------------------------------------------------------------------------------

def test_bad_query_method(server):
    response = run_bad_request(server, "bad_query_method", 405)  # PUT
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET", "POST"}


def test_bad_multiple_queries(server):
    response = run_bad_request(server, "bad_multiple_queries", 400)
    assert "once" in response.text


def test_bad_query_wrong_media_type(server):
    run_bad_request(server, "bad_query_wrong_media_type", 415)  # text/plain


def test_bad_query_missing_form_type(server):
    run_bad_request(server, "bad_query_missing_form_type", 415)  # no Content-Type at all


def test_bad_query_missing_direct_type(server):
    run_bad_request(server, "bad_query_missing_direct_type", 415)


def test_bad_query_non_utf8(server):
    response = run_bad_request(server, "bad_query_non_utf8", 415)  # charset=UTF-16
    assert "UTF-8" in response.text


def test_bad_query_syntax(server):
    response = run_bad_request(server, "bad_query_syntax", 400)
    assert "syntax" in response.text.lower()


def test_bad_update_get(server):
    run_bad_request(server, "bad_update_get", 403)


def test_bad_multiple_updates(server):
    run_bad_request(server, "bad_multiple_updates", 403)  # any update is refused first


def test_bad_update_wrong_media_type(server):
    run_bad_request(server, "bad_update_wrong_media_type", 415)


def test_bad_update_missing_form_type(server):
    run_bad_request(server, "bad_update_missing_form_type", 415)


def test_bad_update_non_utf8(server):
    run_bad_request(server, "bad_update_non_utf8", 403)  # refused as an update, charset unread


def test_bad_update_syntax(server):
    run_bad_request(server, "bad_update_syntax", 403)


def test_bad_update_dataset_conflict(server):
    run_bad_request(server, "bad_update_dataset_conflict", 403)


@pytest.mark.parametrize("name", [n for n in entries() if n.startswith("update_")])
def test_each_update_test_starts_with_an_update(name):
    """Guard on the adaptation above: each update test's first request is an update."""
    first = suite_requests(name)[0]
    assert first.headers.get("content-type") in ("application/sparql-update",
                                                 "application/x-www-form-urlencoded")
