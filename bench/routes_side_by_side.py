"""tilod's web routes beside a bare Flask route, both under gunicorn as deployed, in one run.

    .venv/bin/python bench/routes_side_by_side.py [--releases-dir DIR] [--rounds 3] [--seconds 5]

Each round starts, on loopback, `gunicorn -c deploy/gunicorn.conf.py` (TILOD_WEB_WORKERS=2) twice:
serving tilod on the release of `--releases-dir` (default: TILOD_RELEASES_DIR, else a national
build made here), and serving bench/bare_app.py (a route returning "ok") with the same
configuration. It times the first answer of each route on the fresh servers (cold: drawn from
the store), then runs wrk (2 threads, keep-alive) at 8 and 64 clients on each route, tilod and
the bare route one after the other, their order swapped every round: the answers kept per
release (cached), and, at 8 clients, the same routes with a query string that changes on every
request (`?n=...`: nothing replayed, Flask and the rendered documents). It reads each gunicorn
worker's CPU time from /proc around every load, to check that both workers share keep-alive
load (no recycling, no worker left idle), and the resident memory of a tilod worker with its
query processes at rest and after each load. Medians over the rounds, with min-max, p99 and the
largest latency, the load average before each round, and the machine's description go to
bench/results/routes-side-by-side.md. Every load is bounded; everything is stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests
from machine import describe_machine
from processes import stop

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "bench/results/routes-side-by-side.md"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
TERRITORY = "/id/territoire/2023-2027/ti-3208"
EPCI = "/id/epci/200071892"
#: route -> (path, Accept)
ROUTES = {
    "territory Turtle": (TERRITORY, "text/turtle"),
    "territory JSON-LD": (TERRITORY, "application/ld+json"),
    "territory HTML": (TERRITORY, BROWSER),
    "EPCI Turtle": (EPCI, "text/turtle"),
    "EPCI JSON-LD": (EPCI, "application/ld+json"),
    "EPCI HTML": (EPCI, BROWSER),
    "VoID": ("/.well-known/void", "text/turtle"),
    "landing page": ("/", BROWSER),
}
CLIENTS = (8, 64)
TARGET_RATIO = 0.8
TARGET_P99_MS = 25.0
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def national_releases(work: Path) -> Path:
    releases = work / "releases"
    run = subprocess.run([BIN / "tilod", "build", "--releases-dir", str(releases)], cwd=ROOT,
                         capture_output=True, text=True, timeout=900)
    if run.returncode:
        sys.exit(f"tilod build failed:\n{run.stderr[-3000:]}")
    return releases


class Gunicorn:
    """`gunicorn -c deploy/gunicorn.conf.py [APP]` on a free loopback port, in its own group."""

    def __init__(self, checkout: Path, env: dict[str, str], app: list[str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environ = {**os.environ, "TILOD_BIND": f"127.0.0.1:{self.port}", "TILOD_WEB_WORKERS": "2", **env}
        self.started = time.perf_counter()
        self.process = subprocess.Popen([BIN / "gunicorn", "-c", str(checkout / "deploy/gunicorn.conf.py"), *app],
                                        cwd=checkout, env=environ, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"{self.url} did not answer in 60 s")

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def stop(self) -> None:
        stop(self.process)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def rss_mib(pid: int) -> float:
    """A process's resident memory with that of its children (a web worker and its query workers)."""
    total = 0
    for one in [pid, *children(pid)]:
        with contextlib.suppress(OSError, StopIteration):
            status = Path(f"/proc/{one}/status").read_text().splitlines()
            total += int(next(line for line in status if line.startswith("VmRSS:")).split()[1])
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (its own threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS_MS[unit]


def wrk(url: str, accept: str, clients: int, seconds: int, script: Path | None = None) -> dict:
    args = ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "--timeout", "10s",
            "-H", f"Accept: {accept}"] + (["-s", str(script)] if script else []) + [url]
    out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60).stdout
    latency = re.search(r"Latency\s+([\d.]+\w+)\s+([\d.]+\w+)\s+([\d.]+\w+)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+\w+)", out, re.M)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if not latency or not p99:
        raise RuntimeError(f"wrk gave no figures for {url}:\n{out}")
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            "p99": to_ms(p99.group(1)), "max": to_ms(latency.group(3)),
            "bad": int(bad.group(1)) if bad else 0, "errors": sum(map(int, errors.groups())) if errors else 0}


