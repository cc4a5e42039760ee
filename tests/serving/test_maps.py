"""The server-drawn SVG maps (serving/rendering/maps.py): pure functions, on made-up and real outlines."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
import shapely

from conftest import ROOT
from tilod.records.geometry import to_wkt
from tilod.serving.rendering import maps

SVG = "{http://www.w3.org/2000/svg}"
POINT = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")


def real_wkt(territory_id: str) -> str:
    path = ROOT / "data/anct/ti_2023_geom_20231114.geojson"
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        if feature["properties"]["id_territoire"] == territory_id:
            return to_wkt(path, feature["geometry"])
    raise KeyError(territory_id)


def parsed(svg: str) -> tuple[ET.Element, tuple[float, float, float, float], list[tuple[float, float]]]:
    root = ET.fromstring(svg)
    view_box = tuple(float(v) for v in root.attrib["viewBox"].split())
    points = [(float(x), float(y)) for path in root.iter(SVG + "path") for x, y in POINT.findall(path.attrib["d"])]
    return root, view_box, points  # type: ignore[return-value]


@pytest.mark.parametrize("territory_id", ["ti-3208", "ti-5304", "ti-0301"])
def test_a_real_outline_fits_its_view_box(territory_id):
    wkt = real_wkt(territory_id)
    svg = maps.svg_map(wkt, "Carte", "t")
    assert svg is not None
    root, (x0, y0, width, height), points = parsed(str(svg))
    assert root.tag == SVG + "svg"
    assert root.attrib["role"] == "img" and root.attrib["aria-labelledby"] == "t"
    assert root.find(SVG + "title").text == "Carte"
    assert len(points) == maps.point_count(maps.parse_wkt(wkt))
    assert all(x0 <= x <= x0 + width and y0 <= y <= y0 + height for x, y in points)
    assert max(width, height) == pytest.approx(maps.SIZE, abs=0.1)


def test_north_is_up_and_proportions_are_kept():
    # a 1° x 1° square at 60°N is about twice as tall as wide once longitudes are shrunk
    svg = maps.svg_map("POLYGON((10 60, 11 60, 11 61, 10 61, 10 60))", "carré", "c")
    _, (_, _, width, height), points = parsed(str(svg))
    assert (height - 2 * maps.PAD) / (width - 2 * maps.PAD) == pytest.approx(2.0, rel=0.02)
    north = [p for p in points if p[1] == pytest.approx(maps.PAD)]
    assert len(north) == 2  # the 61°N side is at the top


def test_a_large_outline_is_thinned_below_the_limit():
    ring = [(2 + i / 10_000, 49 + (i % 13) / 1000) for i in range(12_000)] + [(2.0, 49.0)]
    polygons = maps.parse_wkt("MULTIPOLYGON(((" + ", ".join(f"{x} {y}" for x, y in ring) + ")))")
    thinned = maps.simplify(polygons)
    assert 1000 < maps.point_count(thinned) <= maps.MAX_POINTS
    assert thinned[0][0][0] == thinned[0][0][-1]  # still closed
    svg = maps.svg_map("MULTIPOLYGON(((" + ", ".join(f"{x} {y}" for x, y in ring) + ")))", "x", "x")
    assert len(parsed(str(svg))[2]) <= maps.MAX_POINTS


def test_holes_and_islands_are_kept():
    wkt = ("MULTIPOLYGON(((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 2, 1 1)), "
           "((6 0, 7 0, 7 1, 6 0)))")
    svg = str(maps.svg_map(wkt, "x", "x"))
    root = ET.fromstring(svg)
    [path] = root.iter(SVG + "path")
    assert path.attrib["d"].count("M") == 3
    assert path.attrib["fill-rule"] == "evenodd"


def test_the_title_is_escaped():
    svg = str(maps.svg_map("POLYGON((0 0, 1 0, 1 1, 0 0))", "<script>alert(1)</script> & co", 'a"b'))
    assert "<script>" not in svg
    root = ET.fromstring(svg)  # still well-formed XML
    assert root.find(SVG + "title").text == "<script>alert(1)</script> & co"


@pytest.mark.parametrize("wkt", ["", "POINT(1 2)", "MULTIPOLYGON EMPTY", "POLYGON((1 2, 3", "POLYGON((a b))"])
def test_nothing_to_draw_is_none(wkt):
    assert maps.svg_map(wkt, "x", "x") is None


# -- maps of several layers ---------------------------------------------------------------------

TERRITORY_HREF = "http://localhost:8000/id/territoire/2023-2027/"


def national_layers(inputs) -> list[maps.Layer]:
    """The landing page's layers, from the real files: régions (france-geojson) and the 183
    territories of 2023-2027 (ANCT)."""
    regions = [maps.Feature(o.wkt, inputs.reference.regions[code].nom) for code, o in inputs.geometries.regions.items()]
    territories = [maps.Feature(wkt, tid, TERRITORY_HREF + tid) for tid, wkt in inputs.outlines["2023-2027"].items()]
    return [maps.Layer("regions", "Région", regions, maps.REGIONS),
            maps.Layer("territoires", "Territoires", territories, maps.TERRITORIES)]


def test_the_national_map_is_small_and_links_every_metropolitan_territory(inputs):
    drawn = maps.svg_layers(national_layers(inputs), "France", "f", frame=0, tolerance=0.75, decimals=0)
    assert drawn is not None
    svg = str(drawn.svg)
    assert len(svg.encode()) < 150_000  # from 2.2 MB of GeoJSON
    root, (x0, y0, width, height), points = parsed(svg)
    assert root.attrib["role"] == "group" and root.find(SVG + "title").text == "France"
    regions, territories = drawn.layers
    assert regions.drawn == 13 and territories.drawn == 173
    overseas = sorted(f.label for f in territories.left_out)  # framed on the régions (metropolitan)
    assert len(overseas) == 10 and all(tid[3:5] in ("01", "02", "03", "04", "06") for tid in overseas)
    links = {a.attrib["href"]: a.find(SVG + "title").text for a in root.iter(SVG + "a")}
    assert len(links) == 173 and all(href == TERRITORY_HREF + title for href, title in links.items())
    assert not set(links) & {TERRITORY_HREF + tid for tid in overseas}
    assert all(x0 - 1 <= x <= x0 + width + 1 and y0 - 1 <= y <= y0 + height + 1 for x, y in points)


def test_neighbours_get_different_fills(inputs):
    # the 5 members of Haute-Picardie (ti-3208), all outlined: the union of their communes'
    members = ["200071785", "200071892", "200070985", "200037059", "200070928"]
    features = [maps.Feature(inputs.geometries.epci[s].wkt, s, f"/id/epci/{s}") for s in members]
    drawn = maps.svg_layers([maps.Layer("membres", "Membres", features, maps.MEMBERS)], "t", "t")
    root = ET.fromstring(str(drawn.svg))
    [group] = root.iter(SVG + "g")
    fill = {a.find(SVG + "title").text: a.find(SVG + "path").attrib.get("fill", group.attrib["fill"])
            for a in root.iter(SVG + "a")}
    assert set(fill.values()) <= set(maps.PALETTE)
    shapes = {s: shapely.from_wkt(inputs.geometries.epci[s].wkt) for s in members}
    touching = [(a, b) for a in members for b in members if a < b and shapes[a].distance(shapes[b]) < 1e-6]
    assert len(touching) >= 4
    assert all(fill[a] != fill[b] for a, b in touching)


def test_an_outline_over_its_members_lets_the_pointer_through():
    square = maps.Feature("POLYGON((3 49, 4 49, 4 50, 3 50, 3 49))", "Membre", "/id/epci/1")
    outline = maps.Feature("POLYGON((2.9 48.9, 4.1 48.9, 4.1 50.1, 2.9 50.1, 2.9 48.9))", "Territoire")
    drawn = maps.svg_layers([maps.Layer("membres", "M", [square], maps.MEMBERS),
                             maps.Layer("territoire", "T", [outline], maps.TERRITORY_OUTLINE)], "x", "x")
    groups = list(ET.fromstring(str(drawn.svg)).iter(SVG + "g"))
    assert [g.attrib.get("pointer-events") for g in groups] == [None, "none"]
    assert groups[1].attrib["fill"] == "none"


def test_every_text_of_a_layered_map_is_escaped():
    nasty = '<script>alert(1)</script> "quoted" & \'co\''
    feature = maps.Feature("POLYGON((0 0, 1 0, 1 1, 0 0))", nasty, 'http://x/id/a?b=1&c="><script>')
    drawn = maps.svg_layers([maps.Layer('k"><script>', nasty, [feature], maps.MEMBERS)], nasty, 'i"d')
    svg = str(drawn.svg)
    assert "<script>" not in svg
    root = ET.fromstring(svg)  # still well-formed XML
    assert root.find(SVG + "title").text == nasty
    [link] = root.iter(SVG + "a")
    assert link.attrib["href"] == 'http://x/id/a?b=1&c="><script>'
    assert link.find(SVG + "title").text == nasty


def test_unreadable_shapes_are_skipped_and_nothing_to_draw_is_none():
    good = maps.Feature("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POLYGON((0 0, 1 0, 1 1, 0 0))", "ok")
    bad = [maps.Feature(wkt, "bad") for wkt in ("", "POINT(1 2)", "POLYGON((1 2, 3", "MULTIPOLYGON EMPTY")]
    drawn = maps.svg_layers([maps.Layer("k", "K", [*bad, good], maps.MEMBERS)], "x", "x")
    assert drawn is not None and drawn.layers[0].drawn == 1
    assert maps.svg_layers([maps.Layer("k", "K", bad, maps.MEMBERS)], "x", "x") is None
    assert maps.svg_layers([], "x", "x") is None
