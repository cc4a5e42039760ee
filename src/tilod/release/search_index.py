"""The names people search by (territories, EPCIs, communes), written into the release.

Asking the store for them takes ~1.5 s nationally (35,000 communes through the query
worker); read from `search-index.json` they load in tens of milliseconds, so a starting web
worker is ready for its first search at once. The server falls back to the query when the
file is missing (a release built before it existed).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from tilod.release import layout

#: one row per name of each thing
SEARCH_INDEX_QUERY = """PREFIX tilod: <https://w3id.org/tilod/def/tilod#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
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
VARIABLES = ("kind", "item", "label", "alt", "code", "context")


def write_search_index(store: ox.Store, folder: Path) -> int:
    """Write the rows of the query on `store` into `folder`; returns how many."""
    rows = []
    for solution in store.query(SEARCH_INDEX_QUERY):  # type: ignore[union-attr]
        row = {}
        for name in VARIABLES:
            term = solution[name]
            if term is not None:
                row[name] = term.value
        rows.append(row)
    rows.sort(key=lambda row: tuple(row.get(name, "") for name in VARIABLES))  # equal data, equal file
    (folder / layout.SEARCH_INDEX).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return len(rows)


def read_search_index(folder: Path) -> list[dict[str, str]] | None:
    """The rows written at build time, or None when the file is missing or unreadable."""
    try:
        rows = json.loads((folder / layout.SEARCH_INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "item" in r and "label" in r for r in rows):
        return None
    return rows
