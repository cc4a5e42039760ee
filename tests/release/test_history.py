"""Release history: each build compares itself with the current release and writes changes.ttl.

Fast tests on made-up snapshots and on two real Aisne-Somme builds; the national test builds
ANCT's two lists of 2023 (14 November 2023 and 16 September 2024) one after the other.
"""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from helpers import BASE, DCAT, ONTOLOGY, TILOD_NS
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, VOID
from server import start_server, stop_server

from conftest import ROOT, subset_settings
from tilod.release.build import build_release
from tilod.release.history import KINDS, Change, ChangeSet, Snapshot, changes_graph, diff, read_changes, read_snapshot
from tilod.release.layout import CHANGES
from tilod.settings import Settings

TILOD = TILOD_NS
LIST_2023 = ROOT / "data/territoires/ti_2023_groupements_20231114.csv"
LIST_2024 = ROOT / "data/territoires/ti_2023_groupements_20240916.csv"


def snap(territories: dict[str, str], members: dict[str, set[str]], labels: dict[str, str] | None = None,
         versions: dict[str, str] | None = None) -> Snapshot:
    s = Snapshot(territories=territories, labels=labels or {}, versions=versions or {})
    s.members.update(members)
    return s


# -- the comparison, on made-up snapshots ------------------------------------------------------

def test_diff_names_each_kind_of_change():
    t1, t2, t3 = (f"id/territoire/2023-2027/ti-000{i}" for i in (1, 2, 3))
    old = snap({t1: "Un", t2: "Deux"}, {t1: {"id/epci/1", "id/epci/2"}, t2: {"id/epci/3"}},
               {"id/epci/1": "EPCI 1", "id/epci/2": "EPCI 2", "id/epci/3": "EPCI 3"})
    new = snap({t1: "Un bis", t3: "Trois"}, {t1: {"id/epci/2", "id/commune/4"}, t3: {"id/epci/3"}},
               {"id/epci/2": "EPCI 2", "id/commune/4": "Commune 4", "id/epci/3": "EPCI 3"})
    assert diff(old, new) == [
        Change("ChangementDeNom", t1, "Un bis", old_name="Un"),
        Change("RetraitDeMembre", t1, "Un bis", "id/epci/1", "EPCI 1"),
        Change("AjoutDeMembre", t1, "Un bis", "id/commune/4", "Commune 4"),
        Change("RetraitDeTerritoire", t2, "Deux"),
        Change("AjoutDeTerritoire", t3, "Trois"),  # its members are not listed again
    ]
    assert diff(new, new) == []


def test_diff_names_the_members_whose_current_version_changed():
    t1 = "id/territoire/2023-2027/ti-0001"
    members = {t1: {"id/epci/1", "id/epci/2", "id/epci/3"}}
    labels = {f"id/epci/{i}": f"EPCI {i}" for i in (1, 2, 3)}
    old = snap({t1: "Un"}, members, labels, {"id/epci/1": "id/epci/1/2023", "id/epci/2": "id/epci/2/2026"})
    new = snap({t1: "Un"}, members, labels, {"id/epci/1": "id/epci/1/2026", "id/epci/2": "id/epci/2/2026",
                                             "id/epci/3": "id/epci/3/2026"})
    found = diff(old, new)
    assert found == [
        Change("ChangementDeVersionDeMembre", t1, "Un", "id/epci/1", "EPCI 1", old_version="id/epci/1/2023",
               new_version="id/epci/1/2026"),
        Change("ChangementDeVersionDeMembre", t1, "Un", "id/epci/3", "EPCI 3", new_version="id/epci/3/2026"),
    ]
    assert found[0].sentence("fr") == "Un (2023-2027, ti-0001) : nouvelle version du membre, EPCI 1 (2023 → 2026)"
    assert found[1].sentence("en").endswith("new version of the member, EPCI 3 (- → 2026)")


def test_a_release_snapshot_has_each_members_current_version(release):
    _, snapshot = read_snapshot(release)
    assert snapshot.versions["id/epci/200071892"] == "id/epci/200071892/2026"  # CA du Saint-Quentinois
    members = {m for ms in snapshot.members.values() for m in ms if m.startswith("id/epci/")}
    assert members and members <= snapshot.versions.keys()


