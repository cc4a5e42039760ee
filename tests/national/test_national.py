"""The whole national data (the session's `national_store`): counts match the sources and the press release."""

from __future__ import annotations

import pytest
import shapely
from helpers import PREFIXES

from conftest import ROOT

pytestmark = pytest.mark.national



def count(store, where: str) -> int:
    [row] = store.query(PREFIXES + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")
    return int(row["n"].value)


@pytest.mark.parametrize(
    ("what", "where", "expected"),
    [
        ("territories 2023-2027", "?x tilod:phase <http://localhost:8000/id/phase/2023-2027> ; a tilod:TerritoireIndustrie", 183),
        ("territories of the first phase", "?x tilod:phase <http://localhost:8000/id/phase/2018-2022> ; a tilod:TerritoireIndustrie", 149),
        ("EPCI (decoupage-administratif 6.0.0)", "?x a igeo:Intercommunalite ; tilod:natureJuridique ?n FILTER(?n != <http://localhost:8000/id/nature-juridique/EPT>)", 1255),
        ("EPT", "?x a igeo:Intercommunalite ; tilod:natureJuridique <http://localhost:8000/id/nature-juridique/EPT>", 11),
        # each record of each vintage is a version (0.3.0: 1,259 EPCI; 3.1.1 and 6.0.0: 1,255 + 11 EPT)
        ("versions of the EPCI and EPT", "?x a tilod:VersionIntercommunalite", 1259 + 1266 + 1266),
        ("former EPCI (gone from today's map)", "?x a tilod:IntercommunaliteDisparue", 18),
        ("current communes", "?x a igeo:Commune", 34969),
        ("départements", "?x a igeo:Departement", 109),
        ("régions", "?x a igeo:Region", 26),
        ("laureates in Hauts-de-France (press release: 18)", "?x tilod:phase <http://localhost:8000/id/phase/2023-2027> ; tilod:region <http://localhost:8000/id/region/32>", 18),
        ("laureates in the Aisne (press release: 4)", "?x tilod:phase <http://localhost:8000/id/phase/2023-2027> ; tilod:departement <http://localhost:8000/id/departement/02>", 4),
        ("territories with an outline", "?t a tilod:TerritoireIndustrie ; <http://www.opengis.net/ont/geosparql#hasGeometry> ?x", 332),
        # france-geojson's 2018 map: 34,969 communes less 104 (the overseas collectivities it does not
        # draw, and the communes restored since 2018 with those whose 2018 outline still holds them)
        ("communes with an outline", "?x a igeo:Commune ; <http://www.opengis.net/ont/geosparql#hasGeometry> ?g", 34865),
        ("EPCI with an outline", "?x a igeo:Intercommunalite ; <http://www.opengis.net/ont/geosparql#hasGeometry> ?g", 1263),
        ("départements with an outline (metropolitan)", "?x a igeo:Departement ; <http://www.opengis.net/ont/geosparql#hasGeometry> ?g", 96),
        ("régions with an outline (metropolitan)", "?x a igeo:Region ; <http://www.opengis.net/ont/geosparql#hasGeometry> ?g", 13),
    ],
)
def test_national_counts(national_store, what, where, expected):
    assert count(national_store, where) == expected, what


def test_ti_3208_is_two_territories(national_store):
    rows = national_store.query(PREFIXES + """SELECT ?t ?l WHERE {
        ?t dcterms:identifier "ti-3208" ; rdfs:label ?l }""")
    assert {r["t"].value.rsplit("/", 2)[1]: r["l"].value for r in rows} == {
        "2018-2022": "Dunkerque", "2023-2027": "Haute-Picardie"}


def test_stated_counts_match_the_data(national_store):
    """Each count the press release states equals what the data says for its area."""
    rows = list(national_store.query(PREFIXES + """SELECT ?zone ?n WHERE {
        ?c a tilod:Denombrement ; tilod:zone ?zone ; tilod:nombre ?n }"""))
    assert len(rows) == 3
    for row in rows:
        zone = row["zone"].value
        kind = zone.split("/id/")[1].split("/")[0]
        phase = "?x tilod:phase <http://localhost:8000/id/phase/2023-2027> ; a tilod:TerritoireIndustrie"
        where = {"pays": phase, "region": f"{phase} ; tilod:region <{zone}>",
                 "departement": f"{phase} ; tilod:departement <{zone}>"}[kind]
        assert count(national_store, where) == int(row["n"].value), zone


GEO = "PREFIX geo: <http://www.opengis.net/ont/geosparql#> "


def test_every_epci_outline_has_the_area_of_its_communes(national_store):
    """An EPCI's outline is the union of its communes': its area is their sum (no commune drawn
    twice, none overlapping its neighbour, no gap), within what snapping to 5 decimals moves."""
    epcis = {row["e"].value: shapely.from_wkt(row["wkt"].value) for row in national_store.query(
        PREFIXES + GEO + "SELECT ?e ?wkt WHERE { ?e a igeo:Intercommunalite ; geo:hasGeometry/geo:asWKT ?wkt }")}
    parts: dict[str, float] = {}
    for row in national_store.query(PREFIXES + GEO + """SELECT ?e ?wkt WHERE {
            ?e a igeo:Intercommunalite ; geo:hasGeometry [] . ?c igeo:subdivisionDirecteDe ?e ; a igeo:Commune ;
               geo:hasGeometry/geo:asWKT ?wkt }"""):
        parts[row["e"].value] = parts.get(row["e"].value, 0.0) + shapely.from_wkt(row["wkt"].value).area
    assert len(epcis) == len(parts) == 1263
    off = {e: (shape.area, parts[e]) for e, shape in epcis.items()
           if shape.area != pytest.approx(parts[e], rel=1e-4) or not shape.is_valid}
    assert off == {}


def test_every_epci_has_an_outline_or_is_named_by_the_build_with_why(national_store, national_build_log):
    """All 1,266 EPCIs: drawn, or listed by the build (at most 30 listed, then counted) with the reason."""
    [row] = national_store.query(PREFIXES + GEO + """SELECT (COUNT(?e) AS ?all) (COUNT(?g) AS ?drawn) WHERE {
        ?e a igeo:Intercommunalite OPTIONAL { ?e geo:hasGeometry ?g } }""")
    total, drawn = int(row["all"].value), int(row["drawn"].value)
    listed = [line for line in national_build_log if "[EPCI " in line and "no outline: commune " in line]
    assert (total, drawn, len(listed)) == (1266, 1263, 3)
    assert any(f"note: {ROOT / 'data/geometries/communes-*.geojson'}: 3 of 1,266 EPCI have no outline" in line
               for line in national_build_log)
    undrawn = {row["e"].value.rsplit("/", 1)[1] for row in national_store.query(
        PREFIXES + GEO + "SELECT ?e WHERE { ?e a igeo:Intercommunalite FILTER NOT EXISTS { ?e geo:hasGeometry [] } }")}
    assert {line.split("[EPCI ")[1].split(" ")[0] for line in listed} == undrawn
