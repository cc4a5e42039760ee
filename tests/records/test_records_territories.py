"""ANCT's territory lists as `read_territories` reads them, in-process: every territory and member of
the real lists against the files read with csv alone, and every kind of bad row (real rows made
bad in one way) named with its line, record and reason."""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path

import pytest
from territory_rows import BAD, COLUMNS, ROWS, csv_text, real

from conftest import ROOT
from tilod.graph.uris import PHASE_1, PHASE_2023
from tilod.records.reference import Reference, load_reference
from tilod.records.territories import clean_label, read_territories

DATA = ROOT / "data"
LIST_2023 = DATA / "territoires/ti_2023_groupements_20231114.csv"
LIST_2024 = DATA / "territoires/ti_2023_groupements_20240916.csv"
OUTLINES_2024 = DATA / "anct/ti_2023_geom_20240916.geojson"
LIST_PHASE1 = DATA / "territoires/ti_phase1_groupements_cog2025.csv"
BECAME_CA = "200040947"  # a CC at the 2023 labelling, a CA on today's map


@functools.cache
def reference() -> Reference:
    return load_reference(DATA)


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write(tmp_path: Path, rows: list[dict[str, str]], name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(csv_text(rows, COLUMNS), encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize(("path", "phase", "year", "count"), [
    (LIST_2023, PHASE_2023, "2023", 183),
    (LIST_2024, PHASE_2023, "current", 183),
    (LIST_PHASE1, PHASE_1, "current", 149),
])
def test_every_territory_and_member_of_the_real_lists(path, phase, year, count):
    read = read_territories(path, phase, reference(), year)
    rows = rows_of(path)
    assert read.problems == [] and read.rows == len(rows) and read.path == path and read.phase == phase
    assert len(read.territories) == count
    expected: dict[str, list[tuple]] = {}
    first_line: dict[str, int] = {}
    for line, r in enumerate(rows, start=2):
        expected.setdefault(r["id_ti"], []).append(
            (r["siren_groupement"], " ".join(r["lib_groupement"].split()), r["nature_juridique"], line))
        first_line.setdefault(r["id_ti"], line)
    for tid, territory in read.territories.items():
        assert (territory.id, territory.phase, territory.line) == (tid, phase, first_line[tid])
        assert [(m.siren, m.name_as_written, m.nature, m.line) for m in territory.members] == expected[tid]
        assert territory.label == clean_label(next(r["lib_ti"] for r in rows if r["id_ti"] == tid))
        assert territory.wkt is None
    if phase == PHASE_2023:
        assert read.territories["ti-3208"].label == "Haute-Picardie"
        assert [m.siren for m in read.territories["ti-3208"].members][:2] == ["200071892", "200037059"]


def test_communes_are_members_of_the_first_phase():
    read = read_territories(LIST_PHASE1, PHASE_1, reference(), "current")
    nevers = read.territories["ti-2706"]
    assert [(m.siren, m.nature) for m in nevers.members][:2] == [("215800467", "COM"), ("200067700", "CC")]
    assert sum(m.nature == "COM" for t in read.territories.values() for m in t.members) == 38


def test_the_no_break_space_of_anct_2024_label_is_cleaned_with_notes(tmp_path):
    """ANCT's 2024 outlines end ti-8412's label with a no-break space (test_validate_file): put back."""
    features = json.loads(OUTLINES_2024.read_text(encoding="utf-8"))["features"]
    anct_label = next(f["properties"]["lib_territoire"] for f in features
                      if f["properties"]["id_territoire"] == "ti-8412")
    assert anct_label.endswith("\xa0")
    rows = rows_of(LIST_2024)
    lines = [line for line, r in enumerate(rows, start=2) if r["id_ti"] == "ti-8412"]
    for line in lines:
        rows[line - 2]["lib_ti"] = anct_label
    read = read_territories(write(tmp_path, rows), PHASE_2023, reference(), "current")
    assert read.problems == []
    assert [(n.file, n.line, n.record, n.message) for n in read.notes] == [
        (str(tmp_path / "list.csv"), line, f"ti-8412 {rows[line - 2]['siren_groupement']}", f"white space cleaned in label {anct_label!r}")
        for line in lines]
    assert read.territories["ti-8412"].label == anct_label.strip()


def test_every_bad_row_gets_its_line_record_and_reason(tmp_path):
    path = write(tmp_path, [row for row, _ in ROWS])
    read = read_territories(path, PHASE_2023, reference(), "2023")
    found = {p.line: p for p in read.problems}
    assert set(found) == set(BAD)
    for line, reason in BAD.items():
        assert found[line].message.startswith(reason), (line, found[line].message)
        row = ROWS[line - 2][0]
        assert found[line].record == f"{row['id_ti']} {row['siren_groupement']}"
        assert found[line].file == str(path)
    assert found[max(BAD)].message == "nature juridique 'SIVU' is not one of CA, CC, COM, CU, EPT, MET69, METRO"
    # the good rows are all there, and only them
    good = [(r["id_ti"], r["siren_groupement"]) for r, reason in ROWS if reason is None]
    assert [(t.id, m.siren) for t in read.territories.values() for m in t.members] == good


def test_a_commune_row_must_be_a_current_commune(tmp_path):
    nevers = [r for r in rows_of(LIST_PHASE1) if r["id_ti"] == "ti-2706"]
    nevers[0] = {**nevers[0], "siren_groupement": "200071892"}  # the CA du Saint-Quentinois, marked COM
    read = read_territories(write(tmp_path, nevers), PHASE_1, reference(), "current")
    assert [(p.line, p.message) for p in read.problems] == [(2, "SIREN 200071892 is not a current commune")]
    assert [m.siren for m in read.territories["ti-2706"].members] == [r["siren_groupement"] for r in nevers[1:]]


def test_a_groupement_unknown_on_the_map_of_the_year(tmp_path):
    row = real("ti-3208", "200071892", siren_groupement="210206660", lib_groupement="Saint-Quentin",
               nature_juridique="CA")
    read = read_territories(write(tmp_path, [row]), PHASE_2023, reference(), "current")
    assert [p.message for p in read.problems] == ["unknown SIREN 210206660 for current (commune, not a groupement)"]
    row = real("ti-3208", "200071892", siren_groupement="200071801")  # valid Luhn, no such SIREN
    read = read_territories(write(tmp_path, [row]), PHASE_2023, reference(), "2023")
    assert [p.message for p in read.problems] == ["unknown SIREN 200071801 for 2023 (groupement)"]


def test_a_nature_of_2023_or_of_today_is_accepted_either_year(tmp_path):
    reference_ = reference()
    assert reference_.natures_2023[BECAME_CA] == "CC" and reference_.groupements[BECAME_CA].nature == "CA"
    row = {"id_ti": "ti-9999", "lib_ti": "Essai", "siren_groupement": BECAME_CA,
           "lib_groupement": reference_.groupements[BECAME_CA].nom}
    for year in ("2023", "current"):
        for nature in ("CC", "CA"):
            read = read_territories(write(tmp_path, [{**row, "nature_juridique": nature}]), PHASE_2023, reference_, year)
            assert read.problems == [] and read.territories["ti-9999"].members[0].nature == nature
        read = read_territories(write(tmp_path, [{**row, "nature_juridique": "CU"}]), PHASE_2023, reference_, year)
        assert [p.message for p in read.problems] == ["type mismatch: file says CU, reference says CA/CC"]


def test_sirens_with_spaces_and_natures_in_lower_case_are_read(tmp_path):
    row = real("ti-3208", "200071892", siren_groupement=" 200 071 892 ", nature_juridique=" ca ",
               lib_groupement="  CA du  Saint-Quentinois ")
    read = read_territories(write(tmp_path, [row]), PHASE_2023, reference(), "2023")
    assert read.problems == [] and read.notes == []
    [member] = read.territories["ti-3208"].members
    assert (member.siren, member.nature, member.name_as_written, member.line) == (
        "200071892", "CA", "CA du Saint-Quentinois", 2)


@pytest.mark.parametrize(("change", "message"), [
    ({"lib_ti": " \u00a0 "}, "territory label is empty"),
    ({"id_ti": "ti-32080"}, "territory id 'ti-32080' is not of the form ti-NNNN"),
    ({"id_ti": ""}, "territory id '' is not of the form ti-NNNN"),
    ({"siren_groupement": "2000718920"}, "SIREN '2000718920' is not 9 digits"),
    ({"siren_groupement": "20007189a"}, "SIREN '20007189a' is not 9 digits"),
    ({"siren_groupement": "200071893"}, "SIREN 200071893 has an invalid check digit (Luhn)"),
    ({"nature_juridique": "SIVU"}, "nature juridique 'SIVU' is not one of CA, CC, COM, CU, EPT, MET69, METRO"),
    ({"nature_juridique": "CC"}, "type mismatch: file says CC, reference says CA"),
    ({"siren_groupement": "210206660"}, "unknown SIREN 210206660 for 2023 (commune, not a groupement)"),
])
def test_a_bad_field_is_named(tmp_path, change, message):
    rows = [real("ti-3208", "200071892", **change), real("ti-3208", "200037059")]
    read = read_territories(write(tmp_path, rows), PHASE_2023, reference(), "2023")
    assert [(p.line, p.message) for p in read.problems] == [(2, message)]
    assert [(m.siren, m.line) for m in read.territories["ti-3208"].members] == [("200037059", 3)]  # read on


def test_table_problems_come_first_and_stop_nothing_else(tmp_path):
    rows = [real("ti-3208", "200071892"), real("ti-3208", "200071785")]
    text = csv_text(rows, COLUMNS).replace("200071785,", "200071785", 1)  # one field fewer on line 3
    path = tmp_path / "short.csv"
    path.write_text(text, encoding="utf-8", newline="")
    read = read_territories(path, PHASE_2023, reference(), "2023")
    assert [(p.line, p.message) for p in read.problems] == [(3, "4 fields where the header has 5")]
    assert read.rows == 1 and [m.siren for m in read.territories["ti-3208"].members] == ["200071892"]
