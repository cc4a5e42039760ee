"""Links out of the Aisne+Somme graph, each compared with what the source files say.

Expected URLs are the public patterns of each site, filled with the SIREN or INSEE code that
tests/sources.py reads from decoupage-administratif; the sources' pages must be those
data/SOURCES.md names.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from helpers import BASE
from rdflib import Graph, URIRef
from rdflib import namespace as ns
from sources import CURRENT_MAP, DATA, Mismatches, read_sources

ID = BASE + "id/"
IGEO = ns.Namespace("http://rdf.insee.fr/def/geo#")
DIRECTORY = "https://annuaire-entreprises.data.gouv.fr/"
GEO_API = "https://geo.api.gouv.fr/"
PRESS_RELEASE = URIRef(ID + "source/communique-prefet-aisne-2023-11-14")


def zones(name: str) -> dict[str, str]:
    """code -> zone (metro, drom, com) of decoupage-administratif's départements or régions."""
    return {r["code"]: r["zone"] for r in json.loads((CURRENT_MAP / name).read_text(encoding="utf-8"))}


def links_into(graph: Graph, subject: URIRef, predicate: URIRef, site: str) -> set[str]:
    return {str(o) for o in graph.objects(subject, predicate) if str(o).startswith(site)}


def places(graph: Graph, kind: URIRef, folder: str) -> list[tuple[URIRef, str]]:
    """(URI, code in the URI) of every place of a class in the graph."""
    found = [(s, str(s).removeprefix(ID + folder + "/")) for s in graph.subjects(ns.RDF.type, kind)]
    assert found, kind
    return found


def test_each_epci_links_to_its_directory_page_and_its_geo_api_record(subset_graph):
    sources = read_sources()
    wrong = Mismatches("the EPCIs' links")
    for uri, siren in places(subset_graph, IGEO.Intercommunalite, "epci"):
        epci = sources.epcis[siren]
        wrong.compare(siren, "directory page", {f"{DIRECTORY}entreprise/{epci.siren}"},
                      links_into(subset_graph, uri, ns.FOAF.page, DIRECTORY))
        # the API serves decoupage-administratif's epci.json: every EPCI but the EPTs of ept.json
        expected = set() if epci.nature == "EPT" else {f"{GEO_API}epcis/{epci.siren}"}
        wrong.compare(siren, "geo.api record", expected, links_into(subset_graph, uri, ns.RDFS.seeAlso, GEO_API))
    wrong.assert_none()


def test_each_commune_links_to_its_geo_api_record_and_its_directory_page_if_it_has_a_siren(subset_graph):
    sources = read_sources()
    wrong = Mismatches("the communes' links")
    for uri, code in places(subset_graph, IGEO.Commune, "commune"):
        commune = sources.communes[code]
        wrong.compare(code, "geo.api record", {f"{GEO_API}communes/{commune.code}"},
                      links_into(subset_graph, uri, ns.RDFS.seeAlso, GEO_API))
        expected = {f"{DIRECTORY}entreprise/{commune.siren}"} if commune.siren else set()
        wrong.compare(code, "directory page", expected, links_into(subset_graph, uri, ns.FOAF.page, DIRECTORY))
    wrong.assert_none()


def test_each_departement_and_region_links_to_its_geo_api_record(subset_graph):
    wrong = Mismatches("the départements' and régions' links")
    for kind, folder, collection, source in ((IGEO.Departement, "departement", "departements", "departements.json"),
                                             (IGEO.Region, "region", "regions", "regions.json")):
        zone = zones(source)
        for uri, code in places(subset_graph, kind, folder):
            expected = {f"{GEO_API}{collection}/{code}"} if zone[code] != "com" else set()
            wrong.compare(f"{folder} {code}", "geo.api record", expected,
                          links_into(subset_graph, uri, ns.RDFS.seeAlso, GEO_API))
            wrong.compare(f"{folder} {code}", "directory page", set(),
                          links_into(subset_graph, uri, ns.FOAF.page, DIRECTORY))
    wrong.assert_none()


def test_no_place_is_said_to_be_the_same_as_anything(subset_graph):
    """No shipped file gives INSEE's own IRIs of the places (README, "Links out")."""
    assert not list(subset_graph.triples((None, ns.OWL.sameAs, None)))


def test_the_press_release_names_laon_as_our_commune(subset_graph):
    laon = [c.code for c in read_sources().communes.values() if c.name == "Laon"]
    assert len(laon) == 1
    assert set(subset_graph.objects(PRESS_RELEASE, ns.DCTERMS.spatial)) == {URIRef(ID + "commune/" + laon[0])}


def test_each_source_links_to_the_pages_sources_md_names(subset_graph):
    """Each source's pages are on data.gouv.fr, npm or GitHub, and name what data/SOURCES.md gives
    as its origin: a repository `owner/name`, a package `name@version`, a data.gouv.fr dataset."""
    sources_md = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    pages: dict[str, set[str]] = {}
    for source in subset_graph.subjects(ns.RDF.type, ns.DCAT.Dataset):
        pages[str(source).removeprefix(ID + "source/")] = {
            str(o) for o in subset_graph.objects(source, ns.DCAT.landingPage)}
    assert set(pages) == {"anct-ti-2023", "anct-ti-phase1", "decoupage-administratif", "france-geojson",
                          "decoupage-administratif/2019", "decoupage-administratif/2023"}
    named = {}
    for source, urls in pages.items():
        assert urls, f"{source} has no page"
        for url in urls:
            parts = urlsplit(url)
            path = parts.path.strip("/")
            if parts.netloc == "github.com":
                named[url] = path
            elif parts.netloc == "www.npmjs.com":
                package = re.fullmatch(r"package/(?P<name>.+)/v/(?P<version>[0-9.]+)", path)
                assert package, url
                named[url] = f"{package['name']}@{package['version']}"
            elif parts.netloc == "www.data.gouv.fr":
                dataset = re.fullmatch(r"fr/datasets/(?P<slug>[-a-z0-9]+)", path)
                assert dataset, url
                named[url] = f'data.gouv.fr dataset "{dataset["slug"]}"'
            else:
                raise AssertionError(f"{source}: {url} is on no site we link into")
    unnamed = {url: name for url, name in named.items() if name not in sources_md}
    assert not unnamed, unnamed
