"""Serialize the graph in the dump formats (with pyoxigraph: 30-50x faster than rdflib's writers):
Turtle grouped by subject, N-Triples, and JSON-LD compacted with the release's context."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from tilod.graph import jsonld
from tilod.graph.namespaces import STANDARD_PREFIXES
from tilod.graph.turtle import grouped, used_prefixes
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
    triples: list[ox.Triple], folder: Path, prefixes: dict[str, str], context: jsonld.Context, context_url: str
) -> list[WrittenFile]:
    """Write each data dump into `folder`; the triple count is that of the list given. The JSON-LD
    names its context by `context_url`."""
    written = []
    for dump in DATA_DUMPS:
        path = folder / dump.filename
        if dump.gzipped:
            # no name and no time in the gzip header: equal data, equal bytes (release/sharing.py)
            with path.open("wb") as raw, \
                    gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0, filename="") as handle:
                ox.serialize(triples, handle, format=dump.rdf_format)  # type: ignore[arg-type]
        elif dump.rdf_format == ox.RdfFormat.JSON_LD:
            jsonld.write_graph(triples, path, context, context_url)
        else:
            ordered = grouped(triples)
            used = used_prefixes(ordered, {**STANDARD_PREFIXES, **prefixes})
            ox.serialize(ordered, str(path), format=dump.rdf_format, prefixes=used)
        written.append(describe_file(path, dump.media_type, len(triples), dump.gzipped))
    return written
