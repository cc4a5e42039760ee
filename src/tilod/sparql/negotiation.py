"""Content negotiation: parse an Accept header (RFC 9110 §12.5.1), and decide, once per request,
the media type of the answer.

Rules: a media range's quality is its `q` (default 1, clamped to 0..1, `q=0` means "not
acceptable"); the most specific matching range decides an offer's quality (`text/turtle`
beats `text/*` beats `*/*`); ties go to the server's order of preference. Parameters other
than `q` (e.g. `charset=utf-8`) are ignored for matching. Malformed parts are skipped: a
broken header never causes an error, at worst it matches nothing.

The decisions: one function per kind of route, the only callers of `negotiate`. Aliases
(`application/json`, `text/xml`...) are answered in the format they stand for.

    route                       decided by, first that applies      offers, server's order    else
    --------------------------  ----------------------------------  ------------------------  ----------
    documents: /id/...,         1. the URI's suffix (.ttl, .jsonld,  Turtle, HTML, JSON-LD,    406
    /def/tilod, its /shapes,       .nt, .rdf, .html...: EXTENSIONS)  N-Triples, RDF/XML
    /.well-known/void           2. ?format= (a suffix name or a
    (choose_document)              media type)
                                3. Accept
    /sparql with a query        1. ?format= (FORMAT_NAMES: the one   SELECT, ASK: JSON, XML,   406
    (choose_result, by the         of the query's form; an unknown   CSV, TSV results;         once the
    query's form: SELECT, ASK      name is ignored)                  CONSTRUCT, DESCRIBE:      store has
    or CONSTRUCT, DESCRIBE)     2. Accept preferring text/html to    Turtle, JSON-LD,          checked the
                                   every SPARQL format: the results  N-Triples, RDF/XML        query (a
                                   page, drawn from JSON results                               syntax error
                                   (SELECT, ASK) or Turtle                                     is 400, a
                                   (CONSTRUCT, DESCRIBE)                                       store down
                                3. Accept                                                      503)
    /sparql without a query:    Accept                              Turtle, HTML, JSON-LD,    406
    the service description                                         N-Triples, RDF/XML
    (choose_description)
    error pages                 Accept                              text/plain, HTML          text/plain
    (error_as_page)

A text with no query form (neither SELECT, ASK, CONSTRUCT nor DESCRIBE after its prologue) is
offered the results formats: it is no query, and the store says why (400).
The stores answer in the type chosen here; they never negotiate.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from tilod.sparql.media_types import (
    EXTENSIONS,
    FORMAT_NAMES,
    HTML,
    RDF_ALIASES,
    RDF_FORMATS,
    RESULT_ALIASES,
    RESULT_FORMATS,
)
from tilod.sparql.protocol import GRAPH_FORMS

MAX_ACCEPT_PARTS = 64  # a longer header is cut: its tail cannot change a sane choice
#: what a document (a resource, the ontology, the service description...) is offered in
DOCUMENT_OFFERS = ["text/turtle", HTML, "application/ld+json", "application/n-triples", "application/rdf+xml",
                   *RDF_ALIASES]
#: what the results page of each kind of query is drawn from
PAGE_SOURCE = {"results": "application/sparql-results+json", "graph": "text/turtle"}


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """Specificity of the match (3 exact, 2 type/*, 1 */*), or 0 for no match."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 1 if self.subtype == "*" else 0
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges of an Accept header; an absent or empty header means `*/*`.

    >>> parse_accept("text/turtle;q=0.5, application/ld+json")
    [MediaRange(type='text', subtype='turtle', q=0.5), MediaRange(type='application', subtype='ld+json', q=1.0)]
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for part in header.split(",")[:MAX_ACCEPT_PARTS]:
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        main, slash, sub = media.partition("/")
        if not slash or not main or not sub or " " in media or (main == "*" and sub != "*"):
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0 if value.strip() else 1.0
                if q != q:  # NaN
                    q = 0.0
        ranges.append(MediaRange(main, sub, q))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The quality the client gives `media_type`: that of the most specific matching range."""
    best_specificity, best_q = 0, 0.0
    for r in ranges:
        specificity = r.matches(media_type)
        better = specificity > best_specificity or (specificity == best_specificity and r.q > best_q)
        if specificity and better:
            best_specificity, best_q = specificity, r.q
    return best_q


def negotiate(header: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers (server order breaks ties), or None if none is acceptable.

    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", ["text/turtle", "text/html"])
    'text/html'
    >>> negotiate("text/turtle;q=0, */*", ["text/turtle", "application/ld+json"])
    'application/ld+json'
    >>> negotiate("image/png", ["text/turtle"]) is None
    True
    """
    ranges = parse_accept(header)
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    return best


