"""The mistake finder never blames valid SPARQL: in each of these valid queries, made wrong only
at its end, the position given is the engine's (pyoxigraph's real message), not an earlier one."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import BASE, PREFIXES

from tilod.sparql.syntax_errors import diagnose

SRC = Path(__file__).resolve().parents[2] / "src/tilod"
VALID = {
    "paths": "SELECT ?n WHERE { ?t org:hasMember/rdfs:label ?n ; ^org:hasMember|tilod:phase+ ?x ; (a|^a) ?c }",
    "trailing ; and object lists": 'SELECT * WHERE { ?t a ?c ; rdfs:label ?a, ?b ; . ?t skos:altLabel "x"@fr, "y"@fr-FR }',
    "blank nodes": "SELECT * WHERE { [] a tilod:TerritoireIndustrie ; org:hasMember [ rdfs:label ?n ] . _:b ?p ?o }",
    "dots glued to terms": 'SELECT * WHERE { ?t a tilod:TerritoireIndustrie.\n ?t rdfs:label ?n.\n ?t ?p "x".\n ?t ?q 1.\n}',
    "VALUES": "SELECT * WHERE { VALUES (?a ?b) { (1 2) (UNDEF 3) } ?a ?p ?b } VALUES ?x { 1 2 3 4 tilod:a }",
    "typed literals and numbers": 'PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT * WHERE { ?t tilod:dateAnnonce "2023-11-09"^^xsd:date ; ?p -1.5 FILTER(?p > -1) }',
    "subquery with many variables": "SELECT DISTINCT ?a ?b ?c ?d ?e WHERE { { SELECT ?a ?b ?c ?d (COUNT(*) AS ?e) "
                                    "WHERE { ?a ?b ?c . ?c ?d ?x } GROUP BY ?a ?b ?c ?d HAVING (COUNT(*) > 1) "
                                    "ORDER BY ?a ?b ?c ?d } }",
    "filters and groups": "SELECT * { ?s ?p ?o FILTER(?o != 1) ?s ?q ?r OPTIONAL { ?r ?x ?y } ?s ?p2 ?o2 "
                          "FILTER NOT EXISTS { ?s a ?c } MINUS { ?s ?z ?w } { ?a ?b ?c } UNION { ?a ?d ?e } "
                          "BIND(STR(?o) AS ?text) GRAPH ?g { ?g1 ?g2 ?g3 } }",
    "aggregates": 'SELECT ?t (GROUP_CONCAT(?n; separator=", ") AS ?noms) (CONCAT(STR(?t), ", ") AS ?c) WHERE { ?t ?p ?n } '
                  "GROUP BY ?t",
    "CONSTRUCT and DESCRIBE": "CONSTRUCT { ?s ?p ?o . ?o ?q ?r } WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?r } }",
    "DESCRIBE": "DESCRIBE ?a ?b ?c ?d WHERE { ?a ?b ?c . ?c ?d ?e }",
    "braces in strings and comments": 'SELECT * WHERE { # } {\n ?s ?p "}" ; ?q "{ ?x ?y ?z ?w" ; ?r """a } b""" }',
    "lower case, no WHERE": "select * { ?s a ?c } order by desc(?s)",
    "BASE and the empty prefix": "BASE <http://localhost:8000/>\nPREFIX : <http://localhost:8000/def/tilod#>\n"
                                 "ASK { ?s a :TerritoireIndustrie ; :phase <id/phase/2023-2027> }",
}


#: and every query tilod ships (the examples, the pages')
CASES = {**{name: PREFIXES + query for name, query in VALID.items()},
         **{path.name: path.read_text(encoding="utf-8").replace("#VALUES", "")
            for path in sorted(SRC.glob("serving/**/*.rq"))}}


@pytest.mark.parametrize("name", list(CASES))
def test_valid_sparql_is_never_blamed(name):
    query = CASES[name]
    store = ox.Store()
    store.query(query, base_iri=BASE)  # valid, as the engine reads it
    broken = query + "\nLIMIT dix"  # a mistake at the very end
    with pytest.raises(SyntaxError) as refused:
        store.query(broken, base_iri=BASE)
    message = str(refused.value)
    line, column = map(int, re.match(r"error at (\d+):(\d+)", message).groups())
    problem = diagnose(broken, message)
    assert (problem.line, problem.column) == (line, column), (problem, message)
