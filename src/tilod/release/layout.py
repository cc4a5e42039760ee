"""The layout of a release, in its folder and in a remote store: the one owner of every file
name, folder name and graph IRI a release has. The build writes it, publish loads it, serving
reads it; each asks this module where things are (and imports nothing else of the others).

    releases/                        TILOD_RELEASES_DIR
      current -> <version>           the release served (one atomic rename switches it)
      <version>/
        release.json                 the manifest: version, dates, counts, files (all but itself, the
                                     store and the search index), inputs
        tilod.ttl tilod.nt.gz tilod.jsonld   the data dumps
        ontology.ttl shapes.ttl validation-report.ttl void.ttl changes.ttl
        context.jsonld               the JSON-LD context of the JSON-LD dump and answers
        search-index.json            the names the search page reads (not a dump)
        uri-policy.md                the URI policy the site shows (not a dump)
        store/                       the embedded Oxigraph store
        cache/answers.sqlite         SPARQL answers the web workers keep (serving writes it)
      failed/<version>/validation-report.ttl    a build that SHACL refused
      .staging-<version>-<pid>/      a build in progress (removed if its process is gone)
      .current-<pid>                 the link a build is switching to (likewise)
      .pruning-<version>-<pid>/      a release being pruned (likewise)

A release shares what it can with the one before it (`release/sharing.py`): a file equal to the
previous release's is a hard link to it, and the store is a checkpoint of the previous store with
the difference applied, so that keeping releases costs what changed between them.

In a store, the data is the default graph (the dataset VoID counts and the data dumps hold), and
the ontology, the VoID description and the changes each are a named graph of their own, named by
the URL of their file, {base}dumps/<version>/ontology.ttl, void.ttl, changes.ttl (`named_graphs`).
In a remote store, each release's data is the named graph {base}graph/release/<version> (served as
the default graph), and the graph {base}graph/tilod holds the pointer to the current one
(tilod:releaseCourante).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tilod.graph.namespaces import ONTOLOGY_IRI, TILOD
from tilod.graph.uris import Uris

MANIFEST = "release.json"
STORE = "store"
ONTOLOGY = "ontology.ttl"
SHAPES = "shapes.ttl"
VALIDATION_REPORT = "validation-report.ttl"
VOID = "void.ttl"
CHANGES = "changes.ttl"
#: the JSON-LD context the release's JSON-LD names (served at {base}def/tilod/context.jsonld)
CONTEXT = "context.jsonld"
SEARCH_INDEX = "search-index.json"
#: the release's copy of ontology/URI-POLICY.md (a page of the site, not a dump)
URI_POLICY = "uri-policy.md"
#: the SPARQL answers kept for this release (stores/answer_cache.py), made by the web workers
ANSWER_CACHE = "cache/answers.sqlite"
#: the data dumps; the N-Triples one is what publish loads and the next build compares with
TURTLE_DUMP = "tilod.ttl"
NT_DUMP = "tilod.nt.gz"
JSONLD_DUMP = "tilod.jsonld"
#: the release's own Turtle files that go into the store beside the data, each its own named graph
STORE_EXTRAS = (ONTOLOGY, VOID, CHANGES)

#: a release's version: its build's UTC time, with -N when several builds share a second
VERSION = re.compile(r"\d{8}T\d{6}Z(-\d+)?")
VERSION_TIME = "%Y%m%dT%H%M%SZ"

CURRENT = "current"
FAILED = "failed"
STAGING_PREFIX = ".staging-"
#: the new `current` link, made beside it and renamed over it
SWITCHING_PREFIX = ".current-"
#: a release being pruned, renamed out of sight first (release/retention.py)
PRUNING_PREFIX = ".pruning-"


def ontology_version_iri(version: str) -> str:
    """The IRI of the vocabulary as one release publishes it (its owl:versionIRI)."""
    return f"{ONTOLOGY_IRI}/{version}"


def current_link(releases: Path) -> Path:
    return releases / CURRENT


def current_folder(releases: Path) -> Path | None:
    """The current release's folder, if there is one."""
    try:
        return current_link(releases).resolve(strict=True)
    except OSError:
        return None


def release_folder(releases: Path, version: str) -> Path:
    return releases / version


def failed_folder(releases: Path, version: str) -> Path:
    return releases / FAILED / version


def staging_folder(releases: Path, version: str, pid: int) -> Path:
    return releases / f"{STAGING_PREFIX}{version}-{pid}"


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a release folder (OSError if missing, ValueError if not JSON)."""
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def release_graph(base: str, version: str) -> str:
    """The named graph that holds one release in a remote store."""
    return f"{base}graph/release/{version}"


def named_graphs(base: str, version: str) -> dict[str, str]:
    """File name -> the named graph that holds it in a store (embedded or remote): its download URL,
    so that a graph's name says where its whole content can be fetched.

    >>> named_graphs("http://localhost:8000/", "20231114T000000Z")[VOID]
    'http://localhost:8000/dumps/20231114T000000Z/void.ttl'
    """
    uris = Uris(base)
    return {name: str(uris.dump(version, name)) for name in STORE_EXTRAS}


def release_graph_prefix(base: str) -> str:
    return release_graph(base, "")


def pointer_graph(base: str) -> str:
    """The named graph (and subject) of the pointer to the current release in a remote store."""
    return f"{base}graph/tilod"


def pointer_property() -> str:
    return str(TILOD.releaseCourante)


def current_pointer_query(base: str) -> str:
    """The SELECT whose one value is the current release's graph in a remote store."""
    pointer = pointer_graph(base)
    return f"SELECT ?g WHERE {{ GRAPH <{pointer}> {{ <{pointer}> <{pointer_property()}> ?g }} }}"
