"""The national release says what its sources say, for every territory, EPCI and commune.

Expected values come from the files in data/ through tests/sources.py (json and csv only);
actual ones from the release's store, with SPARQL. Each test lists every mismatch it finds.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pyoxigraph as ox
import pytest
from helpers import BASE, PREFIXES
from sources import PHASE_1, PHASE_2023, Mismatches, Sources, read_sources

from conftest import ROOT

pytestmark = pytest.mark.national

ID = BASE + "id/"
#: what is compared, by the name it has in the messages
TERRITORY_FACTS = {"name": "rdfs:label", "identifier": "dcterms:identifier", "phase": "tilod:phase",
                   "members": "org:hasMember", "populationTotale": "tilod:populationTotale",
                   "populationMunicipale": "tilod:populationMunicipale",
                   "départements": "tilod:departement", "régions": "tilod:region"}
EPCI_FACTS = {"name": "rdfs:label", "other names": "skos:altLabel", "siren": "tilod:siren",
              "nature": "tilod:natureJuridique", "populationTotale": "tilod:populationTotale",
              "populationMunicipale": "tilod:populationMunicipale",
              "départements": "tilod:departement", "régions": "tilod:region"}
COMMUNE_FACTS = {"name": "rdfs:label", "siren": "tilod:siren", "populationMunicipale": "tilod:populationMunicipale",
                 "département": "tilod:departement", "région": "tilod:region",
                 "part of": "igeo:subdivisionDirecteDe"}
PLACE_FACTS = {"name": "rdfs:label", "part of": "igeo:subdivisionDirecteDe"}

Facts = dict[str, dict[str, set[str]]]  # resource -> fact -> values


def short(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
    """A value as the messages show it: `epci/200054807` for `{base}id/epci/200054807`, a literal's text."""
    return term.value.removeprefix(ID)


def described(store: ox.Store, kind: str, facts: dict[str, str]) -> Facts:
    """Every resource of `kind` in the release -> each of `facts` -> the values it has."""
    found: Facts = defaultdict(lambda: defaultdict(set))
    for (resource,) in store.query(PREFIXES + f"SELECT ?x WHERE {{ ?x a {kind} }}"):
        found[short(resource)]  # a resource that has none of the facts still counts
    # one query a fact; for a kind that holds most subjects of the facts (the communes), reading
    # a fact whole and keeping that kind's subjects is twice as fast as joining it with the kind
    join = f"?x a {kind} ." if len(found) < 10_000 else ""
    for fact, prop in facts.items():
        for resource, value in store.query(PREFIXES + f"SELECT ?x ?value WHERE {{ {join} ?x {prop} ?value }}"):
            if short(resource) in found:
                found[short(resource)][fact].add(short(value))
    return found


def compare(mismatches: Mismatches, expected: Facts, actual: Facts, facts: list[str]) -> None:
    """Every resource of `expected` has exactly the expected values of `facts`; no other resource."""
    for resource in sorted(actual.keys() - expected.keys()):
        mismatches.add(f"{resource}: in the release, not in the sources")
    for resource in sorted(expected):
        if resource not in actual:
            mismatches.add(f"{resource}: in the sources, not in the release")
            continue
        for fact in facts:
            mismatches.compare(resource, fact, expected[resource].get(fact, set()), actual[resource].get(fact, set()))


@pytest.fixture(scope="module")
def sources() -> Sources:
    return read_sources()


@pytest.fixture(scope="module")
def territories(national_store: ox.Store) -> Facts:
    return described(national_store, "tilod:TerritoireIndustrie", TERRITORY_FACTS)


@pytest.fixture(scope="module")
def epcis(national_store: ox.Store) -> Facts:
    return described(national_store, "igeo:Intercommunalite", EPCI_FACTS)


@pytest.fixture(scope="module")
def communes(national_store: ox.Store) -> Facts:
    return described(national_store, "igeo:Commune", COMMUNE_FACTS)


def expected_territories(sources: Sources) -> Facts:
    expected: Facts = {}
    for (phase, tid), territory in sources.territories.items():
        departements = sources.departements_of(sources.communes_of_territory(territory))
        populations = [sources.population_of_member(s) for s in territory.members]
        expected[f"territoire/{phase}/{tid}"] = {
            "name": {territory.name}, "identifier": {tid}, "phase": {f"phase/{phase}"},
            "members": {sources.member_uri(s, nature) for s, (_, nature) in territory.members.items()},
            "populationTotale": {str(sum(total for total, _ in populations))},
            "populationMunicipale": {str(sum(municipal for _, municipal in populations))},
            "départements": {f"departement/{d}" for d in departements},
            "régions": {f"region/{r}" for r in sources.regions_of(departements)},
        }
    return expected


