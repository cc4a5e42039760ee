"""The pages of a commune, a département and a région, on a real server (both stores), checked
against the release's store and the data files: their facts and links, the territories of both
phases, the map or its absence, English, escaping of planted labels, no script."""

from __future__ import annotations

import gc
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests
from helpers import BASE, assert_well_formed, copy_releases, page, section, select
from markupsafe import escape
from server import ServerProcess, TextOf, start_server, stop_server

from conftest import ROOT

SAINT_QUENTIN = BASE + "id/commune/02691"
AMIENS = BASE + "id/commune/80021"
AISNE = BASE + "id/departement/02"
SOMME = BASE + "id/departement/80"
HAUTS_DE_FRANCE = BASE + "id/region/32"
HAUTE_PICARDIE = BASE + "id/territoire/2023-2027/ti-3208"
PHASE_2023 = BASE + "id/phase/2023-2027"
PHASE_1 = BASE + "id/phase/2018-2022"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def path_of(uri: str) -> str:
    return uri[len(BASE):]


def facts(text: str) -> dict[str, str]:
    """The page's <dl class="faits">: the text of each <dt> -> the HTML of its <dd>."""
    listing = re.search(r'<dl class="faits">(.*?)</dl>', text, re.DOTALL)
    assert listing, "no facts"
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt><dd>(.*?)</dd>", listing.group(1), re.DOTALL)
    return {TextOf.of(dt).text: dd for dt, dd in pairs}


def phase_parts(territories_section: str) -> dict[str, str]:
    """The territories section cut at each <h3>: phase IRI -> what follows its heading."""
    parts = re.split(r"<h3[^>]*><a href=\"([^\"]+)\"[^>]*>", territories_section)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def table_rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.DOTALL)
    return [r for r in body.group(1).split("<tr>")[1:]] if body else []


def row_of(html: str, href: str) -> str:
    found = [r for r in table_rows(html) if f'<th scope="row"><a href="{href}"' in r]
    assert len(found) == 1, (href, len(found))
    return found[0]


def territories_of(store, place: str, prop: str) -> dict[str, set[str]]:
    """Phase IRI -> the territories touching `place` (tilod:departement or tilod:region)."""
    found: dict[str, set[str]] = {PHASE_2023: set(), PHASE_1: set()}
    for row in select(store, f"SELECT ?t ?phase WHERE {{ ?t tilod:{prop} <{place}> ; "
                           f"a tilod:TerritoireIndustrie ; tilod:phase ?phase }}"):
        found[row["phase"]].add(row["t"])
    return found


# -- commune ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("commune", "name", "epci", "territory_2023"), [
    (SAINT_QUENTIN, "Saint-Quentin", "CA du Saint-Quentinois", HAUTE_PICARDIE),
    (AMIENS, "Amiens", "CA Amiens Métropole", BASE + "id/territoire/2023-2027/ti-3202"),  # Albert – Amiens
])
def test_commune_page_names_its_epci_and_its_territories(server, store, commune, name, epci, territory_2023):
    text = page(server, path_of(commune)).text
    assert_well_formed(text)
    assert "".join(TextOf.of(text).h1).strip() == name
    [own] = select(store, f"""SELECT ?code ?population ?epci ?dep ?region WHERE {{
        <{commune}> igeo:codeINSEE ?code ; tilod:populationMunicipale ?population ;
                    igeo:subdivisionDirecteDe ?epci ; tilod:departement ?dep ; tilod:region ?region .
        ?epci a igeo:Intercommunalite ; rdfs:label "{epci}"@fr }}""")
    listed = facts(text)
    assert listed["Code INSEE"] == own["code"] == commune.rsplit("/", 1)[1]
    assert f'<a href="{own["epci"]}">{escape(epci)}</a>' in listed["Intercommunalité"]
    assert "Communauté d&#39;agglomération" in listed["Intercommunalité"]
    assert f'href="{own["dep"]}"' in listed["Département"]
    assert f'<a href="{HAUTS_DE_FRANCE}">Hauts-de-France</a>' == listed["Région"] == f'<a href="{own["region"]}">Hauts-de-France</a>'
    assert f'<data value="{own["population"]}">' in listed["Population municipale"]

    # its territories in each phase, through its EPCI: as the store has them
    parts = phase_parts(section(text, "titre-territoires"))
    assert list(parts) == [PHASE_2023, PHASE_1]
    assert f'<a href="{territory_2023}">' in parts[PHASE_2023]
    for phase, part in parts.items():
        expected = {r["t"] for r in select(store, f"""SELECT ?t WHERE {{
            <{commune}> igeo:subdivisionDirecteDe ?e . ?t org:hasMember ?e ; tilod:phase <{phase}> }}""")}
        assert expected, phase  # both communes were in a territory of each phase
        assert set(re.findall(r'<li><a href="([^"]+)"', part)) == expected
        assert part.count("<li>") == len(expected)
        assert f'par son intercommunalité <a href="{own["epci"]}">{escape(epci)}</a>' in part


