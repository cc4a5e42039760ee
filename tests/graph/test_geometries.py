"""Outlines of communes, départements, régions and EPCIs in the graph (GeoSPARQL), from the real
france-geojson files: where they are, what they are made of, and bad files giving clear errors."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest
import shapely
from helpers import BASE, TILOD_NS
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from conftest import ROOT
from tilod.errors import InputError
from tilod.graph.namespaces import GEO, IGEO
from tilod.records import geometry
from tilod.records.geometry import epci_shapes, read_geometries, read_shapes

ID = BASE + "id/"
FRANCE_GEOJSON = URIRef(ID + "source/france-geojson")
AISNE_COMMUNES = ROOT / "data/geometries/communes-02-aisne.geojson"
SAINT_QUENTINOIS = "200071892"  # CA du Saint-Quentinois: 39 communes, all in the Aisne
VILLES_SOEURS = "247600588"  # CC des Villes Soeurs: 13 communes in the Somme, 15 in Seine-Maritime
#: the communes of the Aisne and the Somme on the 2018 map merged into others since (6.0.0 anciensCodes)
MERGED_SINCE = {a for c in json.loads((ROOT / "data/decoupage-administratif/6.0.0/communes.json").read_text(
    encoding="utf-8")) if c["type"] == "commune-actuelle" for a in c.get("anciensCodes", [])}


def features(path: Path) -> dict[str, shapely.MultiPolygon]:
    """The file's own shapes by code, read with shapely alone (not with tilod's reader)."""
    return {f["properties"]["code"]: shapely.geometry.shape(f["geometry"])
            for f in json.loads(path.read_text(encoding="utf-8"))["features"]}


def outline_of(graph, place: URIRef):
    [node] = graph.objects(place, GEO.hasGeometry)
    [wkt] = graph.objects(node, GEO.asWKT)
    return node, wkt


# -- in the graph -------------------------------------------------------------------------------

def test_every_commune_of_the_subset_has_an_outline(subset_graph):
    """The Aisne, the Somme and the communes of their EPCIs and territories beyond (Seine-Maritime,
    Oise, Nord...): every one on the 2018 map, so every one drawn."""
    with_outline, without = set(), set()
    for commune in subset_graph.subjects(RDF.type, IGEO.Commune):
        code = str(subset_graph.value(commune, IGEO.codeINSEE))
        (with_outline if (commune, GEO.hasGeometry, None) in subset_graph else without).add(code)
    assert without == set()
    assert {c for c in with_outline if c[:2] in ("02", "80")} == (set(features(AISNE_COMMUNES)) | set(
        features(ROOT / "data/geometries/communes-80-somme.geojson"))) - MERGED_SINCE
    assert {c[:2] for c in with_outline} == {"02", "80", "76", "62"}


def metres(shape: shapely.Geometry, latitude: float = 49.5) -> shapely.Geometry:
    """The shape in metres, projected equirectangularly at `latitude` (the Aisne's: under 0.5% off
    across a commune)."""
    scale = numpy.array([111_320 * math.cos(math.radians(latitude)), 110_574])
    return shapely.transform(shape, lambda xy: xy * scale)


def test_the_shipped_outlines_are_within_50_m_of_the_source():
    """`make outlines` simplifies at 50 m (Douglas-Peucker) and rounds to 5 decimals (about a metre):
    no shipped commune outline is further than that from france-geojson's, none is lost."""
    source = features(ROOT / "tests/data/france-geojson/communes-02-aisne.geojson")
    shipped = features(AISNE_COMMUNES)
    assert set(shipped) == set(source)
    distances = {code: metres(shipped[code]).hausdorff_distance(metres(source[code])) for code in source}
    assert 25 < max(distances.values()) <= 50 + 1.5
    assert sum(shapely.get_num_coordinates(list(shipped.values()))) < 0.8 * sum(
        shapely.get_num_coordinates(list(source.values())))


def test_departements_and_regions_have_their_outlines(subset_graph):
    for kind, pattern in ((IGEO.Departement, "departement"), (IGEO.Region, "region")):
        places = set(subset_graph.subjects(RDF.type, kind))
        assert places
        for place in places:
            node, wkt = outline_of(subset_graph, place)
            assert node == URIRef(f"{place}/geometrie") and f"/id/{pattern}/" in node
            assert wkt.datatype == GEO.wktLiteral and str(wkt).startswith("MULTIPOLYGON(((")


