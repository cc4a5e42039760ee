"""Bytes that are not UTF-8 are refused (400, saying where) on every route, over a real server.

Clients re-encode what they are given, so the requests here are written as raw bytes on a
socket. Each route gets each kind of bad byte (percent-encoded, a lone lead byte, a latin-1
letter, a raw byte on the request line or in the body); the same routes still answer French
text sent as UTF-8 (names read from the source files).
"""

from __future__ import annotations

import html
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import requests
from helpers import BASE, BROWSER, PREFIXES, media_type
from server import ServerProcess, free_port, stop_server
from sources import read_sources

from conftest import ROOT

TIMEOUT = 20
FORM = b"application/x-www-form-urlencoded"
QUERY_BODY = b"application/sparql-query"
JSON = "application/sparql-results+json"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


def send(server, request: bytes) -> Answer:
    """Write `request` as it is, read the whole answer (the request asks the server to close)."""
    port = urllib.parse.urlsplit(server.url).port
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    # gunicorn's own 400 page echoes the raw request line
    return Answer(int(status_line.split()[1]), headers, body.decode("utf-8", "replace"))


def get(target: bytes, accept: bytes = b"*/*") -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + accept + b"\r\nConnection: close\r\n\r\n"


def post(target: bytes, content_type: bytes, body: bytes) -> bytes:
    return (b"POST " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: " + content_type
            + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


#: the kinds of bad bytes: (what is written, which byte is bad counted from 1, that byte)
BAD = {
    "%FF%FE": (b"%FF%FE", 1, "0xFF"),
    "%C3 alone": (b"Ch%C3", 3, "0xC3"),
    "latin-1 %E2": (b"Ch%E2teau-Thierry", 3, "0xE2"),
    "raw 0xFF": (b"Saint\xffQuentin", 6, "0xFF"),
}

#: route -> (the request with the bad bytes written in, where the message says they are); in a
#: path, bytes are counted from the path's first "/"
ROUTES = {
    "sparql GET query": (lambda x: get(b"/sparql?query=" + x), "paramètre « query » de l'adresse"),
    "sparql GET graph": (lambda x: get(b"/sparql?query=ASK%7B%7D&default-graph-uri=" + x),
                         "paramètre « default-graph-uri » de l'adresse"),
    "sparql form": (lambda x: post(b"/sparql", FORM, b"query=" + x), "champ « query » du formulaire"),
    "sparql form name": (lambda x: post(b"/sparql", FORM, b"query=ASK%7B%7D&" + x + b"=1"),
                         "nom d'un champ du formulaire"),
    "sparql form ?format=": (lambda x: post(b"/sparql", FORM, b"query=ASK%7B%7D&format=" + x),
                             "champ « format » du formulaire"),
    "resource ?format=": (lambda x: get(b"/id/commune/02691?format=" + x), "paramètre « format » de l'adresse"),
    "resource path": (lambda x: get(b"/id/commune/" + x), "chemin de l'adresse", len("/id/commune/")),
    "path segment .ttl": (lambda x: get(b"/id/" + x + b".ttl"), "chemin de l'adresse", len("/id/")),
    "search": (lambda x: get(b"/recherche?q=" + x), "paramètre « q » de l'adresse"),
    "dumps path": (lambda x: get(b"/dumps/" + x + b"/tilod.ttl"), "chemin de l'adresse", len("/dumps/")),
    "dumps list ?date=": (lambda x: get(b"/dumps/?date=" + x), "paramètre « date » de l'adresse"),
    "ontology ?lang=": (lambda x: get(b"/def/tilod?lang=" + x), "paramètre « lang » de l'adresse"),
    "landing parameter name": (lambda x: get(b"/?" + x + b"=1"), "nom d'un paramètre de l'adresse"),
    "history ?date=": (lambda x: get(b"/historique?date=" + x), "paramètre « date » de l'adresse"),
    "health": (lambda x: get(b"/health?x=" + x), "paramètre « x » de l'adresse"),
}


@pytest.mark.parametrize("kind", list(BAD))
@pytest.mark.parametrize("route", list(ROUTES))
def test_bytes_not_utf8_are_refused_saying_where(server, route, kind):
    written, offset, byte = BAD[kind]
    request, where, *before = ROUTES[route]
    offset += sum(before)
    answer = send(server, request(written))
    assert answer.status == 400, (answer.status, answer.text[:300])
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert f"{where} n'est pas en UTF-8 (octet {offset}, {byte}" in answer.text, answer.text


@pytest.fixture(scope="module")
def gunicorn(settings, release):
    """The production server (deploy/gunicorn.conf.py, one web worker) on the same release: its
    path and query string reach the application as PEP 3333 says, without tilod serve's fix."""
    port = free_port()
    env = {**os.environ, "TILOD_RELEASES_DIR": str(settings.releases_dir), "TILOD_BIND": f"127.0.0.1:{port}",
           "TILOD_WEB_WORKERS": "1", "TILOD_QUERY_WORKERS": "1"}
    env.pop("TILOD_BASE_URI", None)
    fd, log = tempfile.mkstemp(prefix="tilod-gunicorn-", suffix=".log")
    with os.fdopen(fd, "wb") as log_file:
        process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
                                   cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    running = ServerProcess(f"http://127.0.0.1:{port}/", BASE, process, Path(log))
    deadline = time.monotonic() + 60  # a worker warms its pages up before it answers
    while time.monotonic() < deadline:
        try:
            if requests.get(running.url + "health", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        stop_server(running)
        raise RuntimeError("gunicorn did not answer /health")
    yield running
    stop_server(running)


@pytest.mark.parametrize(("route", "kind"), [
    (route, kind) for route in ROUTES for kind in BAD
    # a raw byte on the request line: gunicorn refuses the line itself, before tilod
    if not kind.startswith("raw") or route.startswith("sparql form")])
def test_the_production_server_refuses_them_too(gunicorn, route, kind):
    written, offset, byte = BAD[kind]
    request, where, *before = ROUTES[route]
    answer = send(gunicorn, request(written))
    assert answer.status == 400, (answer.status, answer.text[:300])
    assert f"{where} n'est pas en UTF-8 (octet {offset + sum(before)}, {byte}" in answer.text, answer.text


@pytest.mark.parametrize("kind", ["%FF%FE", "raw 0xFF"])
def test_a_direct_post_not_utf8_is_refused_saying_where(server, kind):
    written, offset, byte = BAD[kind]
    body = b"SELECT * WHERE { ?s ?p " + urllib.parse.unquote_to_bytes(written) + b" }"
    answer = send(server, post(b"/sparql", QUERY_BODY + b"; charset=utf-8", body))
    assert answer.status == 400, answer.text
    expected = f"corps de la requête (application/sparql-query) n'est pas en UTF-8 (octet {23 + offset}, {byte}"
    assert expected in answer.text, answer.text


def test_the_refusal_is_in_english_on_request(server):
    answer = send(server, get(b"/recherche?lang=en&q=Ch%C3"))
    assert answer.status == 400
    assert "the URL's parameter 'q' is not UTF-8 (byte 3, 0xC3: an incomplete byte sequence)" in answer.text


def test_a_browser_gets_the_refusal_as_a_page(server):
    answer = send(server, get(b"/recherche?q=%FF%FE", BROWSER.encode()))
    assert answer.status == 400
    assert media_type_of(answer) == "text/html"
    text = html.unescape(answer.text)
    assert "<h1>Requête illisible</h1>" in text
    assert "le paramètre « q » de l'adresse n'est pas en UTF-8 (octet 1, 0xFF : cet octet ne commence" in text


def media_type_of(answer: Answer) -> str:
    return answer.headers["content-type"].split(";")[0].strip()


# -- French text in UTF-8 still works on the same routes ----------------------------------------

@cache
def commune_code(name: str) -> str:
    """The INSEE code of the commune of the Aisne of that name, from the source files."""
    (code,) = [c.code for c in read_sources().communes.values() if c.name == name and c.departement == "02"]
    return code


def label_query(name: str) -> str:
    return PREFIXES + f'SELECT ?commune WHERE {{ ?commune a igeo:Commune ; rdfs:label "{name}"@fr }}'


@pytest.mark.parametrize("name", ["Château-Thierry", "Saint-Quentin"])
def test_a_query_in_utf8_runs_on_the_three_ways(server, name):
    expected = [BASE + "id/commune/" + commune_code(name)]
    query = label_query(name)
    answers = {
        "GET": requests.get(server.sparql, params={"query": query}, headers={"Accept": JSON}, timeout=TIMEOUT),
        "form": requests.post(server.sparql, data={"query": query}, headers={"Accept": JSON}, timeout=TIMEOUT),
        "direct": requests.post(server.sparql, data=query.encode("utf-8"), timeout=TIMEOUT,
                                headers={"Accept": JSON, "Content-Type": "application/sparql-query; charset=utf-8"}),
    }
    for way, response in answers.items():
        assert response.status_code == 200, (way, response.text)
        assert [row["commune"]["value"] for row in response.json()["results"]["bindings"]] == expected, way


def test_a_search_in_utf8_finds_the_commune(server):
    answer = send(server, get(b"/recherche?q=Ch%C3%A2teau-Thierry"))
    assert answer.status == 200, answer.text[:300]
    assert f'href="{BASE}id/commune/{commune_code("Château-Thierry")}"' in answer.text


@pytest.mark.parametrize(("target", "status"), [
    (b"/id/commune/Ch%C3%A2teau-Thierry", 404),  # read, and nothing there: not a refusal
    (b"/dumps/%C3%A9t%C3%A9/tilod.ttl", 404),
    (b"/def/tilod?lang=%C3%A9", 200),
    (b"/?%C3%A9t%C3%A9=1", 200),
    (b"/historique?date=ao%C3%BBt", 200),
    (b"/id/commune/02691?format=%C3%A9", 406),  # read: a format no resource has
])
def test_valid_utf8_on_the_same_routes_is_not_refused(server, target, status):
    answer = send(server, get(target))
    assert answer.status == status, (target, answer.status, answer.text[:300])
    assert "pas en UTF-8" not in answer.text


def test_valid_utf8_form_field_names_are_read(server):
    response = requests.post(server.sparql, data={"query": label_query("Saint-Quentin"), "donnée": "é"},
                             headers={"Accept": JSON}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert media_type(response) == JSON


def test_raw_utf8_on_the_request_line_is_read_as_utf8(server):
    """Not percent-encoded (curl sends what it is given): the same search, not "ChÃ¢teau"."""
    answer = send(server, get("/recherche?q=Château-Thierry".encode()))
    assert answer.status == 200, answer.text[:300]
    assert 'value="Château-Thierry"' in answer.text
    assert f'href="{BASE}id/commune/{commune_code("Château-Thierry")}"' in answer.text
