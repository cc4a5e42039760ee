"""Outlines from GeoJSON, as GeoSPARQL WKT (CRS84, the GeoSPARQL default).

Territories: ANCT's outlines (`read_outlines`). Communes, départements and régions: the IGN
Admin Express outlines of france-geojson (`read_geometries`), from which each EPCI's outline
is computed as the union of its communes' outlines, only when every one of them has one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from tilod.errors import InputError, Problem
from tilod.records.models import Commune, Groupement, Outline
from tilod.records.reference import Reference

ID_PROPERTIES = ("id_territoire", "id_ti")
#: coordinates kept to 5 decimals of a degree (about a metre): the sources are no finer
DECIMALS = 5
GRID = 10.0**-DECIMALS
COMMUNE_FILES = "geometries/communes-*.geojson"
DEPARTEMENT_FILE = Path("geometries/departements-version-simplifiee.geojson")
REGION_FILE = Path("geometries/regions-version-simplifiee.geojson")


def _ring(path: Path, ring: Any) -> str:
    try:
        return "(" + ", ".join(f"{float(x):.6g} {float(y):.6g}" for x, y, *_ in ring) + ")"
    except (TypeError, ValueError):
        raise InputError.single(path, "coordinates are not [lon, lat] number pairs") from None


def to_wkt(path: Path, geometry: dict[str, Any]) -> str:
    """A GeoJSON Polygon or MultiPolygon as a WKT MULTIPOLYGON."""
    kind = geometry.get("type")
    coordinates: Any = geometry.get("coordinates")
    polygons: Any
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    else:
        raise InputError.single(path, f"geometry type {kind!r} is not Polygon or MultiPolygon")
    if not isinstance(polygons, list) or not polygons:
        raise InputError.single(path, "geometry has no coordinates")
    parts = ["(" + ", ".join(_ring(path, r) for r in polygon) + ")" for polygon in polygons]
    return "MULTIPOLYGON(" + ", ".join(parts) + ")"


def _features(path: Path) -> list[Any]:
    try:
        collection = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise InputError.single(path, "file not found") from None
    except IsADirectoryError:
        raise InputError.single(path, "is a directory, not a GeoJSON file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.single(path, f"not a UTF-8 GeoJSON file: {exc}") from None
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise InputError.single(path, "not a GeoJSON FeatureCollection")
    return features


def read_outlines(path: Path) -> dict[str, str]:
    """Territory id -> WKT, from a FeatureCollection whose features carry `id_territoire`/`id_ti`."""
    outlines: dict[str, str] = {}
    for index, feature in enumerate(_features(path)):
        props = feature.get("properties") or {} if isinstance(feature, dict) else {}
        territory_id = next((props[k] for k in ID_PROPERTIES if k in props), None)
        if not isinstance(territory_id, str) or not isinstance(feature.get("geometry"), dict):
            raise InputError.single(path, f"feature #{index + 1}: no territory id or no geometry")
        outlines[territory_id] = to_wkt(path, feature["geometry"])
    return outlines


# -- communes, départements, régions, EPCI ------------------------------------------------------


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _points(ring: Any) -> list[tuple[float, float]]:
    if not isinstance(ring, list):
        raise ValueError("a ring is not a list of positions")
    points = []
    for position in ring:
        if not (isinstance(position, list) and len(position) >= 2
                and _number(position[0]) and _number(position[1])):
            raise ValueError(f"position {str(position)[:40]} is not a [lon, lat] number pair")
        lon, lat = float(position[0]), float(position[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"position [{lon}, {lat}] is not a longitude and a latitude (CRS84)")
        points.append((lon, lat))
    if len(points) < 4 or points[0] != points[-1]:
        raise ValueError("a ring needs 4 positions or more, the last one equal to the first")
    return points


def _fast_points(ring: Any) -> numpy.ndarray | list[tuple[float, float]]:
    """`_points`, checked on a numpy array at once (35,000 communes: seconds, not tens); any
    ring numpy cannot read as numbers goes through `_points`, which says what is wrong."""
    try:
        array = numpy.array(ring)
    except (ValueError, TypeError):  # ragged
        return _points(ring)
    if array.dtype.kind not in "iuf" or array.ndim != 2 or array.shape[1] < 2 or len(array) < 4:
        return _points(ring)
    points = array[:, :2].astype(float)
    lon, lat = points[:, 0], points[:, 1]
    if not (numpy.isfinite(points).all() and (numpy.abs(lon) <= 180).all() and (numpy.abs(lat) <= 90).all()
            and (points[0] == points[-1]).all()):
        return _points(ring)
    return points


def to_shape(geometry: Any) -> MultiPolygon:
    """A GeoJSON Polygon or MultiPolygon, checked, as a valid shapely MultiPolygon.

    Raises ValueError saying what is wrong.

    >>> to_shape({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}).area
    0.5
    >>> to_shape({"type": "Point", "coordinates": [0, 0]})
    Traceback (most recent call last):
    ...
    ValueError: geometry type 'Point' is not Polygon or MultiPolygon
    >>> to_shape({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})
    Traceback (most recent call last):
    ...
    ValueError: invalid geometry: Self-intersection[0.5 0.5]
    """
    if not isinstance(geometry, dict):
        raise ValueError("no geometry")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"geometry type {str(kind)[:40]!r} is not Polygon or MultiPolygon")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise ValueError("geometry has no coordinates")
    parts = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValueError("a polygon has no rings")
        rings = [_fast_points(ring) for ring in polygon]
        parts.append(Polygon(rings[0], rings[1:]))
    shape = MultiPolygon(parts)
    if not shape.is_valid:
        raise ValueError(f"invalid geometry: {shapely.is_valid_reason(shape)}")
    return shape


def polygons_of(shape: BaseGeometry) -> MultiPolygon:
    """The polygonal part of a shape, as one MultiPolygon (empty if there is none)."""
    if isinstance(shape, MultiPolygon):
        return shape
    if isinstance(shape, Polygon):
        return MultiPolygon([shape])
    parts = [p for g in getattr(shape, "geoms", ()) for p in polygons_of(g).geoms]
    return MultiPolygon(parts)


def shape_wkt(shape: BaseGeometry) -> str:
    """WKT of a shape snapped to the 5-decimal grid (still valid), as a MULTIPOLYGON.

    >>> shape_wkt(Polygon([(3.1234567, 49.0), (3.2, 49.0), (3.2, 49.1), (3.1234567, 49.0)]))
    'MULTIPOLYGON(((3.2 49.1, 3.2 49, 3.12346 49, 3.2 49.1)))'
    """
    coordinates = shapely.get_coordinates(shape)
    on_grid = numpy.array_equal(coordinates, numpy.round(coordinates, DECIMALS))
    snapped = shape if on_grid else polygons_of(shapely.set_precision(shape, GRID))  # snapping costs
    text = shapely.to_wkt(snapped, rounding_precision=DECIMALS, trim=True)
    return text.replace("MULTIPOLYGON (", "MULTIPOLYGON(", 1)


def read_shapes(path: Path, known: Collection[str], notes: list[Problem] | None = None) -> dict[str, MultiPolygon]:
    """INSEE code -> outline, from a FeatureCollection whose features carry a `code` property.

    Raises InputError listing every bad feature: no code, a code seen twice, a geometry that
    is not a valid Polygon or MultiPolygon in CRS84. A feature whose code is not in `known`
    describes nothing of the release: it is left out, with a note in `notes`.
    """
    shapes: dict[str, MultiPolygon] = {}
    problems: list[Problem] = []
    for index, feature in enumerate(_features(path)):
        props = feature.get("properties") if isinstance(feature, dict) else None
        code = props.get("code") if isinstance(props, dict) else None
        name = props.get("nom") if isinstance(props, dict) else None
        record = f"feature #{index + 1}" + (f" {code[:20]}" if isinstance(code, str) else "") + (
            f" ({name[:60]})" if isinstance(name, str) else "")

        def bad(message: str, record: str = record) -> None:
            problems.append(Problem(str(path), None, message, record))

        if not isinstance(code, str) or not code:
            bad("no `code` property (INSEE code)")
            continue
        if code not in known:
            if notes is not None:
                notes.append(Problem(str(path), None, "INSEE code unknown to the reference: outline left out",
                                     record))
            continue
        if code in shapes:
            bad(f"code {code} is there twice")
            continue
        try:
            shapes[code] = to_shape(feature.get("geometry"))
        except ValueError as exc:
            bad(str(exc))
    if problems:
        raise InputError(problems)
    return shapes


@dataclass
class Geometries:
    """Outlines of the places, by INSEE code (SIREN for EPCIs), and the files they come from."""

    communes: dict[str, Outline] = field(default_factory=dict)
    departements: dict[str, Outline] = field(default_factory=dict)
    regions: dict[str, Outline] = field(default_factory=dict)
    epci: dict[str, Outline] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    #: what was left out and why (printed by the build)
    notes: list[Problem] = field(default_factory=list)
    #: the places with no outline, and why (INSEE code or SIREN -> reason)
    missing_communes: dict[str, str] = field(default_factory=dict)
    missing_epci: dict[str, str] = field(default_factory=dict)


def commune_shapes(
    features: Mapping[str, MultiPolygon], communes: Mapping[str, Commune], part_of_2019: Mapping[str, str]
) -> tuple[dict[str, tuple[MultiPolygon, tuple[str, ...]]], dict[str, str]]:
    """Each current commune's outline: its own feature united with those of the communes merged
    into it since the map was drawn (`anciens_codes`), and the codes of those features; and the
    communes left without one, with the reason (never a part of an outline, never too much of one).

    A commune restored since the map was drawn has no feature: the 2019 vintage says which
    feature covered it (`part_of_2019`), so that neither it nor the commune now drawn with that
    feature gets an outline. One whose code changed (its feature is one of its `anciens_codes`,
    and it was part of it in 2019) gets that feature's outline."""
    parts_of: dict[str, list[str]] = {}
    for commune in communes.values():
        own = [commune.code] if commune.code in features else []
        parts_of[commune.code] = own + [a for a in commune.anciens_codes if a in features and a not in communes]
    owner_of = {part: code for code, parts in parts_of.items() for part in parts}
    missing: dict[str, str] = {}
    split_off: dict[str, list[Commune]] = {}  # commune drawn with a feature -> the communes restored out of it
    for commune in communes.values():
        if commune.code in features:
            continue
        whole = part_of_2019.get(commune.code)
        owner = owner_of.get(whole) if whole else None
        if owner == commune.code:
            continue  # drawn under a former code of its own
        if owner is None:
            missing[commune.code] = "not on the 2018 map"
            continue
        missing[commune.code] = f"part of {whole} on the 2018 map, a commune of its own since"
        split_off.setdefault(owner, []).append(commune)
    for owner, restored in split_off.items():
        names = ", ".join(f"{c.code} {c.nom}" for c in restored)
        missing[owner] = f"its outline on the 2018 map also covers {names}, communes of their own since"
    shapes = {code: (union([features[p] for p in parts]), tuple(parts))
              for code, parts in parts_of.items() if parts and code not in missing}
    return shapes, missing


