"""A web worker's start and weight, and the national build, for two checkouts side by side.

    python bench/worker.py --releases-dir releases [--before ../old-checkout] [--rounds 3]

For each checkout (this one, and `--before` if given, in interleaved rounds) it starts
`python -m tilod.cli serve` on the release (embedded store) with that checkout's `src/` first
on the path, and measures: the time from the process start to its first answer (/health) and
to its first territory page; the resident memory (RSS) of the web process and of its query
worker processes after warm-up (the landing page drawn, one page of each kind, 3 s of rest);
and the modules of tilod and pyshacl it loaded. With `--build`, it also times a national build
(`/usr/bin/time -v`: wall time, peak RSS). Results go to bench/results/worker.md with the
machine's description.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests
from machine import describe_machine

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["", "id/territoire/2023-2027/ti-3215", "id/epci/200071892", "id/commune/02691", "id/departement/02",
         "id/region/32", "recherche?q=saint", "sparql", "def/tilod"]
BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def measure_worker(checkout: Path, releases: Path, port: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(checkout / "src"), "TILOD_RELEASES_DIR": str(releases),
           "TILOD_PORT": str(port), "TILOD_HOST": "127.0.0.1",
           "TILOD_ALLOW_OTHER_PORT": "1"}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "tilod.cli", "serve"], cwd=checkout, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            try:
                if requests.get(url + "health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                if time.perf_counter() - started > 60:
                    raise RuntimeError(f"{checkout}: tilod serve did not start") from None
                time.sleep(0.01)
        first_answer = time.perf_counter() - started
        requests.get(url + PAGES[1], headers={"Accept": BROWSER}, timeout=60).raise_for_status()
        first_page = time.perf_counter() - started
        for path in PAGES:
            requests.get(url + path, headers={"Accept": BROWSER}, timeout=60)
        time.sleep(3)
        workers = children(process.pid)
        code = ("import json, sys, tilod.serving.app; "
                "print(sum(m.startswith(('tilod.', 'pyshacl')) for m in sys.modules), "
                "sum(m.startswith('pyshacl') for m in sys.modules))")
        loaded = subprocess.run([sys.executable, "-c", code], env=env, cwd=checkout, capture_output=True,
                                text=True, check=True).stdout.split()
        return {"first answer (s)": first_answer, "first territory page (s)": first_page,
                "web process RSS (MiB)": rss_kib(process.pid) / 1024,
                "with its query workers (MiB)": (rss_kib(process.pid) + sum(map(rss_kib, workers))) / 1024,
                "tilod + pyshacl modules loaded": float(loaded[0]), "pyshacl modules loaded": float(loaded[1])}
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure_build(checkout: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as releases:
        env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
        run = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "tilod.cli", "build",
                              "--releases-dir", releases], cwd=checkout, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"{checkout}: the build failed\n{run.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time .*: (?:(\d+):)?(\d+):([\d.]+)", run.stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr)
    assert wall and peak, run.stderr[-1000:]
    hours, minutes, seconds = int(wall.group(1) or 0), int(wall.group(2)), float(wall.group(3))
    return {"national build, wall (s)": hours * 3600 + minutes * 60 + seconds,
            "national build, peak RSS (MiB)": int(peak.group(1)) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--releases-dir", type=Path, default=ROOT / "releases")
    parser.add_argument("--before", type=Path, help="another checkout to measure beside this one")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--build", action="store_true", help="time a national build too (~30 s each)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/worker.md")
    args = parser.parse_args()
    checkouts = {"this checkout": ROOT} | ({"before": args.before.resolve()} if args.before else {})
    figures: dict[str, dict[str, list[float]]] = {name: {} for name in checkouts}
    for round_ in range(args.rounds):
        for name, checkout in (list(checkouts.items())[::-1] if round_ % 2 else checkouts.items()):
            results = measure_worker(checkout, args.releases_dir.resolve(), 8793)
            if args.build:
                results |= measure_build(checkout)
            for key, value in results.items():
                figures[name].setdefault(key, []).append(value)
            print(name, {k: round(v, 3) for k, v in results.items()}, flush=True)
    names = list(checkouts)
    header = "| figure | " + " | ".join(f"{n} (median, min-max)" for n in names) + " |"
    lines = [f"# Web worker and build, side by side ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "",
             f"`python bench/worker.py --releases-dir {args.releases_dir}"
             + (f" --before {args.before}" if args.before else "") + f" --rounds {args.rounds}"
             + (" --build" if args.build else "") + "`; release "
             f"`{(args.releases_dir / 'current').resolve().name}`, `tilod serve` (embedded store), "
             f"{args.rounds} interleaved rounds.", "", f"Machine: {describe_machine()}.", "",
             header, "|---|" + "---|" * len(names)]
    for key in figures[names[0]]:
        cells = [f"{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f})"
                 for v in (figures[n][key] for n in names)]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
