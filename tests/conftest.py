"""Shared fixtures: one small real release (the Aisne and the Somme), built once per session."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

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


@pytest.fixture(scope="session", autouse=True)
def _run_from_root(tmp_path_factory: pytest.TempPathFactory):
    """The build reads ontology/ and shapes/ relative to the project root."""
    import os

    old = os.getcwd()
    os.chdir(ROOT)
    yield
    os.chdir(old)


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
def server(settings: Settings, release: Path):
    """A real `tilod serve` process on 127.0.0.1 serving the subset release (see tests/server.py).

    `.url` is where it listens, `.base` the base URI of the data (http://localhost:8000/);
    `.to_server(uri)` maps a resource URI to the URL that dereferences it.
    """
    from server import start_server, stop_server

    running = start_server(settings.releases_dir, ROOT, settings.base_uri)
    try:
        yield running
    finally:
        stop_server(running)
