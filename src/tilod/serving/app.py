"""The Flask application: one blueprint per area, the release holder, CORS, errors."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from tilod.errors import TilodError
from tilod.release import layout
from tilod.serving import downloads, history_page, landing, memento, resources, sparql, strict_input, uri_policy
from tilod.serving.access_log import log_to_stderr
from tilod.serving.http import add_cors, add_nosniff, leave_date_to_server, plain_error
from tilod.serving.i18n import template_globals
from tilod.serving.release import ReleaseHolder
from tilod.serving.replay import ReplayMiddleware
from tilod.settings import Settings
from tilod.sparql.media_types import HTML, content_type
from tilod.sparql.negotiation import error_as_page
from tilod.stores.base import QueryTimeout, StoreUnavailable


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.load()
    app = Flask(__name__)
    log_to_stderr()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # our access log replaces its own
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    holder = ReleaseHolder(settings)
    if not settings.store_url:
        holder.get()  # fail at start, not at the first request, if there is no release
    # (a remote store may come up after the web workers: until then they answer 503)
    app.extensions["tilod.settings"] = settings
    app.extensions["tilod.releases"] = holder
    for blueprint in (landing.bp, resources.bp, memento.bp, sparql.bp, downloads.bp, history_page.bp, uri_policy.bp):
        app.register_blueprint(blueprint)

    if not settings.store_url:
        with app.app_context():  # neither the first search nor the first visitor waits
            landing.warm_up(holder.get())

    @app.context_processor
    def words() -> dict:
        return template_globals(settings.base_uri)  # lang, t(), href()... (serving/i18n/)

    @app.route("/health")
    def health() -> Response:
        return Response("ok\n", content_type="text/plain; charset=utf-8")

    @app.route("/health/store")
    def health_store() -> Response:
        release = holder.get()
        ok = release.data.healthy()
        return plain_error(200 if ok else 503, f"store {'ok' if ok else 'not answering'}: release {release.version}")

    app.before_request(strict_input.refuse_bytes_not_utf8)  # the access log (serving/replay.py) times it

    @app.after_request
    def cors_and_nosniff(response: Response) -> Response:
        add_cors(response)
        add_nosniff(response)
        leave_date_to_server(response)
        return response

    @app.route("/sparql", methods=["OPTIONS"])
    def preflight() -> Response:
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response.headers["Access-Control-Max-Age"] = "86400"
        return response

    @app.errorhandler(StoreUnavailable)
    @app.errorhandler(QueryTimeout)
    def store_down(exc: Exception) -> Response:
        reason = str(exc) or "the data store did not answer in time"
        return plain_error(503, f"data store unavailable, try again shortly: {reason}", {"Retry-After": "5"})

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        code = exc.code or 500
        if code == 404 and error_as_page(request.headers.get("Accept")):
            body = render_template("message.html", title="Page introuvable", uri=None, base=settings.base_uri,
                                   message="Rien à cette adresse.", path=request.path,
                                   version=holder.get().version if holder.ready else "")
            return Response(body, status=404, content_type=content_type(HTML))
        # keep the exception's own headers (e.g. the Allow a 405 must carry), not its HTML type
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return plain_error(code, f"{code} {exc.name}: {exc.description}", headers)

    # in front of Flask: replays the answers kept for the release, and logs every answer
    app.wsgi_app = ReplayMiddleware(app.wsgi_app, holder)  # type: ignore[method-assign]
    return app


LOOPBACK = ("localhost", "127.0.0.1", "::1")


def check_address(settings: Settings) -> None:
    """Refuse to serve where the release's links lead elsewhere, with the command that fixes it:
    a release built for another base URI than TILOD_BASE_URI, or a base URI on this machine whose
    port is not the one served (TILOD_PORT=8001 alone would leave every link on 8000)."""
    base = settings.base_uri
    try:
        built_for = layout.read_manifest(layout.current_link(settings.releases_dir).resolve()).get("base_uri")
    except (OSError, ValueError):
        built_for = None  # no release yet: the server says so on every page
    if built_for and built_for != base:
        raise TilodError(
            f"the current release was built for {built_for}, but TILOD_BASE_URI is {base}: its URIs would "
            f"not be found here.\nBuild for this base (TILOD_BASE_URI={base} tilod build), or serve with "
            f"TILOD_BASE_URI={built_for}")
    parts = urlsplit(base)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.hostname in LOOPBACK and port != settings.port and not settings.allow_other_port:
        here = f"{parts.scheme}://{parts.hostname}:{settings.port}/"
        raise TilodError(
            f"TILOD_BASE_URI is {base}: every link of the release leads to port {port}, but tilod would "
            f"listen on {settings.port}.\nServe on port {port} (TILOD_PORT={port}), or build and serve for "
            f"port {settings.port}: TILOD_BASE_URI={here} tilod build && TILOD_BASE_URI={here} "
            f"TILOD_PORT={settings.port} tilod serve\n(behind a proxy that answers at {base}: "
            "TILOD_ALLOW_OTHER_PORT=1)")


def run(settings: Settings) -> None:
    check_address(settings)
    app = create_app(settings)
    app.wsgi_app = strict_input.with_raw_request_line(app.wsgi_app)  # type: ignore[method-assign]
    print(f"tilod: serving {layout.current_link(settings.releases_dir)} on http://{settings.host}:{settings.port}/ "
          f"(base URI {settings.base_uri})", flush=True)
    app.run(host=settings.host, port=settings.port, threaded=True)
