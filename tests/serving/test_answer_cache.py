"""The per-release answer cache: a repeated query is answered without the store, only complete
answers are kept, a new release starts afresh, the bound evicts, ETags and 304 per format."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from helpers import BASE, copy_releases, media_type
from server import ServerProcess, start_server, stop_server

from tilod.release.build import build_release
from tilod.stores.answer_cache import AnswerCache, answer_key
from tilod.stores.base import QueryRequest
from tilod.stores.query_worker import run_query

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60  # a loaded machine: a new release's query workers may take long to start
QUERY_TIMEOUT = 2
JSON = "application/sparql-results+json"
COMMUNE = BASE + "id/commune/02691"  # Saint-Quentin (INSEE code 02691, Aisne)


def label_query(variable: str) -> str:
    """The label of Saint-Quentin, under a variable name of the test's own: a text no other test sends."""
    return f"SELECT ?{variable} WHERE {{ <{COMMUNE}> <http://www.w3.org/2000/01/rdf-schema#label> ?{variable} }}"


def get(server: ServerProcess, query: str, accept: str = JSON, **headers: str) -> requests.Response:
    return requests.get(server.sparql, params={"query": query}, headers={"Accept": accept, **headers},
                        timeout=TIMEOUT)


def labels(response: requests.Response, variable: str) -> list[str]:
    assert response.status_code == 200, response.text[:300]
    return [row[variable]["value"] for row in response.json()["results"]["bindings"]]


def query_workers(server: ServerProcess) -> list[int]:
    """The server's query worker processes (its children), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == server.process.pid:
                children.append(int(entry.name))
    assert children, "no query worker found"
    return children


class Frozen:
    """Every query worker of `server` stopped (SIGSTOP): the store answers nothing until thawed."""

    def __init__(self, server: ServerProcess) -> None:
        get(server, "ASK { ?s ?p ?o }")  # query workers start with the first query
        self.pids = query_workers(server)

    def __enter__(self) -> Frozen:
        for pid in self.pids:
            os.kill(pid, signal.SIGSTOP)
        return self

    def __exit__(self, *_) -> None:
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):  # killed at the time limit, and replaced
                os.kill(pid, signal.SIGCONT)


@pytest.fixture
def releases(settings, release, tmp_path) -> Path:
    """A copy of the session's releases: an answer cache of its own, and room for another build."""
    copy_releases(settings.releases_dir, tmp_path / "releases")
    return tmp_path / "releases"


@pytest.fixture
def own_server(releases) -> Iterator[ServerProcess]:
    running = start_server(releases, ROOT, BASE, TILOD_QUERY_TIMEOUT=str(QUERY_TIMEOUT))
    try:
        yield running
    finally:
        stop_server(running)


def test_a_repeated_query_is_answered_while_the_store_is_stopped(own_server):
    first = get(own_server, label_query("repeated"))
    assert labels(first, "repeated") == ["Saint-Quentin"]
    with Frozen(own_server):
        started = time.monotonic()
        again = get(own_server, label_query("repeated"))
        elapsed = time.monotonic() - started
        other = get(own_server, label_query("never_asked"))
    assert again.status_code == 200 and again.content == first.content
    assert elapsed < QUERY_TIMEOUT, elapsed  # not an answer that waited for a worker
    # the store really was stopped: a query it had not answered yet ran into the time limit
    assert other.status_code == 422 and "time limit" in other.text, (other.status_code, other.text[:200])


def test_an_answer_cut_by_the_time_limit_is_not_kept(own_server):
    with Frozen(own_server):
        stopped = get(own_server, label_query("late"))
    assert stopped.status_code == 422, stopped.text[:200]
    assert labels(get(own_server, label_query("late")), "late") == ["Saint-Quentin"]


