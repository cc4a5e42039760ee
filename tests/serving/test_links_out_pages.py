"""Each resource's page shows its links out ("Ailleurs sur le web"), on a real server (both
stores): every link an <a rel="external"> named after the site it points into, with the SIREN
or INSEE code the source files give."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from helpers import assert_well_formed, page, section
from sources import read_sources

DIRECTORY = "https://annuaire-entreprises.data.gouv.fr/entreprise/"
GEO_API = "https://geo.api.gouv.fr/"


class Anchors(HTMLParser):
    """(href, rel, text) of every <a> of a piece of HTML."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []
        self._open: dict[str, str] | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open, self._text = {k: v or "" for k, v in attrs}, []

    def handle_data(self, data):
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            self.found.append((self._open.get("href", ""), self._open.get("rel", ""), "".join(self._text).strip()))
            self._open = None


def links_out(server, path: str, **params) -> set[tuple[str, str, str]]:
    text = page(server, path, **params).text
    assert_well_formed(text, params.get("lang", "fr"))
    return set(Anchors(section(text, "titre-ailleurs")).found)


def test_an_epci_page_links_to_its_directory_page_and_its_geo_api_record(server):
    epci = read_sources().epcis["200071892"]  # CA du Saint-Quentinois
    assert links_out(server, f"id/epci/{epci.siren}") == {
        (DIRECTORY + epci.siren, "external", "Annuaire des entreprises"),
        (f"{GEO_API}epcis/{epci.siren}", "external", "API Découpage administratif (geo.api.gouv.fr)"),
    }


def test_a_commune_page_links_to_its_directory_page_by_its_siren(server):
    laon = read_sources().communes["02408"]
    assert laon.siren
    assert links_out(server, f"id/commune/{laon.code}") == {
        (DIRECTORY + laon.siren, "external", "Annuaire des entreprises"),
        (f"{GEO_API}communes/{laon.code}", "external", "API Découpage administratif (geo.api.gouv.fr)"),
    }


@pytest.mark.parametrize(("path", "record"), [("id/departement/80", "departements/80"), ("id/region/32", "regions/32")])
def test_departement_and_region_pages_link_to_their_geo_api_record(server, path, record):
    assert links_out(server, path) == {(GEO_API + record, "external", "API Découpage administratif (geo.api.gouv.fr)")}


def test_a_source_and_the_press_release_issuer_link_to_their_own_pages(server):
    assert links_out(server, "id/source/decoupage-administratif") == {
        ("https://www.npmjs.com/package/@etalab/decoupage-administratif/v/6.0.0", "external", "npm")}
    # the issuer's site, as its press release writes it (www.aisne.gouv.fr): named by its host
    assert links_out(server, "id/acteur/prefet-aisne") == {("https://www.aisne.gouv.fr/", "external", "www.aisne.gouv.fr")}


def test_the_english_page_names_the_section_in_english(server):
    text = page(server, "id/epci/200071892", lang="en").text
    assert '<h2 id="titre-ailleurs">Elsewhere on the web</h2>' in text
    assert '<h2 id="titre-ailleurs">Ailleurs sur le web</h2>' in page(server, "id/epci/200071892").text


def test_a_territory_links_to_nothing_elsewhere_so_shows_no_such_section(server):
    assert 'id="titre-ailleurs"' not in page(server, "id/territoire/2023-2027/ti-3208").text
