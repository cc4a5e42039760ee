"""The press release's own names (`read_press_names`) and the outlines file that goes with a list
(`outlines_file_for`), on the real files."""

from __future__ import annotations

import csv
import shutil

import pytest

from conftest import ROOT
from tilod.errors import InputError
from tilod.records.inputs import outlines_file_for
from tilod.records.press_names import PRESS_NAMES_FILE, read_press_names

DATA = ROOT / "data"


def test_every_row_of_the_seed_is_a_press_name():
    with (DATA / PRESS_NAMES_FILE).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = read_press_names(DATA)
    assert len(names) == len(rows) == 16
    assert [(n.siren, n.territory_id, n.territory_name, n.epci_name) for n in names] == [
        (r["siren"], r["id_ti_2023"], r["lib_ti_communique"], r["nom_communique"]) for r in rows]
    assert (names[0].siren, names[0].territory_id, names[0].territory_name, names[0].epci_name) == (
        "200071892", "ti-3208", "Haute Picardie", "CA du Saint-Quentinois")


def test_the_names_are_trimmed(tmp_path):
    (tmp_path / PRESS_NAMES_FILE).parent.mkdir(parents=True)
    text = (DATA / PRESS_NAMES_FILE).read_text(encoding="utf-8")
    header, first, *_ = text.splitlines()
    cells = first.split(",")
    cells[0], cells[1], cells[3], cells[4] = f" {cells[0]} ", f"{cells[1]} ", f" {cells[3]}", f"\t{cells[4]} "
    (tmp_path / PRESS_NAMES_FILE).write_text(header + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    [name] = read_press_names(tmp_path)
    assert (name.siren, name.territory_id, name.territory_name, name.epci_name) == (
        "200071892", "ti-3208", "Haute Picardie", "CA du Saint-Quentinois")


def test_a_short_row_of_the_seed_stops_the_build(tmp_path):
    (tmp_path / PRESS_NAMES_FILE).parent.mkdir(parents=True)
    header, first, *_ = (DATA / PRESS_NAMES_FILE).read_text(encoding="utf-8").splitlines()
    (tmp_path / PRESS_NAMES_FILE).write_text(header + "\n" + first + "\n" + first[:40] + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_press_names(tmp_path)
    [problem] = caught.value.problems
    assert problem.line == 3 and "fields where the header has 18" in problem.message


def test_the_outlines_of_a_list_are_those_of_its_date(tmp_path):
    assert outlines_file_for(DATA / "territoires/ti_2023_groupements_20231114.csv", DATA) == (
        DATA / "anct/ti_2023_geom_20231114.geojson")
    assert outlines_file_for(DATA / "territoires/ti_2023_groupements_20240916.csv", DATA) == (
        DATA / "anct/ti_2023_geom_20240916.geojson")
    assert outlines_file_for(tmp_path / "ma_liste.csv", DATA) is None  # no date in the name
    assert outlines_file_for(tmp_path / "liste_20991231.csv", DATA) is None  # no outlines of that date
    copy = tmp_path / "liste_du_20231114.csv"
    shutil.copy(DATA / "territoires/ti_2023_groupements_20231114.csv", copy)
    assert outlines_file_for(copy, DATA) == DATA / "anct/ti_2023_geom_20231114.geojson"
