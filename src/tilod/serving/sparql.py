"""The SPARQL endpoint over HTTP: the protocol's rules (tilod.sparql) applied to Flask's request.

Read-only and closed: updates are refused (403), SERVICE is refused before evaluation
(400), FROM / default-graph-uri / named-graph-uri only ever name graphs of the release
store (nothing is fetched), and each query runs in a worker process killed at the limit.
"""

from __future__ import annotations

import functools
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, url_for
from rdflib import BNode, Graph, Literal, URIRef
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import http_date

from tilod.graph.namespaces import RDF, SD
from tilod.release import layout
from tilod.serving.http import CACHE_CONTROL, cacheable, plain_error
from tilod.serving.i18n import page_lang
from tilod.serving.release import ServedRelease, current_release, current_settings
from tilod.serving.rendering.sparql_results import GRAPH_DOWNLOADS, RESULT_DOWNLOADS, result_page
from tilod.serving.rendering.syntax_errors import explain
from tilod.sparql.guard import RefusedQuery, check_query
from tilod.sparql.media_types import FORMAT_IRIS, HTML, RDF_FORMATS, content_type
from tilod.sparql.negotiation import choose_description, choose_result
from tilod.sparql.protocol import Operation, format_name, graph_uris, query_form, read_operation
from tilod.sparql.syntax_errors import diagnose
from tilod.stores.answer_cache import AnswerCache, answer_key
from tilod.stores.base import QueryReply, QueryRequest, QueryTimeout, StoreBusy, StoreUnavailable

bp = Blueprint("sparql", __name__)

QUERIES_DIR = Path(__file__).parent / "queries"
#: media type of a reply -> file extension of its download
DOWNLOAD_EXTENSIONS = {media: name for name, media in {**RESULT_DOWNLOADS, **GRAPH_DOWNLOADS}.items()}
#: the rdflib serializer of each format of the service description
DESCRIPTION_SERIALIZERS = {"text/turtle": "turtle", "application/ld+json": "json-ld",
                           "application/n-triples": "nt", "application/rdf+xml": "xml"}


EXAMPLES_BASE = "http://localhost:8000/"  # the base the example files are written with


_CACHE_LOCK = threading.Lock()

VENDORED_EDITOR = Path(__file__).parent / "static" / "vendor" / "yasgui" / "yasgui.min.js"


def example_queries() -> list[tuple[str, str, str]]:
    return _examples_for(current_settings().base_uri)


@functools.cache  # the files ship with the code: read once per process
def _examples_for(base: str) -> list[tuple[str, str, str]]:
    """(name, title, text) of each example in queries/*.rq, by file name, written for `base`.

    The title is the file's first comment line."""
    examples = []
    for path in sorted(QUERIES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8").replace(EXAMPLES_BASE, base)
        first = text.splitlines()[0] if text else ""
        examples.append((path.stem, first.lstrip("# ").strip() if first.startswith("#") else path.stem, text))
    return examples


@functools.cache  # looked at once per process, not per request
def vendored_assets() -> bool:
    """Whether `make assets` put the query editor in static/ (without it, the plain form stays)."""
    return VENDORED_EDITOR.is_file()


def service_description(endpoint: str) -> Graph:
    base = current_settings().base_uri
    g = Graph()
    service = URIRef(endpoint)
    g.bind("sd", SD)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for iri in FORMAT_IRIS.values():
        g.add((service, SD.resultFormat, URIRef(iri)))
    dataset = BNode()
    graph = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, graph))
    g.add((graph, RDF.type, SD.Graph))
    manifest = current_release().manifest
    g.add((graph, URIRef("http://rdfs.org/ns/void#triples"), Literal(manifest["triples"])))
    # the ontology, VoID and changes: each a named graph of its own (release/layout.py)
    counts = {f["filename"]: f.get("triples") for f in manifest["files"]}
    for filename, name in layout.named_graphs(base, manifest["version"]).items():
        if counts.get(filename) is None:  # a release built before they were
            continue
        named, named_graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, named_graph))
        g.add((named_graph, RDF.type, SD.Graph))
        g.add((named_graph, URIRef("http://rdfs.org/ns/void#triples"), Literal(counts[filename])))
    g.add((dataset, URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), service))
    g.add((service, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), URIRef(base + ".well-known/void")))
    g.add((dataset, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), URIRef(base + ".well-known/void")))
    return g


