"""What every dedicated page (territory, EPCI, commune, département, région) starts from: the
resource's bounded description, read for its own values, and the context every page shows.

A page starts from the description (the same triples its RDF forms hold, listed in full at the
bottom of the page) and adds what the description lacks with a few SPARQL SELECTs
(views/queries/*.rq). Rendered bytes are cached per release by `resources.rendered`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from tilod.graph.namespaces import TILOD
from tilod.serving.i18n import href as localised_href
from tilod.serving.i18n import page_lang
from tilod.serving.release import current_release, current_settings, document_url
from tilod.serving.render import FORMAT_LINKS, html_rows, labels_of
from tilod.serving.rendering import maps
from tilod.serving.views.links_out import links_out
from tilod.serving.views.search import fold

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


def common_context(uri: str, description: Description) -> dict:
    """What every dedicated page shows: the label, the URI, the links to the data, all the data."""
    settings = current_settings()
    release = current_release()
    label, outgoing, incoming = html_rows(uri, description.triples, {"tilod": str(TILOD)})
    return {
        "uri": uri, "doc_base": document_url(uri), "label": label or uri, "formats": FORMAT_LINKS,
        "alt_labels": [alt for alt in description.texts(ALT_LABEL) if alt != label],
        "outgoing": outgoing, "incoming": incoming,
        "links_out": links_out(uri, description.triples, settings.base_uri),
        "base": settings.base_uri, "version": release.version,
    }


def map_features(rows: list[dict[str, str]], item: str) -> list[maps.Feature]:
    """One shape per item (the first row of each), sorted by name, each a link to its page in
    the reader's language."""
    first: dict[str, dict[str, str]] = {}
    for row in rows:
        first.setdefault(row[item], row)
    return sorted((map_feature(row, item) for row in first.values()), key=lambda f: fold(f.label))


def map_feature(row: dict[str, str], item: str, label: str | None = None) -> maps.Feature:
    """The shape of a row (its `wkt`), named `label` or its `label`, a link to the page of `item`."""
    href = localised_href(row[item], page_lang(), current_settings().base_uri)
    return maps.Feature(row["wkt"], label or row["label"], href)