def test_changes_round_trip_through_turtle(tmp_path):
    t1 = "id/territoire/2023-2027/ti-0001"
    changes = ChangeSet("20240101T000000Z", "2024-01-01T00:00:00Z", "20231231T000000Z", [
        Change("ChangementDeNom", t1, "Nom « nouveau » & <b>", old_name="Ancien"),
        Change("RetraitDeMembre", t1, "Nom « nouveau » & <b>", "id/epci/1", "CC d'Ici"),
        Change("AjoutDeMembre", t1, "Nom « nouveau » & <b>", "id/commune/4", "Là-Bas"),
        Change("ChangementDeVersionDeMembre", t1, "Nom « nouveau » & <b>", "id/epci/5", "CC d'Ailleurs",
               old_version="id/epci/5/2023", new_version="id/epci/5/2026"),
    ])
    graph = changes_graph(changes, BASE)
    path = tmp_path / CHANGES
    graph.serialize(path, format="turtle")
    read = read_changes(path, BASE)
    assert datetime.fromisoformat(read.created) == datetime.fromisoformat(changes.created)
    assert replace(read, created=changes.created) == changes
    part = URIRef(f"{BASE}dumps/20240101T000000Z/changes.ttl#changement-1")
    assert (part, RDF.type, URIRef(TILOD + "ChangementDeNom")) in graph
    assert (part, URIRef(TILOD + "ancienNom"), Literal("Ancien", lang="fr")) in graph
    assert {o.language for o in graph.objects(part, RDFS.label)} == {"fr", "en"}


def test_every_term_of_the_changes_is_in_the_ontology():
    ontology = Graph().parse(ROOT / "ontology/tilod.ttl", publicID=BASE)
    t1 = "id/territoire/2023-2027/ti-0001"
    changes = ChangeSet("v2", "2024-01-01T00:00:00Z", "v1", [
        Change(kind, t1, "T", "id/epci/1" if "Membre" in kind else "", "E" if "Membre" in kind else "",
               "Old" if kind == "ChangementDeNom" else "",
               *(("id/epci/1/2023", "id/epci/1/2026") if kind == "ChangementDeVersionDeMembre" else ()))
        for kind in KINDS])
    graph = changes_graph(changes, BASE)
    used = {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(TILOD)}
    assert len(used) == 14
    for term in used:
        assert {o.language for o in ontology.objects(term, RDFS.label)} == {"fr", "en"}, term
        assert {o.language for o in ontology.objects(term, SKOS.definition)} == {"fr", "en"}, term
        assert (term, RDFS.isDefinedBy, URIRef(ONTOLOGY)) in ontology
        assert (term, RDF.type, OWL.Class) in ontology or (term, RDF.type, OWL.DatatypeProperty) in ontology \
            or (term, RDF.type, OWL.ObjectProperty) in ontology


# -- two real builds of the Aisne and the Somme -------------------------------------------------

def edited_list(path: Path) -> Path:
    """ANCT's 2023 list with: ti-3208 renamed and one EPCI more, CC des Trois Rivières moved
    from ti-3217 to ti-3215, ti-3203 gone (a territory of the Somme: the Aisne keeps the 4 the
    press release states, which the shapes check)."""
    with LIST_2023.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        if row["id_ti"] == "ti-3203":
            continue
        if row["id_ti"] == "ti-3208":
            row["lib_ti"] = "Haute-Picardie et Vermandois"
        if row["siren_groupement"] == "240200600":
            row.update(id_ti="ti-3215", lib_ti="Sud Aisne")
        out.append(row)
    out.append({"id_ti": "ti-3208", "lib_ti": "Haute-Picardie et Vermandois", "siren_groupement": "240200493",
                "lib_groupement": "CC du Pays du Vermandois", "nature_juridique": "CC"})
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(out)
    return path


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory) -> tuple[Settings, Path, Path, list[str]]:
    releases = tmp_path_factory.mktemp("history")
    first = build_release(subset_settings(releases), out=lambda _: None)
    log: list[str] = []
    edited = edited_list(tmp_path_factory.mktemp("list") / "ti_2023_edited.csv")
    settings = replace(subset_settings(releases), territories_2023=edited)
    second = build_release(settings, out=log.append)
    return settings, first, second, log


