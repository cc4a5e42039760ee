"""A query's text as the answer cache keys it: two texts that differ only in white space and
comments are one query, and a query whose answer may change from one run to the next is never
keyed (the SPARQL functions that draw a random number, the clock or a fresh identifier).
"""

from __future__ import annotations

import functools

from tilod.sparql.guard import TOKEN

#: functions whose value differs at each evaluation (https://www.w3.org/TR/sparql11-query/#FuncRand,
#: #func-now, #func-uuid, #func-struuid, #func-bnode): the same query, another answer
NON_DETERMINISTIC = {"RAND", "NOW", "UUID", "STRUUID", "BNODE"}


def stable_text(query: str) -> str | None:
    """The query with comments dropped and each run of white space (outside strings and IRIs)
    made one space; None when its answer may change between runs.

    Where two terms touch (`?s<p>`), they still touch: only the length of a gap changes.

    >>> stable_text("SELECT  ?s\\n WHERE {\\t?s ?p 'a  b' } # all")
    "SELECT ?s WHERE { ?s ?p 'a  b' }"
    >>> stable_text("SELECT (rand() AS ?r) WHERE {}") is None
    True
    """
    return _short_stable_text(query) if len(query) <= MEMO_LENGTH else _stable_text(query)


#: texts up to this long are remembered (at most MEMO_SIZE of them: a few MB), so that a query
#: sent again is not scanned again
MEMO_LENGTH, MEMO_SIZE = 4096, 1024


@functools.lru_cache(maxsize=MEMO_SIZE)
def _short_stable_text(query: str) -> str | None:
    return _stable_text(query)


def _stable_text(query: str) -> str | None:
    parts: list[str] = []
    end = 0
    for match in TOKEN.finditer(query):
        kind = match.lastgroup
        if kind == "comment":
            continue
        if kind == "word" and match.group().upper() in NON_DETERMINISTIC:
            return None
        if parts and match.start() > end:
            parts.append(" ")
        parts.append(match.group())
        end = match.end()
    return "".join(parts)
