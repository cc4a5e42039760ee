"""An EPCI's page: its SIREN, nature, populations, places, territories by phase, communes, and
a map of its outline over its communes'."""

from __future__ import annotations

import pyoxigraph as ox
from flask import render_template

from tilod.graph.namespaces import TILOD
from tilod.graph.uris import PHASES, Uris
from tilod.serving.rendering import maps
from tilod.serving.views.description import Description, Link, common_context, map_features
from tilod.serving.views.queries import select_served
from tilod.serving.views.search import fold


def epci_page(uri: str, triples: list[ox.Triple]) -> bytes:
    d = Description(uri, triples)
    context = common_context(uri, d)
    tilod = str(TILOD)
    nature = next(iter(select_served("epci-nature", epci=uri)), None)
    by_phase: dict[str, dict] = {}
    for row in select_served("epci-territories", epci=uri):
        phase = by_phase.setdefault(row["phase"], {"label": row.get("phaseLabel", row["phase"]), "territories": []})
        phase["territories"].append(Link(row["territory"], row["label"]))
    order = {str(Uris(context["base"]).phase(p)): i for i, p in enumerate(PHASES)}
    territories = [
        {"href": p, "label": v["label"], "territories": sorted(v["territories"], key=lambda t: fold(t.label))}
        for p, v in sorted(by_phase.items(), key=lambda kv: order.get(kv[0], 9))
    ]
    communes = sorted(select_served("epci-communes", epci=uri), key=lambda r: fold(r["label"]))
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


def epci_map(uri: str, label: str, wkt: str) -> maps.LayeredMap | None:
    """The EPCI's outline (the union of its communes') over its communes', each a link; None
    when it has no outline (some commune has none)."""
    if not wkt:
        return None
    communes = map_features(select_served("epci-map", epci=uri), "commune")
    return maps.svg_layers(
        [maps.Layer("communes", "Commune membre (lien vers sa page)", communes, maps.MEMBERS_THIN),
         maps.Layer("epci", "Contour de l'intercommunalité (union de ses communes)", [maps.Feature(wkt, label)],
                    maps.TERRITORY_OUTLINE)],
        label, "titre-carte-svg", tolerance=0.75, decimals=0)  # up to 150 communes: about a pixel
