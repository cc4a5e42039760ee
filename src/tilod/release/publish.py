"""`tilod publish`: load a release into a remote SPARQL store, then switch to it.

The release goes into its own named graph through the SPARQL 1.1 Graph Store Protocol;
only once its triple count in the store equals the release's is the store's pointer to
the current release moved (one SPARQL update). A failed or partial load is never served.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import requests

from tilod.errors import TilodError
from tilod.release import layout
from tilod.settings import Settings

KEEP_GRAPHS = 2  # the current release and the one before it (for a quick way back)


class PublishError(TilodError):
    pass


def data_content(folder: Path) -> Iterator[bytes]:
    """The N-Triples of a release's data (its default graph)."""
    with gzip.open(folder / layout.NT_DUMP, "rb") as handle:
        yield from iter(lambda: handle.read(1 << 20), b"")


def file_content(path: Path, base: str) -> Iterator[bytes]:
    """One of the release's Turtle files as N-Triples (the store's own parser resolves no base)."""
    triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base)]
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    yield data


def store_graphs(folder: Path, manifest: dict) -> dict[str, tuple[Path | None, int]]:
    """Graph IRI -> (its Turtle file, None for the data dump; its triple count) of a release, as
    its embedded store holds them (see layout.py)."""
    base, version = manifest["base_uri"], manifest["version"]
    counts = {f["filename"]: f["triples"] for f in manifest["files"]}
    graphs: dict[str, tuple[Path | None, int]] = {layout.release_graph(base, version): (None, manifest["triples"])}
    for name, graph in layout.named_graphs(base, version).items():
        if (folder / name).is_file() and counts.get(name) is not None:  # older releases: data only
            graphs[graph] = (folder / name, counts[name])
    return graphs


class SparqlClient:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.http = requests.Session()
        self.timeout = (5.0, 600.0)

    def _check(self, response: requests.Response, what: str) -> requests.Response:
        if response.status_code >= 300:
            raise PublishError(f"{what}: the store answered {response.status_code}: {response.text[:300]}")
        return response

    def select(self, query: str) -> list[dict]:
        try:
            response = self.http.post(self.settings.store_url, data={"query": query}, timeout=self.timeout,
                                      headers={"Accept": "application/sparql-results+json"})
        except requests.RequestException as exc:
            raise PublishError(f"cannot reach {self.settings.store_url}: {exc}") from None
        return self._check(response, "query").json()["results"]["bindings"]

    def update(self, update: str) -> None:
        try:
            response = self.http.post(self.settings.store_update_url, data={"update": update}, timeout=self.timeout)
        except requests.RequestException as exc:
            raise PublishError(f"cannot reach {self.settings.store_update_url}: {exc}") from None
        self._check(response, "update")

    def put_graph(self, graph: str, body: Iterator[bytes]) -> None:
        try:
            response = self.http.put(self.settings.store_gsp_url, params={"graph": graph}, data=body,
                                     headers={"Content-Type": "application/n-triples"}, timeout=self.timeout)
        except requests.RequestException as exc:
            raise PublishError(f"cannot reach {self.settings.store_gsp_url}: {exc}") from None
        self._check(response, f"upload of {graph}")


def publish(settings: Settings, folder: Path | None = None, out: Callable[[str], None] = print) -> str:
    """Load the release (default: current) into the remote store and make it current there."""
    if not settings.store_url:
        raise PublishError("no remote store: set TILOD_STORE_URL (or --store-url)")
    folder = (folder or layout.current_link(settings.releases_dir)).resolve()
    try:
        manifest = layout.read_manifest(folder)
    except (OSError, ValueError) as exc:
        raise PublishError(f"no release at {folder}: {exc}") from None
    base = settings.base_uri
    if manifest["base_uri"] != base:
        raise PublishError(f"release {manifest['version']} was built for {manifest['base_uri']}, not {base}")
    graph = layout.release_graph(base, manifest["version"])
    client = SparqlClient(settings)
    out(f"loading release {manifest['version']} into <{graph}> and its named graphs at {settings.store_gsp_url}")
    graphs = store_graphs(folder, manifest)
    loaded = 0
    for name, (path, expected) in graphs.items():
        client.put_graph(name, data_content(folder) if path is None else file_content(path, base))
        [row] = client.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
        count = int(row["n"]["value"])
        loaded += count
        if count != expected:
            for dropped in graphs:
                client.update(f"DROP SILENT GRAPH <{dropped}>")
            raise PublishError(f"the store holds {count:,} triples of {expected:,} in <{name}>: not switched")
    control = layout.pointer_graph(base)
    pointer = f"<{control}> <{layout.pointer_property()}>"
    client.update(f"DELETE WHERE {{ GRAPH <{control}> {{ {pointer} ?old }} }} ;\n"
                  f"INSERT DATA {{ GRAPH <{control}> {{ {pointer} <{graph}> }} }}")
    out(f"release {manifest['version']} is current in the store ({loaded:,} triples)")
    _prune(client, base, keep={graph})
    return graph


def _prune(client: SparqlClient, base: str, keep: set[str]) -> None:
    """Drop the releases before the last KEEP_GRAPHS, each with its named graphs."""
    prefix = layout.release_graph_prefix(base)
    rows = client.select(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}')
    graphs = sorted((r["g"]["value"] for r in rows), reverse=True)
    for old in [g for g in graphs if g not in keep][KEEP_GRAPHS - 1:]:
        version = old[len(prefix):]
        for dropped in [old, *layout.named_graphs(base, version).values()]:
            client.update(f"DROP SILENT GRAPH <{dropped}>")
