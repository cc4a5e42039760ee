"""The dedicated HTML pages of a territory, an EPCI, a commune, a département and a région,
for people who open our URIs.

Every other resource keeps the generic table (templates/resource.html). A page starts from
the resource's bounded description (the same triples its RDF forms hold, listed in full at
the bottom of the page) and adds what the description lacks with a few SPARQL SELECTs
(serving/page_queries.py). Rendered bytes are cached per release by `resources.rendered`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import render_template

from tilod.graph.uris import PHASES, Uris
from tilod.serving import maps
from tilod.serving import page_queries as q
from tilod.serving.i18n import href as localised_href
from tilod.serving.i18n import page_lang
from tilod.serving.maps import svg_map
from tilod.serving.release import current_release, current_settings
from tilod.serving.render import FORMAT_LINKS, html_rows, labels_of
from tilod.serving.search import fold

Renderer = Callable[[str, list[ox.Triple]], bytes]

TERRITORY_PATH = re.compile(r"territoire/(?P<phase>\d{4}-\d{4})/ti-\d{4}")
EPCI_PATH = re.compile(r"epci/\d{9}")
COMMUNE_PATH = re.compile(r"commune/[0-9][0-9AB][0-9]{3}")  # 02691, 2A004, 97101
DEPARTEMENT_PATH = re.compile(r"departement/[0-9][0-9AB][0-9]?")  # 02, 2A, 971
REGION_PATH = re.compile(r"region/[0-9]{2}")

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
IDENTIFIER = "http://purl.org/dc/terms/identifier"
HAS_GEOMETRY = "http://www.opengis.net/ont/geosparql#hasGeometry"
AS_WKT = "http://www.opengis.net/ont/geosparql#asWKT"
CODE_INSEE = "http://rdf.insee.fr/def/geo#codeINSEE"
SUBDIVISION_OF = "http://rdf.insee.fr/def/geo#subdivisionDirecteDe"


@dataclass(frozen=True)
class Link:
    href: str
    label: str


@dataclass(frozen=True)
class Member:
    href: str
    label: str
    nature: str
    population: str
    commune: bool


def page_for(path: str) -> Renderer | None:
    """The dedicated page for `id/<path>`, if that kind of resource has one."""
    if TERRITORY_PATH.fullmatch(path):
        return territory_page
    if EPCI_PATH.fullmatch(path):
        return epci_page
    if COMMUNE_PATH.fullmatch(path):
        return commune_page
    if DEPARTEMENT_PATH.fullmatch(path):
        return departement_page
    if REGION_PATH.fullmatch(path):
        return region_page
    return None


class Description:
    """Reading one resource's own values out of its description."""

    def __init__(self, uri: str, triples: list[ox.Triple]) -> None:
        self.uri = uri
        self.triples = triples
        self.labels = labels_of(triples)

    def values(self, predicate: str) -> list[ox.NamedNode | ox.Literal | ox.BlankNode]:
        return [t.object for t in self.triples  # type: ignore[misc]
                if t.predicate.value == predicate and getattr(t.subject, "value", None) == self.uri]

    def text(self, predicate: str) -> str:
        found = [v.value for v in self.values(predicate) if isinstance(v, ox.Literal)]
        return found[0] if found else ""

    def texts(self, predicate: str) -> list[str]:
        return sorted({v.value for v in self.values(predicate) if isinstance(v, ox.Literal)}, key=fold)

    def links(self, predicate: str) -> list[Link]:
        found = {Link(v.value, self.labels.get(v.value, v.value)) for v in self.values(predicate)
                 if isinstance(v, ox.NamedNode)}
        return sorted(found, key=lambda link: fold(link.label))

    def wkt(self) -> str:
        geometries = {v.value for v in self.values(HAS_GEOMETRY) if isinstance(v, ox.NamedNode)}
        for t in self.triples:
            if t.predicate.value == AS_WKT and getattr(t.subject, "value", None) in geometries:
                return str(t.object.value)  # type: ignore[union-attr]
        return ""


def _common(uri: str, description: Description) -> dict:
    """What every dedicated page shows: the label, the URI, the links to the data, all the data."""
    settings = current_settings()
    release = current_release()
    label, outgoing, incoming = html_rows(uri, description.triples, {"tilod": settings.base_uri + "def/tilod#"})
    return {
        "uri": uri, "doc_base": uri, "label": label or uri, "formats": FORMAT_LINKS,
        "alt_labels": [alt for alt in description.texts(ALT_LABEL) if alt != label],
        "outgoing": outgoing, "incoming": incoming,
        "base": settings.base_uri, "version": release.version,
    }


