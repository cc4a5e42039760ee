"""The remote store: publish switches only complete loads; a store that goes down gives 503, then recovers."""

from __future__ import annotations

import gzip
import json
import shutil
import time
from dataclasses import replace

import pytest
import requests
from server import start_oxigraph, start_server, stop_oxigraph, stop_server

from conftest import ROOT
from tilod.release import layout
from tilod.release.publish import PublishError, publish
from tilod.stores.remote import RemoteStore

T = "id/territoire/2023-2027/ti-3208"
EPCI = "id/epci/200071892"


def remote_settings(settings, oxigraph):
    return replace(settings, store_url=oxigraph.query_url, store_update_url=oxigraph.url + "update",
                   store_gsp_url=oxigraph.url + "store")


def pointer(settings) -> list[str]:
    return RemoteStore(settings.store_url, "", 5, 10**6).query_json(layout.current_pointer_query(settings.base_uri))


@pytest.fixture
def own_oxigraph(tmp_path):
    running = start_oxigraph(tmp_path / "ox")
    yield running
    stop_oxigraph(running)


def test_publish_loads_counts_and_switches(settings, release, own_oxigraph):
    s = remote_settings(settings, own_oxigraph)
    graph = publish(s, out=lambda _: None)
    manifest = json.loads((release / "release.json").read_text())
    assert graph == layout.release_graph(s.base_uri, manifest["version"])
    assert pointer(s) == [graph]
    # the data in the release's graph, the ontology, VoID and changes each in the graph of its file
    triples = {f["filename"]: f["triples"] for f in manifest["files"]}
    expected = {graph: manifest["triples"], **{name: triples[filename] for filename, name
                                              in layout.named_graphs(s.base_uri, manifest["version"]).items()}}
    assert sum(expected.values()) == manifest["store_triples"]
    assert graph_counts(s) == expected


def graph_counts(settings) -> dict[str, int]:
    """The triple count of each named graph of the store, but the pointer's."""
    rows = RemoteStore(settings.store_url, "", 5, 10**6).query_json(
        "SELECT (CONCAT(STR(?g), ' ', STR(COUNT(*))) AS ?c) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    counts = {row.rsplit(" ", 1)[0]: int(row.rsplit(" ", 1)[1]) for row in rows}
    counts.pop(layout.pointer_graph(settings.base_uri), None)
    return counts


def copy_release(release, folder):
    """A copy of the release under another version (its store left out: publish reads the files)."""
    shutil.copytree(release, folder, ignore=shutil.ignore_patterns("store"))
    manifest = json.loads((folder / "release.json").read_text())
    manifest["version"] = folder.name
    (folder / "release.json").write_text(json.dumps(manifest))
    return folder


def test_publish_keeps_two_releases_each_with_its_named_graphs(settings, release, own_oxigraph, tmp_path):
    s = remote_settings(settings, own_oxigraph)
    versions = ["20990101T000000Z", "20990102T000000Z", "20990103T000000Z"]
    for version in versions:
        publish(s, folder=copy_release(release, tmp_path / version), out=lambda _: None)
    kept = {layout.release_graph(s.base_uri, v) for v in versions[1:]}
    kept |= {name for v in versions[1:] for name in layout.named_graphs(s.base_uri, v).values()}
    assert set(graph_counts(s)) == kept


def test_an_incomplete_load_is_never_switched_to(settings, release, own_oxigraph, tmp_path):
    s = remote_settings(settings, own_oxigraph)
    good = publish(s, out=lambda _: None)
    # a release folder whose data dump lost its tail: the count in the store will not match
    broken = copy_release(release, tmp_path / "releases" / "20990101T000000Z")
    lines = gzip.decompress((broken / "tilod.nt.gz").read_bytes()).splitlines(keepends=True)
    (broken / "tilod.nt.gz").write_bytes(gzip.compress(b"".join(lines[: len(lines) // 2])))
    with pytest.raises(PublishError, match="not switched"):
        publish(s, folder=broken, out=lambda _: None)
    assert pointer(s) == [good]
    partial = layout.release_graph(s.base_uri, broken.name)
    leftover = RemoteStore(s.store_url, "", 5, 10**6).query_json(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{partial}> {{ ?s ?p ?o }} }}")
    assert leftover == ["0"]  # the partial graph was dropped: nothing of that release is left
    assert set(graph_counts(s)) == {good, *layout.named_graphs(s.base_uri, good.rsplit("/", 1)[1]).values()}


def test_publish_to_a_store_that_is_down_says_so(settings, release):
    s = replace(settings, store_url="http://127.0.0.1:9/query", store_update_url="http://127.0.0.1:9/update",
                store_gsp_url="http://127.0.0.1:9/store")
    with pytest.raises(PublishError, match="cannot reach"):
        publish(s, out=lambda _: None)


def test_store_down_gives_503_then_recovers(settings, release, tmp_path):
    oxigraph = start_oxigraph(tmp_path / "ox")
    port = int(oxigraph.url.rsplit(":", 1)[1].strip("/"))
    publish(remote_settings(settings, oxigraph), out=lambda _: None)
    server = start_server(settings.releases_dir, ROOT, settings.base_uri, TILOD_STORE_URL=oxigraph.query_url)
    try:
        assert requests.get(server.url + T, headers={"Accept": "text/turtle"}, timeout=10).status_code == 200
        stop_oxigraph(oxigraph)
        # a page already rendered is still served from the release's cache
        assert requests.get(server.url + T, headers={"Accept": "text/turtle"}, timeout=10).status_code == 200
        for path, params in ((EPCI, None), ("sparql", {"query": "ASK { ?s ?p ?o }"}), ("health/store", None)):
            started = time.monotonic()
            response = requests.get(server.url + path, params=params, headers={"Accept": "text/turtle"},
                                    timeout=30)
            assert response.status_code == 503, (path, response.text)
            assert "Retry-After" in response.headers or path == "health/store"
            assert time.monotonic() - started < 10  # no hang
        assert requests.get(server.url + "health", timeout=5).status_code == 200  # the web worker lives
        oxigraph = start_oxigraph(oxigraph.location, port=port)  # same data, same address
        time.sleep(2.5)  # past the pointer's cache
        response = requests.get(server.url + EPCI, headers={"Accept": "text/turtle"}, timeout=10)
        assert response.status_code == 200
        assert "Saint-Quentinois" in response.text
    finally:
        stop_server(server)
        stop_oxigraph(oxigraph)
