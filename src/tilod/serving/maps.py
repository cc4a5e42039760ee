"""Maps drawn on the server as small SVGs, from GeoSPARQL WKT.

No tile server, no script: outlines are projected with an equirectangular projection
(longitudes shrunk by the cosine of the mean latitude, so shapes keep their proportions
at French latitudes) and fitted into a viewBox. `svg_map` draws one outline as one `<path>`;
`svg_layers` draws several layers (a territory over its member EPCIs, an EPCI over its
communes, France's régions under its territories), each shape a link to its page.

>>> wkt = "MULTIPOLYGON(((3 49, 3.5 49, 3.5 49.5, 3 49.5, 3 49)))"
>>> svg = svg_map(wkt, "Un carré", "carte")
>>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="carte"')
True
>>> "<title id=\\"carte\\">Un carré</title>" in svg
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy
import shapely
from markupsafe import Markup
from shapely.geometry import MultiPolygon
from shapely.geometry import Polygon as SPolygon

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


# -- maps of several layers ---------------------------------------------------------------------
#
# A territory with its member EPCIs, an EPCI with its communes, France with its régions and
# territories: each layer is a list of named shapes (each a link to its page, if it has one),
# drawn in one frame. Shapes are simplified in pixels (Douglas-Peucker, shapely) after the
# projection, so a map of France weighs tens of kilobytes, not megabytes.


@dataclass(frozen=True)
class Feature:
    """One shape of a layer: its WKT, its name (tooltip, and the link's accessible name), its page."""

    wkt: str
    label: str
    href: str | None = None


@dataclass(frozen=True)
class Style:
    """How a layer is drawn. Several fills are given in turn so that neighbours differ; the
    strokes are dark enough to be told from every fill and from the page (contrast > 3:1)."""

    fills: tuple[str, ...]
    stroke: str
    width: float
    #: drawn on top but lets the pointer through to the layers below (an outline, no fill)
    outline_only: bool = False


#: light fills, told apart by their hue (ColorBrewer "Paired", light members); strokes in #3a3a3a
PALETTE = ("#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6", "#ffff99", "#fb9a99")
MEMBERS = Style(PALETTE, "#3a3a3a", 1.0)
MEMBERS_THIN = Style(PALETTE, "#3a3a3a", 0.6)
#: an outline over its members; alone (no member drawn), it is filled as `svg_map` fills one
TERRITORY_OUTLINE = Style(("none",), "#000091", 3.0, outline_only=True)
TERRITORY_ALONE = Style(("#cacafb",), "#000091", 1.5)
TERRITORIES = Style(("#cacafb",), "#000091", 0.8)
REGIONS = Style(("#f6f6f6",), "#666666", 0.8)


@dataclass(frozen=True)
class Layer:
    """Shapes drawn alike; `legend` names them in the caption (French, translated by the page)."""

    key: str
    legend: str
    features: Sequence[Feature]
    style: Style


@dataclass(frozen=True)
class DrawnLayer:
    key: str
    legend: str
    style: Style
    drawn: int
    #: shapes outside the frame (overseas, on a map framed on metropolitan France)
    left_out: tuple[Feature, ...] = ()


@dataclass(frozen=True)
class LayeredMap:
    svg: Markup
    layers: tuple[DrawnLayer, ...]

    def __html__(self) -> str:
        return str(self.svg)


def _shape(wkt: str) -> MultiPolygon | None:
    """The polygons of a WKT (an optional leading CRS IRI is skipped); None if unreadable."""
    text = wkt.strip()
    if text.startswith("<"):
        text = text[text.find(">") + 1:]
    try:
        shape = shapely.from_wkt(text)
    except (shapely.errors.GEOSException, ValueError):
        return None
    if isinstance(shape, SPolygon):
        shape = MultiPolygon([shape])
    if not isinstance(shape, MultiPolygon) or shape.is_empty:
        return None
    return shape


def _path(shape: MultiPolygon | SPolygon, decimals: int) -> str:
    """SVG path data of the rings of `shape` (already in pixels), each closed by Z."""
    parts = []
    polygons = shape.geoms if isinstance(shape, MultiPolygon) else [shape]
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            points = []
            last = None
            for x, y in numpy.round(numpy.asarray(ring.coords)[:-1], decimals) + 0.0:
                point = f"{x:g},{y:g}"
                if point != last:
                    points.append(point)
                    last = point
            if len(points) >= 3:
                parts.append("M" + " ".join(points) + "Z")
    return "".join(parts)


def _drop_specks(shape: MultiPolygon, min_area: float) -> MultiPolygon:
    """The polygons of `shape` of `min_area` px² or more (at least its largest one)."""
    polygons = sorted(shape.geoms, key=lambda p: p.area, reverse=True)
    kept = [p for p in polygons[1:] if p.area >= min_area]
    return MultiPolygon([polygons[0], *kept]) if polygons else shape


def _colours(shapes: list[MultiPolygon], fills: tuple[str, ...]) -> list[str]:
    """A fill for each shape, neighbours (closer than a pixel) taking different ones when the
    palette allows (greedy colouring, in the order given)."""
    if len(fills) == 1:
        return [fills[0]] * len(shapes)
    tree = shapely.STRtree(shapes)
    chosen: list[str] = []
    for index, shape in enumerate(shapes):
        near = {chosen[j] for j in tree.query(shape.buffer(1.0)) if j < index}
        free = [f for f in fills if f not in near]
        chosen.append(free[0] if free else fills[index % len(fills)])
    return chosen


def svg_layers(
    layers: Sequence[Layer],
    title: str,
    title_id: str,
    *,
    frame: int | None = None,
    size: float = SIZE,
    tolerance: float = 0.5,
    decimals: int = 1,
) -> LayeredMap | None:
    """An SVG map of `layers` (the first drawn first), titled for screen readers; None if
    nothing can be drawn.

    The frame fits every shape, or only those of layer `frame` (shapes outside it are left out
    and listed in the result). Every text is escaped. Shapes with a page are links.

    >>> square = Feature("POLYGON((3 49, 3.5 49, 3.5 49.5, 3 49.5, 3 49))", "Un <carré>", "http://x/id/a?b&c")
    >>> far = Feature("POLYGON((55 -21, 55.5 -21, 55.5 -20.5, 55 -21))", "Loin")
    >>> drawn = svg_layers([Layer("fond", "Fond", [square], REGIONS),
    ...                     Layer("t", "Territoires", [square, far], TERRITORIES)], "Titre & co", "c", frame=0)
    >>> [(layer.drawn, [f.label for f in layer.left_out]) for layer in drawn.layers]
    [(1, []), (1, ['Loin'])]
    >>> '<a href="http://x/id/a?b&amp;c"><title>Un &lt;carré&gt;</title>' in drawn.svg
    True
    >>> '<title id="c">Titre &amp; co</title>' in drawn.svg
    True
    """
    shapes: list[list[tuple[Feature, MultiPolygon]]] = [
        [(f, s) for f in layer.features if (s := _shape(f.wkt)) is not None] for layer in layers
    ]
    framing = [s for i, found in enumerate(shapes) if frame is None or i == frame for _, s in found]
    if not framing:
        return None
    min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(framing)
    factor = math.cos(math.radians((min_lat + max_lat) / 2))
    width, height = (max_lon - min_lon) * factor, max_lat - min_lat
    scale = (size - 2 * PAD) / (max(width, height) or 1.0)
    offset = numpy.array([min_lon * factor, -max_lat])

    def to_pixels(coords: numpy.ndarray) -> numpy.ndarray:
        return (coords * numpy.array([factor, -1.0]) - offset) * scale + PAD

    view_width, view_height = width * scale + 2 * PAD, height * scale + 2 * PAD
    view = shapely.box(0, 0, view_width, view_height)
    body: list[str] = []
    drawn_layers = []
    for layer, found in zip(layers, shapes, strict=True):
        inside: list[tuple[Feature, MultiPolygon]] = []
        left_out: list[Feature] = []
        for feature, shape in found:
            projected = shapely.transform(shape, to_pixels)
            if not shapely.box(*projected.bounds).intersects(view):
                left_out.append(feature)
                continue
            simple = shapely.simplify(projected, tolerance, preserve_topology=True)
            inside.append((feature, _drop_specks(polygons_of(simple), tolerance * tolerance)))
        style = layer.style
        fills = _colours([s for _, s in inside], style.fills)
        group = Markup('<g class="couche-{key}" fill="{fill}" stroke="{stroke}" stroke-width="{width:g}" '
                       'stroke-linejoin="round" fill-rule="evenodd"{events}>').format(
            key=layer.key, fill=style.fills[0], stroke=style.stroke, width=style.width,
            events=Markup(' pointer-events="none"') if style.outline_only else "")
        items = [group]
        for (feature, shape), fill in zip(inside, fills, strict=True):
            d = _path(shape, decimals)
            if not d:
                continue
            own_fill = Markup(' fill="{}"').format(fill) if fill != style.fills[0] else ""
            if feature.href:
                items.append(Markup('<a href="{href}"><title>{label}</title><path d="{d}"{fill}/></a>').format(
                    href=feature.href, label=feature.label, d=d, fill=own_fill))
            else:
                items.append(Markup('<path d="{d}"{fill}><title>{label}</title></path>').format(
                    d=d, fill=own_fill, label=feature.label))
        items.append(Markup("</g>"))
        body.append(Markup("").join(items))
        drawn_layers.append(DrawnLayer(layer.key, layer.legend, style, len(inside), tuple(left_out)))
    svg = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="{id}" viewBox="0 0 {w} {h}" '
        'class="carte carte-couches" preserveAspectRatio="xMidYMid meet"><title id="{id}">{title}</title>'
    ).format(id=title_id, w=_n(view_width), h=_n(view_height), title=title)
    return LayeredMap(svg + Markup("").join(body) + Markup("</svg>"), tuple(drawn_layers))


def polygons_of(shape: object) -> MultiPolygon:
    """The polygonal part of a shape as one MultiPolygon (simplifying may return a Polygon)."""
    if isinstance(shape, MultiPolygon):
        return shape
    if isinstance(shape, SPolygon):
        return MultiPolygon([shape])
    return MultiPolygon([p for g in getattr(shape, "geoms", ()) for p in polygons_of(g).geoms])
