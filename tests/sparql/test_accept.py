"""Pure functions of the server: Accept parsing and negotiation, and the SPARQL query guard."""

from __future__ import annotations

import pytest

from tilod.sparql.guard import RefusedQuery, check_query, keywords
from tilod.sparql.negotiation import MAX_ACCEPT_PARTS, MediaRange, negotiate, parse_accept

#: what a resource page offers, in the server's order (tilod.sparql.negotiation.DOCUMENT_OFFERS)
RDF = ["text/turtle", "text/html", "application/ld+json", "application/n-triples",
       "application/rdf+xml"]
#: what a SELECT result offers
RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values"]

FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
          "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
EDGE_IMAGE = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, [("*", "*", 1.0)]),
        ("", [("*", "*", 1.0)]),
        ("   ", [("*", "*", 1.0)]),
        ("text/turtle", [("text", "turtle", 1.0)]),
        ("text/turtle;q=0.5, application/ld+json",
         [("text", "turtle", 0.5), ("application", "ld+json", 1.0)]),
        # case: types and the parameter name are case-insensitive
        ("TEXT/Turtle ; Q=0.3", [("text", "turtle", 0.3)]),
        # whitespace around every separator
        ("  text/turtle ;  q = 0.4 ,\tapplication/n-triples ; q=0.5 ",
         [("text", "turtle", 0.4), ("application", "n-triples", 0.5)]),
        # parameters other than q do not change the quality
        ("text/turtle;charset=utf-8", [("text", "turtle", 1.0)]),
        ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted";q=0.7',
         [("application", "ld+json", 0.7)]),
        # q is clamped to 0..1; an unreadable q makes the range unacceptable; q= means 1
        ("text/turtle;q=2", [("text", "turtle", 1.0)]),
        ("text/turtle;q=-1", [("text", "turtle", 0.0)]),
        ("text/turtle;q=abc", [("text", "turtle", 0.0)]),
        ("text/turtle;q=nan", [("text", "turtle", 0.0)]),
        ("text/turtle;q=", [("text", "turtle", 1.0)]),
        ("text/turtle;q=0", [("text", "turtle", 0.0)]),
        # malformed parts are skipped, the rest is kept
        ("text, text/turtle", [("text", "turtle", 1.0)]),
        (";;;", []),
        ("*/html", []),
        ("/", []),
        ("text/", []),
        ("/turtle", []),
        ("text /turtle", []),
        (",,,", []),
        ("q=abc", []),
        ("*/*;q=0.1, */html, text/*", [("*", "*", 0.1), ("text", "*", 1.0)]),
    ],
)
def test_parse_accept(header, expected):
    assert parse_accept(header) == [MediaRange(*r) for r in expected]


