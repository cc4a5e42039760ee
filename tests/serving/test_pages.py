"""The pages people read in a browser, on a real server (both stores): landing, territory,
EPCI, search, history, in French and English; well-formed, escaped, no script."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
import requests
from helpers import BASE, BROWSER, assert_well_formed, page, section, select
from markupsafe import escape
from server import TextOf

TERRITORY = BASE + "id/territoire/2023-2027/ti-3208"
EPCI = BASE + "id/epci/200071892"
SVG = "{http://www.w3.org/2000/svg}"


# -- landing ------------------------------------------------------------------------------------

def test_landing_lists_the_hauts_de_france_territories(server, store):
    text = page(server, "").text
    assert_well_formed(text)
    expected = select(store, """SELECT ?t ?label (COUNT(DISTINCT ?m) AS ?n) WHERE {
        ?t tilod:phase <http://localhost:8000/id/phase/2023-2027> ; tilod:region <http://localhost:8000/id/region/32> ;
           rdfs:label ?label ; org:hasMember ?m } GROUP BY ?t ?label""")
    assert len(expected) >= 5
    region = re.search(r'<h3 id="(region-\d+)"><a href="http://localhost:8000/id/region/32">Hauts-de-France</a>', text)
    assert region, "no Hauts-de-France heading"
    listed = section(text, region.group(1))
    for row in expected:
        assert f'<a href="{row["t"]}">{escape(row["label"])}</a>' in listed, row["label"]
        assert f"({row['n']} membre" in listed
    assert listed.count("<li>") == len(expected)


def test_landing_tells_the_programme_and_links_the_services(server):
    text = page(server, "").text
    words = TextOf.of(text).text
    assert "souveraineté industrielle" in words  # the programme's description, from the data
    priorities = re.search(r"<ol>(.*?)</ol>", text, re.DOTALL).group(1)
    assert priorities.count("<li>") == 4
    assert "Un chef de projet par territoire" in words
    for path in ("sparql", "dumps/", "def/tilod", "historique", "recherche"):
        assert f'href="{BASE}{path}"' in text, path
    assert re.search(r'<form role="search" method="get" action="[^"]*recherche">', text)


def test_landing_map_links_every_territory(server, store):
    text = page(server, "").text
    part = section(text, "titre-carte")
    svg = re.search(r"<svg .*?</svg>", part, re.DOTALL).group(0)
    root = ET.fromstring(svg)
    territories = {r["t"]: r["label"] for r in select(store, """SELECT ?t ?label WHERE {
        ?t tilod:phase <http://localhost:8000/id/phase/2023-2027> ; rdfs:label ?label ;
           <http://www.opengis.net/ont/geosparql#hasGeometry> ?g }""")}
    assert len(territories) >= 5
    links = {a.attrib["href"]: a.find(SVG + "title").text for a in root.iter(SVG + "a")}
    assert links == territories
    regions = [p.find(SVG + "title").text for p in root.find(SVG + "g").iter(SVG + "path")]
    assert "Hauts-de-France" in regions
    assert root.find(SVG + "title").text == "Carte des Territoires d'industrie 2023-2027"
    assert len(svg.encode()) < 60_000  # simplified to about a pixel
    english = section(page(server, "", lang="en").text, "titre-carte")
    assert "Map of the Territoires d&#39;industrie 2023-2027" in english
    assert all(f'href="{href}?lang=en"' in english for href in territories)


# -- territory ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def territory_page(server) -> str:
    return page(server, "id/territoire/2023-2027/ti-3208").text


def test_territory_page_lists_its_members_with_their_populations(territory_page, store):
    assert_well_formed(territory_page)
    assert "".join(TextOf.of(territory_page).h1).strip() == "Haute-Picardie"
    members = select(store, f"""SELECT ?m ?label ?population WHERE {{
        <{TERRITORY}> org:hasMember ?m . ?m rdfs:label ?label ; tilod:populationTotale ?population }}""")
    assert len(members) == 5
    table = re.search(r'<table id="membres">(.*?)</table>', territory_page, re.DOTALL).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.DOTALL).group(1)
    assert body.count("<tr>") == 5
    for member in members:
        line = next(r for r in body.split("<tr>") if f'href="{member["m"]}"' in r)
        assert str(escape(member["label"])) in line
        assert "Communauté d&#39;agglomération" in line or "Communauté de communes" in line
        assert f'<data value="{member["population"]}">' in line
    [total] = select(store, f"SELECT ?p WHERE {{ <{TERRITORY}> tilod:populationTotale ?p }}")
    assert int(total["p"]) == sum(int(m["population"]) for m in members)
    assert f'<data value="{total["p"]}">' in territory_page