def territory_page(uri: str, triples: list[ox.Triple]) -> bytes:
    d = Description(uri, triples)
    context = _common(uri, d)
    tilod = context["base"] + "def/tilod#"
    members = sorted(
        (Member(row["member"], row["name"], row.get("natureLabel", ""), row.get("population", ""),
                "commune" in row) for row in q.select_served(q.TERRITORY_MEMBERS, territory=uri)),
        key=lambda m: fold(m.label),
    )
    labelling = next(iter(q.select_served(q.TERRITORY_LABELLING, territory=uri)), {})
    [communes] = q.select_served(q.TERRITORY_COMMUNES, territory=uri)
    uris = Uris(context["base"])
    phase_of_page = TERRITORY_PATH.fullmatch(uri[len(uris.id):])
    assert phase_of_page is not None
    identifier = uri.rsplit("/", 1)[1]
    others = [uris.territoire(p, identifier) for p in PHASES if p != phase_of_page.group("phase")]
    other_rows = q.select_served(q.OTHER_PHASES, others=[str(o) for o in others])
    context.update(
        identifier=d.text(IDENTIFIER) or identifier,
        phase=next(iter(d.links(tilod + "phase")), None),
        regions=d.links(tilod + "region"),
        departements=d.links(tilod + "departement"),
        population=d.text(tilod + "populationTotale"),
        members=members,
        commune_count=communes.get("n", "0"),
        labelling_date=labelling.get("date", ""),
        labelling_source=(Link(labelling["source"], labelling.get("sourceLabel", labelling["source"]))
                          if "source" in labelling else None),
        others=[Link(r["other"], r["label"]) for r in other_rows],
        other_phases={r["other"]: r.get("phaseLabel", r["phase"]) for r in other_rows},
        map=territory_map(uri, context["label"], d.wkt()),
    )
    drawn = sum(layer.drawn for layer in context["map"].layers if layer.key == "membres") if context["map"] else 0
    context["map_missing"] = len(members) - drawn
    return render_template("territoire.html", **context).encode("utf-8")


def epci_page(uri: str, triples: list[ox.Triple]) -> bytes:
    d = Description(uri, triples)
    context = _common(uri, d)
    tilod = context["base"] + "def/tilod#"
    nature = next(iter(q.select_served(q.EPCI_NATURE, epci=uri)), None)
    by_phase: dict[str, dict] = {}
    for row in q.select_served(q.EPCI_TERRITORIES, epci=uri):
        phase = by_phase.setdefault(row["phase"], {"label": row.get("phaseLabel", row["phase"]), "territories": []})
        phase["territories"].append(Link(row["territory"], row["label"]))
    order = {str(Uris(context["base"]).phase(p)): i for i, p in enumerate(PHASES)}
    territories = [
        {"href": p, "label": v["label"], "territories": sorted(v["territories"], key=lambda t: fold(t.label))}
        for p, v in sorted(by_phase.items(), key=lambda kv: order.get(kv[0], 9))
    ]
    communes = sorted(q.select_served(q.EPCI_COMMUNES, epci=uri), key=lambda r: fold(r["label"]))
    context.update(
        siren=d.text(tilod + "siren"),
        nature=Link(nature["nature"], nature.get("label", nature["nature"])) if nature else None,
        population=d.text(tilod + "populationTotale"),
        population_municipale=d.text(tilod + "populationMunicipale"),
        departements=d.links(tilod + "departement"),
        regions=d.links(tilod + "region"),
        territories=territories,
        communes=communes,
        map=epci_map(uri, context["label"], d.wkt()),
    )
    return render_template("epci.html", **context).encode("utf-8")


# -- maps of several layers (serving/maps.py) ------------------------------------------------------

def _features(rows: list[dict[str, str]], item: str) -> list[maps.Feature]:
    """One shape per item (the first row of each), sorted by name, each a link to its page in
    the reader's language."""
    base = current_settings().base_uri
    lang = page_lang()
    first: dict[str, dict[str, str]] = {}
    for row in rows:
        first.setdefault(row[item], row)
    features = [maps.Feature(row["wkt"], row["label"], localised_href(row[item], lang, base))
                for row in first.values()]
    return sorted(features, key=lambda f: fold(f.label))


