"""Answers replayed from memory (serving/replay.py) are the ones Flask drew, per request and per
release; every answer is logged; a web worker starts no query process before its first query."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path

import pytest
import requests
from helpers import BASE, BROWSER, copy_releases
from server import start_server, stop_server

from conftest import ROOT

EPCI = "id/epci/200071892"
TERRITORY = "id/territoire/2023-2027/ti-3208"
TIMEOUT = 10
#: what the README says each access log line holds
LOG_FIELDS = {"time", "method", "path", "query", "status", "bytes", "ms", "accept", "agent", "remote"}


def get(url: str, accept: str, method: str = "GET", **headers: str) -> requests.Response:
    return requests.request(method, url, headers={"Accept": accept, **headers}, timeout=TIMEOUT)


def kept_headers(response: requests.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name.lower() != "date"}


@pytest.mark.parametrize(("path", "accept"), [
    (TERRITORY, "text/turtle;q=0.9, application/xml;q=0.1"),  # an Accept no other test sends
    (EPCI, BROWSER + ", image/webp"),
    (".well-known/void", "application/ld+json;q=0.8"),
    ("", BROWSER + ", image/avif"),
])
def test_a_replayed_answer_is_the_one_flask_drew(server, path, accept):
    first = get(server.url + path, accept)  # drawn by Flask, then kept
    again = [get(server.url + path, accept) for _ in range(3)]
    assert first.status_code == 200
    for response in again:
        assert response.status_code == 200
        assert response.content == first.content
        assert kept_headers(response) == kept_headers(first)


def test_replayed_answers_follow_accept(server):
    url = server.url + EPCI
    for _ in range(2):
        for accept, media, suffix in [("text/turtle", "text/turtle", "ttl"),
                                      ("application/ld+json", "application/ld+json", "jsonld"),
                                      ("application/n-triples", "application/n-triples", "nt"),
                                      (BROWSER, "text/html", "html")]:
            response = get(url, accept)
            assert response.headers["Content-Type"].split(";")[0] == media, accept
            assert response.headers["Content-Location"] == f"{BASE}{EPCI}.{suffix}"


def test_head_and_get_are_kept_apart(server):
    url = server.url + TERRITORY + ".ttl"
    for _ in range(2):
        head = get(url, "*/*", "HEAD")
        full = get(url, "*/*")
        assert head.status_code == full.status_code == 200
        assert head.content == b""
        assert full.content.startswith(b"@prefix")
        assert head.headers["Content-Length"] == full.headers["Content-Length"] == str(len(full.content))


def test_conditional_gets_are_replayed_by_their_validator(server):
    url = server.url + EPCI
    etag = get(url, "text/turtle").headers["ETag"]
    for _ in range(2):
        fresh = get(url, "text/turtle", **{"If-None-Match": etag})
        assert fresh.status_code == 304
        assert fresh.content == b""
        assert fresh.headers["ETag"] == etag
        stale = get(url, "text/turtle", **{"If-None-Match": '"an-older-release-id-ttl"'})
        assert stale.status_code == 200
        assert stale.content.startswith(b"@prefix")


# -- a server of our own: its log, its processes, its releases folder ------------------------------

@pytest.fixture(scope="module")
def own_server(settings, release, tmp_path_factory):
    releases = tmp_path_factory.mktemp("replay") / "releases"
    copy_releases(settings.releases_dir, releases)
    running = start_server(releases, ROOT, BASE)
    running.releases = releases
    try:
        yield running
    finally:
        stop_server(running)


def query_processes(pid: int) -> list[int]:
    """The query worker processes a web process started (multiprocessing's spawned children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def test_no_query_process_before_the_first_query(own_server):
    for path in ("", TERRITORY, EPCI, "recherche?q=saint", "sparql"):
        assert get(own_server.url + path, BROWSER).status_code == 200
    assert query_processes(own_server.process.pid) == []
    answer = requests.post(own_server.url + "sparql", data={"query": "ASK { ?s ?p ?o }"},
                           headers={"Accept": "application/sparql-results+json"}, timeout=TIMEOUT)
    assert answer.status_code == 200
    assert answer.json()["boolean"] is True
    assert len(query_processes(own_server.process.pid)) >= 1


def test_every_answer_is_logged_replayed_or_not(own_server):
    agent = "tilod-test-access-log/1"
    url = own_server.url + TERRITORY
    bodies = [requests.get(url, headers={"Accept": "text/turtle", "User-Agent": agent}, timeout=TIMEOUT)
              for _ in range(4)]
    etag = bodies[0].headers["ETag"]
    requests.get(url + "?format=ttl", headers={"If-None-Match": etag, "User-Agent": agent}, timeout=TIMEOUT)
    requests.get(url + "?format=ttl", headers={"If-None-Match": etag, "User-Agent": agent}, timeout=TIMEOUT)
    time.sleep(0.2)  # the log is written before the answer is sent: let the last line land
    lines = [json.loads(line) for line in own_server.output().splitlines() if agent in line]
    assert len(lines) == 6
    assert all(set(line) == LOG_FIELDS for line in lines)
    assert [line["status"] for line in lines] == [200, 200, 200, 200, 304, 304]
    assert all(line["path"] == "/" + TERRITORY and line["method"] == "GET" for line in lines)
    assert [line["bytes"] for line in lines[:4]] == [len(bodies[0].content)] * 4
    assert [line["query"] for line in lines] == [0, 0, 0, 0, len("format=ttl"), len("format=ttl")]
    assert all(line["remote"] == "127.0.0.1" and line["accept"] == "text/turtle" for line in lines[:4])


def test_a_new_release_is_served_and_its_answers_are_its_own(own_server):
    """Switch `current` to another release (a copy of the same data under the next version): the
    server follows within a moment, and what it kept for the old release is not replayed."""
    url = own_server.url + EPCI
    before = get(url, "text/turtle")
    old_version = before.headers["ETag"].strip('"').split("-id-")[0]
    releases: Path = own_server.releases
    new_version = old_version + "-2"
    copy = releases / new_version
    shutil.copytree(releases / old_version, copy)
    manifest = json.loads((copy / "release.json").read_text(encoding="utf-8"))
    manifest["version"] = new_version
    (copy / "release.json").write_text(json.dumps(manifest), encoding="utf-8")
    link = releases / ".current-test"
    link.symlink_to(new_version)
    os.replace(link, releases / "current")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        after = get(url, "text/turtle")
        if after.headers["ETag"] != before.headers["ETag"]:
            break
        time.sleep(0.1)
    assert after.headers["ETag"] == f'"{new_version}-id-ttl"'
    assert after.content == before.content  # the same data
    assert get(url, "text/turtle", **{"If-None-Match": before.headers["ETag"]}).status_code == 200


def test_health_answers_while_the_remote_store_hangs(settings, release):
    """The replay in front of Flask never waits on the store: with a store that takes connections
    and never answers, /health still answers at once and the data 503 (the store's time limit)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # connections are taken (the kernel's backlog), never answered
        store = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        running = start_server(settings.releases_dir, ROOT, BASE, TILOD_STORE_URL=store, TILOD_QUERY_TIMEOUT="1")
        try:
            for _ in range(3):
                assert requests.get(running.url + "health", timeout=TIMEOUT).status_code == 200
            data = get(running.url + EPCI, "text/turtle")
            assert data.status_code == 503
            assert data.headers["Retry-After"]
        finally:
            stop_server(running)
