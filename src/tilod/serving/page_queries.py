"""The SPARQL behind the HTML pages, and the one way to run it on either store.

Each query is a constant, as a `.rq` file would be. IRIs are written into the text (the
remote store has no other way to receive them), so each is first checked against
`SAFE_IRI`: only characters that cannot end the IRI or the query can get in.
"""

from __future__ import annotations

import json
from string import Template

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

# -- search -------------------------------------------------------------------------------------

SEARCH_INDEX = PREFIXES + """
SELECT ?kind ?item ?label ?alt ?code ?context WHERE {
  { ?item a tilod:TerritoireIndustrie ; rdfs:label ?label ; dcterms:identifier ?code ; tilod:phase ?phase .
    OPTIONAL { ?item skos:altLabel ?alt }
    OPTIONAL { ?phase rdfs:label ?context FILTER(lang(?context) = "fr") }
    BIND("territoire" AS ?kind) }
  UNION
  { ?item a igeo:Intercommunalite ; rdfs:label ?label ; tilod:siren ?code .
    OPTIONAL { ?item skos:altLabel ?alt }
    OPTIONAL { ?item tilod:natureJuridique/skos:prefLabel ?context FILTER(lang(?context) = "fr") }
    BIND("epci" AS ?kind) }
  UNION
  { ?item a igeo:Commune ; rdfs:label ?label ; igeo:codeINSEE ?code .
    OPTIONAL { ?item tilod:departement/rdfs:label ?context }
    BIND("commune" AS ?kind) }
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
