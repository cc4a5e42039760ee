"""Dereferencing: `{base}id/...`, the ontology, the shapes and the VoID description.

Policy (documented in the README): every URI answers 200 with content negotiation, no 303.
`Vary: Accept` on negotiated answers, which carry `Content-Location` pointing at the
format-specific document (`URI.ttl`, `URI.jsonld`, `URI.nt`, `URI.rdf`, `URI.html`);
those suffix forms and `?format=` are for links people paste.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from tilod.graph.jsonld import Context
from tilod.graph.namespaces import ONTOLOGY_IRI, SHAPES_IRI, TILOD
from tilod.graph.uris import Uris
from tilod.release import layout
from tilod.serving import as_of
from tilod.serving.http import cacheable, plain_error
from tilod.serving.i18n import page_lang
from tilod.serving.release import ServedRelease, current_release, current_settings, document_url
from tilod.serving.render import FORMAT_LINKS, JSON_LD, html_rows, json_ld, serialize
from tilod.serving.views import ontology_doc, pages, shapes_doc
from tilod.serving.views.links_out import links_out
from tilod.serving.views.terms import UnreadableFile
from tilod.sparql.media_types import HTML, LINK_FORMAT, RDF_FORMATS, content_type, extension
from tilod.sparql.negotiation import choose_document, split_extension

bp = Blueprint("resources", __name__)

MAX_CACHED = 1024  # rendered documents kept per release (LRU)
MAX_CACHED_BODY = 1 << 20  # larger documents are rendered each time
#: `?context=inline`: the JSON-LD carries its context instead of the context's URL
INLINE = "inline"


def choose(ext: str | None) -> tuple[str | None, bool]:
    """(media type, negotiated?) of the document asked for (see sparql/negotiation.py)."""
    return choose_document(ext or request.args.get("format"), request.headers.get("Accept"))


def not_acceptable() -> Response:
    return plain_error(406, "Not Acceptable. Available: " + ", ".join([*RDF_FORMATS, HTML])
                       + " (or add .ttl, .jsonld, .nt, .rdf, .html to the URL)")


def context_file(release: ServedRelease) -> Path:
    """The release's JSON-LD context (that of the settings for a release built before releases had one)."""
    shipped = release.folder / layout.CONTEXT
    return shipped if shipped.exists() else current_settings().context_file


def inline_context() -> bool:
    """`?context=inline` (anything else in `context` is refused by `bad_context`)."""
    return request.args.get("context") == INLINE


def bad_context() -> Response | None:
    value = request.args.get("context")
    if value is None or value == INLINE:
        return None
    return plain_error(400, f"Bad Request: parameter 'context' may only be '{INLINE}' (the JSON-LD then "
                            f"carries its @context instead of its URL), got {value[:100]!r}")


def render(uri: str, doc_base: str, triples: list[ox.Triple], media: str) -> bytes:
    release = current_release()
    settings = current_settings()
    prefixes = {"tilod": str(TILOD)}
    if media == HTML:
        label, outgoing, incoming = html_rows(uri, triples, prefixes)
        return render_template(
            "resource.html", uri=uri, label=label, outgoing=outgoing, incoming=incoming,
            formats=FORMAT_LINKS, doc_base=doc_base, base=settings.base_uri, version=release.version,
            links_out=links_out(uri, triples, settings.base_uri),
        ).encode("utf-8")
    if media == JSON_LD:
        context = Context.read(context_file(release))
        ref = context.document["@context"] if inline_context() else str(Uris(settings.base_uri).jsonld_context)
        return json_ld(uri, triples, context, ref)
    return serialize(triples, media, prefixes, uri)


def html_variant(variant: str, media: str) -> str:
    """An HTML page exists once per language, a JSON-LD document with its context's URL or with its
    context inline: its cache key and ETag say which."""
    if media == HTML and page_lang() == "en":
        return f"{variant}-en"
    if media == JSON_LD and inline_context():
        return f"{variant}-{INLINE}"
    return variant


