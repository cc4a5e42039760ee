"""The release's VoID describes its links out: each family a void:Linkset whose count is the
number of such links in the release's store (asked with SPARQL), and no link out is left out."""

from __future__ import annotations

from collections import defaultdict

from helpers import BASE, ONTOLOGY, select
from rdflib import Graph, URIRef
from rdflib import namespace as ns

DATASET = URIRef(BASE + "id/jeu-de-donnees/tilod")
#: the predicates of links to pages and records about a resource on other sites
LINK_PREDICATES = ("http://xmlns.com/foaf/0.1/page", "http://www.w3.org/2000/01/rdf-schema#seeAlso",
                   "http://www.w3.org/ns/dcat#landingPage")


def void_of(release) -> Graph:
    return Graph().parse(release / "void.ttl", format="turtle")


def linksets(void: Graph) -> dict[URIRef, tuple[str, str, int]]:
    """linkset -> (link predicate, URI space of its target, number of links)."""
    found = {}
    for linkset in void.subjects(ns.RDF.type, ns.VOID.Linkset):
        target = void.value(linkset, ns.VOID.objectsTarget)
        found[linkset] = (str(void.value(linkset, ns.VOID.linkPredicate)), str(void.value(target, ns.VOID.uriSpace)),
                          void.value(linkset, ns.VOID.triples).toPython())
    return found


def test_each_linkset_is_a_subset_of_the_dataset_from_it_into_a_described_dataset(release):
    void = void_of(release)
    assert linksets(void)
    for linkset in linksets(void):
        assert (DATASET, ns.VOID.subset, linkset) in void
        assert void.value(linkset, ns.VOID.subjectsTarget) == DATASET
        target = void.value(linkset, ns.VOID.objectsTarget)
        assert (target, ns.RDF.type, ns.VOID.Dataset) in void
        assert void.value(target, ns.FOAF.homepage) is not None


def test_the_linksets_count_the_links_of_the_release(release, store):
    """Per link predicate and target, the linksets' counts add up to the links in the store."""
    stated: dict[tuple[str, str], int] = defaultdict(int)
    for predicate, space, count in linksets(void_of(release)).values():
        stated[(predicate, space)] += count
    for (predicate, space), count in stated.items():
        rows = select(store, f"""SELECT (COUNT(*) AS ?n) WHERE {{
            ?s <{predicate}> ?o . FILTER (isIRI(?o) && strstarts(str(?o), "{space}")) }}""")
        assert int(rows[0]["n"]) == count, (predicate, space)


def test_every_link_out_of_a_place_or_a_source_is_in_a_linkset(release, store):
    """(A citation, such as the newspaper's report a place of the press release cites, is no
    identifier of ours elsewhere: not a linkset.)"""
    families = {(predicate, space) for predicate, space, _ in linksets(void_of(release)).values()}
    values = " ".join(f"<{p}>" for p in LINK_PREDICATES)
    rows = select(store, f"""SELECT DISTINCT ?p ?o WHERE {{
        VALUES ?p {{ {values} }}
        VALUES ?kind {{ igeo:Commune igeo:Intercommunalite igeo:Departement igeo:Region dcat:Dataset }}
        ?s a ?kind ; ?p ?o .
        FILTER (strstarts(str(?s), "{BASE}id/"))  # the data's resources, not the ontology's terms
        FILTER (isIRI(?o) && !strstarts(str(?o), "{BASE}") && !strstarts(str(?o), "{ONTOLOGY}")) }}""")
    assert rows
    outside = [row for row in rows
               if not any(row["p"] == p and row["o"].startswith(space) for p, space in families)]
    assert not outside, outside[:10]
