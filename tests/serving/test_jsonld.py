"""JSON-LD for programmers: every kind of resource and the dump, compacted with the published
context, expand to the graph of their Turtle in two independent JSON-LD processors (pyld from
PyPI, jsonld.js from npm run by node), and a program reads them with plain `json`."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import requests
from helpers import BASE, CONTEXT_FILE, media_type
from pyld import jsonld
from rdflib import Graph
from rdflib.compare import isomorphic
from sources import read_sources

from conftest import ROOT

TIMEOUT = 10
CONTEXT_URL = BASE + "def/tilod/context.jsonld"
TERRITORY = BASE + "id/territoire/2023-2027/ti-3208"
#: one resource of each kind (the data's), and the documents of the vocabulary, shapes and VoID
KINDS = {
    "territory 2023-2027": TERRITORY,
    "territory 2018-2022": BASE + "id/territoire/2018-2022/ti-3202",
    "EPCI": BASE + "id/epci/200071892",
    "commune": BASE + "id/commune/02691",
    "département": BASE + "id/departement/02",
    "région": BASE + "id/region/32",
    "labelling": BASE + "id/labellisation/2023-2027/ti-3208",
    "membership": BASE + "id/adhesion/2023-2027/ti-3208/200071892",
    "phase": BASE + "id/phase/2023-2027",
    "programme": BASE + "id/programme/territoires-d-industrie",
    "source": BASE + "id/source/anct-ti-2023",
    "outline": BASE + "id/territoire/2023-2027/ti-3208/geometrie",
    "nature juridique": BASE + "id/nature-juridique/CA",
    "ontology": BASE + "def/tilod",
    "shapes": BASE + "def/tilod/shapes",
    "VoID": BASE + ".well-known/void",
}
NODE_SCRIPT = ROOT / "tests/serving/jsonld_to_nquads.js"


def get(url: str, accept: str, **params) -> requests.Response:
    response = requests.get(url, headers={"Accept": accept}, params=params, timeout=TIMEOUT)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return response


def turtle_of(server, uri: str) -> Graph:
    return Graph().parse(data=get(server.to_server(uri), "text/turtle").content, format="turtle")


def pyld_graph(server, document: dict) -> Graph:
    """The RDF pyld expands `document` to, fetching its context from the server (nowhere else)."""
    def loader(url, options=None):
        assert url.startswith(server.base), f"pyld was sent to {url}"
        context = requests.get(server.to_server(url), timeout=TIMEOUT)
        assert context.status_code == 200, (url, context.status_code)
        return {"contextUrl": None, "documentUrl": url, "document": context.json()}

    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": loader})
    return Graph().parse(data=nquads, format="nt")


def jsonld_js_graph(server, document: bytes) -> Graph:
    """The RDF jsonld.js (node) expands `document` to, in its safe mode (nothing dropped silently)."""
    run = subprocess.run(
        ["node", str(NODE_SCRIPT), server.url, server.base], input=document, capture_output=True,
        timeout=120, env={**os.environ, "NODE_PATH": str(ROOT / "web/node_modules")},
    )
    assert run.returncode == 0, run.stderr.decode()
    return Graph().parse(data=run.stdout.decode("utf-8"), format="nt")


@pytest.mark.parametrize("kind", KINDS)
def test_pyld_expands_each_kind_to_the_graph_of_its_turtle(server, kind):
    uri = KINDS[kind]
    answer = get(server.to_server(uri), "application/ld+json")
    assert media_type(answer) == "application/ld+json"
    document = answer.json()
    assert document["@context"] == CONTEXT_URL
    expected = turtle_of(server, uri)
    assert len(expected) > 0
    assert isomorphic(pyld_graph(server, document), expected), kind


@pytest.mark.parametrize("kind", KINDS)
def test_jsonld_js_expands_each_kind_to_the_graph_of_its_turtle(server, kind):
    uri = KINDS[kind]
    answer = get(server.to_server(uri), "application/ld+json")
    assert isomorphic(jsonld_js_graph(server, answer.content), turtle_of(server, uri)), kind


def test_a_resource_is_one_node_object_with_its_links_nested(server):
    document = get(server.to_server(TERRITORY), "application/ld+json").json()
    assert document["id"] == TERRITORY
    assert document["type"] == "TerritoireIndustrie"
    assert "@graph" not in document
    phase = document["phase"]
    assert phase["id"] == BASE + "id/phase/2023-2027"
    assert phase["nom"] == "Territoires d'industrie 2023-2027"
    # what links to it: its memberships (org:organization), under a key of the context
    assert {a["id"] for a in document["adhesions"]} == {
        f"{BASE}id/adhesion/2023-2027/ti-3208/{siren}" for siren in read_sources().territories[("2023-2027", "ti-3208")].members
    }


def test_a_program_reads_a_territory_with_plain_json(server):
    """What the README shows: `doc["membres"][0]["nom"]`, without a JSON-LD library."""
    doc = json.loads(get(server.to_server(TERRITORY), "application/ld+json").text)
    sources = read_sources()
    territory = sources.territories[("2023-2027", "ti-3208")]
    assert doc["nom"] == territory.name == "Haute-Picardie"
    members = {m["id"]: m["nom"] for m in doc["membres"]}
    assert members == {f"{BASE}id/epci/{siren}": sources.epcis[siren].name for siren in territory.members}
    assert isinstance(doc["membres"][0]["nom"], str)
    # typed values come as JSON numbers, summed from the sources' populations
    assert doc["population"] == sum(sources.population_of_member(s)[0] for s in territory.members)
    assert doc["populationMunicipale"] == sum(sources.population_of_member(s)[1] for s in territory.members)
    assert sorted(d["nom"] for d in doc["departements"]) == ["Aisne", "Somme"]
    assert [r["nom"] for r in doc["regions"]] == ["Hauts-de-France"]
    assert doc["geometrie"]["wkt"].startswith("MULTIPOLYGON(((")


def test_a_multi_valued_key_is_a_list_even_with_one_value(server):
    doc = get(server.to_server(BASE + "id/commune/02691"), "application/ld+json").json()
    assert doc["nom"] == "Saint-Quentin"
    assert doc["codeInsee"] == "02691"
    assert [d["id"] for d in doc["departements"]] == [BASE + "id/departement/02"]  # one value, a list
    assert isinstance(doc["populationMunicipale"], int)
    assert doc["populationMunicipale"] == read_sources().communes["02691"].population


def test_english_labels_have_their_own_key(server):
    doc = get(server.to_server(BASE + "id/phase/2023-2027"), "application/ld+json").json()
    assert doc["nom"] == "Territoires d'industrie 2023-2027"
    assert doc["nom_en"] == "Territoires d'industrie 2023-2027"
    source = get(server.to_server(BASE + "id/source/anct-ti-2023"), "application/ld+json").json()
    assert source["nom_en"] == "List of the Territoires d'industrie 2023-2027 (ANCT)"


def test_the_context_is_served_at_its_url(server):
    response = requests.get(server.to_server(CONTEXT_URL), timeout=TIMEOUT)
    assert response.status_code == 200
    assert media_type(response) == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"  # a page's script may fetch it
    assert response.headers.get("ETag")
    assert response.json() == json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def test_the_context_inline_on_request(server):
    url = server.to_server(TERRITORY)
    inline = get(url, "application/ld+json", context="inline")
    document = inline.json()
    assert document["@context"] == json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    # no document loader: pyld must not need to fetch anything
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": None})
    assert isomorphic(Graph().parse(data=nquads, format="nt"), turtle_of(server, TERRITORY))
    by_url = get(url, "application/ld+json")
    assert inline.headers["ETag"] != by_url.headers["ETag"]  # two documents, two validators
    assert get(url + ".jsonld", "*/*", context="inline").json() == document


@pytest.mark.parametrize("value", ["url", "", "INLINE", "inline "])
def test_a_bad_context_parameter_is_refused_naming_it(server, value):
    response = requests.get(server.to_server(TERRITORY) + ".jsonld", params={"context": value}, timeout=TIMEOUT)
    assert response.status_code == 400
    assert "'context'" in response.text and "inline" in response.text


def test_the_dump_is_one_node_object_per_subject(release):
    document = json.loads((release / "tilod.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == CONTEXT_URL
    ids = [node["id"] for node in document["@graph"]]
    assert len(ids) == len(set(ids))
    subjects = set(Graph().parse(release / "tilod.ttl", format="turtle").subjects())
    assert set(ids) == {str(s) for s in subjects}
    [territory] = [node for node in document["@graph"] if node["id"] == TERRITORY]
    assert territory["nom"] == "Haute-Picardie"
    assert BASE + "id/epci/200071892" in territory["membres"]  # links are IRIs in the dump


def test_both_processors_expand_the_dump_to_the_turtle_dump(server, release):
    expected = Graph().parse(release / "tilod.ttl", format="turtle")
    raw = (release / "tilod.jsonld").read_bytes()
    assert isomorphic(jsonld_js_graph(server, raw), expected)
    assert isomorphic(pyld_graph(server, json.loads(raw)), expected)


def test_the_readme_documents_every_key_of_the_context():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| key | property | value |\n|---|---|---|\n", 1)[1].split("\n\n", 1)[0]
    documented = {key for row in table.splitlines() for key in re.findall(r"`([^`]+)`", row.split("|")[1])}
    context = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    keys = {name for name, definition in context.items() if isinstance(definition, dict) or definition in ("@id", "@type")}
    assert documented == keys
