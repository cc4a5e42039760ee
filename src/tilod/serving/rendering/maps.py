"""Maps drawn on the server as small SVGs, from GeoSPARQL WKT, by one pipeline (shapely).

No tile server, no script. Every outline goes through one pipeline (rendering/outlines.py:
read with shapely, projected into a `Frame`, written as path data). `svg_map` draws one outline
(a commune's, a département's, a région's) as one `<path>`, every vertex kept up to `MAX_POINTS`;
`svg_layers` draws several layers (a territory over its member EPCIs, an EPCI over its communes,
France's régions under its territories), simplified in pixels (Douglas-Peucker), each shape a
link to its page.

>>> wkt = "MULTIPOLYGON(((3 49, 3.5 49, 3.5 49.5, 3 49.5, 3 49)))"
>>> svg = svg_map(wkt, "Un carré", "carte")
>>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="carte"')
True
>>> "<title id=\\"carte\\">Un carré</title>" in svg
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy
import shapely
from markupsafe import Markup
from shapely.geometry import MultiPolygon
from shapely.geometry import Polygon as SPolygon

from tilod.serving.rendering.outlines import (
    MAX_POINTS,
    PAD,
    SIZE,
    Frame,
    number,
    parse_wkt,
    path_data,
    point_count,
    read,
    rings,
    simplify,
)

__all__ = ["MAX_POINTS", "PAD", "SIZE", "DrawnLayer", "Feature", "Layer", "LayeredMap", "Marker", "Style", "parse_wkt",
           "read",
           "point_count", "simplify", "svg_layers", "svg_map"]


def svg_map(wkt: str, title: str, title_id: str) -> Markup | None:
    """The inline SVG of one WKT outline, titled for screen readers; None if nothing to draw."""
    polygons = simplify(parse_wkt(wkt))
    if not polygons:
        return None
    coords = [numpy.array(ring, dtype=float) for polygon in polygons for ring in polygon]
    points = numpy.concatenate(coords)
    frame = Frame.fit((*points.min(axis=0)[:2], *points.max(axis=0)[:2]))
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{id}" viewBox="{vb}" '
        'class="carte" preserveAspectRatio="xMidYMid meet">'
        '<title id="{id}">{title}</title>'
        '<path d="{d}" fill-rule="evenodd"/></svg>'
    ).format(id=title_id, vb=frame.view_box, title=title,
             d=path_data((frame.to_pixels(ring) for ring in coords), 1, every_point=True))


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
    #: hatched (diagonal lines over the fill): readable in black and white, as the press release's
    hatched: bool = False
    #: a point with its name (`Marker`), not an outline
    marker: bool = False


#: light fills, told apart by their hue (ColorBrewer "Paired", light members); strokes in #3a3a3a
PALETTE = ("#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6", "#ffff99", "#fb9a99")
MEMBERS = Style(PALETTE, "#3a3a3a", 1.0)
MEMBERS_THIN = Style(PALETTE, "#3a3a3a", 0.6)
#: an outline over its members; alone (no member drawn), it is filled as `svg_map` fills one
TERRITORY_OUTLINE = Style(("none",), "#000091", 3.0, outline_only=True)
TERRITORY_ALONE = Style(("#cacafb",), "#000091", 1.5)
#: the territory filled under its members, so that a sliver between them is not a hole
TERRITORY_UNDER = Style(("#e3e3fd",), "none", 0.0, outline_only=True)
TERRITORIES = Style(("#cacafb",), "#000091", 0.8)
REGIONS = Style(("#f6f6f6",), "#666666", 0.8)
#: the région map (after the press release's): territories filled, numbered and outlined thick,
#: their EPCIs' perimeters thin over them, the crossing ones hatched, the préfectures as dots
NUMBERED_TERRITORIES = Style(PALETTE, "#000091", 2.0)
EPCI_PERIMETERS = Style(("none",), "#3a3a3a", 0.5, outline_only=True)
CROSSING = Style(("none",), "#3a3a3a", 0.0, outline_only=True, hatched=True)
PREFECTURES = Style(("#ffffff",), "#161616", 1.5, marker=True)


@dataclass(frozen=True)
class Layer:
    """Shapes drawn alike; `legend` names them in the caption (French, translated by the page).
    A `numbered` layer writes each shape's number (its place in `features`, from 1) on it."""

    key: str
    legend: str
    features: Sequence[Feature]
    style: Style
    numbered: bool = False


@dataclass(frozen=True)
class Marker:
    """A point drawn as a dot with its name beside it (a préfecture), in CRS84."""

    lon: float
    lat: float
    label: str


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

    def drawn(self, key: str) -> int:
        """How many shapes of layer `key` are on the map."""
        return sum(layer.drawn for layer in self.layers if layer.key == key)


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
        near = {chosen[j] for j in tree.query(shape, predicate="dwithin", distance=1.0) if j < index}
        free = [f for f in fills if f not in near]
        chosen.append(free[0] if free else fills[index % len(fills)])
    return chosen


def _hatching(pattern_id: str) -> Markup:
    """Diagonal lines every 6 px (the fill of a hatched layer)."""
    return Markup('<defs><pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse" '
                  'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#161616" '
                  'stroke-width="1.4"/></pattern></defs>').format(id=pattern_id)


#: text readable over any fill, on screen and printed: dark letters with a white halo
TEXT = Markup('fill="#161616" stroke="#ffffff" stroke-width="3" paint-order="stroke" stroke-linejoin="round"')


