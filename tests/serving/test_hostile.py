"""Hostile input over real HTTP: a public endpoint never answers 5xx to bad input, never leaks,
never changes data. On both backends (the `server` fixture), loopback only.

One parametrized test per probe family. Every probe is recorded in a tally (cases, 5xx
answers, leaked bytes, data changed), written at the end of the module as a Markdown table to
test-artifacts/hostile-probes.md (git-ignored; `bench/hostile.py` runs this module and keeps the
table in bench/results/) with the machine's description; after each probe the server
must still answer a triple count, and the same count as at the start (`assert_still_fine`).
Every loop here is bounded in count and in time.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from helpers import BROWSER, copy_releases
from server import Listener, ServerProcess, start_server, stop_server

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from machine import describe_machine  # noqa: E402 - bench/ is not a package

REPORT = ROOT / "test-artifacts/hostile-probes.md"
TIMEOUT = 20
JSON = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
TERRITORY = "id/territoire/2023-2027/ti-3208"
PASSWD = b"root:x:0:0"
#: what no answer may ever show: /etc/passwd, a Python traceback, where the server's files are
LEAK_MARKERS = (PASSWD, b"Traceback (most recent call last)", str(ROOT).encode(), b"site-packages")


# -- the tally ---------------------------------------------------------------------------------

@dataclass
class Row:
    cases: int = 0
    server_errors: int = 0
    leaked_bytes: int = 0
    data_changed: int = 0
    statuses: Counter = field(default_factory=Counter)
    backends: set[str] = field(default_factory=set)


TALLY: dict[str, Row] = {}
#: triple count each server answered at the start, by its URL
BASELINE: dict[str, int] = {}


def record(family: str, server: ServerProcess, status: int, body: bytes) -> None:
    """Count one probe; then fail on a 5xx or on anything leaked."""
    row = TALLY.setdefault(family, Row())
    row.cases += 1
    row.backends.add(server.backend)
    row.statuses[status] += 1
    leaked = any(marker in body for marker in LEAK_MARKERS)
    if status >= 500:
        row.server_errors += 1
    if leaked:
        row.leaked_bytes += len(body)
    assert status < 500, (family, status, body[:300])
    assert not leaked, (family, status, body[:300])


def assert_still_fine(server: ServerProcess, family: str | None = None) -> None:
    """The server still answers a simple SPARQL count, with the count it gave at the start."""
    response = requests.get(server.sparql, params={"query": COUNT}, headers={"Accept": JSON},
                            timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    n = int(response.json()["results"]["bindings"][0]["n"]["value"])
    if n != BASELINE[server.url] and family:
        TALLY.setdefault(family, Row()).data_changed += 1
    assert n == BASELINE[server.url], f"the triple count changed: {BASELINE[server.url]} -> {n}"


def probe(family: str, server: ServerProcess, method: str, url: str, **kwargs) -> requests.Response:
    """One request through `requests`, recorded, then the server checked."""
    response = requests.request(method, url, timeout=kwargs.pop("timeout", TIMEOUT), **kwargs)
    record(family, server, response.status_code, response.content)
    assert_still_fine(server, family)
    return response


@dataclass
class Raw:
    status: int
    headers: dict[str, str]
    body: bytes


def raw_request(server: ServerProcess, data: bytes, timeout: float = 10.0) -> Raw:
    """Send bytes as they are (no client fixes them up) and read the answer: until its
    Content-Length is in, or the server closes (an answer to a broken request may not say)."""
    port = urllib.parse.urlsplit(server.url).port
    answer = b""
    head_only = data.startswith(b"HEAD ")
    deadline = time.monotonic() + timeout
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        with contextlib.suppress(OSError):  # a reset once the answer is in still leaves the answer
            sock.sendall(data)
        with contextlib.suppress(OSError):
            while time.monotonic() < deadline and len(answer) < 5_000_000:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
                head, sep, body = answer.partition(b"\r\n\r\n")
                length = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.IGNORECASE)
                if sep and head.startswith(b"HTTP/") and (head_only or (length and len(body) >= int(length[1]))):
                    break
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    if lines[0].startswith(b"HTTP/"):
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.decode("latin-1").partition(":") for line in lines[1:])}
        return Raw(status, headers, body)
    # an HTTP/0.9-style answer (no status line) to a request line the server could not read
    found = re.search(rb"Error code: (\d{3})", answer)
    assert found, answer[:300]
    return Raw(int(found.group(1)), {}, answer)


def raw_probe(family: str, server: ServerProcess, data: bytes) -> Raw:
    answer = raw_request(server, data)
    record(family, server, answer.status, answer.body)
    assert_still_fine(server, family)
    return answer


def get_line(target: bytes, method: bytes = b"GET", extra: bytes = b"") -> bytes:
    return method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra + b"\r\n"


@pytest.fixture(scope="module", autouse=True)
def tally_report() -> Iterator[None]:
    """Write the tally when the module is done (whatever passed or failed)."""
    started = time.monotonic()
    yield
    if not TALLY:
        return
    total = Row()
    lines = [
        "# tilod hostile probes",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `pytest tests/test_hostile.py`, "
        f"{time.monotonic() - started:.0f} s. Machine: {describe_machine()}.",
        "",
        "`tilod serve` (Werkzeug, threaded) on 127.0.0.1 serving the Aisne + Somme subset release, "
        "from its embedded store and from a real Oxigraph server. After every probe the server "
        "answered a triple count, compared with the count at the start ('data changed'). "
        "'Leaked bytes': bytes of answers showing /etc/passwd, a traceback or a server path.",
        "",
        "| family | backends | cases | 5xx | leaked bytes | data changed | statuses seen |",
        "|---|---|---|---|---|---|---|",
    ]
    for family, row in TALLY.items():
        seen = ", ".join(f"{s}×{n}" for s, n in sorted(row.statuses.items()))
        lines.append(f"| {family} | {', '.join(sorted(row.backends))} | {row.cases} | {row.server_errors} | "
                     f"{row.leaked_bytes} | {row.data_changed} | {seen} |")
        total.cases += row.cases
        total.server_errors += row.server_errors
        total.leaked_bytes += row.leaked_bytes
        total.data_changed += row.data_changed
    lines.append(f"| **total** | | {total.cases} | {total.server_errors} | {total.leaked_bytes} | "
                 f"{total.data_changed} | |")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module", autouse=True)
def baseline(server: ServerProcess, store) -> int:
    """The count each server answers at the start: that of the release store's default graph (the
    data; the ontology, VoID and changes are named graphs)."""
    response = requests.get(server.sparql, params={"query": COUNT}, headers={"Accept": JSON},
                            timeout=TIMEOUT)
    n = int(response.json()["results"]["bindings"][0]["n"]["value"])
    assert n == sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())) > 10_000
    BASELINE[server.url] = n
    return n


@pytest.fixture(scope="module")
def version(release: Path) -> str:
    """The version of the session's release (the folder's name)."""
    return release.name


def _three_ways(server: ServerProcess, query: str) -> list[tuple[str, str, dict]]:
    """(method, url, requests kwargs) for GET, POST form and POST direct."""
    return [
        ("GET", server.sparql, {"params": {"query": query}}),
        ("POST", server.sparql, {"data": {"query": query}}),
        ("POST", server.sparql, {"data": query.encode("utf-8"),
                                 "headers": {"Content-Type": "application/sparql-query"}}),
    ]


# -- malformed SPARQL -------------------------------------------------------------------------

MALFORMED = {
    "unclosed brace": "SELECT * WHERE { ?s ?p ?o ",
    "no opening brace": "SELECT * WHERE ?s ?p ?o }",
    "unbalanced inner": "SELECT * WHERE { { ?s ?p ?o }",
    "extra closing": "SELECT * WHERE { ?s ?p ?o } }",
    "space in IRI": "SELECT * WHERE { ?s <http://bad iri/> ?o }",
    "NUL in IRI": "SELECT * WHERE { ?s <http://x/\x00> ?o }",
    "broken IPv6 IRI": "SELECT * WHERE { ?s <http://[::1/> ?o }",
    "IRI with quote": 'SELECT * WHERE { ?s <http://x/"> ?o }',
    "unknown prefix": "SELECT * WHERE { ?s nope:p ?o }",
    "bad PREFIX declaration": "PREFIX ex <http://x/> SELECT * WHERE { ?s ex:p ?o }",
    "unterminated string": 'SELECT * WHERE { ?s ?p "unterminated }',
    "unterminated long string": "SELECT * WHERE { ?s ?p '''never closed }",
    "bad escape": 'SELECT * WHERE { ?s ?p "\\u00" }',
    "bad datatype IRI": 'SELECT * WHERE { ?s ?p "x"^^<bad iri> }',
    "empty language tag": 'SELECT * WHERE { ?s ?p "x"@ }',
    "bad number": "SELECT * WHERE { ?s ?p 1e }",
    "dangling GROUP BY": "SELECT ?s WHERE { ?s ?p ?o } GROUP BY",
    "unclosed projection": "SELECT (COUNT(*) AS ?n WHERE { ?s ?p ?o }",
    "negative LIMIT": "SELECT * WHERE { ?s ?p ?o } LIMIT -1",
    "huge LIMIT": "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999999999999",
    "OFFSET word": "SELECT * WHERE { ?s ?p ?o } OFFSET abc",
    "two LIMITs": "SELECT * WHERE { ?s ?p ?o } LIMIT 1 LIMIT 2",
    "empty": "",
    "blank": " \n\t\r ",
    "control characters": "\x00\x01\x02\x1b[31m",
    "garbage text": "\u00ff\u00fe\u00fd\u00a0 SELECT \u2028 * \ufffd",
    "lone keyword": "DESCRIBE",
    "bad CONSTRUCT template": "CONSTRUCT { ?s ?p } WHERE { ?s ?p ?o }",
    "two queries": "ASK { ?s ?p ?o } ASK { ?s ?p ?o }",
    "rebound variable": "SELECT * WHERE { BIND(1 AS ?x) BIND(2 AS ?x) }",
    "ungrouped variable": "SELECT ?o WHERE { ?s ?p ?o } GROUP BY ?s",
    "VALUES arity": "SELECT * WHERE { VALUES (?x ?y) { (1) } }",
    "FROM without IRI": "SELECT * FROM WHERE { ?s ?p ?o }",
    "unknown function": "SELECT * WHERE { ?s ?p ?o FILTER(nope(?o)) }",
    "query then update": "ASK {} ; DROP ALL",
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_sparql_is_4xx(server, case):
    for method, url, kwargs in _three_ways(server, MALFORMED[case]):
        response = probe("malformed SPARQL", server, method, url, **kwargs)
        assert 400 <= response.status_code < 500, (case, method, response.text[:200])


# -- bad percent-encoding and bytes that are not UTF-8 -----------------------------------------

ENCODING_REQUESTS = {
    "query %zz": get_line(b"/sparql?query=%zz"),
    "query lone %": get_line(b"/sparql?query=%"),
    "query %C3%28": get_line(b"/sparql?query=%C3%28"),
    "query valid then %zz": get_line(b"/sparql?query=ASK%7B%7D%zz"),
    "query %ff%fe%00": get_line(b"/sparql?query=%ff%fe%00"),
    "raw bytes in query": get_line(b"/sparql?query=\xff\xfe"),
    "raw byte after query": get_line(b"/sparql?query=ASK%20%7B%7D\x80"),
    "parameter name %zz": get_line(b"/sparql?%zz=1"),
    "graph uri %zz": get_line(b"/sparql?query=ASK%7B%7D&default-graph-uri=%zz"),
    "graph uri %C3%28": get_line(b"/sparql?query=ASK%7B%7D&named-graph-uri=%C3%28"),
    "path %zz": get_line(b"/id/%zz"),
    "path lone %": get_line(b"/id/%"),
    "path %C3%28": get_line(b"/id/%C3%28.ttl"),
    "raw byte in path": get_line(b"/id/\xff\xfe"),
    "path %00": get_line(b"/id/commune/02691%00"),
    "dump version %zz": get_line(b"/dumps/%zz/tilod.ttl"),
    "dump file lone %": get_line(b"/dumps/latest/%"),
    "format %zz": get_line(b"/" + TERRITORY.encode() + b"?format=%zz"),
    "lang %zz": get_line(b"/?lang=%zz"),
    "search %C3%28": get_line(b"/recherche?q=%C3%28"),
}


def _post(path: bytes, content_type: bytes, body: bytes) -> bytes:
    return (b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: "
            + content_type + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


FORM_BODIES = {
    "form query=%zz": b"query=%zz",
    "form query=%": b"query=%",
    "form query=%C3%28": b"query=%C3%28",
    "form raw bytes": b"query=\xff\xfe",
    "form update raw bytes": b"update=\xff",
    "form raw parameter name": b"query=ASK%7B%7D&\xff=1",
    "form only junk": b"\xff\xfe\xfd\x00",
}
DIRECT_BODIES = {
    "direct 0xff 0xfe": b"\xff\xfe",
    "direct invalid sequence": b"ASK {} #\xc3\x28",
    "direct overlong slash": b"ASK { ?s ?p \"\xc0\xaf\" }",
    "direct encoded surrogate": b"ASK { ?s ?p \"\xed\xa0\x80\" }",
    "direct latin-1": 'ASK { ?s ?p "é" }'.encode("latin-1"),
    "direct NULs": b"\x00" * 100,
}
for _name, _body in FORM_BODIES.items():
    ENCODING_REQUESTS[_name] = _post(b"/sparql", FORM.encode(), _body)
for _name, _body in DIRECT_BODIES.items():
    ENCODING_REQUESTS[_name] = _post(b"/sparql", b"application/sparql-query; charset=utf-8", _body)
    ENCODING_REQUESTS[_name + " (update)"] = _post(b"/sparql", b"application/sparql-update", _body)


@pytest.mark.parametrize("case", list(ENCODING_REQUESTS))
def test_bad_encodings_are_never_5xx(server, case):
    answer = raw_probe("bad percent-encoding / not UTF-8", server, ENCODING_REQUESTS[case])
    if case.startswith(("query", "raw b", "parameter", "graph", "form", "direct")):
        assert 400 <= answer.status < 500, (case, answer.status, answer.body[:200])


# -- oversized queries and bodies ---------------------------------------------------------------

MAX_BODY = 1_000_000  # TILOD_MAX_BODY_BYTES, default


def _oversized(server: ServerProcess) -> dict[str, Callable[[], int]]:
    big_query = "ASK {} #" + "x" * (MAX_BODY + 100_000)

    def req(method: str, **kwargs) -> Callable[[], int]:
        def send() -> int:
            return probe("oversized", server, method, server.sparql, **kwargs).status_code
        return send

    def raw(data: bytes) -> Callable[[], int]:
        return lambda: raw_probe("oversized", server, data).status

    return {
        "form query > limit": req("POST", data={"query": big_query}),
        "form padding > limit": req("POST", data={"query": "ASK {}", "pad": "y" * (MAX_BODY + 10)}),
        "direct > limit in bytes, < in characters": req(
            "POST", data=("ASK {} #" + "é" * (MAX_BODY // 2 + 1000)).encode("utf-8"),
            headers={"Content-Type": "application/sparql-query"}),
        "direct not UTF-8 > limit": req("POST", data=b"\xff" * (MAX_BODY + 1),
                                        headers={"Content-Type": "application/sparql-query"}),
        "update body > limit": req("POST", data=b"INSERT DATA {} #" + b"z" * MAX_BODY,
                                   headers={"Content-Type": "application/sparql-update"}),
        "Content-Length 10^12": raw(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: "
            b"application/sparql-query\r\nContent-Length: 1000000000000\r\n\r\nASK {}"),
        "chunked > limit": raw(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: "
            b"application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"".join(b"ffff\r\n" + b"#" * 0xFFFF + b"\r\n" for _ in range(17)) + b"0\r\n\r\n"),
        "chunked, valid query in the first 1,000,000 bytes": raw(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: "
            b"application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nASK {}\r\n"
            + b"".join(b"ffff\r\n" + b" " * 0xFFFF + b"\r\n" for _ in range(16)) + b"3\r\nBUG\r\n0\r\n\r\n"),
        "chunked form > limit": raw(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: "
            b"application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"10\r\nquery=ASK+%7B%7D\r\n" + b"".join(b"ffff\r\n" + b"+" * 0xFFFF + b"\r\n" for _ in range(16))
            + b"3\r\nBUG\r\n0\r\n\r\n"),
        "GET query > limit": req("GET", params={"query": big_query}),
        "GET 100 KB query": req("GET", params={"query": "ASK {} #" + "x" * 100_000}),
    }


OVERSIZED = ["form query > limit", "form padding > limit", "direct > limit in bytes, < in characters",
             "direct not UTF-8 > limit", "update body > limit", "Content-Length 10^12", "chunked > limit",
             "chunked, valid query in the first 1,000,000 bytes", "chunked form > limit",
             "GET query > limit", "GET 100 KB query"]


@pytest.mark.parametrize("case", OVERSIZED)
def test_oversized_is_413(server, case):
    status = _oversized(server)[case]()
    if case.startswith("GET"):  # the request line itself is too long for the HTTP server: 414
        assert status in (413, 414), status
    elif case.startswith("update"):
        assert status in (403, 413), status  # refused as an update before its body is read
    else:
        assert status == 413, (case, status)


# -- deep nesting and long operator chains -------------------------------------------------------

NESTED = {
    "500 nested { }": "SELECT * WHERE " + "{" * 500 + " ?s ?p ?o " + "}" * 500,
    "5000 nested { }": "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
    "5000 unbalanced {": "SELECT * WHERE " + "{" * 5000,
    "500 FILTER parentheses": "ASK { ?s ?p ?o FILTER(" + "(" * 500 + "?o" + ")" * 500 + ") }",
    "5000 FILTER parentheses": "ASK { ?s ?p ?o FILTER(" + "(" * 5000 + "?o" + ")" * 5000 + ") }",
    "1000 nested STR(": "ASK { FILTER(" + "STR(" * 1000 + "1" + ")" * 1000 + ") }",
    "5000 nested [ ]": "ASK { ?s <p> " + "[ <p> " * 5000 + "1" + " ]" * 5000 + " }",
    "5000 nested ( ) lists": "ASK { ?s <p> " + "( " * 5000 + "1" + " )" * 5000 + " }",
    "3000 nested OPTIONAL": "ASK { " + "OPTIONAL { " * 3000 + "?s ?p ?o" + " }" * 3000 + " }",
    "20000 !": "ASK { ?s ?p ?o FILTER(" + "!" * 20000 + "?o) }",
    "10000 +": "ASK { FILTER(" + "+".join(["1"] * 10000) + " > 0) }",
    "10000 ||": "ASK { ?s ?p ?o FILTER(" + " || ".join(["?o"] * 10000) + ") }",
    "10000 UNION": "ASK { " + " UNION ".join(["{ ?s <p> ?o }"] * 10000) + " }",
    "3000 MINUS": "ASK { ?s ?p ?o " + " ".join(["MINUS { ?s <p> ?o }"] * 3000) + " }",
    "10000 triple patterns": "ASK { " + " . ".join(f"?s <p{i}> ?o" for i in range(10000)) + " }",
    "10000-step path": "ASK { ?s " + "/".join(["<p>"] * 10000) + " ?o }",
    "10000 objects": "ASK { ?s <p> " + ",".join(["1"] * 10000) + " }",
}


@pytest.mark.parametrize("case", list(NESTED))
def test_deep_nesting_is_4xx_not_a_crash(server, case):
    for method, url, kwargs in _three_ways(server, NESTED[case])[1:]:  # GET: the line is too long
        response = probe("deep nesting / long chains", server, method, url, **kwargs)
        assert response.status_code == 400, (case, response.status_code, response.text[:200])
        assert "too deeply" in response.text or "too complex" in response.text


def test_a_long_values_block_is_not_refused(server):
    """The limits above spare data: 50,000 values in VALUES are fine."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { " + " ".join(map(str, range(50_000))) + " } }"
    response = requests.post(server.sparql, data={"query": query}, headers={"Accept": JSON}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text[:300]
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "50000"
    assert_still_fine(server)


# -- absurd Accept headers ----------------------------------------------------------------------

ACCEPTS = {
    "100 KB": "text/" + "a" * 100_000,
    "60 KB": "text/turtle;q=0.1, " + "x" * 60_000,
    "5000 parts": ",".join(f"text/x{i};q=0.{i % 10}" for i in range(5000)),
    "5000 wildcards": ",".join(["*/*"] * 5000),
    "4000 parameters": "text/turtle;" + "a=b;" * 4000,
    "binary junk": "".join(map(chr, range(0x80, 0x100))) * 4,
    "control characters": "\x01\x02\x7f\x00text/html",
    "q=NaN": "*/*;q=NaN",
    "q=1e999": "text/turtle;q=1e999, */*;q=-1e999",
    "only separators": ";;;,,,;,",
    "slashes": "/,*/,/*,//",
}
ACCEPT_ROUTES = ["", "sparql", "sparql?query=ASK%20%7B%7D", "sparql?query=CONSTRUCT%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%201",
                 TERRITORY, TERRITORY + ".ttl", "def/tilod", "def/tilod/shapes", ".well-known/void", "dumps/",
                 "dumps/latest/tilod.nt.gz", "nowhere"]


@pytest.mark.parametrize("accept", list(ACCEPTS))
def test_absurd_accept_headers_are_never_5xx(server, accept):
    for route in ACCEPT_ROUTES:
        probe("absurd Accept headers", server, "GET", server.url + route, headers={"Accept": ACCEPTS[accept]})


# -- unknown and junk methods --------------------------------------------------------------------

METHOD_ROUTES = [b"/sparql", b"/" + TERRITORY.encode(), b"/dumps/latest/tilod.ttl", b"/def/tilod", b"/"]
METHODS = {
    "PUT": b"PUT", "DELETE": b"DELETE", "PATCH": b"PATCH", "PROPFIND": b"PROPFIND", "TRACE": b"TRACE",
    "MKCOL": b"MKCOL", "LOCK": b"LOCK", "SEARCH": b"SEARCH", "BREW": b"BREW", "lowercase get": b"get",
    "junk name": b"FOOBAR", "NUL inside": b"G\x00ET", "binary": b"\xff\xfe", "1000 letters": b"A" * 1000,
    "tab inside": b"GE\tT",
}


@pytest.mark.parametrize("name", list(METHODS))
def test_unknown_methods_are_4xx(server, name):
    secret = b"X-Tilod-Secret: s3cr3t-" + name.encode()
    for route in METHOD_ROUTES:
        answer = raw_probe("unknown / junk methods", server, get_line(route, METHODS[name], secret + b"\r\n"))
        if name == "lowercase get":  # Werkzeug upper-cases the method: served as a GET, harmless
            assert answer.status in (200, 400, 404, 405), (route, answer.status)
        else:
            assert 400 <= answer.status < 500, (name, route, answer.status)
        assert b"s3cr3t" not in answer.body  # TRACE never echoes the request (XST)
    allowed = raw_request(server, get_line(b"/sparql", METHODS[name]))
    if allowed.status == 405:
        assert {"GET", "POST"} <= {m.strip() for m in allowed.headers["allow"].split(",")}


def test_connect_and_asterisk_are_4xx(server):
    for data in (b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\nConnection: close\r\n\r\n",
                 get_line(b"*", b"OPTIONS"), get_line(b"http://127.0.0.1:9/etc/passwd")):
        answer = raw_probe("unknown / junk methods", server, data)
        assert 400 <= answer.status < 500, (data[:40], answer.status)


# -- path traversal ----------------------------------------------------------------------------

def traversal_paths(version: str) -> list[bytes]:
    v = version.encode()
    paths = [
        b"/dumps/" + v + b"/..%2f..%2fetc%2fpasswd", b"/dumps/latest/..%2f..%2f..%2f..%2fetc%2fpasswd",
        b"/dumps/../../etc/passwd", b"/dumps/latest/../../../../../../etc/passwd",
        b"/dumps/latest/%2e%2e/%2e%2e/%2e%2e/etc/passwd", b"/dumps/%2e%2e/%2e%2e/etc/passwd",
        b"/dumps/latest/%2e%2e%2f%2e%2e%2fetc%2fpasswd", b"/dumps/latest/%252e%252e%252fetc%252fpasswd",
        b"/dumps/%252e%252e/tilod.ttl", b"/dumps/latest//etc/passwd", b"/dumps/latest/%2fetc%2fpasswd",
        b"/dumps//etc/passwd", b"/dumps/latest/..\\..\\..\\etc\\passwd", b"/dumps/latest/..%5c..%5cetc%5cpasswd",
        b"/dumps/latest/tilod.ttl%00", b"/dumps/latest/tilod.ttl%00.txt", b"/dumps/latest/%00/etc/passwd",
        b"/dumps/latest/release.json", b"/dumps/" + v + b"/release.json", b"/dumps/latest/store",
        b"/dumps/latest/store/", b"/dumps/" + v + b"/store", b"/dumps/current/tilod.ttl",
        b"/dumps/..%2fcurrent/tilod.ttl", b"/dumps/" + v + b"/..%2f" + v + b"%2frelease.json",
        b"/dumps/19990101T000000Z/..%2f..%2f..%2fetc%2fpasswd", b"/dumps/" + v + b"-1/tilod.ttl",
        b"/dumps/latest/tilod.ttl/..%2f..%2frelease.json", b"/dumps/latest/%2e", b"/dumps/latest/..",
        b"/id/../../etc/passwd", b"/id/..%2f..%2f..%2fetc%2fpasswd", b"/id/%2e%2e/%2e%2e/etc/passwd",
        b"/def/tilod/../../../etc/passwd", b"/def/tilod.%2e%2e%2fetc%2fpasswd", b"/.well-known/void.%2e%2e",
        b"/.well-known/../../etc/passwd", b"//etc/passwd", b"/static/../../etc/passwd",
        b"/etc/passwd", b"/%2fetc%2fpasswd", b"/..%2f..%2f..%2fetc%2fpasswd",
    ]
    return paths


MUST_BE_404 = (b"release.json", b"/store", b"/store/", b"current/tilod.ttl", b"-1/tilod.ttl")


def test_path_traversal_never_reaches_a_file(server, version):
    for i, path in enumerate(traversal_paths(version)):
        accept = (b"*/*", BROWSER.encode())[i % 2]  # plain and HTML 404s in turn
        answer = raw_probe("path traversal", server, get_line(path, extra=b"Accept: " + accept + b"\r\n"))
        assert answer.status in (301, 302, 308, 400, 404, 405, 406), (path, answer.status)
        if path.endswith(MUST_BE_404):
            assert answer.status == 404, (path, answer.status)


@pytest.fixture(scope="module")
def planted(server: ServerProcess, settings, tmp_path_factory) -> Iterator[ServerProcess]:
    """A server on a copy of the releases where listed files were replaced by symlinks."""
    copy = tmp_path_factory.mktemp("planted") / "releases"
    folder = copy_releases(settings.releases_dir, copy)
    (folder / "ontology.ttl").unlink()
    (folder / "ontology.ttl").symlink_to("/etc/passwd")  # absolute
    (folder / "tilod.ttl").unlink()
    (folder / "tilod.ttl").symlink_to("../" * 30 + "etc/passwd")  # relative
    (folder / "tilod.jsonld").unlink()
    (folder / "tilod.jsonld").symlink_to(folder / "release.json")  # inside the folder, still a link
    (folder / "shapes.ttl").unlink()  # listed, but gone
    env = {k: v for k, v in server.env.items() if k == "TILOD_STORE_URL"}
    running = start_server(copy, ROOT, server.base, **env)
    running.backend = server.backend
    BASELINE[running.url] = BASELINE[server.url]
    try:
        yield running
    finally:
        stop_server(running)


@pytest.mark.parametrize("name", ["ontology.ttl", "tilod.ttl", "tilod.jsonld", "shapes.ttl"])
def test_a_planted_symlink_is_never_followed(planted, version, name):
    for folder in ("latest", version):
        for method in (b"GET", b"HEAD"):
            answer = raw_probe("path traversal", planted, get_line(f"/dumps/{folder}/{name}".encode(), method))
            assert answer.status == 404, (name, folder, answer.status, answer.body[:200])
    # the files still in place are served as before
    assert requests.get(planted.url + "dumps/latest/tilod.nt.gz", timeout=TIMEOUT).status_code == 200


def test_a_planted_ontology_is_not_shown(planted):
    """/def/tilod reads ontology.ttl: a planted symlink must not show what it points at."""
    for path in ("def/tilod.ttl", "def/tilod.nt", "def/tilod"):
        for accept in ("text/turtle", BROWSER):
            response = requests.get(planted.url + path, headers={"Accept": accept}, timeout=TIMEOUT)
            assert PASSWD not in response.content, path
            assert b"root:" not in response.content, path


# -- HTML and script injection -------------------------------------------------------------------

#: payload -> the fragment that must never appear as is in an HTML page
PAYLOADS = {
    "<script>alert('x1')</script>": "<script>alert('x1')",
    '"><img src=x onerror=alert(2)>': "<img src=x onerror=",
    "'><svg/onload=alert(3)>": "<svg/onload=",
    "</textarea><script>alert(4)</script>": "</textarea><script>",
    "javascript:alert(5)": 'href="javascript:',
}


def _q(text: str) -> str:
    return urllib.parse.quote(text, safe="")


INJECTION_TARGETS: dict[str, Callable[[ServerProcess, str], tuple[str, str, dict]]] = {
    "/id/<p>": lambda s, p: ("GET", s.url + "id/" + _q(p), {"headers": {"Accept": BROWSER}}),
    "/id/<p>.html": lambda s, p: ("GET", s.url + "id/" + _q(p) + ".html", {}),
    "/id/x?format=<p>": lambda s, p: ("GET", s.url + TERRITORY, {"params": {"format": p}}),
    "/<p> (404 page)": lambda s, p: ("GET", s.url + _q(p), {"headers": {"Accept": BROWSER}}),
    "/nowhere/<p>": lambda s, p: ("GET", s.url + "nowhere/" + _q(p), {"headers": {"Accept": BROWSER}}),
    "/dumps/<p>/tilod.ttl": lambda s, p: ("GET", s.url + "dumps/" + _q(p) + "/tilod.ttl",
                                          {"headers": {"Accept": BROWSER}}),
    "/dumps/latest/<p>": lambda s, p: ("GET", s.url + "dumps/latest/" + _q(p), {"headers": {"Accept": BROWSER}}),
    "/def/tilod.<p>": lambda s, p: ("GET", s.url + "def/tilod." + _q(p), {"headers": {"Accept": BROWSER}}),
    "/sparql?query=<p>": lambda s, p: ("GET", s.sparql, {"params": {"query": p}, "headers": {"Accept": BROWSER}}),
    "POST /sparql query=<p>": lambda s, p: ("POST", s.sparql, {"data": {"query": p}, "headers": {"Accept": BROWSER}}),
    "/sparql?<p>=1": lambda s, p: ("GET", s.sparql, {"params": {p: "1"}, "headers": {"Accept": BROWSER}}),
    "/sparql?lang=<p> (query page)": lambda s, p: ("GET", s.sparql, {"params": {"lang": p},
                                                                     "headers": {"Accept": BROWSER}}),
    "<p> in a CSV result": lambda s, p: ("GET", s.sparql, {
        "params": {"query": "SELECT ?x WHERE { BIND('''" + p + "''' AS ?x) }"}, "headers": {"Accept": "text/csv"}}),
    "<p> in an XML result": lambda s, p: ("GET", s.sparql, {
        "params": {"query": "SELECT ?x WHERE { BIND('''" + p + "''' AS ?x) }"},
        "headers": {"Accept": "application/sparql-results+xml"}}),
    "<p> in a browser's result": lambda s, p: ("GET", s.sparql, {
        "params": {"query": "SELECT ?x WHERE { BIND('''" + p + "''' AS ?x) }"}, "headers": {"Accept": BROWSER}}),
    "/sparql?query=...&format=<p>": lambda s, p: ("GET", s.sparql, {
        "params": {"query": "ASK {}", "format": p}, "headers": {"Accept": BROWSER}}),
    "<p> as a chart's bar label": lambda s, p: ("GET", s.sparql, {
        "params": {"query": "SELECT ?x ?n WHERE { VALUES ?n { 1 2 } BIND(CONCAT( + p + , STR(?n)) AS ?x) }"},
        "headers": {"Accept": BROWSER}}),
    "/?lang=<p>": lambda s, p: ("GET", s.url, {"params": {"lang": p}, "headers": {"Accept": BROWSER}}),
    "/recherche?q=<p>": lambda s, p: ("GET", s.url + "recherche", {"params": {"q": p},
                                                                  "headers": {"Accept": BROWSER}}),
    "/historique?<p>": lambda s, p: ("GET", s.url + "historique?" + _q(p), {"headers": {"Accept": BROWSER}}),
    "Accept: <p> (406)": lambda s, p: ("GET", s.url + TERRITORY, {"headers": {"Accept": p}}),
    "Accept: text/html;<p>": lambda s, p: ("GET", s.url + TERRITORY, {"headers": {"Accept": "text/html;" + p}}),
    "User-Agent and Referer <p>": lambda s, p: ("GET", s.url + "nowhere", {
        "headers": {"Accept": BROWSER, "User-Agent": p, "Referer": p}}),
}


@pytest.mark.parametrize("target", list(INJECTION_TARGETS))
def test_nothing_echoed_runs_as_html(server, target):
    for payload, fragment in PAYLOADS.items():
        method, url, kwargs = INJECTION_TARGETS[target](server, payload)
        response = probe("HTML / script injection", server, method, url, **kwargs)
        content_type = response.headers.get("Content-Type", "")
        assert content_type, (target, "no Content-Type")
        assert response.headers.get("X-Content-Type-Options") == "nosniff", (target, response.status_code)
        media = content_type.split(";")[0].strip()
        if media == "text/html" or media.endswith(("/xml", "+xml")):  # rendered as markup by a browser
            assert fragment not in response.text, (target, payload, response.status_code)
        elif payload in response.text:  # echoed as is: only in a type no browser renders as markup
            assert media in ("text/plain", "text/csv", "text/tab-separated-values",
                             "application/sparql-results+json"), content_type


# -- updates, every form through every route -----------------------------------------------------

G = "http://example.org/g"
UPDATE_FORMS = {
    "INSERT DATA": "INSERT DATA { <http://example.org/s> <http://example.org/p> <http://example.org/o> }",
    "DELETE WHERE": "DELETE WHERE { ?s ?p ?o }",
    "DELETE/INSERT WHERE": "DELETE { ?s ?p ?o } INSERT { ?s ?p <http://example.org/o> } WHERE { ?s ?p ?o }",
    "DELETE DATA": "DELETE DATA { <http://localhost:8000/id/commune/02691> "
                   "<http://www.w3.org/2000/01/rdf-schema#label> \"Saint-Quentin\"@fr }",
    "CLEAR ALL": "CLEAR ALL",
    "CLEAR DEFAULT": "CLEAR DEFAULT",
    "DROP ALL": "DROP ALL",
    "DROP GRAPH": f"DROP GRAPH <{G}>",
    "CREATE GRAPH": f"CREATE GRAPH <{G}>",
    "LOAD": "LOAD <{listener}>",
    "LOAD INTO": "LOAD SILENT <{listener}> INTO GRAPH <" + G + ">",
    "COPY": f"COPY DEFAULT TO <{G}>",
    "MOVE": f"MOVE DEFAULT TO <{G}>",
    "ADD": f"ADD DEFAULT TO <{G}>",
    "WITH DELETE": f"WITH <{G}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "PREFIX then INSERT": "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:s ex:p ex:o }",
    "comment then DROP": "# harmless\nDROP ALL",
    "lowercase clear": "clear all",
    "two operations": "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 } ; DROP ALL",
}
INSERTED = "ASK { <http://example.org/s> ?p ?o }"


