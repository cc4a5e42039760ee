"""The DCAT-AP 3.0.1 catalogue of a release: its datasets (the data, and the ontology, shapes,
validation report and changes each as a dataset of its own), their distributions (one a file),
the SPARQL endpoint as a data service, publisher, contact point and the EU vocabularies' terms.

What stays the same from one release to the next is Turtle (`data/catalogue/`); this module adds
what each release says of itself: versions, dates, sizes, checksums, triple counts.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from tilod.graph.namespaces import DCAT, DCTERMS, RDF, VOID, XSD
from tilod.graph.uris import Uris
from tilod.records.turtle_files import parse_turtle
from tilod.release import layout
from tilod.release.dumps import WrittenFile

SPDX = "http://spdx.org/rdf/terms#"
DCATAP = "http://data.europa.eu/r5r/"
#: SPDX's SHA-256, in https as DCAT-AP's shapes want it (data/catalogue/eu-vocabularies.ttl)
SHA256 = URIRef("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
STABLE = URIRef("http://publications.europa.eu/resource/authority/planned-availability/STABLE")
#: media type -> EU file type (dcterms:format)
FILE_TYPE = {"text/turtle": "RDF_TURTLE", "application/n-triples": "RDF_N_TRIPLES", "application/ld+json": "JSON_LD"}
#: the data (`tilod`, whose dumps are its void:dataDump) and the dataset each other file is
DATASET_OF = {layout.TURTLE_DUMP: "tilod", layout.NT_DUMP: "tilod", layout.JSONLD_DUMP: "tilod",
              layout.ONTOLOGY: "ontologie", layout.SHAPES: "formes",
              layout.VALIDATION_REPORT: "rapport-de-validation", layout.CHANGES: "changements"}
#: what each file holds (dcterms:description of its distribution)
FILE_TEXT = {
    layout.TURTLE_DUMP: ("Tout le jeu de données, en Turtle.", "The whole dataset, in Turtle."),
    layout.NT_DUMP: ("Tout le jeu de données, en N-Triples compressé par gzip.",
                     "The whole dataset, in N-Triples compressed with gzip."),
    layout.JSONLD_DUMP: ("Tout le jeu de données, en JSON-LD.", "The whole dataset, in JSON-LD."),
    layout.ONTOLOGY: ("L'ontologie, en Turtle.", "The ontology, in Turtle."),
    layout.SHAPES: ("Les formes SHACL, en Turtle.", "The SHACL shapes, in Turtle."),
    layout.VALIDATION_REPORT: ("Le rapport de validation SHACL, en Turtle.", "The SHACL validation report, in Turtle."),
    layout.CHANGES: ("Les changements depuis la version précédente, en Turtle.",
                     "The changes since the previous release, in Turtle."),
}
#: what every dataset of the catalogue says as the data's does (set in catalogue.ttl on the data)
SHARED = (DCTERMS.publisher, DCAT.contactPoint, DCAT.theme, DCTERMS.spatial, DCTERMS.language,
          DCTERMS.license, DCAT.keyword, DCTERMS.temporal)
#: the datasets a SPARQL query reaches: the data (default graph), the ontology and changes (named graphs)
SERVED = ("tilod", "ontologie", "changements")

#: in the data folder: the catalogue's constant part, and the EU vocabularies' terms it uses
CATALOGUE_FILE = "catalogue/catalogue.ttl"
VOCABULARIES_FILE = "catalogue/eu-vocabularies.ttl"


def load_catalogue(data_dir: Path, base_uri: str) -> tuple[Graph, Graph]:
    """(the catalogue's constant part, what it quotes of the EU vocabularies)."""
    return parse_turtle(data_dir / CATALOGUE_FILE, base_uri), parse_turtle(data_dir / VOCABULARIES_FILE, base_uri)


def describe_catalogue(g: Graph, catalogue: Graph, data: Graph, uris: Uris, version: str, created: str) -> None:
    """The catalogue, its data service and datasets: `catalogue` (catalogue.ttl and the EU
    vocabularies' terms) into `g`, with this release's dates and the data's period."""
    g += catalogue
    g.bind("dcatap", DCATAP)
    g.bind("vcard", "http://www.w3.org/2006/vcard/ns#")
    stamp = Literal(created, datatype=XSD.dateTime)
    home = uris.catalogue
    for name in dict.fromkeys(DATASET_OF.values()):
        dataset = uris.jeu_de_donnees(name)
        g.add((home, DCAT.dataset, dataset))
        g.add((dataset, DCTERMS.issued, stamp))
        g.add((dataset, URIRef(str(DCAT) + "version"), Literal(version)))  # DCAT 3
    for prop in (DCTERMS.language, DCTERMS.license, DCTERMS.spatial):
        for value in catalogue.objects(uris.dataset, prop):
            g.add((home, prop, value))
    g.add((home, DCTERMS.issued, stamp))
    g.add((home, DCTERMS.modified, stamp))
    g.add((uris.dataset, DCTERMS.temporal, period(g, data)))
    for name in SERVED:
        g.add((uris.sparql_endpoint, DCAT.servesDataset, uris.jeu_de_donnees(name)))
    for name in dict.fromkeys(DATASET_OF.values()):
        if name != "tilod":
            for prop in SHARED:
                for value in g.objects(uris.dataset, prop):
                    g.add((uris.jeu_de_donnees(name), prop, value))


def period(g: Graph, data: Graph) -> BNode:
    """The years the data covers: from the first phase's start to the last one's end."""
    node = BNode()
    g.add((node, RDF.type, DCTERMS.PeriodOfTime))
    starts = [o for o in data.objects(None, DCAT.startDate) if isinstance(o, Literal)]
    ends = [o for o in data.objects(None, DCAT.endDate) if isinstance(o, Literal)]
    g.add((node, DCAT.startDate, min(starts, key=str)))
    g.add((node, DCAT.endDate, max(ends, key=str)))
    return node


def describe_distribution(g: Graph, uris: Uris, version: str, created: str, written: WrittenFile) -> URIRef:
    """One file of the release as a distribution of its dataset, which it returns."""
    url = uris.dump(version, written.filename)
    dataset = uris.jeu_de_donnees(DATASET_OF[written.filename])
    add = g.add
    add((dataset, DCAT.distribution, url))
    add((url, RDF.type, DCAT.Distribution))
    add((url, DCTERMS.title, Literal(f"tilod {version} — {written.filename}")))
    french, english = FILE_TEXT[written.filename]
    add((url, DCTERMS.description, Literal(french, lang="fr")))
    add((url, DCTERMS.description, Literal(english, lang="en")))
    add((url, DCAT.downloadURL, url))
    add((url, DCAT.accessURL, url))
    add((url, DCAT.mediaType, URIRef(MEDIA_TYPES + written.media_type)))
    add((url, DCTERMS.format, URIRef(FILE_TYPES + FILE_TYPE[written.media_type])))
    if written.gzipped:
        add((url, DCAT.compressFormat, URIRef(MEDIA_TYPES + "application/gzip")))
    add((url, DCAT.byteSize, Literal(written.byte_size, datatype=XSD.nonNegativeInteger)))
    for licence in g.objects(uris.dataset, DCTERMS.license):
        add((url, DCTERMS.license, licence))
    add((url, DCTERMS.issued, Literal(created, datatype=XSD.dateTime)))
    add((url, URIRef(DCATAP + "availability"), STABLE))  # a release's files never change nor go
    if written.triples is not None:
        add((url, VOID.triples, Literal(written.triples)))
    checksum = BNode()
    add((url, URIRef(SPDX + "checksum"), checksum))
    add((checksum, RDF.type, URIRef(SPDX + "Checksum")))
    add((checksum, URIRef(SPDX + "algorithm"), SHA256))
    add((checksum, URIRef(SPDX + "checksumValue"), Literal(written.sha256, datatype=XSD.hexBinary)))
    return dataset