def _numbers(numbered: list[tuple[int, MultiPolygon]]) -> Markup:
    """Each shape's number at a point inside it (its largest part's)."""
    texts = [Markup('<text x="{x}" y="{y}">{n}</text>').format(
        x=number(point.x), y=number(point.y), n=n)
        for n, shape in numbered
        for point in [max(shape.geoms, key=lambda p: p.area).point_on_surface()]]
    return Markup('<g class="numeros" font-size="13" font-weight="bold" text-anchor="middle" '
                  'dominant-baseline="central" pointer-events="none" {text}>').format(text=TEXT) + \
        Markup("").join(texts) + Markup("</g>")


def _markers(markers: Sequence[Marker], fitted: Frame, style: Style) -> tuple[Markup, int]:
    """Each marker as a dot and its name (to its right, or to its left near the right edge)."""
    items = []
    for marker in markers:
        [[x, y]] = fitted.to_pixels(numpy.array([[marker.lon, marker.lat]], dtype=float))
        if not (0 <= x <= fitted.width and 0 <= y <= fitted.height):
            continue
        left = x > fitted.width * 0.8
        items.append(Markup(
            '<circle cx="{x}" cy="{y}" r="4"/><text x="{tx}" y="{y}" text-anchor="{anchor}" {text}>{label}</text>'
        ).format(x=number(x), y=number(y), tx=number(x - 7 if left else x + 7), anchor="end" if left else "start",
                 text=TEXT, label=marker.label))
    group = Markup('<g class="couche-prefectures" fill="{fill}" stroke="{stroke}" stroke-width="{width:g}" '
                   'font-size="12" dominant-baseline="central" pointer-events="none">').format(
        fill=style.fills[0], stroke=style.stroke, width=style.width)
    return group + Markup("").join(items) + Markup("</g>"), len(items)


def svg_layers(
    layers: Sequence[Layer],
    title: str,
    title_id: str,
    *,
    frame: int | None = None,
    size: float = SIZE,
    tolerance: float = 0.5,
    decimals: int = 1,
    markers: Sequence[Marker] = (),
    marker_legend: str = "",
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
        [(f, s) for f in layer.features if (s := read(f.wkt)) is not None] for layer in layers
    ]
    framing = [s for i, found in enumerate(shapes) if frame is None or i == frame for _, s in found]
    if not framing:
        return None
    fitted = Frame.fit(shapely.total_bounds(framing), size)
    view = shapely.box(0, 0, fitted.width, fitted.height)
    body: list[str] = []
    drawn_layers = []
    numbered: list[tuple[int, MultiPolygon]] = []
    pattern_id = f"{title_id}-hachures"
    if any(layer.style.hatched for layer in layers):
        body.append(_hatching(pattern_id))
    for layer, found in zip(layers, shapes, strict=True):
        inside: list[tuple[Feature, MultiPolygon]] = []
        left_out: list[Feature] = []
        numbers = {id(f): n for n, f in enumerate(layer.features, start=1)}
        for feature, shape in found:
            projected = shapely.transform(shape, fitted.to_pixels)
            if not shapely.box(*projected.bounds).intersects(view):
                left_out.append(feature)
                continue
            # plain Douglas-Peucker: a ring crossing itself by half a pixel does not show, and a
            # région's hundred EPCIs simplify in a third of the time
            simple = shapely.simplify(projected, tolerance, preserve_topology=False)
            inside.append((feature, _drop_specks(polygons_of(simple), tolerance * tolerance)))
            if layer.numbered and inside[-1][1].geoms:
                numbered.append((numbers[id(feature)], inside[-1][1]))
        style = layer.style
        fills = _colours([s for _, s in inside], style.fills)
        group = Markup('<g class="couche-{key}" fill="{fill}" stroke="{stroke}" stroke-width="{width:g}" '
                       'stroke-linejoin="round" fill-rule="evenodd"{events}>').format(
            key=layer.key, fill=f"url(#{pattern_id})" if style.hatched else style.fills[0], stroke=style.stroke,
            width=style.width, events=Markup(' pointer-events="none"') if style.outline_only else "")
        items = [group]
        for (feature, shape), fill in zip(inside, fills, strict=True):
            d = path_data(rings(shape), decimals)
            if not d:
                continue
            own_fill = Markup(' fill="{}"').format(fill) if fill != style.fills[0] and not style.hatched else ""
            if feature.href:
                items.append(Markup('<a href="{href}"><title>{label}</title><path d="{d}"{fill}/></a>').format(
                    href=feature.href, label=feature.label, d=d, fill=own_fill))
            else:
                items.append(Markup('<path d="{d}"{fill}><title>{label}</title></path>').format(
                    d=d, fill=own_fill, label=feature.label))
        items.append(Markup("</g>"))
        body.append(Markup("").join(items))
        drawn_layers.append(DrawnLayer(layer.key, layer.legend, style, len(inside), tuple(left_out)))
    if numbered:
        body.append(_numbers(numbered))
    if markers:
        drawn, count = _markers(markers, fitted, PREFECTURES)
        body.append(drawn)
        drawn_layers.append(DrawnLayer("prefectures", marker_legend, PREFECTURES, count))
    svg = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="{id}" viewBox="0 0 {w} {h}" '
        'class="carte carte-couches" preserveAspectRatio="xMidYMid meet"><title id="{id}">{title}</title>'
    ).format(id=title_id, w=number(fitted.width), h=number(fitted.height), title=title)
    return LayeredMap(svg + Markup("").join(body) + Markup("</svg>"), tuple(drawn_layers))


def polygons_of(shape: object) -> MultiPolygon:
    """The polygonal part of a shape as one MultiPolygon (simplifying may return a Polygon)."""
    if isinstance(shape, MultiPolygon):
        return shape
    if isinstance(shape, SPolygon):
        return MultiPolygon([shape])
    return MultiPolygon([p for g in getattr(shape, "geoms", ()) for p in polygons_of(g).geoms])