def cached(key: tuple[str, str, str], produce: Callable[[], bytes | None]) -> bytes | None:
    """`produce()`, kept in the release's LRU of rendered documents (a release never changes)."""
    cache = current_release().rendered
    with contextlib.suppress(KeyError):  # another thread may evict it meanwhile: render again
        cache.move_to_end(key)
        return cache[key]
    body = produce()
    if body is None or len(body) <= MAX_CACHED_BODY:
        cache[key] = body
        while len(cache) > MAX_CACHED:
            with contextlib.suppress(KeyError):
                cache.popitem(last=False)
    return body


def rendered(uri: str, media: str, triples: Callable[[], list[ox.Triple]], variant: str = "id",
             page: pages.Renderer | None = None) -> bytes | None:
    """The bytes of `uri` in `media`, or None if unknown; cached.

    `page` draws a dedicated HTML page from the triples instead of the generic table.
    """
    def produce() -> bytes | None:
        found = triples()
        if not found:
            return None
        return page(uri, found) if page is not None else render(uri, document_url(uri), found, media)

    return cached((html_variant(variant, media), uri, media), produce)


def history_links(uri: str, memento: bool) -> list[str]:
    """The Link relations (RFC 7089) from `uri`'s documents, or from a memento of it, to its history."""
    uris = Uris(current_settings().base_uri)
    return [*([f'<{uri}>; rel="original"'] if memento else []), f'<{uris.timegate(uri)}>; rel="timegate"',
            f'<{uris.timemap(uri)}>; rel="timemap"; type="{LINK_FORMAT}"']


def respond(uri: str, body: bytes, media: str, negotiated: bool, variant: str,
            about: str | None = None, history: list[str] | None = None, query: str = "") -> Response:
    """`uri` is where the documents are served, `about` the thing they describe (if another IRI),
    `history` the links to its mementos, `query` what each form's URL ends with (`?date=...`)."""
    ext = extension(media)
    response = Response(body, content_type=content_type(media))
    # the other forms of the same document (RFC 8288), as the page's <link rel="alternate">
    links = [f'<{uri}.{other}{query}>; rel="alternate"; type="{other_media}"'
             for other, _, other_media in [*FORMAT_LINKS, ("html", "HTML", HTML)] if other_media != media]
    links += history or []
    if negotiated:
        response.headers["Vary"] = "Accept"
        response.headers["Content-Location"] = f"{uri}.{ext}{query}"
    else:  # URI.ttl, URI?format=...: a document about the thing (RFC 6892)
        links.insert(0, f'<{about or uri}>; rel="describes"')
    response.headers["Link"] = ", ".join(links)
    return cacheable(response, current_release(), f"{html_variant(variant, media)}-{ext}")


def not_found(uri: str, media: str, memento: bool = False) -> Response:
    version = current_release().version
    if media == HTML:
        settings = current_settings()
        body = render_template(
            "message.html", title="Ressource inconnue", uri=uri, base=settings.base_uri,
            message=(f"Cette URI n'est pas décrite dans la release {version} de tilod." if memento
                     else "Cette URI n'est pas décrite dans la release courante de tilod."),
            version=version,
        )
        return Response(body, status=404, content_type=content_type(HTML))
    where = f"release {version}" if memento else "the current release"
    return plain_error(404, f"Not found: {uri} is not described in {where}")


@bp.route("/id/<path:rest>", methods=["GET"])
def resource(rest: str) -> Response:
    return describe_resource(rest, None)


