"""Dereferencing over real HTTP: `/id/...`, the ontology, the shapes and VoID, on a running server."""

from __future__ import annotations

import hashlib
import html
import re

import pyoxigraph as ox
import pytest
import requests
from helpers import BASE, BROWSER, DCAT, ONTOLOGY, inline_context, media_type
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import ORG, OWL, RDF, RDFS, SH, VOID
from server import TextOf

TERRITORY = BASE + "id/territoire/2023-2027/ti-3208"
EPCI = BASE + "id/epci/200071892"
REGION = BASE + "id/region/32"

#: kind -> (URI, French label)
RESOURCES = {
    "territoire": (TERRITORY, "Haute-Picardie"),
    "epci": (EPCI, "CA du Saint-Quentinois"),
    "commune": (BASE + "id/commune/02691", "Saint-Quentin"),
    "departement": (BASE + "id/departement/02", "Aisne"),
    "region": (REGION, "Hauts-de-France"),
    "programme": (BASE + "id/programme/territoires-d-industrie", "Territoires d'industrie"),
    "phase": (BASE + "id/phase/2023-2027", "Territoires d'industrie 2023-2027"),
}
#: media type -> (suffix, rdflib parser, pyoxigraph format or None)
FORMATS = {
    "text/turtle": ("ttl", "turtle", ox.RdfFormat.TURTLE),
    "application/ld+json": ("jsonld", "json-ld", ox.RdfFormat.JSON_LD),
    "application/n-triples": ("nt", "nt", ox.RdfFormat.N_TRIPLES),
    "application/rdf+xml": ("rdf", "xml", None),
}
TIMEOUT = 10


def get(url: str, accept: str | None = None, **kwargs) -> requests.Response:
    headers = kwargs.pop("headers", {})
    if accept is not None:
        headers["Accept"] = accept
    return requests.get(url, headers=headers, timeout=TIMEOUT, **kwargs)


def parse(response: requests.Response, media: str | None = None) -> Graph:
    media = media or media_type(response)
    data = inline_context(response.content) if media == "application/ld+json" else response.content
    return Graph().parse(data=data, format=FORMATS[media][1])


def vary(response: requests.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}


def french_label(label: str) -> Literal:
    return Literal(label, lang="fr")


def main_part(page: str) -> str:
    """What the page says about the resource: the template's <main>, without header and footer."""
    match = re.search(r"<main[^>]*>(.*)</main>", page, re.DOTALL)
    assert match, "no <main> in the page"
    return match.group(1)


# -- each resource in each format -------------------------------------------------------------

@pytest.mark.parametrize("media", FORMATS)
@pytest.mark.parametrize("kind", RESOURCES)
def test_each_format_by_accept_holds_the_label(server, kind, media):
    uri, label = RESOURCES[kind]
    ext, _, ox_format = FORMATS[media]
    response = get(server.to_server(uri), media)
    assert response.status_code == 200, response.text
    assert media_type(response) == media
    if media.startswith("text/"):
        assert "charset=utf-8" in response.headers["Content-Type"].replace(" ", "").lower()
    assert "accept" in vary(response)
    assert response.headers["Content-Location"] == f"{uri}.{ext}"
    assert response.headers["Access-Control-Allow-Origin"] == "*"

    graph = parse(response)
    assert (URIRef(uri), RDFS.label, french_label(label)) in graph
    if ox_format is not None:
        content = inline_context(response.content) if media == "application/ld+json" else response.content
        triples = [q.triple for q in ox.parse(content, format=ox_format)]
        assert ox.Triple(ox.NamedNode(uri), ox.NamedNode(str(RDFS.label)),
                         ox.Literal(label, language="fr")) in triples
        assert len(set(triples)) == len(graph)


@pytest.mark.parametrize("media", FORMATS)
@pytest.mark.parametrize("kind", RESOURCES)
def test_suffix_and_format_parameter_give_the_same_graph(server, kind, media):
    uri, _ = RESOURCES[kind]
    ext = FORMATS[media][0]
    negotiated = get(server.to_server(uri), media)
    by_suffix = get(server.to_server(uri) + "." + ext)
    by_parameter = get(server.to_server(uri), params={"format": ext})
    for response in (by_suffix, by_parameter):
        assert response.status_code == 200, response.text
        assert media_type(response) == media
        assert "accept" not in vary(response)
        assert "Content-Location" not in response.headers
        assert isomorphic(parse(response), parse(negotiated))
    assert f'<{uri}>; rel="describes"' in by_suffix.headers["Link"].split(", ")  # and the other forms


def test_the_format_parameter_takes_a_media_type_and_wins_over_accept(server):
    url = server.to_server(TERRITORY)
    response = get(url, "text/turtle", params={"format": "application/n-triples"})
    assert response.status_code == 200
    assert media_type(response) == "application/n-triples"
    assert (URIRef(TERRITORY), RDFS.label, french_label("Haute-Picardie")) in parse(response)
    assert get(url, "text/turtle", params={"format": "yaml"}).status_code == 406
    assert get(url + ".html", "text/turtle").headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("accept", ["text/turtle", "text/html", "application/ld+json"])
