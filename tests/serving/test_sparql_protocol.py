"""The SPARQL endpoint over real HTTP: real clients, every result format, refusals, limits."""

from __future__ import annotations

import csv
import io
import json
import socket
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from helpers import BASE, media_type
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from server import Listener, TextOf
from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper

from tilod.serving.sparql import QUERIES_DIR

COMMUNE = BASE + "id/commune/02691"
TIMEOUT = 20
QUERY_TIMEOUT = 3  # TILOD_QUERY_TIMEOUT of the test server (tests/server.py)

LABEL_QUERY = f"SELECT ?label WHERE {{ <{COMMUNE}> <{RDFS.label}> ?label }}"
CONSTRUCT_QUERY = f"CONSTRUCT {{ <{COMMUNE}> ?p ?o }} WHERE {{ <{COMMUNE}> ?p ?o }}"
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORM = "application/x-www-form-urlencoded"


def select(server, query: str) -> list[dict]:
    response = requests.get(server.sparql, params={"query": query},
                            headers={"Accept": "application/sparql-results+json"}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def triple_count(server) -> int:
    return int(select(server, COUNT_QUERY)[0]["n"]["value"])


@pytest.fixture(scope="module")
def count(server, store) -> int:
    """The number of triples the server answers at the start, which must never change."""
    n = triple_count(server)
    # the default graph: the data (the ontology, VoID and changes are named graphs)
    assert n == sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())) > 10_000
    return n


# -- real clients --------------------------------------------------------------------------------

def test_sparqlwrapper_select_json(server):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(LABEL_QUERY)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert result["head"]["vars"] == ["label"]
    assert [b["label"]["value"] for b in result["results"]["bindings"]] == ["Saint-Quentin"]
    assert result["results"]["bindings"][0]["label"]["xml:lang"] == "fr"


def test_sparqlwrapper_select_xml_by_post(server):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(LABEL_QUERY)
    client.setMethod(POST)
    client.setReturnFormat(XML)
    document = client.query().convert()  # an xml.dom.minidom document
    literals = [n.firstChild.data for n in document.getElementsByTagName("literal")]
    assert literals == ["Saint-Quentin"]


@pytest.mark.parametrize(("query", "expected"), [
    (f"ASK {{ <{COMMUNE}> ?p ?o }}", True),
    ("ASK { <http://localhost:8000/id/commune/99999> ?p ?o }", False),
])
def test_sparqlwrapper_ask(server, query, expected):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is expected


def test_sparqlwrapper_construct_turtle(server):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(CONSTRUCT_QUERY)
    client.setReturnFormat(TURTLE)
    data = client.query().convert()
    graph = Graph().parse(data=data, format="turtle")
    assert (URIRef(COMMUNE), RDFS.label, Literal("Saint-Quentin", lang="fr")) in graph


def test_rdflib_sparqlstore_counts_the_triples(server, count):
    graph = Graph(store=SPARQLStore(server.sparql))
    rows = list(graph.query(COUNT_QUERY))
    assert int(rows[0][0]) == count
    assert len(graph) == count
    assert Literal("Saint-Quentin", lang="fr") in set(graph.objects(URIRef(COMMUNE), RDFS.label))


# -- the three ways to send a query --------------------------------------------------------------

def _ways(server, query: str, accept: str):
    headers = {"Accept": accept}
    return {
        "GET": requests.get(server.sparql, params={"query": query}, headers=headers,
                            timeout=TIMEOUT),
        "POST form": requests.post(server.sparql, data={"query": query}, headers=headers,
                                   timeout=TIMEOUT),
        "POST direct": requests.post(
            server.sparql, data=query.encode("utf-8"), timeout=TIMEOUT,
            headers={**headers, "Content-Type": "application/sparql-query; charset=utf-8"}),
    }