def territory_map(uri: str, label: str, wkt: str) -> maps.LayeredMap | None:
    """The territory's outline (ANCT) over its members' (where they have one), each a link."""
    members = _features(q.select_served(q.TERRITORY_MAP, territory=uri), "member")
    layers = [maps.Layer("membres", "Membre (lien vers sa page)", members, maps.MEMBERS)] if members else []
    if wkt:
        layers.append(maps.Layer("territoire", "Contour du territoire", [maps.Feature(wkt, label)],
                                 maps.TERRITORY_OUTLINE if members else maps.TERRITORY_ALONE))
    return maps.svg_layers(layers, label, "titre-carte-svg") if layers else None


def epci_map(uri: str, label: str, wkt: str) -> maps.LayeredMap | None:
    """The EPCI's outline (the union of its communes') over its communes', each a link; None
    when it has no outline (some commune has none)."""
    if not wkt:
        return None
    communes = _features(q.select_served(q.EPCI_MAP, epci=uri), "commune")
    return maps.svg_layers(
        [maps.Layer("communes", "Commune membre (lien vers sa page)", communes, maps.MEMBERS_THIN),
         maps.Layer("epci", "Contour de l'intercommunalité (union de ses communes)", [maps.Feature(wkt, label)],
                    maps.TERRITORY_OUTLINE)],
        label, "titre-carte-svg", tolerance=0.75, decimals=0)  # up to 150 communes: about a pixel


# -- commune, département, région ----------------------------------------------------------------

@dataclass(frozen=True)
class PlaceTerritory:
    """A territory on a département's or a région's page."""

    href: str
    label: str
    identifier: str
    members: int
    departements: list[Link]


@dataclass(frozen=True)
class StatedCount:
    """A number of laureates a source stated for the place (a tilod:Denombrement)."""

    href: str
    label: str
    number: str
    source: Link | None


@dataclass
class Phase:
    href: str
    label: str
    territories: list = field(default_factory=list)  # PlaceTerritory, or CommuneTerritory
    stated: list[StatedCount] = field(default_factory=list)


@dataclass(frozen=True)
class CommuneTerritory:
    href: str
    label: str
    via: Link | None  # the EPCI it belongs through; None: the commune is a member itself


@dataclass(frozen=True)
class DepartementEpci:
    href: str
    label: str
    siren: str
    nature: str
    population: str
    others: list[Link]  # its other départements


@dataclass(frozen=True)
class RegionDepartement:
    href: str
    label: str
    code: str
    territories: dict[str, int]  # phase IRI -> territories touching the département


def _phases(place: str) -> list[Phase]:
    """Both phases, newest first, with what a source stated about the place in each."""
    uris = Uris(current_settings().base_uri)
    phases = [str(uris.phase(p)) for p in PHASES]
    found: dict[str, Phase] = {}
    for row in q.select_served(q.PLACE_PHASES, place=place, phases=phases):
        phase = found.setdefault(row["phase"], Phase(row["phase"], row.get("phaseLabel", row["phase"])))
        if "count" in row:
            source = Link(row["source"], row.get("sourceLabel", row["source"])) if "source" in row else None
            phase.stated.append(StatedCount(row["count"], row.get("label", row["n"]), row["n"], source))
    return [found[p] for p in phases if p in found]


def _phase_of(row: dict[str, str], phases: list[Phase]) -> Phase:
    """The phase of a row's territory (one the release has no label for is added, not dropped)."""
    for phase in phases:
        if phase.href == row["phase"]:
            return phase
    phases.append(Phase(row["phase"], row.get("phaseLabel", row["phase"])))
    return phases[-1]


def _place_territories(query: str, place: str, phases: list[Phase]) -> None:
    """Fills each phase with the territories touching `place`, sorted by name."""
    by_territory: dict[str, tuple[dict[str, str], set[Link]]] = {}
    for row in q.select_served(query, place=place):
        _, departements = by_territory.setdefault(row["territory"], (row, set()))
        departements.add(Link(row["departement"], row.get("departementLabel", row["departement"])))
    for href, (row, departements) in by_territory.items():
        _phase_of(row, phases).territories.append(PlaceTerritory(
            href, row["label"], row["id"], int(row["members"]), sorted(departements, key=lambda link: link.href)))
    for phase in phases:
        phase.territories.sort(key=lambda t: fold(t.label))


def _scope_note(codes: list[str] | None) -> str:
    """The release's départements if it is a partial one that may not hold all of the place
    (`codes`: the place's départements; None: cannot tell, as for a région); else ''."""
    scope = list(current_release().manifest.get("scope") or [])
    if not scope or (codes is not None and set(codes) <= set(scope)):
        return ""
    return ", ".join(scope)


