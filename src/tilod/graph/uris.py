"""Where every URI tilod publishes is minted (Cool URIs: `{base}id/...` for things).

>>> uris = Uris("http://localhost:8000/")
>>> uris.territoire("2023-2027", "ti-3208")
rdflib.term.URIRef('http://localhost:8000/id/territoire/2023-2027/ti-3208')
>>> uris.epci("200071892")
rdflib.term.URIRef('http://localhost:8000/id/epci/200071892')
>>> uris.commune_geometrie("02691")
rdflib.term.URIRef('http://localhost:8000/id/commune/02691/geometrie')

An EPCI is one identity (its SIREN) with a version per vintage of the map, and the changes of the
map between two vintages are events (graph/versions.py):

>>> uris.epci_version("200040947", "2023")
rdflib.term.URIRef('http://localhost:8000/id/epci/200040947/2023')
>>> uris.evenement("2023", "200093201")
rdflib.term.URIRef('http://localhost:8000/id/evenement/2023/200093201')
>>> uris.reference_vintage("2019")
rdflib.term.URIRef('http://localhost:8000/id/source/decoupage-administratif/2019')

And the URIs of what identifies the same places elsewhere (graph/links.py), the same whatever the base:

>>> company_directory_page("200071892")
rdflib.term.URIRef('https://annuaire-entreprises.data.gouv.fr/entreprise/200071892')
>>> geo_api_record("communes", "02408")
rdflib.term.URIRef('https://geo.api.gouv.fr/communes/02408')

And, for each `{base}id/...` URI, where its history is (Memento, RFC 7089; serving/memento.py):

>>> uris.memento("20231114T120000Z", "http://localhost:8000/id/epci/200071892")
'http://localhost:8000/memento/20231114T120000Z/id/epci/200071892'
>>> uris.timegate("http://localhost:8000/id/epci/200071892")
'http://localhost:8000/timegate/id/epci/200071892'
>>> uris.timemap("http://localhost:8000/id/epci/200071892")
'http://localhost:8000/timemap/id/epci/200071892'
"""

from __future__ import annotations

from rdflib import URIRef

from tilod.graph.namespaces import ONTOLOGY_IRI, SHAPES_IRI, TILOD

# ANCT reuses territory ids across phases, so a territory's URI carries its phase.
from tilod.records.models import PHASE_1, PHASE_2023, PHASES

__all__ = [
    "COMPANY_DIRECTORY", "GEO_API", "PHASE_1", "PHASE_2023", "PHASES", "Uris", "company_directory_page",
    "geo_api_record",
]

#: the national company directory (DINUM): one page per SIREN, of a commune or an EPCI as a legal entity
COMPANY_DIRECTORY = "https://annuaire-entreprises.data.gouv.fr/entreprise/"
#: API Découpage administratif (geo.api.gouv.fr), served from decoupage-administratif: one JSON
#: record per commune, EPCI, département and région, at `{GEO_API}{collection}/{code}`
GEO_API = "https://geo.api.gouv.fr/"
GEO_API_COLLECTIONS = ("communes", "epcis", "departements", "regions")


def company_directory_page(siren: str) -> URIRef:
    return URIRef(COMPANY_DIRECTORY + siren)


def geo_api_record(collection: str, code: str) -> URIRef:
    if collection not in GEO_API_COLLECTIONS:
        raise ValueError(f"geo.api.gouv.fr has no collection {collection!r}")
    return URIRef(f"{GEO_API}{collection}/{code}")


