"""tilod under load: gunicorn as deployed, a mixed request load from wrk, on loopback.

    .venv/bin/python bench/load.py [--seconds 30] [--clients 64]

Builds a subset release (`--departements 02,80`) into a temporary folder, unless
TILOD_RELEASES_DIR names releases to reuse; starts tilod under gunicorn with
deploy/gunicorn.conf.py (TILOD_BIND=127.0.0.1:<free port>, TILOD_WEB_WORKERS=2); runs wrk
with a Lua script mixing dereferences of 20 real URIs in HTML and Turtle, dump downloads with
a Range header and the example SPARQL queries, while two threads here send HEAD
/dumps/latest/tilod.nt.gz (wrk 4.1 cannot: it waits for the body a HEAD answer announces and
never gets); reads wrk's figures and the server's JSON access log (no 5xx allowed); appends the results, with the
machine's description, to bench/results/load.md. Stops everything at the end; every wait is
bounded. Exit status 1 if the server answered any 5xx or wrk saw socket errors.
"""

from __future__ import annotations

import argparse
import contextlib
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
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import requests
from machine import describe_machine
from processes import stop

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench/results/load.md"
QUERIES = ROOT / "src/tilod/serving/queries"
URIS = 20
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SPARQL_ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def versions() -> str:
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    wrk_version = ((wrk.stdout or wrk.stderr).split("\n")[0].split(" [")[0]) or "wrk"
    freeze = subprocess.run([BIN / "pip", "list", "--format=freeze"], capture_output=True, text=True,
                            timeout=60).stdout
    wanted = [v for v in freeze.splitlines() if v.split("==")[0].lower() in {"gunicorn", "flask", "pyoxigraph"}]
    return ", ".join([wrk_version, *wanted])