def split_extension(path: str) -> tuple[str, str | None]:
    """A document's URI suffix, if it names a format.

    >>> split_extension("territoire/2023-2027/ti-3208.ttl"), split_extension("commune/02691")
    (('territoire/2023-2027/ti-3208', 'ttl'), ('commune/02691', None))
    """
    stem, dot, ext = path.rpartition(".")
    if dot and ext in EXTENSIONS and "/" not in ext:
        return stem, ext
    return path, None


def choose_document(named: str | None, accept: str | None) -> tuple[str | None, bool]:
    """(media type or None, negotiated?) of a document: a suffix or `?format=` name, else Accept.

    >>> choose_document("jsonld", "text/html"), choose_document(None, "application/json")
    (('application/ld+json', False), ('application/ld+json', True))
    """
    if named:
        return EXTENSIONS.get(named) or (named if named in RDF_FORMATS or named == HTML else None), False
    media = negotiate(accept, DOCUMENT_OFFERS)
    return (RDF_ALIASES.get(media, media) if media else None), True


def choose_description(accept: str | None) -> str | None:
    """The media type of the service description (or its HTML page), None if none is acceptable."""
    media = negotiate(accept, DOCUMENT_OFFERS)
    return RDF_ALIASES.get(media, media) if media else None


@dataclass(frozen=True)
class ResultChoice:
    #: what the store is asked for; None: nothing the client accepts (406, once the query is checked)
    media_type: str | None
    #: drawn as an HTML page from the store's answer
    page: bool = False
    #: chosen by `?format=`: a file to save
    download: bool = False


@functools.lru_cache(maxsize=512)  # pure, and clients send the same few Accept headers again and again
def choose_result(form: str | None, format_name: str | None, accept: str | None) -> ResultChoice:
    """What a SPARQL query (of `form`, see protocol.query_form) is answered in.

    >>> choose_result("CONSTRUCT", "xml", None)
    ResultChoice(media_type='application/rdf+xml', page=False, download=True)
    >>> choose_result("SELECT", None, "text/html,*/*;q=0.8")
    ResultChoice(media_type='application/sparql-results+json', page=True, download=False)
    >>> choose_result("SELECT", None, "text/turtle")
    ResultChoice(media_type=None, page=False, download=False)
    """
    graph = form in GRAPH_FORMS
    formats, aliases = (RDF_FORMATS, RDF_ALIASES) if graph else (RESULT_FORMATS, RESULT_ALIASES)
    if format_name in FORMAT_NAMES:
        return ResultChoice(next((m for m in FORMAT_NAMES[format_name] if m in formats), None), download=True)
    if negotiate(accept, [*RESULT_FORMATS, *RDF_FORMATS, HTML]) == HTML:
        return ResultChoice(PAGE_SOURCE["graph" if graph else "results"], page=True)
    media = negotiate(accept, [*formats, *aliases])
    return ResultChoice(aliases.get(media, media) if media else None)


def error_as_page(accept: str | None) -> bool:
    """An error is a page for a client that prefers HTML to plain text (a browser)."""
    return negotiate(accept, ["text/plain", HTML]) == HTML
