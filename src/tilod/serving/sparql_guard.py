"""Refuse what a public read-only endpoint must never run, before any engine sees the query.

Both engines tilod can use would fetch `SERVICE <url>` over HTTP, so the query text is
scanned for keywords at the token level: words inside strings, IRIs, comments, variables
and prefixed names do not count (`?service`, `ex:load`, `"SERVICE"` are fine).
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
    | (?P<word>[A-Za-z_][\w\-]*)
    | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)

FORBIDDEN = {
    "SERVICE": "SERVICE (federated queries) is not allowed on this public endpoint",
}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


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


def check_query(query: str) -> None:
    """Raise RefusedQuery for SERVICE, and for update operations sent as a query.

    >>> check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    tilod.serving.sparql_guard.RefusedQuery: SERVICE (federated queries) is not allowed on this public endpoint
    """
    words = keywords(query)
    for word in words:
        if word in FORBIDDEN:
            raise RefusedQuery(FORBIDDEN[word])
    first = next((w for w in words if w not in {"PREFIX", "BASE"}), None)
    if first in UPDATE_WORDS:
        raise RefusedQuery(f"{first}: this endpoint is read-only, updates are not accepted", 403)
