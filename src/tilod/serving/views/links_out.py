"""The "Elsewhere on the web" section of a resource's page: its links out (graph/links.py),
each named after the site or dataset it points into."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pyoxigraph as ox

from tilod.graph.links import LINK_PREDICATES, target_of
from tilod.graph.namespaces import VOCABULARY_BASE

#: what each predicate says the page is, as the section writes it (French; en.json translates)
KINDS = {
    "http://xmlns.com/foaf/0.1/page": "page",
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": "fiche (JSON)",
    "http://www.w3.org/ns/dcat#landingPage": "page du jeu de données",
    "http://xmlns.com/foaf/0.1/homepage": "site officiel",
}
ORDER = {str(p): i for i, p in enumerate(LINK_PREDICATES)}


@dataclass(frozen=True)
class LinkOut:
    href: str
    name: str  # the target's name, or its host when it is no dataset of ours
    kind: str


def links_out(uri: str, triples: list[ox.Triple], base: str) -> list[LinkOut]:
    """The resource's own links to pages on other sites, in the order of LINK_PREDICATES."""
    found: dict[str, tuple[int, LinkOut]] = {}
    for t in triples:
        predicate = t.predicate.value
        if predicate not in ORDER or getattr(t.subject, "value", None) != uri:
            continue
        if not isinstance(t.object, ox.NamedNode):
            continue
        href = t.object.value
        if not href.startswith(("https://", "http://")) or href.startswith((base, VOCABULARY_BASE)):
            continue
        target = target_of(href)
        name = target.title if target else urlsplit(href).netloc
        found.setdefault(href, (ORDER[predicate], LinkOut(href, name, KINDS[predicate])))
    return [link for _, link in sorted(found.values(), key=lambda pair: (pair[0], pair[1].name, pair[1].href))]