def releases_dir(work: Path) -> tuple[Path, bool]:
    """(releases folder, built here?): TILOD_RELEASES_DIR if given, else a fresh subset build."""
    given = os.environ.get("TILOD_RELEASES_DIR")
    if given:
        return Path(given).resolve(), False
    releases = work / "releases"
    run = subprocess.run([BIN / "tilod", "build", "--releases-dir", str(releases), "--departements", "02,80"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    if run.returncode:
        sys.exit(f"tilod build failed:\n{run.stderr}")
    return releases, True


def sample_uris(release: Path, base: str, n: int) -> list[str]:
    """`n` resource URIs of the release, spread over its kinds (territoire, epci, commune...)."""
    store = ox.Store.read_only(str(release / "store"))
    rows = store.query(f"SELECT DISTINCT ?s WHERE {{ ?s a ?c FILTER(STRSTARTS(STR(?s), '{base}id/')) }} ORDER BY ?s")
    by_kind: dict[str, list[str]] = defaultdict(list)
    for row in rows:  # type: ignore[union-attr]
        uri = row["s"].value
        by_kind[uri[len(base):].split("/")[1]].append(uri)
    picked: list[str] = []
    while len(picked) < n and any(by_kind.values()):
        for uris in by_kind.values():
            if uris and len(picked) < n:
                picked.append(uris.pop(len(uris) // 2))  # from the middle: not only the first ones
    return picked


def request_mix(release: Path, manifest: dict) -> list[tuple[str, str, dict[str, str]]]:
    base = manifest["base_uri"]
    version = manifest["version"]
    mix: list[tuple[str, str, dict[str, str]]] = []
    for uri in sample_uris(release, base, URIS):
        path = "/" + uri[len(base):]
        mix.append(("GET", path, {"Accept": HTML}))
        mix.append(("GET", path, {"Accept": "text/turtle"}))
    mix += [
        ("GET", "/dumps/latest/tilod.ttl", {"Range": "bytes=0-65535"}),
        ("GET", f"/dumps/{version}/tilod.jsonld", {"Range": "bytes=100000-199999"}),
        ("GET", "/dumps/latest/tilod.nt.gz", {"Range": "bytes=-4096"}),
    ]
    for query in sorted(QUERIES.glob("*.rq")):
        text = query.read_text(encoding="utf-8")
        mix.append(("GET", "/sparql?query=" + urllib.parse.quote(text, safe=""), {"Accept": SPARQL_ACCEPT}))
    return mix


def lua_string(text: str) -> str:
    assert text.isascii(), text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_script(mix: list[tuple[str, str, dict[str, str]]]) -> str:
    entries = []
    for method, path, headers in mix:
        fields = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
        entries.append(f"  {{{lua_string(method)}, {lua_string(path)}, {{{fields}}}}},")
    return "\n".join([
        "-- generated by bench/load.py: round robin over the mix, each thread from its own offset",
        "local mix = {", *entries, "}",
        "local i = 0",
        "local offset = 0",
        "function setup(thread) offset = offset + 7; thread:set('start', offset) end",
        "function init(args) i = start or 0 end",
        "function request()",
        "  i = i % #mix + 1",
        "  local r = mix[i]",
        "  return wrk.format(r[1], r[2], r[3])",
        "end",
        "",
    ])


HEAD_PATH = "/dumps/latest/tilod.nt.gz"
HEAD_THREADS = 2


def head_load(url: str, seconds: float) -> list[tuple[int, float]]:
    """HEAD requests from HEAD_THREADS threads for `seconds`: (status, ms) of each (0: no answer)."""
    def one_thread() -> list[tuple[int, float]]:
        results = []
        deadline = time.monotonic() + seconds
        with requests.Session() as session:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    status = session.head(url + HEAD_PATH, timeout=10).status_code
                except requests.RequestException:
                    status = 0
                results.append((status, (time.perf_counter() - started) * 1000))
        return results

    with ThreadPoolExecutor(HEAD_THREADS) as pool:
        return [r for rs in pool.map(lambda _: one_thread(), range(HEAD_THREADS)) for r in rs]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds:g} s")


def parse_wrk(out: str) -> dict:
    def number(pattern: str, default: str = "0") -> str:
        found = re.search(pattern, out, re.M)
        return found.group(1) if found else default

    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(number(r"^\s*(\d+) requests in")),
        "duration": number(r"requests in ([\d.]+\w+)"),
        "read": number(r"requests in [\d.]+\w+, ([\d.]+\w+) read"),
        "rps": float(number(r"Requests/sec:\s+([\d.]+)")),
        "non_2xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "sockets": tuple(int(x) for x in sockets.groups()) if sockets else (0, 0, 0, 0),
        "latency": dict(re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", out, re.M)),
    }


def kind(entry: dict) -> str:
    path, method = entry.get("path", ""), entry.get("method", "")
    if path.startswith("/id/"):
        return "dereference HTML" if "text/html" in entry.get("accept", "") else "dereference Turtle"
    if path.startswith("/dumps/"):
        return "dump HEAD" if method == "HEAD" else "dump GET with Range"
    if path == "/sparql":
        return "SPARQL GET"
    return "other"


def read_log(log: Path, start: int) -> tuple[dict[str, list[dict]], list[str]]:
    """Access-log entries from byte `start` on, by kind, and the other lines (gunicorn's own)."""
    entries: dict[str, list[dict]] = defaultdict(list)
    other = []
    with log.open("rb") as f:
        f.seek(start)
        text = f.read().decode("utf-8", errors="replace")
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            other.append(line)
            continue
        if isinstance(entry, dict) and "status" in entry:
            entries[kind(entry)].append(entry)
        else:
            other.append(line)
    return entries, other


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", type=int, default=64)
    opts = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (Debian package wrk)")
    if not 1 <= opts.seconds <= 600 or not 1 <= opts.clients <= 1000:
        sys.exit("--seconds 1..600, --clients 1..1000")
    work = Path(tempfile.mkdtemp(prefix="tilod-load-"))
    process: subprocess.Popen | None = None
    try:
        releases, built = releases_dir(work)
        release = (releases / "current").resolve()
        manifest = json.loads((release / "release.json").read_text(encoding="utf-8"))
        mix = request_mix(release, manifest)
        script = work / "mix.lua"
        script.write_text(lua_script(mix), encoding="utf-8")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = work / "server.log"
        env = {**os.environ, "TILOD_BIND": f"127.0.0.1:{port}", "TILOD_WEB_WORKERS": "2",
               "TILOD_RELEASES_DIR": str(releases)}
        env.pop("TILOD_BASE_URI", None)  # serve the URIs the release was built with
        with log.open("wb") as log_file:
            process = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py")],
                                       cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        wait_for(url + "/health", process)
        for method, path, headers in mix:  # every request of the mix works before the load
            answer = requests.request(method, url + path, headers=headers, timeout=30)
            if answer.status_code not in (200, 206):
                raise RuntimeError(f"{method} {path} answered {answer.status_code}: {answer.text[:200]}")
        time.sleep(0.5)
        warmed = log.stat().st_size  # the warm-up's log lines are not part of the figures
        threads = min(opts.clients, max(1, len(os.sched_getaffinity(0))))
        command = ["wrk", f"-t{threads}", f"-c{opts.clients}", f"-d{opts.seconds}s", "--latency",
                   "--timeout", "10s", "-s", str(script), url]
        with ThreadPoolExecutor(1) as side:
            heads_future = side.submit(head_load, url, opts.seconds)
            wrk = subprocess.run(command, capture_output=True, text=True, timeout=opts.seconds + 60)
            heads = heads_future.result(timeout=opts.seconds + 60)
        if wrk.returncode:
            raise RuntimeError(f"wrk failed: {wrk.stderr}")
        time.sleep(1)  # the last log lines
        figures = parse_wrk(wrk.stdout)
        entries, other_lines = read_log(log, warmed)
        errors_5xx = sum(1 for es in entries.values() for e in es if e["status"] >= 500)
        gunicorn_errors = [line for line in other_lines if "[ERROR]" in line or "Traceback" in line]
        restarts = sum("Autorestarting worker" in line for line in other_lines)
    finally:
        if process is not None:
            stop(process)
        shutil.rmtree(work, ignore_errors=True)  # the release too, when it was built here
    lat = figures["latency"]
    connect, read, write, timeouts = figures["sockets"]
    head_ok = bool(heads) and all(status == 200 for status, _ in heads)
    head_ms = [ms for _, ms in heads]
    ok = errors_5xx == 0 and sum(figures["sockets"]) == 0 and figures["non_2xx"] == 0 and head_ok
    lines = [
        "",
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {opts.seconds} s, {opts.clients} connections",
        "",
        f"Machine: {describe_machine()}. Versions: {versions()}.",
        "",
        f"tilod under gunicorn (`deploy/gunicorn.conf.py`: gthread, TILOD_WEB_WORKERS=2, 8 threads each, "
        f"TILOD_QUERY_WORKERS default) on 127.0.0.1, release {manifest['version']} "
        f"({', '.join(manifest.get('scope') or ['national'])}; {manifest['triples']:,} triples"
        f"{'' if built else ', reused from TILOD_RELEASES_DIR'}). "
        f"wrk {threads} threads, `--timeout 10s`, round robin over {len(mix)} requests: {URIS} URIs "
        "in HTML and in Turtle, 3 dump downloads with a Range header, "
        f"{len(list(QUERIES.glob('*.rq')))} SPARQL GET queries (src/tilod/serving/queries/*.rq); meanwhile "
        f"{HEAD_THREADS} Python threads sent HEAD {HEAD_PATH} back to back (wrk 4.1 cannot send HEAD: "
        "it waits for the body the answer's Content-Length announces).",
        "",
        "| requests | req/s | read | non-2xx/3xx | socket errors (connect/read/write/timeout) | p50 | p75 | p90 | p99 |"
        " 5xx in server log |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {figures['requests']:,} | {figures['rps']:,.0f} | {figures['read']} | {figures['non_2xx']} | "
        f"{connect}/{read}/{write}/{timeouts} | {lat.get('50', '?')} | {lat.get('75', '?')} | {lat.get('90', '?')} | "
        f"{lat.get('99', '?')} | {errors_5xx} |",
        "",
        f"HEAD {HEAD_PATH} from the side threads: {len(heads):,} requests, statuses "
        + ", ".join(f"{s}×{n}" for s, n in sorted(Counter(s for s, _ in heads).items()))
        + (f", client-side p50 {statistics.median(head_ms):.1f} ms, p99 {percentile(head_ms, 99):.1f} ms"
           if head_ms else "") + ".",
        "",
        "From the server's access log (time spent in the application, queueing excluded):",
        "",
        "| kind | requests | statuses | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
    ]
    for name in sorted(entries):
        es = entries[name]
        ms = [float(e.get("ms") or 0) for e in es]
        statuses = ", ".join(f"{s}×{n}" for s, n in sorted(Counter(e["status"] for e in es).items()))
        lines.append(f"| {name} | {len(es):,} | {statuses} | {statistics.median(ms):.1f} | "
                     f"{percentile(ms, 99):.1f} | {max(ms):.1f} |")
    lines += ["", f"gunicorn: {restarts} worker restart(s) (max_requests), {len(gunicorn_errors)} error line(s)"
              + (": " + "; ".join(gunicorn_errors[:5]) if gunicorn_errors else "") + ".",
              "", f"Verdict: {'OK — no 5xx, no socket error, every answer 2xx' if ok else 'PROBLEMS, see above'}.",
              "", "<details><summary>wrk output</summary>", "", "```", wrk.stdout.strip(), "```", "", "</details>"]
    if not RESULTS.exists():
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("# tilod load tests (`bench/load.py`)\n", encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nappended to {RESULTS}")
    return 0 if errors_5xx == 0 and sum(figures["sockets"]) == 0 and head_ok else 1


if __name__ == "__main__":
    sys.exit(main())
