"""What the shapes cost: SHACL validation of the national data graph with the checkout's shapes
and with another shapes file (e.g. an earlier commit's), interleaved rounds, medians.

    git show main:shapes/tilod-shapes.ttl > /tmp/shapes-before.ttl
    .venv/bin/python bench/shapes_cost.py --against /tmp/shapes-before.ttl --rounds 2

Appends one Markdown block to bench/results/shapes-cost.md with the machine's description.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe_machine  # noqa: E402

from tilod.graph.builder import build_graph  # noqa: E402
from tilod.graph.uris import Uris  # noqa: E402
from tilod.records.inputs import load_inputs  # noqa: E402
from tilod.settings import Settings  # noqa: E402
from tilod.validation.shacl import load_shapes, validate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, required=True, help="the shapes file to compare with")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    settings = Settings.load(environ={}, data_dir=ROOT / "data", releases_dir=Path(tempfile.mkdtemp()))
    data = build_graph(load_inputs(settings), Uris(settings.base_uri))
    files = {"checkout": ROOT / "shapes/tilod-shapes.ttl", "against": args.against}
    seconds: dict[str, list[float]] = {name: [] for name in files}
    violations: dict[str, int] = {}
    for _ in range(args.rounds):
        for name, path in files.items():
            copy = Graph()
            copy += data
            shapes = load_shapes(path, settings.base_uri)
            started = time.perf_counter()
            result = validate(copy, shapes)
            seconds[name].append(time.perf_counter() - started)
            violations[name] = result.violations
            print(name, round(seconds[name][-1], 2), result.violations, flush=True)
    load = os.getloadavg()[0]
    lines = [f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, national data graph ({len(data):,} triples)\n",
             f"Machine: {describe_machine()}; load average at the end {load:.1f}.\n",
             "| shapes | median s | rounds (s) | violations |", "|---|---|---|---|"]
    for name, path in files.items():
        label = "checkout" if name == "checkout" else f"`{path.name}` (compared with)"
        lines.append(f"| {label} | {statistics.median(seconds[name]):.1f} | "
                     f"{', '.join(f'{s:.1f}' for s in seconds[name])} | {violations[name]} |")
    out = ROOT / "bench/results/shapes-cost.md"
    if not out.exists():
        out.write_text("# What the SHACL shapes cost on the national data graph\n", encoding="utf-8")
    with out.open("a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