def test_get_post_form_and_post_direct_agree(server):
    query = 'SELECT ?epci WHERE { ?epci <http://www.w3.org/2000/01/rdf-schema#label> ?l . ' \
            'FILTER(CONTAINS(LCASE(?l), "thiérache")) } ORDER BY ?epci'
    answers = _ways(server, query, "application/sparql-results+json")
    bodies = set()
    for way, response in answers.items():
        assert response.status_code == 200, (way, response.text)
        assert response.headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
        assert "accept" in response.headers["Vary"].lower()
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        bodies.add(json.dumps(response.json(), sort_keys=True))
    assert len(bodies) == 1
    assert len(json.loads(bodies.pop())["results"]["bindings"]) >= 1


def _labels_from(media: str, body: bytes) -> list[str]:
    """The ?label column of a SELECT result, read with a parser for its format."""
    text = body.decode("utf-8")
    if media == "application/sparql-results+json":
        data = json.loads(text)
        assert data["head"]["vars"] == ["label"]
        return [b["label"]["value"] for b in data["results"]["bindings"]]
    if media == "application/sparql-results+xml":
        root = ET.fromstring(body)
        assert root.tag == SPARQL_RESULTS + "sparql"
        variables = [v.get("name") for v in root.iter(SPARQL_RESULTS + "variable")]
        assert variables == ["label"]
        return [lit.text for lit in root.iter(SPARQL_RESULTS + "literal")]
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["label"]
        return [row[0] for row in rows[1:]]
    if media == "text/tab-separated-values":
        lines = text.strip("\r\n").splitlines()
        assert lines[0] == "?label"
        return [line for line in lines[1:]]
    raise AssertionError(media)


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/sparql-results+json", ["Saint-Quentin"]),
    ("application/sparql-results+xml", ["Saint-Quentin"]),
    ("text/csv", ["Saint-Quentin"]),
    ("text/tab-separated-values", ['"Saint-Quentin"@fr']),  # TSV keeps the RDF term syntax
    ("application/json", ["Saint-Quentin"]),  # alias of the JSON results
    ("application/xml", ["Saint-Quentin"]),  # alias of the XML results
])
def test_select_result_formats(server, accept, expected):
    for way, response in _ways(server, LABEL_QUERY, accept).items():
        assert response.status_code == 200, (way, response.text)
        media = media_type(response)
        if accept in ("application/json", "application/xml"):
            assert media == accept.replace("/", "/sparql-results+")
        else:
            assert media == accept
        if media.startswith("text/"):
            assert "charset=utf-8" in response.headers["Content-Type"]
        assert _labels_from(media, response.content) == expected, way


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"),
    ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "xml"),
])
def test_construct_result_formats(server, accept, rdflib_format):
    reference = None
    for way, response in _ways(server, CONSTRUCT_QUERY, accept).items():
        assert response.status_code == 200, (way, response.text)
        assert media_type(response) == accept
        graph = Graph().parse(data=response.content, format=rdflib_format)
        assert (URIRef(COMMUNE), RDFS.label, Literal("Saint-Quentin", lang="fr")) in graph
        assert len(graph) > 5
        reference = reference if reference is not None else len(graph)
        assert len(graph) == reference


@pytest.mark.parametrize(("accept", "reader"), [
    ("application/sparql-results+json", lambda body: json.loads(body)["boolean"]),
    ("application/sparql-results+xml",
     lambda body: ET.fromstring(body).find(SPARQL_RESULTS + "boolean").text == "true"),
])
def test_ask_result_formats(server, accept, reader):
    for query, expected in ((f"ASK {{ <{COMMUNE}> ?p ?o }}", True),
                            ("ASK { <http://localhost:8000/id/nothing> ?p ?o }", False)):
        response = requests.get(server.sparql, params={"query": query},
                                headers={"Accept": accept}, timeout=TIMEOUT)
        assert response.status_code == 200
        assert media_type(response) == accept
        assert reader(response.content) is expected


