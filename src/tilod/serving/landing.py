"""The landing page (`/`: the programme, its territories by région, a search form) and the
search (`/recherche?q=`: territories, EPCIs and communes by name or code)."""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request

from tilod.graph.uris import PHASE_1, PHASE_2023, Uris
from tilod.release.search_index import read_search_index, search_index_query
from tilod.serving import maps
from tilod.serving import page_queries as q
from tilod.serving.http import cacheable
from tilod.serving.i18n import href, page_lang, translate
from tilod.serving.release import ServedRelease, current_release, current_settings
from tilod.serving.resources import cached, html_variant
from tilod.serving.search import MAX_QUERY, MAX_RESULTS, SearchIndex, fold
from tilod.sparql.media_types import HTML, content_type
from tilod.stores.base import QueryTimeout, StoreUnavailable

bp = Blueprint("landing", __name__)


@dataclass(frozen=True)
class TerritoryItem:
    href: str
    label: str
    identifier: str
    members: int


@dataclass(frozen=True)
class Region:
    href: str
    label: str
    territories: list[TerritoryItem]


def landing_context() -> dict:
    uris = Uris(current_settings().base_uri)
    phase = str(uris.phase(PHASE_2023))
    programme = next(iter(q.select_served(q.PROGRAMME, programme=str(uris.programme), phase=phase)), {})
    regions: dict[tuple[str, str], list[TerritoryItem]] = defaultdict(list)
    for row in q.select_served(q.TERRITORIES_BY_REGION, phase=phase):
        regions[(row["region"], row["regionLabel"])].append(
            TerritoryItem(row["territory"], row["label"], row["id"], int(row["members"])))
    by_region = [
        Region(href, label, sorted(items, key=lambda t: fold(t.label)))
        for (href, label), items in sorted(regions.items(), key=lambda kv: fold(kv[0][1]))
    ]
    return {
        "programme": programme,
        "programme_uri": str(uris.programme),
        "phase_uri": phase,
        "phase1_uri": str(uris.phase(PHASE_1)),
        "priorities": q.select_served(q.PRIORITIES, phase=phase),
        "measures": sorted(q.select_served(q.MEASURES, phase=phase), key=lambda r: fold(r["label"])),
        "regions": by_region,
        "territory_count": len({t.href for r in by_region for t in r.territories}),
        "map": national_map(phase),
    }


def national_map(phase: str) -> maps.LayeredMap | None:
    """The régions (metropolitan France, which frames the map) and the phase's territories, each
    a link to its page; drawn once per release and language (about 0.1 s nationally), simplified
    to about a pixel so the page stays light (about 100 kB of SVG)."""
    release = current_release()
    base = current_settings().base_uri
    lang = page_lang()
    key = f"national-map-{lang}"
    if key not in release.memo:
        if "national-map-rows" not in release.memo:  # the outlines, read once for both languages
            release.memo["national-map-rows"] = q.select_served(q.NATIONAL_MAP, phase=phase)
        layers: dict[str, dict[str, maps.Feature]] = {"region": {}, "territoire": {}}
        for row in release.memo["national-map-rows"]:
            layers[row["kind"]].setdefault(
                row["item"], maps.Feature(row["wkt"], row["label"], href(row["item"], lang, base)))
        regions = sorted(layers["region"].values(), key=lambda f: fold(f.label))
        territories = sorted(layers["territoire"].values(), key=lambda f: fold(f.label))
        release.memo[key] = maps.svg_layers(
            [maps.Layer("regions", "Région", [maps.Feature(f.wkt, f.label) for f in regions], maps.REGIONS),
             maps.Layer("territoires", "Territoire d'industrie 2023-2027 (lien vers sa page)", territories,
                        maps.TERRITORIES)],
            translate("Carte des Territoires d'industrie 2023-2027", lang), "titre-carte-nationale-svg",
            frame=0 if regions else None, tolerance=0.75, decimals=0,
        ) if territories else None
    return release.memo[key]


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


def search_index(release: ServedRelease) -> SearchIndex:
    """Built once per release from the names the build wrote (or, for an older release, from
    the store: about 1.5 s for the whole of France), then kept with it."""
    index = release.memo.get("search")
    if index is None:
        with release.memo.setdefault("search-lock", threading.Lock()):
            index = release.memo.get("search")
            if index is None:
                rows = read_search_index(release.folder)
                if rows is None:
                    base = current_settings().base_uri
                    rows = q.select(release.data, search_index_query(base), base)
                index = release.memo["search"] = SearchIndex(rows)
    return index


def warm_up(release: ServedRelease) -> None:
    """Build the index, then draw the landing page (its map of France takes ~0.2 s nationally),
    in the background when a worker starts or the landing page is first served, so that
    neither the first search nor the first visitor waits for them."""
    if "search" in release.memo or "warming" in release.memo:
        return
    release.memo["warming"] = True  # two threads may both get here: the lock makes one build
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def build() -> None:
        with app.app_context(), contextlib.suppress(StoreUnavailable, QueryTimeout, q.PageQueryError):
            search_index(release)
        with app.test_request_context("/"), contextlib.suppress(StoreUnavailable, QueryTimeout, q.PageQueryError):
            home()  # kept in the per-release cache

    threading.Thread(target=build, name="warm-up", daemon=True).start()


@bp.route("/recherche")
def search() -> Response:
    release = current_release()
    query = request.args.get("q", "")[:MAX_QUERY]
    hits, total = search_index(release).search(query) if query.strip() else ([], 0)
    body = render_template("recherche.html", base=current_settings().base_uri, version=release.version, query=query,
                           hits=hits, total=total, max_results=MAX_RESULTS)
    return Response(body, content_type=content_type(HTML))
