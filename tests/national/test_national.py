"""The whole national data (the session's `national_store`): counts match the sources and the press release."""

from __future__ import annotations

import pytest
from helpers import PREFIXES

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
        ("EPT", "?x tilod:natureJuridique <http://localhost:8000/id/nature-juridique/EPT>", 11),
        ("current communes", "?x a igeo:Commune", 34969),
        ("départements", "?x a igeo:Departement", 109),
        ("régions", "?x a igeo:Region", 26),
        ("laureates in Hauts-de-France (press release: 18)", "?x tilod:phase <http://localhost:8000/id/phase/2023-2027> ; tilod:region <http://localhost:8000/id/region/32>", 18),
        ("laureates in the Aisne (press release: 4)", "?x tilod:phase <http://localhost:8000/id/phase/2023-2027> ; tilod:departement <http://localhost:8000/id/departement/02>", 4),
        ("territories with an outline", "?t a tilod:TerritoireIndustrie ; <http://www.opengis.net/ont/geosparql#hasGeometry> ?x", 332),
        # france-geojson: communes of the Aisne and the Somme only, so EPCIs wholly in them
        ("communes with an outline", "?x a igeo:Commune ; <http://www.opengis.net/ont/geosparql#hasGeometry> ?g", 1568),
        ("EPCI with an outline", "?x a igeo:Intercommunalite ; <http://www.opengis.net/ont/geosparql#hasGeometry> ?g", 33),
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