def load(server: Gunicorn, path: str, accept: str, clients: int, seconds: int, script: Path | None) -> dict:
    """wrk on one route, with each worker's share of the CPU the load cost."""
    workers = server.workers()
    before = {pid: cpu_seconds(pid) for pid in workers}
    result = wrk(server.url + path, accept, clients, seconds, script)
    used = [cpu_seconds(pid) - before[pid] for pid in workers]
    result["recycled"] = server.workers() != workers  # then a worker's CPU time is lost with it
    result["shares"] = sorted((u / sum(used) if sum(used) else 0.0) for u in used) if not result["recycled"] else []
    result["rss"] = max(rss_mib(pid) for pid in workers)
    return result


def cold(server: Gunicorn, path: str, accept: str) -> float:
    started = time.perf_counter()
    requests.get(server.url + path, headers={"Accept": accept}, timeout=60).raise_for_status()
    return (time.perf_counter() - started) * 1000


def median_span(values: list[float], digits: int = 0) -> str:
    return f"{statistics.median(values):,.{digits}f} ({min(values):,.{digits}f}-{max(values):,.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--releases-dir", type=Path, default=os.environ.get("TILOD_RELEASES_DIR"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="per wrk load")
    parser.add_argument("--checkout", type=Path, default=ROOT,
                        help="measure the code and gunicorn configuration of another checkout (a before)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    work = Path(tempfile.mkdtemp(prefix="tilod-routes-"))
    releases = (args.releases_dir or national_releases(work)).resolve()
    uncached = work / "uncached.lua"  # a new query string each request: nothing is replayed
    uncached.write_text('n = 0\nrequest = function()\n  n = n + 1\n'
                        '  return wrk.format(nil, wrk.path .. "?n=" .. n)\nend\n')
    # the checkout's code, whatever is installed
    servers = {"tilod": ({"TILOD_RELEASES_DIR": str(releases), "PYTHONPATH": str(checkout / "src")}, []),
               "bare": ({}, ["--chdir", str(ROOT / "bench"), "bare_app:app"])}
    figures: dict[tuple, list[dict]] = {}
    colds: dict[tuple, list[float]] = {}
    loads: list[str] = []
    rest: list[float] = []
    for round_ in range(args.rounds):
        loads.append(" ".join(f"{x:.2f}" for x in os.getloadavg()))
        order = list(servers) if round_ % 2 == 0 else list(servers)[::-1]
        running = {name: Gunicorn(checkout, *servers[name]) for name in order}
        try:
            time.sleep(3)  # the workers' warm-up (templates, search index, landing page) is done
            rest.append(max(rss_mib(pid) for pid in running["tilod"].workers()))
            for name in order:
                for route, (path, accept) in ROUTES.items():
                    colds.setdefault((name, route), []).append(cold(running[name], path, accept))
            for route, (path, accept) in ROUTES.items():
                for clients in CLIENTS:
                    for name in order:
                        result = load(running[name], path, accept, clients, args.seconds, None)
                        figures.setdefault((name, route, clients, "cached"), []).append(result)
                for name in order:
                    result = load(running[name], path, accept, 8, args.seconds, uncached)
                    figures.setdefault((name, route, 8, "not replayed"), []).append(result)
                print(f"round {round_ + 1}: {route}", flush=True)
        finally:
            for server in running.values():
                server.stop()
    write(args, releases, figures, colds, loads, rest)


def write(args, releases: Path, figures: dict, colds: dict, loads: list[str], rest: list[float]) -> None:
    lines = [f"# Web routes beside a bare Flask route ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "",
             f"`.venv/bin/python bench/routes_side_by_side.py --rounds {args.rounds} --seconds {args.seconds}"
             + (f" --checkout <a checkout at {commit(args.checkout)}>" if args.checkout.resolve() != ROOT else "")
             + f"`, code at {commit(args.checkout)}; "
             f"release {describe_release(releases)}; both under `gunicorn -c deploy/gunicorn.conf.py`, "
             "TILOD_WEB_WORKERS=2; "
             f"wrk 2 threads, keep-alive, {args.seconds} s a load; {args.rounds} interleaved rounds "
             "(fresh servers each round, tilod and bare in turn, order swapped every round).", "",
             f"Machine: {describe_machine()}. Load average (1, 5, 15 min) before each round: "
             + "; ".join(loads) + " (the machine is shared: compare the ratios, measured side by side).", "",
             "## Throughput and latency (answers kept per release)", "",
             "req/s and p99 are medians over the rounds (min-max); ratio = tilod / bare, median of the "
             "per-round ratios.", "",
             "| route | clients | tilod req/s | bare req/s | ratio | tilod p99 ms | bare p99 ms | tilod max ms | "
             "non-2xx/errors |", "|---|---|---|---|---|---|---|---|---|"]
    verdicts = []
    for route in ROUTES:
        for clients in CLIENTS:
            ours, bare = figures[("tilod", route, clients, "cached")], figures[("bare", route, clients, "cached")]
            ratios = [o["rps"] / b["rps"] for o, b in zip(ours, bare, strict=True)]
            bad = sum(o["bad"] + o["errors"] for o in ours)
            lines.append(f"| {route} | {clients} | {median_span([o['rps'] for o in ours])} | "
                         f"{median_span([b['rps'] for b in bare])} | {median_span(ratios, 2)} | "
                         f"{median_span([o['p99'] for o in ours], 1)} | {median_span([b['p99'] for b in bare], 1)} | "
                         f"{max(o['max'] for o in ours):.1f} | {bad} |")
            verdicts.append(statistics.median(ratios) >= TARGET_RATIO and bad == 0
                            and (clients != 8 or statistics.median([o["p99"] for o in ours]) <= TARGET_P99_MS))
    lines += ["", f"Targets: ratio >= {TARGET_RATIO} at 8 and 64 clients, p99 <= {TARGET_P99_MS:g} ms at 8 "
              f"clients, no non-2xx: {sum(verdicts)} of {len(verdicts)} rows meet them.", "",
              "## Not replayed (a new query string on every request, 8 clients)", "",
              "| route | tilod req/s | bare req/s | ratio | tilod p99 ms |", "|---|---|---|---|---|"]
    for route in ROUTES:
        ours, bare = figures[("tilod", route, 8, "not replayed")], figures[("bare", route, 8, "not replayed")]
        ratios = [o["rps"] / b["rps"] for o, b in zip(ours, bare, strict=True)]
        lines.append(f"| {route} | {median_span([o['rps'] for o in ours])} | {median_span([b['rps'] for b in bare])}"
                     f" | {median_span(ratios, 2)} | {median_span([o['p99'] for o in ours], 1)} |")
    lines += ["", "## Cold: the first answer of each route on a fresh server (ms)", "",
              "| route | tilod | bare |", "|---|---|---|"]
    lines += [f"| {route} | {median_span(colds[('tilod', route)], 1)} | {median_span(colds[('bare', route)], 1)} |"
              for route in ROUTES]
    lines += ["", "## Both workers at work (keep-alive, 64 clients)", "",
              "Share of the load's CPU taken by the less busy of the two gunicorn workers (0.50: even; "
              "0: one worker idle), lowest over the cached loads at 64 clients of the run.", ""]
    for name in ("tilod", "bare"):
        runs = [r for (n, _, c, kind), rs in figures.items() if n == name and c == 64 and kind == "cached" for r in rs]
        shares = [r["shares"][0] for r in runs if r["shares"]]
        lowest = f"{min(shares):.2f}" if shares else "n/a"
        lines.append(f"- {name}: lowest share {lowest} over the {len(shares)} of {len(runs)} loads during which "
                     f"no worker was restarted")
    under_load = [r["rss"] for (n, *_), rs in figures.items() if n == "tilod" for r in rs]
    lines += ["", "## Memory of a tilod web worker with its query processes (RSS, MiB)", "",
              f"- at rest, 3 s after start (warm-up done): {median_span(rest)}",
              f"- after a load, largest of the run: {max(under_load):.0f} (these loads send no SPARQL query: "
              "no query process is started)"]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"-> {args.out}")


def commit(checkout: Path) -> str:
    run = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return run.stdout.strip() or "?"


def describe_release(releases: Path) -> str:
    manifest = json.loads((releases / "current" / "release.json").read_text(encoding="utf-8"))
    scope = "départements " + ", ".join(manifest["scope"]) if manifest.get("scope") else "national"
    return f"`{manifest['version']}` ({scope}, {manifest['triples']:,} triples)"


if __name__ == "__main__":
    main()