def union(shapes: list[BaseGeometry]) -> MultiPolygon:
    """The union of outlines that share their borders exactly (a coverage, as the shipped
    communes are: one topology for all of France), ten times faster than an overlay; shapes
    that do not form a coverage go through the overlay."""
    if len(shapes) == 1:
        return polygons_of(shapes[0])
    united = shapely.coverage_union_all(shapes)
    if not united.is_valid:
        united = shapely.union_all(shapes)
    return polygons_of(united)


def epci_shapes(
    groupements: Iterable[Groupement], communes: Mapping[str, BaseGeometry]
) -> dict[str, MultiPolygon]:
    """SIREN -> the union of its communes' outlines, for the groupements whose every commune
    has one (none otherwise: an outline with a piece missing would be wrong, not partial)."""
    shapes: dict[str, MultiPolygon] = {}
    for g in groupements:
        if g.communes and all(c in communes for c in g.communes):
            united = union([communes[c] for c in g.communes])
            shapes[g.siren] = polygons_of(shapely.simplify(united, GRID, preserve_topology=True))
    return shapes


#: how many places without an outline the build names, one line each, before it counts the rest
LISTED = 30


def _left_out(where: str, kind: str, total: int, missing: Mapping[str, str]) -> list[Problem]:
    """The build's notes on the places of `kind` left without an outline: the first `LISTED`,
    each with its reason, then the count."""
    notes = [Problem(where, None, f"no outline: {reason}", record) for record, reason in list(missing.items())[:LISTED]]
    rest = f" ({len(missing) - LISTED:,} not listed)" if len(missing) > LISTED else ""
    notes.append(Problem(where, None, f"{len(missing):,} of {total:,} {kind} have no outline{rest}"))
    return notes


