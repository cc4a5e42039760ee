"""One decision per request: the query's form, and the media type chosen for each kind of route."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from helpers import BROWSER

from tilod.sparql.negotiation import (
    ResultChoice,
    choose_description,
    choose_document,
    choose_result,
    error_as_page,
    split_extension,
)
from tilod.sparql.protocol import query_form
from tilod.stores.base import QueryRequest
from tilod.stores.query_worker import run_query

JSON_RESULTS = "application/sparql-results+json"


@pytest.mark.parametrize(("query", "form"), [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("select * { ?s ?p ?o }", "SELECT"),
    ("ASK {}", "ASK"),
    ("ASK {", "ASK"),  # a syntax error after the form: still an ASK
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://localhost:8000/id/commune/02691>", "DESCRIBE"),
    ("describe ?s WHERE { ?s ?p ?o }", "DESCRIBE"),
    # the prologue comes first, in any number and order, with or without spaces
    ("PREFIX ex: <http://example.org/> SELECT * { ?s ex:p ?o }", "SELECT"),
    ("BASE <http://example.org/> PREFIX : <x#> PREFIX ex:<y#> ASK { :a ex:b ?c }", "ASK"),
    ("BASE<http://example.org/>CONSTRUCT{?s ?p ?o}WHERE{?s ?p ?o}", "CONSTRUCT"),
    # a sub-SELECT does not make a CONSTRUCT a SELECT, nor an ASK
    ("CONSTRUCT { ?s ?p ?o } WHERE { { SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5 } }", "CONSTRUCT"),
    ("ASK { { SELECT ?s WHERE { ?s ?p ?o } } }", "ASK"),
    # keywords inside comments, IRIs, strings, prefixed names and variables do not count
    ("# SELECT\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("PREFIX select: <http://example.org/select/> DESCRIBE select:x", "DESCRIBE"),
    ("PREFIX ex: <http://example.org/CONSTRUCT> # DESCRIBE\n ASK { ?s ?p 'CONSTRUCT' }", "ASK"),
    ('SELECT ?construct WHERE { ?construct ?p "DESCRIBE" }', "SELECT"),
    ("PREFIX ex: <http://x/ASK?q=1> SELECT * { ?s ex:ask ?ask }", "SELECT"),
    ('\n\t  # a comment """ CONSTRUCT\n  select * {}', "SELECT"),
    # no query form: none (the engine refuses the text)
    ("", None),
    ("# only a comment", None),
    ("PREFIX ex: <http://example.org/>", None),
    ("WHERE { ?s ?p ?o }", None),
    ("<http://x/> SELECT", "SELECT"),  # an IRI is no keyword: the first keyword decides
    ("INSERT DATA { <a:a> <a:b> <a:c> }", None),
    ("'SELECT' ?x", None),
])
def test_query_form(query, form):
    assert query_form(query) == form


@pytest.mark.parametrize(("form", "name", "accept", "expected"), [
    # Accept, by the query's form; aliases are answered in the format they stand for
    ("SELECT", None, None, ResultChoice(JSON_RESULTS)),
    ("SELECT", None, "*/*", ResultChoice(JSON_RESULTS)),
    ("ASK", None, "application/sparql-results+xml", ResultChoice("application/sparql-results+xml")),
    ("SELECT", None, "text/csv", ResultChoice("text/csv")),
    ("SELECT", None, "application/json", ResultChoice(JSON_RESULTS)),
    ("CONSTRUCT", None, None, ResultChoice("text/turtle")),
    ("DESCRIBE", None, "application/json", ResultChoice("application/ld+json")),
    ("CONSTRUCT", None, "text/xml", ResultChoice("application/rdf+xml")),
    ("CONSTRUCT", None, "text/plain", ResultChoice("application/n-triples")),
    # a type the form cannot have: nothing (406)
    ("SELECT", None, "text/turtle", ResultChoice(None)),
    ("CONSTRUCT", None, JSON_RESULTS, ResultChoice(None)),
    ("ASK", None, "text/csv;q=0, image/png", ResultChoice(None)),
    # a browser gets the page, drawn from JSON results or Turtle
    ("SELECT", None, BROWSER, ResultChoice(JSON_RESULTS, page=True)),
    ("ASK", None, BROWSER, ResultChoice(JSON_RESULTS, page=True)),
    ("DESCRIBE", None, BROWSER, ResultChoice("text/turtle", page=True)),
    ("CONSTRUCT", None, "text/html", ResultChoice("text/turtle", page=True)),
    # ...unless it prefers a SPARQL format, of any form, to HTML
    ("SELECT", None, "application/sparql-results+xml, text/html;q=0.5",
     ResultChoice("application/sparql-results+xml")),
    ("SELECT", None, "text/html;q=0.5, text/turtle", ResultChoice(None)),
    # ?format= overrides Accept and the page; a name stands for the type of the query's form
    ("SELECT", "csv", BROWSER, ResultChoice("text/csv", download=True)),
    ("SELECT", "json", "text/turtle", ResultChoice(JSON_RESULTS, download=True)),
    ("CONSTRUCT", "json", None, ResultChoice("application/ld+json", download=True)),
    ("ASK", "xml", None, ResultChoice("application/sparql-results+xml", download=True)),
    ("DESCRIBE", "xml", None, ResultChoice("application/rdf+xml", download=True)),
    ("CONSTRUCT", "n3", None, ResultChoice("text/turtle", download=True)),
    ("CONSTRUCT", "csv", None, ResultChoice(None, download=True)),
    ("SELECT", "ttl", None, ResultChoice(None, download=True)),
    # an unknown name is ignored
    ("SELECT", "yaml", "text/csv", ResultChoice("text/csv")),
    ("SELECT", "<b>", BROWSER, ResultChoice(JSON_RESULTS, page=True)),
    # no query form: offered the results formats (the store will refuse the text, 400)
    (None, None, None, ResultChoice(JSON_RESULTS)),
    (None, None, "text/turtle", ResultChoice(None)),
    (None, "csv", None, ResultChoice("text/csv", download=True)),
    (None, "ttl", None, ResultChoice(None, download=True)),
    (None, None, BROWSER, ResultChoice(JSON_RESULTS, page=True)),
])
def test_choose_result(form, name, accept, expected):
    assert choose_result(form, name, accept) == expected