def _update_routes(server: ServerProcess, update: str) -> dict[str, tuple[str, dict]]:
    return {
        "GET query=": ("GET", {"params": {"query": update}}),
        "GET update=": ("GET", {"params": {"update": update}}),
        "POST form query=": ("POST", {"data": {"query": update}}),
        "POST form update=": ("POST", {"data": {"update": update}}),
        "POST sparql-query": ("POST", {"data": update.encode("utf-8"),
                                       "headers": {"Content-Type": "application/sparql-query"}}),
        "POST sparql-update": ("POST", {"data": update.encode("utf-8"),
                                        "headers": {"Content-Type": "application/sparql-update"}}),
    }


def _store_quads(server: ServerProcess) -> int | None:
    """Quads in every graph of the remote store, asked of the store itself (None: embedded)."""
    store = server.env.get("TILOD_STORE_URL")
    if not store:
        return None
    response = requests.post(store, data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                             headers={"Accept": JSON}, timeout=TIMEOUT)
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("form", list(UPDATE_FORMS))
def test_updates_are_refused_everywhere(server, form):
    quads = _store_quads(server)
    with Listener() as listener:
        update = UPDATE_FORMS[form].replace("{listener}", f"http://127.0.0.1:{listener.port}/x")
        for route, (method, kwargs) in _update_routes(server, update).items():
            response = probe("updates", server, method, server.sparql, **kwargs)
            assert 400 <= response.status_code < 500, (form, route, response.status_code)
    assert listener.connections == [], "LOAD fetched something"
    inserted = requests.get(server.sparql, params={"query": INSERTED}, headers={"Accept": JSON},
                            timeout=TIMEOUT).json()["boolean"]
    assert inserted is False, form
    changed = _store_quads(server) != quads
    if changed:
        TALLY["updates"].data_changed += 1
    assert not changed, "the remote store's quads changed"


