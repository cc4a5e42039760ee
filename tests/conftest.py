"""Shared fixtures: one small real release (the Aisne and the Somme), built once per session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import BASE
from rdflib import Graph
from server import ServerProcess, start_server, stop_server

from tilod.graph.builder import build_graph
from tilod.graph.uris import Uris
from tilod.records.inputs import Inputs, load_inputs
from tilod.release.build import build_release
from tilod.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SUBSET = ("02", "80")


def subset_settings(releases: Path, **overrides) -> Settings:
    return Settings.load(
        environ={},
        data_dir=ROOT / "data",
        releases_dir=releases,
        departements=SUBSET,
        territories_2023=ROOT / "data/territoires/ti_2023_groupements_20231114.csv",
        territories_phase1=ROOT / "data/territoires/ti_phase1_groupements_cog2025.csv",
        **overrides,
    )


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return subset_settings(tmp_path_factory.mktemp("releases"))


@pytest.fixture(scope="session")
def release(settings: Settings) -> Path:
    """The folder of a subset release built by the real `build_release`."""
    return build_release(settings, out=lambda _: None)


@pytest.fixture(scope="session")
def inputs(settings: Settings) -> Inputs:
    return load_inputs(settings)


@pytest.fixture(scope="session")
def subset_graph(inputs: Inputs, settings: Settings) -> Graph:
    return build_graph(inputs, Uris(settings.base_uri), settings.departements)


@pytest.fixture(scope="session")
def store(release: Path) -> ox.Store:
    return ox.Store.read_only(str(release / "store"))


@pytest.fixture(scope="session")
def national_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a release of the whole of France, built once per session (~1 min, ~1 GB)."""
    settings = Settings.load(environ={}, data_dir=ROOT / "data",
                             releases_dir=tmp_path_factory.mktemp("national"))
    lines: list[str] = []
    release = build_release(settings, out=lines.append)
    (tmp_path_factory.getbasetemp() / NATIONAL_LOG).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return release


NATIONAL_LOG = "national-build.log"


@pytest.fixture(scope="session")
def national_build_log(national_release: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """What the national build printed, a line each."""
    return (tmp_path_factory.getbasetemp() / NATIONAL_LOG).read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def national_server(national_release: Path) -> Iterator[ServerProcess]:
    """One `tilod serve` on the national release's embedded store (its folder is `current`)."""
    running = start_server(national_release.parent, ROOT, BASE)
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="session")
def national_store(national_release: Path) -> ox.Store:
    return ox.Store.read_only(str(national_release / "store"))


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory: pytest.TempPathFactory, settings: Settings, release: Path):
    """A real Oxigraph server on 127.0.0.1 with the subset release published to it."""
    from server import start_oxigraph, stop_oxigraph

    from tilod.release.publish import publish

    running = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    try:
        publish(replace(settings, store_url=running.query_url, store_update_url=running.url + "update",
                        store_gsp_url=running.url + "store"), out=lambda _: None)
        yield running
    finally:
        stop_oxigraph(running)


@pytest.fixture(scope="session", params=["embedded", "remote"])
def server(request: pytest.FixtureRequest, settings: Settings, release: Path):
    """A real `tilod serve` process on 127.0.0.1 serving the subset release (see tests/server.py),
    from its embedded store, then from a real Oxigraph server: every server test runs on both.

    `.url` is where it listens, `.base` the base URI of the data (http://localhost:8000/);
    `.to_server(uri)` maps a resource URI to the URL that dereferences it; `.backend` says which.
    """
    from server import start_server, stop_server

    env = {}
    if request.param == "remote":
        env["TILOD_STORE_URL"] = request.getfixturevalue("oxigraph").query_url
    running = start_server(settings.releases_dir, ROOT, settings.base_uri, **env)
    running.backend = request.param
    try:
        yield running
    finally:
        stop_server(running)
