"""tilod benchmarks: build, SHACL, dereference and SPARQL, on this machine, loopback only.

    .venv/bin/python bench/run.py            # national data (builds a release, ~2 min)
    .venv/bin/python bench/run.py --quick    # Aisne + Somme subset, short runs

Writes bench/results/<UTC date>-<scope>.md with the machine's description. Needs `wrk`
(Debian package) for the load figures. Every load is bounded in time and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

import requests
from machine import describe_machine

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TERRITORY = "id/territoire/2023-2027/ti-3208"
QUERY_MIX = {
    "territoires par région": (ROOT / "src/tilod/serving/queries/01-territoires-par-region.rq").read_text(),
    "communes d'un territoire": (ROOT / "src/tilod/serving/queries/02-communes-d-un-territoire.rq").read_text(),
    "EPCI par fragment de nom": (ROOT / "src/tilod/serving/queries/03-epci-par-nom.rq").read_text(),
    "DESCRIBE d'un territoire": (ROOT / "src/tilod/serving/queries/04-decrire-un-territoire.rq").read_text(),
    "page de triplets (OFFSET 10000)": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1000 OFFSET 10000",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def machine() -> str:
    versions = subprocess.run([BIN / "pip", "list", "--format=freeze"], capture_output=True, text=True).stdout
    wanted = [v for v in versions.splitlines() if v.split("==")[0].lower() in
              {"rdflib", "pyoxigraph", "pyshacl", "flask", "gunicorn", "oxigraph"}]
    return describe_machine() + "; " + ", ".join(wanted)


def bench_build(releases: Path, quick: bool) -> dict:
    args = [BIN / "tilod", "build", "--releases-dir", str(releases)] + (["--departements", "02,80"] if quick else [])
    started = time.monotonic()
    run = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - started
    if run.returncode:
        raise RuntimeError(run.stderr)
    steps = dict(re.findall(r"\[\s*([\d.]+)s\] (validating with SHACL|writing dumps)", run.stderr)[::1])
    shacl = None
    times = re.findall(r"\[\s*([\d.]+)s\] (.*)", run.stderr)
    for (t1, m1), (t2, _) in zip(times, times[1:], strict=False):
        if m1.startswith("validating"):
            shacl = float(t2) - float(t1)
    del steps
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall_s": round(wall, 1), "peak_mib": round(peak), "shacl_s": shacl, "log": run.stderr}


def wrk(url: str, clients: int, seconds: int, script: Path | None = None) -> dict:
    threads = min(clients, 2)
    args = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run(args + [url], capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": round(rps), "p50": lat.get("50"), "p99": lat.get("99"),
            "non_2xx": int(errors.group(1)) if errors else 0}


def accept_script(folder: Path, accept: str) -> Path:
    path = folder / f"accept-{abs(hash(accept))}.lua"
    path.write_text(f'wrk.headers["Accept"] = "{accept}"\n')
    return path


def median_ms(url: str, query: str, n: int) -> float:
    session = requests.Session()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        r = session.post(url, data={"query": query}, headers={"Accept": "application/sparql-results+json, text/turtle"})
        r.raise_for_status()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def start(args: list, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="Aisne+Somme subset, 5 s loads")
    opts = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    seconds = 5 if opts.quick else 15
    work = Path(tempfile.mkdtemp(prefix="tilod-bench-"))
    releases = work / "releases"
    scope = "subset 02,80" if opts.quick else "national"
    lines = [f"# tilod benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC ({scope})",
             "", f"Machine: {machine()}", ""]
    build = bench_build(releases, opts.quick)
    lines += ["## Build", "", f"- `tilod build`: {build['wall_s']} s wall, peak RSS {build['peak_mib']} MiB",
              f"- SHACL validation (pyshacl-turbo, no inference): {build['shacl_s']:.1f} s", "",
              "```", build["log"].strip(), "```", ""]
    manifest = json.loads((releases / "current" / "release.json").read_text())
    procs: list[subprocess.Popen] = []
    try:
        tilod_port, bare_port, ox_port, remote_port = (free_port() for _ in range(4))
        env = {"TILOD_RELEASES_DIR": str(releases), "TILOD_QUERY_WORKERS": "2"}
        gunicorn = [str(BIN / "gunicorn"), "-w", "2", "-k", "gthread", "--threads", "8", "-b"]
        procs.append(start(gunicorn + [f"127.0.0.1:{tilod_port}", "tilod.serving.app:create_app()"], env))
        procs.append(start(gunicorn + [f"127.0.0.1:{bare_port}", "--chdir", str(ROOT / "bench"), "bare_app:app"]))
        procs.append(start([str(BIN / "oxigraph"), "serve", "--location", str(work / "ox"), "--bind",
                            f"127.0.0.1:{ox_port}"]))
        wait_for(f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D")
        store_env = {"TILOD_STORE_URL": f"http://127.0.0.1:{ox_port}/query"}
        subprocess.run([BIN / "tilod", "publish", "--releases-dir", str(releases)], cwd=ROOT, check=True,
                       env={**os.environ, **store_env}, capture_output=True)
        procs.append(start(gunicorn + [f"127.0.0.1:{remote_port}", "tilod.serving.app:create_app()"],
                           {**env, **store_env}))
        for port in (tilod_port, bare_port, remote_port):
            wait_for(f"http://127.0.0.1:{port}/health")
        html, turtle = accept_script(work, "text/html"), accept_script(work, "text/turtle")
        lines += ["## Dereference", "", f"gunicorn, 2 workers; wrk {seconds} s per row; `/{TERRITORY}`", "",
                  "| backend | format | clients | req/s | p50 | p99 | non-2xx |", "|---|---|---|---|---|---|---|"]
        bare = wrk(f"http://127.0.0.1:{bare_port}/{TERRITORY}", 8, seconds)
        lines.append(f"| bare Flask route (static string) | text | 8 | {bare['rps']} | {bare['p50']} | "
                     f"{bare['p99']} | {bare['non_2xx']} |")
        ratios = {}
        for backend, port in (("embedded", tilod_port), ("remote Oxigraph", remote_port)):
            for name, script in (("HTML", html), ("Turtle", turtle)):
                for clients in (1, 8, 64):
                    r = wrk(f"http://127.0.0.1:{port}/{TERRITORY}", clients, seconds, script)
                    lines.append(f"| {backend} | {name} | {clients} | {r['rps']} | {r['p50']} | {r['p99']} | "
                                 f"{r['non_2xx']} |")
                    if clients == 8:
                        ratios[(backend, name)] = r["rps"] / bare["rps"]
        lines += ["", "Throughput at 8 clients / bare Flask route: " + ", ".join(
            f"{b} {n} {v:.2f}" for (b, n), v in ratios.items()) + " (target >= 0.5)", ""]
        n = 20 if opts.quick else 50
        lines += ["## SPARQL query mix", "", f"Median of {n} sequential POSTs each, same data in both servers.", "",
                  "| query | tilod embedded (ms) | raw Oxigraph server (ms) | ratio |", "|---|---|---|---|"]
        all_ratios = []
        for name, query in QUERY_MIX.items():
            ours = median_ms(f"http://127.0.0.1:{tilod_port}/sparql", query, n)
            graph = f"{manifest['base_uri']}graph/release/{manifest['version']}"
            raw_url = f"http://127.0.0.1:{ox_port}/query?default-graph-uri={urllib.parse.quote(graph)}"
            raw = median_ms(raw_url, query, n)
            all_ratios.append(ours / raw)
            lines.append(f"| {name} | {ours:.1f} | {raw:.1f} | {ours / raw:.2f} |")
        mean = statistics.geometric_mean(all_ratios)
        lines += ["", f"Geometric mean ratio tilod / raw engine: {mean:.2f} (target <= 1.3)", ""]
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    out = ROOT / "bench/results" / f"{datetime.now(UTC):%Y%m%dT%H%M}-{'subset' if opts.quick else 'national'}.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
