"""The VoID + DCAT description of a release and of each of its dumps."""

from __future__ import annotations

from collections import Counter

from rdflib import BNode, Graph, Literal, URIRef

from tilod.graph.namespaces import (
    DCAT,
    DCTERMS,
    FOAF,
    IGEO,
    OWL,
    PROV,
    RDF,
    RDFS,
    STANDARD_PREFIXES,
    VOID,
    XSD,
)
from tilod.graph.uris import Uris
from tilod.release.dumps import WrittenFile
from tilod.release.linksets import describe_linksets

SPDX = "http://spdx.org/rdf/terms#"
LICENCE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
SOURCES = ("anct-ti-2023", "anct-ti-phase1", "decoupage-administratif",
           "communique-prefet-aisne-2023-11-14", "france-geojson")


def describe_release(
    data: Graph,
    uris: Uris,
    version: str,
    created: str,
    files: list[WrittenFile],
) -> Graph:
    g = Graph()
    for prefix, ns in STANDARD_PREFIXES.items():
        g.bind(prefix, ns)
    g.bind("spdx", SPDX)
    ds = uris.dataset
    add = g.add
    add((uris.void, RDF.type, VOID.DatasetDescription))
    add((uris.void, DCTERMS.title, Literal("Description VoID et DCAT du jeu de données tilod", lang="fr")))
    add((uris.void, FOAF.primaryTopic, ds))
    for kind in (VOID.Dataset, DCAT.Dataset):
        add((ds, RDF.type, kind))
    add((ds, DCTERMS.title, Literal("Territoires d'industrie en données liées", lang="fr")))
    add((ds, DCTERMS.title, Literal("Territoires d'industrie as linked data", lang="en")))
    add((ds, DCTERMS.description, Literal(
        "Les 183 Territoires d'industrie 2023-2027 et les 149 de la première phase, leurs "
        "intercommunalités membres, communes, départements et régions, le programme et ses "
        "priorités.", lang="fr")))
    add((ds, DCTERMS.license, LICENCE))
    add((ds, DCTERMS.created, Literal(created, datatype=XSD.dateTime)))
    add((ds, DCTERMS.modified, Literal(created, datatype=XSD.dateTime)))
    add((ds, URIRef(str(DCAT) + "version"), Literal(version)))  # DCAT 3
    add((ds, OWL.versionInfo, Literal(version)))
    add((ds, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/fr")))
    for source in SOURCES:
        add((ds, DCTERMS.source, URIRef(uris.id + "source/" + source)))
        add((ds, PROV.wasDerivedFrom, URIRef(uris.id + "source/" + source)))
    add((ds, VOID.sparqlEndpoint, uris.sparql_endpoint))
    add((ds, VOID.uriSpace, Literal(uris.id)))
    add((ds, VOID.exampleResource, uris.territoire("2023-2027", "ti-3208")))
    add((ds, VOID.rootResource, uris.programme))
    for vocabulary in (uris.tilod, IGEO, "http://www.w3.org/ns/org#", "http://www.w3.org/2004/02/skos/core#",
                       "http://purl.org/dc/terms/", "http://www.w3.org/ns/prov#",
                       "http://www.opengis.net/ont/geosparql#"):
        add((ds, VOID.vocabulary, URIRef(str(vocabulary))))
    for departement in data.objects(ds, uris.tilod.perimetre):  # a partial release's scope
        add((ds, uris.tilod.perimetre, departement))
    add((ds, VOID.triples, Literal(len(data))))
    subjects = set(data.subjects())
    add((ds, VOID.entities, Literal(sum(1 for s in subjects if isinstance(s, URIRef)))))
    add((ds, VOID.distinctSubjects, Literal(len(subjects))))
    add((ds, VOID.properties, Literal(len(set(data.predicates())))))
    classes = Counter(o for o in data.objects(None, RDF.type))
    for index, (cls, count) in enumerate(sorted(classes.items())):
        partition = URIRef(f"{uris.void}#classe-{index}")
        add((ds, VOID.classPartition, partition))
        add((partition, VOID["class"], cls))
        add((partition, VOID.entities, Literal(count)))
    for written in files:
        url = uris.dump(version, written.filename)
        add((ds, VOID.dataDump, url))
        add((ds, DCAT.distribution, url))
        add((url, RDF.type, DCAT.Distribution))
        add((url, DCTERMS.title, Literal(f"tilod {version} — {written.filename}")))
        add((url, DCAT.downloadURL, url))
        add((url, DCAT.accessURL, url))
        add((url, DCAT.mediaType, URIRef(MEDIA_TYPES + written.media_type)))
        if written.gzipped:
            add((url, DCAT.compressFormat, URIRef(MEDIA_TYPES + "application/gzip")))
        add((url, DCAT.byteSize, Literal(written.byte_size, datatype=XSD.nonNegativeInteger)))
        add((url, DCTERMS.license, LICENCE))
        add((url, DCTERMS.issued, Literal(created, datatype=XSD.dateTime)))
        if written.triples is not None:
            add((url, VOID.triples, Literal(written.triples)))
        checksum = BNode()
        add((url, URIRef(SPDX + "checksum"), checksum))
        add((checksum, RDF.type, URIRef(SPDX + "Checksum")))
        add((checksum, URIRef(SPDX + "algorithm"), URIRef(SPDX + "checksumAlgorithm_sha256")))
        add((checksum, URIRef(SPDX + "checksumValue"), Literal(written.sha256, datatype=XSD.hexBinary)))
    add((ds, RDFS.seeAlso, uris.ontology))
    describe_linksets(data, uris, g)
    return g
