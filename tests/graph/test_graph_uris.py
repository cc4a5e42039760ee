"""Every URI tilod mints (`Uris`), spelled out: a wrong path segment here is a broken link everywhere."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from tilod.graph.uris import PHASE_1, PHASE_2023, PHASES, Uris

BASE = "https://territoires.example/"


def test_phases():
    assert (PHASE_2023, PHASE_1, PHASES) == ("2023-2027", "2018-2022", ("2023-2027", "2018-2022"))


def test_fixed_uris():
    u = Uris(BASE)
    assert u.base == BASE and u.id == BASE + "id/"
    # the vocabulary's IRIs are persistent: the same on every deployment
    for deployed in (u, Uris("https://territoires.example.org/")):
        assert deployed.ontology == URIRef("https://w3id.org/tilod/def/tilod")
        assert str(deployed.tilod) == "https://w3id.org/tilod/def/tilod#"
        assert deployed.tilod.phase == URIRef("https://w3id.org/tilod/def/tilod#phase")
        assert deployed.shapes == URIRef("https://w3id.org/tilod/def/tilod/shapes")
    assert u.dataset == URIRef(BASE + "id/jeu-de-donnees/tilod")
    assert u.programme == URIRef(BASE + "id/programme/territoires-d-industrie")
    assert u.press_release == URIRef(BASE + "id/source/communique-prefet-aisne-2023-11-14")
    assert u.reference_source == URIRef(BASE + "id/source/decoupage-administratif")
    assert u.geometry_source == URIRef(BASE + "id/source/france-geojson")
    assert u.sparql_endpoint == URIRef(BASE + "sparql")
    assert u.void == URIRef(BASE + ".well-known/void")


@pytest.mark.parametrize(("mint", "expected"), [
    (lambda u: u.phase(PHASE_2023), "id/phase/2023-2027"),
    (lambda u: u.territory_list(PHASE_2023), "id/source/anct-ti-2023"),
    (lambda u: u.territory_list(PHASE_1), "id/source/anct-ti-phase1"),
    (lambda u: u.territoire(PHASE_1, "ti-3208"), "id/territoire/2018-2022/ti-3208"),
    (lambda u: u.geometrie(PHASE_2023, "ti-3208"), "id/territoire/2023-2027/ti-3208/geometrie"),
    (lambda u: u.labellisation(PHASE_2023, "ti-3208"), "id/labellisation/2023-2027/ti-3208"),
    (lambda u: u.adhesion(PHASE_2023, "ti-3208", "200071892"), "id/adhesion/2023-2027/ti-3208/200071892"),
    (lambda u: u.epci("200071892"), "id/epci/200071892"),
    (lambda u: u.commune("02691"), "id/commune/02691"),
    (lambda u: u.departement("02"), "id/departement/02"),
    (lambda u: u.region("32"), "id/region/32"),
    (lambda u: u.epci_geometrie("200071892"), "id/epci/200071892/geometrie"),
    (lambda u: u.commune_geometrie("02691"), "id/commune/02691/geometrie"),
    (lambda u: u.departement_geometrie("02"), "id/departement/02/geometrie"),
    (lambda u: u.region_geometrie("32"), "id/region/32/geometrie"),
    (lambda u: u.nature_juridique("CA"), "id/nature-juridique/CA"),
    (lambda u: u.dump("20261202T0500", "tilod.nt.gz"), "dumps/20261202T0500/tilod.nt.gz"),
])
def test_minted_uris(mint, expected):
    assert mint(Uris(BASE)) == URIRef(BASE + expected)
