"""`tilod build`: records -> graph -> validation -> release, switched to only when all succeeded."""

from __future__ import annotations

import contextlib
import ctypes
import gc
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

from tilod.errors import InputError, TilodError
from tilod.graph.builder import build_graph
from tilod.graph.jsonld import Context
from tilod.graph.namespaces import RDF
from tilod.graph.uris import Uris
from tilod.records.inputs import load_inputs
from tilod.records.turtle_files import parse_turtle
from tilod.release import layout
from tilod.release.catalogue import load_catalogue
from tilod.release.description import describe_release
from tilod.release.dumps import describe_file, sha256_of, write_dumps
from tilod.release.fingerprint import build_fingerprint
from tilod.release.history import ChangeSet, Snapshot, changes_graph, compare, snapshot
from tilod.release.ontology import write_ontology
from tilod.release.retention import prune_after_build
from tilod.release.search_index import write_search_index
from tilod.release.sharing import derive_store, link_equal_files, sorted_ntriples
from tilod.settings import Settings
from tilod.validation.shacl import ValidationResult, load_shapes, validate


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
    stamp = datetime.now(UTC).strftime(layout.VERSION_TIME)
    version, n = stamp, 1
    while layout.release_folder(releases, version).exists() or layout.failed_folder(releases, version).exists():
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
    fingerprint = build_fingerprint(settings)
    kept = None if settings.rebuild else same_as_current(releases, fingerprint)
    if kept is not None:
        log(f"release {kept.name} is current and was built from the same inputs, code and settings: "
            "kept as it is (tilod build --rebuild makes a new one)")
        return kept
    scope = ",".join(settings.departements) or "France entière"
    log(f"reading records ({scope})")
    inputs = load_inputs(settings)
    for note in [*(n for tl in inputs.lists.values() for n in tl.notes), *inputs.geometries.notes]:
        log(f"note: {note}")
    log("building the graph")
    data = build_graph(inputs, uris, settings.departements)
    triples = len(data)
    log(f"graph: {triples:,} triples")
    parse_turtle(settings.ontology_file, settings.base_uri)  # a bad file stops the build here
    uri_policy = read_text(settings.uri_policy_file)
    context = Context.read(settings.context_file)
    shapes = load_shapes(settings.shapes_file, settings.base_uri)
    log("validating with SHACL")
    result = validate(data, shapes)
    releases.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(releases)
    version = new_version(releases)
    if not result.conforms:
        raise_failed(releases, version, result)
    log(result.summary())

    staging = layout.staging_folder(releases, version, os.getpid())
    try:
        staging.mkdir()
        created = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        log("writing dumps")
        nt = sorted_ntriples(data.serialize(format="nt", encoding="utf-8"))
        ox_triples = [q.triple for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)]
        files = write_dumps(ox_triples, staging, {"tilod": str(uris.tilod)}, context, str(uris.jsonld_context))
        shutil.copyfile(settings.context_file, staging / layout.CONTEXT)
        write_ontology(settings.ontology_file, staging / layout.ONTOLOGY, version, created)
        ontology = parse_turtle(staging / layout.ONTOLOGY, settings.base_uri)
        shutil.copyfile(settings.shapes_file, staging / layout.SHAPES)
        (staging / layout.URI_POLICY).write_text(uri_policy, encoding="utf-8")
        result.report.serialize(staging / layout.VALIDATION_REPORT, format="turtle")
        own = ((layout.ONTOLOGY, ontology), (layout.SHAPES, shapes), (layout.VALIDATION_REPORT, result.report))
        for name, graph in own:
            files.append(describe_file(staging / name, "text/turtle", len(graph)))
        log("comparing with the current release")
        changes = changes_since_current(releases, snapshot(ox_triples, settings.base_uri), version, created, log)
        history = changes_graph(changes, settings.base_uri)
        history.serialize(staging / layout.CHANGES, format="turtle")
        files.append(describe_file(staging / layout.CHANGES, "text/turtle", len(history)))
        catalogue, vocabularies = load_catalogue(settings.data_dir, settings.base_uri)
        description = describe_release(data, uris, version, created, files, catalogue + vocabularies)
        description.serialize(staging / layout.VOID, format="turtle")
        files.append(describe_file(staging / layout.VOID, "text/turtle", len(description)))
        log("validating the ontology, VoID and changes with SHACL")
        # the EU vocabularies' terms are theirs, not ours: DCAT-AP's shapes check them (shapes/dcat-ap/)
        described = validate(ontology + (description - vocabularies) + history, shapes)
        if not described.conforms:
            raise_failed(releases, version, described, "the ontology, VoID or changes.ttl")
        classes = Counter(str(o) for o in data.objects(None, RDF.type))
        del data, ox_triples  # the largest objects, freed before the store's bulk load adds its own
        give_back_memory()
        names = layout.named_graphs(settings.base_uri, version)
        extras = ((layout.ONTOLOGY, ontology), (layout.VOID, description), (layout.CHANGES, history))
        graphs = {names[name]: graph.serialize(format="nt", encoding="utf-8") for name, graph in extras}
        expected = triples + sum(len(graph) for _, graph in extras)
        previous = layout.current_folder(releases)
        derived = None
        if previous is not None:
            log("deriving the embedded store from the current one")
            derived = derive_store(previous, staging / layout.STORE, nt, graphs, expected)
        store = ox.Store(str(staging / layout.STORE))
        if derived:
            log(f"embedded store: {len(derived.removed):,} triples removed and {len(derived.added):,} added")
        else:
            log("loading the embedded store")
            store.bulk_load(nt, ox.RdfFormat.N_TRIPLES)  # the default graph: the dataset, as dumped
            for graph_name, content in graphs.items():
                store.bulk_load(content, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_name))
            store.optimize()
        store_triples = len(store)
        if store_triples != expected:
            raise TilodError(f"the embedded store holds {store_triples:,} triples, not the release's "
                             f"{expected:,}; nothing was switched")
        log("writing the search index")
        write_search_index(store, staging)
        del store
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
            "inputs": {input_name(p, settings.data_dir): sha256_of(p) for p in inputs.files},
            "fingerprint": fingerprint,
            "build_seconds": round(time.monotonic() - log.started, 1),
        }
        shared = []
        if previous is not None:
            log("sharing the files equal to the current release's")
            shared = link_equal_files(staging, previous)
        (staging / layout.MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        final = layout.release_folder(releases, version)
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log(f"switching current to {version}")
    switch_current(releases, version)
    log(f"release {version} is current ({triples:,} triples; {final}"
        + (f"; shares {', '.join(shared)} with {previous.name}" if previous and shared else "") + ")")
    prune_after_build(releases, settings.keep_releases, log)
    return final


def same_as_current(releases: Path, fingerprint: str) -> Path | None:
    """The current release, if it was built from what `fingerprint` digests and every file its
    manifest lists is still whole (its checksum); else None."""
    current = layout.current_link(releases)
    try:
        folder = current.resolve(strict=True)
        manifest = layout.read_manifest(folder)
        if manifest.get("fingerprint") != fingerprint or not (folder / layout.STORE).is_dir():
            return None
        if all(sha256_of(folder / f["filename"]) == f["sha256"] for f in manifest["files"]):
            return folder
    except (OSError, ValueError, KeyError, TypeError):  # missing or unreadable: build anew
        pass
    return None


def give_back_memory() -> None:
    """Collect what was freed and hand it back to the system (glibc keeps freed heap otherwise):
    the national build's peak is the graph's size plus the store's, not their sum."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: the memory is reused, not returned
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def read_text(path: Path) -> str:
    """A UTF-8 text file the release publishes (InputError naming it if it cannot be read)."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError.single(path, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError.single(path, f"not UTF-8 (byte {exc.start})") from None


def input_name(path: Path, data_dir: Path) -> str:
    """How the manifest names an input: `data/...` inside the data folder, else the path given."""
    try:
        return str(Path(data_dir.name) / path.resolve().relative_to(data_dir.resolve()))
    except ValueError:
        return str(path)


def raise_failed(releases: Path, version: str, result: ValidationResult, what: str = "the data") -> NoReturn:
    """Write the report to `failed/<version>/` and stop the build."""
    report = layout.failed_folder(releases, version) / layout.VALIDATION_REPORT
    report.parent.mkdir(parents=True, exist_ok=True)
    result.report.serialize(report, format="turtle")
    raise ValidationFailed(
        f"{result.summary()}\nin {what}\nreport written to {report}\n"
        f"the current release is unchanged"
    )


def changes_since_current(
    releases: Path, new: Snapshot, version: str, created: str, log: Callable[[str], None]
) -> ChangeSet:
    """What changed since the current release; an unreadable one is noted, not fatal."""
    previous = layout.current_folder(releases)
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
    """Remove what killed builds left (`.staging-<version>-<pid>`, the `.current-<pid>` link of
    one killed while switching, `.pruning-<version>-<pid>` of one killed while pruning) whose
    process is gone."""
    prefixes = (layout.STAGING_PREFIX, layout.SWITCHING_PREFIX, layout.PRUNING_PREFIX)
    for leftover in [path for prefix in prefixes for path in releases.glob(prefix + "*")]:
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            if leftover.is_symlink():
                leftover.unlink(missing_ok=True)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def switch_current(releases: Path, version: str) -> None:
    """Point `releases/current` at `version` in one atomic rename."""
    link = releases / f"{layout.SWITCHING_PREFIX}{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(version)
    os.replace(link, layout.current_link(releases))
