"""The landing page (`/`) and the search (`/recherche?q=`): HTTP only; what they show is drawn
by views/landing.py."""

from __future__ import annotations

import contextlib
import gc
import threading

from flask import Blueprint, Response, current_app, render_template, request

from tilod.serving.http import cacheable
from tilod.serving.release import ServedRelease, current_release, current_settings
from tilod.serving.resources import cached, html_variant
from tilod.serving.views.landing import landing_context, search_index
from tilod.serving.views.queries import PageQueryError
from tilod.serving.views.search import MAX_QUERY, MAX_RESULTS
from tilod.sparql.media_types import HTML, content_type
from tilod.stores.base import QueryTimeout, StoreUnavailable

bp = Blueprint("landing", __name__)


@bp.route("/")
def home() -> Response:
    release = current_release()
    base = current_settings().base_uri
    variant = html_variant("home", HTML)

    def page() -> bytes:
        return render_template("home.html", base=base, version=release.version, manifest=release.manifest,
                               **landing_context()).encode("utf-8")

    body = cached((variant, base, HTML), page)
    warm_up(release)
    return cacheable(Response(body, content_type=content_type(HTML)), release, variant)


def warm_up(release: ServedRelease) -> None:
    """Compile the page templates (~0.15 s, once per process), build the index, then draw the
    landing page (its map of France takes ~0.2 s nationally), in the background when a worker
    starts or the landing page is first served, so that neither the first page, the first search
    nor the first visitor waits for them."""
    if "search" in release.memo or "warming" in release.memo:
        return
    release.memo["warming"] = True  # two threads may both get here: the lock makes one build
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def build() -> None:
        for name in app.jinja_env.list_templates(extensions=["html"]):
            app.jinja_env.get_template(name)  # kept by Jinja's cache
        with app.app_context(), contextlib.suppress(StoreUnavailable, QueryTimeout, PageQueryError):
            search_index(release)
        with app.test_request_context("/"), contextlib.suppress(StoreUnavailable, QueryTimeout, PageQueryError):
            home()  # kept in the per-release cache
        # what is alive now lives as long as the release (the index: ~37k entries, each with a
        # set): left to the collector, every full collection walked it again (0.15-0.3 s, every
        # few thousand requests: the p99 spikes); frozen, collections skip it (freed as usual
        # once unreferenced: only a cycle among these objects would outlive its release)
        gc.freeze()

    threading.Thread(target=build, name="warm-up", daemon=True).start()


@bp.route("/recherche")
def search() -> Response:
    release = current_release()
    query = request.args.get("q", "")[:MAX_QUERY]
    hits, total = search_index(release).search(query) if query.strip() else ([], 0)
    body = render_template("recherche.html", base=current_settings().base_uri, version=release.version, query=query,
                           hits=hits, total=total, max_results=MAX_RESULTS)
    return Response(body, content_type=content_type(HTML))
