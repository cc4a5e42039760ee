"""The dedicated HTML pages of a territory and of an EPCI, for people who open our URIs.

Every other resource keeps the generic table (templates/resource.html). A page starts from
the resource's bounded description (the same triples its RDF forms hold, listed in full at
the bottom of the page) and adds what the description lacks with a few SPARQL SELECTs
(serving/page_queries.py). Rendered bytes are cached per release by `resources.rendered`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox
from flask import current_app, render_template

from tilod.graph.uris import PHASES, Uris
from tilod.serving import page_queries as q
from tilod.serving.maps import svg_map
from tilod.serving.render import FORMAT_LINKS, html_rows, labels_of
from tilod.serving.search import fold

Renderer = Callable[[str, list[ox.Triple]], bytes]

TERRITORY_PATH = re.compile(r"territoire/(?P<phase>\d{4}-\d{4})/ti-\d{4}")
EPCI_PATH = re.compile(r"epci/\d{9}")

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
IDENTIFIER = "http://purl.org/dc/terms/identifier"
HAS_GEOMETRY = "http://www.opengis.net/ont/geosparql#hasGeometry"
AS_WKT = "http://www.opengis.net/ont/geosparql#asWKT"


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
    """What both pages show: the label, the URI, the links to the data, all the data."""
    settings = current_app.extensions["tilod.settings"]
    release = current_app.extensions["tilod.releases"].get()
    label, outgoing, incoming = html_rows(uri, description.triples, {"tilod": settings.base_uri + "def/tilod#"})
    return {
        "uri": uri, "doc_base": uri, "label": label or uri, "formats": FORMAT_LINKS,
        "alt_labels": [alt for alt in description.texts(ALT_LABEL) if alt != label],
        "outgoing": outgoing, "incoming": incoming,
        "base": settings.base_uri, "version": release.version,
    }


def _select(query: str, **iris: str | list[str]) -> list[dict[str, str]]:
    settings = current_app.extensions["tilod.settings"]
    release = current_app.extensions["tilod.releases"].get()
    return q.select(release.data, query, settings.base_uri, **iris)


def territory_page(uri: str, triples: list[ox.Triple]) -> bytes:
    d = Description(uri, triples)
    context = _common(uri, d)
    tilod = context["base"] + "def/tilod#"
    members = sorted(
        (Member(row["member"], row["name"], row.get("natureLabel", ""), row.get("population", ""),
                "commune" in row) for row in _select(q.TERRITORY_MEMBERS, territory=uri)),
        key=lambda m: fold(m.label),
    )
    labelling = next(iter(_select(q.TERRITORY_LABELLING, territory=uri)), {})
    [communes] = _select(q.TERRITORY_COMMUNES, territory=uri)
    uris = Uris(context["base"])
    phase_of_page = TERRITORY_PATH.fullmatch(uri[len(uris.id):])
    assert phase_of_page is not None
    identifier = uri.rsplit("/", 1)[1]
    others = [uris.territoire(p, identifier) for p in PHASES if p != phase_of_page.group("phase")]
    other_rows = _select(q.OTHER_PHASES, others=[str(o) for o in others])
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
        map=svg_map(d.wkt(), context["label"], "titre-carte-svg"),
    )
    return render_template("territoire.html", **context).encode("utf-8")


def epci_page(uri: str, triples: list[ox.Triple]) -> bytes:
    d = Description(uri, triples)
    context = _common(uri, d)
    tilod = context["base"] + "def/tilod#"
    nature = next(iter(_select(q.EPCI_NATURE, epci=uri)), None)
    by_phase: dict[str, dict] = {}
    for row in _select(q.EPCI_TERRITORIES, epci=uri):
        phase = by_phase.setdefault(row["phase"], {"label": row.get("phaseLabel", row["phase"]), "territories": []})
        phase["territories"].append(Link(row["territory"], row["label"]))
    order = {str(Uris(context["base"]).phase(p)): i for i, p in enumerate(PHASES)}
    territories = [
        {"href": p, "label": v["label"], "territories": sorted(v["territories"], key=lambda t: fold(t.label))}
        for p, v in sorted(by_phase.items(), key=lambda kv: order.get(kv[0], 9))
    ]
    communes = sorted(_select(q.EPCI_COMMUNES, epci=uri), key=lambda r: fold(r["label"]))
    context.update(
        siren=d.text(tilod + "siren"),
        nature=Link(nature["nature"], nature.get("label", nature["nature"])) if nature else None,
        population=d.text(tilod + "populationTotale"),
        population_municipale=d.text(tilod + "populationMunicipale"),
        departements=d.links(tilod + "departement"),
        regions=d.links(tilod + "region"),
        territories=territories,
        communes=communes,
    )
    return render_template("epci.html", **context).encode("utf-8")
