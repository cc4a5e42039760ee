"""What changed since the previous release: territories, their members, their names.

At build time the new data is compared with the release `current` points at (its
`tilod.nt.gz`, only read) and the differences go to `changes.ttl` in the new release,
a dump like the others (not loaded in the store: the store holds one release's data).
Its nodes are fragments of the document itself, which is where they resolve. The model
(terms in ontology/tilod.ttl), with D = {base}dumps/{version}/changes.ttl:

    <D#comparaison> a tilod:Comparaison ;                           # ⊑ prov:Activity
        tilod:versionAvant "{previous}" ; tilod:versionApres "{version}" ;
        prov:used <{base}dumps/{previous}/tilod.nt.gz> ; prov:generated <D> ;
        prov:endedAtTime "{created}"^^xsd:dateTime ;
        dcterms:hasPart <D#changement-1>, ... .
    <D#changement-1> a tilod:AjoutDeMembre ;                        # ⊑ tilod:Changement
        dcterms:subject <territory> ; tilod:membre <EPCI or commune> ; rdfs:label "..."@fr, "..."@en .
    <territory> rdfs:label "..."@fr .   <EPCI or commune> rdfs:label "..."@fr .

Kinds: AjoutDeTerritoire, RetraitDeTerritoire, AjoutDeMembre, RetraitDeMembre,
ChangementDeNom (with tilod:ancienNom, tilod:nouveauNom) and ChangementDeVersionDeMembre (a
member of both releases whose current version, `tilod:versionCourante`, is another: a new
vintage of the map; with tilod:ancienneVersion, absent when the previous release had none, and
tilod:nouvelleVersion). A territory added or removed is
one change: its members are not listed again. The first release has a Comparaison with no
versionAvant and no parts. IRIs are compared without their base, so a release built for
another base URI compares too.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from tilod.graph.namespaces import DCTERMS, PROV, RDF, RDFS, TILOD, XSD
from tilod.release import layout

LABEL = str(RDFS.label)
HAS_MEMBER = "http://www.w3.org/ns/org#hasMember"
TYPE = str(RDF.type)
CURRENT_VERSION = str(TILOD.versionCourante)

#: kind -> (French, English) words, in the order changes are listed
KINDS = {
    "AjoutDeTerritoire": ("territoire ajouté", "territory added"),
    "RetraitDeTerritoire": ("territoire retiré", "territory removed"),
    "ChangementDeNom": ("nouveau nom", "new name"),
    "RetraitDeMembre": ("membre retiré", "member removed"),
    "AjoutDeMembre": ("membre ajouté", "member added"),
    "ChangementDeVersionDeMembre": ("nouvelle version du membre", "new version of the member"),
}


@dataclass
class Snapshot:
    """What a release says of its territories; IRIs relative to the release's base."""

    territories: dict[str, str] = field(default_factory=dict)  # territory -> label
    members: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # territory -> members
    labels: dict[str, str] = field(default_factory=dict)  # member -> label
    versions: dict[str, str] = field(default_factory=dict)  # member -> its current version


@dataclass(frozen=True)
class Change:
    kind: str
    territory: str  # relative IRI
    territory_label: str
    member: str = ""
    member_label: str = ""
    old_name: str = ""
    old_version: str = ""  # relative IRIs of a member's versions (ChangementDeVersionDeMembre)
    new_version: str = ""

    def sentence(self, lang: str) -> str:
        """The label the change node carries (`lang`: fr or en)."""
        _, phase, tid = self.territory.rsplit("/", 2)
        words = KINDS[self.kind][0 if lang == "fr" else 1]
        colon = " :" if lang == "fr" else ":"
        text = f"{self.territory_label} ({phase}, {tid}){colon} {words}"
        if self.member:
            text += f", {self.member_label}"
        if self.old_name:
            text += f" ({'ancien nom' if lang == 'fr' else 'former name'} {self.old_name})"
        if self.new_version:
            text += f" ({_year(self.old_version) or '-'} → {_year(self.new_version)})"
        return text