def test_each_geometry_is_one_wkt_literal_with_its_source(subset_graph):
    nodes = set(subset_graph.objects(None, GEO.hasGeometry))
    assert len(nodes) > 1600
    for node in nodes:
        assert (node, RDF.type, GEO.Geometry) in subset_graph
        [wkt] = subset_graph.objects(node, GEO.asWKT)
        assert isinstance(wkt, Literal) and wkt.datatype == GEO.wktLiteral
        assert shapely.from_wkt(str(wkt)).is_valid
        assert list(subset_graph.objects(node, DCTERMS.source)), node
    aisne, wkt = outline_of(subset_graph, URIRef(ID + "departement/02"))
    assert (aisne, DCTERMS.source, FRANCE_GEOJSON) in subset_graph
    assert (FRANCE_GEOJSON, RDF.type, PROV.Entity) in subset_graph  # described (programme.ttl)
    decimals = {len(n.split(".")[1]) for n in str(wkt).replace("(", " ").replace(")", " ").replace(",", " ").split()
                if "." in n}
    assert max(decimals) == 5  # the source has 15 decimals; 5 (about a metre) are kept


def test_a_commune_merged_since_the_map_gets_the_union_of_its_parts(subset_graph):
    # Yaucourt-Bussus (80830, on the 2018 map) is now part of Bussus-Bussuel (80155)
    shapes = features(ROOT / "data/geometries/communes-80-somme.geojson")
    _, wkt = outline_of(subset_graph, URIRef(ID + "commune/80155"))
    union = shapely.union_all([shapes["80155"], shapes["80830"]])
    outline = shapely.from_wkt(str(wkt))
    assert outline.area == pytest.approx(union.area, rel=1e-4)
    assert outline.area > shapes["80155"].area * 1.2
    yaucourt = URIRef(ID + "commune/80830")  # no commune today: a former one, with no outline
    assert (yaucourt, RDF.type, IGEO.Commune) not in subset_graph
    assert (yaucourt, GEO.hasGeometry, None) not in subset_graph


def test_an_epci_of_the_aisne_has_the_union_of_its_communes_as_outline(subset_graph):
    epci = URIRef(ID + f"epci/{SAINT_QUENTINOIS}")
    node, wkt = outline_of(subset_graph, epci)
    assert node == URIRef(ID + f"epci/{SAINT_QUENTINOIS}/geometrie")
    communes = list(subset_graph.subjects(IGEO.subdivisionDirecteDe, epci))
    assert len(communes) == 39
    parts = [shapely.from_wkt(str(outline_of(subset_graph, c)[1])) for c in communes]
    union = shapely.union_all(parts)
    outline = shapely.from_wkt(str(wkt))
    assert outline.area == pytest.approx(union.area, rel=1e-4)
    assert outline.symmetric_difference(union).area < union.area * 1e-4
    assert len(outline.geoms) == 1  # the communes touch: one piece
    # provenance: computed from each commune's outline
    assert set(subset_graph.objects(node, PROV.wasDerivedFrom)) == {outline_of(subset_graph, c)[0] for c in communes}
    assert (node, DCTERMS.source, FRANCE_GEOJSON) in subset_graph


def test_an_epci_across_two_departements_is_drawn_across_both(subset_graph):
    epci = URIRef(ID + f"epci/{VILLES_SOEURS}")
    communes = list(subset_graph.subjects(IGEO.subdivisionDirecteDe, epci))
    departements = {str(d).rsplit("/", 1)[1] for c in communes
                    for d in subset_graph.objects(c, URIRef(TILOD_NS + "departement"))}
    assert departements == {"76", "80"}
    outline = shapely.from_wkt(str(outline_of(subset_graph, epci)[1]))
    parts = [shapely.from_wkt(str(outline_of(subset_graph, c)[1])) for c in communes]
    assert outline.area == pytest.approx(sum(p.area for p in parts), rel=1e-4)  # no gap, no overlap at the border
    assert len(outline.geoms) == 1


