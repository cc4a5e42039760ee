"""`read_table`: ANCT's real 2023 list read the same whatever its encoding, delimiter and column
names, with each row's physical line; rows and files that cannot be read named with their line."""

from __future__ import annotations

import csv
import io

import pytest

from conftest import ROOT
from tilod.errors import InputError
from tilod.records.csv_table import MAX_FIELD_CHARS, _normalise_header, decode, read_table
from tilod.records.territories import COLUMNS

LIST_2023 = ROOT / "data/territoires/ti_2023_groupements_20231114.csv"
TEXT = LIST_2023.read_text(encoding="utf-8")
HEADER, *LINES = TEXT.splitlines()
#: the Aisne's rows of the real list (ti-32xx), with their header
AISNE = [HEADER, *(line for line in LINES if line.startswith("ti-32"))]


def table(tmp_path, raw: bytes):
    path = tmp_path / "list.csv"
    path.write_bytes(raw)
    return read_table(path, COLUMNS)


def values(rows):
    return [(r.line, r.values) for r in rows]


def test_the_real_list_is_read_row_by_row(tmp_path):
    rows, problems = read_table(LIST_2023, COLUMNS)
    assert problems == [] and len(rows) == len(LINES)
    first = rows[0]
    assert first.line == 2
    assert first.values == {"id_ti": "ti-0101", "lib_ti": "Basse-Terre", "siren_groupement": "249710062",
                            "lib_groupement": "CA du Nord Basse-Terre", "nature_juridique": "CA"}
    assert rows[-1].line == len(LINES) + 1


@pytest.mark.parametrize(("encode", "encoding"), [
    (lambda text: text.encode("utf-8"), "utf-8"),
    (lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), "utf-8"),
    (lambda text: text.encode("cp1252"), "cp1252"),
    (lambda text: text.encode("utf-16"), "utf-16"),
    (lambda text: text.encode("utf-16-be").join([b"\xfe\xff", b""]), "utf-16"),
])
def test_every_encoding_reads_the_same(tmp_path, encode, encoding):
    text = "\r\n".join(AISNE) + "\r\n"
    raw = encode(text)
    assert decode(tmp_path, raw) == (text, encoding)
    expected, _ = table(tmp_path, "\n".join(AISNE).encode("utf-8"))
    rows, problems = table(tmp_path, raw)
    assert problems == [] and values(rows) == values(expected)
    assert any("é" in r.values["lib_groupement"] for r in rows)


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_every_delimiter_and_aliases_read_the_same(tmp_path, delimiter):
    expected, _ = table(tmp_path, "\n".join(AISNE).encode("utf-8"))
    header = delimiter.join(["Identifiant", "Libellé TI", "SIREN", " Nom-EPCI ", "Nature.Juridique"])
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(csv.reader(AISNE[1:]))
    rows, problems = table(tmp_path, (header + "\r\n" + out.getvalue()).encode("cp1252"))
    assert problems == [] and values(rows) == values(expected)


def test_header_names_are_normalised():
    assert _normalise_header(" Nature Juridique ") == "nature_juridique"
    assert _normalise_header("Libellé TI") == "libelle_ti"
    assert _normalise_header("Nom-EPCI") == "nom_epci"
    assert _normalise_header("SIREN.Groupement") == "siren_groupement"
    assert _normalise_header("LIB  ti") == "lib_ti"


def test_extra_and_repeated_columns(tmp_path):
    header = HEADER + ",lib_ti,commentaire"
    lines = [header, *(line + ",autre nom,rien" for line in AISNE[1:])]
    rows, problems = table(tmp_path, "\n".join(lines).encode("utf-8"))
    expected, _ = table(tmp_path, "\n".join(AISNE).encode("utf-8"))
    assert problems == [] and values(rows) == values(expected)  # the first lib_ti column counts


def test_blank_lines_are_skipped_and_lines_still_counted(tmp_path):
    lines = [AISNE[0], AISNE[1], "", ",,,,", AISNE[2]]
    rows, problems = table(tmp_path, "\n".join(lines).encode("utf-8"))
    assert problems == [] and [r.line for r in rows] == [2, 5]
    assert rows[1].values["siren_groupement"] == AISNE[2].split(",")[2]


