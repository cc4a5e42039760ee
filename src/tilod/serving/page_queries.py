"""The SPARQL behind the HTML pages, and the one way to run it on either store.

Each query is a constant, as a `.rq` file would be. IRIs are written into the text (the
remote store has no other way to receive them), so each is first checked against
`SAFE_IRI`: only characters that cannot end the IRI or the query can get in.
"""

from __future__ import annotations

import json
from string import Template

from tilod.serving.release import current_release, current_settings
from tilod.stores.base import DataStore, QueryRequest, StoreBusy, StoreUnavailable
from tilod.stores.remote import SAFE_IRI

PREFIXES = """PREFIX tilod: <${base}def/tilod#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
"""

# -- territory page -----------------------------------------------------------------------------

TERRITORY_MEMBERS = PREFIXES + """
SELECT ?member ?name ?natureLabel ?population ?commune WHERE {
  <${territory}> org:hasMember ?member .
  ?member rdfs:label ?name .
  OPTIONAL { ?member tilod:natureJuridique/skos:prefLabel ?natureLabel FILTER(lang(?natureLabel) = "fr") }
  OPTIONAL { ?member tilod:populationTotale ?total }
  OPTIONAL { ?member tilod:populationMunicipale ?municipal }
  BIND(COALESCE(?total, ?municipal) AS ?population)
  OPTIONAL { ?member a igeo:Commune BIND(true AS ?commune) }
}
"""

TERRITORY_LABELLING = PREFIXES + """
SELECT ?date ?source ?sourceLabel WHERE {
  <${territory}> tilod:labellisation ?labelling .
  OPTIONAL { ?labelling dcterms:date ?date }
  OPTIONAL { ?labelling dcterms:source ?source
             OPTIONAL { ?source rdfs:label ?sourceLabel FILTER(lang(?sourceLabel) = "fr") } }
}
"""

# communes of the member EPCIs, plus the member communes themselves (the territory is in
# each branch: a UNION's branches are evaluated on their own, and alone they match all France)
TERRITORY_COMMUNES = PREFIXES + """
SELECT (COUNT(DISTINCT ?commune) AS ?n) WHERE {
  { <${territory}> org:hasMember ?member . ?commune igeo:subdivisionDirecteDe ?member ; a igeo:Commune }
  UNION { <${territory}> org:hasMember ?commune . ?commune a igeo:Commune }
}
"""

# the same ANCT id in the other phases (ANCT reuses ids: often another territory)
OTHER_PHASES = PREFIXES + """
SELECT ?other ?label ?phase ?phaseLabel WHERE {
  VALUES ?other { ${others} }
  ?other a tilod:TerritoireIndustrie ; rdfs:label ?label ; tilod:phase ?phase .
  OPTIONAL { ?phase rdfs:label ?phaseLabel FILTER(lang(?phaseLabel) = "fr") }
}
"""

# -- EPCI page ----------------------------------------------------------------------------------

EPCI_NATURE = PREFIXES + """
SELECT ?nature ?label WHERE {
  <${epci}> tilod:natureJuridique ?nature .
  OPTIONAL { ?nature skos:prefLabel ?label FILTER(lang(?label) = "fr") }
}
"""

EPCI_TERRITORIES = PREFIXES + """
SELECT ?territory ?label ?id ?phase ?phaseLabel WHERE {
  ?territory org:hasMember <${epci}> ; a tilod:TerritoireIndustrie ;
             rdfs:label ?label ; dcterms:identifier ?id ; tilod:phase ?phase .
  OPTIONAL { ?phase rdfs:label ?phaseLabel FILTER(lang(?phaseLabel) = "fr") }
}
"""

EPCI_COMMUNES = PREFIXES + """
SELECT ?commune ?label ?code ?population WHERE {
  ?commune igeo:subdivisionDirecteDe <${epci}> ; a igeo:Commune ; rdfs:label ?label ; igeo:codeINSEE ?code .
  OPTIONAL { ?commune tilod:populationMunicipale ?population }
}
"""

# -- commune, département, région pages ----------------------------------------------------------

# the commune's EPCI (an EPT's communes also belong to the Métropole du Grand Paris: several rows)
COMMUNE_EPCIS = PREFIXES + """
SELECT ?epci ?label ?nature ?natureLabel WHERE {
  <${commune}> igeo:subdivisionDirecteDe ?epci .
  ?epci a igeo:Intercommunalite ; rdfs:label ?label .
  OPTIONAL { ?epci tilod:natureJuridique ?nature
             OPTIONAL { ?nature skos:prefLabel ?natureLabel FILTER(lang(?natureLabel) = "fr") } }
}
"""