def describe_resource(rest: str, memento_of: str | None) -> Response:
    """The documents of `{base}id/<rest>` as the release served describes it: the current one,
    or the earlier release `memento_of` names (its URI-M, serving/memento.py)."""
    path, ext = split_extension(rest)
    media, negotiated = choose(ext)
    if media is None:
        return not_acceptable()
    refused = bad_context()
    if refused is not None:
        return refused
    uri = current_settings().base_uri + "id/" + path
    page = pages.page_for(path) if media == HTML else None
    # a memento's page is not the current one's, even from the same release: its own cache key and ETag
    variant = ("memento-" if memento_of else "") + ("page" if page else "id")
    def triples() -> list[ox.Triple]:
        return current_release().data.describe(uri)

    query = ""
    if "date" in request.args:  # the thing on a day: its EPCI's versions then (serving/as_of.py)
        try:
            day = as_of.requested_day(path, request.args["date"])
        except as_of.DateRefused as refusal:
            return refusal.response()
        state = as_of.as_of(uri, day)
        if media == HTML:
            as_of.show_on_page(state)
        variant, query = f"asof-{day}-{variant}", f"?date={day}"

        def triples() -> list[ox.Triple]:
            return as_of.dated_triples(uri, state)

    body = rendered(uri, media, triples, variant, page)
    if body is None:
        return not_found(uri, media, memento_of is not None)
    return respond(document_url(uri), body, media, negotiated, variant, about=uri if memento_of else None,
                   history=history_links(uri, memento_of is not None), query=query)


def _file_triples(path: Path, base: str) -> list[ox.Triple]:
    try:
        return [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base)]
    except (OSError, SyntaxError) as exc:
        raise UnreadableFile(f"{path}: {exc}") from None


def unreadable(uri: str, media: str, exc: UnreadableFile) -> Response:
    """503, not a traceback, when a file of the release is damaged (the data is still served)."""
    current_app.logger.error("cannot serve %s: %s", uri, exc)
    if media == HTML:
        body = render_template(
            "message.html", title="Document indisponible", uri=uri, base=current_settings().base_uri,
            message="Le fichier de ce document est illisible dans la release courante ; "
                    "les données restent disponibles.",
            version=current_release().version,
        )
        response = Response(body, status=503, content_type=content_type(HTML))
    else:
        response = plain_error(503, f"Service Unavailable: the file of {uri} in the current release cannot be read")
    response.headers["Cache-Control"] = "no-store"
    return response


def _document(uri: str, file: Path, ext: str | None, variant: str,
              page: Callable[[], bytes] | None = None, about: str | None = None) -> Response:
    """A whole file of the release (ontology, shapes, VoID) served at `uri`, with content negotiation;
    `page` draws its HTML page instead of the generic table; `about` is the IRI it describes when
    that is not `uri` (the vocabulary's persistent IRIs)."""
    media, negotiated = choose(ext)
    if media is None:
        return not_acceptable()
    refused = bad_context()
    if refused is not None:
        return refused
    try:
        if media == HTML and page is not None:
            body = cached((html_variant(variant, media), uri, media), page)
        else:
            body = rendered(about or uri, media, lambda: _file_triples(file, current_settings().base_uri), variant)
    except UnreadableFile as exc:
        return unreadable(uri, media, exc)
    assert body is not None
    return respond(uri, body, media, negotiated, variant, about)


@bp.route("/def/tilod", defaults={"ext": None})
@bp.route("/def/tilod.<ext>")
def ontology(ext: str | None) -> Response:
    release = current_release()
    base = current_settings().base_uri
    return _document(base + "def/tilod", release.folder / layout.ONTOLOGY, ext, "def",
                     lambda: ontology_doc.page(release, base), about=str(ONTOLOGY_IRI))


@bp.route("/def/tilod/context.jsonld")
def context() -> Response:
    """The JSON-LD context every JSON-LD answer and dump of the release names (ontology/context.jsonld)."""
    release = current_release()
    response = Response(context_file(release).read_bytes(), content_type=content_type(JSON_LD))
    return cacheable(response, release, "context")


@bp.route("/def/tilod/shapes", defaults={"ext": None})
@bp.route("/def/tilod/shapes.<ext>")
def shapes(ext: str | None) -> Response:
    release = current_release()
    base = current_settings().base_uri
    return _document(base + "def/tilod/shapes", release.folder / layout.SHAPES, ext, "shapes",
                     lambda: shapes_doc.page(release, base), about=str(SHAPES_IRI))


@bp.route("/.well-known/void", defaults={"ext": None})
@bp.route("/.well-known/void.<ext>")
def void(ext: str | None) -> Response:
    base = current_settings().base_uri
    return _document(base + ".well-known/void", current_release().folder / layout.VOID, ext, "void")