def test_short_rows_long_fields_and_broken_quotes_are_row_problems(tmp_path):
    long_name = "x" * (MAX_FIELD_CHARS + 1)
    cells = AISNE[2].split(",")
    lines = [AISNE[0], AISNE[1], ",".join(cells[:4]), ",".join([*cells[:3], long_name, cells[4]]),
             ",".join([*cells[:3], "x" * MAX_FIELD_CHARS, cells[4]]), AISNE[3], '"ti-3208,"Haute']
    rows, problems = table(tmp_path, "\n".join(lines).encode("utf-8"))
    assert [r.line for r in rows] == [2, 5, 6]
    assert [(p.line, p.message) for p in problems] == [
        (3, "4 fields where the header has 5"),
        (4, f"field longer than {MAX_FIELD_CHARS} characters"),
        (7, "unreadable CSV row: ',' expected after '\"'"),
    ]
    assert all(p.file == str(tmp_path / "list.csv") for p in problems)


def bad_file(tmp_path, raw: bytes) -> str:
    with pytest.raises(InputError) as caught:
        table(tmp_path, raw)
    [problem] = caught.value.problems
    return str(problem)


def test_unreadable_files_are_named_with_their_line(tmp_path):
    where = tmp_path / "list.csv"
    assert bad_file(tmp_path, b"") == f"{where}: empty file: expected a header row and data rows"
    assert bad_file(tmp_path, b" \r\n\n") == f"{where}: empty file: expected a header row and data rows"
    aisne = "\n".join(AISNE).encode("utf-8")
    assert bad_file(tmp_path, aisne + b"\n\x00\n\x00") == (
        f"{where}:{len(AISNE) + 1}: NUL byte: not a text file (UTF-16 without BOM?)")
    assert bad_file(tmp_path, aisne + b"\n\x81\x8d") == f"{where}:{len(AISNE) + 1}: neither UTF-8 nor cp1252 (byte {len(aisne) + 1})"
    assert bad_file(tmp_path, b"\xff\xfe" + "ti".encode("utf-16-le") + b"\x00") == f"{where}: invalid UTF-16 at byte 6"
    semicolons = ";".join(HEADER.split(",")[:4]).encode("utf-8")
    assert bad_file(tmp_path, semicolons + b"\n") == (
        f"{where}:1: missing column(s) nature_juridique (delimiter ';'; header has 'id_ti', 'lib_ti', "
        f"'siren_groupement', 'lib_groupement')")
    assert bad_file(tmp_path, b'"id_ti\n') == f"{where}:1: unreadable header: unexpected end of data"


def test_a_header_without_delimiter_is_read_with_commas(tmp_path):
    assert bad_file(tmp_path, b"territoire\nti-3208\n") == (
        f"{tmp_path / 'list.csv'}:1: missing column(s) id_ti, siren_groupement, lib_groupement, nature_juridique "
        f"(delimiter ','; header has 'territoire')")


def test_missing_paths_and_folders_are_named(tmp_path):
    with pytest.raises(InputError) as caught:
        read_table(tmp_path / "none.csv", COLUMNS)
    assert str(caught.value) == f"{tmp_path / 'none.csv'}: file not found"
    with pytest.raises(InputError) as caught:
        read_table(tmp_path, COLUMNS)
    assert str(caught.value) == f"{tmp_path}: is a directory, not a CSV file"


def test_a_header_with_both_delimiters_is_read_with_the_commoner(tmp_path):
    lines = [HEADER + ",commentaire; remarque", *(line + "," for line in AISNE[1:])]
    rows, problems = table(tmp_path, "\n".join(lines).encode("utf-8"))
    expected, _ = table(tmp_path, "\n".join(AISNE).encode("utf-8"))
    assert problems == [] and values(rows) == values(expected)


def test_an_empty_header_row_is_named(tmp_path):
    assert bad_file(tmp_path, ("\n" + "\n".join(AISNE)).encode("utf-8")) == (
        f"{tmp_path / 'list.csv'}:1: missing column(s) id_ti, lib_ti, siren_groupement, lib_groupement, "
        f"nature_juridique (delimiter ','; header has nothing)")


def test_a_field_beyond_the_csv_limit_is_an_unreadable_row(tmp_path):
    cells = AISNE[1].split(",")
    huge = ",".join([*cells[:3], "x" * (MAX_FIELD_CHARS * 10 + 1), cells[4]])
    rows, problems = table(tmp_path, "\n".join([AISNE[0], huge]).encode("utf-8"))
    assert rows == []
    assert [(p.line, p.message) for p in problems] == [
        (2, f"unreadable CSV row: field larger than field limit ({MAX_FIELD_CHARS * 10})")]
