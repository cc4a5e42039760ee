"""What the landing page shows (the programme, its priorities and measures, the 2023-2027
territories by région, the national map) and the search index behind `/recherche`."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass

from tilod.graph.uris import PHASE_1, PHASE_2023, Uris
from tilod.release.search_index import SEARCH_INDEX_QUERY, read_search_index
from tilod.serving.i18n import href, page_lang, translate
from tilod.serving.release import ServedRelease, current_release, current_settings
from tilod.serving.rendering import maps
from tilod.serving.views.queries import select, select_served
from tilod.serving.views.search import SearchIndex, fold


@dataclass(frozen=True)
class TerritoryItem:
    href: str
    label: str
    identifier: str
    members: int


@dataclass(frozen=True)
class RegionTerritories:
    """A région on the landing page, with its 2023-2027 territories."""

    href: str
    label: str
    territories: list[TerritoryItem]


def landing_context() -> dict:
    uris = Uris(current_settings().base_uri)
    phase = str(uris.phase(PHASE_2023))
    programme = next(iter(select_served("programme", programme=str(uris.programme), phase=phase)), {})
    regions: dict[tuple[str, str], list[TerritoryItem]] = defaultdict(list)
    for row in select_served("territories-by-region", phase=phase):
        regions[(row["region"], row["regionLabel"])].append(
            TerritoryItem(row["territory"], row["label"], row["id"], int(row["members"])))
    by_region = [
        RegionTerritories(href, label, sorted(items, key=lambda t: fold(t.label)))
        for (href, label), items in sorted(regions.items(), key=lambda kv: fold(kv[0][1]))
    ]
    return {
        "programme": programme,
        "programme_uri": str(uris.programme),
        "phase_uri": phase,
        "phase1_uri": str(uris.phase(PHASE_1)),
        "priorities": select_served("priorities", phase=phase),
        "measures": sorted(select_served("measures", phase=phase), key=lambda r: fold(r["label"])),
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
            release.memo["national-map-rows"] = select_served("national-map", phase=phase)
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
                    rows = select(release.data, SEARCH_INDEX_QUERY, base)
                index = release.memo["search"] = SearchIndex(rows)
    return index
