"""Dereferencing: `{base}id/...`, the ontology, the shapes and the VoID description.

Policy (documented in the README): every URI answers 200 with content negotiation, no 303.
`Vary: Accept` on negotiated answers, which carry `Content-Location` pointing at the
format-specific document (`URI.ttl`, `URI.jsonld`, `URI.nt`, `URI.rdf`, `URI.html`);
those suffix forms and `?format=` are for links people paste.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from tilod.serving.formats import EXTENSIONS, HTML, RDF_ALIASES, RDF_FORMATS, content_type
from tilod.serving.http import cacheable, plain_error
from tilod.serving.negotiation import negotiate
from tilod.serving.release import ServedRelease
from tilod.serving.render import html_rows, serialize

bp = Blueprint("resources", __name__)

OFFERS = ["text/turtle", HTML, "application/ld+json", "application/n-triples", "application/rdf+xml",
          *RDF_ALIASES]
FORMAT_LINKS = [("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdf", "RDF/XML")]


def _release() -> ServedRelease:
    return current_app.extensions["tilod.releases"].get()


def _settings():
    return current_app.extensions["tilod.settings"]


def split_extension(path: str) -> tuple[str, str | None]:
    """'territoire/2023-2027/ti-3208.ttl' -> ('territoire/2023-2027/ti-3208', 'ttl')."""
    stem, dot, ext = path.rpartition(".")
    if dot and ext in EXTENSIONS and "/" not in ext:
        return stem, ext
    return path, None


def choose(ext: str | None) -> tuple[str | None, bool]:
    """(media type, negotiated?) from the suffix, `?format=`, or the Accept header."""
    wanted = ext or request.args.get("format")
    if wanted:
        media = EXTENSIONS.get(wanted) or (wanted if wanted in RDF_FORMATS or wanted == HTML else None)
        return media, False
    media = negotiate(request.headers.get("Accept"), OFFERS)
    return (RDF_ALIASES.get(media, media) if media else None), True


def not_acceptable() -> Response:
    return plain_error(406, "Not Acceptable. Available: " + ", ".join([*RDF_FORMATS, HTML])
                       + " (or add .ttl, .jsonld, .nt, .rdf, .html to the URL)")


def respond(
    uri: str, doc_base: str, triples: list[ox.Triple], media: str, negotiated: bool, variant: str
) -> Response:
    release = _release()
    settings = _settings()
    prefixes = {"tilod": settings.base_uri + "def/tilod#"}
    if media == HTML:
        label, outgoing, incoming = html_rows(uri, triples, prefixes)
        body = render_template(
            "resource.html", uri=uri, label=label, outgoing=outgoing, incoming=incoming,
            formats=FORMAT_LINKS, doc_base=doc_base, base=settings.base_uri, version=release.version,
        ).encode("utf-8")
        ext = "html"
    else:
        body = serialize(triples, media, prefixes)
        ext = RDF_FORMATS[media][0]
    response = Response(body, content_type=content_type(media))
    if negotiated:
        response.headers["Vary"] = "Accept"
        response.headers["Content-Location"] = f"{doc_base}.{ext}"
    response.headers["Link"] = f'<{uri}>; rel="describedby"' if not negotiated else ""
    if not response.headers["Link"]:
        del response.headers["Link"]
    return cacheable(response, release, f"{variant}-{ext}")


def not_found(uri: str, media: str) -> Response:
    if media == HTML:
        settings = _settings()
        body = render_template(
            "message.html", title="Ressource inconnue", uri=uri, base=settings.base_uri,
            message="Cette URI n'est pas décrite dans la release courante de tilod.",
            version=_release().version,
        )
        return Response(body, status=404, content_type=content_type(HTML))
    return plain_error(404, f"Not found: {uri} is not described in the current release")


@bp.route("/id/<path:rest>", methods=["GET"])
def resource(rest: str) -> Response:
    path, ext = split_extension(rest)
    media, negotiated = choose(ext)
    if media is None:
        return not_acceptable()
    settings = _settings()
    uri = settings.base_uri + "id/" + path
    triples = _release().data.describe(uri)
    if not triples:
        return not_found(uri, media)
    return respond(uri, uri, triples, media, negotiated, "id")


def _file_triples(path: Path, base: str) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base)]


def _document(uri: str, file: Path, ext: str | None, variant: str) -> Response:
    """A whole file of the release (ontology, shapes, VoID) with content negotiation."""
    media, negotiated = choose(ext)
    if media is None:
        return not_acceptable()
    triples = _file_triples(file, _settings().base_uri)
    return respond(uri, uri, triples, media, negotiated, variant)


@bp.route("/def/tilod", defaults={"ext": None})
@bp.route("/def/tilod.<ext>")
def ontology(ext: str | None) -> Response:
    release = _release()
    base = _settings().base_uri
    media, negotiated = choose(ext)
    if media == HTML:
        # the ontology's page lists its terms (they point at it with rdfs:isDefinedBy)
        triples = release.data.describe(base + "def/tilod")
        return respond(base + "def/tilod", base + "def/tilod", triples, media, negotiated, "def")
    return _document(base + "def/tilod", release.folder / "ontology.ttl", ext, "def")


@bp.route("/def/tilod/shapes", defaults={"ext": None})
@bp.route("/def/tilod/shapes.<ext>")
def shapes(ext: str | None) -> Response:
    base = _settings().base_uri
    return _document(base + "def/tilod/shapes", _release().folder / "shapes.ttl", ext, "shapes")


@bp.route("/.well-known/void", defaults={"ext": None})
@bp.route("/.well-known/void.<ext>")
def void(ext: str | None) -> Response:
    base = _settings().base_uri
    return _document(base + ".well-known/void", _release().folder / "void.ttl", ext, "void")
