"""The release's links out in VoID: one `void:Linkset` per family (graph/links.py), a subset of
the dataset, with its link predicate, its two datasets and its number of links counted in the
data; each target a `void:Dataset` with its homepage and URI space."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from tilod.graph.links import FAMILIES, Family, Target
from tilod.graph.namespaces import DCTERMS, FOAF, RDF, VOID
from tilod.graph.uris import Uris


def count_links(data: Graph, family: Family) -> int:
    """The family's triples in the data: its predicate, from its class, into its target."""
    subjects = set(data.subjects(RDF.type, family.subject_class))
    return sum(1 for s, o in data.subject_objects(family.predicate)
               if s in subjects and str(o).startswith(family.target.uri_space))


def target_iri(uris: Uris, target: Target) -> URIRef:
    return URIRef(f"{uris.void}#cible-{target.key}")


def describe_linksets(data: Graph, uris: Uris, into: Graph) -> None:
    """Add a linkset per family that has links in this release (a partial one may lack some)."""
    add = into.add
    described: set[str] = set()
    for family in FAMILIES:
        count = count_links(data, family)
        if not count:
            continue
        linkset = URIRef(f"{uris.void}#liens-{family.key}")
        target = target_iri(uris, family.target)
        add((uris.dataset, VOID.subset, linkset))
        add((linkset, RDF.type, VOID.Linkset))
        add((linkset, DCTERMS.title, Literal(family.title_fr, lang="fr")))
        add((linkset, DCTERMS.title, Literal(family.title_en, lang="en")))
        add((linkset, VOID.subjectsTarget, uris.dataset))
        add((linkset, VOID.objectsTarget, target))
        add((linkset, VOID.linkPredicate, family.predicate))
        add((linkset, VOID.triples, Literal(count)))
        if family.target.key not in described:
            described.add(family.target.key)
            add((target, RDF.type, VOID.Dataset))
            add((target, DCTERMS.title, Literal(family.target.title, lang="fr")))
            add((target, FOAF.homepage, URIRef(family.target.homepage)))
            add((target, VOID.uriSpace, Literal(family.target.uri_space)))
