"""Errors that reach users: each names the file, the line or record, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, where it is and why."""

    file: str
    line: int | None
    message: str
    record: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        who = f" [{self.record}]" if self.record else ""
        return f"{where}{who}: {self.message}"


class TilodError(Exception):
    """An error with a message meant for the person running tilod (no traceback)."""


class InputError(TilodError):
    """One or more inputs are unreadable or inconsistent."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [str(p) for p in problems[:50]]
        if len(problems) > 50:
            lines.append(f"... and {len(problems) - 50} more")
        super().__init__("\n".join(lines))

    @classmethod
    def single(cls, file: Path | str, message: str, line: int | None = None) -> InputError:
        return cls([Problem(str(file), line, message)])
