"""deploy/nginx.conf in front of a real `tilod serve`: a real nginx (Debian's) on loopback, with its
own prefix, cache and logs in a temporary folder, started and stopped by PID.

What it must keep: a second request for a representation comes from nginx's cache with the same
ETag and body; the cache keeps one variant per Accept (tilod's `Vary`); If-None-Match gets 304;
what compresses is gzipped; tilod's CORS headers and answers to bad input pass through.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest
import requests
from proxy import Nginx, start_nginx, stop_nginx

TERRITORY = "id/territoire/2023-2027/ti-3208"


@pytest.fixture(scope="module")
def nginx(server) -> Iterator[Nginx]:
    running = start_nginx(server.url)
    try:
        yield running
    finally:
        stop_nginx(running)


def get(url: str, **headers: str) -> requests.Response:
    return requests.get(url, headers=headers, timeout=10)


def test_a_second_request_is_served_from_the_cache_unchanged(nginx, server):
    first = get(nginx.url + TERRITORY, Accept="text/turtle", **{"Accept-Encoding": "identity"})
    second = get(nginx.url + TERRITORY, Accept="text/turtle", **{"Accept-Encoding": "identity"})
    direct = get(server.url + TERRITORY, Accept="text/turtle")
    assert first.status_code == second.status_code == 200
    assert second.headers["X-Cache-Status"] == "HIT"
    assert second.headers["ETag"] == first.headers["ETag"] == direct.headers["ETag"]
    assert second.content == direct.content
    assert second.headers["Content-Type"].startswith("text/turtle")
    # links in the answer keep the data's base URI, not the proxy's address
    assert server.base.encode() in second.content and nginx.url.encode() not in second.content


@pytest.mark.parametrize("order", [("text/turtle", "application/ld+json"), ("application/ld+json", "text/turtle")])
def test_each_accept_gets_its_own_representation_from_the_cache(nginx, order):
    """tilod says `Vary: Accept`: nginx keeps one variant per Accept, never serves one for the other."""
    path = TERRITORY + "?v=" + order[0].split("/")[1]  # a fresh cache entry for each order
    for _ in range(2):
        for accept in order:
            answer = get(nginx.url + path, Accept=accept)
            assert answer.status_code == 200
            assert answer.headers["Content-Type"].split(";")[0] == accept, (accept, answer.headers)
    assert get(nginx.url + path, Accept=order[1]).headers["X-Cache-Status"] == "HIT"


def test_if_none_match_gets_304(nginx):
    etag = get(nginx.url + TERRITORY, Accept="text/turtle").headers["ETag"]
    answer = get(nginx.url + TERRITORY, Accept="text/turtle", **{"If-None-Match": etag})
    assert answer.status_code == 304
    assert answer.content == b""


def test_a_stale_answer_is_revalidated_upstream(nginx, server):
    """After max-age, nginx asks tilod with If-None-Match and keeps its copy on a 304."""
    path = TERRITORY + "?revalidate=1"
    get(nginx.url + path, Accept="text/turtle")
    cached = list((nginx.prefix / "cache").rglob("*"))
    assert any(p.is_file() for p in cached)
    # age the entry by rewriting its expiry: nginx's cache file header starts with valid_sec (8 bytes)
    for file in (p for p in cached if p.is_file()):
        data = bytearray(file.read_bytes())
        data[8:16] = (1).to_bytes(8, "little")  # valid_sec: 1970
        file.write_bytes(bytes(data))
    answer = get(nginx.url + path, Accept="text/turtle")
    assert answer.status_code == 200
    assert answer.headers["X-Cache-Status"] == "REVALIDATED"  # tilod answered 304, nginx kept its copy


def test_rdf_and_html_are_gzipped_and_a_gz_dump_is_not_gzipped_again(nginx, server):
    turtle = requests.get(nginx.url + TERRITORY, headers={"Accept": "text/turtle", "Accept-Encoding": "gzip"},
                          timeout=10, stream=True)
    assert turtle.headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(turtle.raw.read()) == get(nginx.url + TERRITORY, Accept="text/turtle").content
    html = get(nginx.url + TERRITORY, Accept="text/html", **{"Accept-Encoding": "gzip"})
    assert html.headers.get("Content-Encoding") == "gzip"
    listing = get(nginx.url + "dumps/", Accept="text/html").text
    gz = next(part.split('"')[0] for part in listing.split('href="')[1:] if part.split('"')[0].endswith(".gz"))
    url = requests.compat.urljoin(nginx.url + "dumps/", gz.replace(server.base, nginx.url))  # type: ignore[attr-defined]
    dump = requests.get(url, headers={"Accept-Encoding": "gzip"}, timeout=30, stream=True)
    assert dump.status_code == 200
    assert "Content-Encoding" not in dump.headers
    assert dump.raw.read(2) == b"\x1f\x8b"  # the file itself, gzip once


def test_cors_and_bad_queries_pass_through(nginx):
    answer = get(nginx.url + TERRITORY, Accept="text/turtle", Origin="https://example.org")
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    bad = get(nginx.url + "sparql?query=SELEC%20*", Accept="application/sparql-results+json")
    assert bad.status_code == 400
    good = get(nginx.url + "sparql?query=ASK%7B%7D", Accept="application/sparql-results+json")
    assert good.status_code == 200 and good.json()["boolean"] is True