def test_the_territories_are_those_of_the_two_lists(sources, territories):
    phases = defaultdict(int)
    for phase, _ in sources.territories:
        phases[phase] += 1
    assert dict(phases) == {PHASE_2023: 183, PHASE_1: 149}  # the reader sees the whole lists
    assert len(sources.epcis) == 1266
    mismatches = Mismatches("the territories")
    compare(mismatches, expected_territories(sources), territories, ["identifier", "phase"])
    mismatches.assert_none()


def test_territory_members_are_those_of_anct_lists(sources, territories):
    mismatches = Mismatches("the members of the territories (ANCT's CSV lists)")
    compare(mismatches, expected_territories(sources), territories, ["members"])
    mismatches.assert_none()


def test_territory_members_are_those_of_anct_geojson(sources, territories):
    """ANCT's GeoJSON of 14 November 2023 lists each territory's members (`liste_geo`) too."""
    assert len(sources.geojson_members) == 183
    mismatches = Mismatches("the members of the 2023-2027 territories (ANCT's GeoJSON `liste_geo`)")
    for (phase, tid), sirens in sorted(sources.geojson_members.items()):
        resource = f"territoire/{phase}/{tid}"
        published = territories.get(resource, {}).get("members", set())
        # the release names members by URI; the GeoJSON by SIREN, and lists no commune as a member
        mismatches.compare(resource, "members", {f"epci/{s}" for s in sirens}, published)
    mismatches.assert_none()


def test_territory_names_are_those_of_anct(sources, territories):
    mismatches = Mismatches("the names of the territories")
    compare(mismatches, expected_territories(sources), territories, ["name"])
    assert len(sources.geojson_names) == 332
    for (phase, tid), name in sorted(sources.geojson_names.items()):
        resource = f"territoire/{phase}/{tid}"
        mismatches.compare(resource, "name (ANCT's GeoJSON)", {name}, territories.get(resource, {}).get("name"))
    mismatches.assert_none()


def test_territory_populations_are_the_sums_of_their_members(sources, territories):
    mismatches = Mismatches("the populations of the territories")
    compare(mismatches, expected_territories(sources), territories, ["populationTotale", "populationMunicipale"])
    mismatches.assert_none()


def test_territory_departements_and_regions_are_those_of_their_communes(sources, territories):
    mismatches = Mismatches("the départements and régions of the territories")
    compare(mismatches, expected_territories(sources), territories, ["départements", "régions"])
    mismatches.assert_none()


def expected_epcis(sources: Sources) -> Facts:
    names_as_written: dict[str, set[str]] = defaultdict(set)
    for territory in sources.territories.values():
        for siren, (name, _) in territory.members.items():
            names_as_written[siren].add(name)
    for row in sources.press_rows:
        names_as_written[row["siren"]].add(row["nom_communique"])
    expected: Facts = {}
    for siren, epci in sources.epcis.items():
        departements = sources.departements_of(set(epci.communes))
        official = {epci.name, epci.name_2023} - {None}
        # a list's or the press release's wording is kept as another name where it is not an
        # official one (the press release's is kept even when it is, as its own claim)
        press = {row["nom_communique"] for row in sources.press_rows if row["siren"] == siren}
        expected[f"epci/{siren}"] = {
            "name": {epci.name}, "siren": {siren}, "nature": {f"nature-juridique/{epci.nature}"},
            "other names": ({epci.name_2023} - {None}) | (names_as_written[siren] - official) | press,
            "populationTotale": {str(epci.population_totale)},
            "populationMunicipale": {str(epci.population_municipale)},
            "départements": {f"departement/{d}" for d in departements},
            "régions": {f"region/{r}" for r in sources.regions_of(departements)},
        }
    return expected


def test_epci_names_and_natures_are_those_of_decoupage_administratif(sources, epcis):
    mismatches = Mismatches("the names, SIRENs and natures of the EPCIs and EPTs")
    compare(mismatches, expected_epcis(sources), epcis, ["name", "other names", "siren", "nature"])
    mismatches.assert_none()


def test_epci_populations_are_those_of_decoupage_administratif(sources, epcis):
    mismatches = Mismatches("the populations of the EPCIs and EPTs")
    compare(mismatches, expected_epcis(sources), epcis, ["populationTotale", "populationMunicipale"])
    mismatches.assert_none()


