"""The SPARQL 1.1 Protocol, query side (https://www.w3.org/TR/sparql11-protocol/#query-operation).

The rules for reading a query operation from a request, whatever web framework carries it:
the three ways to send a query (GET, form POST, direct POST), their parameters, the body's
charset, the dataset's IRIs, and the query's form. Read-only: updates are refused (403).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from tilod.sparql.guard import RefusedQuery, leading_keyword

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
READ_ONLY = "updates are not accepted: this endpoint is read-only"
#: the four query forms (https://www.w3.org/TR/sparql11-query/#QueryForms)
RESULT_FORMS = {"SELECT", "ASK"}
GRAPH_FORMS = {"CONSTRUCT", "DESCRIBE"}


class Params(Protocol):
    """A request's parameters (URL or form): each name may come several times."""

    def getlist(self, key: str) -> list[str]: ...

    def __contains__(self, key: object) -> bool: ...


@dataclass(frozen=True)
class Operation:
    query: str | None
    default_graphs: list[str]
    named_graphs: list[str]


def _one(values: list[str], name: str) -> str | None:
    """The value of a parameter that may be given at most once."""
    if len(values) > 1:
        raise RefusedQuery(f"the '{name}' parameter must be given once, it was given {len(values)} times")
    return values[0] if values else None


def read_operation(method: str, args: Params, mimetype: str, charset: str | None,
                   body: Callable[[], bytes], form: Callable[[], Params]) -> Operation:
    """The query and its dataset, per the protocol's three ways; RefusedQuery says what is wrong.

    `body` and `form` read the request's body (as bytes, as a parsed form) only when needed.
    """
    if method == "GET":
        if "update" in args:
            raise RefusedQuery(READ_ONLY, 403)
        return Operation(_one(args.getlist("query"), "query"), args.getlist("default-graph-uri"),
                         args.getlist("named-graph-uri"))
    if mimetype == FORM:
        try:  # a form parser may silently read a body that is not UTF-8 as an empty form
            body().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RefusedQuery(f"the form is not valid UTF-8 (byte {exc.start}): percent-encode UTF-8") from None
        fields = form()
        if "update" in fields:
            raise RefusedQuery(READ_ONLY, 403)
        if "query" in args:
            raise RefusedQuery("with a form POST, 'query' goes in the body, not the URL")
        return Operation(_one(fields.getlist("query"), "query"),
                         fields.getlist("default-graph-uri") + args.getlist("default-graph-uri"),
                         fields.getlist("named-graph-uri") + args.getlist("named-graph-uri"))
    if mimetype == QUERY_BODY:
        if "query" in args:
            raise RefusedQuery("with application/sparql-query, the query is the body, not a parameter")
        charset = (charset or "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise RefusedQuery(f"charset {charset} is not supported: send UTF-8", 415)
        try:
            text = body().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RefusedQuery(f"the query is not valid UTF-8 (byte {exc.start})") from None
        return Operation(text, args.getlist("default-graph-uri"), args.getlist("named-graph-uri"))
    if mimetype == UPDATE_BODY:
        raise RefusedQuery(READ_ONLY, 403)
    raise RefusedQuery(f"unsupported Content-Type {mimetype or '(none)'}: use {FORM} or {QUERY_BODY}", 415)


def format_name(args: Params, mimetype: str, form: Callable[[], Params]) -> str | None:
    """The `?format=` a request names (in the URL, or in a form POST's body), normalized."""
    names = args.getlist("format") or (form().getlist("format") if mimetype == FORM else [])
    return names[0].strip().lower() if names else None


def graph_uris(uris: list[str]) -> tuple[str, ...]:
    """The dataset's graph IRIs, each checked to be an absolute IRI."""
    for uri in uris:
        if not uri or any(c in uri for c in '<>" {}|\\^`\n\r\t') or ":" not in uri:
            raise RefusedQuery(f"not an absolute IRI: {uri!r}")
    return tuple(uris)


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue; None when the
    text has no query form (the engine will refuse it and say why).

    >>> query_form('PREFIX ex: <http://x/> CONSTRUCT { ?s ?p ?o } WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }')
    'CONSTRUCT'
    >>> query_form("not a query") is None
    True
    """
    word = leading_keyword(query)
    return word if word in RESULT_FORMS | GRAPH_FORMS else None
