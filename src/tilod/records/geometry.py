"""Territory outlines from ANCT's GeoJSON, as GeoSPARQL WKT (CRS84, the GeoSPARQL default)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tilod.errors import InputError

ID_PROPERTIES = ("id_territoire", "id_ti")


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


def read_outlines(path: Path) -> dict[str, str]:
    """Territory id -> WKT, from a FeatureCollection whose features carry `id_territoire`/`id_ti`."""
    try:
        collection = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise InputError.single(path, "file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.single(path, f"not a UTF-8 GeoJSON file: {exc}") from None
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise InputError.single(path, "not a GeoJSON FeatureCollection")
    outlines: dict[str, str] = {}
    for index, feature in enumerate(features):
        props = feature.get("properties") or {} if isinstance(feature, dict) else {}
        territory_id = next((props[k] for k in ID_PROPERTIES if k in props), None)
        if not isinstance(territory_id, str) or not isinstance(feature.get("geometry"), dict):
            raise InputError.single(path, f"feature #{index + 1}: no territory id or no geometry")
        outlines[territory_id] = to_wkt(path, feature["geometry"])
    return outlines
