"""`?date=` on territories, EPCIs and communes: the versions of their EPCI in force on that day,
in every format and on the pages, on the real Aisne-Somme release (both stores)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import requests
from helpers import BASE
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns
from server import start_server, stop_server

from conftest import ROOT, subset_settings
from tilod.release.build import build_release

ID = BASE + "id/"
TILOD = Namespace("https://w3id.org/tilod/def/tilod#")
PONTHIEU = ID + "epci/200070936"  # CC Ponthieu-Marquenterre: 71 communes on the 2023 map, 70 on 2026's
HAUTE_PICARDIE = ID + "territoire/2023-2027/ti-3208"
SAINT_QUENTIN = ID + "commune/02691"
SAINT_QUENTINOIS = "200071892"
YAUCOURT_BUSSUS = ID + "commune/80830"  # a commune of the 2019 map, part of Bussus-Bussuel since


def members(package: str, siren: str) -> set[str]:
    records = json.loads((ROOT / "data/decoupage-administratif" / package / "epci.json").read_text(encoding="utf-8"))
    return {m["code"] for g in records if g["code"] == siren for m in g["membres"]}


def get(server, uri: str, day: str | None, accept: str = "text/turtle", ext: str = "",
        **params: str) -> requests.Response:
    return requests.get(server.to_server(uri) + ext, params={**({"date": day} if day else {}), **params},
                        headers={"Accept": accept}, timeout=30)


def turtle(response: requests.Response) -> Graph:
    assert response.status_code == 200, response.text[:300]
    return Graph().parse(data=response.text, format="turtle")


def communes_of(graph: Graph, version: str) -> set[str]:
    return {str(c).rsplit("/", 1)[-1] for c in graph.objects(URIRef(version), TILOD.communeMembre)}


def test_an_epci_on_a_day_has_its_version_in_force_then(server):
    dated = turtle(get(server, PONTHIEU, "2024-06-01"))
    assert communes_of(dated, PONTHIEU + "/2023") == members("3.1.1", "200070936")
    assert len(communes_of(dated, PONTHIEU + "/2023")) == 71
    assert (URIRef(PONTHIEU + "/2026"), TILOD.populationTotale, None) not in dated  # not in force yet
    today = turtle(get(server, PONTHIEU, "2026-03-01"))
    assert communes_of(today, PONTHIEU + "/2026") == members("6.0.0", "200070936")
    assert (URIRef(PONTHIEU + "/2023"), TILOD.populationTotale, None) not in today
    undated = turtle(get(server, PONTHIEU, None))
    assert not communes_of(undated, PONTHIEU + "/2023") and not communes_of(undated, PONTHIEU + "/2026")


def test_a_territory_on_its_labelling_day_has_its_members_versions(server):
    dated = turtle(get(server, HAUTE_PICARDIE, "2023-11-09"))
    members_uris = set(dated.objects(URIRef(HAUTE_PICARDIE), ns.ORG.hasMember))
    versions = {v for m in members_uris for v in dated.objects(m, ns.DCTERMS.hasVersion)
                if (v, TILOD.populationTotale, None) in dated}
    assert versions == {URIRef(f"{m}/2023") for m in members_uris}


def test_a_commune_on_a_day_has_the_epci_version_that_listed_it(server):
    dated = turtle(get(server, SAINT_QUENTIN, "2020-06-01"))
    version = URIRef(f"{ID}epci/{SAINT_QUENTINOIS}/2019")
    assert (version, TILOD.communeMembre, URIRef(SAINT_QUENTIN)) in dated
    assert dated.value(version, TILOD.millesimePopulation) == Literal("2016", datatype=ns.XSD.gYear)


def test_every_format_of_a_dated_document_says_the_same(server):
    reference = turtle(get(server, PONTHIEU, "2024-06-01"))
    for ext, fmt in ((".jsonld", "json-ld"), (".nt", "nt"), (".rdf", "xml")):
        response = get(server, PONTHIEU, "2024-06-01", accept="*/*", ext=ext, context="inline")
        assert response.status_code == 200, (ext, response.text[:200])
        graph = Graph().parse(data=response.text, format=fmt, publicID=server.to_server(PONTHIEU) + ext)
        assert len(graph) == len(reference), ext
    negotiated = get(server, PONTHIEU, "2024-06-01")
    assert negotiated.headers["Content-Location"].endswith("200070936.ttl?date=2024-06-01")
    assert ".jsonld?date=2024-06-01>" in negotiated.headers["Link"]


def test_the_page_of_a_territory_on_a_day_says_so_and_lists_the_changes_since(server):
    response = get(server, HAUTE_PICARDIE, "2023-11-09", accept="text/html")
    assert response.status_code == 200
    page = response.text
    assert "État au" in page and "9 novembre 2023" in page
    assert f'href="{ID}epci/{SAINT_QUENTINOIS}/2023"' in page
    assert "Changements depuis" in page and "/2026" in page  # the versions of the 2026 map, since
    assert "État au" not in get(server, HAUTE_PICARDIE, None, accept="text/html").text


def test_the_page_in_english_says_as_of(server):
    response = get(server, PONTHIEU, "2024-06-01", accept="text/html", lang="en")
    assert response.status_code == 200 and "As of" in response.text and "Changes since" in response.text


@pytest.mark.parametrize(("uri", "day", "status", "said"), [
    (PONTHIEU, "2024-13-01", 400, "must be a day"),
    (PONTHIEU, "yesterday", 400, "must be a day"),
    (PONTHIEU, "2018-11-22", 404, "from 2019-01-01"),
    (ID + "departement/80", "2024-06-01", 400, "applies to territories, EPCIs and communes"),
])
def test_a_day_that_cannot_be_answered_is_refused_saying_why(server, uri, day, status, said):
    response = get(server, uri, day)
    assert response.status_code == status and said in response.text


def test_a_former_commune_has_a_page(server):
    response = get(server, YAUCOURT_BUSSUS, None, accept="text/html")
    assert response.status_code == 200 and "Yaucourt-Bussus" in response.text
    dated = turtle(get(server, YAUCOURT_BUSSUS, "2020-01-01"))
    assert (None, TILOD.communeMembre, URIRef(YAUCOURT_BUSSUS)) in dated


# -- the Nord, where the map changed: the Métropole européenne de Lille's merger ---------------------

LILLE_2019 = ID + "epci/245900410"  # the Métropole of the 2019 map, merged with the CC de la Haute Deûle
LILLE = ID + "commune/59350"


@pytest.fixture(scope="module")
def nord(tmp_path_factory):
    settings = replace(subset_settings(tmp_path_factory.mktemp("nord")), departements=("59",))
    build_release(settings, out=lambda _: None)
    running = start_server(settings.releases_dir, ROOT, settings.base_uri)
    try:
        yield running
    finally:
        stop_server(running)


def test_a_page_on_a_day_lists_the_events_of_the_map_since(nord):
    page = get(nord, LILLE, "2020-06-01", accept="text/html").text
    assert f'href="{LILLE_2019}/2019"' in page  # the Métropole of that day, which listed Lille
    assert f'href="{ID}evenement/2023/200093201"' in page  # its merger, since
    assert "1 janvier 2019" in page and "1 janvier 2023" in page  # the two days the merger lies between
    assert f'href="{ID}evenement/2023/200093201"' not in get(nord, LILLE, "2023-06-01", accept="text/html").text


def test_a_former_epci_on_a_day_after_its_end_has_no_version_and_says_so(nord):
    page = get(nord, LILLE_2019, "2024-06-01", accept="text/html")
    assert page.status_code == 200 and "Aucune intercommunalité de la carte de ce jour-là" in page.text
    dated = turtle(get(nord, LILLE_2019, "2024-06-01"))
    assert (URIRef(LILLE_2019 + "/2019"), TILOD.populationTotale, None) not in dated
    assert (URIRef(LILLE_2019), ns.RDF.type, TILOD.IntercommunaliteDisparue) in dated


def test_the_labelling_day_of_ti_3201_shows_the_cc_de_flandre_interieure_as_it_was(nord):
    page = get(nord, ID + "territoire/2023-2027/ti-3201", "2023-11-09", accept="text/html").text
    assert "CC de Flandre Intérieure (2023)" in page and "104\u202f462" in page  # a CC of 104,462 people then
    assert "CA Coeur de Flandre (2026)" in page  # its version since, under the changes
