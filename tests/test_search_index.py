"""The names people search by are written into the release by the build, and read from there;
a release without the file (built before it existed) is searched from the store instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from helpers import BASE, BROWSER, copy_release
from server import start_server, stop_server

from conftest import ROOT
from tilod.release.layout import SEARCH_INDEX
from tilod.release.search_index import read_search_index, search_index_query


def test_the_build_writes_every_searchable_name(release: Path, store):
    rows = read_search_index(release)
    assert rows is not None
    from_store = list(store.query(search_index_query(BASE)))
    assert len(rows) == len(from_store)
    kinds = {row["kind"] for row in rows}
    assert kinds == {"territoire", "epci", "commune"}
    [saint_quentin] = [r for r in rows if r["item"] == BASE + "id/commune/02691"]
    assert (saint_quentin["label"], saint_quentin["code"], saint_quentin["context"]) == ("Saint-Quentin", "02691", "Aisne")
    # the press release's names are searchable too (skos:altLabel)
    assert any(r.get("alt") == "Sud de l'Aisne" for r in rows)
    manifest = json.loads((release / "release.json").read_text(encoding="utf-8"))
    assert SEARCH_INDEX not in {f["filename"] for f in manifest["files"]}  # not a dump


@pytest.mark.parametrize("damage", ["missing", "not JSON", "not rows"])
def test_a_release_without_a_readable_index_is_searched_from_the_store(tmp_path, release: Path, damage: str):
    releases = tmp_path / "releases"
    releases.mkdir()
    copy = copy_release(release, releases)
    index = copy / SEARCH_INDEX
    if damage == "missing":
        index.unlink()
    else:
        index.write_text("{" if damage == "not JSON" else '[{"nothing": 1}]', encoding="utf-8")
    assert read_search_index(copy) is None
    running = start_server(releases, ROOT, BASE)
    try:
        response = requests.get(running.url + "recherche", params={"q": "saint quentin"},
                                headers={"Accept": BROWSER}, timeout=30)
        assert response.status_code == 200
        assert BASE + "id/commune/02691" in response.text
    finally:
        stop_server(running)