def test_territory_page_counts_its_communes(territory_page, store):
    [row] = select(store, f"""SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{
        <{TERRITORY}> org:hasMember ?m . ?c igeo:subdivisionDirecteDe ?m ; a igeo:Commune }}""")
    assert int(row["n"]) > 100
    facts = re.search(r'<dl class="faits">(.*?)</dl>', territory_page, re.DOTALL).group(1)
    assert f'Nombre de communes</dt><dd><data value="{row["n"]}">' in facts


def test_territory_page_draws_its_map(territory_page):
    match = re.search(r"<svg .*?</svg>", territory_page, re.DOTALL)
    assert match
    svg = ET.fromstring(match.group(0))
    assert svg.attrib["role"] == "group"  # not "img": its shapes are links
    title = svg.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.attrib["id"] == svg.attrib["aria-labelledby"]
    assert title.text == "Haute-Picardie"
    x0, y0, width, height = (float(v) for v in svg.attrib["viewBox"].split())
    paths = list(svg.iter("{http://www.w3.org/2000/svg}path"))
    points = [(float(x), float(y)) for p in paths for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", p.attrib["d"])]
    assert len(points) > 10
    assert all(x0 <= x <= x0 + width and y0 <= y <= y0 + height for x, y in points)


def test_territory_map_links_its_member_epcis(territory_page, store):
    members = {r["m"]: r["label"] for r in select(store, f"""SELECT ?m ?label WHERE {{
        <{TERRITORY}> org:hasMember ?m . ?m rdfs:label ?label ;
        <http://www.opengis.net/ont/geosparql#hasGeometry> ?g }}""")}
    assert len(members) == 5  # every member of Haute-Picardie is an EPCI of the Aisne or the Somme
    svg = re.search(r"<svg .*?</svg>", territory_page, re.DOTALL).group(0)
    root = ET.fromstring(svg)
    links = {a.attrib["href"]: a.find(SVG + "title").text for a in root.iter(SVG + "a")}
    assert links == members
    assert "<title>CC de l&#39;Est de la Somme</title>" in svg  # escaped, as every text
    groups = {g.attrib["class"]: g for g in root.iter(SVG + "g")}
    # ANCT's outline filled under the members (a sliver between them shows the territory, not a
    # hole), the members, ANCT's outline again on top as a line
    assert list(groups) == ["couche-fond", "couche-membres", "couche-territoire"]
    for key in ("couche-fond", "couche-territoire"):
        assert groups[key].attrib["pointer-events"] == "none"
        assert groups[key].find(SVG + "path/" + SVG + "title").text == "Haute-Picardie"
    assert groups["couche-fond"].attrib["fill"] not in ("none", "") and groups["couche-territoire"].attrib["fill"] == "none"
    caption = re.search(r"<figcaption>(.*?)</figcaption>", territory_page, re.DOTALL).group(1)
    assert caption.count("<li>") == 2  # the filling under the members is not a layer of its own
    words = TextOf.of(caption).text
    assert "Membre (lien vers sa page)" in words and "Contour du territoire" in words
    assert "sans contour" not in words


def test_a_territory_across_two_regions_draws_every_member(server, store):
    # Vallée de la Bresle – Vimeu: its CC Interrégionale Aumale - Blangy-sur-Bresle and CC des
    # Villes Soeurs reach into Seine-Maritime (Normandie), drawn too since France's communes ship
    text = page(server, "id/territoire/2023-2027/ti-2809").text
    assert_well_formed(text)
    part = section(text, "titre-carte")
    for siren in ("200069722", "247600588", "200070944"):
        assert f'href="{BASE}id/epci/{siren}"' in part
    assert "sans contour" not in TextOf.of(part).text


def test_territory_page_says_when_and_by_whom_it_was_labelled(territory_page):
    assert '<time datetime="2023-11-09">9 novembre 2023</time>' in territory_page
    assert f'href="{BASE}id/source/anct-ti-2023"' in territory_page
    assert f'href="{BASE}id/phase/2023-2027"' in territory_page
    assert f'href="{BASE}id/region/32">Hauts-de-France</a>' in territory_page
    for code, name in (("02", "Aisne"), ("80", "Somme")):
        assert f'href="{BASE}id/departement/{code}">{name}</a>' in territory_page
    assert "Haute Picardie" in TextOf.of(territory_page).text  # its other name (press release)


def test_territory_page_shows_its_uri_and_its_data(territory_page):
    assert f"<code>{TERRITORY}</code>" in territory_page
    for ext in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="{TERRITORY}.{ext}"' in territory_page
    assert "<details>" in territory_page  # every triple of the description, folded


def test_territory_page_links_the_same_id_in_the_other_phase(server, store):
    # ANCT reused ti-3202: Albert – Amiens (2023-2027), Amiens - Albert-Méaulte (2018-2022)
    other = BASE + "id/territoire/2018-2022/ti-3202"
    [row] = select(store, f"SELECT ?l WHERE {{ <{other}> rdfs:label ?l }}")
    text = page(server, "id/territoire/2023-2027/ti-3202").text
    part = section(text, "titre-autre-phase")
    assert f'<a href="{other}">{escape(row["l"])}</a>' in part
    back = section(page(server, "id/territoire/2018-2022/ti-3202").text, "titre-autre-phase")
    assert f'href="{BASE}id/territoire/2023-2027/ti-3202"' in back
    # ti-3208 of the first phase (Dunkerque) is outside the Aisne-Somme subset
    alone = section(page(server, "id/territoire/2023-2027/ti-3208").text, "titre-autre-phase")
    assert "<a " not in alone


def test_the_rdf_of_a_territory_is_unchanged(server):
    response = requests.get(server.to_server(TERRITORY), headers={"Accept": "text/turtle"}, timeout=10)
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert "<svg" not in response.text


# -- EPCI ---------------------------------------------------------------------------------------

def test_epci_page(server, store):
    text = page(server, "id/epci/200071892").text
    assert_well_formed(text)
    assert "".join(TextOf.of(text).h1).strip() == "CA du Saint-Quentinois"
    territories = section(text, "titre-territoires")
    assert f'<a href="{TERRITORY}">Haute-Picardie</a>' in territories
    assert "Territoires d&#39;industrie 2023-2027" in territories
    facts = re.search(r'<dl class="faits">(.*?)</dl>', text, re.DOTALL).group(1)
    assert "<dd>200071892</dd>" in facts
    assert "Communauté d&#39;agglomération" in facts
    [pop] = select(store, f"SELECT ?t ?m WHERE {{ <{EPCI}> tilod:populationTotale ?t ; tilod:populationMunicipale ?m }}")
    assert f'<data value="{pop["t"]}">' in facts and f'<data value="{pop["m"]}">' in facts
    communes = select(store, f"SELECT ?c ?p WHERE {{ ?c igeo:subdivisionDirecteDe <{EPCI}> ; a igeo:Commune ; "
                           f"tilod:populationMunicipale ?p }}")
    table = section(text, "titre-communes")
    assert table.count('<th scope="row">') == len(communes) > 30
    assert f'<a href="{BASE}id/commune/02691">Saint-Quentin</a>' in table
    for commune in communes:
        assert f'href="{commune["c"]}"' in table


def test_epci_map_links_its_communes(server, store):
    text = page(server, "id/epci/200071892").text
    part = section(text, "titre-carte")
    root = ET.fromstring(re.search(r"<svg .*?</svg>", part, re.DOTALL).group(0))
    communes = {r["c"]: r["label"] for r in select(store, f"""SELECT ?c ?label WHERE {{
        ?c igeo:subdivisionDirecteDe <{EPCI}> ; a igeo:Commune ; rdfs:label ?label }}""")}
    links = {a.attrib["href"]: a.find(SVG + "title").text for a in root.iter(SVG + "a")}
    assert links == communes and len(links) == 39
    assert root.find(SVG + "title").text == "CA du Saint-Quentinois"
    assert "Contour de l&#39;intercommunalité (union de ses communes)" in part
    english = section(page(server, "id/epci/200071892", lang="en").text, "titre-carte")
    assert f'href="{BASE}id/commune/02691?lang=en"' in english
    assert "Outline of the intercommunality (union of its communes)" in english


def test_an_epci_across_two_departements_draws_its_communes_in_both(server):
    text = page(server, "id/epci/247600588").text  # CC des Villes Soeurs: Somme and Seine-Maritime
    assert_well_formed(text)
    part = section(text, "titre-carte")
    communes = set(re.findall(rf'href="{BASE}id/commune/(\d{{5}})"', part))
    assert len(communes) == 28 and {c[:2] for c in communes} == {"76", "80"}


# -- search -------------------------------------------------------------------------------------

def result_links(text: str) -> list[str]:
    table = re.search(r'<table id="resultats">(.*?)</table>', text, re.DOTALL)
    return re.findall(r'<th scope="row"><a href="([^"]+)"', table.group(1)) if table else []


def test_search_ignores_case_and_accents(server, store):
    text = page(server, "recherche", q="thierache").text
    assert_well_formed(text)
    found = result_links(text)
    assert BASE + "id/territoire/2023-2027/ti-3217" in found
    epcis = select(store, 'SELECT ?e WHERE { ?e a igeo:Intercommunalite ; rdfs:label ?l FILTER(CONTAINS(?l, "Thiérache")) }')
    assert len(epcis) >= 3
    for epci in epcis:
        assert epci["e"] in found
    assert result_links(page(server, "recherche", q="THIÉRACHE").text) == found


@pytest.mark.parametrize(("query", "expected"), [
    ("200071892", BASE + "id/epci/200071892"),       # SIREN
    ("02691", BASE + "id/commune/02691"),            # code INSEE
    ("saint-quentin", BASE + "id/commune/02691"),    # name, punctuation ignored
    ("haute picardie", TERRITORY),
])
def test_search_by_name_or_code(server, query, expected):
    assert result_links(page(server, "recherche", q=query).text)[0] == expected


def test_search_is_bounded_and_escaped(server):
    many = page(server, "recherche", q="e").text
    assert len(result_links(many)) == 50
    assert "seuls les 50 premiers" in many
    script = '<script>alert("x")</script>'
    text = page(server, "recherche", q=script).text
    assert_well_formed(text)
    assert script not in text
    assert str(escape(script)) in text
    assert "Aucun résultat." in text
    assert page(server, "recherche", q="x" * 10_000).status_code == 200
    empty = page(server, "recherche").text
    assert_well_formed(empty)
    assert result_links(empty) == []


# -- English ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "heading"), [
    ("", "The programme"),
    ("id/territoire/2023-2027/ti-3208", "Members"),
    ("id/epci/200071892", "Member communes"),
    ("recherche", "Search"),
    ("historique", "Release history"),
])
def test_english_headings(server, path, heading):
    english = page(server, path, lang="en").text
    structure = assert_well_formed(english, "en")
    assert heading in TextOf.of(english).text
    assert any(tag == "a" and attrs.get("hreflang") == "fr" for tag, attrs in structure.tags)
    french = page(server, path).text
    assert heading not in TextOf.of(french).text