class Uris:
    def __init__(self, base: str) -> None:
        self.base = base
        self.id = base + "id/"
        # the vocabulary keeps its persistent IRIs whatever the base (graph/namespaces.py)
        self.ontology = ONTOLOGY_IRI
        self.tilod = TILOD
        self.shapes = SHAPES_IRI
        self.dataset = URIRef(base + "id/jeu-de-donnees/tilod")
        self.programme = URIRef(self.id + "programme/territoires-d-industrie")
        self.press_release = URIRef(self.id + "source/communique-prefet-aisne-2023-11-14")
        self.reference_source = URIRef(self.id + "source/decoupage-administratif")
        #: IGN Admin Express outlines of communes, départements and régions (france-geojson)
        self.geometry_source = URIRef(self.id + "source/france-geojson")

    def _id(self, *parts: str) -> URIRef:
        return URIRef(self.id + "/".join(parts))

    def phase(self, phase: str) -> URIRef:
        return self._id("phase", phase)

    def territory_list(self, phase: str) -> URIRef:
        """The ANCT list a phase's territories and memberships come from."""
        return self._id("source", "anct-ti-2023" if phase == PHASE_2023 else "anct-ti-phase1")

    def territoire(self, phase: str, territory_id: str) -> URIRef:
        return self._id("territoire", phase, territory_id)

    def geometrie(self, phase: str, territory_id: str) -> URIRef:
        return self._id("territoire", phase, territory_id, "geometrie")

    def labellisation(self, phase: str, territory_id: str) -> URIRef:
        return self._id("labellisation", phase, territory_id)

    def adhesion(self, phase: str, territory_id: str, siren: str) -> URIRef:
        return self._id("adhesion", phase, territory_id, siren)

    def epci(self, siren: str) -> URIRef:
        return self._id("epci", siren)

    def epci_version(self, siren: str, year: str) -> URIRef:
        """The EPCI as the map of 1 January `year` has it."""
        return self._id("epci", siren, year)

    def evenement(self, year: str, siren: str) -> URIRef:
        """A change of the map seen between the vintage before `year` and `year`'s, named by the
        first SIREN it creates (or else suppresses, or else changes)."""
        return self._id("evenement", year, siren)

    def reference_vintage(self, year: str) -> URIRef:
        """An earlier vintage of decoupage-administratif (the current one is `reference_source`)."""
        return self._id("source", "decoupage-administratif", year)

    def commune(self, code: str) -> URIRef:
        return self._id("commune", code)

    def departement(self, code: str) -> URIRef:
        return self._id("departement", code)

    def region(self, code: str) -> URIRef:
        return self._id("region", code)

    # A place's outline is its own resource, `<place URI>/geometrie` (as a territory's).

    def epci_geometrie(self, siren: str) -> URIRef:
        return self._id("epci", siren, "geometrie")

    def commune_geometrie(self, code: str) -> URIRef:
        return self._id("commune", code, "geometrie")

    def departement_geometrie(self, code: str) -> URIRef:
        return self._id("departement", code, "geometrie")

    def region_geometrie(self, code: str) -> URIRef:
        return self._id("region", code, "geometrie")

    def nature_juridique(self, nature: str) -> URIRef:
        return self._id("nature-juridique", nature)

    def mode_financement(self, code: str) -> URIRef:
        return self._id("mode-financement", code)

    def jeu_de_donnees(self, name: str) -> URIRef:
        """A dataset of the catalogue: `tilod` (the data, as `dataset`), `ontologie`, `formes`..."""
        return self._id("jeu-de-donnees", name)

    @property
    def catalogue(self) -> URIRef:
        return self._id("catalogue", "tilod")

    def dump(self, version: str, filename: str) -> URIRef:
        """Download URL of one file of one release."""
        return URIRef(f"{self.base}dumps/{version}/{filename}")

    @property
    def sparql_endpoint(self) -> URIRef:
        return URIRef(self.base + "sparql")

    @property
    def jsonld_context(self) -> URIRef:
        """The JSON-LD context the release's JSON-LD names (a file of each release)."""
        return URIRef(self.base + "def/tilod/context.jsonld")

    def _history(self, kind: str, uri: str) -> str:
        if not uri.startswith(self.id):
            raise ValueError(f"{uri} is not a {self.id}... URI: it has no history here")
        return f"{self.base}{kind}/{uri[len(self.base):]}"

    def memento(self, version: str, uri: str) -> str:
        """`uri` as release `version` described it (URI-M)."""
        return self._history(f"memento/{version}", uri)

    def timegate(self, uri: str) -> str:
        """Where a request with Accept-Datetime is sent to the memento of `uri` then (URI-G)."""
        return self._history("timegate", uri)

    def timemap(self, uri: str) -> str:
        """The list of the mementos of `uri` (URI-T)."""
        return self._history("timemap", uri)

    @property
    def void(self) -> URIRef:
        return URIRef(self.base + ".well-known/void")