def test_the_first_release_has_nothing_to_compare(two_builds):
    _, first, _, _ = two_builds
    changes = read_changes(first / CHANGES, BASE)
    assert changes.previous is None and changes.changes == []
    assert json.loads((first / "release.json").read_text())["changes"] == {"since": None, "count": 0, "territories": []}


def test_the_second_release_lists_what_changed(two_builds):
    _, first, second, log = two_builds
    changes = read_changes(second / CHANGES, BASE)
    assert changes.previous == first.name and changes.version == second.name
    t = "id/territoire/2023-2027/"
    assert [(c.kind, c.territory, c.member) for c in changes.changes] == [
        ("RetraitDeTerritoire", t + "ti-3203", ""),
        ("ChangementDeNom", t + "ti-3208", ""),
        ("AjoutDeMembre", t + "ti-3208", "id/epci/240200493"),
        ("AjoutDeMembre", t + "ti-3215", "id/epci/240200600"),
        ("RetraitDeMembre", t + "ti-3217", "id/epci/240200600"),
    ]
    rename = changes.changes[1]
    assert (rename.old_name, rename.territory_label) == ("Haute-Picardie", "Haute-Picardie et Vermandois")
    assert changes.changes[2].member_label == "CC du Pays du Vermandois"
    assert changes.changes[0].territory_label == "Baie de Somme Ponthieu – Marquenterre Industries"
    assert any("5 changes since" in line for line in log)
    manifest = json.loads((second / "release.json").read_text())
    assert manifest["changes"] == {"since": first.name, "count": 5,
                                   "territories": ["ti-3203", "ti-3208", "ti-3215", "ti-3217"]}


def test_changes_ttl_is_a_dump_like_the_others(two_builds):
    _, _, second, _ = two_builds
    manifest = json.loads((second / "release.json").read_text())
    [entry] = [f for f in manifest["files"] if f["filename"] == CHANGES]
    assert entry["media_type"] == "text/turtle"
    assert entry["byte_size"] == (second / CHANGES).stat().st_size
    assert entry["triples"] == len(Graph().parse(second / CHANGES))
    void = Graph().parse(second / "void.ttl")
    dump = URIRef(f"{BASE}dumps/{second.name}/{CHANGES}")
    # a distribution of a dataset of its own, not a dump of the data
    assert (URIRef(f"{BASE}id/jeu-de-donnees/changements"), DCAT.distribution, dump) in void
    assert (None, VOID.dataDump, dump) not in void
    assert (dump, DCAT.byteSize, None) in void
    assert void.value(dump, VOID.triples).toPython() == entry["triples"]


def test_the_history_page_lists_both_releases_and_their_changes(two_builds):
    settings, first, second, _ = two_builds
    server = start_server(settings.releases_dir, ROOT, settings.base_uri)
    try:
        for lang in ("fr", "en"):
            response = requests.get(server.url + "historique", params={"lang": lang} if lang == "en" else {},
                                    timeout=10)
            assert response.status_code == 200
            text = response.text
            assert text.index(f'id="release-{second.name}"') < text.index(f'id="release-{first.name}"')
            assert f'href="#release-{first.name}"' in text
            assert text.count("<tr><th scope=\"row\">") == 5
            assert "Haute-Picardie et Vermandois" in text and "Haute-Picardie</span>" in text
            assert f'href="{BASE}id/epci/240200493' in text
            assert ("membre retiré" if lang == "fr" else "member removed") in text
            assert ("territoire retiré" if lang == "fr" else "territory removed") in text
        dump = requests.get(server.url + f"dumps/latest/{CHANGES}", timeout=10)
        assert dump.status_code == 200
        assert Graph().parse(data=dump.content, format="turtle")
    finally:
        stop_server(server)


def test_an_unreadable_current_release_does_not_stop_the_build(tmp_path):
    releases = tmp_path / "releases"
    first = build_release(subset_settings(releases), out=lambda _: None)
    (first / "tilod.nt.gz").write_bytes(gzip.compress(b"<not n-triples"))
    log: list[str] = []
    second = build_release(subset_settings(releases), out=log.append)
    assert (releases / "current").resolve() == second.resolve()
    assert read_changes(second / CHANGES, BASE).previous is None
    assert any("cannot be read" in line for line in log)