@pytest.mark.parametrize(
    ("header", "offers", "expected"),
    [
        # browsers get the page
        (FIREFOX, RDF, "text/html"),
        (CHROME, RDF, "text/html"),
        (SAFARI, RDF, "text/html"),
        # an image request accepts anything at 0.8: the server's first choice
        (EDGE_IMAGE, RDF, "text/turtle"),
        # curl, and no header at all: the server's first offer
        ("*/*", RDF, "text/turtle"),
        (None, RDF, "text/turtle"),
        ("", RDF, "text/turtle"),
        (None, RESULTS, "application/sparql-results+json"),
        ("*/*", RESULTS, "application/sparql-results+json"),
        # q-values
        ("text/turtle;q=0.8, application/ld+json;q=0.9", RDF, "application/ld+json"),
        ("application/rdf+xml;q=0.5, application/n-triples;q=0.4", RDF, "application/rdf+xml"),
        ("text/csv;q=0.1, application/sparql-results+xml;q=0.2", RESULTS,
         "application/sparql-results+xml"),
        # equal q: the server's order breaks the tie, not the header's order
        ("application/n-triples, text/turtle", RDF, "text/turtle"),
        # q=0 excludes
        ("text/turtle;q=0", RDF, None),
        ("*/*;q=0", RDF, None),
        ("text/turtle;q=0, */*", RDF, "text/html"),
        ("text/turtle;q=0, */*", ["text/turtle", "application/ld+json"], "application/ld+json"),
        ("application/sparql-results+json;q=0, */*;q=0.1", RESULTS,
         "application/sparql-results+xml"),
        # specificity: the most specific range decides, whatever its q and its position
        ("*/*;q=0.1, text/turtle", RDF, "text/turtle"),
        ("text/*;q=0, text/html", RDF, "text/html"),
        ("text/html, text/*;q=0", RDF, "text/html"),
        ("text/*;q=0, */*", RDF, "application/ld+json"),
        ("text/*;q=0.5, application/*;q=0.4", RDF, "text/turtle"),
        ("text/*;q=0.4, application/*;q=0.5", RDF, "application/ld+json"),
        ("text/*", RESULTS, "text/csv"),
        ("text/*, text/csv;q=0", RESULTS, "text/tab-separated-values"),
        # parameters are ignored for matching
        ("text/turtle;charset=utf-8", RDF, "text/turtle"),
        ('application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"', RDF,
         "application/ld+json"),
        ("text/csv; charset=utf-8; header=present", RESULTS, "text/csv"),
        # case and whitespace
        ("Application/LD+JSON", RDF, "application/ld+json"),
        ("  text/html ;q=0.2 ,  APPLICATION/N-TRIPLES ; Q=0.3  ", RDF, "application/n-triples"),
        # nothing acceptable
        ("image/png", RDF, None),
        ("image/*", RDF, None),
        ("application/json", RESULTS, None),
        # malformed parts are skipped; a q above 1 is clamped, an unreadable one is 0
        ("text;q=1, text/turtle;q=0.5", RDF, "text/turtle"),
        ("text/turtle;q=2, text/html;q=0.9", RDF, "text/turtle"),
        ("text/turtle;q=abc, application/ld+json;q=0.1", RDF, "application/ld+json"),
        ("*/html, application/n-triples", RDF, "application/n-triples"),
        ("*/html", RDF, None),  # only a malformed part: nothing is acceptable (no */* implied)
        ("text/turtle/extra", RDF, None),  # kept as subtype "turtle/extra": matches nothing
    ],
)
def test_negotiate(header, offers, expected):
    assert negotiate(header, offers) == expected


MALFORMED = [
    "text", ";;;", "q=abc", "text/turtle;q=2", "*/html", ",", ",,;,;", "/", "//", "a/b/c",
    "text/turtle;;;q", "text/turtle;q", "text/turtle;=", "text/turtle;q=1e309", "text/turtle;q=-0",
    "text/turtle;q=inf", "text/turtle;q=0x1", "text/turtle;q==", "\x00/\x00", "é/ü;q=ö",
    '"text/turtle"', "text/turtle;q=0.5;q=0.1", "*/*;q=", ";q=1", "text/turtle, ;", "\u2028",
    "text/turtle;charset=\"a,b\"", "text/tur tle", "* / *", "*/*/*", "text/*;q=1.0000001",
]


@pytest.mark.parametrize("header", MALFORMED)
def test_malformed_headers_never_raise(header):
    for offers in (RDF, RESULTS):
        assert negotiate(header, offers) in (None, *offers)
    for r in parse_accept(header):
        assert 0.0 <= r.q <= 1.0
        assert r.type and r.subtype


def test_a_huge_header_is_read_only_up_to_its_first_parts():
    """Bounded work for a huge header: only its first parts are parsed (a bound, not a timing)."""
    header = ", ".join(f"application/x-{i};q=0.{i % 10}" for i in range(10_000))
    ranges = parse_accept(header + ", text/turtle")
    chosen = negotiate(header + ", text/turtle", RDF)
    # only the first MAX_ACCEPT_PARTS parts are read: the trailing text/turtle is not seen
    assert len(ranges) == MAX_ACCEPT_PARTS
    assert chosen is None
    garbage = ";;;," * 10_000
    assert negotiate(garbage, RDF) is None


