"""Serialize the graph in the dump formats (with pyoxigraph: 30-50x faster than rdflib's writers)."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from tilod.graph.namespaces import STANDARD_PREFIXES
from tilod.release import layout


@dataclass(frozen=True)
class DumpFormat:
    filename: str
    media_type: str
    rdf_format: ox.RdfFormat
    gzipped: bool = False


DATA_DUMPS = (
    DumpFormat(layout.TURTLE_DUMP, "text/turtle", ox.RdfFormat.TURTLE),
    DumpFormat(layout.NT_DUMP, "application/n-triples", ox.RdfFormat.N_TRIPLES, gzipped=True),
    DumpFormat(layout.JSONLD_DUMP, "application/ld+json", ox.RdfFormat.JSON_LD),
)


@dataclass(frozen=True)
class WrittenFile:
    filename: str
    media_type: str
    byte_size: int
    sha256: str
    triples: int | None
    gzipped: bool = False


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_file(path: Path, media_type: str, triples: int | None, gzipped: bool = False) -> WrittenFile:
    return WrittenFile(path.name, media_type, path.stat().st_size, sha256_of(path), triples, gzipped)


def write_dumps(
    triples: list[ox.Triple], folder: Path, prefixes: dict[str, str]
) -> list[WrittenFile]:
    """Write each data dump into `folder`; the triple count is that of the list given."""
    all_prefixes = {**STANDARD_PREFIXES, **prefixes}
    written = []
    for dump in DATA_DUMPS:
        path = folder / dump.filename
        if dump.gzipped:
            with gzip.open(path, "wb", compresslevel=6) as handle:
                ox.serialize(triples, handle, format=dump.rdf_format)  # type: ignore[arg-type]
        else:
            ox.serialize(triples, str(path), format=dump.rdf_format, prefixes=all_prefixes)
        written.append(describe_file(path, dump.media_type, len(triples), dump.gzipped))
    return written
