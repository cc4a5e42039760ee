"""Every `{base}id/...` URI through its history (RFC 7089): ANCT's two builds of the 2023 list,
of 14 November 2023 and of 16 September 2024, as two releases of the Nièvre's territories. The
later list adds the commune of Cercy-la-Tour (INSEE 58046, SIREN 215800467) to ti-2707, Nevers
Val de Loire: the TimeGate sends each date to the release in force then, the TimeMap lists both,
and each memento says what its release said. Read with raw requests and with `memento-client`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pytest
import requests
from memento_client import MementoClient
from proxy import start_nginx, stop_nginx
from rdflib import Graph, URIRef
from server import ServerProcess, free_port, start_server, stop_server

from conftest import ROOT, subset_settings
from tilod.release import layout
from tilod.release.build import build_release

LIST_2024 = ROOT / "data/territoires/ti_2023_groupements_20240916.csv"
TERRITORY = "id/territoire/2023-2027/ti-2707"
ADDED = "id/adhesion/2023-2027/ti-2707/215800467"  # Cercy-la-Tour in Nevers Val de Loire, from 2024
HAS_MEMBER = URIRef("http://www.w3.org/ns/org#hasMember")


@dataclass(frozen=True)
class Kept:
    version: str
    published: datetime


@dataclass(frozen=True)
class History:
    server: ServerProcess
    first: Kept  # the list of 14 November 2023
    second: Kept  # that of 16 September 2024


def kept(folder: Path) -> Kept:
    created = layout.read_manifest(folder)["created"]
    return Kept(folder.name, datetime.fromisoformat(created.replace("Z", "+00:00")))


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> History:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    settings = replace(subset_settings(tmp_path_factory.mktemp("memento"), base_uri=base), departements=("58",))
    first = kept(build_release(settings, out=lambda _: None))
    second = kept(build_release(replace(settings, territories_2023=LIST_2024), out=lambda _: None))
    assert second.published > first.published
    server = start_server(settings.releases_dir, ROOT, base, port=port, TILOD_BASE_URI=base)
    yield History(server, first, second)
    stop_server(server)


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def links(response: requests.Response) -> dict[str, list[dict]]:
    """The response's Link header (or a TimeMap's body) by relation, read by requests' parser."""
    text = response.headers.get("Link", "") if response.headers.get("Content-Type") != "application/link-format" \
        else response.text.replace("\n", " ")
    found: dict[str, list[dict]] = {}
    for link in requests.utils.parse_header_links(text):
        for rel in link.get("rel", "").split():
            found.setdefault(rel, []).append(link)
    return found


def turtle(response: requests.Response, base: str) -> Graph:
    assert response.status_code == 200, response.text[:300]
    return Graph().parse(data=response.text, format="turtle", publicID=base)


def test_the_original_points_at_its_timegate_and_timemap(history):
    url = history.server.url
    answer = requests.get(url + TERRITORY, headers={"Accept": "text/turtle"}, timeout=10)
    assert answer.status_code == 200
    rels = links(answer)
    assert rels["timegate"][0]["url"] == f"{url}timegate/{TERRITORY}"
    assert rels["timemap"][0]["url"] == f"{url}timemap/{TERRITORY}"
    assert answer.headers["Vary"] == "Accept"  # the URI-R does not negotiate in time: its TimeGate does


