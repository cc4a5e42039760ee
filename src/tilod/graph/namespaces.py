"""The vocabularies tilod reuses, and the prefixes written in every serialization."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

IGEO = Namespace("http://rdf.insee.fr/def/geo#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
#: schema.org's validity dates, as LINDAS writes its versioned dimensions (http, the namespace
#: schema.org's own RDF still uses)
SDO = Namespace("http://schema.org/")

#: The vocabulary's persistent namespace: it never moves with a deployment (`TILOD_BASE_URI`).
#: w3id.org redirects it to the server that documents it at `/def/tilod` (deploy/w3id/).
VOCABULARY_BASE = "https://w3id.org/tilod/"
TILOD = Namespace(VOCABULARY_BASE + "def/tilod#")
ONTOLOGY_IRI = URIRef(VOCABULARY_BASE + "def/tilod")
SHAPES_IRI = URIRef(VOCABULARY_BASE + "def/tilod/shapes")

STANDARD_PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "foaf": str(FOAF),
    "org": str(ORG),
    "prov": str(PROV),
    "void": str(VOID),
    "sh": str(SH),
    "geo": str(GEO),
    "igeo": str(IGEO),
    "schema": str(SDO),
    "tilod": str(TILOD),
}

__all__ = [
    "DCAT", "DCTERMS", "FOAF", "GEO", "IGEO", "ONTOLOGY_IRI", "ORG", "OWL", "PROV", "RDF", "RDFS",
    "SD", "SDO", "SH", "SHAPES_IRI", "SKOS", "STANDARD_PREFIXES", "TILOD", "VOCABULARY_BASE", "VOID", "XSD",
]
