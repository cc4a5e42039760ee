"""Territory lists in ANCT's layout, read and checked row by row against the reference.

Used by `tilod build` (any problem stops the build) and by `tilod validate` (every
problem is listed, all rows at once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tilod.errors import Problem
from tilod.records.csv_table import read_table
from tilod.records.models import Member, Territory
from tilod.records.reference import Reference
from tilod.records.siren import is_valid_siren

COLUMNS: dict[str, set[str]] = {
    "id_ti": {"id_ti", "id_territoire", "code_ti", "id_territoire_industrie", "identifiant"},
    "lib_ti": {"lib_ti", "lib_territoire", "nom_ti", "libelle_ti", "nom_territoire", "territoire"},
    "siren_groupement": {"siren_groupement", "siren", "siren_epci", "siren_membre", "code_siren"},
    "lib_groupement": {"lib_groupement", "nom_groupement", "lib_epci", "nom_epci", "libelle_groupement"},
    "nature_juridique": {"nature_juridique", "nature", "type", "nj", "type_groupement"},
}
NATURES = {"CC", "CA", "CU", "METRO", "MET69", "EPT", "COM"}
TERRITORY_ID = re.compile(r"ti-\d{4}")


def clean_label(text: str) -> str:
    """Collapse every kind of white space (ANCT's 2024 file ends a label with a no-break space)."""
    return " ".join(text.split())


@dataclass
class TerritoryList:
    path: Path
    phase: str
    territories: dict[str, Territory] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    rows: int = 0


def read_territories(path: Path, phase: str, reference: Reference, year: str) -> TerritoryList:
    """Read and check a territory list; `year` ("2023" or "current") says which map to check against.

    Raises InputError if the file is not a readable table; returns row problems otherwise.
    """
    rows, problems = read_table(path, COLUMNS)
    result = TerritoryList(path=path, phase=phase, problems=problems, rows=len(rows))
    name = str(path)
    communes_by_siren = reference.commune_by_siren()
    territory_of: dict[str, tuple[str, int]] = {}
    for row in rows:
        v = row.values
        tid = v["id_ti"].strip()
        raw_label = v["lib_ti"]
        label = clean_label(raw_label)
        siren = v["siren_groupement"].strip().replace(" ", "")
        nature = v["nature_juridique"].strip().upper()
        record = f"{tid} {siren}".strip()

        def bad(message: str, line: int = row.line, record: str = record) -> None:
            result.problems.append(Problem(name, line, message, record))

        if not TERRITORY_ID.fullmatch(tid):
            bad(f"territory id {tid!r} is not of the form ti-NNNN")
            continue
        if not label:
            bad("territory label is empty")
            continue
        if label != raw_label:
            result.notes.append(
                Problem(name, row.line, f"white space cleaned in label {raw_label!r}", record)
            )
        if not (len(siren) == 9 and siren.isdigit()):
            bad(f"SIREN {siren!r} is not 9 digits")
            continue
        if not is_valid_siren(siren):
            bad(f"SIREN {siren} has an invalid check digit (Luhn)")
            continue
        if nature not in NATURES:
            bad(f"nature juridique {nature!r} is not one of {', '.join(sorted(NATURES))}")
            continue
        if nature == "COM":
            if siren not in communes_by_siren:
                bad(f"SIREN {siren} is not a current commune")
                continue
        else:
            natures = reference.natures_of(siren, year)
            if not natures:
                kind = "commune, not a groupement" if siren in communes_by_siren else "groupement"
                bad(f"unknown SIREN {siren} for {year} ({kind})")
                continue
            known = natures | reference.natures_of(siren, "2023") | reference.natures_of(
                siren, "current"
            )
            if nature not in known:
                bad(f"type mismatch: file says {nature}, reference says {'/'.join(sorted(known))}")
                continue
        territory = result.territories.get(tid)
        if territory is None:
            territory = result.territories[tid] = Territory(tid, label, phase, row.line)
        elif territory.label != label:
            bad(
                f"territory {tid} has two names: {territory.label!r} "
                f"(line {territory.line}) and {label!r}"
            )
            continue
        if siren in territory_of:
            other, other_line = territory_of[siren]
            if other == tid:
                bad(f"duplicate row: SIREN {siren} already listed for {tid} at line {other_line}")
            else:
                bad(f"SIREN {siren} is already in territory {other} (line {other_line})")
            continue
        territory_of[siren] = (tid, row.line)
        territory.members.append(Member(siren, clean_label(v["lib_groupement"]), nature, row.line))
    return result
