"""The names people search by are written into the release by the build, and read from there;
a release without the file (built before it existed) is searched from the store instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from helpers import BASE, BROWSER, copy_release
from server import start_server, stop_server
from sources import read_sources

from conftest import ROOT, SUBSET
from tilod.release.layout import SEARCH_INDEX
from tilod.release.search_index import read_search_index


def subset_from_sources() -> dict[str, dict[str, tuple[str, str]]]:
    """kind -> {URI: (name, code)} of what the Aisne-Somme release holds, read from the source
    files: the territories touching the two départements, their members and the EPCIs with a
    commune there, and every commune of these."""
    sources = read_sources()
    in_subset = {code for code, commune in sources.communes.items() if commune.departement in SUBSET}
    territories = [t for t in sources.territories.values() if sources.communes_of_territory(t) & in_subset]
    members = {siren for t in territories for siren in t.members}
    epcis = [e for e in sources.epcis.values() if e.siren in members or e.communes & in_subset]
    communes = in_subset.union(*(e.communes for e in epcis), *(sources.communes_of_territory(t) for t in territories))
    return {
        "territoire": {f"{BASE}id/territoire/{t.phase}/{t.id}": (t.name, t.id) for t in territories},
        "epci": {f"{BASE}id/epci/{e.siren}": (e.name, e.siren) for e in epcis},
        "commune": {f"{BASE}id/commune/{c}": (sources.communes[c].name, c) for c in communes},
    }


def test_the_build_writes_every_searchable_name(release: Path):
    """Every territory, EPCI and commune of the release, under its name and code in the sources."""
    rows = read_search_index(release)
    assert rows is not None
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for row in rows:
        found.setdefault(row["kind"], {})[row["item"]] = (row["label"], row["code"])
    expected = subset_from_sources()
    for kind in expected:
        wrong = {uri: (found.get(kind, {}).get(uri), named) for uri, named in expected[kind].items()
                 if found.get(kind, {}).get(uri) != named}
        extra = set(found.get(kind, {})) - set(expected[kind])
        assert not wrong and not extra, (kind, len(wrong), sorted(wrong.items())[:5], sorted(extra)[:5])
    assert set(found) == set(expected)
    [saint_quentin] = [r for r in rows if r["item"] == BASE + "id/commune/02691"]
    assert saint_quentin["context"] == "Aisne"
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
