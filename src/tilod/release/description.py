"""The VoID + DCAT description of a release (`void.ttl`): the dataset the endpoint's default
graph holds, with its counts and its complete dumps, and the catalogue around it
(release/catalogue.py). One function a part, so that a part is added without touching the others.
"""

from __future__ import annotations

from collections import Counter

from rdflib import Graph, Literal, URIRef

from tilod.graph.namespaces import DCAT, DCTERMS, FOAF, IGEO, OWL, PROV, RDF, RDFS, STANDARD_PREFIXES, VOID, XSD
from tilod.graph.uris import Uris
from tilod.release import layout
from tilod.release.catalogue import SPDX, describe_catalogue, describe_distribution
from tilod.release.dumps import WrittenFile

SOURCES = ("anct-ti-2023", "anct-ti-phase1", "decoupage-administratif",
           "communique-prefet-aisne-2023-11-14", "france-geojson")
VOCABULARIES = ("http://www.w3.org/ns/org#", "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/",
                "http://www.w3.org/ns/prov#", "http://www.opengis.net/ont/geosparql#")


def describe_release(
    data: Graph,
    uris: Uris,
    version: str,
    created: str,
    files: list[WrittenFile],
    catalogue: Graph,
) -> Graph:
    """The description of a release whose data is `data` and files `files`; `catalogue` is what
    stays the same from release to release (data/catalogue/*.ttl, parsed)."""
    g = Graph()
    for prefix, ns in STANDARD_PREFIXES.items():
        g.bind(prefix, ns)
    g.bind("spdx", SPDX)
    describe_document(g, uris)
    describe_dataset(g, data, uris, version, created)
    describe_statistics(g, data, uris)
    describe_catalogue(g, catalogue, data, uris, version, created)
    for written in files:
        if written.filename == layout.VOID:  # its own size and checksum cannot be in it
            continue
        if describe_distribution(g, uris, version, created, written) == uris.dataset:
            g.add((uris.dataset, VOID.dataDump, uris.dump(version, written.filename)))  # a complete dump
    return g


def describe_document(g: Graph, uris: Uris) -> None:
    g.add((uris.void, RDF.type, VOID.DatasetDescription))
    g.add((uris.void, DCTERMS.title, Literal("Description VoID et DCAT du jeu de données tilod", lang="fr")))
    g.add((uris.void, FOAF.primaryTopic, uris.dataset))


def describe_dataset(g: Graph, data: Graph, uris: Uris, version: str, created: str) -> None:
    """The dataset: what the endpoint's default graph and each data dump hold."""
    ds = uris.dataset
    add = g.add
    for kind in (VOID.Dataset, DCAT.Dataset):
        add((ds, RDF.type, kind))
    add((ds, DCTERMS.title, Literal("Territoires d'industrie en données liées", lang="fr")))
    add((ds, DCTERMS.title, Literal("Territoires d'industrie as linked data", lang="en")))
    add((ds, DCTERMS.description, Literal(
        "Les 183 Territoires d'industrie 2023-2027 et les 149 de la première phase, leurs "
        "intercommunalités membres, communes, départements et régions, le programme et ses "
        "priorités.", lang="fr")))
    add((ds, DCTERMS.description, Literal(
        "The 183 Territoires d'industrie of 2023-2027 and the 149 of the first phase, their member "
        "intercommunalités, communes, départements and régions, the programme and its priorities.", lang="en")))
    add((ds, DCTERMS.created, Literal(created, datatype=XSD.dateTime)))
    add((ds, DCTERMS.modified, Literal(created, datatype=XSD.dateTime)))
    add((ds, OWL.versionInfo, Literal(version)))
    for source in SOURCES:  # prov: DCAT-AP's dcterms:source would have each source be a dataset of the catalogue
        add((ds, PROV.wasDerivedFrom, URIRef(uris.id + "source/" + source)))
    add((ds, VOID.sparqlEndpoint, uris.sparql_endpoint))
    add((ds, VOID.uriSpace, Literal(uris.id)))
    add((ds, VOID.exampleResource, uris.territoire("2023-2027", "ti-3208")))
    add((ds, VOID.rootResource, uris.programme))
    for vocabulary in (uris.tilod, IGEO, *VOCABULARIES):
        add((ds, VOID.vocabulary, URIRef(str(vocabulary))))
    for departement in data.objects(ds, uris.tilod.perimetre):  # a partial release's scope
        add((ds, uris.tilod.perimetre, departement))
    add((ds, RDFS.seeAlso, uris.ontology))


def describe_statistics(g: Graph, data: Graph, uris: Uris) -> None:
    """Counts of the data: exactly the default graph of the release's store."""
    ds = uris.dataset
    g.add((ds, VOID.triples, Literal(len(data))))
    subjects = set(data.subjects())
    g.add((ds, VOID.entities, Literal(sum(1 for s in subjects if isinstance(s, URIRef)))))
    g.add((ds, VOID.distinctSubjects, Literal(len(subjects))))
    g.add((ds, VOID.properties, Literal(len(set(data.predicates())))))
    classes = Counter(o for o in data.objects(None, RDF.type))
    for index, (cls, count) in enumerate(sorted(classes.items())):
        partition = URIRef(f"{uris.void}#classe-{index}")
        g.add((ds, VOID.classPartition, partition))
        g.add((partition, VOID["class"], cls))
        g.add((partition, VOID.entities, Literal(count)))
