"""The release's catalogue (void.ttl) against the official DCAT-AP 3.0.1 shapes (shapes/dcat-ap/),
as data.europa.eu and data.gouv.fr harvest it: no violation, no info, and only the warnings no
real record can lift (below)."""

from __future__ import annotations

import pyshacl
import pytest
from helpers import DCAT
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from conftest import ROOT

SHAPES = ROOT / "shapes" / "dcat-ap"
SHAPE_FILES = ("dcat-ap-SHACL.ttl", "shapes.ttl", "shapes_recommended.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")
FRANCE = URIRef("http://publications.europa.eu/resource/authority/country/FRA")
#: (shape file, property) of the only warnings left, and why no real record lifts them:
#: - the publisher (tilod) has no code in the EU corporate-body vocabulary (EU institutions and
#:   bodies): the profile warns for any publisher outside it;
#: - nor an ADMS publisher type (dcterms:type): no source says what kind of body runs it;
#: - France (the EU country FRA) as a dct:Location is recommended a bounding box and a centroid:
#:   the data holds outlines of metropolitan France only, not of the whole country.
KNOWN_WARNINGS = {
    ("mdr-vocabularies.shape.ttl", DCTERMS.publisher),
    ("shapes_recommended.ttl", DCTERMS.type),
    ("shapes_recommended.ttl", DCAT.bbox),
    ("shapes_recommended.ttl", DCAT.centroid),
}


def load(name: str) -> Graph:
    """A shape file, without the two sh:property references dcat-ap-SHACL.ttl makes to shapes it
    never defines (SEMICeu/DCAT-AP#448), which stop a validator from running the file at all."""
    shapes = Graph().parse(SHAPES / name)
    for shape, prop in list(shapes.subject_objects(SH.property)):
        if (prop, None, None) not in shapes:
            shapes.remove((shape, SH.property, prop))
    return shapes


@pytest.fixture(scope="module")
def dcat_ap() -> dict[str, Graph]:
    return {name: load(name) for name in SHAPE_FILES}


def results(catalogue: Graph, shapes: Graph) -> list[tuple[str, str, str, str]]:
    """(severity, focus node, path, message) of each top-level result (not the nested details)."""
    _, report, _ = pyshacl.validate(catalogue, shacl_graph=shapes, inference="none")
    return sorted((str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1], str(report.value(r, SH.focusNode)),
                   str(report.value(r, SH.resultPath)), str(report.value(r, SH.resultMessage)))
                  for r in report.objects(None, SH.result))


def known(name: str, result: tuple[str, str, str, str]) -> bool:
    return result[0] == "Warning" and (name, URIRef(result[2])) in KNOWN_WARNINGS


def check(catalogue: Graph, dcat_ap: dict[str, Graph]) -> None:
    assert (None, RDF.type, DCAT.Catalog) in catalogue
    for name, shapes in dcat_ap.items():
        found = [result for result in results(catalogue, shapes) if not known(name, result)]
        assert not found, f"{name}: {len(found)} result(s)\n" + "\n".join(map(str, found))


def test_the_catalogue_passes_every_dcat_ap_shape(release, dcat_ap):
    check(Graph().parse(release / "void.ttl"), dcat_ap)


def test_the_warnings_left_are_the_known_ones(release, dcat_ap):
    """The allowance covers what it says and nothing more: the publisher of each resource that
    names one, and France, the one dct:Location."""
    catalogue = Graph().parse(release / "void.ttl")
    allowed = {(name, focus) for name, shapes in dcat_ap.items()
               for _, focus, _, _ in (r for r in results(catalogue, shapes) if known(name, r))}
    publishing = {str(s) for s in catalogue.subjects(DCTERMS.publisher, None)}
    assert len(publishing) == 7  # the catalogue, its five datasets and its data service
    publishers = {str(o) for o in catalogue.objects(None, DCTERMS.publisher)}
    assert publishers == {"https://w3id.org/tilod/"}
    assert allowed == ({("mdr-vocabularies.shape.ttl", s) for s in publishing}
                       | {("shapes_recommended.ttl", str(FRANCE))}
                       | {("shapes_recommended.ttl", p) for p in publishers})
    assert set(catalogue.subjects(RDF.type, DCTERMS.Location)) == {FRANCE}


@pytest.mark.national
def test_the_national_catalogue_passes_every_dcat_ap_shape(national_release, dcat_ap):
    check(Graph().parse(national_release / "void.ttl"), dcat_ap)
