"""The map through time: each EPCI is one identity (its SIREN URI) with a version per vintage of
decoupage-administratif, and the changes between two vintages are geographic events derived from
the communes (which EPCI each commune belonged to then and afterwards).

A version is in force from 1 January of its vintage (the DGCL's list is the map of that day)
through the day before the next vintage's: the sources say what the map was on those days, not on
which day in between it changed, so an event carries the two dates it lies between and no
`igeo:date` of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from rdflib import Literal, URIRef
from rdflib.term import Node

from tilod.graph.namespaces import DCTERMS, IGEO, PROV, RDF, RDFS, SDO, XSD
from tilod.graph.uris import Uris
from tilod.records.models import Groupement, Vintage
from tilod.records.reference import VINTAGES, Reference


@dataclass
class Change:
    """One event: the SIRENs whose communes moved between two consecutive vintages, together."""

    before: Vintage
    after: Vintage
    #: (SIREN then, SIREN afterwards) for each pair that some commune went from one to the other
    moves: set[tuple[str, str]] = field(default_factory=set)
    suppressed: set[str] = field(default_factory=set)
    created: set[str] = field(default_factory=set)

    @property
    def sirens(self) -> set[str]:
        return {s for pair in self.moves for s in pair} | self.suppressed | self.created

    @property
    def name(self) -> str:
        """The SIREN the event's URI is named by: the first it creates, else suppresses, else changes."""
        return min(self.created or self.suppressed or self.sirens)


def changes(ref: Reference) -> list[Change]:
    """The events between each two consecutive vintages, in order. EPCI and EPT are two maps of
    their own (a commune of the Grand Paris is in one of each); a vintage without EPT (before
    2023, decoupage-administratif had none) gives no EPT event."""
    found: list[Change] = []
    for before, after in zip(VINTAGES, VINTAGES[1:], strict=False):
        for ept in (False, True):
            then = {s: g for s, g in ref.vintages[before.year].items() if (g.nature == "EPT") == ept}
            later = {s: g for s, g in ref.vintages[after.year].items() if (g.nature == "EPT") == ept}
            if then and later:
                found += _changes_between(ref, before, after, then, later)
    return sorted(found, key=lambda c: (c.after.year, c.name))


def _changes_between(ref: Reference, before: Vintage, after: Vintage,
                     then: dict[str, Groupement], later: dict[str, Groupement]) -> list[Change]:
    member_of = {c: siren for siren, g in later.items() for c in g.communes}

    def moves_of(siren: str) -> set[tuple[str, str]]:
        """Where the communes of `siren` then are afterwards, when not in `siren` any more."""
        found = set()
        for commune in then[siren].communes:
            now = member_of.get(commune) or member_of.get(_successor(ref, commune), "")
            if now and now != siren:
                found.add((siren, now))
        return found

    groups = _Groups()
    for siren in then:
        if siren not in later:
            groups.join(("then", siren))
        for _, now in moves_of(siren):
            groups.join(("then", siren), ("later", now))
    for siren in later.keys() - then.keys():
        groups.join(("later", siren))
    for side, siren in list(groups.parent):  # an EPCI that gave and took communes: one event
        if side == "then" and ("later", siren) in groups.parent:
            groups.join(("then", siren), ("later", siren))
    found: list[Change] = []
    for members in groups.all():
        change = Change(before, after)
        change.suppressed = {s for side, s in members if side == "then" and s not in later}
        change.created = {s for side, s in members if side == "later" and s not in then}
        for side, siren in members:
            if side == "then":
                change.moves |= moves_of(siren)
        found.append(change)
    return found


def _successor(ref: Reference, commune: str) -> str:
    former = ref.former_communes.get(commune)
    return former.successor if former else ""


class _Groups:
    """Union-find over (side, SIREN): the SIRENs that exchanged communes form one event."""

    def __init__(self) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(self, node: tuple[str, str]) -> tuple[str, str]:
        self.parent.setdefault(node, node)
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def join(self, first: tuple[str, str], *others: tuple[str, str]) -> None:
        root = self.find(first)
        for other in others:
            self.parent[self.find(other)] = root

    def all(self) -> list[set[tuple[str, str]]]:
        groups: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for node in self.parent:
            groups.setdefault(self.find(node), set()).add(node)
        return list(groups.values())


def in_force(ref: Reference, siren: str, day: str) -> Vintage | None:
    """The vintage whose version of `siren` is in force on `day` (ISO date), if any."""
    started = [v for v in VINTAGES if v.first_day <= day]
    return started[-1] if started and siren in ref.vintages[started[-1].year] else None


def last_day_before(vintage: Vintage) -> str:
    return (date.fromisoformat(vintage.first_day) - timedelta(days=1)).isoformat()


