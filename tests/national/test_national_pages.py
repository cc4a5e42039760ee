"""Places outside the Aisne and the Somme, dereferenced on a real `tilod serve` of the national
release, as Turtle and as the page for people, say what the sources say (tests/sources.py).

Provence-Alpes-Côte d'Azur and Auvergne-Rhône-Alpes: Aix-Marseille-Provence in both phases (its
first-phase members are communes), the Beaujolais, the Dracénie, their EPCIs, communes,
départements, régions.
"""

from __future__ import annotations

import re

import pytest
import requests
from helpers import BASE, BROWSER, TILOD_NS
from rdflib import Graph, Namespace, URIRef
from server import ServerProcess, TextOf
from sources import Mismatches, Sources, Territory, read_sources

pytestmark = pytest.mark.national

ID = BASE + "id/"
TILOD = Namespace(TILOD_NS)
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
ORG = Namespace("http://www.w3.org/ns/org#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")

TERRITORIES = ["2023-2027/ti-9301", "2018-2022/ti-9301", "2023-2027/ti-8403", "2023-2027/ti-9302"]
#: Aix-Marseille-Provence; CA de l'Ouest Rhodanien (Rhône); CA Dracénie Provence Verdon Agglomération (Var)
EPCIS = ["200054807", "200040566", "248300493"]
COMMUNES = ["13001", "69006"]  # Aix-en-Provence (a first-phase member itself); Amplepuis
DEPARTEMENTS = ["13", "69"]
REGIONS = ["93", "84"]


@pytest.fixture(scope="module")
def sources() -> Sources:
    return read_sources()


