"""Real rows of ANCT's 2023 list and the same rows made bad, each with the reason a reader must
give: shared by the tests of `tilod validate` and of the territory reader."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from conftest import ROOT

LIST_2023 = ROOT / "data/territoires/ti_2023_groupements_20231114.csv"

COLUMNS = ["id_ti", "lib_ti", "siren_groupement", "lib_groupement", "nature_juridique"]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


REAL_ROWS = read_rows(LIST_2023)


def real(territory: str, siren: str, **changes: str) -> dict[str, str]:
    row = next(
        r for r in REAL_ROWS if r["id_ti"] == territory and r["siren_groupement"] == siren
    )
    return {**row, **changes}


def real_territory(territory: str) -> list[dict[str, str]]:
    return [dict(r) for r in REAL_ROWS if r["id_ti"] == territory]


def csv_text(rows: list[dict[str, str]], header: list[str], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([r[c] for c in COLUMNS] for r in rows)
    return out.getvalue()


ROWS: list[tuple[dict[str, str], str | None]] = [
    *((r, None) for r in real_territory("ti-3208")[:4]),
    *((r, None) for r in real_territory("ti-3214")),
    *((r, None) for r in real_territory("ti-3217")),
    (real("ti-3215", "200072031"), None),
    (real("ti-3215", "240200584", siren_groupement="24020058"),
     "SIREN '24020058' is not 9 digits"),
    (real("ti-3202", "248000531", siren_groupement="248000532"),
     "SIREN 248000532 has an invalid check digit (Luhn)"),
    # Saint-Quentin's SIREN: valid, but a commune's, marked as a CC
    (real("ti-3202", "248000747", siren_groupement="210206660", lib_groupement="Saint-Quentin"),
     "unknown SIREN 210206660 for 2023 (commune, not a groupement)"),
    (real("ti-3203", "200070936", nature_juridique="CA"),
     "type mismatch: file says CA, reference says CC"),
    # the press release's spelling of ti-3208's name
    (real("ti-3208", "200071785", lib_ti="Haute Picardie"),
     "territory ti-3208 has two names: 'Haute-Picardie' (line 2) and 'Haute Picardie'"),
    (real("ti-3214", "240200477", siren_groupement="200071892",
          lib_groupement="CA du Saint-Quentinois"),
     "SIREN 200071892 is already in territory ti-3208 (line 2)"),
    (real("ti-3217", "240200444"),
     "duplicate row: SIREN 240200444 already listed for ti-3217 at line 11"),
    (real("ti-3216", "200066975", id_ti="TI-3216"),
     "territory id 'TI-3216' is not of the form ti-NNNN"),
    (real("ti-3216", "200068047", nature_juridique="SIVU"),
     "nature juridique 'SIVU' is not one of"),
]
BAD = {index + 2: reason for index, (_, reason) in enumerate(ROWS) if reason}
