"""What a release is built from, as one digest: the files of the data folder (and territory lists
named outside it), the vocabulary, shapes, URI policy and JSON-LD context, the code that builds
(records, graph, validation, release, stores, settings), the versions of the libraries that write
the files, and the settings that change them. A build whose digest is the current release's
keeps that release: restarting does not mint a new version, nor change every ETag."""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

import tilod
from tilod.settings import Settings

PACKAGE = Path(tilod.__file__).parent
#: the parts of tilod a release's files depend on (serving/ reads them, it does not make them)
BUILDING = ("records", "graph", "validation", "release", "stores", "settings.py", "errors.py")
LIBRARIES = ("rdflib", "pyoxigraph", "pyshacl", "pyshacl-turbo", "shapely", "numpy")


def _files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _version(library: str) -> str:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return "absent"


def build_fingerprint(settings: Settings) -> str:
    """The digest of everything `settings` would build a release from (sha256, hex)."""
    digest = hashlib.sha256()

    def add(label: str, path: Path) -> None:
        digest.update(label.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"missing")

    for path in _files(settings.data_dir):
        add("data/" + path.relative_to(settings.data_dir).as_posix(), path)
    territories_2023, territories_phase1 = settings.territory_lists()
    named = {"territories 2023": territories_2023, "territories phase 1": territories_phase1,
             "ontology": settings.ontology_file, "shapes": settings.shapes_file,
             "uri policy": settings.uri_policy_file, "context": settings.context_file}
    for role, path in named.items():  # by their role: the same content anywhere builds the same
        add(role, path)
    for part in BUILDING:
        for path in _files(PACKAGE / part):
            add("tilod/" + path.relative_to(PACKAGE).as_posix(), path)
    for library in LIBRARIES:
        digest.update(f"{library}=={_version(library)}\0".encode())
    digest.update(f"base {settings.base_uri}\0scope {','.join(settings.departements)}".encode())
    return digest.hexdigest()