def describe_service() -> Response:
    settings = current_settings()
    release = current_release()
    media = choose_description(request.headers.get("Accept"))
    if media is None:
        return plain_error(406, "Not Acceptable. The service description is in " + ", ".join(RDF_FORMATS))
    if media == HTML:
        body = render_template("sparql.html", base=settings.base_uri, version=release.version,
                               examples=example_queries(), assets=vendored_assets())
        response = Response(body, content_type=content_type(HTML))
    else:
        data = service_description(settings.base_uri + "sparql").serialize(
            format=DESCRIPTION_SERIALIZERS[media], encoding="utf-8")
        response = Response(data, content_type=content_type(media))
    response.headers["Vary"] = "Accept"
    variant = "sparql-" + media.replace("/", "_") + ("-en" if media == HTML and page_lang() == "en" else "")
    return cacheable(response, release, variant)


def _body() -> bytes:
    """The request's body (cached: a form is parsed from the same bytes).

    Werkzeug cuts a streamed (chunked) body at MAX_CONTENT_LENGTH without a word: one that
    reaches the limit was longer, and must be refused, not read as a shorter query.
    """
    data = request.get_data()
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is None and limit is not None and len(data) >= limit:
        raise RequestEntityTooLarge()
    return data


def _operation() -> Operation:
    return read_operation(request.method, request.args, request.mimetype, request.mimetype_params.get("charset"),
                          _body, lambda: request.form)


# no automatic OPTIONS here: the app's `preflight` route answers it, with the CORS headers
@bp.route("/sparql", methods=["GET", "POST"], provide_automatic_options=False)
def sparql() -> Response:
    settings = current_settings()
    try:
        operation = _operation()
        query = operation.query
        if query is None:
            if request.method == "GET" and set(request.args) <= {"lang"}:  # ?lang=en: the page in English
                return describe_service()
            raise RefusedQuery("missing 'query' parameter")
        if len(query) > settings.max_body_bytes:
            return plain_error(413, f"query longer than {settings.max_body_bytes:,} characters")
        choice = choose_result(query_form(query), format_name(request.args, request.mimetype, lambda: request.form),
                               request.headers.get("Accept"))
        default_graphs, named_graphs = graph_uris(operation.default_graphs), graph_uris(operation.named_graphs)
        sparql_request = QueryRequest(query, choice.media_type, default_graphs, named_graphs,
                                      base_iri=settings.base_uri + "sparql")
        release, key, reply = _kept_answer(sparql_request)
        if reply is None:  # only an answer that passed the guard is ever kept: a kept one needs no second check
            check_query(query)
    except RefusedQuery as exc:
        return plain_error(exc.status, str(exc))
    # one validator per release, query, dataset and format (and page language)
    variant = f"sparql-{key[:32]}" + (f"-page-{page_lang()}" if choice.page else "") if key else None
    if release is not None and variant is not None and request.if_none_match.contains(release.etag(variant)):
        unchanged = cacheable(Response(), release, variant)
        if unchanged.status_code == 304:
            unchanged.headers["Vary"] = "Accept"
            return unchanged
    started = time.perf_counter()
    if reply is None:
        try:
            release = current_release()
            reply = release.data.query(sparql_request)
        except QueryTimeout:
            return plain_error(422, f"query stopped after the time limit of {settings.query_timeout:g} s: "
                                    "narrow it or add a LIMIT")
        except StoreBusy:
            return plain_error(503, "all query workers are busy, try again shortly", {"Retry-After": "5"})
        except StoreUnavailable as exc:
            return plain_error(503, f"the data store is unavailable, try again shortly ({exc})",
                               {"Retry-After": "5"})
        except (EOFError, OSError):
            return plain_error(503, "the query worker stopped unexpectedly, try again", {"Retry-After": "1"})
        cache = _answer_cache(release) if key is not None else None
        if cache is not None and key is not None:
            cache.put(key, reply)  # kept only when complete (status 200)
    if reply.status == 400 and (problem := diagnose(query, reply.body.decode("utf-8", "replace"))):
        reply = QueryReply(400, "text/plain", explain(problem, query, page_lang()).encode("utf-8"))
    if choice.page:
        dataset = [("default-graph-uri", g) for g in default_graphs] + [("named-graph-uri", g) for g in named_graphs]
        response = _results_page(query, dataset, reply.status, reply.media_type, reply.body,
                                 time.perf_counter() - started)
    else:
        response = Response(reply.body, status=reply.status, content_type=content_type(reply.media_type))
        if choice.download and reply.status == 200:
            extension = DOWNLOAD_EXTENSIONS.get(reply.media_type, "txt")
            response.headers["Content-Disposition"] = f'attachment; filename="tilod-resultats.{extension}"'
    if release is not None and variant is not None and reply.status == 200:
        _add_validators(response, release, variant)
    response.headers["Vary"] = "Accept"
    return response


