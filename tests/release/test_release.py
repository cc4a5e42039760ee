"""The release folder: dumps that round-trip through real parsers, and their description."""

from __future__ import annotations

import gzip
import hashlib
import json

import pyoxigraph as ox
import pytest
from helpers import DCAT, inline_context
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import VOID

SPDX = "http://spdx.org/rdf/terms#"


@pytest.fixture(scope="module")
def manifest(release):
    return json.loads((release / "release.json").read_text())


@pytest.mark.parametrize(
    ("filename", "rdflib_format"),
    [("tilod.ttl", "turtle"), ("tilod.nt.gz", "nt"), ("tilod.jsonld", "json-ld")],
)
def test_dump_round_trips_through_rdflib(release, manifest, subset_graph, filename, rdflib_format):
    raw = (release / filename).read_bytes()
    if filename.endswith(".gz"):
        raw = gzip.decompress(raw)
    if filename.endswith(".jsonld"):
        raw = inline_context(raw)
    parsed = Graph().parse(data=raw, format=rdflib_format)
    assert len(parsed) == manifest["triples"] == len(subset_graph)
    # every dump holds the graph that was validated (the data has no blank nodes: this is exact)
    assert not any(isinstance(term, BNode) for triple in parsed for term in triple)
    assert parsed.isomorphic(subset_graph), filename


@pytest.mark.parametrize(
    ("filename", "fmt"),
    [
        ("tilod.ttl", ox.RdfFormat.TURTLE),
        ("tilod.nt.gz", ox.RdfFormat.N_TRIPLES),
        ("tilod.jsonld", ox.RdfFormat.JSON_LD),
    ],
)
def test_dump_round_trips_through_oxigraph(release, manifest, filename, fmt):
    raw = (release / filename).read_bytes()
    if filename.endswith(".gz"):
        raw = gzip.decompress(raw)
    if filename.endswith(".jsonld"):
        raw = inline_context(raw)
    assert sum(1 for _ in ox.parse(raw, format=fmt)) == manifest["triples"]


def test_release_holds_ontology_shapes_report_and_store(release, store, manifest):
    for name in ("ontology.ttl", "shapes.ttl", "validation-report.ttl", "void.ttl"):
        assert (release / name).stat().st_size > 0
    assert len(store) == manifest["store_triples"] > manifest["triples"]
    report = Graph().parse(release / "validation-report.ttl")
    conforms = next(report.objects(None, URIRef("http://www.w3.org/ns/shacl#conforms")))
    assert conforms.toPython() is True


def test_void_describes_each_dump_exactly(release, manifest, settings):
    void = Graph().parse(release / "void.ttl")
    dataset = URIRef(settings.base_uri + "id/jeu-de-donnees/tilod")
    assert void.value(dataset, VOID.triples).toPython() == manifest["triples"]
    dumps = set(void.objects(dataset, VOID.dataDump))
    assert {str(d).rsplit("/", 1)[-1] for d in dumps} >= {"tilod.ttl", "tilod.nt.gz", "tilod.jsonld"}
    for dump in dumps:
        path = release / str(dump).rsplit("/", 1)[-1]
        assert void.value(dump, DCAT.byteSize).toPython() == path.stat().st_size
        checksum = void.value(dump, URIRef(SPDX + "checksum"))
        value = void.value(checksum, URIRef(SPDX + "checksumValue"))
        assert str(value) == hashlib.sha256(path.read_bytes()).hexdigest()
        assert void.value(dump, DCAT.mediaType) is not None
        assert void.value(dump, URIRef("http://purl.org/dc/terms/license")) is not None
        assert f"/dumps/{manifest['version']}/" in str(dump)
    assert (dataset, URIRef("http://purl.org/dc/terms/created"), None) in void
    assert (dataset, VOID.sparqlEndpoint, URIRef(settings.base_uri + "sparql")) in void
    assert isinstance(void.value(dataset, URIRef(str(DCAT) + "version")), Literal)


def test_current_points_at_the_new_release(release, settings):
    assert (settings.releases_dir / "current").resolve() == release.resolve()
