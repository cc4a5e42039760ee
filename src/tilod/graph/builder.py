"""Records -> RDF graph. The only place that decides which triples describe what."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.memory import SimpleMemory

from tilod.graph import links
from tilod.graph.namespaces import (
    DCTERMS,
    FOAF,
    GEO,
    IGEO,
    ORG,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    STANDARD_PREFIXES,
    XSD,
)
from tilod.graph.uris import PHASE_2023, Uris
from tilod.graph.versions import VersionWriter, changes, closed_over_changes, in_force, vintage_source
from tilod.records.inputs import Inputs
from tilod.records.models import PHASE_1, Commune, FormerCommune, Groupement, Outline, Territory, Vintage
from tilod.records.reference import VINTAGES, Reference
from tilod.records.turtle_files import parse_turtle

LABELLING_DATE = {PHASE_2023: "2023-11-09"}  # announcement of the 183 laureates (press release)
EMPTY = Groupement("", "", "", "", 0, 0, ())  # a SIREN a vintage does not list: no communes


def fr(text: str) -> Literal:
    return Literal(text, lang="fr")


class GraphBuilder:
    def __init__(self, inputs: Inputs, uris: Uris, departements: Iterable[str] = ()) -> None:
        self.inputs = inputs
        self.ref: Reference = inputs.reference
        self.uris = uris
        self.t = uris.tilod
        # no named graphs here: the store without contexts adds and matches a third faster
        self.graph = Graph(store=SimpleMemory())
        self.scope = set(departements)
        self.geometries = inputs.geometries
        for prefix, ns in STANDARD_PREFIXES.items():
            self.graph.bind(prefix, ns, replace=True)
        self.graph.bind("tilod", self.t)
        self.add = self.graph.add

    # Selection: the whole of France, or the territories touching some départements

    def _member_communes(self, nature: str, siren: str) -> tuple[str, ...]:
        if nature == "COM":
            return (self.communes_by_siren[siren].code,)
        return self.ref.groupements[siren].communes

    def _territory_communes(self, territory: Territory) -> set[str]:
        return {c for m in territory.members for c in self._member_communes(m.nature, m.siren)}

    def select(self) -> tuple[list[Territory], list[Groupement], list[Commune]]:
        """The territories, today's groupements and the communes to describe; and, in
        `version_sirens`, every SIREN whose versions are described (today's, and those gone
        from the map whose communes are in scope, with every SIREN an event joins them to)."""
        self.communes_by_siren = self.ref.commune_by_siren()
        self.changes = changes(self.ref)
        territories = [t for tl in self.inputs.lists.values() for t in tl.territories.values()]
        communes = list(self.ref.communes.values())
        in_scope = {c.code for c in communes if not self.scope or c.departement in self.scope}
        if self.scope:
            territories = [t for t in territories if self._territory_communes(t) & in_scope]
        kept_sirens = {m.siren for t in territories for m in t.members}
        sirens = {siren for vintage in self.ref.vintages.values() for siren, g in vintage.items()
                  if siren in kept_sirens or {self._today(c) for c in g.communes} & in_scope}
        self.version_sirens = closed_over_changes(sirens, self.changes)
        groupements = [g for s, g in self.ref.groupements.items() if s in self.version_sirens]
        if not self.scope:
            return territories, groupements, communes
        kept_communes = in_scope | {c for t in territories for c in self._territory_communes(t)}
        kept_communes |= {self._today(c) for s in self.version_sirens for vintage in self.ref.vintages.values()
                          if s in vintage for c in vintage[s].communes}
        return territories, groupements, [self.ref.communes[c] for c in sorted(kept_communes)]

    def _today(self, code: str) -> str:
        """A commune's code today: its own, or that of the commune that took it in."""
        former = self.ref.former_communes.get(code)
        return former.successor if former else code

    # Triples

    def build(self) -> Graph:
        territories, groupements, communes = self.select()
        programme = Graph()
        for path in self.inputs.programme_files:
            parse_turtle(path, self.uris.base, into=programme)
        departements = {c.departement for c in communes}
        regions = {self.ref.departements[d].region for d in departements}
        self.kept_communes = {c.code for c in communes}  # a préfecture is linked when described
        for code in sorted(regions):
            self._region(code)
        for code in sorted(departements):
            self._departement(code)
        for commune in communes:
            self._commune(commune)
        for groupement in groupements:
            self._groupement(groupement)
        self._map_through_time()
        for territory in territories:
            self._territory(territory)
        self._press_names({t.id for t in territories if t.phase == PHASE_2023})
        self._add_programme(programme)
        for code in sorted(self.scope):  # a partial release says which départements it covers
            self.add((self.uris.dataset, self.t.perimetre, self.uris.departement(code)))
        return self.graph

    def _place(self, uri: URIRef, kind: URIRef, code: str, name: str, source: URIRef | None = None) -> None:
        add = self.add
        add((uri, RDF.type, kind))
        add((uri, RDFS.label, fr(name)))
        add((uri, IGEO.nom, Literal(name, datatype=XSD.token)))  # igeo:nom's declared range
        add((uri, IGEO.codeINSEE, Literal(code, datatype=XSD.token)))
        add((uri, DCTERMS.source, source or self.uris.reference_source))

    def _links(self, uri: URIRef, found: list[links.Link]) -> None:
        for predicate, target in found:
            self.add((uri, predicate, target))

    def _geometry(self, place: URIRef, node: URIRef, wkt: str | None, source: URIRef,
                  derived_from: Iterable[URIRef] = ()) -> None:
        """`place` geo:hasGeometry `node`, a geo:Geometry with one WKT, its source and what it
        was computed from (GeoSPARQL, CRS84)."""
        if not wkt:
            return
        add = self.add
        add((place, GEO.hasGeometry, node))
        add((node, RDF.type, GEO.Geometry))
        add((node, RDFS.label, fr(f"Contour : {self.graph.value(place, RDFS.label)}")))  # the place's, added first
        add((node, GEO.asWKT, Literal(wkt, datatype=GEO.wktLiteral)))
        add((node, DCTERMS.source, source))
        for other in derived_from:
            add((node, PROV.wasDerivedFrom, other))

    def _outline(self, place: URIRef, node: URIRef, outline: Outline | None) -> None:
        if outline is not None:
            self._geometry(place, node, outline.wkt, self.uris.geometry_source)

    def _region(self, code: str) -> None:
        uri = self.uris.region(code)
        self._place(uri, IGEO.Region, code, self.ref.regions[code].nom)
        self._links(uri, links.region_links(self.ref.regions[code]))
        self._prefecture(uri, IGEO.prefectureDeRegion, self.ref.regions[code].chef_lieu)
        self._outline(uri, self.uris.region_geometrie(code), self.geometries.regions.get(code))

    def _departement(self, code: str) -> None:
        uri = self.uris.departement(code)
        dep = self.ref.departements[code]
        self._place(uri, IGEO.Departement, code, dep.nom)
        self._links(uri, links.departement_links(dep))
        self.add((uri, IGEO.subdivisionDirecteDe, self.uris.region(dep.region)))
        self._prefecture(uri, IGEO.prefecture, dep.chef_lieu)
        self._outline(uri, self.uris.departement_geometrie(code), self.geometries.departements.get(code))

    def _prefecture(self, place: URIRef, predicate: URIRef, commune: str) -> None:
        """igeo:prefecture (or prefectureDeRegion): the chef-lieu in decoupage-administratif."""
        if commune in self.kept_communes:
            self.add((place, predicate, self.uris.commune(commune)))

    def _commune(self, c: Commune) -> None:
        uri = self.uris.commune(c.code)
        self._place(uri, IGEO.Commune, c.code, c.nom)
        self._links(uri, links.commune_links(c))
        self.add((uri, IGEO.subdivisionDirecteDe, self.uris.departement(c.departement)))
        self.add((uri, self.t.departement, self.uris.departement(c.departement)))
        self.add((uri, self.t.region, self.uris.region(c.region)))
        if c.siren:
            self.add((uri, self.t.siren, Literal(c.siren)))
        if c.population is not None:
            self.add((uri, self.t.populationMunicipale, Literal(c.population)))
        self._outline(uri, self.uris.commune_geometrie(c.code), self.geometries.communes.get(c.code))

    def _groupement(self, g: Groupement) -> None:
        add, t = self.add, self.t
        uri = self.uris.epci(g.siren)
        self._place(uri, IGEO.Intercommunalite, g.siren, g.nom)
        add((uri, t.siren, Literal(g.siren)))
        self._links(uri, links.groupement_links(g))
        add((uri, t.natureJuridique, self.uris.nature_juridique(g.nature)))
        if g.mode_financement:
            add((uri, t.modeFinancement, self.uris.mode_financement(g.mode_financement)))
        add((uri, t.populationTotale, Literal(g.population_totale)))
        add((uri, t.populationMunicipale, Literal(g.population_municipale)))
        if g.nom_2023:
            add((uri, SKOS.altLabel, fr(g.nom_2023)))
        departements = self.ref.departements_of(g)
        for dep in departements:
            add((uri, t.departement, self.uris.departement(dep)))
        for reg in sorted({self.ref.departements[d].region for d in departements}):
            add((uri, t.region, self.uris.region(reg)))
        for code in g.communes:
            add((self.uris.commune(code), IGEO.subdivisionDirecteDe, uri))
        outline = self.geometries.epci.get(g.siren)
        if outline is not None:  # the union of its communes' outlines
            self._geometry(uri, self.uris.epci_geometrie(g.siren), outline.wkt, self.uris.geometry_source,
                           [self.uris.commune_geometrie(code) for code in outline.parts])

    def _map_through_time(self) -> None:
        """Every version of the groupements in scope, the events between them, and what they
        name that today's map has no more: former groupements and former communes."""
        writer = VersionWriter(self.add, self.uris, self.ref, self.ref.commune_departement)
        formers: dict[str, set[Vintage]] = {}  # former commune -> the vintages that list it
        for siren in sorted(self.version_sirens):
            if siren not in self.ref.groupements:
                self._former_groupement(siren)
            writer.versions(siren)
            for vintage in VINTAGES:
                for code in self.ref.vintages[vintage.year].get(siren, EMPTY).communes:
                    if code in self.ref.former_communes:
                        formers.setdefault(code, set()).add(vintage)
        for change in self.changes:
            if change.sirens <= self.version_sirens:
                writer.event(change)
        for code, vintages in sorted(formers.items()):
            self._former_commune(self.ref.former_communes[code], vintages)

    def _former_groupement(self, siren: str) -> None:
        """A SIREN gone from today's map: its identity, named as in its last vintage."""
        last = [v for v in VINTAGES if siren in self.ref.vintages[v.year]][-1]
        g = self.ref.vintages[last.year][siren]
        uri = self.uris.epci(siren)
        self._place(uri, self.t.IntercommunaliteDisparue, siren, g.nom, vintage_source(self.uris, last))
        self.add((uri, self.t.siren, Literal(siren)))
        # the legal entity outlives the map (the directory shows it closed); geo.api.gouv.fr has today's only
        self._links(uri, [link for link in links.groupement_links(g) if link[0] == FOAF.page])

    def _former_commune(self, former: FormerCommune, vintages: set[Vintage]) -> None:
        """A commune of an earlier vintage that a commune of today's map took in: its name from
        the vintages that list it, its successor from today's (`_place`'s source)."""
        uri = self.uris.commune(former.code)
        self._place(uri, self.t.CommuneDisparue, former.code, former.nom)
        self.add((uri, DCTERMS.isReplacedBy, self.uris.commune(former.successor)))
        for vintage in vintages:
            self.add((uri, DCTERMS.source, vintage_source(self.uris, vintage)))

    def _territory(self, territory: Territory) -> None:
        add, t, uris = self.add, self.t, self.uris
        phase, tid = territory.phase, territory.id
        uri = uris.territoire(phase, tid)
        source = uris.territory_list(phase)
        add((uri, RDF.type, t.TerritoireIndustrie))
        add((uri, RDFS.label, fr(territory.label)))
        add((uri, DCTERMS.identifier, Literal(tid)))
        add((uri, t.phase, uris.phase(phase)))
        add((uri, DCTERMS.source, source))
        labelling = uris.labellisation(phase, tid)
        add((uri, t.labellisation, labelling))
        add((labelling, RDF.type, t.Labellisation))
        add((labelling, RDFS.label, fr(f"Labellisation de {territory.label} ({phase})")))
        add((labelling, t.territoire, uri))
        add((labelling, t.phase, uris.phase(phase)))
        add((labelling, DCTERMS.source, source))
        day = LABELLING_DATE.get(phase)
        if day:
            add((labelling, DCTERMS.date, Literal(day, datatype=XSD.date)))
        elif phase == PHASE_1:  # no shipped source gives the day: say so rather than guess one
            add((labelling, t.dateInconnue, Literal(True)))
        population_totale = population_municipale = 0
        for member in territory.members:
            if member.nature == "COM":
                commune = self.communes_by_siren[member.siren]
                member_uri = uris.commune(commune.code)
                population_municipale += commune.population or 0
                population_totale += commune.population or 0
                name = commune.nom
            else:
                g = self.ref.groupements[member.siren]
                member_uri = uris.epci(member.siren)
                population_totale += g.population_totale
                population_municipale += g.population_municipale
                name = g.nom
                if member.name_as_written and member.name_as_written not in (g.nom, g.nom_2023):
                    add((member_uri, SKOS.altLabel, fr(member.name_as_written)))
                vintage = in_force(self.ref, member.siren, day) if day else None
                if vintage is not None:  # the member as it was on the labelling's day
                    add((uris.adhesion(phase, tid, member.siren), t.versionMembre,
                         uris.epci_version(member.siren, vintage.year)))
            add((uri, ORG.hasMember, member_uri))
            adhesion = uris.adhesion(phase, tid, member.siren)
            add((adhesion, RDF.type, t.Adhesion))
            add((adhesion, RDFS.label, fr(f"{name} dans {territory.label} ({phase})")))
            add((adhesion, ORG.member, member_uri))
            add((adhesion, ORG.organization, uri))
            add((adhesion, DCTERMS.source, source))
            self._validity(adhesion, territory, member.siren, day)
        add((uri, t.populationTotale, Literal(population_totale)))
        add((uri, t.populationMunicipale, Literal(population_municipale)))
        communes = self._territory_communes(territory)
        departements = {self.ref.communes[c].departement for c in communes}
        for dep in sorted(departements):
            add((uri, t.departement, uris.departement(dep)))
        for reg in sorted({self.ref.departements[d].region for d in departements}):
            add((uri, t.region, uris.region(reg)))
        self._geometry(uri, uris.geometrie(phase, tid), self.inputs.outlines.get(phase, {}).get(tid), source)

    def _validity(self, adhesion: URIRef, territory: Territory, siren: str, day: str | None) -> None:
        """A membership holds from its labelling's day; where ANCT's later build of the list no
        longer has it, it had ended by that build's day, after the last day of the list read."""
        if day is None:
            return
        self.add((adhesion, SDO.validFrom, Literal(day, datatype=XSD.date)))
        later = self.inputs.later_2023
        if territory.phase == PHASE_2023 and later is not None and (territory.id, siren) not in later.memberships:
            self.add((adhesion, self.t.finApres, Literal(later.since, datatype=XSD.date)))
            self.add((adhesion, self.t.finAuPlusTard, Literal(later.day, datatype=XSD.date)))

    def _press_names(self, territories_2023: set[str]) -> None:
        """Alternative labels from the press release, and PROV links to it."""
        add, uris = self.add, self.uris
        for name in self.inputs.press_names:
            if name.territory_id not in territories_2023:
                continue
            territory = uris.territoire(PHASE_2023, name.territory_id)
            epci = uris.epci(name.siren)
            if (territory, ORG.hasMember, epci) not in self.graph:
                continue  # the seed names an EPCI the current list does not have: no claim
            add((territory, SKOS.altLabel, fr(name.territory_name)))
            add((epci, SKOS.altLabel, fr(name.epci_name)))
            for node in (
                territory,
                uris.labellisation(PHASE_2023, name.territory_id),
                uris.adhesion(PHASE_2023, name.territory_id, name.siren),
            ):
                add((node, PROV.wasDerivedFrom, uris.press_release))

    def _add_programme(self, programme: Graph) -> None:
        """The programme's files, but their links to communes (the press release's places) a
        partial release does not hold: it keeps no dangling link (the places say in words
        which town they mean)."""
        for triple in programme:
            o = triple[2]
            if (isinstance(o, URIRef) and o.startswith(self.uris.id + "commune/")
                    and (o, RDF.type, IGEO.Commune) not in self.graph):
                continue
            self.add(triple)


def build_graph(inputs: Inputs, uris: Uris, departements: Iterable[str] = ()) -> Graph:
    return GraphBuilder(inputs, uris, departements).build()