def _year(version: str) -> str:
    """The vintage a version IRI ends with (`id/epci/200040947/2026` -> `2026`)."""
    return version.rsplit("/", 1)[-1] if version else ""


@dataclass
class ChangeSet:
    version: str
    created: str
    previous: str | None  # None: nothing to compare with
    changes: list[Change]

    @property
    def territories(self) -> set[str]:
        return {c.territory for c in self.changes}


def snapshot(triples: Iterable[ox.Triple], base: str) -> Snapshot:
    territory_class = str(TILOD.TerritoireIndustrie)
    cut = len(base)

    def rel(iri: str) -> str:
        return iri[cut:] if iri.startswith(base) else iri

    snap = Snapshot()
    labels: dict[str, str] = {}
    territories: set[str] = set()
    for t in triples:
        predicate = t.predicate.value
        if predicate == LABEL and isinstance(t.object, ox.Literal):
            subject = rel(t.subject.value)  # type: ignore[union-attr]
            if t.object.language == "fr" or subject not in labels:
                labels[subject] = t.object.value
        elif predicate == HAS_MEMBER:
            snap.members[rel(t.subject.value)].add(rel(t.object.value))  # type: ignore[union-attr]
        elif predicate == TYPE and t.object.value == territory_class:  # type: ignore[union-attr]
            territories.add(rel(t.subject.value))  # type: ignore[union-attr]
        elif predicate == CURRENT_VERSION:
            snap.versions[rel(t.subject.value)] = rel(t.object.value)  # type: ignore[union-attr]
    snap.territories = {t: labels.get(t, t) for t in territories}
    snap.labels = {m: labels.get(m, m) for ms in snap.members.values() for m in ms}
    return snap


