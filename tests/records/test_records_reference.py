"""The administrative reference as `load_reference` reads it, record by record against the real
decoupage-administratif files (read here with json alone): a wrong population, name, nature,
member list, département or région of any place fails a test.

Most tests read an extract (the real records of the Aisne, the Nièvre and the Yonne, see
reference_extract.py) so that mutation testing can read it again for each mutant; the last one
reads the whole of France."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from reference_extract import extract, raw, write_extract

from conftest import ROOT
from tilod.errors import InputError
from tilod.records.reference import AT_LABELLING, CURRENT, load_reference

DATA = ROOT / "data"
SAINT_QUENTINOIS = "200071892"  # CA du Saint-Quentinois: 39 communes of the Aisne
HAUT_NIVERNAIS = "200067429"  # CC Haut Nivernais - Val d'Yonne: communes in the Nièvre and the Yonne
CHARLY = "240200584"  # "CC du Canton de Charly sur Marne" in 2023, renamed since
BECAME_CA = "200040947"  # a CC at the 2023 labelling, a CA on today's map (not in the extract)


@pytest.fixture(scope="module")
def files():
    return extract()


@pytest.fixture(scope="module")
def ref(tmp_path_factory, files):
    return load_reference(write_extract(tmp_path_factory.mktemp("extract"), files))


def check_reference(ref, files) -> None:
    """Every record of `files` is in `ref` with the same facts, and nothing else is."""
    assert {c: (r.code, r.nom) for c, r in ref.regions.items()} == {
        r["code"]: (r["code"], r["nom"]) for r in files[(CURRENT, "regions")]}
    assert {c: (d.code, d.nom, d.region) for c, d in ref.departements.items()} == {
        d["code"]: (d["code"], d["nom"], d["region"]) for d in files[(CURRENT, "departements")]}
    communes = [c for c in files[(CURRENT, "communes")] if c["type"] == "commune-actuelle"]
    assert len(ref.communes) == len(communes)  # no commune déléguée, associée, arrondissement
    for c in communes:
        read = ref.communes[c["code"]]
        assert (read.code, read.nom, read.departement, read.region, read.siren, read.population,
                read.anciens_codes) == (c["code"], c["nom"], c["departement"], c["region"], c.get("siren"),
                                        c.get("population"), tuple(c.get("anciensCodes", ()))), c["code"]
    current = files[(CURRENT, "epci")] + files[(CURRENT, "ept")]
    at_labelling = files[(AT_LABELLING, "epci")] + files[(AT_LABELLING, "ept")]
    names_2023 = {g["code"]: g["nom"] for g in at_labelling}
    assert len(ref.groupements) == len(current)
    for g in current:
        read = ref.groupements[g["code"]]
        old = names_2023.get(g["code"])
        assert (read.siren, read.nom, read.nature, read.mode_financement, read.population_totale,
                read.population_municipale, read.communes, read.nom_2023) == (
            g["code"], g["nom"], g["type"], g["modeFinancement"], g["populationTotale"],
            g["populationMunicipale"], tuple(m["code"] for m in g["membres"]),
            old if old != g["nom"] else None), g["code"]
    assert ref.natures_2023 == {g["code"]: g["type"] for g in at_labelling}


def test_the_extract_is_read_record_by_record(ref, files):
    assert len(ref.communes) > 1500 and len(ref.groupements) > 40
    check_reference(ref, files)


def test_the_aisne_its_region_and_saint_quentin(ref):
    assert (ref.departements["02"].nom, ref.departements["02"].region) == ("Aisne", "32")
    assert ref.regions["32"].nom == "Hauts-de-France"
    saint_quentin = ref.communes["02691"]
    assert (saint_quentin.nom, saint_quentin.departement, saint_quentin.region, saint_quentin.siren,
            saint_quentin.population, saint_quentin.anciens_codes) == (
        "Saint-Quentin", "02", "32", "210206660", 52813, ())
    assert ref.communes["02018"].anciens_codes == ("02434", "02301")  # Anizy-le-Grand, merged in 2019


def test_the_facts_of_a_groupement(ref):
    sq = ref.groupements[SAINT_QUENTINOIS]
    assert (sq.nom, sq.nature, sq.mode_financement, sq.population_totale, sq.population_municipale,
            len(sq.communes), sq.communes[0], sq.nom_2023) == (
        "CA du Saint-Quentinois", "CA", "FPU", 81012, 79327, 39, "02691", None)
    assert ref.groupements[CHARLY].nom_2023 == "CC du Canton de Charly sur Marne"
    assert ref.groupements[CHARLY].nom != ref.groupements[CHARLY].nom_2023


def test_natures_at_the_labelling_and_today(ref):
    assert ref.natures_of(SAINT_QUENTINOIS, "2023") == {"CA"} == ref.natures_of(SAINT_QUENTINOIS, "current")
    assert ref.natures_of("210206660", "current") == set()  # Saint-Quentin is a commune
    assert ref.natures_of("210206660", "2023") == set()
    ref.natures_2023["210206660"] = "COM"  # a 2023 nature only: "current" must not see it
    try:
        assert ref.natures_of("210206660", "2023") == {"COM"}
        assert ref.natures_of("210206660", "current") == set()
    finally:
        del ref.natures_2023["210206660"]


def test_communes_by_siren_and_departements_of_a_groupement(ref):
    by_siren = ref.commune_by_siren()
    assert by_siren["210206660"].code == "02691"
    assert len(by_siren) == sum(1 for c in ref.communes.values() if c.siren)
    assert all(by_siren[c.siren] is c for c in ref.communes.values() if c.siren)
    assert ref.departements_of(ref.groupements[HAUT_NIVERNAIS]) == ["58", "89"]
    assert ref.departements_of(ref.groupements[SAINT_QUENTINOIS]) == ["02"]


# -- bad files: each problem named with its file and record --------------------------------------


@pytest.fixture
def data_copy(tmp_path: Path, files) -> Path:
    """A data folder holding the extract (replace one file to break it)."""
    return write_extract(tmp_path, files)


def replace_file(data: Path, vintage: str, name: str, records) -> Path:
    path = data / "decoupage-administratif" / vintage / f"{name}.json"
    path.unlink()
    path.write_bytes(records if isinstance(records, bytes) else json.dumps(records).encode("utf-8"))
    return path


def problem(data: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_reference(data)
    [found] = caught.value.problems
    return str(found)


def test_a_field_of_the_wrong_type_is_named(data_copy, files):
    regions = copy.deepcopy(files[(CURRENT, "regions")])
    regions[2]["nom"] = 32
    path = replace_file(data_copy, CURRENT, "regions", regions)
    assert problem(data_copy) == f"{path}: record #3: field 'nom' missing or not str: 32"


def test_a_record_without_its_code_or_not_an_object_is_named(data_copy, files):
    regions = copy.deepcopy(files[(CURRENT, "regions")])
    del regions[4]["code"]
    path = replace_file(data_copy, CURRENT, "regions", regions)
    assert problem(data_copy) == f"{path}: record #5: field 'code' missing or not str: None"
    regions = copy.deepcopy(files[(CURRENT, "regions")])
    regions[1] = regions[1]["code"]  # a bare code instead of the record
    replace_file(data_copy, CURRENT, "regions", regions)
    assert problem(data_copy) == f"{path}: record #2: field 'code' missing or not str: None"


def test_a_boolean_is_not_a_number(data_copy, files):
    epci = copy.deepcopy(files[(CURRENT, "epci")])
    epci[1]["populationTotale"] = True
    path = replace_file(data_copy, CURRENT, "epci", epci)
    assert problem(data_copy) == f"{path}: record #2: field 'populationTotale' missing or not int: True"


def test_a_member_commune_unknown_to_the_reference_is_named(data_copy, files):
    epci = copy.deepcopy(files[(CURRENT, "epci")])
    index = next(i for i, g in enumerate(epci) if g["code"] == SAINT_QUENTINOIS)
    epci[index]["membres"][0]["code"] = "02394"  # merged into Aizy-Jouy: no longer a commune
    path = replace_file(data_copy, CURRENT, "epci", epci)
    assert problem(data_copy) == f"{path}: record #{index + 1} ({SAINT_QUENTINOIS}): unknown member commune '02394'"


@pytest.mark.parametrize(("content", "message"), [
    (b"\xff[]", " not UTF-8 (byte 0)"),
    (b'[{"code": "84",}]', "1: invalid JSON: Expecting property name enclosed in double quotes"),
    (b'{"code": "84"}', " expected a JSON array of records"),
])
def test_an_unreadable_departements_file_is_named(data_copy, content, message):
    path = replace_file(data_copy, CURRENT, "departements", content)
    assert problem(data_copy).startswith(f"{path}:{message}")


def test_invalid_json_gives_its_line(data_copy):
    path = replace_file(data_copy, CURRENT, "departements", b'[\n{"code": "84",}]')
    assert problem(data_copy).startswith(f"{path}:2: invalid JSON")


def test_a_missing_file_is_named(data_copy):
    (data_copy / "decoupage-administratif" / AT_LABELLING / "ept.json").unlink()
    assert problem(data_copy) == f"{data_copy / 'decoupage-administratif' / AT_LABELLING / 'ept.json'}: file not found"



def test_the_whole_real_reference_is_read_record_by_record():
    """All of France (35,000 communes, 1,250 groupements): slow, not part of mutation testing."""
    whole = {(vintage, name): raw(vintage, name) for vintage, names in (
        (CURRENT, ("regions", "departements", "communes", "epci", "ept")), (AT_LABELLING, ("epci", "ept")))
        for name in names}
    ref = load_reference(DATA)
    check_reference(ref, whole)
    assert ref.natures_of(BECAME_CA, "2023") == {"CC"} and ref.natures_of(BECAME_CA, "current") == {"CA"}
    assert ref.groupements["200057867"].nature == "EPT" and ref.groupements["200057867"].mode_financement == ""