def test_every_epci_outline_is_complete(subset_graph):
    """Every EPCI of the subset is drawn (all their communes are on the map), each the union of
    the outlines of its communes in the release."""
    epcis = set(subset_graph.subjects(RDF.type, IGEO.Intercommunalite))
    assert len(epcis) == 36  # the 33 wholly in the Aisne or the Somme, and 3 across their borders
    for epci in epcis:
        outline = shapely.from_wkt(str(outline_of(subset_graph, epci)[1]))
        parts = [shapely.from_wkt(str(outline_of(subset_graph, c)[1]))
                 for c in subset_graph.subjects(IGEO.subdivisionDirecteDe, epci)]
        assert outline.area == pytest.approx(sum(p.area for p in parts), rel=1e-4), epci


# -- in the records -----------------------------------------------------------------------------

def test_removing_one_commune_outline_removes_its_epci_outline(inputs):
    shapes = {code: shapely.from_wkt(o.wkt) for code, o in inputs.geometries.communes.items()}
    groupement = inputs.reference.groupements[SAINT_QUENTINOIS]
    assert SAINT_QUENTINOIS in epci_shapes([groupement], shapes)
    del shapes["02691"]  # Saint-Quentin
    assert epci_shapes([groupement], shapes) == {}


def test_the_real_files_leave_out_only_what_the_map_cannot_draw(inputs):
    found = inputs.geometries
    assert (len(found.departements), len(found.regions)) == (96, 13)  # metropolitan France (simplified files)
    assert len(found.files) == 101 + 2
    # every note is one of the two lists of places without an outline, with their counts
    assert [n.message for n in found.notes if "have no outline" in n.message] == [
        "3 of 1,266 EPCI have no outline", "104 of 34,969 communes have no outline (74 not listed)"]
    assert all(n.message.startswith("no outline: ") or "have no outline" in n.message for n in found.notes)


def test_a_commune_restored_since_the_map_leaves_no_outline_too_big(inputs):
    """Sannerville (14666), part of Saline (14712) on the 2018 map, is a commune again; 14712 is now
    Troarn. Saline's outline covers both: neither gets one, nor does their EPCI (CU Caen la Mer)."""
    found = inputs.geometries
    assert found.missing_communes["14666"] == "part of 14712 on the 2018 map, a commune of its own since"
    assert found.missing_communes["14712"] == (
        "its outline on the 2018 map also covers 14666 Sannerville, communes of their own since")
    assert found.missing_epci["200065597"].startswith("commune 14")
    assert "14712" not in found.communes and "200065597" not in found.epci
    # Essarts-en-Bocage (85084) lost two: both are named
    assert "85165 L'Oie, 85212 Sainte-Florence" in found.missing_communes["85084"]


def test_a_commune_whose_code_changed_gets_its_former_outline(inputs):
    """Conques-en-Rouergue is 12218 today; the 2018 map draws it as 12076 (one of its anciensCodes,
    the commune it was part of in 2019)."""
    shapes = features(ROOT / "data/geometries/communes-12-aveyron.geojson")
    outline = shapely.from_wkt(inputs.geometries.communes["12218"].wkt)
    assert inputs.geometries.communes["12218"].parts == ("12076",)
    assert outline.area == pytest.approx(shapes["12076"].area, rel=1e-4)
    assert "241200641" in inputs.geometries.epci  # CC Conques-Marcillac: drawn


def broken(tmp_path: Path, change) -> Path:
    collection = json.loads(AISNE_COMMUNES.read_text(encoding="utf-8"))
    change(collection["features"])
    path = tmp_path / "communes-02-aisne.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def set_geometry(index: int, geometry):
    def change(features):
        features[index]["geometry"] = geometry
    return change


