"""What refusing bytes that are not UTF-8 costs a request (serving/strict_input.py).

    python bench/strict_input.py [--releases-dir releases] [--out bench/results/strict-input.md]

Three figures, in-process (no HTTP, so that the check is not lost in the network's noise):
the check alone on the environs of typical requests and the whole hook in a request context
(best of 5 runs of 20,000 calls), and a whole request to the cheapest route (`/health`, Flask's
test client) with the hook and without it, in interleaved rounds (median of 31 rounds of 500).
Times are the process's CPU time, which others' load moves less than the wall clock (the load
average is written beside the figures).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
import timeit
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from flask import Flask
from machine import describe_machine
from werkzeug.test import EnvironBuilder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tilod.serving import strict_input  # noqa: E402 - after the path is set
from tilod.serving.app import create_app  # noqa: E402
from tilod.settings import Settings  # noqa: E402

BY_REGION = (ROOT / "src/tilod/serving/queries/01-territoires-par-region.rq").read_text(encoding="utf-8")
FORM = "application/x-www-form-urlencoded"
ROUNDS = 31
BATCH = 500
#: (what, path, query string, content type, body)
REQUESTS = [
    ("resource, no query string", "/id/commune/02691", "", "", None),
    ("resource, ?format=ttl", "/id/commune/02691", "format=ttl", "", None),
    ("search, ?q=Ch%C3%A2teau-Thierry", "/recherche", "q=" + quote("Château-Thierry"), "", None),
    (f"SPARQL GET, example query ({len(BY_REGION)} characters, percent-encoded)", "/sparql",
     "query=" + quote(BY_REGION), "", None),
    ("SPARQL form POST, the same query", "/sparql", "", FORM, ("query=" + quote(BY_REGION)).encode()),
    ("SPARQL direct POST, the same query", "/sparql", "", "application/sparql-query", BY_REGION.encode()),
]


def check_alone() -> list[tuple[str, float]]:
    rows = []
    for what, path, query, mimetype, body in REQUESTS:
        environ = EnvironBuilder(path=path, query_string=query).get_environ()
        calls = 20_000
        best = min(timeit.repeat(lambda e=environ, m=mimetype, b=body: strict_input.find_bad_bytes(e, m, None, b),
                                 number=calls, repeat=5, timer=time.process_time))
        rows.append((what, best / calls * 1e6))
    return rows


def hook_alone(app: Flask) -> list[tuple[str, float]]:
    rows = []
    for what, kwargs in [("GET /health", {"path": "/health"}),
                         ("GET /id/commune/02691?format=ttl", {"path": "/id/commune/02691?format=ttl"}),
                         ("form POST /sparql, the example query", {"path": "/sparql", "method": "POST",
                                                                   "data": {"query": BY_REGION}})]:
        with app.test_request_context(**kwargs):
            calls = 20_000
            best = min(timeit.repeat(strict_input.refuse_bytes_not_utf8, number=calls, repeat=5,
                                     timer=time.process_time))
            rows.append((what, best / calls * 1e6))
    return rows


def whole_request(app: Flask) -> tuple[float, float]:
    """Median µs of a /health request with the check, and without it."""
    hooks = app.before_request_funcs[None]
    client = app.test_client()
    timings: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(ROUNDS):
        for checked in (True, False):
            if checked and strict_input.refuse_bytes_not_utf8 not in hooks:
                hooks.append(strict_input.refuse_bytes_not_utf8)
            if not checked:
                hooks.remove(strict_input.refuse_bytes_not_utf8)
            started = time.process_time()
            for _ in range(BATCH):
                client.get("/health")
            timings[checked].append((time.process_time() - started) / BATCH * 1e6)
    return statistics.median(timings[True]), statistics.median(timings[False])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--releases-dir", type=Path, default=Path("releases"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/strict-input.md")
    args = parser.parse_args()
    app = create_app(Settings.load(releases_dir=args.releases_dir))
    logging.getLogger("tilod.access").setLevel(logging.WARNING)  # its lines on stderr would be most of it
    load_before = os.getloadavg()[0]
    alone = check_alone()
    hook = hook_alone(app)
    with_check, without = whole_request(app)
    load_after = os.getloadavg()[0]
    lines = [
        "# Refusing bytes that are not UTF-8: the cost per request",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {describe_machine()}; "
        f"load average (1 min) {load_before:.1f} before, {load_after:.1f} after",
        "",
        "`python bench/strict_input.py`, CPU time: the check alone (best of 5 × 20,000 calls), in-process.",
        "",
        "| request | check (µs) |",
        "|---|---|",
        *[f"| {what} | {micros:.2f} |" for what, micros in alone],
        "",
        "The whole hook (`refuse_bytes_not_utf8`) in a request context (best of 5 × 20,000 calls):",
        "",
        "| request | hook (µs) |",
        "|---|---|",
        *[f"| {what} | {micros:.2f} |" for what, micros in hook],
        "",
        f"A whole `/health` request through Flask's test client (median of {ROUNDS} interleaved rounds of {BATCH}):",
        "",
        "| | µs per request |",
        "|---|---|",
        f"| with the check | {with_check:.1f} |",
        f"| without it | {without:.1f} |",
        f"| difference | {with_check - without:.1f} ({(with_check - without) / without:+.1%}) |",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