def test_commune_population_is_the_published_one(server):
    """Saint-Quentin's municipal population as decoupage-administratif publishes it."""
    communes = json.loads((ROOT / "data/decoupage-administratif/6.0.0/communes.json").read_text(encoding="utf-8"))
    [saint_quentin] = [c for c in communes if c["code"] == "02691" and c["type"] == "commune-actuelle"]
    listed = facts(page(server, path_of(SAINT_QUENTIN)).text)
    assert f'<data value="{saint_quentin["population"]}">' in listed["Population municipale"]


# -- département --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def aisne_page(server) -> str:
    return page(server, path_of(AISNE)).text


def test_aisne_page_lists_the_4_territories_of_the_press_release(aisne_page, store):
    assert_well_formed(aisne_page)
    assert "".join(TextOf.of(aisne_page).h1).strip() == "Aisne"
    expected = territories_of(store, AISNE, "departement")
    assert len(expected[PHASE_2023]) == 4  # the press release: 4 laureates in the Aisne
    parts = phase_parts(section(aisne_page, "titre-territoires"))
    for phase, territories in expected.items():
        links = {re.search(r'href="([^"]+)"', r).group(1) for r in table_rows(parts[phase])}
        assert links == territories, phase
        assert f"({len(territories)})</caption>" in parts[phase]
    # the count the press release states, next to the count of the data
    listed = facts(aisne_page)
    assert listed["Territoires d'industrie 2023-2027"].startswith('<data value="4">4</data>')
    assert "(annoncé\u00a0: 4)" in listed["Territoires d'industrie 2023-2027"]
    assert f'href="{BASE}id/denombrement/2023-2027/departement-02">4 lauréats dans l&#39;Aisne</a>' in parts[PHASE_2023]
    assert f'href="{BASE}id/source/communique-prefet-aisne-2023-11-14"' in parts[PHASE_2023]
    assert '<a href="http://localhost:8000/id/region/32">Hauts-de-France</a>' in listed["Région"]


@pytest.mark.parametrize("departement", [AISNE, SOMME])
def test_haute_picardie_is_on_both_departement_pages(server, departement):
    """Haute-Picardie's members are in the Aisne and in the Somme: it is on both pages, with both."""
    text = page(server, path_of(departement)).text
    part = phase_parts(section(text, "titre-territoires"))[PHASE_2023]
    line = row_of(part, HAUTE_PICARDIE)
    assert ">Haute-Picardie</a>" in line
    assert f'<a href="{AISNE}">Aisne</a>, <a href="{SOMME}">Somme</a>' in line
    assert "<td>ti-3208</td>" in line
    assert '<data value="5">' in line  # its 5 member EPCIs (ANCT's list)


def test_departement_page_lists_its_epcis(aisne_page, store):
    expected = {r["e"]: r for r in select(store, f"""SELECT ?e ?label ?siren WHERE {{
        ?e tilod:departement <{AISNE}> ; a igeo:Intercommunalite ; rdfs:label ?label ; tilod:siren ?siren }}""")}
    assert len(expected) > 15
    table = section(aisne_page, "titre-epci")
    assert len(table_rows(table)) == len(expected)
    for epci, row in expected.items():
        line = row_of(table, epci)
        assert f">{escape(row['label'])}</a>" in line and f"<td>{row['siren']}</td>" in line
    # an EPCI with communes in the Aisne and in the Somme names the other one
    est_somme = row_of(table, BASE + "id/epci/200070985")
    assert f'<a href="{SOMME}">Somme</a>' in est_somme
    assert f'href="{AISNE}"' not in est_somme
    assert "<td></td></tr>" in row_of(table, BASE + "id/epci/200071892")  # the Saint-Quentinois: Aisne only


def test_departement_map_links_each_epci_whose_communes_all_have_an_outline(aisne_page, store):
    """From the data files: an EPCI of the Aisne is drawn (a link to its page) when every one of its
    communes has an outline in the shipped files, and only then; the rest are counted."""
    source = json.loads((ROOT / "data/decoupage-administratif/6.0.0/epci.json").read_text(encoding="utf-8"))
    outlined = shipped_outline_codes()
    covered = {BASE + "id/epci/" + e["code"] for e in source if all(m["code"] in outlined for m in e["membres"])}
    in_aisne = {r["e"] for r in select(store, f"SELECT ?e WHERE {{ ?e tilod:departement <{AISNE}> ; "
                                              "a igeo:Intercommunalite }")}
    svg = re.search(r"<svg .*?</svg>", section(aisne_page, "titre-carte"), re.DOTALL).group(0)
    links = re.findall(r'<a href="([^"]+)"><title>', svg)
    assert len(links) == len(set(links))
    assert set(links) == in_aisne & covered
    assert BASE + "id/epci/200071892" in links  # the Saint-Quentinois
    assert 'class="couche-departement"' in svg
    missing = len(in_aisne - covered)
    assert (f"{missing} intercommunalit" in section(aisne_page, "titre-carte")) == (missing > 0)


