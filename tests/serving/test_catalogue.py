"""What the catalogue says is what the server serves, on the embedded and the remote store: the
dataset is the endpoint's default graph, the ontology, VoID and changes are named graphs of their
own (listed in the service description), and /dumps/ lists every file of the release."""

from __future__ import annotations

import json
import re

import requests
from helpers import BASE, BROWSER, DCAT
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, VOID

TIMEOUT = 10
SD = "http://www.w3.org/ns/sparql-service-description#"
DATASET = URIRef(BASE + "id/jeu-de-donnees/tilod")
#: a release's files that are not downloads: its store, the search page's names, the manifest
#: the release's files that are not dumps: the JSON-LD context is served at {base}def/tilod/context.jsonld,
#: the URI policy is a page (/def/politique-uri), cache/ holds the SPARQL answers the web workers keep
NOT_DOWNLOADS = {"store", "search-index.json", "release.json", "context.jsonld", "uri-policy.md", "cache"}


def count(server, where: str) -> int:
    response = requests.post(server.sparql, data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"},
                             headers={"Accept": "application/sparql-results+json"}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def rdf(url: str) -> Graph:
    response = requests.get(url, headers={"Accept": "text/turtle"}, timeout=TIMEOUT)
    assert response.status_code == 200, url
    return Graph().parse(data=response.content, format="turtle")


def test_void_triples_is_what_the_default_graph_holds(server):
    void = rdf(server.url + ".well-known/void")
    assert count(server, "?s ?p ?o") == void.value(DATASET, VOID.triples).toPython() > 10_000


def test_the_ontology_void_and_changes_are_named_graphs_of_their_own(server):
    void = rdf(server.url + ".well-known/void")
    [version] = {str(d).split("/")[-2] for d in void.objects(DATASET, VOID.dataDump)}
    description = rdf(server.sparql)
    named = {str(description.value(n, URIRef(SD + "name"))): description.value(n, URIRef(SD + "graph"))
             for n in description.subjects(RDF.type, URIRef(SD + "NamedGraph"))}
    assert set(named) == {f"{BASE}dumps/{version}/{name}" for name in ("ontology.ttl", "void.ttl", "changes.ttl")}
    for name, graph in named.items():
        stated = description.value(graph, VOID.triples).toPython()
        # a named graph holds its file, whole: what VoID says of it (and VoID itself: all it says)
        expected = len(void) if name.endswith("void.ttl") else void.value(URIRef(name), VOID.triples).toPython()
        assert count(server, f"GRAPH <{name}> {{ ?s ?p ?o }}") == stated == expected > 0, name
    default = description.value(next(description.objects(None, URIRef(SD + "defaultGraph"))), VOID.triples)
    assert default.toPython() == void.value(DATASET, VOID.triples).toPython()


def test_the_dumps_page_lists_every_file_of_the_release(server, settings):
    folder = (settings.releases_dir / "current").resolve()
    manifest = json.loads((folder / "release.json").read_text(encoding="utf-8"))
    response = requests.get(server.url + "dumps/", headers={"Accept": BROWSER}, timeout=TIMEOUT)
    assert response.status_code == 200
    linked = set(re.findall(rf'href="{re.escape(BASE)}dumps/{manifest["version"]}/([^"/]+)"', response.text))
    on_disk = {path.name for path in folder.iterdir()} - NOT_DOWNLOADS
    assert linked == {f["filename"] for f in manifest["files"]} == on_disk
    assert "void.ttl" in linked
    for name in linked:
        assert requests.head(server.url + f"dumps/{manifest['version']}/{name}", timeout=TIMEOUT).status_code == 200


def test_the_dataset_and_its_catalogue_dereference(server):
    """Their descriptions live in the VoID graph: a resource's page reads it with the data."""
    catalogue = URIRef(BASE + "id/catalogue/tilod")
    for uri, prop in ((DATASET, DCAT.distribution), (catalogue, DCAT.dataset),
                      (URIRef(BASE + "id/jeu-de-donnees/ontologie"), DCAT.distribution)):
        assert (uri, prop, None) in rdf(server.to_server(str(uri))), uri
