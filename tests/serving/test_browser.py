"""The pages for people, in a real headless browser: Debian's Chromium driven by Playwright.

A subset release (the Aisne and the Somme) is built with the test server's own address as
base URI, so every link, script and style on the pages leads back to that server. Each
test fails on a console error, an uncaught script error or any request to another host,
and saves a full-page screenshot in test-artifacts/screenshots/. axe-core (vendored from
npm in web/) checks accessibility; the Nu Html Checker (vnu.jar, from npm) checks the HTML.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from browser import AXE, CHROMIUM_ARGS, SCREENSHOTS, VNU, Watched, chromium_path, open_tab
from server import ServerProcess, free_port, start_server, stop_server

from conftest import ROOT, subset_settings
from tilod.release.build import build_release

playwright_sync = pytest.importorskip("playwright.sync_api")

TERRITORY = "id/territoire/2023-2027/ti-3215"  # Sud Aisne
EPCI = "id/epci/200071892"
#: one page of each kind, by name (the name is the screenshot's)
PAGES = {
    "accueil": "",
    "territoire": TERRITORY,
    "territoire-phase1": "id/territoire/2018-2022/ti-3211",
    "epci": EPCI,
    "commune": "id/commune/02691",
    "departement": "id/departement/02",
    "region": "id/region/32",
    "recherche": "recherche?q=Thi%C3%A9rache",
    "sparql": "sparql",
    "historique": "historique",
    "telechargements": "dumps/",
    "ontologie": "def/tilod",
    "formes": "def/tilod/shapes",
    "introuvable": "id/epci/999999999",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose base URI is its own address, on a subset release built for it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    settings = subset_settings(tmp_path_factory.mktemp("browser-releases"), base_uri=base)
    build_release(settings, out=lambda _: None)
    running = start_server(settings.releases_dir, ROOT, base, port=port, TILOD_BASE_URI=base)
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with playwright_sync.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def tab(browser, site: ServerProcess) -> Iterator[Watched]:
    watched = open_tab(browser, site)
    yield watched
    watched.page.context.close()  # type: ignore[attr-defined]
    assert watched.problems == []


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    report = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"][:3]]} for v in report["violations"]]


@pytest.mark.parametrize("name", list(PAGES))
def test_page_opens_without_errors_and_passes_axe(tab: Watched, site: ServerProcess, name: str):
    page = tab.page
    response = page.goto(site.url + PAGES[name])  # type: ignore[attr-defined]
    assert response is not None
    assert response.status == (404 if name == "introuvable" else 200)
    assert page.locator("h1").count() == 1  # type: ignore[attr-defined]
    tab.screenshot(name)
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)
    if name == "introuvable":
        tab.problems.clear()  # the browser logs the 404 itself as a console error


def test_keyboard_reaches_skip_link_then_search(tab: Watched, site: ServerProcess):
    page = tab.page
    page.goto(site.url)  # type: ignore[attr-defined]
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    focused = page.evaluate("document.activeElement.textContent")  # type: ignore[attr-defined]
    assert focused.strip() == "Aller au contenu"
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert page.url.endswith("#contenu")  # type: ignore[attr-defined]
    search = page.get_by_role("searchbox").first  # type: ignore[attr-defined]
    search.focus()
    page.keyboard.type("Thiérache")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url("**/recherche?**")  # type: ignore[attr-defined]
    assert page.get_by_role("link", name="Thiérache du Centre", exact=False).count() >= 1  # type: ignore[attr-defined]


def test_territory_page_links_to_its_member_epci(tab: Watched, site: ServerProcess):
    page = tab.page
    page.goto(site.url + TERRITORY)  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == "Sud Aisne"  # type: ignore[attr-defined]
    assert page.locator("svg.carte").count() >= 1  # type: ignore[attr-defined]
    members = page.locator("table a[href*='/id/epci/']")  # type: ignore[attr-defined]
    assert members.count() >= 2
    name = members.first.inner_text()
    members.first.click()
    page.wait_for_url("**/id/epci/*")  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == name  # type: ignore[attr-defined]
    tab.screenshot("epci-depuis-territoire")


def test_query_page_runs_an_example_in_the_editor(tab: Watched, site: ServerProcess):
    """With script: YASGUI (vendored, served by us) replaces the form; an example runs in place."""
    page = tab.page
    page.goto(site.url + "sparql")  # type: ignore[attr-defined]
    page.locator(".yasqe .CodeMirror").wait_for()  # type: ignore[attr-defined]
    assert page.locator("#formulaire-requete").is_hidden()  # type: ignore[attr-defined]
    page.locator("section.exemple a.executer").first.click()  # type: ignore[attr-defined]
    rows = page.locator(".yasr table tbody tr")  # type: ignore[attr-defined]
    rows.first.wait_for()
    row_count = rows.count()
    assert "Hauts-de-France" in page.locator(".yasr table").inner_text()  # type: ignore[attr-defined]
    assert page.url.rstrip("/").endswith("/sparql")  # type: ignore[attr-defined]  # stayed on the page
    tab.screenshot("sparql-editeur-tableau")
    page.get_by_text("Graphique").first.click()  # type: ignore[attr-defined]
    bars = page.locator(".yasr svg.graphique rect")  # type: ignore[attr-defined]
    bars.first.wait_for()
    assert bars.count() == row_count
    tab.screenshot("sparql-editeur-graphique")


def test_query_page_without_javascript(browser, site: ServerProcess):
    """Without script: the form, a results page with a table, a chart and download links."""
    watched = open_tab(browser, site, javascript=False)
    page = watched.page
    try:
        page.goto(site.url + "sparql")  # type: ignore[attr-defined]
        assert page.locator("#formulaire-requete textarea").is_visible()  # type: ignore[attr-defined]
        page.get_by_role("button", name="Exécuter").click()  # type: ignore[attr-defined]
        page.wait_for_url("**/sparql?query=*")  # type: ignore[attr-defined]
        table = page.locator("table.resultats")  # type: ignore[attr-defined]
        assert "Hauts-de-France" in table.inner_text()
        assert page.locator("svg.graphique rect").count() >= 1  # type: ignore[attr-defined]
        watched.screenshot("sparql-sans-script")
        csv_link = page.get_by_role("link", name="CSV").get_attribute("href")  # type: ignore[attr-defined]
        download = requests.get(urljoin(page.url, csv_link), timeout=30)  # type: ignore[attr-defined]
        assert download.headers["Content-Type"].startswith("text/csv")
        assert "Hauts-de-France" in download.text
    finally:
        page.context.close()  # type: ignore[attr-defined]
    assert watched.problems == []


def test_results_page_escapes_data(tab: Watched, site: ServerProcess):
    """A query can make up any literal or IRI: it is shown as text, never run or linked."""
    page = tab.page
    query = ('SELECT ?x ?link WHERE { BIND("<img src=x onerror=window.pwned=1><script>window.pwned=2</script>" AS ?x) '
             'BIND(IRI("javascript:window.pwned=3") AS ?link) }')
    page.goto(site.url + "sparql?" + requests.compat.urlencode({"query": query}))  # type: ignore[attr-defined]
    assert "<script>window.pwned=2</script>" in page.locator("table.resultats").inner_text()  # type: ignore[attr-defined]
    assert page.evaluate("window.pwned === undefined")  # type: ignore[attr-defined]
    assert page.locator("table.resultats a[href^='javascript']").count() == 0  # type: ignore[attr-defined]


def test_english_switch(tab: Watched, site: ServerProcess):
    page = tab.page
    page.goto(site.url + TERRITORY)  # type: ignore[attr-defined]
    page.get_by_role("link", name="English").click()  # type: ignore[attr-defined]
    page.wait_for_url("**lang=en")  # type: ignore[attr-defined]
    assert page.locator("html").get_attribute("lang") == "en"  # type: ignore[attr-defined]
    assert page.get_by_role("heading", name="Members", exact=False).count() >= 1  # type: ignore[attr-defined]
    tab.screenshot("territoire-en")


def test_pages_are_valid_html(site: ServerProcess, tmp_path: Path):
    """Every kind of page, in both languages, through the Nu Html Checker (vnu.jar)."""
    if not VNU.is_file() or not shutil.which("java"):
        pytest.fail("the Nu Html Checker needs web/node_modules (make assets) and a Java runtime")
    files = []
    for name, path in PAGES.items():
        for lang in ("fr", "en"):
            url = site.url + path + (("&" if "?" in path else "?") + "lang=en" if lang == "en" else "")
            response = requests.get(url, headers={"Accept": "text/html"}, timeout=30)
            assert response.headers["Content-Type"].startswith("text/html"), url
            file = tmp_path / f"{name}-{lang}.html"
            file.write_bytes(response.content)
            files.append(file)
    sample = site.url + "sparql?" + requests.compat.urlencode(
        {"query": (ROOT / "src/tilod/serving/queries/01-territoires-par-region.rq").read_text(encoding="utf-8")})
    results_page = tmp_path / "sparql-resultats.html"
    results_page.write_bytes(requests.get(sample, headers={"Accept": "text/html"}, timeout=30).content)
    files.append(results_page)
    checked = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always",
                              *map(str, files)], capture_output=True, text=True, timeout=300,
                             env={**os.environ, "LC_ALL": "C.UTF-8"})
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    problems = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
                for m in messages if m["type"] == "error" or m.get("subType") == "warning"]
    assert problems == []


def test_territory_page_prints_without_the_site_chrome(tab: Watched, site: ServerProcess):
    """Officials print pages: the print style drops the navigation and forms, keeps the map."""
    page = tab.page
    page.goto(site.url + TERRITORY)  # type: ignore[attr-defined]
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    assert page.locator("header").is_hidden()  # type: ignore[attr-defined]
    assert page.locator("svg.carte").first.is_visible()  # type: ignore[attr-defined]
    assert page.locator("h1").is_visible()  # type: ignore[attr-defined]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SCREENSHOTS / "territoire.pdf"
    page.pdf(path=str(pdf), format="A4")  # type: ignore[attr-defined]
    assert pdf.read_bytes().startswith(b"%PDF")