# -- runaway queries -----------------------------------------------------------------------------

QUERY_TIMEOUT = 2
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
RUNAWAY = {
    "cartesian product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "property path over everything": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a ({LABEL}|!{LABEL}|^{LABEL}|!^{LABEL})* ?b }}",
    "regex over all literals": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f "
                               "FILTER(isLiteral(?c) && REGEX(STR(?c), STR(?f), 'i')) }",
}


@pytest.fixture
def limited(server: ServerProcess, settings, tmp_path) -> Iterator[ServerProcess]:
    """Our own server with a 2 s time limit on the session's release; on the remote backend,
    with its own Oxigraph server too: a query it keeps running dies with it, not in the
    session's store (see test_runaway_queries_are_stopped_and_free_the_cpu)."""
    from dataclasses import replace

    from server import start_oxigraph, stop_oxigraph

    from tilod.release.publish import publish

    env = {"TILOD_QUERY_TIMEOUT": str(QUERY_TIMEOUT), "TILOD_QUERY_WORKERS": "2"}
    store = None
    if server.backend == "remote":
        store = start_oxigraph(tmp_path / "oxigraph")
        publish(replace(settings, store_url=store.query_url, store_update_url=store.url + "update",
                        store_gsp_url=store.url + "store"), out=lambda _: None)
        env["TILOD_STORE_URL"] = store.query_url
    try:
        running = start_server(settings.releases_dir, ROOT, server.base, **env)
        running.backend = server.backend
        BASELINE[running.url] = BASELINE[server.url]
        try:
            yield running
        finally:
            stop_server(running)
    finally:
        if store is not None:
            store.process.kill()  # it may be busy with a query it cannot stop: no grace
            stop_oxigraph(store)


