"""Keeping releases costs what changed: a release of the same data shares the current one's dumps
(hard links) and starts its store from the current store's files; another territory list (the Oise
added to the scope) applies only the difference, and each store still holds exactly its dump."""

from __future__ import annotations

import gzip
import os
from dataclasses import replace

import pyoxigraph as ox

from conftest import subset_settings
from tilod.release import layout
from tilod.release.build import build_release


def disk_bytes(*folders) -> int:
    """Bytes on disk of the folders' files, each inode once (as du counts hard links)."""
    seen, total = set(), 0
    for folder in folders:
        for path in folder.rglob("*"):
            stat = path.lstat()
            if path.is_file() and stat.st_ino not in seen:
                seen.add(stat.st_ino)
                total += stat.st_blocks * 512
    return total


def default_graph(folder) -> set[ox.Quad]:
    store = ox.Store.read_only(str(folder / layout.STORE))
    return set(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def dump_quads(folder) -> set[ox.Quad]:
    with gzip.open(folder / layout.NT_DUMP, "rb") as handle:
        return set(ox.parse(handle.read(), format=ox.RdfFormat.N_TRIPLES))


def test_a_release_of_the_same_data_shares_the_current_ones_files(tmp_path):
    releases = tmp_path / "releases"
    first = build_release(subset_settings(releases), out=lambda _: None)
    log: list[str] = []
    second = build_release(subset_settings(releases, rebuild=True), out=log.append)
    assert second != first
    for name in (layout.TURTLE_DUMP, layout.NT_DUMP, layout.JSONLD_DUMP, layout.SHAPES, layout.SEARCH_INDEX):
        assert os.path.samefile(first / name, second / name), name
    assert any(line.endswith("] embedded store: 0 triples removed and 0 added") for line in log)
    assert layout.NT_DUMP in log[-1] and layout.TURTLE_DUMP in log[-1] and f"with {first.name}" in log[-1]
    assert default_graph(second) == dump_quads(second)
    named = {str(g) for g in ox.Store.read_only(str(second / layout.STORE)).named_graphs()}
    assert named == {f"<{g}>" for g in layout.named_graphs("http://localhost:8000/", second.name).values()}
    assert disk_bytes(first, second) < 1.25 * disk_bytes(first)

    # the Oise too: the store takes the difference, and holds the new dump
    log.clear()
    third = build_release(replace(subset_settings(releases), departements=("02", "60", "80")), out=log.append)
    applied = [line for line in log if "] embedded store: " in line]
    assert applied and " 0 triples removed and 0 added" not in applied[0]
    assert default_graph(third) == dump_quads(third) != dump_quads(second)

    # and back without it: triples removed too
    log.clear()
    fourth = build_release(subset_settings(releases), out=log.append)
    applied = [line for line in log if "] embedded store: " in line]
    assert applied and " 0 triples removed" not in applied[0]
    assert default_graph(fourth) == dump_quads(fourth) == dump_quads(second)

    # a damaged line in the current release's dump: a fresh store, never a wrong one
    with gzip.open(fourth / layout.NT_DUMP, "rb") as handle:
        lines = handle.read().splitlines(keepends=True)
    lines[0] = lines[0][:len(lines[0]) // 2] + b"\n"  # cut in half: still first in order, not N-Triples
    (fourth / layout.NT_DUMP).unlink()  # (the file may be shared with another release)
    with gzip.open(fourth / layout.NT_DUMP, "wb") as handle:
        handle.write(b"".join(lines))
    log.clear()
    fifth = build_release(subset_settings(releases), out=log.append)
    assert any("loading the embedded store" in line for line in log)
    assert default_graph(fifth) == dump_quads(fifth) == dump_quads(second)
