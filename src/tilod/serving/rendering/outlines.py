"""Outlines, from GeoSPARQL WKT to SVG path data: the drawing pipeline of every map (rendering/maps.py).

A WKT is read with shapely (`read`), projected into a `Frame` (equirectangular: longitudes shrunk
by the cosine of the frame's middle latitude, so shapes keep their proportions at French latitudes;
north up; fitted into a viewBox) and written as path data (`path_data`). `parse_wkt` and `simplify`
give a single outline's rings as coordinate lists, thinned to `MAX_POINTS`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy
import shapely
from shapely.geometry import MultiPolygon
from shapely.geometry import Polygon as SPolygon

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]  # exterior ring first, then holes

MAX_POINTS = 5000  # more than this is more detail than a 600 px map can show
SIZE = 600.0  # the longer side of the viewBox
PAD = 8.0


def read(wkt: str) -> MultiPolygon | None:
    """The polygons of a WKT (an optional leading CRS IRI is skipped); None if unreadable or empty.

    >>> read("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POLYGON((0 0, 1 0, 1 1, 0 0))").geom_type
    'MultiPolygon'
    >>> read("POINT(1 2)"), read("POLYGON((1 2, 3"), read("MULTIPOLYGON EMPTY")
    (None, None, None)
    """
    text = wkt.strip()
    if text.startswith("<"):
        text = text[text.find(">") + 1:].strip()
    if not text:
        return None
    try:
        shape = shapely.from_wkt(text)
    except (shapely.errors.GEOSException, ValueError):
        return None
    if isinstance(shape, SPolygon):
        shape = MultiPolygon([shape])
    if not isinstance(shape, MultiPolygon) or shape.is_empty:
        return None
    return shape


def parse_wkt(wkt: str) -> list[Polygon]:
    """The rings of a WKT outline as (lon, lat) lists, exterior first; [] if there is nothing to draw.

    >>> parse_wkt("POLYGON((0 0, 1 0, 1 1, 0 0))")
    [[[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]]]
    >>> hole = "(5.1 5.1, 5.2 5.1, 5.1 5.2, 5.1 5.1)"
    >>> two = parse_wkt(f"MULTIPOLYGON(((0 0, 1 0, 0 1, 0 0)), ((5 5, 6 5, 5 6, 5 5), {hole}))")
    >>> len(two), len(two[1]), two[1][1][0]
    (2, 2, (5.1, 5.1))
    """
    shape = read(wkt)
    if shape is None:
        return []
    return [[[(float(x), float(y)) for x, y, *_ in ring.coords] for ring in (p.exterior, *p.interiors)]
            for p in shape.geoms]


def point_count(polygons: Iterable[Polygon]) -> int:
    return sum(len(ring) for polygon in polygons for ring in polygon)


def simplify(polygons: list[Polygon], max_points: int = MAX_POINTS) -> list[Polygon]:
    """Keep every n-th point when there are more than `max_points`; rings left with fewer
    than 4 points (islands smaller than a pixel) are dropped.

    >>> square = [[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]]
    >>> simplify([square], max_points=10) == [square]
    True
    >>> long = [[(float(i), float(i % 7)) for i in range(100)] + [(0.0, 0.0)]]
    >>> [len(r) for r in simplify([long], max_points=20)[0]]  # every 6th of 101, closed
    [18]
    """
    total = point_count(polygons)
    if total <= max_points:
        return polygons
    step = math.ceil(total / max_points)
    kept: list[Polygon] = []
    for polygon in polygons:
        rings = [_thin(ring, step) for ring in polygon]
        if rings[0]:  # no exterior left: the whole polygon is too small to draw
            kept.append([ring for ring in rings if ring])
    return kept or polygons


def _thin(ring: Ring, step: int) -> Ring:
    thinned = ring[::step]
    if thinned[-1] != ring[-1]:
        thinned.append(ring[-1])  # keep the ring closed
    return thinned if len(thinned) >= 4 else []


@dataclass(frozen=True)
class Frame:
    """Where (lon, lat) lands in the viewBox: the projection fitted to `bounds`, `size` px long.

    >>> frame = Frame.fit((0.0, 0.0, 2.0, 1.0), size=20 + 2 * PAD)
    >>> (frame.to_pixels(numpy.array([[0.0, 1.0], [2.0, 0.0]])) - PAD).round(2).tolist()  # north up
    [[0.0, 0.0], [20.0, 10.0]]
    >>> frame.view_box
    '0 0 36 26'
    """

    factor: float  # cos(middle latitude): longitudes shrunk by it
    scale: float  # pixels per projected degree
    origin: tuple[float, float]  # the projected top left corner
    width: float  # of the viewBox, padding included
    height: float

    @classmethod
    def fit(cls, bounds: Sequence[float], size: float = SIZE) -> Frame:
        min_lon, min_lat, max_lon, max_lat = bounds
        factor = math.cos(math.radians((min_lat + max_lat) / 2))
        width, height = (max_lon - min_lon) * factor, max_lat - min_lat
        scale = (size - 2 * PAD) / (max(width, height) or 1.0)
        return cls(factor, scale, (min_lon * factor, -max_lat), width * scale + 2 * PAD, height * scale + 2 * PAD)

    def to_pixels(self, coords: numpy.ndarray) -> numpy.ndarray:
        return (coords[:, :2] * numpy.array([self.factor, -1.0]) - numpy.array(self.origin)) * self.scale + PAD

    @property
    def view_box(self) -> str:
        return f"0 0 {number(self.width)} {number(self.height)}"


def number(value: float) -> str:
    """A length with one decimal at most, as short as it can be written."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def path_data(rings: Iterable[numpy.ndarray], decimals: int, every_point: bool = False) -> str:
    """SVG path data of rings already in pixels, each closed by Z. Unless `every_point`, a ring's
    closing point and points that round to the one before are left out (Z closes the ring), and
    rings left with fewer than 3 points are dropped."""
    parts = []
    for coords in rings:
        points = []
        last = None
        for x, y in numpy.round(coords if every_point else coords[:-1], decimals) + 0.0:
            point = f"{x:g},{y:g}"
            if every_point or point != last:
                points.append(point)
                last = point
        if every_point or len(points) >= 3:
            parts.append("M" + " ".join(points) + "Z")
    return "".join(parts)


def rings(shape: MultiPolygon | SPolygon) -> list[numpy.ndarray]:
    polygons = shape.geoms if isinstance(shape, MultiPolygon) else [shape]
    return [numpy.asarray(ring.coords) for polygon in polygons for ring in (polygon.exterior, *polygon.interiors)]