# -- ANCT's two builds of the 2023 list, nationally ---------------------------------------------

@pytest.mark.national
def test_anct_2024_list_changes_exactly_four_territories(tmp_path):
    releases = tmp_path / "releases"

    def settings(territories: Path) -> Settings:
        return Settings.load(environ={}, data_dir=ROOT / "data", releases_dir=releases, territories_2023=territories)

    first = build_release(settings(LIST_2023), out=lambda _: None)
    second = build_release(settings(LIST_2024), out=lambda _: None)
    assert (releases / "current").resolve() == second.resolve()
    changes = read_changes(second / CHANGES, BASE)
    assert changes.previous == first.name
    t = "id/territoire/2023-2027/"
    assert {c.territory for c in changes.changes} == {t + "ti-2707", t + "ti-7506", t + "ti-7613", t + "ti-8412"}

    def of(territory: str) -> set[tuple[str, str, str]]:
        return {(c.kind, c.member, c.member_label) for c in changes.changes if c.territory == t + territory}

    assert of("ti-2707") == {("AjoutDeMembre", "id/commune/58046", "Cercy-la-Tour")}
    with LIST_2024.open(encoding="utf-8") as handle:
        creuse = {row["lib_groupement"] for row in csv.DictReader(handle)
                  if row["id_ti"] == "ti-7506" and row["nature_juridique"] == "COM"}
    assert len(creuse) == 11
    added = {(c.member, c.member_label) for c in changes.changes
             if c.territory == t + "ti-7506" and c.kind == "AjoutDeMembre"}
    assert {label for _, label in added} == creuse
    assert all(member.startswith("id/commune/") for member, _ in added)
    assert of("ti-7506") == {("RetraitDeMembre", "id/epci/200066744", "CC Haute-Corrèze Communauté")} | {
        ("AjoutDeMembre", member, label) for member, label in added}
    assert of("ti-7613") == {("RetraitDeMembre", "id/epci/246600548", "CC du Haut Vallespir"),
                             ("AjoutDeMembre", "id/epci/246600373", "CC du Vallespir")}
    [rename] = [c for c in changes.changes if c.territory == t + "ti-8412"]
    assert rename.kind == "ChangementDeNom"
    assert rename.old_name == "Pays de Gex – Genevois – Pays Bellegardien"
    assert rename.territory_label == "Pays de Gex – Genevois – Terre Valserhône"
    assert len(changes.changes) == 1 + 12 + 2 + 1
    manifest = json.loads((second / "release.json").read_text())
    assert manifest["changes"]["territories"] == ["ti-2707", "ti-7506", "ti-7613", "ti-8412"]
    assert CHANGES in {f["filename"] for f in manifest["files"]}


def test_the_changes_are_in_the_store_too(two_builds):
    """SPARQL users see what changed: the same five changes, with their kinds, in the store, in the
    named graph of changes.ttl (named by its download URL), not in the data's default graph."""
    _, _, second, _ = two_builds
    store = ox.Store.read_only(str(second / "store"))
    query = f"""PREFIX tilod: <{TILOD_NS}> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?kind ?territory WHERE {{ GRAPH <{BASE}dumps/{second.name}/{CHANGES}> {{
        ?comparison a tilod:Comparaison ; dcterms:hasPart ?change .
        ?change a ?kind ; dcterms:subject ?territory }} }} ORDER BY ?territory ?kind"""
    assert not store.query(f"ASK {{ ?comparison a <{TILOD_NS}Comparaison> }}")  # the default graph
    rows = store.query(query)
    found = sorted((r["kind"].value.rsplit("#", 1)[1], r["territory"].value.rsplit("/", 1)[1]) for r in rows)
    assert found == sorted([("ChangementDeNom", "ti-3208"), ("AjoutDeMembre", "ti-3208"),
                            ("RetraitDeTerritoire", "ti-3203"), ("AjoutDeMembre", "ti-3215"),
                            ("RetraitDeMembre", "ti-3217")])