@pytest.mark.parametrize(("query", "accept"), [
    (LABEL_QUERY, "text/turtle"),
    (CONSTRUCT_QUERY, "application/sparql-results+json"),
    ("ASK { ?s ?p ?o }", "text/csv;q=0, image/png"),
])
def test_a_result_format_the_query_cannot_have_is_406(server, query, accept):
    response = requests.get(server.sparql, params={"query": query}, headers={"Accept": accept},
                            timeout=TIMEOUT)
    assert response.status_code == 406
    assert "available" in response.text


def test_relative_iris_resolve_against_the_endpoint(server):
    response = requests.get(server.sparql, params={"query": "SELECT ?x WHERE { BIND(<x> AS ?x) }"},
                            timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["x"]["value"] == BASE + "x"


# -- malformed requests ------------------------------------------------------------------------

def test_syntax_error_is_400_with_a_message(server):
    for response in _ways(server, "SELECT * WHERE { ?s ?p }", "*/*").values():
        assert response.status_code == 400
        assert media_type(response) == "text/plain"
        assert "erreur de syntaxe" in response.text.lower()
        assert "ligne 1, colonne 24" in response.text  # where: the "}" that comes instead of an object


def test_two_query_parameters_are_400(server):
    twice = [("query", "ASK {}"), ("query", "SELECT * {}")]
    by_get = requests.get(server.sparql, params=twice, timeout=TIMEOUT)
    by_form = requests.post(server.sparql, data=twice, timeout=TIMEOUT)
    for response in (by_get, by_form):
        assert response.status_code == 400
        assert "once" in response.text
    split = requests.post(server.sparql, params={"query": "ASK {}"}, data={"query": "ASK {}"},
                          timeout=TIMEOUT)
    assert split.status_code == 400


@pytest.mark.parametrize("params", [
    {"default-graph-uri": BASE + "g"},
    {"format": "json"},
    {"named-graph-uri": BASE + "g", "output": "json"},
])
def test_missing_query_with_other_parameters_is_400(server, params):
    by_get = requests.get(server.sparql, params=params, timeout=TIMEOUT)
    by_form = requests.post(server.sparql, data=params, timeout=TIMEOUT)
    for response in (by_get, by_form):
        assert response.status_code == 400
        assert "missing 'query'" in response.text


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/json", "application/sparql-results+json", None,
])
def test_a_post_of_another_media_type_is_415(server, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = requests.post(server.sparql, data=b"ASK {}", headers=headers, timeout=TIMEOUT)
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


def test_a_direct_post_must_be_utf8(server):
    latin1 = requests.post(server.sparql, data='ASK { ?s ?p "é" }'.encode("latin-1"),
                           headers={"Content-Type": "application/sparql-query"}, timeout=TIMEOUT)
    assert latin1.status_code == 400
    assert "UTF-8" in latin1.text
    utf16 = requests.post(server.sparql, data="ASK {}".encode("utf-16"), timeout=TIMEOUT,
                          headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert utf16.status_code == 415


def test_a_query_longer_than_the_limit_is_refused(server):
    query = "ASK {} #" + "x" * 1_100_000  # TILOD_MAX_BODY_BYTES is 1,000,000 by default
    response = requests.post(server.sparql, data=query.encode("utf-8"), timeout=TIMEOUT,
                             headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413


def test_an_unsupported_method_is_405(server):
    for method in ("PUT", "DELETE", "PATCH"):
        response = requests.request(method, server.sparql, params={"query": "ASK {}"},
                                    timeout=TIMEOUT)
        assert response.status_code == 405, method
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}  # RFC 9110 15.5.6
        assert {"GET", "POST"} <= allowed
        assert method not in allowed


# -- read-only --------------------------------------------------------------------------------

INSERT = "INSERT DATA { <http://example.org/s> <http://example.org/p> <http://example.org/o> }"
INSERTED = "ASK { <http://example.org/s> <http://example.org/p> <http://example.org/o> }"


def _update_attempts(server):
    url = server.sparql
    form = {"Content-Type": FORM}
    return {
        "GET update=": lambda: requests.get(url, params={"update": INSERT}, timeout=TIMEOUT),
        "GET update= with query=": lambda: requests.get(
            url, params={"update": "CLEAR ALL", "query": "ASK {}"}, timeout=TIMEOUT),
        "POST form update=": lambda: requests.post(url, data={"update": INSERT},
                                                   timeout=TIMEOUT),
        "POST form update= DROP ALL": lambda: requests.post(url, data="update=DROP%20ALL",
                                                            headers=form, timeout=TIMEOUT),
        "POST sparql-update": lambda: requests.post(
            url, data=INSERT, headers={"Content-Type": "application/sparql-update"},
            timeout=TIMEOUT),
        "POST sparql-update CLEAR": lambda: requests.post(
            url, data="CLEAR ALL", headers={"Content-Type": "application/sparql-update"},
            timeout=TIMEOUT),
        "GET INSERT DATA as query": lambda: requests.get(url, params={"query": INSERT},
                                                         timeout=TIMEOUT),
        "POST form INSERT DATA as query": lambda: requests.post(url, data={"query": INSERT},
                                                                timeout=TIMEOUT),
        "POST direct INSERT DATA as query": lambda: requests.post(
            url, data=INSERT, headers={"Content-Type": "application/sparql-query"},
            timeout=TIMEOUT),
        "POST direct DELETE WHERE": lambda: requests.post(
            url, data="DELETE WHERE { ?s ?p ?o }",
            headers={"Content-Type": "application/sparql-query"}, timeout=TIMEOUT),
        "GET DROP ALL as query": lambda: requests.get(url, params={"query": "DROP ALL"},
                                                      timeout=TIMEOUT),
    }


@pytest.mark.parametrize("attempt", [
    "GET update=", "GET update= with query=", "POST form update=", "POST form update= DROP ALL",
    "POST sparql-update", "POST sparql-update CLEAR", "GET INSERT DATA as query",
    "POST form INSERT DATA as query", "POST direct INSERT DATA as query",
    "POST direct DELETE WHERE", "GET DROP ALL as query",
])
def test_updates_are_403_and_change_nothing(server, count, attempt):
    response = _update_attempts(server)[attempt]()
    assert response.status_code == 403, response.text
    assert "read-only" in response.text
    assert triple_count(server) == count
    assert requests.get(server.sparql, params={"query": INSERTED},
                        timeout=TIMEOUT).json()["boolean"] is False


# -- nothing is ever fetched ---------------------------------------------------------------------

@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{\n  ?x ?y ?z .\n  SeRvIcE\t<{url}>{{?s ?p ?o}}\n}} LIMIT 1",
    "PREFIX remote: <{url}>\nASK {{ SERVICE remote: {{ ?s ?p ?o }} }}",
])
def test_service_is_refused_and_never_called(server, template):
    with Listener() as listener:
        query = template.format(url=listener.url("sparql"))
        for way, response in _ways(server, query, "*/*").items():
            assert response.status_code == 400, way
            assert "SERVICE" in response.text
    assert listener.connections == []


