"""The server-drawn SVG maps (serving/maps.py): pure functions, on made-up and real outlines."""

from __future__ import annotations

import doctest
import json
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT
from tilod.records.geometry import to_wkt
from tilod.serving import maps

SVG = "{http://www.w3.org/2000/svg}"
POINT = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")


def test_doctests():
    assert doctest.testmod(maps).failed == 0


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
