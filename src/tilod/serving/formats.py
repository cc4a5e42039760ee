"""Media types tilod serves, with their file extensions and serializers.

RDF: https://www.w3.org/TR/turtle/, https://www.w3.org/TR/json-ld11/, https://www.w3.org/TR/n-triples/,
https://www.w3.org/TR/rdf-syntax-grammar/. SPARQL results: https://www.w3.org/TR/sparql11-results-json/,
https://www.w3.org/TR/rdf-sparql-XMLres/, https://www.w3.org/TR/sparql11-results-csv-tsv/.
"""

from __future__ import annotations

import pyoxigraph as ox

HTML = "text/html"

#: media type -> (extension, pyoxigraph format); the order is the server's preference
RDF_FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    "text/turtle": ("ttl", ox.RdfFormat.TURTLE),
    "application/ld+json": ("jsonld", ox.RdfFormat.JSON_LD),
    "application/n-triples": ("nt", ox.RdfFormat.N_TRIPLES),
    "application/rdf+xml": ("rdf", ox.RdfFormat.RDF_XML),
}
#: other names clients use for the same formats
RDF_ALIASES = {
    "application/x-turtle": "text/turtle",
    "application/json": "application/ld+json",
    "text/plain": "application/n-triples",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
}
EXTENSIONS = {ext: media for media, (ext, _) in RDF_FORMATS.items()} | {
    "json": "application/ld+json",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "xml": "application/rdf+xml",
    "html": HTML,
}

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RESULT_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
RESULT_EXTENSIONS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                     "csv": "text/csv", "tsv": "text/tab-separated-values"}


def offers(formats: dict, aliases: dict[str, str]) -> list[str]:
    return [*formats, *aliases]


def content_type(media_type: str) -> str:
    """The Content-Type header value: text types and JSON/XML carry charset=utf-8."""
    if media_type.startswith("text/") or media_type.endswith(("+json", "+xml", "/json", "/xml")):
        return f"{media_type}; charset=utf-8"
    return media_type
