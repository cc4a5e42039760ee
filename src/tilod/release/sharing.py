"""What a new release shares with the current one, so that keeping releases costs what changed,
not their number: each file equal to the current release's is a hard link to it, and the store
starts as a checkpoint of the current store (RocksDB hard-links its immutable table files) to
which only the difference is applied. The dumps are written in one order (the N-Triples lines
sorted), so equal data gives equal bytes and the difference is a merge of two sorted files."""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from tilod.release import layout
from tilod.release.dumps import sha256_of

#: past this share of the data changed, a fresh bulk load makes the smaller, faster store
MOST_CHANGED = 0.5


def sorted_ntriples(nt: bytes) -> bytes:
    """The N-Triples document with its lines in byte order (one order whatever the build's hash
    seed): equal data, equal dumps."""
    lines = [line for line in nt.splitlines(keepends=True) if line.strip()]
    lines.sort()
    return b"".join(lines)


def link_equal_files(folder: Path, previous: Path) -> list[str]:
    """Replace each file of `folder` (not the manifest, not the store) whose bytes equal the same
    file of `previous` by a hard link to it; returns the names shared."""
    shared = []
    for path in sorted(folder.iterdir()):
        before = previous / path.name
        if path.name == layout.MANIFEST or not path.is_file() or not before.is_file():
            continue
        if before.stat().st_size != path.stat().st_size or sha256_of(before) != sha256_of(path):
            continue
        link = path.with_name(f".{path.name}.link")
        os.link(before, link)
        os.replace(link, path)
        shared.append(path.name)
    return shared


@dataclass(frozen=True)
class Difference:
    removed: list[bytes]
    added: list[bytes]


def difference(previous_dump: Path, lines: list[bytes]) -> Difference | None:
    """The N-Triples lines to remove and to add to go from the previous release's dump to `lines`
    (both sorted); None if the previous dump is not in sorted order (built before sorting)."""
    removed: list[bytes] = []
    added: list[bytes] = []
    new = iter(lines)
    pending = next(new, None)
    last = b""
    for old in _dump_lines(previous_dump):
        if old < last:
            return None
        last = old
        while pending is not None and pending < old:
            added.append(pending)
            pending = next(new, None)
        if pending == old:
            pending = next(new, None)
        else:
            removed.append(old)
    while pending is not None:
        added.append(pending)
        pending = next(new, None)
    return Difference(removed, added)


def _dump_lines(path: Path) -> Iterator[bytes]:
    with gzip.open(path, "rb") as handle:
        for line in handle:
            if line.strip():
                yield line if line.endswith(b"\n") else line + b"\n"


def derive_store(previous: Path, target: Path, nt: bytes, graphs: dict[str, bytes],
                 expected: int) -> Difference | None:
    """Make the store at `target` from the previous release's store: a checkpoint of it, its
    default graph brought to `nt` by the difference of the dumps, its named graphs replaced by
    `graphs` (graph IRI -> N-Triples), `expected` quads in all. None (and nothing at `target`)
    when that is not possible or not worth it: no previous store or sorted dump, blank nodes (their
    labels are the store's), most of the data changed, or a previous store or dump that is not
    what it should be; the build then loads a fresh store."""
    dump, store_folder = previous / layout.NT_DUMP, previous / layout.STORE
    if not dump.is_file() or not store_folder.is_dir() or b"_:" in nt:
        return None
    lines = nt.splitlines(keepends=True)
    try:
        change = difference(dump, lines)
        if change is None or len(change.removed) + len(change.added) > MOST_CHANGED * len(lines):
            return None
        if _apply(store_folder, target, change, graphs) == expected:
            return change
    except (OSError, EOFError, ValueError, SyntaxError):  # a damaged dump or store: load afresh
        pass
    shutil.rmtree(target, ignore_errors=True)
    return None


def _apply(previous_store: Path, target: Path, change: Difference, graphs: dict[str, bytes]) -> int:
    """Checkpoint `previous_store` at `target`, apply `change` and `graphs`; the quads it then holds."""
    ox.Store.read_only(str(previous_store)).backup(str(target))
    store = ox.Store(str(target))
    for graph in list(store.named_graphs()):
        store.remove_graph(graph)
    for quad in ox.parse(b"".join(change.removed), format=ox.RdfFormat.N_TRIPLES):
        store.remove(quad)
    if change.added:
        store.extend(ox.parse(b"".join(change.added), format=ox.RdfFormat.N_TRIPLES))
    for name, content in graphs.items():
        graph = ox.NamedNode(name)
        store.extend(ox.Quad(q.subject, q.predicate, q.object, graph)
                     for q in ox.parse(content, format=ox.RdfFormat.N_TRIPLES))
    store.flush()
    return len(store)
