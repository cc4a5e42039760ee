"""The facts of the press release are in the data: 4 Aisne territories, their 16 EPCIs."""

from __future__ import annotations

import csv

import pytest
from helpers import select

from conftest import ROOT

T = "http://localhost:8000/id/territoire/2023-2027/"
PRESS = "http://localhost:8000/id/source/communique-prefet-aisne-2023-11-14"

# From the press release: territory -> number of EPCIs it names
AISNE = {"ti-3208": 5, "ti-3214": 4, "ti-3215": 2, "ti-3217": 5}


def seed_rows():
    with (ROOT / "data/communique/seed_aisne_epci.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_four_aisne_territories_with_their_epcis(store):
    rows = select(store, """
        SELECT ?t (COUNT(?m) AS ?n) WHERE {
            ?t tilod:departement <http://localhost:8000/id/departement/02> ;
               tilod:phase <http://localhost:8000/id/phase/2023-2027> ; org:hasMember ?m .
        } GROUP BY ?t""")
    found = {r["t"].removeprefix(T): int(r["n"]) for r in rows}
    assert found == AISNE
    assert sum(found.values()) == 16


@pytest.mark.parametrize("row", seed_rows(), ids=lambda r: r["siren"])
def test_each_epci_has_the_official_facts(store, row):
    epci = f"<http://localhost:8000/id/epci/{row['siren']}>"
    [facts] = select(store, f"""
        SELECT ?label ?nature ?pop ?popm ?t WHERE {{
            {epci} rdfs:label ?label ; tilod:natureJuridique ?nature ;
                   tilod:populationTotale ?pop ; tilod:populationMunicipale ?popm .
            ?t org:hasMember {epci} ; tilod:phase <http://localhost:8000/id/phase/2023-2027> .
        }}""")
    assert facts["label"] == row["nom_cog2026"]
    assert facts["nature"].endswith("/" + row["type"])
    assert int(facts["pop"]) == int(row["population_totale_2026pkg"])
    assert int(facts["popm"]) == int(row["population_municipale_2026pkg"])
    assert facts["t"] == T + row["id_ti_2023"]
    departements = {r["d"].rsplit("/", 1)[-1] for r in select(
        store, f"SELECT ?d WHERE {{ {epci} tilod:departement ?d }}")}
    assert departements == {d.split(":")[0] for d in row["departements"].split(";")}
    alt = {r["a"] for r in select(store, f"SELECT ?a WHERE {{ {epci} skos:altLabel ?a }}")}
    if row["nom_communique"] != row["nom_cog2026"]:
        assert row["nom_communique"] in alt  # the press release's wording


def test_press_names_are_alternative_labels_with_provenance(store):
    rows = select(store, f"""
        SELECT ?label ?alt WHERE {{
            <{T}ti-3214> rdfs:label ?label ; skos:altLabel ?alt ; prov:wasDerivedFrom <{PRESS}> .
            <http://localhost:8000/id/labellisation/2023-2027/ti-3214> prov:wasDerivedFrom <{PRESS}> .
        }}""")
    assert rows == [{"label": "Soissonnais – Valois", "alt": "Soissonnais-Valois"}]
    [retz] = select(store, """SELECT ?label WHERE {
        <http://localhost:8000/id/epci/200071991> rdfs:label ?label ;
            skos:altLabel "CC de Retz-en-Valois"@fr }""")
    assert retz["label"] == "CC Retz en Valois"


def test_haute_picardie_spans_aisne_and_somme(store):
    rows = select(store, f"SELECT ?d WHERE {{ <{T}ti-3208> tilod:departement ?d }}")
    assert {r["d"].rsplit("/", 1)[-1] for r in rows} == {"02", "80"}


def test_phases_keep_territories_with_the_same_anct_id_apart(store):
    rows = select(store, """SELECT ?id ?t ?label WHERE {
        ?t a tilod:TerritoireIndustrie ; dcterms:identifier ?id ; rdfs:label ?label }""")
    by_id: dict[str, dict[str, str]] = {}
    for r in rows:
        phase = r["t"].split("/id/territoire/")[1].split("/")[0]
        by_id.setdefault(r["id"], {})[phase] = r["label"]
    shared = {i: p for i, p in by_id.items() if len(p) == 2}
    assert shared, "the Aisne-Somme subset has ids used in both phases"
    assert by_id["ti-3211"]["2018-2022"] == "Saint-Quentinois - Tergnier - Est Somme"
    assert by_id["ti-3208"] == {"2023-2027": "Haute-Picardie"}  # Dunkerque is not in the subset


def test_programme_facts_from_the_press_release(store):
    rows = select(store, f"""SELECT ?zone ?n WHERE {{
        ?c a tilod:Denombrement ; tilod:zone ?zone ; tilod:nombre ?n ;
           prov:wasDerivedFrom <{PRESS}> }}""")
    assert {r["zone"].split("/id/")[1]: int(r["n"]) for r in rows} == {
        "pays/france": 183, "region/32": 18, "departement/02": 4}
    priorities = select(store, f"""SELECT ?p WHERE {{
        <http://localhost:8000/id/phase/2023-2027> tilod:priorite ?p .
        ?p prov:wasDerivedFrom <{PRESS}> }}""")
    assert len(priorities) == 4
    [phase] = select(store, """SELECT ?d ?start ?end WHERE {
        <http://localhost:8000/id/phase/2023-2027> tilod:dateAnnonce ?d ;
            <http://www.w3.org/ns/dcat#startDate> ?start ; <http://www.w3.org/ns/dcat#endDate> ?end }""")
    assert phase == {"d": "2023-11-09", "start": "2023", "end": "2027"}
    measures = select(store, """SELECT ?n ?eur WHERE {
        <http://localhost:8000/id/phase/2023-2027> tilod:mesure ?m .
        OPTIONAL { ?m tilod:nombre ?n } OPTIONAL { ?m tilod:montantEuros ?eur } }""")
    assert len(measures) == 5
    assert sorted(int(m["n"]) for m in measures if "n" in m) == [50, 100]
    assert [int(m["eur"]) for m in measures if "eur" in m] == [100_000_000]


def test_labelling_has_date_and_source(store):
    [row] = select(store, f"""SELECT ?date ?source WHERE {{
        <{T}ti-3217> tilod:labellisation ?l . ?l dcterms:date ?date ; dcterms:source ?source }}""")
    assert row["date"] == "2023-11-09"
    assert row["source"].endswith("/id/source/anct-ti-2023")