def _add_validators(response: Response, release: ServedRelease, variant: str) -> None:
    """The validators `cacheable` gives, without its conditional check (If-None-Match was answered
    before the store was asked) nor its date formatting per request: a third of a kept answer's time."""
    response.headers["ETag"] = f'"{release.etag(variant)}"'
    last_modified = release.memo.get("last-modified")
    if last_modified is None:
        last_modified = release.memo["last-modified"] = http_date(release.created)
    response.headers["Last-Modified"] = last_modified
    response.headers["Cache-Control"] = CACHE_CONTROL


def _kept_answer(sparql_request: QueryRequest) -> tuple[ServedRelease | None, str | None, QueryReply | None]:
    """(the release, the answer's key, the answer kept for it): key None when the answer is not
    to be kept (no cache, a query with RAND()...); all None while no release can be served (the
    guard still speaks first, then the store's 503)."""
    try:
        release = current_release()
    except StoreUnavailable:
        return None, None, None
    cache = _answer_cache(release)
    store = current_settings().store_url or "embedded"
    key = answer_key(release.version, store, sparql_request) if cache is not None else None
    return release, key, cache.get(key) if cache is not None and key is not None else None


def _answer_cache(release: ServedRelease) -> AnswerCache | None:
    """The release's answer cache in this process (None when TILOD_ANSWER_CACHE_BYTES is 0)."""
    limit = current_settings().answer_cache_bytes
    if limit <= 0:
        return None
    cache = release.memo.get("answers")
    if cache is None:
        with _CACHE_LOCK:  # two threads of one worker: one connection
            cache = release.memo.get("answers")
            if cache is None:
                cache = release.memo["answers"] = AnswerCache(release.folder / layout.ANSWER_CACHE, limit)
    return cache


def _results_page(query: str, dataset: list[tuple[str, str]], status: int, media_type: str, body: bytes,
                  seconds: float) -> Response:
    """The results (or the store's error message) under the query's form, with download links
    (the same query and dataset, on the server that drew the page)."""
    settings = current_settings()
    lang = page_lang()
    page = result_page(body, media_type, lang) if status == 200 else None
    formats = GRAPH_DOWNLOADS if page is not None and page.kind == "graph" else RESULT_DOWNLOADS
    downloads = [(name, url_for("sparql.sparql") + "?" + urlencode([("query", query), *dataset, ("format", name)]))
                 for name in formats]
    html = render_template(
        "sparql_results.html", base=settings.base_uri, version=current_release().version, query=query,
        page=page, error=None if page is not None else body.decode("utf-8", "replace"),
        downloads=downloads, milliseconds=round(seconds * 1000), assets=vendored_assets(),
    )
    return Response(html, status=status, content_type=content_type(HTML))