def read_geometries(data_dir: Path, reference: Reference) -> Geometries:
    """All the outlines of places, checked against the reference (codes must be known)."""
    found = Geometries()
    communes = reference.communes
    known_communes = set(communes) | {a for c in communes.values() for a in c.anciens_codes}
    features: dict[str, MultiPolygon] = {}
    problems: list[Problem] = []
    for path in sorted(data_dir.glob(COMMUNE_FILES)):
        for code, shape in read_shapes(path, known_communes, found.notes).items():
            if code in features:
                problems.append(Problem(str(path), None, f"commune {code} is also in another file"))
            features[code] = shape
        found.files.append(path)
    if problems:
        raise InputError(problems)
    by_commune, missing = commune_shapes(features, communes, reference.part_of_2019)
    found.communes = {code: Outline(shape_wkt(shape), parts) for code, (shape, parts) in by_commune.items()}
    shapes = {code: shape for code, (shape, _) in by_commune.items()}
    groupements = list(reference.groupements.values())
    members = {g.siren: g.communes for g in groupements}
    found.epci = {siren: Outline(shape_wkt(shape), members[siren])
                  for siren, shape in epci_shapes(groupements, shapes).items()}
    found.missing_communes = {code: missing.get(code, "not on the 2018 map")
                              for code in sorted(communes) if code not in found.communes}
    found.missing_epci = {
        g.siren: next(f"commune {c} {communes[c].nom}: {found.missing_communes[c]}"
                      for c in g.communes if c in found.missing_communes)
        for g in groupements if g.siren not in found.epci and g.communes}
    where = str(data_dir / COMMUNE_FILES)
    found.notes += _left_out(where, "EPCI", len(groupements), {
        f"EPCI {siren} ({reference.groupements[siren].nom})": reason for siren, reason in found.missing_epci.items()})
    found.notes += _left_out(where, "communes", len(communes), {
        f"commune {code} ({communes[code].nom})": reason for code, reason in found.missing_communes.items()})
    path = data_dir / DEPARTEMENT_FILE
    found.departements = {code: Outline(shape_wkt(shape), (code,))
                          for code, shape in read_shapes(path, reference.departements, found.notes).items()}
    path = data_dir / REGION_FILE
    found.regions = {code: Outline(shape_wkt(shape), (code,))
                     for code, shape in read_shapes(path, reference.regions, found.notes).items()}
    found.files += [data_dir / DEPARTEMENT_FILE, data_dir / REGION_FILE]
    return found
