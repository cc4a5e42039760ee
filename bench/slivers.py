"""Where ANCT's territory outlines and the unions of their members' IGN-based outlines disagree.

    python bench/slivers.py [--releases-dir releases] [--out bench/results/slivers.md]

Reads the current release's embedded store (the national one), and for every territory whose
members all have an outline, measures in km² (an equirectangular projection at the territory's
latitude) what lies inside ANCT's outline but outside every member's, and the reverse. A
territory's page fills ANCT's outline under its members, so the first kind shows the territory's
colour, not a hole.
"""

from __future__ import annotations

import argparse
import math
import statistics
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import shapely
from machine import describe_machine

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = """PREFIX geo: <http://www.opengis.net/ont/geosparql#> PREFIX org: <http://www.w3.org/ns/org#>
PREFIX tilod: <https://w3id.org/tilod/def/tilod#> PREFIX dcterms: <http://purl.org/dc/terms/>"""


def km2(shape: shapely.Geometry, latitude: float) -> float:
    return shape.area * 111.32 * math.cos(math.radians(latitude)) * 110.574


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases-dir", type=Path, default=ROOT / "releases")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/slivers.md")
    args = parser.parse_args()
    current = (args.releases_dir / "current").resolve()
    store = ox.Store.read_only(str(current / "store"))
    outlines = {r["t"].value: (r["id"].value, shapely.make_valid(shapely.from_wkt(r["w"].value)))
                for r in store.query(PREFIXES + """SELECT ?t ?id ?w WHERE {
                    ?t a tilod:TerritoireIndustrie ; dcterms:identifier ?id ; geo:hasGeometry/geo:asWKT ?w }""")}
    members: dict[str, list[str | None]] = {}
    for r in store.query(PREFIXES + """SELECT ?t ?w WHERE { ?t a tilod:TerritoireIndustrie ; org:hasMember ?m
                                       OPTIONAL { ?m geo:hasGeometry/geo:asWKT ?w } }"""):
        members.setdefault(r["t"].value, []).append(r["w"].value if r["w"] else None)
    rows = []
    for territory, wkts in members.items():
        if None in wkts or territory not in outlines:
            continue
        identifier, anct = outlines[territory]
        union = shapely.make_valid(shapely.union_all([shapely.from_wkt(w) for w in wkts if w]))
        latitude = anct.centroid.y
        rows.append((territory.rsplit("/", 2)[-2] + " " + identifier, km2(anct, latitude),
                     km2(anct.difference(union), latitude), km2(union.difference(anct), latitude)))
    total, inside, outside = (sum(r[i] for r in rows) for i in (1, 2, 3))
    share = sorted(((r[2] + r[3]) / r[1] * 100, r) for r in rows)
    lines = [
        f"# ANCT's territory outlines against their members' (release {current.name}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "",
        f"`python bench/slivers.py`. Machine: {describe_machine()}.", "",
        f"{len(rows)} of {len(members)} territories have every member drawn; together {total:,.0f} km².", "",
        "| figure | km² | share of the territories' area |", "|---|---|---|",
        f"| inside ANCT's outline, outside every member's | {inside:,.0f} | {inside / total:.2%} |",
        f"| inside a member's, outside ANCT's | {outside:,.0f} | {outside / total:.2%} |", "",
        f"Per territory, both kinds together: median {statistics.median(s for s, _ in share):.2f}% of its area; "
        "the largest:", "",
        "| territory | area, km² | inside ANCT only | inside members only | share |", "|---|---|---|---|---|",
        *(f"| {r[0]} | {r[1]:,.0f} | {r[2]:,.1f} | {r[3]:,.1f} | {s:.2f}% |" for s, r in reversed(share[-8:])),
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
