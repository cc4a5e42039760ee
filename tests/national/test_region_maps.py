"""The press release's map ("18 territoires d'industrie, à date du 9 novembre 2023", the Hauts-de-France)
on every région page of the national release, served by a real `tilod serve`. The expected
territories, EPCIs, préfectures and crossings are read from the source files (ANCT's list,
decoupage-administratif), never from tilod."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
from browser import CHROMIUM_ARGS, VNU, chromium_path, open_tab
from helpers import BASE
from server import ServerProcess, TextOf

from conftest import ROOT

pytestmark = pytest.mark.national

SVG = "{http://www.w3.org/2000/svg}"
DATA = ROOT / "data"


def source(name: str) -> list[dict]:
    return json.loads((DATA / "decoupage-administratif/6.0.0" / f"{name}.json").read_text(encoding="utf-8"))


def territories_2023() -> dict[str, tuple[str, set[str]]]:
    """ANCT id -> (name, member SIRENs), from the 2023-11-14 list."""
    found: dict[str, tuple[str, set[str]]] = {}
    with (DATA / "territoires/ti_2023_groupements_20231114.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found.setdefault(row["id_ti"], (row["lib_ti"], set()))[1].add(row["siren_groupement"])
    return found


def map_of(server: ServerProcess, path: str) -> tuple[str, ET.Element]:
    text = requests.get(server.url + path, headers={"Accept": "text/html"}, timeout=60).text
    part = text.split('<section aria-labelledby="titre-carte">')[1].split("</section>")[0]
    return part, ET.fromstring(re.search(r"<svg .*?</svg>", part, re.DOTALL).group(0))


def layer(svg: ET.Element, key: str) -> ET.Element:
    [group] = [g for g in svg.iter(SVG + "g") if g.attrib.get("class") == f"couche-{key}"]
    return group


def test_the_hauts_de_france_map_holds_what_the_press_release_map_does(national_server):
    listed = territories_2023()
    # the press release: 18 laureates in the région, the 17 of its own list (ti-32xx) and ti-2809,
    # Vallée de la Bresle - Vimeu, across the Somme and Seine-Maritime
    expected = {tid for tid in listed if tid.startswith("ti-32")} | {"ti-2809"}
    assert len(expected) == 18
    part, svg = map_of(national_server, "id/region/32")
    words = TextOf.of(part).text
    assert "18 territoires d'industrie, à date du 9 novembre 2023" in words

    territories = layer(svg, "territoires")
    links = {a.attrib["href"].rsplit("/", 1)[1]: a.find(SVG + "title").text for a in territories.iter(SVG + "a")}
    assert set(links) == expected
    numbers = sorted(int(t.text) for t in svg.iter(SVG + "text") if t.text and t.text.isdigit())
    assert numbers == list(range(1, 19))
    assert {re.sub(r"^\d+\. ", "", title) for title in links.values()} == {listed[t][0].strip() for t in expected}

    # every member EPCI's perimeter, by its current name (all are drawn: none is restored since 2018)
    names = {g["code"]: g["nom"] for g in source("epci")}
    members = {siren for t in expected for siren in listed[t][1]}
    drawn = [p.find(SVG + "title").text for p in layer(svg, "epci").iter(SVG + "path")]
    assert sorted(drawn) == sorted(names[s] for s in members)

    # the préfectures of the région's départements (their chef-lieu), as points with their names
    communes = {c["code"]: c["nom"] for c in source("communes") if c["type"] == "commune-actuelle"}
    prefectures = {communes[d["chefLieu"]] for d in source("departements") if d.get("region") == "32"}
    assert prefectures == {"Laon", "Lille", "Beauvais", "Arras", "Amiens"}
    marks = layer(svg, "prefectures")
    assert {t.text for t in marks.iter(SVG + "text")} == prefectures and len(list(marks.iter(SVG + "circle"))) == 5

    # hatched: the territories whose members' communes lie in more than one région
    region_of = {c["code"]: c["region"] for c in source("communes") if c["type"] == "commune-actuelle"}
    communes_of = {g["code"]: [m["code"] for m in g["membres"]] for g in source("epci")}
    crossing = {t for t in expected
                if len({region_of[c] for s in listed[t][1] for c in communes_of[s]}) > 1}
    assert crossing == {"ti-2809"}
    hatched = layer(svg, "interregional")
    assert hatched.attrib["fill"] == "url(#titre-carte-svg-hachures)"
    assert [re.sub(r"^\d+\. ", "", p.find(SVG + "title").text) for p in hatched.iter(SVG + "path")] == [
        listed["ti-2809"][0]]
    assert svg.find(f"{SVG}defs/{SVG}pattern").attrib["id"] == "titre-carte-svg-hachures"

    # the legend has the press release's entries, and the sources
    for entry in ("Périmètre territoire d'industrie", "Périmètre EPCI", "Préfecture de département",
                  "Périmètre interrégional", "Sources"):
        assert entry in words, entry
    numbered = re.findall(r'<li value="(\d+)"><a href="[^"]*/(ti-\d+)"[^>]*>[^<]*</a>( <span class="note">\(interrégional\))?',
                          part)
    assert sorted(int(n) for n, _, _ in numbered) == list(range(1, 19))
    assert {tid for _, tid, mark in numbered if mark} == crossing


def regions(server: ServerProcess) -> list[str]:
    found = [r["r"]["value"] for r in requests.get(server.url + "sparql", params={
        "query": "SELECT ?r WHERE { ?r a <http://rdf.insee.fr/def/geo#Region> } ORDER BY ?r"},
        headers={"Accept": "application/sparql-results+json"}, timeout=60).json()["results"]["bindings"]]
    assert len(found) == 26
    return [r[len(BASE):] for r in found]


def test_every_region_page_opens_in_a_browser_without_errors(national_server):
    """A full-page screenshot of each région page (test-artifacts/screenshots/region-<code>.png)."""
    playwright_sync = pytest.importorskip("playwright.sync_api")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            tab = open_tab(browser, national_server, javascript=True)
            for path in regions(national_server):
                response = tab.page.goto(national_server.url + path)  # type: ignore[attr-defined]
                assert response is not None and response.status == 200, path
                shot = tab.screenshot("region-" + path.rsplit("/", 1)[1])
                assert shot.stat().st_size > 10_000
            # printed in black and white: the fills turn white, the hatching stays
            tab.page.goto(national_server.url + "id/region/32")  # type: ignore[attr-defined]
            tab.page.emulate_media(media="print")  # type: ignore[attr-defined]
            fill = "el => getComputedStyle(el).fill"
            assert tab.page.locator("g.couche-territoires path").first.evaluate(fill) == "rgb(255, 255, 255)"  # type: ignore[attr-defined]
            assert "hachures" in tab.page.locator("g.couche-interregional path").first.evaluate(fill)  # type: ignore[attr-defined]
            tab.screenshot("region-32-impression")
            assert tab.problems == []
        finally:
            browser.close()


def test_every_region_page_is_valid_html_with_its_map(national_server, tmp_path: Path):
    if not VNU.is_file() or not shutil.which("java"):
        pytest.fail("the Nu Html Checker needs web/node_modules (make assets) and a Java runtime")
    files = []
    for path in regions(national_server):
        file = tmp_path / (path.replace("/", "-") + ".html")
        file.write_bytes(requests.get(national_server.url + path, headers={"Accept": "text/html"}, timeout=60).content)
        files.append(str(file))
    checked = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *files],
                             capture_output=True, text=True, timeout=300, env={**os.environ, "LC_ALL": "C.UTF-8"})
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    assert [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
            for m in messages if m["type"] == "error" or m.get("subType") == "warning"] == []
