"""The release folder: dumps that round-trip through real parsers, and their description."""

from __future__ import annotations

import gzip
import hashlib
import json

import pyoxigraph as ox
import pytest
from helpers import DCAT, inline_context
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

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


def default_graph(store: ox.Store) -> set[ox.Triple]:
    return {quad.triple for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


DUMP_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".gz": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD}


def test_every_data_dump_is_the_whole_default_graph(release, store, settings):
    void = Graph().parse(release / "void.ttl")
    dataset = URIRef(settings.base_uri + "id/jeu-de-donnees/tilod")
    served = default_graph(store)
    assert void.value(dataset, VOID.triples).toPython() == len(served)
    dumps = sorted(str(d).rsplit("/", 1)[-1] for d in void.objects(dataset, VOID.dataDump))
    assert dumps == ["tilod.jsonld", "tilod.nt.gz", "tilod.ttl"]
    for name in dumps:
        raw = (release / name).read_bytes()
        if name.endswith(".gz"):
            raw = gzip.decompress(raw)
        if name.endswith(".jsonld"):
            raw = inline_context(raw)
        fmt = DUMP_FORMATS[name[name.rindex("."):]]
        assert {q.triple for q in ox.parse(raw, format=fmt)} == served, name  # the data has no blank node


#: the release's other files, each the one distribution of a dataset of its own
OWN_DATASETS = {"ontology.ttl": "ontologie", "shapes.ttl": "formes",
                "validation-report.ttl": "rapport-de-validation", "changes.ttl": "changements"}


@pytest.mark.parametrize(("filename", "name"), OWN_DATASETS.items())
def test_the_other_files_are_datasets_of_their_own(release, manifest, settings, filename, name):
    base = settings.base_uri
    void = Graph().parse(release / "void.ttl")
    dataset = URIRef(base + "id/jeu-de-donnees/" + name)
    url = URIRef(f"{base}dumps/{manifest['version']}/{filename}")
    assert (dataset, RDF.type, DCAT.Dataset) in void
    assert list(void.objects(dataset, DCAT.distribution)) == [url]
    assert (None, VOID.dataDump, url) not in void
    path = release / filename
    assert void.value(url, VOID.triples).toPython() == len(Graph().parse(path, format="turtle"))
    assert void.value(url, DCAT.byteSize).toPython() == path.stat().st_size
    checksum = void.value(url, URIRef(SPDX + "checksum"))
    assert str(void.value(checksum, URIRef(SPDX + "checksumValue"))) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert void.value(url, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/turtle")
    assert void.value(url, DCTERMS.format) == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE")
    assert void.value(url, DCTERMS.license) == URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")


def test_the_catalogue_covers_the_years_of_both_phases(release, settings):
    """From the first phase's first year to the 2023-2027 phase's last (the phases' own names)."""
    void = Graph().parse(release / "void.ttl")
    period = void.value(URIRef(settings.base_uri + "id/jeu-de-donnees/tilod"), DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in void
    assert (str(void.value(period, DCAT.startDate)), str(void.value(period, DCAT.endDate))) == ("2018", "2027")


def test_the_publisher_and_its_contact_are_tilods_own(release, settings):
    """The catalogue names who answers for it: tilod and its site, not the issuer of a source
    (the Préfet de l'Aisne publishes the press release, not this dataset)."""
    void = Graph().parse(release / "void.ttl")
    dataset = URIRef(settings.base_uri + "id/jeu-de-donnees/tilod")
    assert str(void.value(dataset, URIRef("http://purl.org/dc/terms/publisher"))) == "https://w3id.org/tilod/"
    contact = void.value(dataset, DCAT.contactPoint)
    assert str(void.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasURL"))) == settings.base_uri
    assert "aisne.gouv.fr" not in (release / "void.ttl").read_text(encoding="utf-8")


