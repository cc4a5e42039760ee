"""What the links out cost a national build: their triples, the SHACL time of their shapes, the
VoID linksets' counting.

    python bench/links.py [--rounds 3]

It reads the national inputs and builds the graph once, then in interleaved rounds validates it
with the release's shapes and with the same shapes less those of the links out (LienAnnuaire,
LienApiGeo, PageDeSource), and times `describe_linksets`. Results go to bench/results/links.md
with the machine's description.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from machine import describe_machine
from rdflib import Graph, URIRef

from tilod.graph.builder import build_graph
from tilod.graph.links import FAMILIES
from tilod.graph.uris import Uris
from tilod.records.inputs import load_inputs
from tilod.release.linksets import count_links, describe_linksets
from tilod.settings import Settings
from tilod.validation.shacl import load_shapes, validate

ROOT = Path(__file__).resolve().parent.parent
LINK_SHAPES = ("LienAnnuaire", "LienApiGeo", "PageDeSource")
SHAPES_NS = "https://w3id.org/tilod/def/tilod/shapes#"


def without_link_shapes(shapes: Graph) -> Graph:
    """The shapes less those of the links out (their targets and constraints are left unreferenced)."""
    lighter = Graph()
    lighter += shapes
    for name in LINK_SHAPES:
        lighter.remove((URIRef(SHAPES_NS + name), None, None))
    return lighter


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def copy_of(graph: Graph) -> Graph:
    copy = Graph()
    copy += graph
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = Settings.load(environ={}, data_dir=ROOT / "data", releases_dir=ROOT / "releases")
    uris = Uris(settings.base_uri)
    data = build_graph(load_inputs(settings), uris)
    shapes = load_shapes(settings.shapes_file, settings.base_uri)
    variants = {"release's shapes": shapes, "less the link shapes": without_link_shapes(shapes)}
    times: dict[str, list[float]] = {name: [] for name in variants}
    counting: list[float] = []
    for _ in range(args.rounds):
        for name, variant in variants.items():
            graph = copy_of(data)  # validation runs in place
            result = None

            def run(graph=graph, variant=variant):
                nonlocal result
                result = validate(graph, variant)

            times[name].append(timed(run))
            assert result is not None and result.conforms, result.summary() if result else name
        counting.append(timed(lambda: describe_linksets(data, uris, Graph())))
    links = {f.key: count_links(data, f) for f in FAMILIES}

    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"

    lines = [
        f"# Links out on the national graph ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "",
        f"`python bench/links.py --rounds {args.rounds}`: {len(data):,} triples, of which "
        f"{sum(links.values()):,} links out; {args.rounds} interleaved rounds.", "",
        f"Machine: {describe_machine()}.", "",
        "| SHACL of the data graph (s, median, min-max) | |", "|---|---|",
        *(f"| {name} | {cell(values)} |" for name, values in times.items()),
        f"| counting the linksets (`describe_linksets`) | {cell(counting)} |", "",
        "| linkset | links |", "|---|---|",
        *(f"| {key} | {count:,} |" for key, count in links.items()), "",
    ]
    out = ROOT / "bench/results/links.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
