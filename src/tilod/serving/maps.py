"""A territory's outline as a small SVG map, drawn on the server from its GeoSPARQL WKT.

No tile server, no script: the outline is projected with an equirectangular projection
(longitudes shrunk by the cosine of the mean latitude, so shapes keep their proportions
at French latitudes), fitted into a viewBox and written as one `<path>`.

>>> wkt = "MULTIPOLYGON(((3 49, 3.5 49, 3.5 49.5, 3 49.5, 3 49)))"
>>> svg = svg_map(wkt, "Un carré", "carte")
>>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="carte"')
True
>>> "<title id=\\"carte\\">Un carré</title>" in svg
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from markupsafe import Markup

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]  # exterior ring first, then holes

MAX_POINTS = 5000  # more than this is more detail than a 600 px map can show
SIZE = 600.0  # the longer side of the viewBox
PAD = 8.0


def parse_wkt(wkt: str) -> list[Polygon]:
    """Polygons of a WKT POLYGON or MULTIPOLYGON (an optional leading CRS IRI is skipped).

    >>> parse_wkt("POLYGON((0 0, 1 0, 1 1, 0 0))")
    [[[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]]]
    >>> crs = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> "
    >>> hole = "(5.1 5.1, 5.2 5.1, 5.1 5.2, 5.1 5.1)"
    >>> two = parse_wkt(crs + f"MULTIPOLYGON(((0 0, 1 0, 0 1, 0 0)), ((5 5, 6 5, 5 6, 5 5), {hole}))")
    >>> len(two), len(two[1]), two[1][1][0]
    (2, 2, (5.1, 5.1))
    >>> parse_wkt("MULTIPOLYGON EMPTY")
    []
    """
    text = wkt.strip()
    if text.startswith("<"):
        text = text[text.index(">") + 1:].strip()
    kind, paren, body = text.partition("(")
    kind = kind.strip().upper()
    if kind.endswith("EMPTY") and not paren:
        return []
    if kind not in ("POLYGON", "MULTIPOLYGON"):
        raise ValueError(f"not a POLYGON or MULTIPOLYGON: {kind[:30]!r}")
    body = "(" + body
    if kind == "POLYGON":
        body = "(" + body + ")"
    polygons: list[Polygon] = []
    depth, start = 0, 0
    for i, char in enumerate(body):
        if char == "(":
            depth += 1
            if depth == 2:
                polygons.append([])
            elif depth == 3:
                start = i + 1
        elif char == ")":
            if depth == 3:
                polygons[-1].append(_ring(body[start:i]))
            depth -= 1
    if depth != 0:
        raise ValueError("unbalanced parentheses in WKT")
    return polygons


def _ring(text: str) -> Ring:
    points = []
    for pair in text.split(","):
        values = pair.split()
        points.append((float(values[0]), float(values[1])))  # lon lat (CRS84); a Z is ignored
    return points


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
    total = sum(len(ring) for polygon in polygons for ring in polygon)
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


def project(polygons: list[Polygon]) -> list[Polygon]:
    """Equirectangular projection: x = lon·cos(mean lat), y = −lat (north up).

    >>> [[[(round(x, 6), y) for x, y in r] for r in p] for p in project([[[(2.0, 60.0), (4.0, 60.0)]]])]
    [[[(1.0, -60.0), (2.0, -60.0)]]]
    """
    lats = [lat for polygon in polygons for ring in polygon for _, lat in ring]
    if not lats:
        return []
    factor = math.cos(math.radians(sum(lats) / len(lats)))
    return [[[(lon * factor, -lat) for lon, lat in ring] for ring in polygon] for polygon in polygons]


def fit(polygons: list[Polygon], size: float = SIZE, pad: float = PAD) -> tuple[str, str]:
    """(path data, viewBox): the shapes scaled so their longer side is `size` − 2·`pad`.

    >>> fit([[[(0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (0.0, 0.0)]]], size=20, pad=0)
    ('M0,0 20,0 20,10 0,0Z', '0 0 20 10')
    """
    points = [p for polygon in polygons for ring in polygon for p in ring]
    min_x = min(x for x, _ in points)
    min_y = min(y for _, y in points)
    width = max(x for x, _ in points) - min_x
    height = max(y for _, y in points) - min_y
    scale = (size - 2 * pad) / (max(width, height) or 1.0)
    parts = []
    for polygon in polygons:
        for ring in polygon:
            coords = " ".join(f"{_n((x - min_x) * scale + pad)},{_n((y - min_y) * scale + pad)}" for x, y in ring)
            parts.append(f"M{coords}Z")
    view_box = f"0 0 {_n(width * scale + 2 * pad)} {_n(height * scale + 2 * pad)}"
    return "".join(parts), view_box


def _n(value: float) -> str:
    """A coordinate with one decimal at most, as short as it can be written."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def svg_map(wkt: str, title: str, title_id: str) -> Markup | None:
    """The inline SVG of a WKT outline, titled for screen readers; None if nothing to draw."""
    try:
        polygons = simplify(parse_wkt(wkt))
    except (ValueError, IndexError):
        return None
    projected = project(polygons)
    if not projected:
        return None
    path, view_box = fit(projected)
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{id}" viewBox="{vb}" '
        'class="carte" preserveAspectRatio="xMidYMid meet">'
        '<title id="{id}">{title}</title>'
        '<path d="{d}" fill-rule="evenodd"/></svg>'
    ).format(id=title_id, vb=view_box, title=title, d=path)


def point_count(polygons: Iterable[Polygon]) -> int:
    return sum(len(ring) for polygon in polygons for ring in polygon)