def _place_common(uri: str, d: Description) -> dict:
    """What the three place pages show: `_common`, the INSEE code, the map (if the
    description holds an outline)."""
    context = _common(uri, d)
    context.update(
        code=d.text(CODE_INSEE) or uri.rsplit("/", 1)[1],
        map=svg_map(d.wkt(), context["label"], "titre-carte-svg"),
    )
    return context


def commune_page(uri: str, triples: list[ox.Triple]) -> bytes:
    d = Description(uri, triples)
    context = _place_common(uri, d)
    tilod = context["base"] + "def/tilod#"
    epcis = sorted(
        ((Link(row["epci"], row["label"]),
          Link(row["nature"], row.get("natureLabel", row["nature"])) if "nature" in row else None)
         for row in q.select_served(q.COMMUNE_EPCIS, commune=uri)),
        key=lambda pair: fold(pair[0].label),
    )
    phases = _phases(uri)
    seen = set()
    for row in q.select_served(q.COMMUNE_TERRITORIES, commune=uri):
        if (row["territory"], row["via"]) not in seen:
            seen.add((row["territory"], row["via"]))
            via = None if row["via"] == uri else Link(row["via"], row.get("viaLabel", row["via"]))
            _phase_of(row, phases).territories.append(CommuneTerritory(row["territory"], row["label"], via))
    for phase in phases:
        phase.territories.sort(key=lambda t: fold(t.label))
    departements = d.links(tilod + "departement")
    context.update(
        siren=d.text(tilod + "siren"),
        population=d.text(tilod + "populationMunicipale"),
        epcis=epcis,
        departements=departements,
        regions=d.links(tilod + "region"),
        phases=phases,
        scope_note=_scope_note([link.href.rsplit("/", 1)[1] for link in departements]),
    )
    return render_template("commune.html", **context).encode("utf-8")


def departement_page(uri: str, triples: list[ox.Triple]) -> bytes:
    d = Description(uri, triples)
    context = _place_common(uri, d)
    epcis: dict[str, dict] = {}
    for row in q.select_served(q.DEPARTEMENT_EPCIS, departement=uri):
        entry = epcis.setdefault(row["epci"], {"row": row, "others": set()})
        if row["departement"] != uri:
            entry["others"].add(Link(row["departement"], row.get("departementLabel", row["departement"])))
    phases = _phases(uri)
    _place_territories(q.DEPARTEMENT_TERRITORIES, uri, phases)
    [communes] = q.select_served(q.DEPARTEMENT_COMMUNES, place=uri)
    context.update(
        regions=d.links(SUBDIVISION_OF),
        epcis=sorted(
            (DepartementEpci(href, e["row"]["label"], e["row"].get("siren", ""), e["row"].get("natureLabel", ""),
                             e["row"].get("population", ""), sorted(e["others"], key=lambda link: link.href))
             for href, e in epcis.items()),
            key=lambda epci: fold(epci.label),
        ),
        phases=phases,
        commune_count=communes.get("communes", "0"),
        population=communes.get("total", ""),
        scope_note=_scope_note([context["code"]]),
    )
    return render_template("departement.html", **context).encode("utf-8")


def region_page(uri: str, triples: list[ox.Triple]) -> bytes:
    d = Description(uri, triples)
    context = _place_common(uri, d)
    phases = _phases(uri)
    _place_territories(q.REGION_TERRITORIES, uri, phases)
    counts: dict[tuple[str, str], int] = {}  # (département, phase) -> territories touching it
    for phase in phases:
        for territory in phase.territories:
            for departement in territory.departements:
                counts[departement.href, phase.href] = counts.get((departement.href, phase.href), 0) + 1
    departements = sorted(
        (RegionDepartement(row["departement"], row["label"], row.get("code", ""),
                           {phase.href: counts.get((row["departement"], phase.href), 0) for phase in phases})
         for row in q.select_served(q.REGION_DEPARTEMENTS, region=uri)),
        key=lambda dep: (dep.code, dep.href),
    )
    [communes] = q.select_served(q.REGION_COMMUNES, place=uri)
    context.update(
        departements=departements,
        phases=phases,
        commune_count=communes.get("communes", "0"),
        population=communes.get("total", ""),
        scope_note=_scope_note(None),
    )
    return render_template("region.html", **context).encode("utf-8")