@pytest.mark.parametrize(("path", "expected"), [
    ("territoire/2023-2027/ti-3208.ttl", ("territoire/2023-2027/ti-3208", "ttl")),
    ("commune/02691.jsonld", ("commune/02691", "jsonld")),
    ("commune/02691.html", ("commune/02691", "html")),
    ("commune/02691.json", ("commune/02691", "json")),
    ("commune/02691", ("commune/02691", None)),
    ("commune/02691.yaml", ("commune/02691.yaml", None)),
    ("v1.2/x", ("v1.2/x", None)),
])
def test_split_extension(path, expected):
    assert split_extension(path) == expected


@pytest.mark.parametrize(("named", "accept", "expected"), [
    # a suffix or a ?format= name decides, whatever the Accept
    ("ttl", BROWSER, ("text/turtle", False)),
    ("html", "text/turtle", ("text/html", False)),
    ("xml", None, ("application/rdf+xml", False)),
    ("application/n-triples", None, ("application/n-triples", False)),  # ?format= a media type
    ("text/html", None, ("text/html", False)),
    ("yaml", "text/turtle", (None, False)),
    ("application/json", None, (None, False)),  # an alias is no name
    # else Accept
    (None, None, ("text/turtle", True)),
    (None, BROWSER, ("text/html", True)),
    (None, "application/json", ("application/ld+json", True)),
    (None, "application/x-turtle", ("text/turtle", True)),
    (None, "image/png", (None, True)),
])
def test_choose_document(named, accept, expected):
    assert choose_document(named, accept) == expected


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "text/turtle"), (BROWSER, "text/html"), ("text/xml", "application/rdf+xml"),
    ("application/sparql-results+json", None),
])
def test_choose_description(accept, expected):
    assert choose_description(accept) == expected


@pytest.mark.parametrize(("accept", "expected"), [
    (None, False), ("*/*", False), (BROWSER, True), ("text/html", True), ("application/json", False),
])
def test_error_as_page(accept, expected):
    assert error_as_page(accept) is expected


# -- the embedded store answers in the type it is given, and never negotiates ----------------

@pytest.fixture(scope="module")
def small_store():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("o"), ox.DefaultGraph()))
    return store


@pytest.mark.parametrize(("query", "media", "status"), [
    ("SELECT * { ?s ?p ?o }", "text/csv", 200),
    ("ASK { ?s ?p ?o }", "application/sparql-results+xml", 200),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples", 200),
    ("DESCRIBE <http://example.org/s>", "application/ld+json", 200),
    # None: no type the client accepts; the query is still checked first
    ("SELECT * { ?s ?p ?o }", None, 406),
    ("CONSTRUCT WHERE { ?s ?p ?o }", None, 406),
    ("SELECT * { ?s ?p }", None, 400),
    # a type of the other kind of result is not served
    ("SELECT * { ?s ?p ?o }", "text/turtle", 406),
])
def test_the_embedded_store_answers_in_the_chosen_type(small_store, query, media, status):
    reply = run_query(small_store, QueryRequest(query, media), 1 << 20)
    assert reply.status == status, reply.body
    if status == 200:
        assert reply.media_type == media
    else:
        assert reply.media_type == "text/plain"
    if status == 406:
        assert b"available" in reply.body
