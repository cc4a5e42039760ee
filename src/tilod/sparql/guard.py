"""Refuse what a public read-only endpoint must never run, before any engine sees the query.

Both engines tilod can use would fetch `SERVICE <url>` over HTTP, so the query text is
scanned for keywords at the token level: words inside strings, IRIs, comments, variables
and prefixed names do not count (`?service`, `ex:load`, `"SERVICE"` are fine).

Both engines also parse and evaluate recursively, with no depth limit of their own: a few
thousand nested brackets or chained operators overflow a thread's stack, which kills a query
worker, or the whole Oxigraph server of the remote backend. So the query's shape is bounded
too, far below where either engine breaks (and far above what a person or a tool writes).
"""

from __future__ import annotations

import re

# One alternative per lexical form; only bare words (group "word") are keywords.
TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<long_string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
    | (?P<string>'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\s]*>)
    | (?P<variable>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<pname>[\w.\-\u00b7]*:[\w.\-:%\\\u00b7]*)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    | (?P<word>[A-Za-z_][\w\-]*)
    | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)

FORBIDDEN = {
    "SERVICE": "SERVICE (federated queries) is not allowed on this public endpoint",
}
#: brackets ( { [ open inside one another: an engine recurses once per level at least
MAX_DEPTH = 100
#: operators, keywords and brackets in the whole query (terms and VALUES data excepted): each
#: one can add a level to the operator tree an engine evaluates recursively
MAX_OPERATORS = 2000
TERMS = {"iri", "pname", "variable", "string", "long_string", "number", "langtag", "comment"}
TERM_WORDS = {"A", "TRUE", "FALSE", "UNDEF"}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
PROLOGUE_WORDS = {"PREFIX", "BASE"}


class RefusedQuery(ValueError):
    """The query asks for something this endpoint does not do; the message says what."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def keywords(query: str) -> list[str]:
    """Upper-cased bare words of a SPARQL text, outside strings, IRIs and comments.

    >>> keywords('SELECT ?service WHERE { ?s <http://x/SERVICE> "LOAD" } # DROP')
    ['SELECT', 'WHERE']
    """
    return [m.group("word").upper() for m in TOKEN.finditer(query) if m.group("word")]


def leading_keyword(query: str) -> str | None:
    """The first keyword after the PREFIX / BASE prologue: a query's form, an update's operation.

    Stops there: the rest of a long query is not scanned.

    >>> leading_keyword("PREFIX select: <http://x/> # ASK\\nBASE <http://y/> construct { ?s ?p ?o } WHERE {}")
    'CONSTRUCT'
    """
    for match in TOKEN.finditer(query):
        word = match.group("word")
        if word and word.upper() not in PROLOGUE_WORDS:
            return word.upper()
    return None


def check_query(query: str) -> None:
    """Raise RefusedQuery for SERVICE, and for update operations sent as a query.

    >>> check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    tilod.sparql.guard.RefusedQuery: SERVICE (federated queries) is not allowed on this public endpoint
    """
    check_shape(query)
    for word in keywords(query):
        if word in FORBIDDEN:
            raise RefusedQuery(FORBIDDEN[word])
    first = leading_keyword(query)
    if first in UPDATE_WORDS:
        raise RefusedQuery(f"{first}: this endpoint is read-only, updates are not accepted", 403)


def check_shape(query: str) -> None:
    """Raise RefusedQuery (400) for a query nested too deeply or with too many operators.

    `^` (inverse path, datatype) is not counted: engines read a run of it without recursing.

    >>> check_shape("ASK { " + "{" * 150 + " } " + "}" * 150)
    Traceback (most recent call last):
    ...
    tilod.sparql.guard.RefusedQuery: query nested too deeply: more than 100 levels of ( { [
    >>> check_shape("ASK { VALUES ?x { " + " ".join(map(str, range(50_000))) + " } }")  # data: fine
    """
    depth = deepest = operators = 0
    values_pending = False
    values_depth: int | None = None  # depth of the VALUES data block we are in
    for match in TOKEN.finditer(query):
        kind, text = match.lastgroup, match.group()
        if kind in TERMS or text == "^" or (kind == "word" and text.upper() in TERM_WORDS):
            continue
        if text in "({[":
            if text == "{" and values_pending:
                values_pending, values_depth = False, depth
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                raise RefusedQuery(f"query nested too deeply: more than {MAX_DEPTH} levels of ( {{ [")
        elif text in ")}]":
            depth = max(depth - 1, 0)
            if values_depth is not None and depth <= values_depth:
                values_depth = None
            continue
        elif kind == "word" and text.upper() == "VALUES":
            values_pending = True
        if values_depth is None:
            operators += 1
            if operators > MAX_OPERATORS:
                raise RefusedQuery(f"query too complex: more than {MAX_OPERATORS} operators, keywords and brackets "
                                   "(long lists of values belong in a VALUES block)")
