"""The SPARQL path side by side, in one run: tilod under gunicorn (deploy/gunicorn.conf.py) on the
embedded store and on a remote Oxigraph store, with its answer cache off (cold) and on (cached),
against the raw `oxigraph serve-read-only` on a copy of the same store; the cached answers also
against a bare Flask route under the same gunicorn.

    .venv/bin/python bench/sparql_side_by_side.py [--releases DIR] [--rounds 3] [--requests 30]

Without --releases, builds the national release into a temporary folder (about a minute). Each
round measures every query of the mix on every server in turn (median of --requests sequential
POSTs on one keep-alive connection), so that a noisy neighbour on the machine hits every server
alike; the table gives the median of the rounds' medians and their spread (min-max). Then wrk
(8 clients, 5 s a run, interleaved rounds) compares a cached answer with the bare route, and the
full-dataset sort is timed once per store. Writes bench/results/sparql-side-by-side.md with the
machine's description. Every process is on loopback and stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
from processes import stop

from tilod.release import layout

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUERIES = ROOT / "src/tilod/serving/queries"
RESULTS = ROOT / "bench/results/sparql-side-by-side.md"
GUNICORN_CONF = ROOT / "deploy/gunicorn.conf.py"
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
TERRITORY = "id/territoire/2023-2027/ti-3208"
#: the full-dataset sort of an analyst: no engine here has a top-k for it (oxigraph#1873)
SORT = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 10"


def query_mix(base: str) -> dict[str, str]:
    """The issue's mix (#15), written for the release's base URI."""
    def example(name: str) -> str:
        return (QUERIES / name).read_text(encoding="utf-8").replace("http://localhost:8000/", base)
    return {
        "territories per région, GROUP BY": example("01-territoires-par-region.rq"),
        "communes of a territory": example("02-communes-d-un-territoire.rq"),
        'EPCIs whose name contains "Picardie"': example("03-epci-par-nom.rq").replace("thiérache", "picardie"),
        "DESCRIBE of a territory": example("04-decrire-un-territoire.rq"),
        "CONSTRUCT of one territory's triples": f"CONSTRUCT {{ <{base}{TERRITORY}> ?p ?o }} "
                                                f"WHERE {{ <{base}{TERRITORY}> ?p ?o }}",
        "100 triples at OFFSET 10000": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100 OFFSET 10000",
        "ASK {}": "ASK {}",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args: list, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([str(a) for a in args], cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def versions() -> str:
    freeze = subprocess.run([BIN / "pip", "list", "--format=freeze"], capture_output=True, text=True,
                            timeout=60).stdout
    wanted = [v for v in freeze.splitlines()
              if v.split("==")[0].lower() in {"pyoxigraph", "oxigraph", "flask", "gunicorn"}]
    return ", ".join(wanted)


def release_of(releases: Path | None, work: Path) -> Path:
    """The current release of `releases`, or of a national build made here."""
    if releases is None:
        releases = work / "releases"
        subprocess.run([BIN / "tilod", "build", "--releases-dir", releases], cwd=ROOT, check=True,
                       capture_output=True, timeout=900)
    return (releases / "current").resolve()


class Target:
    """One server of the comparison: where to POST a query, with which extra parameters."""

    def __init__(self, name: str, url: str, params: dict[str, str] | None = None) -> None:
        self.name, self.url, self.params = name, url, params or {}
        self.session = requests.Session()

    def post(self, query: str, timeout: float = 60) -> requests.Response:
        return self.session.post(self.url, data={"query": query, **self.params}, headers={"Accept": ACCEPT},
                                 timeout=timeout)

    def median_ms(self, query: str, n: int) -> float:
        times = []
        for _ in range(n):
            started = time.perf_counter()
            response = self.post(query)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{self.name}: {response.status_code} {response.text[:200]}")
        return statistics.median(times)


def wrk_rps(url: str, seconds: int = 5, clients: int = 8) -> float:
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", url],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} non-2xx answers from {url}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def spread(values: list[float], digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def timed_sort(target: Target, limit: float) -> str:
    started = time.perf_counter()
    try:
        response = target.post(SORT, timeout=limit)
    except requests.Timeout:
        return f"no answer after {limit:g} s"
    return f"{response.status_code} after {time.perf_counter() - started:.1f} s"


VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def start_virtuoso(work: Path, release: Path, graph: str, base: str) -> tuple[subprocess.Popen, str]:
    """Debian's Virtuoso on loopback, from a copy of its ini pointed at `work`, with the release's
    dump loaded into the release's graph and tilod's pointer to it: (process, SPARQL endpoint)."""
    folder, load = work / "virtuoso", work / "virtuoso" / "load"
    load.mkdir(parents=True)
    shutil.copy(release / "tilod.nt.gz", load)
    sql_port, http_port = free_port(), free_port()
    ini = VIRTUOSO_INI.read_text(encoding="utf-8").replace("/var/lib/virtuoso-opensource-7/db", str(folder))
    ini = re.sub(r"(?m)^ServerPort\s*=\s*1111\b.*$", f"ServerPort = 127.0.0.1:{sql_port}", ini)
    ini = re.sub(r"(?m)^ServerPort\s*=\s*8890\b.*$", f"ServerPort = 127.0.0.1:{http_port}", ini)
    ini = re.sub(r"(?m)^DirsAllowed\s*=.*$", f"DirsAllowed = ., {load}", ini)
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    process = start(["virtuoso-t", "-f", "-c", folder / "virtuoso.ini"])
    endpoint = f"http://127.0.0.1:{http_port}/sparql"
    wait_for(endpoint + "?query=ASK%7B%7D", process)
    pointer = layout.pointer_graph(base)
    sql = (f"ld_dir('{load}', 'tilod.nt.gz', '{graph}'); rdf_loader_run(); checkpoint; "
           f"SPARQL INSERT DATA {{ GRAPH <{pointer}> {{ <{pointer}> <{layout.pointer_property()}> <{graph}> }} }};")
    # dba/dba: the package's default account, on a server of our own that listens on loopback only
    subprocess.run(["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={sql}"], check=True,  # noqa: S106
                   capture_output=True, timeout=600)
    return process, endpoint


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--releases", type=Path, help="a releases folder to reuse (default: build the national one)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=30, help="sequential POSTs per query, server and round")
    opts = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="tilod-sparql-bench-"))
    procs: list[subprocess.Popen] = []
    try:
        release = release_of(opts.releases, work)
        manifest = json.loads((release / "release.json").read_text(encoding="utf-8"))
        base, version = manifest["base_uri"], manifest["version"]
        graph = layout.release_graph(base, version)
        # each tilod server gets its own copy of the releases folder: its own answer cache
        def releases_copy(name: str, with_store: bool) -> Path:
            target = work / name
            ignore = None if with_store else shutil.ignore_patterns("store")
            shutil.copytree(release, target / version, ignore=ignore)
            (target / "current").symlink_to(version)
            return target
        shutil.copytree(release / "store", work / "raw-store")  # the raw engine's copy of the same store
        ports = {name: free_port() for name in ("raw", "remote", "emb-cold", "emb-cached", "rem-cold", "rem-cached",
                                               "bare")}
        oxigraph = BIN / "oxigraph"
        # the remote store: published through a writable server, then served read-only
        loader = start([oxigraph, "serve", "--location", work / "remote-store",
                        "--bind", f"127.0.0.1:{ports['remote']}"])
        wait_for(f"http://127.0.0.1:{ports['remote']}/query?query=ASK%7B%7D", loader)
        store_url = f"http://127.0.0.1:{ports['remote']}/query"
        published = releases_copy("releases-publish", with_store=False)
        subprocess.run([BIN / "tilod", "publish", "--releases-dir", published], cwd=ROOT, check=True,
                       env={**os.environ, "TILOD_STORE_URL": store_url}, capture_output=True, timeout=600)
        stop(loader)
        for name, location in (("raw", work / "raw-store"), ("remote", work / "remote-store")):
            procs.append(start([oxigraph, "serve-read-only", "--location", location, "--bind",
                                f"127.0.0.1:{ports[name]}"]))
            wait_for(f"http://127.0.0.1:{ports[name]}/query?query=ASK%7B%7D", procs[-1])
        servers = {
            "emb-cold": (True, {"TILOD_ANSWER_CACHE_BYTES": "0"}),
            "emb-cached": (True, {}),
            "rem-cold": (False, {"TILOD_ANSWER_CACHE_BYTES": "0", "TILOD_STORE_URL": store_url}),
            "rem-cached": (False, {"TILOD_STORE_URL": store_url}),
        }
        for name, (with_store, env) in servers.items():
            procs.append(start([BIN / "gunicorn", "-c", GUNICORN_CONF], {
                "TILOD_RELEASES_DIR": str(releases_copy("releases-" + name, with_store)),
                "TILOD_BIND": f"127.0.0.1:{ports[name]}", "TILOD_WEB_WORKERS": "2", **env}))
            wait_for(f"http://127.0.0.1:{ports[name]}/health/store", procs[-1])
        procs.append(start([BIN / "gunicorn", "-c", GUNICORN_CONF, "--chdir", ROOT / "bench", "bare_app:app"],
                           {"TILOD_BIND": f"127.0.0.1:{ports['bare']}", "TILOD_WEB_WORKERS": "2"}))
        wait_for(f"http://127.0.0.1:{ports['bare']}/health", procs[-1])

        def tilod(name: str) -> Target:
            return Target(name, f"http://127.0.0.1:{ports[name]}/sparql")
        targets = [Target("raw", f"http://127.0.0.1:{ports['raw']}/query"),
                   Target("raw-remote", f"http://127.0.0.1:{ports['remote']}/query", {"default-graph-uri": graph}),
                   *(tilod(name) for name in servers)]
        mix = query_mix(base)
        for target in targets:  # warm every server up (and fill the caches: the cached rows are hits)
            for query in mix.values():
                target.median_ms(query, 3)
        ms: dict[tuple[str, str], list[float]] = {}
        for _ in range(opts.rounds):
            for qname, query in mix.items():
                for target in targets:
                    ms.setdefault((qname, target.name), []).append(target.median_ms(query, opts.requests))
        lines = report_mix(ms, mix, opts)
        lines += report_bare(ports, mix, opts.rounds)
        lines += report_fixed_cost(ports, opts.rounds)
        sorters = [targets[0], targets[2], targets[4]]
        if shutil.which("virtuoso-t") and VIRTUOSO_INI.is_file():
            virtuoso, endpoint = start_virtuoso(work, release, graph, base)
            procs.append(virtuoso)
            ports["rem-virtuoso"] = free_port()
            procs.append(start([BIN / "gunicorn", "-c", GUNICORN_CONF], {
                "TILOD_RELEASES_DIR": str(releases_copy("releases-virtuoso", False)), "TILOD_STORE_URL": endpoint,
                "TILOD_ANSWER_CACHE_BYTES": "0", "TILOD_BIND": f"127.0.0.1:{ports['rem-virtuoso']}",
                "TILOD_WEB_WORKERS": "2"}))
            wait_for(f"http://127.0.0.1:{ports['rem-virtuoso']}/health/store", procs[-1])
            sorters += [Target("raw-virtuoso", endpoint, {"default-graph-uri": graph}), tilod("rem-virtuoso")]
        lines += ["## Full-dataset sort", "",
                  f"`{SORT}`, one request per server, after one to warm it (tilod's limit: 10 s). "
                  "`*-virtuoso`: Virtuoso Open Source (Debian), the dump loaded with `ld_dir`, tilod with it "
                  "as its remote store (TILOD_STORE_URL).", "", "| server | first | second |", "|---|---|---|"]
        for target in sorters:
            lines.append(f"| {target.name} | {timed_sort(target, 60)} | {timed_sort(target, 60)} |")
        lines.append("")
    finally:
        for process in procs:
            stop(process)
        shutil.rmtree(work, ignore_errors=True)
    header = [f"# SPARQL side by side — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC (national release, "
              f"{manifest['store_triples']:,} triples)", "", f"Machine: {describe_machine()}; {versions()}", "",
              f"Command: `.venv/bin/python bench/sparql_side_by_side.py {command_line(opts)}`", ""]
    RESULTS.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    print("\n".join(header + lines))
    print(f"written to {RESULTS}")


def command_line(opts: argparse.Namespace) -> str:
    """The options of this run, without the folder's path (it is this machine's)."""
    return " ".join([*(["--releases DIR"] if opts.releases else []), f"--rounds {opts.rounds}",
                     f"--requests {opts.requests}"])


def report_mix(ms: dict[tuple[str, str], list[float]], mix: dict[str, str], opts: argparse.Namespace) -> list[str]:
    lines = ["## Query mix", "",
             f"Median of {opts.requests} sequential POSTs (one keep-alive connection) per query and server, in "
             f"{opts.rounds} interleaved rounds: the median of the rounds' medians (min-max), in ms. `raw`: "
             "`oxigraph serve-read-only` on a copy of the embedded store; `raw-remote`: the remote store itself, "
             "with the release's graph as default graph; `emb-*`: tilod on its embedded store, `rem-*`: on the "
             "remote store; `*-cold`: TILOD_ANSWER_CACHE_BYTES=0, `*-cached`: repeated queries, answered from the "
             "cache. Ratios: tilod / raw (embedded) and tilod / raw-remote (remote); target <= 1.2.", "",
             "| query | raw | raw-remote | emb-cold | emb-cached | rem-cold | rem-cached | emb-cold / raw | "
             "emb-cached / raw | rem-cold / raw-remote | rem-cached / raw-remote |", "|---" * 11 + "|"]
    ratios: dict[str, list[float]] = {}
    for qname in mix:
        def med(name: str, q: str = qname) -> float:
            return statistics.median(ms[(q, name)])
        cells = [spread(ms[(qname, name)]) for name in ("raw", "raw-remote", "emb-cold", "emb-cached", "rem-cold",
                                                       "rem-cached")]
        row = {"emb-cold": med("emb-cold") / med("raw"), "emb-cached": med("emb-cached") / med("raw"),
               "rem-cold": med("rem-cold") / med("raw-remote"), "rem-cached": med("rem-cached") / med("raw-remote")}
        for name, value in row.items():
            ratios.setdefault(name, []).append(value)
        lines.append(f"| {qname} | " + " | ".join(cells) + " | " + " | ".join(f"{v:.2f}" for v in row.values()) + " |")
    lines += ["", "Geometric mean of the ratios: " + ", ".join(
        f"{name} {statistics.geometric_mean(values):.2f}" for name, values in ratios.items()), ""]
    ask = "ASK {}"
    overhead = statistics.median(ms[(ask, "emb-cold")]) - statistics.median(ms[(ask, "raw")])
    lines += [f"Fixed cost per query (ASK {{}}, tilod embedded cold - raw): {overhead:.2f} ms (target < 0.1 ms)", ""]
    return lines


def report_fixed_cost(ports: dict[str, int], rounds: int, n: int = 200) -> list[str]:
    """Where tilod's fixed cost per query goes, by GET on keep-alive connections: each row adds one
    layer to the one above."""
    ask = "?" + urllib.parse.urlencode({"query": "ASK {}"})
    steps = [("raw Oxigraph server, ASK {}", f"http://127.0.0.1:{ports['raw']}/query{ask}"),
             ("bare Flask route under gunicorn (deploy/)", f"http://127.0.0.1:{ports['bare']}/sparql{ask}"),
             ("tilod /health (tilod's app, its per-request hooks)", f"http://127.0.0.1:{ports['emb-cold']}/health"),
             ("tilod ASK {}, cached (+ protocol, release look-up, cache)", f"http://127.0.0.1:{ports['emb-cached']}/sparql{ask}"),
             ("tilod ASK {}, cold (+ guard, query worker hop)", f"http://127.0.0.1:{ports['emb-cold']}/sparql{ask}")]
    sessions = {url: requests.Session() for _, url in steps}
    ms: dict[str, list[float]] = {}
    for _ in range(rounds):
        times: dict[str, list[float]] = {url: [] for _, url in steps}
        for _ in range(n):  # one request to each in turn: a burst of noise hits every row alike
            for _, url in steps:
                started = time.perf_counter()
                sessions[url].get(url, headers={"Accept": "application/sparql-results+json"}, timeout=30)
                times[url].append((time.perf_counter() - started) * 1000)
        for url, values in times.items():
            ms.setdefault(url, []).append(statistics.median(values))
    lines = ["## Where the fixed cost goes", "",
             f"Median of {n} sequential GETs per row (keep-alive; one to each row in turn), {rounds} rounds, ms: "
             "median (min-max), and what the row adds to the one above.", "",
             "| what answers | ms | adds |", "|---|---|---|"]
    previous = None
    for name, url in steps:
        value = statistics.median(ms[url])
        lines.append(f"| {name} | {spread(ms[url], 3)} | "
                     + (f"{value - previous:+.3f} |" if previous is not None else "- |"))
        previous = value
    return lines + [""]


def report_bare(ports: dict[str, int], mix: dict[str, str], rounds: int) -> list[str]:
    """A cached answer by GET (wrk, 8 clients) against the bare Flask route under the same gunicorn."""
    lines = ["## Cached answers against the bare Flask route", "",
             f"wrk, 8 clients, 5 s a run, {rounds} interleaved rounds: requests/s, median (min-max). The bare "
             "route (bench/bare_app.py) answers a static string on the same URL; target: cached >= 0.9 x bare.", "",
             "| query | bare route | emb-cached | rem-cached | emb-cached / bare | rem-cached / bare |",
             "|---|---|---|---|---|---|"]
    for qname in ("ASK {}", "territories per région, GROUP BY"):
        path = "/sparql?" + urllib.parse.urlencode({"query": mix[qname]})
        for name in ("emb-cached", "rem-cached"):  # in the cache already, for wrk's requests (no Accept)
            requests.get(f"http://127.0.0.1:{ports[name]}{path}", headers={"Accept": "*/*"}, timeout=60)
        rps: dict[str, list[float]] = {}
        for _ in range(rounds):
            for name in ("bare", "emb-cached", "rem-cached"):
                rps.setdefault(name, []).append(wrk_rps(f"http://127.0.0.1:{ports[name]}{path}"))
        bare = statistics.median(rps["bare"])
        lines.append(f"| {qname} | " + " | ".join(spread(rps[n], 0) for n in ("bare", "emb-cached", "rem-cached"))
                     + f" | {statistics.median(rps['emb-cached']) / bare:.2f} | "
                       f"{statistics.median(rps['rem-cached']) / bare:.2f} |")
    return lines + [""]


if __name__ == "__main__":
    main()
