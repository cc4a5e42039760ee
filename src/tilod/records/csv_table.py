"""Read a user's CSV table whatever its encoding, delimiter and column names.

ANCT and the people who edit its files use `;` or `,`, UTF-8 (with or without BOM) or cp1252,
and several spellings of the column names. Everything is decoded here, once, and every row
keeps its physical line number so that errors can point at it.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from tilod.errors import InputError, Problem

MAX_FIELD_CHARS = 10_000


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


def _normalise_header(name: str) -> str:
    """'Nature Juridique ' -> 'nature_juridique', 'Libellé TI' -> 'libelle_ti'."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "_".join(plain.replace("-", " ").replace(".", " ").split())


def decode(path: Path, raw: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-16/UTF-8 (by BOM), else UTF-8, else cp1252; returns (text, encoding)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError.single(path, f"invalid UTF-16 at byte {exc.start}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputError.single(path, "NUL byte: not a text file (UTF-16 without BOM?)", line)
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            line = raw[: utf8_error.start].count(b"\n") + 1
            raise InputError.single(
                path, f"neither UTF-8 nor cp1252 (byte {utf8_error.start})", line
            ) from None
        return text, "cp1252"


def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def read_table(path: Path, aliases: dict[str, set[str]]) -> tuple[list[Row], list[Problem]]:
    """Rows of `path` keyed by canonical column names (the keys of `aliases`).

    Raises InputError when the file cannot be read as a table at all (missing columns,
    undecodable bytes); returns row-level problems (wrong field count, huge fields) otherwise.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError.single(path, "file not found") from None
    except IsADirectoryError:
        raise InputError.single(path, "is a directory, not a CSV file") from None
    except PermissionError:
        raise InputError.single(path, "permission denied") from None
    text, _ = decode(path, raw)
    if not text.strip():
        raise InputError.single(path, "empty file: expected a header row and data rows")
    first_line = text.splitlines()[0]
    delimiter = _sniff_delimiter(first_line)
    csv.field_size_limit(MAX_FIELD_CHARS * 10)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    name = str(path)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError.single(path, f"unreadable header: {exc}", 1) from None
    lookup = {alias: canonical for canonical, names in aliases.items() for alias in names}
    positions: dict[str, int] = {}
    for index, column in enumerate(header):
        canonical = lookup.get(_normalise_header(column))
        if canonical and canonical not in positions:
            positions[canonical] = index
    missing = [c for c in aliases if c not in positions]
    if missing:
        found = ", ".join(repr(h) for h in header) or "nothing"
        raise InputError.single(
            path,
            f"missing column(s) {', '.join(missing)} (delimiter {delimiter!r}; header has {found})",
            1,
        )
    rows: list[Row] = []
    problems: list[Problem] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(name, line, f"unreadable CSV row: {exc}"))
            break
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) < len(header):
            problems.append(
                Problem(name, line, f"{len(cells)} fields where the header has {len(header)}")
            )
            continue
        if any(len(c) > MAX_FIELD_CHARS for c in cells):
            problems.append(Problem(name, line, f"field longer than {MAX_FIELD_CHARS} characters"))
            continue
        rows.append(Row(line, {c: cells[i] for c, i in positions.items()}))
    return rows, problems