def vintage_source(uris: Uris, vintage: Vintage) -> URIRef:
    return uris.reference_source if vintage == VINTAGES[-1] else uris.reference_vintage(vintage.year)


class VersionWriter:
    """Adds the versions of some EPCI and the events between them to a graph."""

    def __init__(self, add: Callable[[tuple[Node, Node, Node]], object], uris: Uris, ref: Reference,
                 departement_of: Callable[[str], str]) -> None:
        self.add, self.uris, self.ref, self.t = add, uris, ref, uris.tilod
        self.departement_of = departement_of

    def versions(self, siren: str) -> None:
        """Every version of one EPCI, linked to its identity and to the one it revises."""
        add, t, identity = self.add, self.t, self.uris.epci(siren)
        previous: URIRef | None = None
        for i, vintage in enumerate(VINTAGES):
            g = self.ref.vintages[vintage.year].get(siren)
            if g is None:
                previous = None
                continue
            uri = self.uris.epci_version(siren, vintage.year)
            self._version(uri, g, vintage, VINTAGES[i + 1] if i + 1 < len(VINTAGES) else None)
            add((uri, DCTERMS.isVersionOf, identity))
            add((identity, DCTERMS.hasVersion, uri))
            if previous is not None:
                add((uri, PROV.wasRevisionOf, previous))
            if vintage == VINTAGES[-1]:
                add((identity, t.versionCourante, uri))
            previous = uri

    def _version(self, uri: URIRef, g: Groupement, vintage: Vintage, following: Vintage | None) -> None:
        add, t, uris = self.add, self.t, self.uris
        add((uri, RDF.type, t.VersionIntercommunalite))
        add((uri, RDFS.label, Literal(f"{g.nom} ({vintage.year})", lang="fr")))
        add((uri, IGEO.nom, Literal(g.nom, datatype=XSD.token)))
        add((uri, t.millesime, Literal(vintage.year, datatype=XSD.gYear)))
        add((uri, SDO.validFrom, Literal(vintage.first_day, datatype=XSD.date)))
        if following is not None:
            add((uri, SDO.validThrough, Literal(last_day_before(following), datatype=XSD.date)))
        add((uri, t.natureJuridique, uris.nature_juridique(g.nature)))
        if g.mode_financement:
            add((uri, t.modeFinancement, uris.mode_financement(g.mode_financement)))
        add((uri, t.populationTotale, Literal(g.population_totale)))
        add((uri, t.populationMunicipale, Literal(g.population_municipale)))
        add((uri, t.millesimePopulation, Literal(vintage.census_year, datatype=XSD.gYear)))
        for code in g.communes:
            add((uri, t.communeMembre, uris.commune(code)))
        for dep in sorted({self.departement_of(c) for c in g.communes}):
            add((uri, t.departement, uris.departement(dep)))
        add((uri, DCTERMS.source, vintage_source(uris, vintage)))

    def event(self, change: Change) -> None:
        add, t, uris = self.add, self.t, self.uris
        before, after = change.before, change.after
        uri = uris.evenement(after.year, change.name)
        then, later = self.ref.vintages[before.year], self.ref.vintages[after.year]
        add((uri, RDF.type, IGEO.EvenementGeographique))
        names_then = sorted(then[s].nom for s in change.sirens if s in then)
        names_later = sorted(later[s].nom for s in change.sirens if s in later)
        add((uri, RDFS.label, Literal(
            f"Changement de périmètre entre {before.year} et {after.year} : "
            f"{', '.join(names_then) or '-'} → {', '.join(names_later) or '-'}", lang="fr")))
        add((uri, t.dateApres, Literal(before.first_day, datatype=XSD.date)))
        add((uri, t.dateAuPlusTard, Literal(after.first_day, datatype=XSD.date)))
        for siren in sorted(change.suppressed):
            add((uri, IGEO.suppression, uris.epci(siren)))
        for siren in sorted(change.created):
            add((uri, IGEO.creation, uris.epci(siren)))
        for siren in sorted(change.sirens):
            if siren in then:
                add((uri, t.versionAnterieure, uris.epci_version(siren, before.year)))
            if siren in later:
                add((uri, t.versionPosterieure, uris.epci_version(siren, after.year)))
        for siren, now in sorted(change.moves):
            add((uris.epci_version(now, after.year), PROV.wasDerivedFrom, uris.epci_version(siren, before.year)))
        for source in (vintage_source(uris, before), vintage_source(uris, after)):
            add((uri, DCTERMS.source, source))


def closed_over_changes(sirens: Iterable[str], found: list[Change]) -> set[str]:
    """`sirens` and every SIREN an event shares with them (a partial release keeps events whole)."""
    kept, size = set(sirens), -1
    while size != len(kept):  # an event may join two others across vintages
        size = len(kept)
        for change in found:
            if change.sirens & kept:
                kept |= change.sirens
    return kept