# territories holding the commune's EPCI, or the commune itself (the commune is in each branch:
# see TERRITORY_COMMUNES)
COMMUNE_TERRITORIES = PREFIXES + """
SELECT ?territory ?label ?phase ?phaseLabel ?via ?viaLabel WHERE {
  { <${commune}> igeo:subdivisionDirecteDe ?via . ?territory org:hasMember ?via }
  UNION { ?territory org:hasMember <${commune}> BIND(<${commune}> AS ?via) }
  ?territory a tilod:TerritoireIndustrie ; rdfs:label ?label ; tilod:phase ?phase .
  OPTIONAL { ?via rdfs:label ?viaLabel }
  OPTIONAL { ?phase rdfs:label ?phaseLabel FILTER(lang(?phaseLabel) = "fr") }
}
"""

# EPCIs with at least one commune in the département (tilod:departement, derived from the
# communes), with their other départements
DEPARTEMENT_EPCIS = PREFIXES + """
SELECT ?epci ?label ?siren ?natureLabel ?population ?departement ?departementLabel WHERE {
  ?epci tilod:departement <${departement}> ; a igeo:Intercommunalite ; rdfs:label ?label ;
        tilod:departement ?departement .
  OPTIONAL { ?epci tilod:siren ?siren }
  OPTIONAL { ?epci tilod:natureJuridique/skos:prefLabel ?natureLabel FILTER(lang(?natureLabel) = "fr") }
  OPTIONAL { ?epci tilod:populationTotale ?population }
  OPTIONAL { ?departement rdfs:label ?departementLabel }
}
"""

# territories touching the place (tilod:departement or tilod:region: derived from the member
# communes), with their member count and each of their départements. FILTER EXISTS checks the
# few hundred territories one by one; `?territory tilod:region <r>` first would read every
# commune and EPCI of the région (4,000 in Auvergne-Rhône-Alpes: 8 times slower).
_PLACE_TERRITORIES = PREFIXES + """
SELECT ?territory ?label ?id ?phase ?phaseLabel ?members ?departement ?departementLabel WHERE {
  { SELECT ?territory (COUNT(DISTINCT ?member) AS ?members) WHERE {
      ?territory a tilod:TerritoireIndustrie FILTER EXISTS { ?territory tilod:PROPERTY <${place}> }
      ?territory org:hasMember ?member .
    } GROUP BY ?territory }
  ?territory rdfs:label ?label ; dcterms:identifier ?id ; tilod:phase ?phase ; tilod:departement ?departement .
  OPTIONAL { ?departement rdfs:label ?departementLabel }
  OPTIONAL { ?phase rdfs:label ?phaseLabel FILTER(lang(?phaseLabel) = "fr") }
}
"""
DEPARTEMENT_TERRITORIES = _PLACE_TERRITORIES.replace("PROPERTY", "departement")
REGION_TERRITORIES = _PLACE_TERRITORIES.replace("PROPERTY", "region")

# the communes of the place and their municipal population: INSEE's population municipale of a
# département or a région is the sum of its communes' (the graph has no figure of its own)
_PLACE_COMMUNES = PREFIXES + """
SELECT (COUNT(DISTINCT ?commune) AS ?communes) (SUM(?population) AS ?total) WHERE {
  ?commune tilod:PROPERTY <${place}> ; a igeo:Commune .
  OPTIONAL { ?commune tilod:populationMunicipale ?known }
  BIND(COALESCE(?known, 0) AS ?population)
}
"""
DEPARTEMENT_COMMUNES = _PLACE_COMMUNES.replace("PROPERTY", "departement")
REGION_COMMUNES = _PLACE_COMMUNES.replace("PROPERTY", "region")

# the phases, and the number of laureates a source stated for the place in each (tilod:Denombrement)
PLACE_PHASES = PREFIXES + """
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?phase ?phaseLabel ?count ?label ?n ?source ?sourceLabel WHERE {
  VALUES ?phase { ${phases} }
  OPTIONAL { ?phase rdfs:label ?phaseLabel FILTER(lang(?phaseLabel) = "fr") }
  OPTIONAL { ?count tilod:zone <${place}> ; a tilod:Denombrement ; tilod:phase ?phase ; tilod:nombre ?n .
             OPTIONAL { ?count rdfs:label ?label FILTER(lang(?label) = "fr") }
             OPTIONAL { ?count prov:wasDerivedFrom ?source
                        OPTIONAL { ?source rdfs:label ?sourceLabel FILTER(lang(?sourceLabel) = "fr") } } }
}
"""

# the région's départements (their territories are counted from REGION_TERRITORIES' rows)
REGION_DEPARTEMENTS = PREFIXES + """
SELECT ?departement ?label ?code WHERE {
  ?departement igeo:subdivisionDirecteDe <${region}> ; a igeo:Departement ; rdfs:label ?label .
  OPTIONAL { ?departement igeo:codeINSEE ?code }
}
"""

# -- landing page -------------------------------------------------------------------------------

PROGRAMME = PREFIXES + """
SELECT ?description ?phaseDescription WHERE {
  OPTIONAL { <${programme}> dcterms:description ?description FILTER(lang(?description) = "fr") }
  OPTIONAL { <${phase}> dcterms:description ?phaseDescription FILTER(lang(?phaseDescription) = "fr") }
}
"""