def test_a_new_release_does_not_serve_the_old_answers(own_server, releases, settings):
    version = "<http://www.w3.org/2002/07/owl#versionInfo>|<http://www.w3.org/ns/dcat#version>"
    # the release's description (VoID, DCAT): in the default graph or a named graph of its own
    query = f"SELECT ?version WHERE {{ {{ ?d {version} ?version }} UNION {{ GRAPH ?g {{ ?d {version} ?version }} }} }}"
    old_version = (releases / "current").resolve().name
    old = get(own_server, query)
    assert old_version in labels(old, "version")  # the data's, beside the ontology's own version
    new_folder = build_release(replace(settings, releases_dir=releases, rebuild=True), out=lambda _: None)
    assert (releases / "current").resolve() == new_folder.resolve() and new_folder.name != old_version
    new = get(own_server, query)
    assert new_folder.name in labels(new, "version") and old_version not in labels(new, "version")
    assert new.headers["ETag"] != old.headers["ETag"]


def test_304_on_if_none_match_and_one_answer_per_format(server):
    query = label_query("negotiated")
    first = get(server, query)
    assert labels(first, "negotiated") == ["Saint-Quentin"]
    etag = first.headers["ETag"]
    unchanged = get(server, query, **{"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["ETag"] == etag
    as_csv = get(server, query, "text/csv", **{"If-None-Match": etag})  # another format: not that validator
    assert as_csv.status_code == 200 and media_type(as_csv) == "text/csv"
    assert as_csv.text.splitlines() == ["negotiated", "Saint-Quentin"]
    assert as_csv.headers["ETag"] != etag
    assert labels(get(server, query), "negotiated") == ["Saint-Quentin"]  # JSON still JSON after the CSV


def test_answers_that_change_from_run_to_run_are_not_kept(server):
    query = "SELECT (RAND() AS ?r) (STRUUID() AS ?id) WHERE {}"
    answers = [get(server, query) for _ in range(2)]
    assert all(a.status_code == 200 and "ETag" not in a.headers for a in answers)
    assert labels(answers[0], "id") != labels(answers[1], "id")


def test_the_bound_evicts_the_least_recently_used(store, tmp_path):
    """Real answers of the release's store, in a cache that holds two of them."""
    queries = [label_query(name) for name in ("a", "b", "c")]
    requests_ = [QueryRequest(q, JSON) for q in queries]
    keys = [answer_key("v", "embedded", r) for r in requests_]
    replies = [run_query(store, r, 1_000_000) for r in requests_]
    assert all(r.status == 200 for r in replies)
    sizes = [len(r.body) + len(k or "") + len(r.media_type) for r, k in zip(replies, keys, strict=True)]
    cache = AnswerCache(tmp_path / "cache" / "answers.sqlite", max_bytes=sizes[0] + sizes[1] + 10, touch_after=0)
    a, b, c = (str(k) for k in keys)
    cache.put(a, replies[0])
    time.sleep(0.01)
    cache.put(b, replies[1])
    time.sleep(0.01)
    assert cache.get(a) == replies[0]  # `a` used last now
    time.sleep(0.01)
    cache.put(c, replies[2])
    assert cache.get(b) is None
    assert cache.get(a) == replies[0] and cache.get(c) == replies[2]
    assert cache.size() <= cache.max_bytes
    # a second connection to the file, as another web worker opens it, sees the same answers
    assert AnswerCache(cache.path, cache.max_bytes).get(c) == replies[2]


def test_an_answer_the_remote_store_cut_is_neither_served_nor_kept(settings, release, tmp_path):
    """Oxigraph's server stops a query at its own limit with a 200 whose body is cut: tilod must
    not forward that as an answer, nor keep it."""
    from server import start_oxigraph, stop_oxigraph

    from tilod.release.publish import publish

    store = start_oxigraph(tmp_path / "oxigraph", timeout_s=1)
    try:
        publish(replace(settings, store_url=store.query_url, store_update_url=store.url + "update",
                        store_gsp_url=store.url + "store"), out=lambda _: None)
        running = start_server(settings.releases_dir, ROOT, BASE, TILOD_STORE_URL=store.query_url,
                               TILOD_QUERY_TIMEOUT="30")
        try:
            runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
            for _ in range(2):  # the second time too: nothing was kept
                answer = get(running, runaway)
                assert answer.status_code == 422 and "time limit" in answer.text, (answer.status_code,
                                                                                   answer.text[-200:])
        finally:
            stop_server(running)
    finally:
        store.process.kill()  # it may still be computing what it cut: no grace
        stop_oxigraph(store)
