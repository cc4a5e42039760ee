"""The SPARQL endpoint for people: results as a page for browsers, downloads with ?format=,
while programs keep the W3C formats they ask for. Runs on both stores (the `server` fixture)."""

from __future__ import annotations

import csv
import io

import pytest
import requests
from helpers import BROWSER
from server import TextOf

from conftest import ROOT

TIMEOUT = 30
BY_REGION = (ROOT / "src/tilod/serving/queries/01-territoires-par-region.rq").read_text(encoding="utf-8")
FACTS = (ROOT / "src/tilod/serving/queries/05-faits-du-communique.rq").read_text(encoding="utf-8")


def run(server, query: str, accept: str = BROWSER, **params: str) -> requests.Response:
    return requests.get(server.sparql, params={"query": query, **params}, headers={"Accept": accept},
                        timeout=TIMEOUT)


def test_a_browser_gets_a_table_and_a_chart_for_an_aggregate(server):
    response = run(server, BY_REGION)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Vary"] == "Accept"
    text = TextOf.of(response.text).text
    assert "Hauts-de-France" in text
    # the same rows as the CSV download; a chart per numeric column (three) once there are two rows
    counted = requests.get(server.sparql, params={"query": BY_REGION, "format": "csv"}, timeout=TIMEOUT)
    rows = list(csv.DictReader(io.StringIO(counted.text)))
    assert len(rows) >= 2 and {r["nomRegion"] for r in rows} >= {"Hauts-de-France"}
    for row in rows:
        assert f"<td>{row['territoires']}</td>" in response.text
    assert response.text.count('class="graphique" role="img"') == 3
    assert response.text.count("<rect") == 3 * len(rows)
    facts = run(server, FACTS)
    assert facts.text.count('class="graphique" role="img"') == 1  # one numeric column: one chart
    assert facts.text.count("<rect") == facts.text.count("<tr><td>")
    one_row = run(server, BY_REGION.replace("ORDER BY DESC(?territoires)", "ORDER BY DESC(?territoires) LIMIT 1"))
    assert "<rect" not in one_row.text  # one bar is no chart


def test_programs_keep_getting_the_formats_they_ask_for(server):
    for accept, media in [("application/sparql-results+json", "application/sparql-results+json"),
                          ("*/*", "application/sparql-results+json"),
                          ("text/csv", "text/csv"),
                          ("application/sparql-results+xml, text/html;q=0.5", "application/sparql-results+xml")]:
        response = run(server, BY_REGION, accept)
        assert response.status_code == 200
        assert response.headers["Content-Type"].split(";")[0] == media, accept


@pytest.mark.parametrize("fmt,media", [("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
                                       ("json", "application/sparql-results+json"),
                                       ("xml", "application/sparql-results+xml")])
def test_download_links_name_a_format_and_a_file(server, fmt: str, media: str):
    response = run(server, BY_REGION, format=fmt)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media
    assert response.headers["Content-Disposition"] == f'attachment; filename="tilod-resultats.{fmt}"'
    assert "Hauts-de-France" in response.text
    page = run(server, BY_REGION).text
    assert f"format={fmt}" in page  # the results page links to it


def test_a_graph_query_is_shown_as_turtle_with_graph_downloads(server):
    describe = f"DESCRIBE <{server.base}id/territoire/2023-2027/ti-3215>"
    response = run(server, describe)
    assert response.status_code == 200
    assert "Sud Aisne" in TextOf.of(response.text).text
    assert "format=ttl" in response.text and "format=csv" not in response.text
    download = run(server, describe, format="jsonld")
    assert download.headers["Content-Type"].startswith("application/ld+json")


def test_ask_and_errors_as_pages(server):
    ask = run(server, "ASK { ?s a <http://www.w3.org/ns/org#Organization> }")
    assert ask.status_code == 200 and "Réponse" in TextOf.of(ask.text).text
    wrong = run(server, "SELECT ?x WHERE { ?x ?y }")
    assert wrong.status_code == 400
    assert wrong.headers["Content-Type"].startswith("text/html")
    assert "SELECT ?x WHERE { ?x ?y }" in TextOf.of(wrong.text).text  # the query is kept in the form
    unknown_format = run(server, BY_REGION, format="<b>")  # ignored, like any parameter we do not know
    assert unknown_format.status_code == 200 and unknown_format.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("name,select_media,graph_media", [
    ("xml", "application/sparql-results+xml", "application/rdf+xml"),
    ("json", "application/sparql-results+json", "application/ld+json"),
    ("turtle", None, "text/turtle"),
])
def test_format_names_clients_send_follow_the_query_kind(server, name, select_media, graph_media):
    """SPARQLWrapper sends ?format=xml for SELECT results and for RDF/XML graphs alike."""
    construct = f"CONSTRUCT WHERE {{ <{server.base}id/territoire/2023-2027/ti-3215> ?p ?o }}"
    graph = run(server, construct, graph_media, format=name)
    assert graph.status_code == 200 and graph.headers["Content-Type"].split(";")[0] == graph_media
    if select_media:
        results = run(server, BY_REGION, select_media, format=name)
        assert results.headers["Content-Type"].split(";")[0] == select_media


def test_results_page_escapes_what_the_query_makes_up(server):
    query = 'SELECT ?x ?y WHERE { BIND("<script>alert(1)</script>" AS ?x) BIND(IRI("javascript:alert(2)") AS ?y) }'
    response = run(server, query)
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert 'href="javascript' not in response.text


def test_english_results_page_keeps_the_query(server):
    response = run(server, BY_REGION, lang="en")
    assert '<html lang="en">' in response.text
    assert "Download" in TextOf.of(response.text).text
    assert 'hreflang="fr"' in response.text and "query=" in response.text.split('hreflang="fr"')[0].rsplit("<a", 1)[1]


def test_download_links_keep_the_dataset(server):
    graph = "http://example.org/no-such-graph"
    response = run(server, BY_REGION, **{"default-graph-uri": graph})
    assert response.status_code == 200
    links = [part.split('"')[0] for part in response.text.split('href="')[1:] if "format=" in part.split('"')[0]]
    assert len(links) == 4
    assert all(link.startswith("/sparql?query=") and "default-graph-uri=http%3A%2F%2Fexample.org" in link
               for link in links)
