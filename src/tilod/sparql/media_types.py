"""Media types tilod serves, with the names that stand for them (URI suffixes, `?format=`).

RDF: https://www.w3.org/TR/turtle/, https://www.w3.org/TR/json-ld11/, https://www.w3.org/TR/n-triples/,
https://www.w3.org/TR/rdf-syntax-grammar/. SPARQL results: https://www.w3.org/TR/sparql11-results-json/,
https://www.w3.org/TR/rdf-sparql-XMLres/, https://www.w3.org/TR/sparql11-results-csv-tsv/.
Format IRIs: https://www.w3.org/ns/formats/.
"""

from __future__ import annotations

import pyoxigraph as ox

HTML = "text/html"
#: a TimeMap's (RFC 6690, as RFC 7089 uses it)
LINK_FORMAT = "application/link-format"

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

#: media type -> pyoxigraph format of SELECT and ASK results; the order is the server's preference
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

#: the W3C's IRI of each format, named by the service description
FORMAT_IRIS = {media: "http://www.w3.org/ns/formats/" + name for media, name in {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/n-triples": "N-Triples",
    "application/rdf+xml": "RDF_XML",
}.items()}

#: a document's URI suffixes (`URI.ttl`) and `?format=` names -> media type
EXTENSIONS = {ext: media for media, (ext, _) in RDF_FORMATS.items()} | {
    "json": "application/ld+json",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "xml": "application/rdf+xml",
    "html": HTML,
}

#: the SPARQL endpoint's `?format=` names (ours, and those SPARQLWrapper and Fuseki send) -> the
#: media types they stand for; a name may stand for a results format and a graph format: the
#: query's form picks one
FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv",), "tsv": ("text/tab-separated-values",),
    "ttl": ("text/turtle",), "turtle": ("text/turtle",), "n3": ("text/turtle",),
    "jsonld": ("application/ld+json",), "json-ld": ("application/ld+json",),
    "nt": ("application/n-triples",), "ntriples": ("application/n-triples",), "n-triples": ("application/n-triples",),
    "rdf": ("application/rdf+xml",), "rdf+xml": ("application/rdf+xml",), "rdfxml": ("application/rdf+xml",),
}


def extension(media_type: str) -> str:
    """The URI suffix of a document's form: `ttl` for Turtle, `html` for its page."""
    return "html" if media_type == HTML else RDF_FORMATS[media_type][0]


def content_type(media_type: str) -> str:
    """The Content-Type header value: text types and JSON/XML carry charset=utf-8.

    >>> content_type("text/turtle"), content_type("application/n-triples")
    ('text/turtle; charset=utf-8', 'application/n-triples')
    """
    if media_type.startswith("text/") or media_type.endswith(("+json", "+xml", "/json", "/xml")):
        return f"{media_type}; charset=utf-8"
    return media_type
