"""The pages of a commune, a département and a région: their codes, outline, communes and
population, and the territories touching them by phase (with what a source stated about them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import render_template
from markupsafe import Markup

from tilod.graph.namespaces import TILOD
from tilod.graph.uris import PHASES, Uris
from tilod.serving.release import current_release, current_settings
from tilod.serving.rendering import maps
from tilod.serving.rendering.maps import svg_map
from tilod.serving.views.description import (
    CODE_INSEE,
    SUBDIVISION_OF,
    Description,
    Link,
    common_context,
    map_features,
)
from tilod.serving.views.queries import select_served
from tilod.serving.views.region_map import region_map
from tilod.serving.views.search import fold

#: what place-communes.rq answers for a place with no commune in the release
NO_COMMUNES = {"communes": "0", "total": "0"}


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
    phases = []
    for iri in (str(uris.phase(p)) for p in PHASES):
        rows = select_served("place-phase", place=place, phase=iri)
        phase = Phase(iri, next((r["phaseLabel"] for r in rows if "phaseLabel" in r), iri))
        for row in rows:
            if "count" in row:
                source = Link(row["source"], row.get("sourceLabel", row["source"])) if "source" in row else None
                phase.stated.append(StatedCount(row["count"], row.get("label", row["n"]), row["n"], source))
        phases.append(phase)
    return phases


def _phase_of(row: dict[str, str], phases: list[Phase]) -> Phase:
    """The phase of a row's territory (one the release has no label for is added, not dropped)."""
    for phase in phases:
        if phase.href == row["phase"]:
            return phase
    phases.append(Phase(row["phase"], row.get("phaseLabel", row["phase"])))
    return phases[-1]


def _place_territories(place: str, property_name: str, phases: list[Phase]) -> None:
    """Fills each phase with the territories whose tilod:`property_name` is `place`, sorted by name."""
    by_territory: dict[str, tuple[dict[str, str], set[Link]]] = {}
    tilod = str(TILOD)
    for row in select_served("place-territories", place=place, property=tilod + property_name):
        _, departements = by_territory.setdefault(row["territory"], (row, set()))
        departements.add(Link(row["departement"], row.get("departementLabel", row["departement"])))
    for href, (row, departements) in by_territory.items():
        _phase_of(row, phases).territories.append(PlaceTerritory(
            href, row["label"], row["id"], int(row["members"]), sorted(departements, key=lambda link: link.href)))
    for phase in phases:
        phase.territories.sort(key=lambda t: fold(t.label))


def _communes(place: str, property_name: str) -> dict[str, str]:
    """The number of communes whose tilod:`property_name` is `place`, and their population."""
    tilod = str(TILOD)
    return next(iter(select_served("place-communes", place=place, property=tilod + property_name)), NO_COMMUNES)


def _scope_note(codes: list[str] | None) -> str:
    """The release's départements if it is a partial one that may not hold all of the place
    (`codes`: the place's départements; None: cannot tell, as for a région); else ''."""
    scope = list(current_release().manifest.get("scope") or [])
    if not scope or (codes is not None and set(codes) <= set(scope)):
        return ""
    return ", ".join(scope)


def _outline_map(uri: str, label: str, wkt: str) -> Markup | None:
    return svg_map(wkt, label, "titre-carte-svg")


def _place_context(uri: str, d: Description, draw: Callable[[str, str, str], object] = _outline_map) -> dict:
    """What the three place pages show: the common context, the INSEE code, the map (if the
    description holds an outline)."""
    context = common_context(uri, d)
    context.update(
        code=d.text(CODE_INSEE) or uri.rsplit("/", 1)[1],
        map=draw(uri, context["label"], d.wkt()),
    )
    return context


def commune_page(uri: str, triples: list[ox.Triple]) -> bytes:
    d = Description(uri, triples)
    context = _place_context(uri, d)
    tilod = str(TILOD)
    epcis = sorted(
        ((Link(row["epci"], row["label"]),
          Link(row["nature"], row.get("natureLabel", row["nature"])) if "nature" in row else None)
         for row in select_served("commune-epcis", commune=uri)),
        key=lambda pair: fold(pair[0].label),
    )
    phases = _phases(uri)
    seen = set()
    for row in select_served("commune-territories", commune=uri):
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
    context = _place_context(uri, d, departement_map)
    epcis: dict[str, dict] = {}
    for row in select_served("departement-epcis", place=uri):
        entry = epcis.setdefault(row["epci"], {"row": row, "others": set()})
        if row["departement"] != uri:
            entry["others"].add(Link(row["departement"], row.get("departementLabel", row["departement"])))
    phases = _phases(uri)
    _place_territories(uri, "departement", phases)
    communes = _communes(uri, "departement")
    context.update(
        map_missing=len(epcis) - (context["map"].drawn("epci") if context["map"] else 0),
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


def departement_map(uri: str, label: str, wkt: str) -> maps.LayeredMap | None:
    """The département's outline over its EPCIs' (those with an outline), each a link. The map is
    framed on the département: an EPCI reaching into another one is drawn whole, cut at the edge."""
    if not wkt:
        return None
    epcis = map_features(select_served("departement-map", place=uri), "epci")
    layers = [maps.Layer("epci", "Intercommunalité (lien vers sa page)", epcis, maps.MEMBERS)] if epcis else []
    layers.append(maps.Layer("departement", "Contour du département", [maps.Feature(wkt, label)],
                             maps.TERRITORY_OUTLINE if epcis else maps.TERRITORY_ALONE))
    return maps.svg_layers(layers, label, "titre-carte-svg", frame=len(layers) - 1)


def region_page(uri: str, triples: list[ox.Triple]) -> bytes:
    d = Description(uri, triples)
    context = _place_context(uri, d, draw=lambda *_: None)
    phases = _phases(uri)
    _place_territories(uri, "region", phases)
    counts: dict[tuple[str, str], int] = {}  # (département, phase) -> territories touching it
    for phase in phases:
        for territory in phase.territories:
            for departement in territory.departements:
                counts[departement.href, phase.href] = counts.get((departement.href, phase.href), 0) + 1
    departements = sorted(
        (RegionDepartement(row["departement"], row["label"], row.get("code", ""),
                           {phase.href: counts.get((row["departement"], phase.href), 0) for phase in phases})
         for row in select_served("region-departements", region=uri)),
        key=lambda dep: (dep.code, dep.href),
    )
    communes = _communes(uri, "region")
    context.update(
        region_map=region_map(uri, context["label"], d.wkt(), phases[0]) if phases else None,
        departements=departements,
        phases=phases,
        commune_count=communes.get("communes", "0"),
        population=communes.get("total", ""),
        scope_note=_scope_note(None),
    )
    return render_template("region.html", **context).encode("utf-8")
