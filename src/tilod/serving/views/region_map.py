"""The région page's map, after the press release's map of the Hauts-de-France: the territories
of a phase touching the région (numbered, each a link), their EPCIs' perimeters, the préfectures,
the territories reaching into another région hatched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tilod.serving.rendering import maps
from tilod.serving.views.description import Link, map_feature, map_features
from tilod.serving.views.queries import select_served
from tilod.serving.views.search import fold

if TYPE_CHECKING:  # the page's phase; places.py imports this module
    from tilod.serving.views.places import Phase


@dataclass(frozen=True)
class NumberedTerritory:
    """A territory of the région map, by its number on the map."""

    number: int
    href: str
    label: str
    crossing: bool  # touches another région too (hatched)


@dataclass(frozen=True)
class RegionMap:
    """The press release's map, for any région: the territories of a phase touching it (numbered,
    each a link), their EPCIs' perimeters, the préfectures, the crossing territories hatched."""

    map: maps.LayeredMap
    phase: Phase
    territories: list[NumberedTerritory]
    dates: list[str]  # the labelling dates of the territories drawn (one, for a phase)
    sources: list[Link]
    epcis_missing: int  # member EPCIs without an outline


def _sources(rows: list[dict[str, str]]) -> list[Link]:
    found = {row["source"]: row.get("sourceLabel", row["source"]) for row in rows if "source" in row}
    return [Link(href, label) for href, label in sorted(found.items(), key=lambda item: fold(item[1]))]


def region_map(uri: str, label: str, wkt: str, phase: Phase) -> RegionMap | None:
    """The région map of `phase`'s territories (after the press release's map of the 18 laureates
    of the Hauts-de-France, 9 November 2023); None without a région outline or a territory."""
    if not wkt:
        return None
    territory_rows = {row["territory"]: row for row in select_served(
        "region-map-territories", place=uri, phase=phase.href)}
    if not territory_rows:
        return None
    rows = sorted(territory_rows.values(), key=lambda row: (fold(row["label"]), row["territory"]))
    numbered = [NumberedTerritory(n, row["territory"], row["label"], int(row["regions"]) > 1)
                for n, row in enumerate(rows, start=1)]
    territories = [map_feature(row, "territory", f"{n}. {row['label']}") for n, row in enumerate(rows, start=1)]
    epci_rows = select_served("region-map-epcis", place=uri, phase=phase.href)
    # the EPCIs' perimeters are lines over the territories (the links): shapes without a link
    epcis = [maps.Feature(f.wkt, f.label) for f in map_features([row for row in epci_rows if "wkt" in row], "epci")]
    crossing = [maps.Feature(f.wkt, f.label) for t, f in zip(numbered, territories, strict=True) if t.crossing]
    prefectures = []
    for row in select_served("region-prefectures", place=uri):
        outline = maps.read(row["wkt"])
        if outline is not None:
            point = outline.point_on_surface()
            prefectures.append(maps.Marker(point.x, point.y, row["label"]))
    layers = [
        maps.Layer("region", "Région", [maps.Feature(wkt, label)], maps.REGIONS),
        maps.Layer("territoires", "Périmètre territoire d'industrie", territories, maps.NUMBERED_TERRITORIES,
                   numbered=True),
        maps.Layer("epci", "Périmètre EPCI", epcis, maps.EPCI_PERIMETERS),
        maps.Layer("interregional", "Périmètre interrégional", crossing, maps.CROSSING),
    ]
    drawn = maps.svg_layers(layers, label, "titre-carte-svg", markers=sorted(prefectures, key=lambda m: fold(m.label)),
                            marker_legend="Préfecture de département")
    if drawn is None:
        return None
    epci_all = {row["epci"] for row in epci_rows}
    return RegionMap(drawn, phase, numbered, sorted({row["date"] for row in territory_rows.values() if "date" in row}),
                     _sources([*territory_rows.values(), *epci_rows]), len(epci_all) - drawn.drawn("epci"))