def test_departement_counts_its_communes_and_their_population(aisne_page):
    """From the data file: the Aisne's communes and the sum of their municipal populations."""
    communes = json.loads((ROOT / "data/decoupage-administratif/6.0.0/communes.json").read_text(encoding="utf-8"))
    aisne = [c for c in communes if c.get("departement") == "02" and c["type"] == "commune-actuelle"]
    assert len(aisne) > 700
    listed = facts(aisne_page)
    assert f'<data value="{len(aisne)}">' in listed["Nombre de communes"]
    total = sum(c.get("population") or 0 for c in aisne)
    assert f'<data value="{total}">' in listed["Population municipale"]
    assert "Release partielle" not in aisne_page  # the Aisne is wholly in the subset


def test_a_departement_outside_the_subset_says_it_is_partial(server, store):
    outside = [r["d"] for r in select(store, "SELECT ?d ?code WHERE { ?d a igeo:Departement ; igeo:codeINSEE ?code }")
               if r["code"] not in ("02", "80")]
    assert outside  # the subset holds a few communes of neighbouring départements
    text = page(server, path_of(outside[0])).text
    assert_well_formed(text)
    assert "Release partielle" in text and "départements 02, 80" in text


# -- région -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def region_page(server) -> str:
    return page(server, path_of(HAUTS_DE_FRANCE)).text


def test_region_page_lists_its_departements_with_their_territories(region_page, store):
    assert_well_formed(region_page)
    assert "".join(TextOf.of(region_page).h1).strip() == "Hauts-de-France"
    departements = {r["d"]: r["label"] for r in select(store, f"""SELECT ?d ?label WHERE {{
        ?d igeo:subdivisionDirecteDe <{HAUTS_DE_FRANCE}> ; a igeo:Departement ; rdfs:label ?label }}""")}
    assert {AISNE, SOMME} <= set(departements)  # the subset: the Aisne, the Somme, and neighbours
    table = section(region_page, "titre-departements")
    assert len(table_rows(table)) == len(departements)
    for departement, label in departements.items():
        line = row_of(table, departement)
        assert f">{escape(label)}</a>" in line
        counts = re.findall(r'<td class="num"><data value="(\d+)">', line)
        by_phase = territories_of(store, departement, "departement")
        assert counts == [str(len(by_phase[PHASE_2023])), str(len(by_phase[PHASE_1]))], label
    assert re.findall(r'<td class="num"><data value="(\d+)">', row_of(table, AISNE))[0] == "4"


def test_region_page_lists_the_territories_touching_it(region_page, store):
    expected = territories_of(store, HAUTS_DE_FRANCE, "region")
    # the subset holds every territory touching the Aisne or the Somme, and they are in the région
    assert expected[PHASE_2023] >= territories_of(store, AISNE, "departement")[PHASE_2023] | \
        territories_of(store, SOMME, "departement")[PHASE_2023]
    parts = phase_parts(section(region_page, "titre-territoires"))
    for phase, territories in expected.items():
        assert {re.search(r'href="([^"]+)"', r).group(1) for r in table_rows(parts[phase])} == territories
    listed = facts(region_page)
    count = len(expected[PHASE_2023])
    assert listed["Territoires d'industrie 2023-2027"].startswith(f'<data value="{count}">')
    # the press release's 18 is for the whole région: the subset has fewer, and says so
    assert "(annoncé\u00a0: 18)" in listed["Territoires d'industrie 2023-2027"]
    assert count < 18
    assert "Release partielle" in region_page and "départements 02, 80" in region_page


# -- every place page ---------------------------------------------------------------------------

PLACES = [SAINT_QUENTIN, AMIENS, AISNE, SOMME, HAUTS_DE_FRANCE]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("uri", PLACES)
def test_place_pages_are_well_formed_and_show_their_data(server, uri, lang):
    text = page(server, path_of(uri), **({"lang": "en"} if lang == "en" else {})).text
    structure = assert_well_formed(text, lang)
    assert f"<code>{uri}</code>" in text
    for ext in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="{uri}.{ext}"' in text
    data = section(text, "titre-donnees")
    assert "<details>" in data and '<th scope="row">' in data  # every triple of its description
    for tag, attrs in structure.tags:  # scoped table headers, and a caption on each table of the page's own
        if tag == "th":
            assert attrs.get("scope") in ("row", "col")
    own = text.split('<section aria-labelledby="titre-donnees">')[0]
    assert own.count("<table") == own.count("<caption>")