def test_the_timemap_lists_the_releases_that_describe_the_uri(history):
    url = history.server.url
    answer = requests.get(f"{url}timemap/{TERRITORY}", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/link-format"
    rels = links(answer)
    assert rels["original"][0]["url"] == url + TERRITORY
    assert rels["timegate"][0]["url"] == f"{url}timegate/{TERRITORY}"
    assert rels["self"][0]["from"] == http_date(history.first.published)
    assert rels["self"][0]["until"] == http_date(history.second.published)
    assert [(m["url"], m["datetime"]) for m in rels["memento"]] == [
        (f"{url}memento/{k.version}/{TERRITORY}", http_date(k.published)) for k in (history.first, history.second)]
    assert rels["first"][0]["url"].startswith(f"{url}memento/{history.first.version}/")
    assert rels["last"][0]["url"].startswith(f"{url}memento/{history.second.version}/")

    # the membership of 2024 is in the later release only
    added = links(requests.get(f"{url}timemap/{ADDED}", timeout=10))
    assert [m["url"] for m in added["memento"]] == [f"{url}memento/{history.second.version}/{ADDED}"]


@pytest.mark.parametrize(("when", "expected"), [
    (lambda h: h.first.published - timedelta(days=400), "first"),  # before any: the first one
    (lambda h: h.second.published - timedelta(seconds=1), "first"),
    (lambda h: h.second.published, "second"),
    (lambda h: h.second.published + timedelta(days=400), "second"),
])
def test_the_timegate_sends_each_date_to_the_release_in_force_then(history, when, expected):
    url = history.server.url
    answer = requests.get(f"{url}timegate/{TERRITORY}", headers={"Accept-Datetime": http_date(when(history))},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    chosen: Kept = getattr(history, expected)
    assert answer.headers["Location"] == f"{url}memento/{chosen.version}/{TERRITORY}"
    assert "accept-datetime" in answer.headers["Vary"].lower()
    rels = links(answer)
    assert rels["original"][0]["url"] == url + TERRITORY
    assert rels["timemap"][0]["url"] == f"{url}timemap/{TERRITORY}"
    assert "Memento-Datetime" not in answer.headers


def test_each_memento_says_what_its_release_said(history):
    url, base = history.server.url, history.server.base
    member = URIRef(base + "id/commune/58046")
    for k, has_cercy in ((history.first, False), (history.second, True)):
        answer = requests.get(f"{url}memento/{k.version}/{TERRITORY}", headers={"Accept": "text/turtle"}, timeout=10)
        graph = turtle(answer, base)
        assert ((URIRef(base + TERRITORY), HAS_MEMBER, member) in graph) is has_cercy, k.version
        assert parsedate_to_datetime(answer.headers["Memento-Datetime"]) == k.published
        assert answer.headers["Content-Location"] == f"{url}memento/{k.version}/{TERRITORY}.ttl"
        rels = links(answer)
        assert rels["original"][0]["url"] == url + TERRITORY
        assert rels["timegate"][0]["url"] == f"{url}timegate/{TERRITORY}"
    page = requests.get(f"{url}memento/{history.first.version}/{TERRITORY}.html", timeout=10)
    assert page.status_code == 200 and "Nevers Val de Loire" in page.text
    assert parsedate_to_datetime(page.headers["Memento-Datetime"]) == history.first.published
    assert f"cette page montre ce que disait la release {history.first.version}" in page.text
    assert f'href="{url}memento/{history.first.version}/{TERRITORY}.ttl"' in page.text
    # the same release's current page does not say it is a memento (its own cache entry)
    current = requests.get(f"{url}{TERRITORY}.html", timeout=10)
    assert current.status_code == 200 and "ce que disait la release" not in current.text
    assert f'href="{url}{TERRITORY}.ttl"' in current.text
    again = requests.get(f"{url}memento/{history.second.version}/{TERRITORY}.html", timeout=10)
    assert f"ce que disait la release {history.second.version}" in again.text
    assert again.headers["ETag"] != current.headers["ETag"]


def test_memento_client_finds_the_memento_of_a_date(history):
    url = history.server.url
    # no fallback aggregator: the client must find the native TimeGate from the URI-R's Link header
    client = MementoClient(timegate_uri=url + "no-aggregator/", check_native_timegate=True)
    between = history.second.published - timedelta(seconds=1)
    info = client.get_memento_info(url + TERRITORY, between.replace(tzinfo=None))
    assert info["timegate_uri"] == f"{url}timegate/{TERRITORY}"
    assert info["mementos"]["closest"]["uri"] == [f"{url}memento/{history.first.version}/{TERRITORY}"]
    assert info["mementos"]["closest"]["datetime"] == history.first.published.replace(tzinfo=None)
    assert info["mementos"]["last"]["uri"] == [f"{url}memento/{history.second.version}/{TERRITORY}"]


def test_behind_nginx_each_date_still_gets_its_own_memento(history):
    """nginx (deploy/nginx.conf) passes Accept-Datetime through and never answers one date with
    the TimeGate's answer to another; the mementos themselves come from its cache."""
    nginx = start_nginx(history.server.url)
    try:
        url = history.server.url
        for _ in range(2):  # the second round would be where a wrongly kept answer shows
            for k, moment in ((history.first, history.second.published - timedelta(seconds=1)),
                              (history.second, history.second.published)):
                answer = requests.get(f"{nginx.url}timegate/{TERRITORY}", headers={"Accept-Datetime": http_date(moment)},
                                      allow_redirects=False, timeout=10)
                assert answer.status_code == 302
                assert answer.headers["Location"] == f"{url}memento/{k.version}/{TERRITORY}"
        memento = f"{nginx.url}memento/{history.first.version}/{TERRITORY}"
        first = requests.get(memento, headers={"Accept": "text/turtle"}, timeout=10)
        again = requests.get(memento, headers={"Accept": "text/turtle"}, timeout=10)
        assert again.headers["X-Cache-Status"] == "HIT"
        assert again.headers["Memento-Datetime"] == first.headers["Memento-Datetime"] == http_date(history.first.published)
        assert again.content == first.content
    finally:
        stop_nginx(nginx)


@pytest.mark.parametrize(("path", "headers", "status", "says"), [
    (f"timegate/{TERRITORY}", {"Accept-Datetime": "yesterday"}, 400, "Accept-Datetime must be an HTTP date"),
    (f"timegate/{TERRITORY}", {"Accept-Datetime": "2024-01-01T00:00:00Z"}, 400, "in GMT"),
    ("timegate/id/territoire/2023-2027/ti-9999", {}, 404, "no release kept describes"),
    ("timemap/id/territoire/2023-2027/ti-9999", {}, 404, "no release kept describes"),
    (f"memento/20000101T000000Z/{TERRITORY}", {}, 404, "listed at"),
    (f"memento/current/{TERRITORY}", {}, 404, "no release 'current' is kept"),  # the link is no version
])
def test_bad_dates_and_unknown_uris_get_a_clear_answer(history, path, headers, status, says):
    answer = requests.get(history.server.url + path, headers=headers, allow_redirects=False, timeout=10)
    assert answer.status_code == status, answer.text[:300]
    assert says in answer.text