def test_english_keeps_the_data_labels_and_its_own_cache_entry(server):
    url = server.to_server(TERRITORY)
    french = requests.get(url, headers={"Accept": BROWSER}, timeout=10)
    english = requests.get(url, params={"lang": "en"}, headers={"Accept": BROWSER}, timeout=10)
    assert french.headers["ETag"] != english.headers["ETag"]
    assert "Haute-Picardie" in english.text  # the data's label is not translated
    assert "9 November 2023" in english.text
    assert f'href="{BASE}id/epci/200071892?lang=en"' in english.text  # links keep the language
    again = requests.get(url, params={"lang": "en"}, headers={"Accept": BROWSER}, timeout=10)
    assert again.content == english.content


# -- history ------------------------------------------------------------------------------------

def test_history_page_and_changes_dump(server, release):
    manifest = json.loads((release / "release.json").read_text())
    text = page(server, "historique").text
    assert_well_formed(text)
    assert f'id="release-{manifest["version"]}"' in text
    assert "Première release" in text
    assert "changes.ttl" in {f["filename"] for f in manifest["files"]}
    dump = requests.get(server.url + f"dumps/{manifest['version']}/changes.ttl", timeout=10)
    assert dump.status_code == 200
    assert b"tilod:Comparaison" in dump.content


# -- every page ---------------------------------------------------------------------------------

PAGES = ["", "recherche?q=somme", "historique", "id/territoire/2023-2027/ti-3208", "id/territoire/2018-2022/ti-3211",
         "id/epci/200071892", "id/commune/02691", "id/region/32", "def/tilod", "sparql", "dumps/"]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_well_formed(server, path, lang):
    url = path + (("&" if "?" in path else "?") + "lang=en" if lang == "en" else "")
    assert_well_formed(page(server, url).text, lang)


def test_the_404_page_is_well_formed(server):
    response = requests.get(server.url + "nowhere/<b>", headers={"Accept": BROWSER}, timeout=10)
    assert response.status_code == 404
    assert_well_formed(response.text)
    assert "<b>" not in response.text