def shipped_outline_codes() -> set[str]:
    """The INSEE codes that have an outline in the shipped geometry files (data/geometries/)."""
    return {feature["properties"]["code"] for path in (ROOT / "data/geometries").rglob("*.geojson")
            for feature in json.loads(path.read_text(encoding="utf-8"))["features"]}


AUMALE = BASE + "id/commune/76035"  # Seine-Maritime, in the subset through the CC Interrégionale Aumale - Blangy-sur-Bresle


@pytest.mark.parametrize(("uri", "kind"), [(uri, kind) for uri, kind in zip(
    [*PLACES, AUMALE], ["commune", "commune", "departement", "departement", "region", "commune"], strict=True)])
def test_place_page_draws_its_outline(server, uri, kind):
    """Every place of the subset is on the shipped maps (France's communes): its page draws it,
    a département or a région with what lies in it."""
    assert uri.rsplit("/", 1)[1] in shipped_outline_codes()
    part = section(page(server, path_of(uri)).text, "titre-carte")
    svg = ET.fromstring(re.search(r"<svg .*?</svg>", part, re.DOTALL).group(0))
    assert svg.attrib["role"] == ("img" if kind == "commune" else "group")
    title = svg.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.attrib["id"] == svg.attrib["aria-labelledby"]


@pytest.mark.parametrize(("uri", "heading"), [
    (SAINT_QUENTIN, "Territories of industry of this commune"),
    (AISNE, "Intercommunalities with at least one commune in the département"),
    (HAUTS_DE_FRANCE, "Départements of the region"),
])
def test_english_headings(server, uri, heading):
    english = page(server, path_of(uri), lang="en").text
    words = TextOf.of(english).text
    assert heading in words
    assert "Municipal population" in words and "INSEE code" in words
    assert f'href="{AISNE}?lang=en"' in english  # links keep the language
    french = TextOf.of(page(server, path_of(uri)).text).text
    assert heading not in french and "Population municipale" in french


def test_the_rdf_of_a_place_is_unchanged(server):
    for uri in (SAINT_QUENTIN, AISNE, HAUTS_DE_FRANCE):
        response = requests.get(server.to_server(uri), headers={"Accept": "text/turtle"}, timeout=10)
        assert response.headers["Content-Type"].startswith("text/turtle")
        assert "<svg" not in response.text and "<html" not in response.text


# -- escaping: labels planted in a copy of the release -------------------------------------------

PLANTED = {
    SAINT_QUENTIN: 'Saint-Quentin <script>alert("commune")</script>',
    BASE + "id/epci/200071892": "CA <img src=x onerror=alert('epci')> & co",
    HAUTE_PICARDIE: 'Haute-Picardie "><svg/onload=alert(3)>',
    SOMME: "Somme </td></tr></table><script>alert(4)</script>",
    AISNE: "Aisne <b>&amp; 'co'</b>",
    HAUTS_DE_FRANCE: "Hauts-de-France <iframe src=javascript:alert(6)>",
}


@pytest.fixture(scope="module")
def planted_server(settings, release, tmp_path_factory) -> Iterator[ServerProcess]:
    """A server (embedded store) on a copy of the release whose labels hold HTML."""
    copy = tmp_path_factory.mktemp("planted-labels") / "releases"
    store = ox.Store(str(copy_releases(settings.releases_dir, copy) / "store"))
    label = ox.NamedNode(RDFS_LABEL)
    for uri, text in PLANTED.items():
        subject = ox.NamedNode(uri)
        for quad in list(store.quads_for_pattern(subject, label, None)):
            store.remove(quad)
        store.add(ox.Quad(subject, label, ox.Literal(text, language="fr")))
    store.flush()
    del store
    gc.collect()  # closes the store before the server opens it
    running = start_server(copy, ROOT, settings.base_uri)
    try:
        yield running
    finally:
        stop_server(running)


@pytest.mark.parametrize("uri", [SAINT_QUENTIN, AISNE, SOMME, HAUTS_DE_FRANCE])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_planted_labels_are_escaped(planted_server, uri, lang):
    text = page(planted_server, path_of(uri), **({"lang": "en"} if lang == "en" else {})).text
    assert_well_formed(text, lang)
    shown = TextOf.of(text).text
    seen = 0
    for planted in PLANTED.values():
        if planted in shown:  # the label is on the page, as text...
            seen += 1
            assert planted not in text  # ... never as markup
            assert str(escape(planted)) in text
    assert seen >= 3, seen  # the page's own label and those of what it links to
    assert PLANTED[uri] in shown
    for fragment in ("<script", "<img", "<iframe", "<svg/onload", "<b>"):
        assert fragment not in text