def test_head_has_the_headers_of_get_and_no_body(server, accept):
    url = server.to_server(TERRITORY)
    full = get(url, accept)
    head = requests.head(url, headers={"Accept": accept}, timeout=TIMEOUT)
    assert head.status_code == 200
    assert head.content == b""
    for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Vary",
                 "Content-Location", "Cache-Control", "Access-Control-Allow-Origin"):
        assert head.headers.get(name) == full.headers.get(name), name
    assert int(head.headers["Content-Length"]) == len(full.content) > 0


@pytest.mark.parametrize("path", ["id/territoire/2023-2027/ti-3208", "def/tilod",
                                  "def/tilod/shapes", ".well-known/void"])
def test_an_unavailable_format_is_406(server, path):
    response = get(server.url + path, "image/png")
    assert response.status_code == 406
    assert "text/turtle" in response.text
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_browser_gets_html(server):
    response = get(server.to_server(TERRITORY), BROWSER)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "accept" in vary(response)
    assert response.headers["Content-Location"] == TERRITORY + ".html"


# -- unknown URIs ------------------------------------------------------------------------------

UNKNOWN = BASE + "id/territoire/2023-2027/ti-9999"


def test_unknown_resource_is_an_html_404_for_a_browser(server):
    response = get(server.to_server(UNKNOWN), BROWSER)
    assert response.status_code == 404
    assert media_type(response) == "text/html"
    assert UNKNOWN in TextOf.of(response.text).text


@pytest.mark.parametrize("accept", [None, "*/*", "text/turtle", "application/ld+json"])
def test_unknown_resource_is_a_plain_404_otherwise(server, accept):
    response = get(server.to_server(UNKNOWN), accept)
    assert response.status_code == 404
    assert media_type(response) == "text/plain"
    assert UNKNOWN in response.text
    assert get(server.to_server(UNKNOWN) + ".ttl").status_code == 404


@pytest.mark.parametrize("path", ["id/a%20b", "id/a%7Bb%7D", "id/a%25zz", "id/x%3Cy%3E",
                                  "id/a%22b", "id/a%5Cb.ttl", "id/%C3%A9"])
def test_a_path_that_is_no_iri_is_404_not_an_error(server, path):
    for accept in (BROWSER, "text/turtle"):
        assert get(server.url + path, accept).status_code == 404, (path, accept)


def test_the_404_page_escapes_the_requested_path(server):
    script = "<script>alert(1)</script>"
    response = get(server.url + "id/x" + requests.utils.quote(script), BROWSER)
    assert response.status_code == 404
    assert script not in response.text
    assert html.escape(script, quote=False) in response.text
    other = get(server.url + "nowhere/" + requests.utils.quote(script), BROWSER)
    assert other.status_code == 404
    assert script not in other.text


# -- caching and CORS --------------------------------------------------------------------------