def cpu_seconds(pgid: int, pids: list[int]) -> float:
    """utime + stime of every process in the group `pgid`, and of `pids`, from /proc."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        if int(fields[2]) == pgid or int(entry.name) in pids:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _runaway(server: ServerProcess, query: str) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.get(server.sparql, params={"query": query}, timeout=QUERY_TIMEOUT + 30)
    return response, time.monotonic() - started


def _busy(pgid: int, pids: list[int]) -> float:
    """CPU seconds the processes use in the next second."""
    before = cpu_seconds(pgid, pids)
    time.sleep(1)
    return cpu_seconds(pgid, pids) - before


def test_runaway_queries_are_stopped_and_free_the_cpu(limited):
    running = limited
    with ThreadPoolExecutor(len(RUNAWAY)) as pool:
        answers = dict(zip(RUNAWAY, pool.map(lambda q: _runaway(running, q), RUNAWAY.values()), strict=True))
    for name, (response, elapsed) in answers.items():
        record("runaway queries", running, response.status_code, response.content)
        assert response.status_code == 422, (name, response.status_code, response.text[:200])
        assert "time limit" in response.text
        assert elapsed < QUERY_TIMEOUT + 5, (name, elapsed)
    time.sleep(2)  # then nothing of the server may still be burning CPU
    busy = _busy(running.process.pid, [])
    assert busy < 0.5, f"tilod used {busy:.2f} s of CPU in 1 s, 2 s after the answers: a query still runs"
    assert_still_fine(running, "runaway queries")
    # On the remote store, tilod promises its own answer and its own idle CPU, not the store's:
    # Oxigraph's server cannot stop a query it started (README, "Remote store").


def test_runaway_queries_do_not_starve_simple_ones(limited):
    running = limited
    query = RUNAWAY["cartesian product"]
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(_runaway, running, query) for _ in range(4)]
        time.sleep(0.5)  # they are running now
        simple_times = []
        for _ in range(2):
            started = time.monotonic()
            response = requests.get(running.sparql, params={"query": COUNT}, headers={"Accept": JSON},
                                    timeout=TIMEOUT)
            simple_times.append(time.monotonic() - started)
            assert response.status_code == 200, response.text
            assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == BASELINE[running.url]
        answers = [f.result(timeout=QUERY_TIMEOUT + 30) for f in futures]
    assert max(simple_times) < 3, simple_times
    for response, elapsed in answers:
        record("runaway queries", running, response.status_code, response.content)
        assert response.status_code == 422, response.text[:200]
        assert elapsed < QUERY_TIMEOUT + 5
    assert_still_fine(running, "runaway queries")


# -- slow clients --------------------------------------------------------------------------------

def test_slow_clients_do_not_block_others(server):
    """20 connections trickle one header byte every 0.5 s for 3 s; others are served meanwhile."""
    port = urllib.parse.urlsplit(server.url).port
    sockets = []
    try:
        for _ in range(20):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            sockets.append(sock)
        times = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b"a")
            started = time.monotonic()
            response = requests.get(server.url + TERRITORY, headers={"Accept": "text/turtle"}, timeout=TIMEOUT)
            times.append(time.monotonic() - started)
            record("slow clients", server, response.status_code, response.content)
            assert response.status_code == 200
            time.sleep(max(0.0, 0.5 - times[-1]))
        assert len(times) >= 3
        assert max(times) < 2, times
    finally:
        for sock in sockets:
            sock.close()
    assert_still_fine(server, "slow clients")
