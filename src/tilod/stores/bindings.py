"""Binding IRIs into tilod's own queries, the same way on either store.

The page and describe queries name the IRIs they ask about as variables; a VALUES block at each
`#VALUES` line binds them. This is the one place IRIs are written into a query, each checked
first. On the embedded store it is also faster than the engine's `substitutions=`, with which the
engine joined whole tables before filtering.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: IRIs tilod mints (and its terms, with a fragment): only these characters, so one can be written
#: into a query safely
SAFE_IRI = re.compile(r"https?://[A-Za-z0-9.\-:\[\]]+(/(?:[A-Za-z0-9._~\-/]|%[0-9A-Fa-f]{2})*)?(#[A-Za-z0-9._~\-]*)?")
VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: where a query takes the VALUES block of its bindings: a line of its own, `#VALUES` (a comment elsewhere)
VALUES_LINE = re.compile(r"^([ \t]*)#VALUES[ \t]*$", re.MULTILINE)


def with_values(query: str, bindings: Mapping[str, str], base_iri: str | None = None) -> str:
    """`query` with its variables bound to IRIs by a VALUES block at each `#VALUES` line (and a
    BASE line for `base_iri`): the one place tilod's own queries get IRIs written into them,
    each first checked against `SAFE_IRI`, so that none can end the IRI or the query.

    >>> print(with_values("SELECT * WHERE {\\n  #VALUES\\n  ?s ?p ?o }", {"s": "http://x/id/a"}))
    SELECT * WHERE {
      VALUES (?s) { (<http://x/id/a>) }
      ?s ?p ?o }
    >>> with_values("SELECT * WHERE {\\n  #VALUES\\n  ?s ?p ?o }", {"s": "http://x/> ?p ?o } #"})
    Traceback (most recent call last):
    ...
    ValueError: not a safe IRI: 'http://x/> ?p ?o } #'
    """
    for iri in [*bindings.values(), *([base_iri] if base_iri is not None else [])]:
        if not SAFE_IRI.fullmatch(iri):
            raise ValueError(f"not a safe IRI: {iri!r}")
    for name in bindings:
        if not VARIABLE.fullmatch(name):
            raise ValueError(f"not a variable name: {name!r}")
    text = query
    if bindings:
        names = " ".join(f"?{name}" for name in bindings)
        row = " ".join(f"<{iri}>" for iri in bindings.values())
        text, count = VALUES_LINE.subn(lambda m: f"{m.group(1)}VALUES ({names}) {{ ({row}) }}", query)
        if not count:
            raise ValueError("the query has no #VALUES line for its bindings")
    return f"BASE <{base_iri}>\n{text}" if base_iri is not None else text
