"""The vocabularies tilod reuses, and the prefixes written in every serialization."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

IGEO = Namespace("http://rdf.insee.fr/def/geo#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

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
}

__all__ = [
    "DCAT", "DCTERMS", "FOAF", "GEO", "IGEO", "ORG", "OWL", "PROV", "RDF", "RDFS", "SD", "SH",
    "SKOS", "STANDARD_PREFIXES", "VOID", "XSD",
]