@pytest.mark.parametrize(("change", "record", "message"), [
    (set_geometry(2, {"type": "Point", "coordinates": [3.5, 49.5]}), "feature #3 ",
     "geometry type 'Point' is not Polygon or MultiPolygon"),
    (set_geometry(0, None), "feature #1 02675 (Sainte-Croix)", "no geometry"),
    (set_geometry(4, {"type": "Polygon", "coordinates": [[["3.5", 49.5], [3.6, 49.5], [3.6, 49.6], ["3.5", 49.5]]]}),
     "feature #5 ", "is not a [lon, lat] number pair"),
    (set_geometry(5, {"type": "Polygon", "coordinates": [[[3.5, 49.5], [3.6, 49.5], [3.6, 49.6]]]}),
     "feature #6 ", "a ring needs 4 positions or more"),
    (set_geometry(6, {"type": "Polygon", "coordinates": [[[349000, 6900000], [350000, 6900000], [350000, 6901000],
                                                          [349000, 6900000]]]}),
     "feature #7 ", "is not a longitude and a latitude (CRS84)"),
    (set_geometry(7, {"type": "Polygon", "coordinates": [[[3, 49], [4, 50], [4, 49], [3, 50], [3, 49]]]}),
     "feature #8 ", "invalid geometry: Self-intersection"),
    (lambda fs: fs[8]["properties"].pop("code"), "feature #9", "no `code` property"),
    (lambda fs: fs.append(fs[0]), "feature #805 02675 (Sainte-Croix)", "code 02675 is there twice"),
])
def test_a_bad_feature_is_named_with_its_file(tmp_path, inputs, change, record, message):
    path = broken(tmp_path, change)
    known = set(inputs.reference.communes)
    with pytest.raises(InputError) as caught:
        read_shapes(path, known)
    [problem] = caught.value.problems
    assert problem.file == str(path) and record in str(problem.record) and message in problem.message
    assert str(path) in str(caught.value)


def test_every_bad_feature_is_listed_at_once(tmp_path, inputs):
    def change(features):
        features[1]["geometry"] = None
        features[3]["geometry"]["type"] = "LineString"
    with pytest.raises(InputError) as caught:
        read_shapes(broken(tmp_path, change), set(inputs.reference.communes))
    assert [p.record.split()[0:2] for p in caught.value.problems] == [["feature", "#2"], ["feature", "#4"]]


@pytest.mark.parametrize("raw", [b"", b"{", b'{"type": "FeatureCollection"}', b"\xff\xfe{}", b"[]"])
def test_an_unreadable_file_is_named(tmp_path, raw):
    path = tmp_path / "communes.geojson"
    path.write_bytes(raw)
    with pytest.raises(InputError) as caught:
        read_shapes(path, set())
    assert str(path) in str(caught.value)


def test_an_unknown_code_is_left_out_with_a_note(tmp_path, inputs):
    def change(features):
        features[0]["properties"]["code"] = "02999"
    notes: list = []
    communes = inputs.reference.communes
    known = set(communes) | {old for c in communes.values() for old in c.anciens_codes}
    shapes = read_shapes(broken(tmp_path, change), known, notes)
    assert "02999" not in shapes and len(shapes) == 803
    [note] = notes
    assert "feature #1 02999" in str(note) and "unknown to the reference" in note.message


def data_copy(tmp_path: Path) -> Path:
    """A copy of data/ (links) whose geometries/ folder is a real folder of links."""
    data = tmp_path / "data"
    data.mkdir()
    for entry in (ROOT / "data").iterdir():
        if entry.name != "geometries":
            (data / entry.name).symlink_to(entry)
    (data / "geometries").mkdir()
    for entry in (ROOT / "data/geometries").iterdir():
        (data / "geometries" / entry.name).symlink_to(entry)
    return data


def test_a_missing_region_file_is_named(tmp_path, inputs):
    data = data_copy(tmp_path)
    (data / geometry.REGION_FILE).unlink()
    with pytest.raises(InputError) as caught:
        read_geometries(data, inputs.reference)
    assert f"{data / geometry.REGION_FILE}: file not found" in str(caught.value)


def test_the_cli_build_says_which_feature_is_bad_without_traceback(tmp_path):
    data = data_copy(tmp_path)
    target = data / "geometries/communes-80-somme.geojson"
    collection = json.loads(target.read_text(encoding="utf-8"))
    collection["features"][10]["geometry"]["coordinates"] = [[["x", "y"]]]
    target.unlink()
    target.write_text(json.dumps(collection), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILOD_")}
    run = subprocess.run(
        [sys.executable, "-m", "tilod.cli", "build", "--data-dir", str(data),
         "--releases-dir", str(tmp_path / "releases"), "--departements", "02,80"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    code = collection["features"][10]["properties"]["code"]
    assert f"{target} [feature #11 {code} (" in run.stderr
    assert "is not a [lon, lat] number pair" in run.stderr
    assert not (tmp_path / "releases/current").exists()