def test_validators_and_conditional_get(server):
    url = server.to_server(EPCI)
    first = get(url, "text/turtle")
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and etag.endswith('"')
    assert "max-age" in first.headers["Cache-Control"]

    by_etag = get(url, "text/turtle", headers={"If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag.headers["ETag"] == etag

    by_date = get(url, "text/turtle", headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304
    assert by_date.content == b""

    stale = get(url, "text/turtle", headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200
    assert stale.content == first.content
    older = get(url, "text/turtle", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert older.status_code == 200


def test_each_representation_has_its_own_etag(server):
    url = server.to_server(EPCI)
    etags = {media: get(url, media).headers["ETag"] for media in [*FORMATS, "text/html"]}
    assert len(set(etags.values())) == len(etags)
    # a validator of the Turtle variant does not validate the JSON-LD one
    response = get(url, "application/ld+json", headers={"If-None-Match": etags["text/turtle"]})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["id/epci/200071892", "id/territoire/2023-2027/ti-9999",
                                  "def/tilod", ".well-known/void", "sparql", "health"])
def test_cors_allows_any_origin(server, path):
    response = get(server.url + path, "text/turtle", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# -- what the descriptions say -----------------------------------------------------------------

def test_an_epci_names_its_territory(server, store):
    graph = parse(get(server.to_server(EPCI), "text/turtle"))
    territories = {str(r["t"].value) for r in store.query(
        f"SELECT ?t WHERE {{ ?t <{ORG.hasMember}> <{EPCI}> }}")}
    assert TERRITORY in territories
    for territory in territories:
        assert (URIRef(territory), ORG.hasMember, URIRef(EPCI)) in graph
        assert any(graph.objects(URIRef(territory), RDFS.label)), territory
    assert (URIRef(TERRITORY), RDFS.label, french_label("Haute-Picardie")) in graph


def test_a_territory_names_its_members(server, store):
    graph = parse(get(server.to_server(TERRITORY), "text/turtle"))
    members = {str(r["m"].value): r["l"].value for r in store.query(
        f"SELECT ?m ?l WHERE {{ <{TERRITORY}> <{ORG.hasMember}> ?m . ?m <{RDFS.label}> ?l }}")}
    assert len(members) == 5
    for member, label in members.items():
        assert (URIRef(TERRITORY), ORG.hasMember, URIRef(member)) in graph
        assert (URIRef(member), RDFS.label, Literal(label, lang="fr")) in graph


def test_a_region_description_is_bounded(server, store):
    graph = parse(get(server.to_server(REGION), "application/n-triples"))
    assert (URIRef(REGION), RDFS.label, french_label("Hauts-de-France")) in graph
    assert 0 < len(graph) < 5_000
    # even though more than that mentions it, or is one hop from what mentions it
    around = f"""SELECT (COUNT(*) AS ?n) WHERE {{
        {{ ?s ?p <{REGION}> }} UNION {{ ?s ?p ?x . ?x ?q <{REGION}> }} }}"""
    assert int(next(iter(store.query(around)))["n"].value) > 5_000


def test_territory_page_shows_the_uri_and_escapes_labels(server, store):
    page = get(server.to_server(TERRITORY), BROWSER).text
    parsed = TextOf.of(page)
    assert "".join(parsed.h1).strip() == "Haute-Picardie"
    assert TERRITORY in parsed.text
    for ext in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="{TERRITORY}.{ext}"' in page

    main = main_part(page)
    graph = parse(get(server.to_server(TERRITORY), "text/turtle"))
    labels = {str(o) for o in graph.objects(None, RDFS.label) if o.language == "fr"}
    special = {label for label in labels if any(c in label for c in "<>&'\"")}
    assert special, "the test needs labels with characters HTML must escape"
    main_text = TextOf.of(main).text
    for label in labels:
        assert label in main_text, label
    for label in special:
        assert label not in main, f"unescaped in the page: {label!r}"
        assert html.escape(label).replace("&#x27;", "&#39;") in main, label
    assert "<script" not in main


# -- ontology, shapes, VoID --------------------------------------------------------------------

def test_the_ontology(server):
    url = server.url + "def/tilod"
    graph = parse(get(url, "text/turtle"), "text/turtle")
    assert (URIRef(ONTOLOGY), RDF.type, OWL.Ontology) in graph
    assert isomorphic(parse(get(url + ".ttl")), graph)
    jsonld = parse(get(url, "application/ld+json"))
    assert (URIRef(ONTOLOGY), RDF.type, OWL.Ontology) in jsonld
    page = get(url, BROWSER)
    assert page.status_code == 200
    assert media_type(page) == "text/html"


def test_the_shapes(server):
    response = get(server.url + "def/tilod/shapes", "text/turtle")
    assert response.status_code == 200
    graph = parse(response)
    assert len(set(graph.subjects(RDF.type, SH.NodeShape))) > 3
    assert isomorphic(parse(get(server.url + "def/tilod/shapes.nt")), graph)


@pytest.fixture(scope="module")
def void(server) -> Graph:
    response = get(server.url + ".well-known/void", "text/turtle")
    assert response.status_code == 200
    return parse(response)


def test_void_describes_the_dataset(void):
    datasets = set(void.subjects(RDF.type, VOID.Dataset))
    assert datasets
    assert any(void.objects(None, VOID.sparqlEndpoint))
    assert (None, VOID.exampleResource, URIRef(TERRITORY)) in void


def test_void_dumps_resolve_with_their_byte_size(server, void):
    dumps = set(void.objects(None, VOID.dataDump))
    assert {str(d).rsplit("/", 1)[1] for d in dumps} >= {"tilod.ttl", "tilod.nt.gz",
                                                         "tilod.jsonld"}
    for dump in dumps:
        url = server.to_server(str(dump))
        response = get(url)
        assert response.status_code == 200, url
        size = int(void.value(dump, DCAT.byteSize))
        assert int(response.headers["Content-Length"]) == size == len(response.content)
        checksum = void.value(void.value(dump, URIRef("http://spdx.org/rdf/terms#checksum")),
                              URIRef("http://spdx.org/rdf/terms#checksumValue"))
        assert hashlib.sha256(response.content).hexdigest() == str(checksum)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        latest = requests.head(url.replace(url.split("/")[-2], "latest"), timeout=TIMEOUT)
        assert latest.status_code == 200
        assert int(latest.headers["Content-Length"]) == size


def test_a_dump_not_in_the_manifest_is_404(server, void):
    version = str(next(iter(void.objects(None, VOID.dataDump)))).split("/")[-2]
    for path in (f"dumps/{version}/release.json", f"dumps/{version}/..%2Frelease.json",
                 "dumps/latest/store", "dumps/19990101T000000Z/tilod.ttl",
                 "dumps/../releases/current/tilod.ttl"):
        assert get(server.url + path).status_code == 404, path
