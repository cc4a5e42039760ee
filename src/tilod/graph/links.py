"""Links out: what identifies our places elsewhere, derived from their records alone.

Each family of links is one kind of subject, one predicate and one target dataset; the release
describes each as a `void:Linkset` with its count (release/linksets.py) and every page shows the
links of its resource. Why these predicates (README, "Links out"):

- `foaf:page` to the national company directory: a page for people about the legal entity that
  bears the SIREN (the commune or the EPCI as an employer, its establishments), not the place.
- `rdfs:seeAlso` to geo.api.gouv.fr: a JSON record about the place (more about it, not an RDF
  description of the same thing), served from the same decoupage-administratif data we read.
- `dcat:landingPage` from a source to its page on data.gouv.fr, npm or GitHub
  (data/programme/pages-des-sources.ttl, as data/SOURCES.md names them).

No `owl:sameAs`: INSEE's own linked data names a place by an opaque IRI per version of it
(`http://id.insee.fr/geo/commune/<uuid>`), which no shipped file gives; one built from the code
would be a guess, and a wrong `owl:sameAs` merges two things for every reasoner.

>>> from tilod.records.models import Departement
>>> departement_links(Departement("02", "Aisne", "32"))
[(rdflib.term.URIRef('http://www.w3.org/2000/01/rdf-schema#seeAlso'), rdflib.term.URIRef('https://geo.api.gouv.fr/departements/02'))]
>>> target_of("https://geo.api.gouv.fr/communes/02408").title
'API Découpage administratif (geo.api.gouv.fr)'
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from tilod.graph.namespaces import DCAT, FOAF, IGEO, RDFS
from tilod.graph.uris import COMPANY_DIRECTORY, GEO_API, company_directory_page, geo_api_record
from tilod.records.models import Commune, Departement, Groupement, Region

Link = tuple[URIRef, URIRef]  # (predicate, object) of a link out of one resource


@dataclass(frozen=True)
class Target:
    """A dataset or site we link into, as VoID describes it."""

    key: str
    title: str  # its own name (in French, as its publisher writes it)
    homepage: str
    uri_space: str  # every link into it starts with this


@dataclass(frozen=True)
class Family:
    key: str
    title_fr: str
    title_en: str
    subject_class: URIRef
    predicate: URIRef
    target: Target


COMPANY_DIRECTORY_SITE = Target("annuaire-entreprises", "Annuaire des entreprises",
                                "https://annuaire-entreprises.data.gouv.fr/", COMPANY_DIRECTORY)
GEO_API_SITE = Target("api-geo", "API Découpage administratif (geo.api.gouv.fr)", GEO_API, GEO_API)
DATA_GOUV = Target("data-gouv-fr", "data.gouv.fr", "https://www.data.gouv.fr/", "https://www.data.gouv.fr/")
NPM = Target("npm", "npm", "https://www.npmjs.com/", "https://www.npmjs.com/package/")
GITHUB = Target("github", "GitHub", "https://github.com/", "https://github.com/")
TARGETS = (COMPANY_DIRECTORY_SITE, GEO_API_SITE, DATA_GOUV, NPM, GITHUB)

FAMILIES = (
    Family("annuaire-entreprises-epci", "Intercommunalités : leur page dans l'Annuaire des entreprises",
           "EPCIs: their page in the company directory", IGEO.Intercommunalite, FOAF.page,
           COMPANY_DIRECTORY_SITE),
    Family("annuaire-entreprises-communes", "Communes : leur page dans l'Annuaire des entreprises",
           "Communes: their page in the company directory", IGEO.Commune, FOAF.page, COMPANY_DIRECTORY_SITE),
    Family("api-geo-communes", "Communes : leur fiche dans l'API Découpage administratif",
           "Communes: their record in the geography API", IGEO.Commune, RDFS.seeAlso, GEO_API_SITE),
    Family("api-geo-epci", "Intercommunalités : leur fiche dans l'API Découpage administratif",
           "EPCIs: their record in the geography API", IGEO.Intercommunalite, RDFS.seeAlso, GEO_API_SITE),
    Family("api-geo-departements", "Départements : leur fiche dans l'API Découpage administratif",
           "Départements: their record in the geography API", IGEO.Departement, RDFS.seeAlso, GEO_API_SITE),
    Family("api-geo-regions", "Régions : leur fiche dans l'API Découpage administratif",
           "Régions: their record in the geography API", IGEO.Region, RDFS.seeAlso, GEO_API_SITE),
    Family("sources-data-gouv-fr", "Sources : leur page sur data.gouv.fr", "Sources: their page on data.gouv.fr",
           DCAT.Dataset, DCAT.landingPage, DATA_GOUV),
    Family("sources-npm", "Sources : leur page sur npm", "Sources: their page on npm",
           DCAT.Dataset, DCAT.landingPage, NPM),
    Family("sources-github", "Sources : leur page sur GitHub", "Sources: their page on GitHub",
           DCAT.Dataset, DCAT.landingPage, GITHUB),
)

#: the predicates of links out, shown on each page in this order
LINK_PREDICATES = (FOAF.page, RDFS.seeAlso, DCAT.landingPage, FOAF.homepage)

# geo.api.gouv.fr lists the overseas collectivities (COM) among its départements and régions only
# when asked (`zone=com`): their records are not linked.
GEO_API_ZONES = ("metro", "drom")


def target_of(href: str) -> Target | None:
    """The dataset a link points into, if it is one of ours."""
    return next((t for t in TARGETS if href.startswith(t.uri_space)), None)


def commune_links(commune: Commune) -> list[Link]:
    found = [(RDFS.seeAlso, geo_api_record("communes", commune.code))]
    if commune.siren:  # the collectivités d'outre-mer's communes have none in the source
        found.append((FOAF.page, company_directory_page(commune.siren)))
    return found


def groupement_links(groupement: Groupement) -> list[Link]:
    found = [(FOAF.page, company_directory_page(groupement.siren))]
    if groupement.nature != "EPT":  # geo.api.gouv.fr serves epci.json, not the EPTs of ept.json
        found.append((RDFS.seeAlso, geo_api_record("epcis", groupement.siren)))
    return found


def departement_links(departement: Departement) -> list[Link]:
    if departement.zone not in GEO_API_ZONES:
        return []
    return [(RDFS.seeAlso, geo_api_record("departements", departement.code))]


def region_links(region: Region) -> list[Link]:
    if region.zone not in GEO_API_ZONES:
        return []
    return [(RDFS.seeAlso, geo_api_record("regions", region.code))]