def read_snapshot(folder: Path) -> tuple[str, Snapshot]:
    """(version, snapshot) of a release folder, from its manifest and `tilod.nt.gz`."""
    manifest = layout.read_manifest(folder)
    with gzip.open(folder / layout.NT_DUMP, "rb") as handle:
        quads = ox.parse(handle, format=ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
        return str(manifest["version"]), snapshot((q.triple for q in quads), manifest["base_uri"])


def diff(old: Snapshot, new: Snapshot) -> list[Change]:
    """The changes from `old` to `new`, by territory, then kind, then member."""
    changes = []
    for territory in sorted(old.territories.keys() | new.territories.keys()):
        if territory not in old.territories:
            changes.append(Change("AjoutDeTerritoire", territory, new.territories[territory]))
            continue
        if territory not in new.territories:
            changes.append(Change("RetraitDeTerritoire", territory, old.territories[territory]))
            continue
        label, old_label = new.territories[territory], old.territories[territory]
        if label != old_label:
            changes.append(Change("ChangementDeNom", territory, label, old_name=old_label))
        before, after = old.members.get(territory, set()), new.members.get(territory, set())
        for member in sorted(before - after):
            changes.append(Change("RetraitDeMembre", territory, label, member, old.labels.get(member, member)))
        for member in sorted(after - before):
            changes.append(Change("AjoutDeMembre", territory, label, member, new.labels.get(member, member)))
        for member in sorted(before & after):
            old_version, new_version = old.versions.get(member, ""), new.versions.get(member, "")
            if new_version and new_version != old_version:
                changes.append(Change("ChangementDeVersionDeMembre", territory, label, member,
                                      new.labels.get(member, member), old_version=old_version,
                                      new_version=new_version))
    return changes


def compare(previous: Path | None, new: Snapshot, version: str, created: str) -> ChangeSet:
    """The changes since the release in `previous` (None or unreadable: nothing to compare).

    Raises OSError, ValueError, KeyError or SyntaxError when the previous release is unreadable.
    """
    if previous is None:
        return ChangeSet(version, created, None, [])
    old_version, old = read_snapshot(previous)
    return ChangeSet(version, created, old_version, diff(old, new))


def changes_graph(changes: ChangeSet, base: str) -> Graph:
    tilod = TILOD
    g = Graph()
    g.bind("tilod", tilod)
    g.bind("prov", PROV)
    g.bind("dcterms", DCTERMS)
    document = f"{base}dumps/{changes.version}/{layout.CHANGES}"
    node = URIRef(document + "#comparaison")
    g.add((node, RDF.type, tilod.Comparaison))
    g.add((node, tilod.versionApres, Literal(changes.version)))
    g.add((node, PROV.generated, URIRef(document)))
    g.add((node, PROV.endedAtTime, Literal(changes.created, datatype=XSD.dateTime, normalize=False)))
    if changes.previous is None:
        g.add((node, RDFS.label, Literal(f"Release {changes.version} : première release, rien à comparer", lang="fr")))
        g.add((node, RDFS.label, Literal(f"Release {changes.version}: first release, nothing to compare", lang="en")))
        return g
    g.add((node, RDFS.label, Literal(
        f"Changements de la release {changes.version} depuis la release {changes.previous}", lang="fr")))
    g.add((node, RDFS.label, Literal(
        f"Changes of release {changes.version} since release {changes.previous}", lang="en")))
    g.add((node, tilod.versionAvant, Literal(changes.previous)))
    g.add((node, PROV.used, URIRef(f"{base}dumps/{changes.previous}/{layout.NT_DUMP}")))
    for n, change in enumerate(changes.changes, 1):
        part = URIRef(f"{document}#changement-{n}")
        territory = URIRef(base + change.territory)
        g.add((node, DCTERMS.hasPart, part))
        g.add((part, RDF.type, tilod[change.kind]))
        g.add((part, DCTERMS.subject, territory))
        g.add((part, RDFS.label, Literal(change.sentence("fr"), lang="fr")))
        g.add((part, RDFS.label, Literal(change.sentence("en"), lang="en")))
        # the names as the releases have them, so the document reads on its own
        g.set((territory, RDFS.label, Literal(change.territory_label, lang="fr")))
        if change.member:
            member = URIRef(base + change.member)
            g.add((part, tilod.membre, member))
            if (member, RDFS.label, None) not in g:
                g.add((member, RDFS.label, Literal(change.member_label, lang="fr")))
        if change.kind == "ChangementDeNom":
            g.add((part, tilod.ancienNom, Literal(change.old_name, lang="fr")))
            g.add((part, tilod.nouveauNom, Literal(change.territory_label, lang="fr")))
        if change.old_version:
            g.add((part, tilod.ancienneVersion, URIRef(base + change.old_version)))
        if change.new_version:
            g.add((part, tilod.nouvelleVersion, URIRef(base + change.new_version)))
    return g


def read_changes(path: Path, base: str) -> ChangeSet:
    """A `changes.ttl` back into a ChangeSet (for the history page)."""
    g = Graph().parse(path, format="turtle")
    tilod = TILOD
    node = next(g.subjects(RDF.type, tilod.Comparaison))
    previous = g.value(node, tilod.versionAvant)

    def label(iri: URIRef) -> str:
        return str(g.value(iri, RDFS.label) or iri)

    changes = []
    for part in g.objects(node, DCTERMS.hasPart):
        kind = next(str(k)[len(str(tilod)):] for k in g.objects(part, RDF.type) if str(k).startswith(str(tilod)))
        territory = g.value(part, DCTERMS.subject)
        member = g.value(part, tilod.membre)
        old_version, new_version = g.value(part, tilod.ancienneVersion), g.value(part, tilod.nouvelleVersion)
        changes.append(Change(
            kind, str(territory)[len(base):], label(territory),  # type: ignore[arg-type]
            str(member)[len(base):] if member is not None else "",
            label(member) if member is not None else "",  # type: ignore[arg-type]
            str(g.value(part, tilod.ancienNom) or ""),
            str(old_version)[len(base):] if old_version is not None else "",
            str(new_version)[len(base):] if new_version is not None else "",
        ))
    order = list(KINDS)
    changes.sort(key=lambda c: (c.territory, order.index(c.kind), c.member))
    version = str(g.value(node, tilod.versionApres))
    return ChangeSet(version, str(g.value(node, PROV.endedAtTime) or ""), str(previous) if previous else None, changes)
