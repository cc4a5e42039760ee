"""The shapes of the links out catch a real record of the Aisne+Somme release made bad: in the
data (each family's URL pattern) and in the VoID (each linkset and its target).

The cases touch different records, so each graph (data, VoID) is made bad once with all its
cases and validated once; every violation must be on a bad record.
"""

from __future__ import annotations

import json

import pytest
from helpers import BASE
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns

from conftest import ROOT
from tilod.graph.uris import Uris
from tilod.release.catalogue import load_catalogue
from tilod.release.description import describe_release
from tilod.release.dumps import WrittenFile
from tilod.validation.shacl import load_shapes, validate

ID = BASE + "id/"
IGEO = ns.Namespace("http://rdf.insee.fr/def/geo#")
TILOD = ns.Namespace("https://w3id.org/tilod/def/tilod#")
DIRECTORY = "https://annuaire-entreprises.data.gouv.fr/entreprise/"
GEO_API = "https://geo.api.gouv.fr/"
SAINT_QUENTINOIS = URIRef(ID + "epci/200071892")
HAUTE_SOMME = URIRef(ID + "epci/200037059")
TERRE_DE_PICARDIE = URIRef(ID + "epci/200070928")
AMIENS = URIRef(ID + "commune/80021")
LAON = URIRef(ID + "commune/02408")
AISNE = URIRef(ID + "departement/02")
SOMME = URIRef(ID + "departement/80")
HAUTS_DE_FRANCE = URIRef(ID + "region/32")
DECOUPAGE = URIRef(ID + "source/decoupage-administratif")
VOID_DOC = BASE + ".well-known/void"
DIRECTORY_LINKS = URIRef(VOID_DOC + "#liens-annuaire-entreprises-epci")
GEO_COMMUNE_LINKS = URIRef(VOID_DOC + "#liens-api-geo-communes")
GITHUB_LINKS = URIRef(VOID_DOC + "#liens-sources-github")
GEO_API_TARGET = URIRef(VOID_DOC + "#cible-api-geo")

Change = tuple[tuple[tuple, ...], tuple[tuple, ...]]  # (patterns removed, triples added)

#: record -> (what is removed, what is added, words of the message the shapes must report on it)
DATA_CASES: dict[URIRef, tuple[tuple, tuple, str]] = {
    # the directory page of another SIREN (the Saint-Quentinois' with its last digit changed)
    SAINT_QUENTINOIS: (((SAINT_QUENTINOIS, ns.FOAF.page, None),),
                       ((SAINT_QUENTINOIS, ns.FOAF.page, URIRef(DIRECTORY + "200071893")),), "company directory"),
    AMIENS: (((AMIENS, ns.FOAF.page, URIRef(DIRECTORY + "218000198")),), (), "company directory"),
    # a département has no SIREN, so no directory page
    AISNE: ((), ((AISNE, ns.FOAF.page, URIRef(DIRECTORY + "200071892")),), "company directory"),
    LAON: (((LAON, ns.RDFS.seeAlso, URIRef(GEO_API + "communes/02408")),), (), "geo.api.gouv.fr"),
    # the région's code in the départements' collection
    HAUTS_DE_FRANCE: (((HAUTS_DE_FRANCE, ns.RDFS.seeAlso, None),),
                      ((HAUTS_DE_FRANCE, ns.RDFS.seeAlso, URIRef(GEO_API + "departements/32")),), "geo.api.gouv.fr"),
    # a second record, another département's
    SOMME: ((), ((SOMME, ns.RDFS.seeAlso, URIRef(GEO_API + "departements/02")),), "geo.api.gouv.fr"),
    # an EPT is not served by the API: the Haute Somme made one keeps a record it cannot have
    HAUTE_SOMME: (((HAUTE_SOMME, TILOD.natureJuridique, None),),
                  ((HAUTE_SOMME, TILOD.natureJuridique, URIRef(ID + "nature-juridique/EPT")),), "geo.api.gouv.fr"),
    DECOUPAGE: (((DECOUPAGE, ns.DCAT.landingPage, None),),
                ((DECOUPAGE, ns.DCAT.landingPage, Literal("https://www.npmjs.com/package/@etalab/decoupage-administratif")),),
                "https:// IRI"),
}

VOID_CASES: dict[URIRef, tuple[tuple, tuple, str]] = {
    DIRECTORY_LINKS: (((DIRECTORY_LINKS, ns.VOID.triples, None),), (), "number of links"),
    GITHUB_LINKS: (((GITHUB_LINKS, ns.VOID.triples, None),), ((GITHUB_LINKS, ns.VOID.triples, Literal(0)),),
                   "number of links"),
    GEO_COMMUNE_LINKS: (((URIRef(ID + "jeu-de-donnees/tilod"), ns.VOID.subset, GEO_COMMUNE_LINKS),), (),
                        "subset of the dataset"),
    GEO_API_TARGET: (((GEO_API_TARGET, ns.VOID.uriSpace, None),), (), "URI space"),
}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(ROOT / "shapes/tilod-shapes.ttl", BASE)


@pytest.fixture(scope="module")
def void(release, subset_graph) -> Graph:
    """The VoID of the subset, as the build writes it (the real release's files)."""
    manifest = json.loads((release / "release.json").read_text(encoding="utf-8"))
    files = [WrittenFile(**f) for f in manifest["files"]]
    catalogue, vocabularies = load_catalogue(ROOT / "data", BASE)
    return describe_release(subset_graph, Uris(BASE), manifest["version"], manifest["created"], files,
                            catalogue + vocabularies) - vocabularies


def made_bad(real: Graph, cases: dict[URIRef, tuple[tuple, tuple, str]]) -> Graph:
    graph = Graph()
    graph += real
    for removed, added, _ in cases.values():
        for pattern in removed:
            found = list(graph.triples(pattern))
            assert found, f"the real record has no {pattern}: the case no longer tests anything"
            for triple in found:
                graph.remove(triple)
        for triple in added:
            assert triple not in graph
            graph.add(triple)
    return graph


def reported(result, focus: URIRef) -> list[str]:
    report = result.report
    return [f"{report.value(r, ns.SH.sourceConstraintComponent)} {report.value(r, ns.SH.resultMessage)}"
            for r in report.subjects(ns.SH.focusNode, focus)]


def check(real: Graph, cases, shapes: Graph) -> None:
    clean = validate(made_bad(real, {}), shapes)
    assert clean.conforms, clean.summary()
    result = validate(made_bad(real, cases), shapes)
    missed = {str(focus): reported(result, focus) for focus, (_, _, words) in cases.items()
              if not any(words in line for line in reported(result, focus))}
    assert not missed, f"{missed}\n{result.summary()}"
    elsewhere = set(result.report.objects(None, ns.SH.focusNode)) - set(cases)
    assert not elsewhere, result.summary()


def test_each_link_family_shape_catches_a_real_record_made_bad(subset_graph, shapes):
    check(subset_graph, DATA_CASES, shapes)


def test_each_linkset_shape_catches_the_real_void_made_bad(void, shapes):
    check(void, VOID_CASES, shapes)
