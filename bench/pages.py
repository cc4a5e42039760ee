"""Render time of every kind of page for people, on a release (the national one by default).

    python bench/pages.py [--releases-dir releases] [--accept text/html] [--out bench/results/pages.md]

Starts a fresh `tilod serve` on the current release (nothing cached), waits for its start-up
work (the search index), asks each page once
(first render: the SPARQL behind the page, the template) and then five more times (served
from the per-release cache), and writes a table with the machine's description. Times are
measured by the client on loopback, so they include HTTP; the target is 200 ms uncached.
`--accept application/ld+json` (or `text/turtle`...) times the same URIs in that form instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import requests
from machine import describe_machine

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_MS = 200
STARTUP_S = 3.0

BY_REGION = (ROOT / "src/tilod/serving/queries/01-territoires-par-region.rq").read_text(encoding="utf-8")
#: (kind, path): the largest or busiest of each kind in the national data
PAGES = [
    ("landing (drawn when the worker starts)", ""),
    ("landing, English (drawn at its first request)", "?lang=en"),
    ("territory, 2023-2027 (Sud Aisne)", "id/territoire/2023-2027/ti-3215"),
    ("territory, most members (Aurillac – Figeac – Rodez, 17)", "id/territoire/2023-2027/ti-7603"),
    ("territory, 2018-2022", "id/territoire/2018-2022/ti-3211"),
    ("territory on its labelling day (?date=, ti-3201)", "id/territoire/2023-2027/ti-3201?date=2023-11-09"),
    ("territory on a day, most members (?date=, ti-7603)", "id/territoire/2023-2027/ti-7603?date=2024-06-01"),
    ("EPCI (Métropole du Grand Paris, 130 communes)", "id/epci/200054781"),
    ("EPCI, most communes (CA du Pays Basque, 158)", "id/epci/200067106"),
    ("EPCI (CA du Saint-Quentinois)", "id/epci/200071892"),
    ("EPCI on a day (?date=, Métropole européenne de Lille, 95 communes then)", "id/epci/200093201?date=2023-06-01"),
    ("EPCI version (CC de Flandre Intérieure, 2023)", "id/epci/200040947/2023"),
    ("commune (Saint-Quentin)", "id/commune/02691"),
    ("commune (Paris)", "id/commune/75056"),
    ("commune on a day (?date=, Saint-Quentin, 2020)", "id/commune/02691?date=2020-06-01"),
    ("département (Nord)", "id/departement/59"),
    ("département (Pas-de-Calais, 890 communes)", "id/departement/62"),
    ("région (Auvergne-Rhône-Alpes)", "id/region/84"),
    ("région (Hauts-de-France)", "id/region/32"),
    ("région (Occitanie)", "id/region/76"),
    ("région (Île-de-France)", "id/region/11"),
    ("search (first)", "recherche?q=thierache"),
    ("search", "recherche?q=saint"),
    ("SPARQL page", "sparql"),
    ("SPARQL results page (territories by région)", "sparql?query=" + quote(BY_REGION)),
    ("ontology", "def/tilod"),
    ("SHACL shapes", "def/tilod/shapes"),
    ("release history", "historique"),
    ("downloads", "dumps/"),
]


def serve(releases: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "TILOD_RELEASES_DIR": str(releases), "TILOD_PORT": str(port), "TILOD_HOST": "127.0.0.1",
           "TILOD_ALLOW_OTHER_PORT": "1"}
    process = subprocess.Popen([BIN / "tilod", "serve"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                return process
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("tilod serve did not start")


def timed(url: str, accept: str = "text/html") -> tuple[float, int, int]:
    started = time.perf_counter()
    response = requests.get(url, headers={"Accept": accept}, timeout=60)
    return (time.perf_counter() - started) * 1000, response.status_code, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--releases-dir", type=Path, default=ROOT / "releases")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--accept", default="text/html", help="the Accept header sent (default: a page)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/pages.md")
    args = parser.parse_args()
    current = (args.releases_dir / "current").resolve()
    process = serve(args.releases_dir, args.port)
    time.sleep(STARTUP_S)  # let the worker finish its start-up work (the search index) first
    rows = []
    try:
        base = f"http://127.0.0.1:{args.port}/"
        for kind, path in PAGES:
            first, status, size = timed(base + path, args.accept)
            again = statistics.median(timed(base + path, args.accept)[0] for _ in range(5))
            rows.append((kind, "/" + path if path.startswith("?") else path.split("?")[0] or "/", status, size,
                         first, again))
            print(f"{kind:55} {status} {size:>9,} B  first {first:7.1f} ms  then {again:6.1f} ms", flush=True)
    finally:
        process.terminate()
        process.wait(timeout=10)
    over = [r for r in rows if r[4] > TARGET_MS]
    lines = [
        f"# Page render times ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "",
        f"Release `{current.name}` ({args.releases_dir}), `tilod serve` (development server, embedded store), "
        f"`Accept: {args.accept}`, "
        f"fresh process, measured {STARTUP_S:g} s after it answers /health (a starting worker loads the "
        "search index, ~0.3 s nationally); times measured by the client on loopback (HTTP included).", "",
        f"Machine: {describe_machine()}.", "",
        "| page | path | status | bytes | first (ms) | cached, median of 5 (ms) |",
        "|---|---|---|---|---|---|",
        *(f"| {k} | `{p}` | {s} | {b:,} | {f:.1f} | {a:.1f} |" for k, p, s, b, f, a in rows), "",
        f"Target: no page over {TARGET_MS} ms to render. "
        + ("Met: every first render is under it." if not over else
           "Over it: " + ", ".join(f"{k} ({f:.0f} ms)" for k, _, _, _, f, _ in over) + "."),
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
