"""Writing the data dumps of a release: tilod's Turtle (grouped by subject, its prefixes only) and
compacted JSON-LD beside pyoxigraph's plain writers, on the same triples.

    python bench/dumps.py [--releases-dir releases] [--rounds 3] [--out bench/results/dumps.md]

Reads the current release's `tilod.nt.gz` (the national one by default) and writes each form in
a fresh process (interleaved rounds), timing wall and CPU and reading the process's peak RSS;
CPU time is the figure to read on a busy machine. The target: the national build (all of it)
under 60 s and 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from machine import describe_machine

ROOT = Path(__file__).resolve().parent.parent
#: what each child process writes, after reading the triples (not timed)
WRITERS = {
    "Turtle, pyoxigraph as it comes": "ox.serialize(triples, out, format=ox.RdfFormat.TURTLE, prefixes=prefixes)",
    "Turtle, grouped by subject, used prefixes (tilod)":
        "ordered = grouped(triples); ox.serialize(ordered, out, format=ox.RdfFormat.TURTLE, "
        "prefixes=used_prefixes(ordered, prefixes))",
    "JSON-LD, pyoxigraph (expanded, no context)": "ox.serialize(triples, out, format=ox.RdfFormat.JSON_LD)",
    "JSON-LD, compacted with the context (tilod)":
        "write_graph(triples, Path(out), Context.read(CONTEXT), 'http://localhost:8000/def/tilod/context.jsonld')",
}
CHILD = """
import gzip, json, resource, sys, time
from pathlib import Path
import pyoxigraph as ox
from tilod.graph.jsonld import Context, write_graph
from tilod.graph.namespaces import STANDARD_PREFIXES as prefixes
from tilod.graph.turtle import grouped, used_prefixes
CONTEXT = Path(sys.argv[3])
triples = [q.triple for q in ox.parse(gzip.decompress(Path(sys.argv[1]).read_bytes()), format=ox.RdfFormat.N_TRIPLES)]
out = sys.argv[2]
wall, cpu = time.perf_counter(), time.process_time()
{writer}
print(json.dumps({{"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "bytes": Path(out).stat().st_size, "triples": len(triples)}}))
"""


def run(writer: str, dump: Path) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "dump"
        child = subprocess.run([sys.executable, "-c", CHILD.format(writer=writer), str(dump), str(out),
                                str(ROOT / "ontology/context.jsonld")],
                               capture_output=True, text=True, check=True, env={"PYTHONPATH": str(ROOT / "src")})
    return json.loads(child.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--releases-dir", type=Path, default=ROOT / "releases")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/dumps.md")
    args = parser.parse_args()
    current = (args.releases_dir / "current").resolve()
    figures: dict[str, list[dict]] = {name: [] for name in WRITERS}
    for round_ in range(args.rounds):
        for name in list(WRITERS)[::-1] if round_ % 2 else WRITERS:
            figures[name].append(run(WRITERS[name], current / "tilod.nt.gz"))
            print(name, figures[name][-1], flush=True)
    triples = figures[next(iter(WRITERS))][0]["triples"]
    lines = [
        f"# Writing the data dumps ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "",
        f"`python bench/dumps.py --releases-dir {args.releases_dir} --rounds {args.rounds}`; release "
        f"`{current.name}` ({triples:,} triples), each writer in a fresh process, {args.rounds} interleaved "
        "rounds; medians (min-max). Peak RSS is the whole process's (the triples read included).", "",
        f"Machine: {describe_machine()}.", "",
        "| writer | wall (s) | CPU (s) | peak RSS (MiB) | bytes |", "|---|---|---|---|---|",
    ]
    for name, runs in figures.items():
        def cell(key: str, runs: list[dict] = runs) -> str:
            values = [r[key] for r in runs]
            return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"
        lines.append(f"| {name} | {cell('wall')} | {cell('cpu')} | {cell('rss')} | {runs[0]['bytes']:,} |")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
