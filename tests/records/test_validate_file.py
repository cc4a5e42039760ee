"""`tilod validate FILE`, run as a real process on files made from real rows of ANCT's list."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from territory_rows import BAD, COLUMNS, LIST_2023, ROWS, csv_text, read_rows, real_territory

from conftest import ROOT

LIST_2024 = ROOT / "data/territoires/ti_2023_groupements_20240916.csv"
OUTLINES_2024 = ROOT / "data/anct/ti_2023_geom_20240916.geojson"
#: the same columns as other people name them (each is an alias tilod accepts)
ALIASES = ["id_territoire", "lib_territoire", "SIREN", "nom_groupement", "Nature juridique"]
PROBLEM = re.compile(r"^(?P<file>.+):(?P<line>\d+) \[(?P<record>[^]]*)\]: (?P<message>.+)$")


def tilod_validate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILOD_")}
    return subprocess.run(
        [sys.executable, "-m", "tilod.cli", "validate", *map(str, args)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )


def problems(stdout: str) -> dict[int, str]:
    """Line number -> '[record]: message', for every problem line of the output."""
    found: dict[int, str] = {}
    for text in stdout.splitlines():
        match = PROBLEM.match(text)
        if match:
            line = int(match["line"])
            assert line not in found, f"line {line} reported twice"
            found[line] = f"[{match['record']}]: {match['message']}"
    return found


# Real rows of the Hauts-de-France territories, good ones first, then each made bad in one way:
# (row, expected reason or None for a good row).
@pytest.fixture(scope="module")
def bad_rows() -> list[dict[str, str]]:
    rows = [row for row, _ in ROWS]
    assert rows[0]["lib_ti"] == "Haute-Picardie"  # line 2, as the expected reasons say
    assert rows[9]["siren_groupement"] == "240200444"  # line 11
    return rows


@pytest.fixture(scope="module")
def bad_file_report(tmp_path_factory, bad_rows) -> tuple[Path, subprocess.CompletedProcess[str]]:
    path = tmp_path_factory.mktemp("utf8") / "territoires.csv"
    path.write_text(csv_text(bad_rows, COLUMNS), encoding="utf-8", newline="")
    return path, tilod_validate(path)


def test_every_bad_row_is_reported_with_its_reason(bad_file_report):
    path, run = bad_file_report
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    found = problems(run.stdout)
    assert set(found) == set(BAD), run.stdout  # all bad rows at once, and no good row
    for line, reason in BAD.items():
        assert reason in found[line], f"line {line}: expected {reason!r}, got {found[line]!r}"
        assert f"{path}:{line} [" in run.stdout
    assert run.stdout.splitlines()[-1].startswith(f"{path}: {len(ROWS)} row(s), ")
    assert run.stdout.splitlines()[-1].endswith(f": {len(BAD)} bad row(s)")


def test_cp1252_semicolons_and_other_column_names_read_the_same(tmp_path, bad_file_report, bad_rows):
    _, utf8_run = bad_file_report
    path = tmp_path / "territoires-excel.csv"
    path.write_bytes(csv_text(bad_rows, ALIASES, delimiter=";").encode("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really cp1252 (the labels have – and é)
    run = tilod_validate(path)
    assert run.returncode == 1, run.stderr
    assert problems(run.stdout) == problems(utf8_run.stdout)


def test_utf8_with_bom_is_read(tmp_path):
    path = tmp_path / "territoires-bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + LIST_2023.read_bytes())
    run = tilod_validate(path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == f"{path}: 630 row(s), 183 territories: OK"


def test_missing_column_is_named_without_traceback(tmp_path):
    path = tmp_path / "sans-nature.csv"
    columns = COLUMNS[:-1]
    rows = real_territory("ti-3208")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([r[c] for c in columns] for r in rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    run = tilod_validate(path)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert f"{path}:1: missing column(s) nature_juridique" in run.stderr
    assert run.stdout == ""


def test_missing_file_is_named_without_traceback(tmp_path):
    path = tmp_path / "nowhere.csv"
    run = tilod_validate(path)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert f"{path}: file not found" in run.stderr


def test_real_2023_list_is_valid_for_2023():
    run = tilod_validate(LIST_2023)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == f"{LIST_2023}: 630 row(s), 183 territories: OK"


def test_real_2024_list_is_valid_for_the_current_map():
    run = tilod_validate(LIST_2024, "--year", "current")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1] == f"{LIST_2024}: 641 row(s), 183 territories: OK"


def test_no_break_space_of_anct_label_is_cleaned_with_a_note(tmp_path):
    """ANCT's 2024 outlines end the label of ti-8412 with a no-break space; the shipped CSV
    does not have it (see the report), so the label is put back as ANCT wrote it."""
    features = json.loads(OUTLINES_2024.read_text(encoding="utf-8"))["features"]
    anct_label = next(
        f["properties"]["lib_territoire"] for f in features
        if f["properties"]["id_territoire"] == "ti-8412"
    )
    assert anct_label.endswith("\xa0")
    rows = read_rows(LIST_2024)
    lines = [i + 2 for i, r in enumerate(rows) if r["id_ti"] == "ti-8412"]
    assert lines and all(rows[i - 2]["lib_ti"] == anct_label.strip() for i in lines)
    for i in lines:
        rows[i - 2]["lib_ti"] = anct_label
    path = tmp_path / LIST_2024.name
    path.write_text(csv_text(rows, COLUMNS), encoding="utf-8", newline="")
    run = tilod_validate(path, "--year", "current")
    assert run.returncode == 0, run.stdout + run.stderr
    notes = [text for text in run.stdout.splitlines() if text.startswith("note: ")]
    assert notes == [
        f"note: {path}:{line} [ti-8412 {rows[line - 2]['siren_groupement']}]: "
        f"white space cleaned in label {anct_label!r}"
        for line in lines
    ]
    assert run.stdout.splitlines()[-1] == f"{path}: 641 row(s), 183 territories: OK"
