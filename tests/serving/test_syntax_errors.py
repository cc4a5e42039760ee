"""SPARQL syntax errors in plain words, on both stores: the mistakes analysts make, on the
data's own terms, each answered with its line, column, what was expected and what was found."""

from __future__ import annotations

import html
import re

import pytest
import requests
from helpers import BROWSER, PREFIXES, media_type

TIMEOUT = 20
#: the queries below start on the line after the prefixes
AFTER = PREFIXES.count("\n")

#: mistake -> (query, line, column, what the sentence says after "ligne L, colonne C : ")
MISTAKES = {
    "missing }": (
        PREFIXES + "SELECT ?territoire ?nom WHERE {\n  ?territoire a tilod:TerritoireIndustrie ;\n    rdfs:label ?nom .\n",
        AFTER + 3, 22,
        f"on attendait « }} », trouvé la fin de la requête (pour refermer « {{ » ouvert ligne {AFTER + 1}, colonne 31)"),
    "missing .": (
        PREFIXES + 'SELECT ?commune WHERE {\n  ?commune a igeo:Commune\n  ?commune rdfs:label "Saint-Quentin"@fr\n}',
        AFTER + 3, 3, "on attendait « . » pour finir le motif de triplet précédent, trouvé « ?commune »"),
    "unknown prefix": (
        "SELECT ?territoire WHERE {\n  ?territoire a tilod:TerritoireIndustrie\n}",
        2, 17, "on attendait un préfixe déclaré, trouvé « tilod:TerritoireIndustrie » "
               "(déclarez-le en tête de la requête : PREFIX tilod: <…>)"),
    "SELECT without variables": (
        PREFIXES + "SELECT WHERE {\n  ?commune a igeo:Commune\n}",
        AFTER + 1, 8, "on attendait une variable, « * » ou une expression (… AS ?nom), trouvé « WHERE »"),
    "stray comma": (
        PREFIXES + "SELECT ?commune, ?nom WHERE {\n  ?commune a igeo:Commune ;\n    rdfs:label ?nom\n}",
        AFTER + 1, 16, "on attendait une variable, « * » ou une expression (… AS ?nom) ou « WHERE », trouvé « , » "
                       "(les variables d'un SELECT se séparent par des espaces, sans virgule)"),
    "aggregate without AS": (
        PREFIXES + "SELECT ?region (COUNT(?territoire) ?nombre) WHERE {\n  ?territoire tilod:region ?region\n}\n"
                   "GROUP BY ?region",
        AFTER + 1, 36, "on attendait « AS », trouvé « ?nombre »"),
    "object missing": (
        PREFIXES + "SELECT ?epci WHERE {\n  ?epci tilod:siren }",
        AFTER + 2, 21, "on attendait un objet (une variable, une IRI ou un littéral), trouvé « } »"),
}


def ask(server, query: str, **headers: str) -> requests.Response:
    return requests.get(server.sparql, params={"query": query}, headers=headers, timeout=TIMEOUT)


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_a_syntax_error_says_where_and_what_was_expected(server, mistake):
    query, line, column, words = MISTAKES[mistake]
    response = ask(server, query)
    assert response.status_code == 400, response.text
    assert media_type(response) == "text/plain"
    assert f"Erreur de syntaxe SPARQL, ligne {line}, colonne {column} : {words}." in response.text, response.text


def test_the_three_ways_get_the_same_words(server):
    query, line, column, words = MISTAKES["missing ."]
    sentence = f"ligne {line}, colonne {column} : {words}."
    by_form = requests.post(server.sparql, data={"query": query}, timeout=TIMEOUT)
    direct = requests.post(server.sparql, data=query.encode("utf-8"), timeout=TIMEOUT,
                           headers={"Content-Type": "application/sparql-query"})
    for response in (by_form, direct):
        assert response.status_code == 400
        assert sentence in response.text, response.text


def test_the_line_is_shown_with_a_caret_under_the_column(server):
    query = MISTAKES["missing ."][0]
    response = ask(server, query)
    assert '\n  ?commune rdfs:label "Saint-Quentin"@fr\n  ^\n' in response.text, response.text


def test_on_the_first_line_the_engine_position_is_the_query_own(server):
    """No mistake the checks know: the engine's finding, at the same place on both stores
    (the remote one is sent a BASE in front of the query, on its first line)."""
    response = ask(server, "SELECT * WHERE { ?s ?p ?o } LIMIT dix")
    assert response.status_code == 400
    assert "ligne 1, colonne 35 : on attendait " in response.text, response.text
    assert ", trouvé « dix »." in response.text, response.text


def test_the_error_is_in_english_on_request(server):
    query, line, column, _ = MISTAKES["stray comma"]
    response = requests.get(server.sparql, params={"query": query, "lang": "en"}, timeout=TIMEOUT)
    assert response.status_code == 400
    assert (f'SPARQL syntax error, line {line}, column {column}: expected a variable, "*" or an expression '
            '(… AS ?name) or "WHERE", found "," (a SELECT\'s variables are separated by spaces, without commas).'
            in response.text), response.text


def test_a_browser_sees_the_error_under_its_query(server):
    query, line, column, words = MISTAKES["missing ."]
    response = ask(server, query, Accept=BROWSER)
    assert response.status_code == 400
    assert media_type(response) == "text/html"
    (error,) = re.findall(r'<pre class="erreur"[^>]*>(.*?)</pre>', response.text, re.DOTALL)
    error = html.unescape(error)
    assert error.startswith(f"Erreur de syntaxe SPARQL, ligne {line}, colonne {column} : {words}.\n")
    assert '\n  ?commune rdfs:label "Saint-Quentin"@fr\n  ^\n' in error
