"""Every input the build reads, broken in the ways real files break: a clear error or a result,
never another exception (no traceback reaches a person)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from tilod.errors import InputError
from tilod.records.geometry import read_outlines
from tilod.records.reference import load_reference
from tilod.records.territories import read_territories
from tilod.records.turtle_files import parse_turtle

REAL_CSV = (ROOT / "data/territoires/ti_2023_groupements_20231114.csv").read_bytes()
AISNE_ROWS = [line for line in REAL_CSV.splitlines(keepends=True) if b"ti-32" in line][:30]
HEADER = REAL_CSV.splitlines(keepends=True)[0]
SAMPLE = HEADER + b"".join(AISNE_ROWS)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def encodings(text: bytes) -> st.SearchStrategy[bytes]:
    decoded = text.decode("utf-8")
    return st.sampled_from([
        text,
        b"\xef\xbb\xbf" + text,
        decoded.encode("cp1252", "replace"),
        decoded.encode("utf-16"),
        decoded.encode("utf-16-le"),  # no BOM: NUL bytes everywhere
        decoded.encode("latin-1", "replace"),
    ])


@st.composite
def broken_csv(draw) -> bytes:
    data = draw(encodings(SAMPLE))
    action = draw(st.sampled_from(["truncate", "insert", "delimiter", "drop_column", "extra_column",
                                   "duplicate", "huge", "formula", "none"]))
    if action == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif action == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=20)) + data[at:]
    elif action == "delimiter":
        data = data.replace(b",", draw(st.sampled_from([b";", b"\t", b"|", b""])))
    elif action == "drop_column":
        data = b"\n".join(b",".join(line.split(b",")[:-1]) for line in data.splitlines())
    elif action == "extra_column":
        data = b"\n".join(line + b",x" for line in data.splitlines())
    elif action == "duplicate":
        data = data + data.splitlines(keepends=True)[-1]
    elif action == "huge":
        data = data + b"ti-3299," + b"A" * 200_000 + b",200071892,x,CA\n"
    elif action == "formula":
        data = data + b'ti-3299,=HYPERLINK("http://127.0.0.1/"),=1+1,@SUM(A1),CA\n'
    return data


def clear_error(exc: InputError, path: Path) -> None:
    assert str(path) in str(exc)
    assert all(p.message for p in exc.problems)


@FUZZ
@given(data=broken_csv())
def test_territory_csv_never_crashes(tmp_path, inputs, data):
    path = tmp_path / "territoires.csv"
    path.write_bytes(data)
    try:
        result = read_territories(path, "fuzz", inputs.reference, "2023")
    except InputError as exc:
        clear_error(exc, path)
        return
    for problem in result.problems:
        assert problem.file == str(path) and problem.line and problem.line >= 2 and problem.message


def mutate_json(draw, text: str) -> bytes:
    action = draw(st.sampled_from(["truncate", "insert", "retype", "object", "utf16", "empty"]))
    raw = text.encode("utf-8")
    if action == "truncate":
        return raw[: draw(st.integers(0, len(raw)))]
    if action == "insert":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.binary(min_size=1, max_size=10)) + raw[at:]
    if action == "retype":
        records = json.loads(text)
        index = draw(st.integers(0, len(records) - 1))
        key = draw(st.sampled_from(sorted(records[index])))
        records[index][key] = draw(st.one_of(st.none(), st.integers(), st.lists(st.integers(), max_size=2),
                                             st.text(max_size=5)))
        return json.dumps(records).encode()
    if action == "object":
        return b'{"not": "a list"}'
    if action == "utf16":
        return text.encode("utf-16")
    return b""


@st.composite
def broken_reference(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(["regions.json", "departements.json"]))
    text = (ROOT / "data/decoupage-administratif/6.0.0" / name).read_text(encoding="utf-8")
    return name, mutate_json(draw, text)


@pytest.fixture(scope="module")
def data_copy(tmp_path_factory) -> Path:
    """data/ with links to every file, so that one can be replaced by a broken copy."""
    copy = tmp_path_factory.mktemp("data")
    for source in (ROOT / "data").rglob("*"):
        if source.is_file():
            target = copy / source.relative_to(ROOT / "data")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source)
    return copy


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(broken=broken_reference())
def test_reference_json_never_crashes(data_copy, broken):
    name, data = broken
    target = data_copy / "decoupage-administratif/6.0.0" / name
    target.unlink()
    target.write_bytes(data)
    try:
        load_reference(data_copy)
    except InputError as exc:
        clear_error(exc, target)
    finally:
        target.unlink()
        target.symlink_to(ROOT / "data/decoupage-administratif/6.0.0" / name)


GEOJSON = (ROOT / "data/anct/ti_phase1_geom_20231016.geojson").read_text(encoding="utf-8")
SMALL_GEOJSON = json.dumps({"type": "FeatureCollection", "features": json.loads(GEOJSON)["features"][:3]})


@FUZZ
@given(data=st.data())
def test_geojson_never_crashes(tmp_path, data):
    path = tmp_path / "outlines.geojson"
    action = data.draw(st.sampled_from(["truncate", "insert", "geometry", "coords", "no_id"]))
    collection = json.loads(SMALL_GEOJSON)
    if action == "truncate":
        raw = SMALL_GEOJSON.encode()[: data.draw(st.integers(0, len(SMALL_GEOJSON)))]
    elif action == "insert":
        at = data.draw(st.integers(0, len(SMALL_GEOJSON)))
        raw = SMALL_GEOJSON.encode()[:at] + data.draw(st.binary(min_size=1, max_size=8)) + SMALL_GEOJSON.encode()[at:]
    else:
        feature = collection["features"][0]
        if action == "geometry":
            feature["geometry"] = data.draw(st.sampled_from([None, {}, {"type": "Point", "coordinates": [1, 2]}, []]))
        elif action == "coords":
            feature["geometry"]["coordinates"] = data.draw(st.sampled_from([[], [[["a", "b"]]], None, [[[1]]], 5]))
        else:
            feature["properties"] = {}
        raw = json.dumps(collection).encode()
    path.write_bytes(raw)
    try:
        outlines = read_outlines(path)
    except InputError as exc:
        clear_error(exc, path)
        return
    assert all(wkt.startswith("MULTIPOLYGON(") for wkt in outlines.values())


@FUZZ
@given(data=st.data())
def test_ontology_and_shapes_turtle_never_crash(tmp_path, data):
    source = data.draw(st.sampled_from([ROOT / "ontology/tilod.ttl", ROOT / "shapes/tilod-shapes.ttl"]))
    raw = source.read_bytes()
    at = data.draw(st.integers(0, len(raw)))
    mutated = data.draw(st.sampled_from([raw[:at], raw[:at] + b"\xff\xfe" + raw[at:],
                                          raw[:at] + b" <bad iri> ;;; " + raw[at:], raw[:at] + b'"' + raw[at:]]))
    path = tmp_path / source.name
    path.write_bytes(mutated)
    try:
        parse_turtle(path, "http://localhost:8000/")
    except InputError as exc:
        clear_error(exc, path)
