"""The release's copy of the ontology: the vocabulary file as written, and the version it is.

Each release publishes the vocabulary under its own version IRI,
`https://w3id.org/tilod/def/tilod/<release version>` (the URI policy, ontology/URI-POLICY.md):
the build appends that IRI, the version's name and its date to the file's text, so the copy
keeps the file's comments and order.

>>> from rdflib import Graph
>>> copy = Graph().parse(data=versioned_ontology("", "20261202T140000Z", "2026-12-02T14:00:00Z"))
>>> str(copy.value(ONTOLOGY_IRI, OWL.versionIRI)), str(copy.value(ONTOLOGY_IRI, OWL.versionInfo))
('https://w3id.org/tilod/def/tilod/20261202T140000Z', '20261202T140000Z')
"""

from __future__ import annotations

from pathlib import Path

from tilod.graph.namespaces import DCTERMS, ONTOLOGY_IRI, OWL, XSD
from tilod.release import layout


def versioned_ontology(text: str, version: str, issued: str) -> str:
    """`text` (the ontology file's Turtle) with the version statements of release `version`."""
    return (
        f"{text.rstrip()}\n\n"
        f"# Added by the build of release {version}: this copy's version of the vocabulary.\n"
        f"<{ONTOLOGY_IRI}> <{OWL.versionIRI}> <{layout.ontology_version_iri(version)}> ;\n"
        f'    <{OWL.versionInfo}> "{version}" ;\n'
        f'    <{DCTERMS.issued}> "{issued}"^^<{XSD.dateTime}> .\n'
    )


def write_ontology(source: Path, target: Path, version: str, issued: str) -> None:
    """Write the release's copy of the ontology file `source` to `target`."""
    text = source.read_text(encoding="utf-8")
    target.write_text(versioned_ontology(text, version, issued), encoding="utf-8")
