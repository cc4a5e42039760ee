"""Turtle people can read (each subject once, the resource first, the prefixes it uses), every
page and answer naming the resource's other forms (`<link rel="alternate">`, `Link`), and one
`Date` header on every response, read with raw http.client from the real server processes."""

from __future__ import annotations

import http.client
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import requests
from helpers import BASE, BROWSER, DCAT, TILOD_NS, XSD, media_type
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, VOID

TIMEOUT = 10
RESOURCES = [
    BASE + "id/territoire/2023-2027/ti-3208",
    BASE + "id/territoire/2018-2022/ti-3202",
    BASE + "id/epci/200071892",
    BASE + "id/commune/02691",
    BASE + "id/departement/80",
    BASE + "id/region/32",
    BASE + "id/adhesion/2023-2027/ti-3208/200071892",
    BASE + "id/phase/2023-2027",
    BASE + "def/tilod",
]
#: the vocabularies the data and its documents use, each of which a Turtle prefix must name
NAMESPACES = [str(ns) for ns in (RDFS, OWL, XSD, SKOS, DCTERMS, DCAT, FOAF, ORG, PROV, VOID, SH)] + [
    "http://www.opengis.net/ont/geosparql#", "http://rdf.insee.fr/def/geo#", TILOD_NS]
#: what Turtle writes without a prefix: `a`, and literals such as "x", 12, 1.5, true
WRITTEN_BARE = {RDF.type, XSD.string, XSD.integer, XSD.decimal, XSD.double, XSD.boolean}
RDF_FORMS = {"text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt",
             "application/rdf+xml": "rdf"}
PREFIX_LINE = re.compile(r"@prefix ([\w-]*): <([^>]*)> \.")


def turtle(server, uri: str) -> str:
    response = requests.get(server.to_server(uri), headers={"Accept": "text/turtle"}, timeout=TIMEOUT)
    assert response.status_code == 200
    return response.text


def statements(text: str) -> tuple[dict[str, str], list[str], str]:
    """(prefixes declared, the subject of each statement in order, the body after the prefixes)."""
    lines = text.splitlines()
    prefixes = dict(PREFIX_LINE.fullmatch(line).groups() for line in lines if line.startswith("@prefix"))
    body = [line for line in lines if not line.startswith("@prefix")]
    subjects = [line.split(" ", 1)[0] for line in body if line and not line[0].isspace()]
    return prefixes, subjects, "\n".join(body)


def iris_needing_a_prefix(graph: Graph) -> set[str]:
    found = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, Literal):
                term = term.datatype if term.datatype and not term.language else None
            if isinstance(term, URIRef) and term not in WRITTEN_BARE:
                found.add(str(term))
    return found


def assert_grouped(text: str, first: str | None = None) -> None:
    prefixes, subjects, body = statements(text)
    graph = Graph().parse(data=text, format="turtle")
    assert len(subjects) == len(set(subjects)), "a subject written twice"
    assert len(subjects) == len(set(graph.subjects()))
    if first is not None:
        assert subjects[0] == f"<{first}>"
    for prefix in prefixes:
        assert re.search(rf"(?<![\w<\"-]){re.escape(prefix)}:", body), f"{prefix}: declared, not used"
    used = {ns for iri in iris_needing_a_prefix(graph) for ns in NAMESPACES if iri.startswith(ns) and iri != ns}
    assert used <= set(prefixes.values()), f"no prefix for {used - set(prefixes.values())}"


@pytest.mark.parametrize("uri", RESOURCES)
def test_turtle_says_each_subject_once_the_resource_first(server, uri):
    text = turtle(server, uri)
    about = "https://w3id.org/tilod/def/tilod" if uri.endswith("def/tilod") else uri
    assert_grouped(text, about)
    _, subjects, _ = statements(text)
    assert len(subjects) > 1  # the labels of what it links to follow it


def test_the_turtle_dump_says_each_subject_once(release):
    assert_grouped((release / "tilod.ttl").read_text(encoding="utf-8"))


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.in_head = False
        self.alternates: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.in_head |= tag == "head"
        if tag == "link" and attributes.get("rel") == "alternate":
            assert self.in_head, "a <link> outside <head>"
            self.alternates[attributes["type"]] = attributes["href"]

    def handle_endtag(self, tag):
        self.in_head &= tag != "head"


def link_header(response: requests.Response) -> dict[str, str]:
    """rel="alternate" targets of the Link header, by type."""
    found = {}
    for value in response.headers.get("Link", "").split(", "):
        match = re.fullmatch(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', value)
        if match:
            found[match.group(2)] = match.group(1)
    return found


@pytest.mark.parametrize("uri", RESOURCES)
def test_each_page_advertises_each_rdf_form(server, uri):
    page = requests.get(server.to_server(uri), headers={"Accept": BROWSER}, timeout=TIMEOUT)
    assert media_type(page) == "text/html"
    parser = Links()
    parser.feed(page.text)
    expected = {media: f"{uri}.{ext}" for media, ext in RDF_FORMS.items()}
    assert parser.alternates == expected
    assert link_header(page) == expected
    for media, href in expected.items():  # each one is that form
        form = requests.get(server.to_server(href), timeout=TIMEOUT)
        assert form.status_code == 200
        assert media_type(form) == media


def test_each_rdf_answer_links_the_other_forms_and_the_page(server):
    uri = RESOURCES[0]
    turtle_answer = requests.get(server.to_server(uri), headers={"Accept": "text/turtle"}, timeout=TIMEOUT)
    assert link_header(turtle_answer) == {"text/html": f"{uri}.html"} | {
        media: f"{uri}.{ext}" for media, ext in RDF_FORMS.items() if media != "text/turtle"}


# -- one Date header ---------------------------------------------------------------------------

PATHS = ["", "health", "id/territoire/2023-2027/ti-3208", "id/territoire/2023-2027/ti-3208.ttl",
         "id/commune/00000", "def/tilod/context.jsonld", "sparql?query=ASK%7B%7D", "dumps/",
         "dumps/latest/void.ttl", "no/such/page", "recherche?q=Amiens"]


def date_headers(url: str, path: str, accept: str) -> list[str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
    try:
        connection.request("GET", "/" + path, headers={"Accept": accept})
        response = connection.getresponse()
        response.read()
        assert response.status < 500, (path, response.status)
        return response.msg.get_all("Date") or []
    finally:
        connection.close()


@pytest.mark.parametrize("accept", [BROWSER, "text/turtle"])
def test_every_response_of_the_server_has_one_date(server, accept):
    """Werkzeug's conditional responses set a Date and the development server writes its own
    (gunicorn drops an application's Date: it is one of its hop-by-hop headers)."""
    for path in PATHS:
        assert len(date_headers(server.url, path, accept)) == 1, path