def test_the_listener_would_see_a_connection(server):
    """The check above can fail: a connection to the listener is recorded."""
    with Listener() as listener, socket.create_connection(("127.0.0.1", listener.port)) as c:
        c.sendall(b"GET /x HTTP/1.0\r\n\r\n")
        time.sleep(0.3)
    assert listener.connections == [b"GET /x HTTP/1.0\r\n\r\n"]


def test_datasets_naming_remote_graphs_fetch_nothing(server):
    with Listener() as listener:
        remote = listener.url("x")
        answers = [
            requests.get(server.sparql, params={"query": f"SELECT * FROM <{remote}> "
                                                         "WHERE { ?s ?p ?o }"}, timeout=TIMEOUT),
            requests.get(server.sparql, params={"query": f"SELECT * FROM NAMED <{remote}> "
                                                         "WHERE { GRAPH ?g { ?s ?p ?o } }"},
                         timeout=TIMEOUT),
            requests.get(server.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }",
                                                "default-graph-uri": remote}, timeout=TIMEOUT),
            requests.post(server.sparql, data={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
                                               "named-graph-uri": remote}, timeout=TIMEOUT),
        ]
        for response in answers:
            assert response.status_code == 200, response.text
            assert response.json()["results"]["bindings"] == []  # an empty dataset
        load = requests.get(server.sparql, params={"update": f"LOAD <{remote}>"},
                            timeout=TIMEOUT)
        assert load.status_code == 403
        load_query = requests.get(server.sparql, params={"query": f"LOAD <{remote}>"},
                                  timeout=TIMEOUT)
        assert load_query.status_code == 403
    assert listener.connections == []


