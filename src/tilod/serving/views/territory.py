"""A territory's page: its phase, places, labelling, members (with a map of them), and the
territory the same ANCT id names in the other phase."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import render_template

from tilod.graph.namespaces import TILOD
from tilod.graph.uris import PHASES, Uris
from tilod.serving.rendering import maps
from tilod.serving.views.description import IDENTIFIER, Description, Link, common_context, map_features
from tilod.serving.views.queries import select_served
from tilod.serving.views.search import fold


@dataclass(frozen=True)
class TerritoryMember:
    """A row of the territory's table of members (an EPCI, or a commune)."""

    href: str
    label: str
    nature: str
    population: str
    commune: bool


def territory_page(uri: str, triples: list[ox.Triple]) -> bytes:
    d = Description(uri, triples)
    context = common_context(uri, d)
    tilod = str(TILOD)
    members = sorted(
        (TerritoryMember(row["member"], row["name"], row.get("natureLabel", ""), row.get("population", ""),
                         "commune" in row) for row in select_served("territory-members", territory=uri)),
        key=lambda m: fold(m.label),
    )
    labelling = next(iter(select_served("territory-labelling", territory=uri)), {})
    communes = next(iter(select_served("territory-communes", territory=uri)), {})
    uris = Uris(context["base"])
    _, phase_of_page, identifier = uri[len(uris.id):].split("/")  # territoire/<phase>/<id>: see views/pages.py
    other_rows = [row for p in PHASES if p != phase_of_page
                  for row in select_served("other-phase", other=str(uris.territoire(p, identifier)))]
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
    context["map_missing"] = len(members) - (context["map"].drawn("membres") if context["map"] else 0)
    return render_template("territoire.html", **context).encode("utf-8")


def territory_map(uri: str, label: str, wkt: str) -> maps.LayeredMap | None:
    """The territory's outline (ANCT) over its members' (where they have one), each a link.
    Under the members, the territory is filled too: where ANCT's outline and the union of the
    members' (IGN-based) outlines disagree (1.2% of a territory's area, median), the map shows
    the territory's colour, not a hole."""
    members = map_features(select_served("territory-map", territory=uri), "member")
    layers = [maps.Layer("membres", "Membre (lien vers sa page)", members, maps.MEMBERS)] if members else []
    if wkt and members:
        layers.insert(0, maps.Layer("fond", "", [maps.Feature(wkt, label)], maps.TERRITORY_UNDER))
    if wkt:
        layers.append(maps.Layer("territoire", "Contour du territoire", [maps.Feature(wkt, label)],
                                 maps.TERRITORY_OUTLINE if members else maps.TERRITORY_ALONE))
    return maps.svg_layers(layers, label, "titre-carte-svg") if layers else None
