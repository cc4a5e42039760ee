"""How the build's cost grows: the national graph replicated N times, through every build step.

    .venv/bin/python bench/scale.py --factor 10

Copy k of every resource is `<uri>/copie-k` (labels and codes unchanged, so every shape still
applies); the replicated graph goes through SHACL, the dumps and the embedded store like a
release. Prints one Markdown row (appended to bench/results/scale.md): factor, triples,
seconds per step, peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tilod.graph.builder import build_graph  # noqa: E402
from tilod.graph.uris import Uris  # noqa: E402
from tilod.records.inputs import load_inputs  # noqa: E402
from tilod.release.dumps import write_dumps  # noqa: E402
from tilod.settings import Settings  # noqa: E402
from tilod.validation.shacl import load_shapes, validate  # noqa: E402

RECORDS = ("territoire/", "labellisation/", "adhesion/", "epci/", "commune/", "departement/", "region/")


def replicate(graph: Graph, factor: int, id_space: str) -> Graph:
    """Copies of the records (territories ... régions); shared vocabulary (phases, natures) stays one."""
    prefixes = tuple(id_space + r for r in RECORDS)

    def copy(term, k):
        if isinstance(term, URIRef) and str(term).startswith(prefixes):
            return URIRef(f"{term}/copie-{k}")
        return term

    big = Graph()
    big += graph
    for k in range(1, factor):
        for s, p, o in graph:
            big.add((copy(s, k), p, copy(o, k)))
    return big


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--factor", type=int, default=10)
    factor = parser.parse_args().factor
    settings = Settings.load(environ={}, data_dir=ROOT / "data")
    uris = Uris(settings.base_uri)
    steps: dict[str, float] = {}
    t = time.monotonic()
    graph = replicate(build_graph(load_inputs(settings), uris), factor, uris.id)
    steps["records+graph"] = time.monotonic() - t
    t = time.monotonic()
    result = validate(graph, load_shapes(ROOT / "shapes/tilod-shapes.ttl", settings.base_uri))
    steps["SHACL"] = time.monotonic() - t
    assert result.conforms, result.summary()
    with tempfile.TemporaryDirectory() as folder:
        t = time.monotonic()
        nt = graph.serialize(format="nt", encoding="utf-8")
        triples = [q.triple for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)]
        write_dumps(triples, Path(folder), {})
        steps["dumps"] = time.monotonic() - t
        t = time.monotonic()
        store = ox.Store(str(Path(folder) / "store"))
        store.bulk_load(nt, ox.RdfFormat.N_TRIPLES)
        steps["store"] = time.monotonic() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    row = (f"| {factor} | {len(graph):,} | " + " | ".join(f"{v:.1f}" for v in steps.values())
           + f" | {sum(steps.values()):.1f} | {peak:,.0f} |")
    out = ROOT / "bench/results/scale.md"
    if not out.exists():
        out.write_text("# Build cost by scale (national graph replicated)\n\n| factor | triples | "
                       + " | ".join(f"{k} (s)" for k in steps) + " | total (s) | peak RSS (MiB) |\n"
                       + "|---" * (len(steps) + 4) + "|\n")
    with out.open("a") as handle:
        handle.write(row + "\n")
    print(row)


if __name__ == "__main__":
    main()