def turtle(server: ServerProcess, path: str) -> Graph:
    response = requests.get(server.url + path, headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200, (path, response.status_code)
    return Graph().parse(data=response.text, format="turtle")


def html(server: ServerProcess, path: str) -> str:
    response = requests.get(server.url + path, headers={"Accept": BROWSER}, timeout=30)
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers["Content-Type"].startswith("text/html")
    return response.text


def ids(values) -> set[str]:
    """`{base}id/epci/200054807` -> `epci/200054807`, for what a graph or a page links to."""
    return {str(v).removeprefix(ID) for v in values}


def links(fragment: str) -> set[str]:
    return ids(re.findall(r'href="(http://localhost:8000/id/[^"#?]+)"', fragment))


def numbers(fragment: str) -> list[str]:
    return re.findall(r'<data value="(-?\d+)">', fragment)


def facts_of(page: str) -> dict[str, str]:
    """The page's facts (<dl class="faits">): the text of each <dt> -> the HTML of its <dd>."""
    listing = re.search(r'<dl class="faits">(.*?)</dl>', page, re.DOTALL)
    assert listing, "no facts on the page"
    return {TextOf.of(dt).text: dd for dt, dd in re.findall(r"<dt[^>]*>(.*?)</dt><dd>(.*?)</dd>", listing.group(1), re.DOTALL)}


def section(page: str, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', page, re.DOTALL)
    assert match, heading_id
    return match.group(1)


def by_phase(fragment: str) -> dict[str, str]:
    """A section cut at each phase heading (<h3><a href="{base}id/phase/...">): phase -> its part."""
    parts = re.split(r'<h3[^>]*><a href="http://localhost:8000/id/phase/([^"]+)"[^>]*>', fragment)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def table_rows(fragment: str) -> dict[str, str]:
    """Each row of a table's body by the resource its row heading links to."""
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, re.DOTALL)
    rows = body.group(1).split("<tr>")[1:] if body else []
    return {ids(re.findall(r'<th scope="row"><a href="([^"]+)"', row)).pop(): row for row in rows}


def h1(page: str) -> str:
    return "".join(TextOf.of(page).h1).strip()


def one(graph: Graph, subject: str, predicate: URIRef) -> set[str]:
    return {str(o).removeprefix(ID) for o in graph.objects(URIRef(ID + subject), predicate)}


def territories_touching(sources: Sources, communes: set[str]) -> dict[str, set[str]]:
    """Phase -> the territories with a commune among `communes`."""
    found: dict[str, set[str]] = {"2023-2027": set(), "2018-2022": set()}
    for (phase, tid), territory in sources.territories.items():
        if sources.communes_of_territory(territory) & communes:
            found[phase].add(f"territoire/{phase}/{tid}")
    return found


def territory_of(sources: Sources, key: str) -> Territory:
    phase, tid = key.split("/")
    return sources.territories[(phase, tid)]


@pytest.mark.parametrize("key", TERRITORIES)
def test_territory(national_server, sources, key):
    territory = territory_of(sources, key)
    uri = f"territoire/{key}"
    communes = sources.communes_of_territory(territory)
    departements = sources.departements_of(communes)
    members = {sources.member_uri(s, nature): s for s, (_, nature) in territory.members.items()}
    populations = {m: sources.population_of_member(s) for m, s in members.items()}
    total = str(sum(t for t, _ in populations.values()))
    municipal = str(sum(m for _, m in populations.values()))
    expected_departements = {f"departement/{d}" for d in departements}
    expected_regions = {f"region/{r}" for r in sources.regions_of(departements)}
    mismatches = Mismatches(uri)

    graph = turtle(national_server, "id/" + uri)
    mismatches.compare("Turtle", "name", {territory.name}, one(graph, uri, RDFS_LABEL))
    mismatches.compare("Turtle", "members", set(members), one(graph, uri, ORG.hasMember))
    mismatches.compare("Turtle", "populationTotale", {total}, one(graph, uri, TILOD.populationTotale))
    mismatches.compare("Turtle", "populationMunicipale", {municipal}, one(graph, uri, TILOD.populationMunicipale))
    mismatches.compare("Turtle", "départements", expected_departements, one(graph, uri, TILOD.departement))
    mismatches.compare("Turtle", "régions", expected_regions, one(graph, uri, TILOD.region))

    page = html(national_server, "id/" + uri)
    facts = facts_of(page)
    mismatches.compare("page", "name", territory.name, h1(page))
    mismatches.compare("page", "Population totale", [total], numbers(facts["Population totale"]))
    mismatches.compare("page", "Départements", expected_departements, links(facts["Départements"]))
    mismatches.compare("page", "Régions", expected_regions, links(facts["Régions"]))
    mismatches.compare("page", "Nombre de communes", [str(len(communes))], numbers(facts["Nombre de communes"]))
    mismatches.compare("page", "Membres", [str(len(members))], numbers(facts["Membres"]))
    rows = table_rows(section(page, "titre-membres"))
    mismatches.compare("page", "members", set(members), set(rows))
    for member, row in sorted(rows.items()):
        if member in populations:  # a commune adds its municipal population, the only one it has
            mismatches.compare(f"page, member {member}", "population", [str(populations[member][0])], numbers(row))
    mismatches.assert_none()


@pytest.mark.parametrize("siren", EPCIS)
def test_epci(national_server, sources, siren):
    epci = sources.epcis[siren]
    uri = f"epci/{siren}"
    departements = sources.departements_of(set(epci.communes))
    expected_departements = {f"departement/{d}" for d in departements}
    expected_regions = {f"region/{r}" for r in sources.regions_of(departements)}
    communes = {f"commune/{c}" for c in epci.communes}
    in_territories = {phase: set() for phase in ("2023-2027", "2018-2022")}
    for (phase, tid), territory in sources.territories.items():
        if siren in territory.members:
            in_territories[phase].add(f"territoire/{phase}/{tid}")
    mismatches = Mismatches(uri)

    graph = turtle(national_server, "id/" + uri)
    mismatches.compare("Turtle", "name", {epci.name}, one(graph, uri, RDFS_LABEL))
    mismatches.compare("Turtle", "siren", {siren}, one(graph, uri, TILOD.siren))
    mismatches.compare("Turtle", "nature", {f"nature-juridique/{epci.nature}"}, one(graph, uri, TILOD.natureJuridique))
    mismatches.compare("Turtle", "populationTotale", {str(epci.population_totale)}, one(graph, uri, TILOD.populationTotale))
    mismatches.compare("Turtle", "populationMunicipale", {str(epci.population_municipale)},
                       one(graph, uri, TILOD.populationMunicipale))
    mismatches.compare("Turtle", "départements", expected_departements, one(graph, uri, TILOD.departement))
    mismatches.compare("Turtle", "régions", expected_regions, one(graph, uri, TILOD.region))
    mismatches.compare("Turtle", "communes", communes, ids(graph.subjects(IGEO.subdivisionDirecteDe, URIRef(ID + uri))))
    mismatches.compare("Turtle", "territories", set().union(*in_territories.values()),
                       ids(graph.subjects(ORG.hasMember, URIRef(ID + uri))))

    page = html(national_server, "id/" + uri)
    facts = facts_of(page)
    mismatches.compare("page", "name", epci.name, h1(page))
    mismatches.compare("page", "SIREN", siren, facts["SIREN"])
    mismatches.compare("page", "Nature juridique", {f"nature-juridique/{epci.nature}"}, links(facts["Nature juridique"]))
    mismatches.compare("page", "Population totale", [str(epci.population_totale)], numbers(facts["Population totale"]))
    mismatches.compare("page", "Population municipale", [str(epci.population_municipale)],
                       numbers(facts["Population municipale"]))
    mismatches.compare("page", "Départements", expected_departements, links(facts["Départements"]))
    mismatches.compare("page", "Régions", expected_regions, links(facts["Régions"]))
    mismatches.compare("page", "Nombre de communes", [str(len(communes))], numbers(facts["Nombre de communes"]))
    rows = table_rows(section(page, "titre-communes"))
    mismatches.compare("page", "communes", communes, set(rows))
    for commune, row in sorted(rows.items()):
        population = sources.communes[commune.removeprefix("commune/")].population
        mismatches.compare(f"page, commune {commune}", "population", [str(population)], numbers(row))
    listed = by_phase(section(page, "titre-territoires"))
    for phase, expected in in_territories.items():
        mismatches.compare("page", f"territories {phase}", expected, links(listed.get(phase, "")))
    mismatches.assert_none()


@pytest.mark.parametrize("code", COMMUNES)
def test_commune(national_server, sources, code):
    commune = sources.communes[code]
    uri = f"commune/{code}"
    region = sources.departements[commune.departement][1]
    epcis = {f"epci/{s}" for s, e in sources.epcis.items() if code in e.communes}
    mismatches = Mismatches(uri)

    graph = turtle(national_server, "id/" + uri)
    mismatches.compare("Turtle", "name", {commune.name}, one(graph, uri, RDFS_LABEL))
    mismatches.compare("Turtle", "siren", {commune.siren}, one(graph, uri, TILOD.siren))
    mismatches.compare("Turtle", "populationMunicipale", {str(commune.population)},
                       one(graph, uri, TILOD.populationMunicipale))
    mismatches.compare("Turtle", "département", {f"departement/{commune.departement}"}, one(graph, uri, TILOD.departement))
    mismatches.compare("Turtle", "région", {f"region/{region}"}, one(graph, uri, TILOD.region))
    mismatches.compare("Turtle", "part of", {f"departement/{commune.departement}"} | epcis,
                       one(graph, uri, IGEO.subdivisionDirecteDe))

    page = html(national_server, "id/" + uri)
    facts = facts_of(page)
    mismatches.compare("page", "name", commune.name, h1(page))
    mismatches.compare("page", "Code INSEE", code, facts["Code INSEE"])
    mismatches.compare("page", "SIREN", commune.siren, facts["SIREN"])
    mismatches.compare("page", "Population municipale", [str(commune.population)], numbers(facts["Population municipale"]))
    mismatches.compare("page", "Département", {f"departement/{commune.departement}"}, links(facts["Département"]))
    mismatches.compare("page", "Région", {f"region/{region}"}, links(facts["Région"]))
    mismatches.compare("page", "Intercommunalité", epcis, links(facts["Intercommunalité"]) - {
        link for link in links(facts["Intercommunalité"]) if link.startswith("nature-juridique/")})
    listed = by_phase(section(page, "titre-territoires"))
    for phase, expected in territories_touching(sources, {code}).items():
        # each territory is listed with the EPCI it comes through: keep the territories only
        shown = {link for link in links(listed.get(phase, "")) if link.startswith("territoire/")}
        mismatches.compare("page", f"territories {phase}", expected, shown)
    mismatches.assert_none()


@pytest.mark.parametrize("code", DEPARTEMENTS)
def test_departement(national_server, sources, code):
    name, region = sources.departements[code]
    uri = f"departement/{code}"
    communes = {c for c, commune in sources.communes.items() if commune.departement == code}
    population = sum(sources.communes[c].population or 0 for c in communes)
    epcis = {f"epci/{s}" for s, e in sources.epcis.items() if e.communes & communes}
    mismatches = Mismatches(uri)

    graph = turtle(national_server, "id/" + uri)
    mismatches.compare("Turtle", "name", {name}, one(graph, uri, RDFS_LABEL))
    mismatches.compare("Turtle", "région", {f"region/{region}"}, one(graph, uri, IGEO.subdivisionDirecteDe))

    page = html(national_server, "id/" + uri)
    facts = facts_of(page)
    mismatches.compare("page", "name", name, h1(page))
    mismatches.compare("page", "Région", {f"region/{region}"}, links(facts["Région"]))
    mismatches.compare("page", "Nombre de communes", [str(len(communes))], numbers(facts["Nombre de communes"]))
    mismatches.compare("page", "Population municipale", [str(population)], numbers(facts["Population municipale"]))
    mismatches.compare("page", "Intercommunalités", [str(len(epcis))], numbers(facts["Intercommunalités"]))
    mismatches.compare("page", "EPCIs", epcis, set(table_rows(section(page, "titre-epci"))))
    listed = by_phase(section(page, "titre-territoires"))
    for phase, expected in territories_touching(sources, communes).items():
        mismatches.compare("page", f"territories {phase}", expected, set(table_rows(listed.get(phase, ""))))
    mismatches.assert_none()


@pytest.mark.parametrize("code", REGIONS)
def test_region(national_server, sources, code):
    name = sources.regions[code]
    uri = f"region/{code}"
    departements = {d for d, (_, region) in sources.departements.items() if region == code}
    communes = {c for c, commune in sources.communes.items() if commune.departement in departements}
    population = sum(sources.communes[c].population or 0 for c in communes)
    mismatches = Mismatches(uri)

    graph = turtle(national_server, "id/" + uri)
    mismatches.compare("Turtle", "name", {name}, one(graph, uri, RDFS_LABEL))
    # a description carries at most 500 inverse links (README), which the région's communes fill:
    # its départements are asked for their own, and those it does carry must be right
    listed_departements = ids(graph.subjects(IGEO.subdivisionDirecteDe, URIRef(ID + uri)))
    if not listed_departements <= {f"departement/{d}" for d in departements}:
        mismatches.add(f"Turtle: départements not in this région: {sorted(listed_departements)}")
    for departement in sorted(departements):
        part_of = one(turtle(national_server, f"id/departement/{departement}"), f"departement/{departement}",
                      IGEO.subdivisionDirecteDe)
        mismatches.compare(f"Turtle of departement/{departement}", "région", {uri}, part_of)

    page = html(national_server, "id/" + uri)
    facts = facts_of(page)
    mismatches.compare("page", "name", name, h1(page))
    mismatches.compare("page", "Départements", [str(len(departements))], numbers(facts["Départements"]))
    mismatches.compare("page", "départements", {f"departement/{d}" for d in departements},
                       set(table_rows(section(page, "titre-departements"))))
    mismatches.compare("page", "Nombre de communes", [str(len(communes))], numbers(facts["Nombre de communes"]))
    mismatches.compare("page", "Population municipale", [str(population)], numbers(facts["Population municipale"]))
    listed = by_phase(section(page, "titre-territoires"))
    for phase, expected in territories_touching(sources, communes).items():
        mismatches.compare("page", f"territories {phase}", expected, set(table_rows(listed.get(phase, ""))))
    mismatches.assert_none()
