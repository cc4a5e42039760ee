"""`tilod build`: records -> graph -> validation -> release, switched to only when all succeeded."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import pyoxigraph as ox

from tilod.errors import TilodError
from tilod.graph.builder import build_graph
from tilod.graph.namespaces import RDF
from tilod.graph.uris import Uris
from tilod.records.inputs import load_inputs
from tilod.records.turtle_files import parse_turtle
from tilod.release.description import describe_release
from tilod.release.dumps import describe_file, sha256_of, write_dumps
from tilod.release.history import CHANGES_FILE, ChangeSet, Snapshot, changes_graph, compare, snapshot
from tilod.release.search_index import write_search_index
from tilod.settings import Settings
from tilod.validation.shacl import ValidationResult, load_shapes, validate

ONTOLOGY_FILE = Path("ontology/tilod.ttl")
SHAPES_FILE = Path("shapes/tilod-shapes.ttl")
MANIFEST = "release.json"
STORE_DIR = "store"


class ValidationFailed(TilodError):
    pass


@dataclass
class Progress:
    """Prints each step with the time since the build started."""

    started: float
    out: Callable[[str], None]

    def __call__(self, message: str) -> None:
        self.out(f"[{time.monotonic() - self.started:6.1f}s] {message}")


def new_version(releases: Path) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    version, n = stamp, 1
    while (releases / version).exists() or (releases / "failed" / version).exists():
        n += 1
        version = f"{stamp}-{n}"
    return version


def build_release(settings: Settings, out: Callable[[str], None] | None = None) -> Path:
    """Build a release folder and point `current` at it. Returns the release folder.

    Nothing under `releases/` that was there before changes unless every step succeeds.
    """
    log = Progress(time.monotonic(), out or (lambda m: print(m, file=sys.stderr, flush=True)))
    uris = Uris(settings.base_uri)
    releases = settings.releases_dir
    scope = ",".join(settings.departements) or "France entière"
    log(f"reading records ({scope})")
    inputs = load_inputs(settings)
    for note in [*(n for tl in inputs.lists.values() for n in tl.notes), *inputs.geometries.notes]:
        log(f"note: {note}")
    log("building the graph")
    data = build_graph(inputs, uris, settings.departements)
    triples = len(data)
    log(f"graph: {triples:,} triples")
    ontology = parse_turtle(ONTOLOGY_FILE, settings.base_uri)
    shapes = load_shapes(SHAPES_FILE, settings.base_uri)
    log("validating with SHACL")
    result = validate(data, shapes)
    releases.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(releases)
    version = new_version(releases)
    if not result.conforms:
        raise_failed(releases, version, result)
    log(result.summary())

    staging = releases / f".staging-{version}-{os.getpid()}"
    try:
        staging.mkdir()
        created = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        log("writing dumps")
        nt = data.serialize(format="nt", encoding="utf-8")
        ox_triples = [q.triple for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)]
        files = write_dumps(ox_triples, staging, {"tilod": str(uris.tilod)})
        shutil.copyfile(ONTOLOGY_FILE, staging / "ontology.ttl")
        shutil.copyfile(SHAPES_FILE, staging / "shapes.ttl")
        result.report.serialize(staging / "validation-report.ttl", format="turtle")
        for name in ("ontology.ttl", "shapes.ttl", "validation-report.ttl"):
            files.append(describe_file(staging / name, "text/turtle", None))
        log("comparing with the current release")
        changes = changes_since_current(releases, snapshot(ox_triples, settings.base_uri), version, created, log)
        history = changes_graph(changes, settings.base_uri)
        history.serialize(staging / CHANGES_FILE, format="turtle")
        files.append(describe_file(staging / CHANGES_FILE, "text/turtle", len(history)))
        description = describe_release(data, uris, version, created, files)
        description.serialize(staging / "void.ttl", format="turtle")
        log("validating the ontology, VoID and changes with SHACL")
        described = validate(ontology + description + history, shapes)
        if not described.conforms:
            raise_failed(releases, version, described, "the ontology, VoID or changes.ttl")
        log("loading the embedded store")
        store = ox.Store(str(staging / STORE_DIR))
        store.bulk_load(nt, ox.RdfFormat.N_TRIPLES)
        for graph in (ontology, description, history):  # what changed is queryable too
            store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
        store.optimize()
        store_triples = len(store)
        log("writing the search index")
        write_search_index(store, settings.base_uri, staging)
        del store
        classes = Counter(str(o) for o in data.objects(None, RDF.type))
        manifest = {
            "version": version,
            "created": created,
            "base_uri": settings.base_uri,
            "scope": list(settings.departements),
            "triples": triples,
            "store_triples": store_triples,
            "classes": dict(sorted(classes.items())),
            "files": [vars(f) for f in files],
            "changes": {"since": changes.previous, "count": len(changes.changes),
                        "territories": sorted({c.territory.rsplit("/", 1)[1] for c in changes.changes})},
            "inputs": {str(p): sha256_of(p) for p in inputs.files},
            "build_seconds": round(time.monotonic() - log.started, 1),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        final = releases / version
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    switch_current(releases, version)
    log(f"release {version} is current ({triples:,} triples; {final})")
    return final


def raise_failed(releases: Path, version: str, result: ValidationResult, what: str = "the data") -> NoReturn:
    """Write the report to `failed/<version>/` and stop the build."""
    failed = releases / "failed" / version
    failed.mkdir(parents=True, exist_ok=True)
    result.report.serialize(failed / "validation-report.ttl", format="turtle")
    raise ValidationFailed(
        f"{result.summary()}\nin {what}\nreport written to {failed / 'validation-report.ttl'}\n"
        f"the current release is unchanged"
    )


def changes_since_current(
    releases: Path, new: Snapshot, version: str, created: str, log: Callable[[str], None]
) -> ChangeSet:
    """What changed since the current release; an unreadable one is noted, not fatal."""
    current = releases / "current"
    previous = current.resolve() if current.exists() else None
    try:
        changes = compare(previous, new, version, created)
    except (OSError, ValueError, KeyError, SyntaxError) as exc:
        log(f"note: the current release cannot be read ({type(exc).__name__}: {exc}); no comparison")
        changes = compare(None, new, version, created)
    if changes.previous:
        log(f"{len(changes.changes)} changes since {changes.previous}, "
            f"in {len(changes.territories)} territories")
    return changes


def remove_stale_staging(releases: Path) -> None:
    """Remove what killed builds left (`.staging-<version>-<pid>` whose process is gone)."""
    for folder in releases.glob(".staging-*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def switch_current(releases: Path, version: str) -> None:
    """Point `releases/current` at `version` in one atomic rename."""
    link = releases / f".current-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(version)
    os.replace(link, releases / "current")
