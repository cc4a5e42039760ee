"""CPU time of writing one resource's description: tilod's compacted JSON-LD and grouped Turtle
beside pyoxigraph's plain writers, on the same triples (what a first, uncached request pays on top
of its SPARQL).

    python bench/documents.py [--releases-dir releases] [--out bench/results/documents.md]

Reads the current release's embedded store (the national one by default); for the largest
resource of each kind, the best of 20 runs of each writer (process CPU time, so a busy machine
changes little), and the describe query once for scale.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from machine import describe_machine

from tilod.graph.jsonld import Context, describe
from tilod.graph.namespaces import STANDARD_PREFIXES
from tilod.graph.turtle import turtle
from tilod.release import layout
from tilod.stores.describe import describe as describe_query

ROOT = Path(__file__).resolve().parent.parent
RUNS = 20
CONTEXT_URL = "http://localhost:8000/def/tilod/context.jsonld"
RESOURCES = [
    ("territory, most members (ti-7603)", "territoire/2023-2027/ti-7603"),
    ("EPCI (Métropole du Grand Paris)", "epci/200054781"),
    ("commune (Paris)", "commune/75056"),
    ("département (Nord)", "departement/59"),
    ("région (Auvergne-Rhône-Alpes)", "region/84"),
    ("phase (2023-2027)", "phase/2023-2027"),
]


def best_ms(write: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.process_time()
        write()
        times.append(time.process_time() - started)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--releases-dir", type=Path, default=ROOT / "releases")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/documents.md")
    args = parser.parse_args()
    current = (args.releases_dir / "current").resolve()
    base = layout.read_manifest(current)["base_uri"]
    store = ox.Store.read_only(str(current / layout.STORE))
    context = Context.read(current / layout.CONTEXT)
    rows = []
    for kind, path in RESOURCES:
        uri = base + "id/" + path
        started = time.process_time()
        triples = describe_query(store, uri)
        query_ms = (time.process_time() - started) * 1000
        row = (kind, len(triples), query_ms,
               best_ms(lambda t=triples, u=uri: json.dumps(describe(u, t, context, CONTEXT_URL), ensure_ascii=False)),
               best_ms(lambda t=triples: ox.serialize(t, format=ox.RdfFormat.JSON_LD)),
               best_ms(lambda t=triples, u=uri: turtle(t, STANDARD_PREFIXES, u)),
               best_ms(lambda t=triples: ox.serialize(t, format=ox.RdfFormat.TURTLE, prefixes=STANDARD_PREFIXES)))
        rows.append(row)
        print(row, flush=True)
    lines = [
        f"# Writing one resource's description ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "",
        f"`python bench/documents.py --releases-dir {args.releases_dir}`; release `{current.name}`, "
        f"embedded store; CPU time, best of {RUNS}; the describe query once.", "",
        f"Machine: {describe_machine()}.", "",
        "| resource | triples | describe query (ms) | JSON-LD, compacted (tilod) | JSON-LD, pyoxigraph | "
        "Turtle, grouped (tilod) | Turtle, pyoxigraph |",
        "|---|---|---|---|---|---|---|",
        *(f"| {k} | {n} | {q:.1f} | {a:.2f} | {b:.2f} | {c:.2f} | {d:.2f} |" for k, n, q, a, b, c, d in rows),
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
