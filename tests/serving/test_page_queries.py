"""The pages' SPARQL (serving/views/queries/*.rq) binds its IRIs through the store, and both
stores answer each query alike: the embedded one by substitution, a remote one (a real Oxigraph
server) through the VALUES builder of stores/remote.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import BASE, TILOD_NS

from tilod.release.layout import release_graph
from tilod.serving.views.queries import QUERIES_DIR, query
from tilod.stores.bindings import with_values
from tilod.stores.embedded import EmbeddedStore
from tilod.stores.remote import RemoteStore

ID = BASE + "id/"
TILOD = TILOD_NS
PHASE = ID + "phase/2023-2027"

#: each query with the IRIs a page binds (taken from the Aisne-Somme subset)
BINDINGS = {
    "territory-members": {"territory": ID + "territoire/2023-2027/ti-3208"},
    "territory-labelling": {"territory": ID + "territoire/2023-2027/ti-3208"},
    "territory-communes": {"territory": ID + "territoire/2023-2027/ti-3208"},
    "territory-map": {"territory": ID + "territoire/2023-2027/ti-3208"},
    "other-phase": {"other": ID + "territoire/2018-2022/ti-3211"},
    "epci-nature": {"epci": ID + "epci/200071892"},
    "epci-territories": {"epci": ID + "epci/200071892"},
    "epci-communes": {"epci": ID + "epci/200071892"},
    "epci-map": {"epci": ID + "epci/200071892"},
    "commune-epcis": {"commune": ID + "commune/02691"},
    "commune-territories": {"commune": ID + "commune/02691"},
    "departement-epcis": {"place": ID + "departement/02"},
    "departement-map": {"place": ID + "departement/02"},
    "place-territories": {"place": ID + "region/32", "property": TILOD + "region"},
    "place-communes": {"place": ID + "departement/80", "property": TILOD + "departement"},
    "place-phase": {"place": ID + "departement/02", "phase": PHASE},
    "region-departements": {"region": ID + "region/32"},
    "region-map-territories": {"place": ID + "region/32", "phase": PHASE},
    "region-map-epcis": {"place": ID + "region/32", "phase": PHASE},
    "region-prefectures": {"place": ID + "region/32"},
    "programme": {"programme": ID + "programme/territoires-d-industrie", "phase": PHASE},
    "priorities": {"phase": PHASE},
    "measures": {"phase": PHASE},
    "territories-by-region": {"phase": PHASE},
    "national-map": {"phase": PHASE},
    "as-of-versions": {"thing": ID + "territoire/2023-2027/ti-3208"},
    "as-of-events": {"thing": ID + "epci/200071892"},
    "concept-schemes": {},
    "concept-scheme-uses": {},
}


def test_every_query_file_is_listed_here():
    assert sorted(p.stem for p in QUERIES_DIR.glob("*.rq")) == sorted(BINDINGS)


@pytest.mark.parametrize("name", sorted(BINDINGS))
def test_bound_variables_are_projected_and_marked(name):
    text = query(name)
    projection = text[text.index("SELECT"):text.index("WHERE")]
    for variable in BINDINGS[name]:
        assert f"?{variable} " in projection, variable  # the embedded store binds projected variables only
    assert ("#VALUES" in text) == bool(BINDINGS[name])  # where a remote store gets its VALUES block


def test_an_iri_that_could_end_the_query_is_refused():
    for iri in ("http://x/> } #", "http://x/a b", "javascript:alert(1)", "http://x/\n"):
        with pytest.raises(ValueError, match="not a safe IRI"):
            with_values(query("epci-nature"), {"epci": iri})
    with pytest.raises(ValueError, match="no #VALUES line"):
        with_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": ID + "a"})


@pytest.fixture(scope="module")
def stores(release: Path, oxigraph):
    embedded = EmbeddedStore(str(release / "store"), 1, 10, 10**8)
    version = json.loads((release / "release.json").read_text())["version"]
    far = RemoteStore(oxigraph.query_url, release_graph(BASE, version), 10, 10**8)
    yield embedded, far
    embedded.close()
    far.close()


def _sorted(rows: list[dict[str, str]]) -> list[list[tuple[str, str]]]:
    return sorted(sorted(row.items()) for row in rows)


@pytest.mark.parametrize("name", sorted(BINDINGS))
def test_both_stores_give_the_same_rows(stores, name):
    embedded, far = stores
    here = embedded.select(query(name), BINDINGS[name], BASE)
    there = far.select(query(name), BINDINGS[name], BASE)
    # no EPCI of the Aisne or the Somme exchanged communes between vintages: no event (the
    # query's rows are compared on the Nord in tests/graph/test_versions.py's graph instead)
    assert here or name == "as-of-events", "the subset has rows for every query"
    if name == "national-map":  # the régions' rows carry ?phase only where it is substituted
        here = [{k: v for k, v in row.items() if k != "phase" or row["kind"] != "region"} for row in here]
    if re.search(r"ORDER BY", query(name)):
        assert [row.get("priority", row) for row in here] == [row.get("priority", row) for row in there]
    assert _sorted(here) == _sorted(there)