PRIORITIES = PREFIXES + """
SELECT ?priority ?label ?notation WHERE {
  <${phase}> tilod:priorite ?priority .
  ?priority skos:prefLabel ?label FILTER(lang(?label) = "fr")
  OPTIONAL { ?priority skos:notation ?notation }
} ORDER BY ?notation
"""

MEASURES = PREFIXES + """
SELECT ?measure ?label ?definition WHERE {
  <${phase}> tilod:mesure ?measure .
  ?measure skos:prefLabel ?label FILTER(lang(?label) = "fr")
  OPTIONAL { ?measure skos:definition ?definition FILTER(lang(?definition) = "fr") }
}
"""

TERRITORIES_BY_REGION = PREFIXES + """
SELECT ?region ?regionLabel ?territory ?label ?id (COUNT(DISTINCT ?member) AS ?members) WHERE {
  ?territory tilod:phase <${phase}> ; a tilod:TerritoireIndustrie ; rdfs:label ?label ;
             dcterms:identifier ?id ; tilod:region ?region ; org:hasMember ?member .
  ?region rdfs:label ?regionLabel .
} GROUP BY ?region ?regionLabel ?territory ?label ?id
"""

# -- maps (serving/maps.py) --------------------------------------------------------------------

GEO = "PREFIX geo: <http://www.opengis.net/ont/geosparql#>\n"

# the territory's members that have an outline (an EPCI's: the union of its communes')
TERRITORY_MAP = PREFIXES + GEO + """
SELECT ?member ?label ?wkt WHERE {
  <${territory}> org:hasMember ?member .
  ?member geo:hasGeometry/geo:asWKT ?wkt ; rdfs:label ?label FILTER(lang(?label) = "fr")
}
"""

# the EPCI's communes that have an outline
EPCI_MAP = PREFIXES + GEO + """
SELECT ?commune ?label ?wkt WHERE {
  ?commune igeo:subdivisionDirecteDe <${epci}> ; a igeo:Commune ;
           geo:hasGeometry/geo:asWKT ?wkt ; rdfs:label ?label FILTER(lang(?label) = "fr")
}
"""

# the régions and the territories of a phase that have an outline (the landing page's map)
NATIONAL_MAP = PREFIXES + GEO + """
SELECT ?kind ?item ?label ?wkt WHERE {
  { ?item a igeo:Region ; geo:hasGeometry/geo:asWKT ?wkt ; rdfs:label ?label
    BIND("region" AS ?kind) }
  UNION
  { ?item tilod:phase <${phase}> ; a tilod:TerritoireIndustrie ; geo:hasGeometry/geo:asWKT ?wkt ;
          rdfs:label ?label
    BIND("territoire" AS ?kind) }
  FILTER(lang(?label) = "fr")
}
"""

RESULTS_JSON = "application/sparql-results+json"


class PageQueryError(RuntimeError):
    """The store refused one of tilod's own queries: a bug, not the reader's fault."""


def bind(query: str, base: str, **iris: str | list[str]) -> str:
    """The query with `${name}` replaced by checked IRIs (a list becomes `<a> <b>`, for VALUES).

    >>> bind("SELECT * { <${t}> ?p ?o }", "http://x/", t="http://x/id/a")
    'SELECT * { <http://x/id/a> ?p ?o }'
    >>> bind("SELECT * { <${t}> ?p ?o }", "http://x/", t="http://x/> ?p ?o } #")
    Traceback (most recent call last):
    ...
    ValueError: not a safe IRI: 'http://x/> ?p ?o } #'
    """
    values: dict[str, str] = {}
    for name, value in {"base": base, **iris}.items():
        for iri in [value] if isinstance(value, str) else value:
            if not SAFE_IRI.fullmatch(iri):
                raise ValueError(f"not a safe IRI: {iri!r}")
        values[name] = value if isinstance(value, str) else " ".join(f"<{iri}>" for iri in value)
    return Template(query).substitute(values)


def select(data: DataStore, query: str, base: str, **iris: str | list[str]) -> list[dict[str, str]]:
    """Rows of a SELECT as {variable: value} (unbound variables are absent)."""
    request = QueryRequest(bind(query, base, **iris), RESULTS_JSON)
    try:
        reply = data.query(request)
    except StoreBusy:
        raise StoreUnavailable("every query worker is busy") from None
    except (EOFError, OSError):
        raise StoreUnavailable("a query worker stopped") from None
    if reply.status != 200:
        raise PageQueryError(f"the store answered {reply.status}: {reply.body[:300]!r}")
    bindings = json.loads(reply.body)["results"]["bindings"]
    return [{name: cell["value"] for name, cell in row.items()} for row in bindings]


def select_served(query: str, **iris: str | list[str]) -> list[dict[str, str]]:
    """`select` on the release the app serves, with its base URI (in a request or app context)."""
    return select(current_release().data, query, current_settings().base_uri, **iris)
