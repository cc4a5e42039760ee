"""`tilod validate FILE`: every bad row of a user's territory list, all at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tilod.errors import Problem
from tilod.records.reference import Reference
from tilod.records.territories import read_territories


@dataclass
class FileReport:
    path: Path
    rows: int
    territories: int
    problems: list[Problem]
    notes: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        lines = [str(p) for p in sorted(self.problems, key=lambda p: p.line or 0)]
        lines += [f"note: {n}" for n in self.notes]
        verdict = "OK" if self.ok else f"{len(self.problems)} bad row(s)"
        lines.append(
            f"{self.path}: {self.rows} row(s), {self.territories} territories: {verdict}"
        )
        return "\n".join(lines)


def validate_territory_file(path: Path, reference: Reference, year: str) -> FileReport:
    """Check a file in ANCT's layout against the map of `year` ("2023" or "current")."""
    result = read_territories(path, "check", reference, year)
    return FileReport(path, result.rows, len(result.territories), result.problems, result.notes)