# -- the SPARQL guard ---------------------------------------------------------------------

SERVICE_QUERIES = [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE {SERVICE<http://127.0.0.1:9/>{?s ?p ?o}}",
    "SELECT * WHERE {\n\tSERVICE\n\t\t<http://127.0.0.1:9/>\r\n{ ?s ?p ?o } }",
    "SELECT * WHERE { # a comment\nSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o . SERVICE ?endpoint { ?s ?p ?o } }",
    "PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p "SERVICE" . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }',
    'SELECT * WHERE { ?s ?p "a \\" b" . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }',
    "ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "CONSTRUCT WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "DESCRIBE ?s WHERE { OPTIONAL { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
]


@pytest.mark.parametrize("query", SERVICE_QUERIES)
def test_service_is_refused(query):
    with pytest.raises(RefusedQuery, match="SERVICE") as refused:
        check_query(query)
    assert refused.value.status == 400


ALLOWED_QUERIES = [
    "SELECT ?service WHERE { ?service ?p ?o }",
    "SELECT $service WHERE { $service ?p ?o }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ?o }",
    "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:p ?o }",
    'SELECT * WHERE { ?s ?p "SERVICE" }',
    "SELECT * WHERE { ?s ?p 'SERVICE <http://127.0.0.1:9/> { }' }",
    'SELECT * WHERE { ?s ?p """multi\nSERVICE <http://127.0.0.1:9/> { ?s ?p ?o }\nline""" }',
    'SELECT * WHERE { ?s ?p "escaped \\" SERVICE <http://127.0.0.1:9/>" }',
    "SELECT * WHERE { ?s <http://x/SERVICE> ?o }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
    "# SERVICE\nSELECT * WHERE { ?s ?p ?o }",
    "SELECT ?insert ?drop WHERE { ?insert ?drop ?o }",
    'SELECT * WHERE { ?s ?p ?o FILTER(?o = "DROP ALL") }',
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1",
    "DESCRIBE <http://localhost:8000/id/commune/02691>",
    "PREFIX load: <http://example.org/> BASE <http://example.org/> SELECT * { ?s load:x ?o }",
    "SELECT * FROM <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("query", ALLOWED_QUERIES)
def test_harmless_queries_pass(query):
    check_query(query)  # does not raise
    assert "SERVICE" not in keywords(query)


UPDATES = [
    ("INSERT DATA { <http://a/> <http://b/> <http://c/> }", "INSERT"),
    ("insert data { <http://a/> <http://b/> <http://c/> }", "INSERT"),
    ("INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", "INSERT"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("DELETE DATA { <http://a/> <http://b/> <http://c/> }", "DELETE"),
    ("CLEAR ALL", "CLEAR"),
    ("clear default", "CLEAR"),
    ("CLEAR SILENT GRAPH <http://example.org/g>", "CLEAR"),
    ("DROP ALL", "DROP"),
    ("DROP GRAPH <http://example.org/g>", "DROP"),
    ("LOAD <http://127.0.0.1:9/data.ttl>", "LOAD"),
    ("LOAD SILENT <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://example.org/g>", "LOAD"),
    ("CREATE GRAPH <http://example.org/g>", "CREATE"),
    ("COPY DEFAULT TO <http://example.org/g>", "COPY"),
    ("MOVE DEFAULT TO <http://example.org/g>", "MOVE"),
    ("ADD DEFAULT TO <http://example.org/g>", "ADD"),
    ("WITH <http://example.org/g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
     "WITH"),
    ("PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }", "INSERT"),
    ("BASE <http://example.org/> DROP ALL", "DROP"),
    ("# drop everything\n  CLEAR ALL", "CLEAR"),
]


@pytest.mark.parametrize(("update", "word"), UPDATES)
def test_updates_are_refused_as_forbidden(update, word):
    with pytest.raises(RefusedQuery, match="read-only") as refused:
        check_query(update)
    assert refused.value.status == 403
    assert str(refused.value).startswith(word)