def test_epci_communes_departements_and_regions(sources, epcis, communes):
    mismatches = Mismatches("the communes, départements and régions of the EPCIs and EPTs")
    compare(mismatches, expected_epcis(sources), epcis, ["départements", "régions"])
    published_communes: dict[str, set[str]] = defaultdict(set)
    for commune, facts in communes.items():
        for whole in facts.get("part of", set()):
            if whole.startswith("epci/"):
                published_communes[whole].add(commune)
    for siren, epci in sorted(sources.epcis.items()):
        mismatches.compare(f"epci/{siren}", "communes", {f"commune/{c}" for c in epci.communes},
                           published_communes.get(f"epci/{siren}", set()))
    mismatches.assert_none()


def test_communes_are_those_of_decoupage_administratif(sources, communes):
    epcis_of: dict[str, set[str]] = defaultdict(set)
    for siren, epci in sources.epcis.items():
        for code in epci.communes:
            epcis_of[code].add(f"epci/{siren}")
    expected: Facts = {}
    for code, commune in sources.communes.items():
        expected[f"commune/{code}"] = {
            "name": {commune.name},
            "siren": {commune.siren} if commune.siren else set(),
            "populationMunicipale": {str(commune.population)} if commune.population is not None else set(),
            "département": {f"departement/{commune.departement}"},
            "région": {f"region/{sources.departements[commune.departement][1]}"},
            "part of": {f"departement/{commune.departement}"} | epcis_of[code],
        }
    assert len(expected) == 34969
    mismatches = Mismatches("the communes")
    compare(mismatches, expected, communes, list(COMMUNE_FACTS))
    mismatches.assert_none()


def test_departements_and_regions_are_those_of_decoupage_administratif(sources, national_store):
    expected: Facts = {f"departement/{code}": {"name": {name}, "part of": {f"region/{region}"}}
                       for code, (name, region) in sources.departements.items()}
    expected |= {f"region/{code}": {"name": {name}, "part of": set()} for code, name in sources.regions.items()}
    actual = described(national_store, "igeo:Departement", PLACE_FACTS)
    actual |= described(national_store, "igeo:Region", PLACE_FACTS)
    mismatches = Mismatches("the départements and régions")
    compare(mismatches, expected, actual, list(PLACE_FACTS))
    mismatches.assert_none()


#: the vintages of decoupage-administratif published as versions, as the package's own table names them
VINTAGE_FILES = {"2019": ("0.3.0", ("epci",)), "2023": ("3.1.1", ("epci", "ept")), "2026": ("6.0.0", ("epci", "ept"))}
VERSION_FACTS = {"name": "igeo:nom", "nature": "tilod:natureJuridique", "populationTotale": "tilod:populationTotale",
                 "populationMunicipale": "tilod:populationMunicipale", "communes": "tilod:communeMembre",
                 "of": "dcterms:isVersionOf", "from": "schema:validFrom"}


def test_every_version_of_every_epci_is_that_of_its_vintage(national_store):
    """Each record of each vintage's epci.json and ept.json is one version with its facts, and the
    release has no other version."""
    expected: Facts = {}
    for year, (package, kinds) in VINTAGE_FILES.items():
        for kind in kinds:
            path = ROOT / "data/decoupage-administratif" / package / f"{kind}.json"
            for g in json.loads(path.read_text(encoding="utf-8")):
                expected[f"epci/{g['code']}/{year}"] = {
                    "name": {" ".join(g["nom"].split())},  # igeo:nom is an xsd:token
                    "nature": {f"nature-juridique/{g['type']}"},
                    "populationTotale": {str(g["populationTotale"])},
                    "populationMunicipale": {str(g["populationMunicipale"])},
                    "communes": {f"commune/{m['code']}" for m in g["membres"]},
                    "of": {f"epci/{g['code']}"}, "from": {f"{year}-01-01"},
                }
    prefixes = PREFIXES + "PREFIX schema: <http://schema.org/>\n"
    actual: Facts = defaultdict(lambda: defaultdict(set))
    for (version,) in national_store.query(prefixes + "SELECT ?v WHERE { ?v a tilod:VersionIntercommunalite }"):
        actual[short(version)]
    for fact, prop in VERSION_FACTS.items():
        query = prefixes + f"SELECT ?v ?value WHERE {{ ?v a tilod:VersionIntercommunalite ; {prop} ?value }}"
        for version, value in national_store.query(query):
            actual[short(version)][fact].add(short(value))
    mismatches = Mismatches("the versions of the EPCIs and EPTs")
    compare(mismatches, expected, actual, list(VERSION_FACTS))
    mismatches.assert_none()