def test_a_graph_uri_that_is_no_iri_is_400(server):
    response = requests.get(server.sparql, params={"query": "ASK {}",
                                                   "default-graph-uri": "not an iri"},
                            timeout=TIMEOUT)
    assert response.status_code == 400


# -- the time limit ----------------------------------------------------------------------------

def test_a_runaway_query_is_stopped_and_its_worker_replaced(server, count):
    def runaway() -> tuple[requests.Response, float]:
        start = time.monotonic()
        response = requests.get(server.sparql, params={"query": RUNAWAY}, timeout=60)
        return response, time.monotonic() - start

    # as many runaway queries as there are workers (TILOD_QUERY_WORKERS=2): every one is killed
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: runaway(), range(2)))
    for response, elapsed in results:
        assert 400 <= response.status_code < 500, response.text
        assert "time limit" in response.text
        assert elapsed < QUERY_TIMEOUT + 5
    # so this one can only be answered by a fresh worker
    start = time.monotonic()
    assert triple_count(server) == count
    assert time.monotonic() - start < QUERY_TIMEOUT + 5
    assert select(server, LABEL_QUERY)[0]["label"]["value"] == "Saint-Quentin"


# -- service description, query page, examples, CORS --------------------------------------------

def test_service_description_in_turtle(server, count):
    response = requests.get(server.sparql, headers={"Accept": "text/turtle"}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert media_type(response) == "text/turtle"
    graph = Graph().parse(data=response.content, format="turtle")
    service = URIRef(BASE + "sparql")
    assert (service, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef(SD + "Service")) in graph
    assert (service, URIRef(SD + "endpoint"), service) in graph
    assert (service, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in graph
    # the default graph's count (the named graphs of the ontology, VoID and changes have their own)
    [default] = graph.objects(None, URIRef(SD + "defaultGraph"))
    assert [int(t) for t in graph.objects(default, URIRef("http://rdfs.org/ns/void#triples"))] == [count]


def test_query_page_lists_the_examples(server):
    response = requests.get(server.sparql, headers={"Accept": "text/html"}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert media_type(response) == "text/html"
    page = response.text
    examples = sorted(QUERIES_DIR.glob("*.rq"))
    assert len(examples) >= 5
    text = TextOf.of(page).text
    for path in examples:
        assert f'id="{path.stem}"' in page
        assert path.read_text(encoding="utf-8").strip() in text, path.name
    assert "<textarea" in page


@pytest.mark.parametrize("example", sorted(p.name for p in QUERIES_DIR.glob("*.rq")))
def test_each_example_query_answers(server, example):
    query = Path(QUERIES_DIR, example).read_text(encoding="utf-8")
    response = requests.post(server.sparql, data={"query": query}, timeout=TIMEOUT,
                             headers={"Accept": "application/sparql-results+json, text/turtle"})
    assert response.status_code == 200, response.text
    if media_type(response) == "application/sparql-results+json":
        assert len(response.json()["results"]["bindings"]) > 0
    else:
        assert media_type(response) == "text/turtle"
        assert len(Graph().parse(data=response.content, format="turtle")) > 0


def test_cors_preflight(server):
    response = requests.options(server.sparql, timeout=TIMEOUT, headers={
        "Origin": "https://example.org",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    })
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST"} <= methods
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0
