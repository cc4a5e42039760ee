"""Triples -> bytes in the negotiated format, and -> rows for the HTML page."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from tilod.graph import jsonld
from tilod.graph.namespaces import STANDARD_PREFIXES
from tilod.graph.turtle import turtle
from tilod.sparql.media_types import RDF_FORMATS

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
JSON_LD, TURTLE = "application/ld+json", "text/turtle"
#: the document forms of a resource linked from its page: (suffix, name, media type)
FORMAT_LINKS = [("ttl", "Turtle", TURTLE), ("jsonld", "JSON-LD", JSON_LD),
                ("nt", "N-Triples", "application/n-triples"), ("rdf", "RDF/XML", "application/rdf+xml")]


def serialize(triples: list[ox.Triple], media_type: str, prefixes: dict[str, str], about: str) -> bytes:
    """Turtle grouped by subject (`about` first); N-Triples and RDF/XML as pyoxigraph writes them."""
    if media_type == TURTLE:
        return turtle(triples, {**STANDARD_PREFIXES, **prefixes}, first=about)
    data = ox.serialize(triples, format=RDF_FORMATS[media_type][1], prefixes={**STANDARD_PREFIXES, **prefixes})
    assert data is not None
    return data


def json_ld(about: str, triples: list[ox.Triple], context: jsonld.Context, context_ref: str | dict[str, Any]) -> bytes:
    """One compacted node object for `about` (see graph/jsonld.py); `context_ref` is the context's
    URL, or the context itself to inline it."""
    return json.dumps(jsonld.describe(about, triples, context, context_ref), ensure_ascii=False).encode("utf-8")


def compact(iri: str, prefixes: dict[str, str]) -> str:
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@dataclass
class Value:
    text: str
    href: str | None = None
    note: str = ""


@dataclass
class Row:
    predicate: str
    predicate_iri: str
    values: list[Value]


def labels_of(triples: list[ox.Triple]) -> dict[str, str]:
    """A French label (else any) for each IRI that has one."""
    labels: dict[str, str] = {}
    for t in triples:
        if t.predicate.value == LABEL and isinstance(t.object, ox.Literal):
            key = str(getattr(t.subject, "value", t.subject))
            if key not in labels or t.object.language == "fr":
                labels[key] = t.object.value
    return labels


def _value(term, labels: dict[str, str], prefixes: dict[str, str]) -> Value:
    if isinstance(term, ox.NamedNode):
        return Value(labels.get(term.value) or compact(term.value, prefixes), term.value)
    if isinstance(term, ox.Literal):
        text = term.value if len(term.value) <= 300 else term.value[:300] + " …"
        note = f"@{term.language}" if term.language else ""
        return Value(text, None, note)
    return Value(str(term))


def html_rows(
    uri: str, triples: list[ox.Triple], prefixes: dict[str, str]
) -> tuple[str | None, list[Row], list[Row]]:
    """(label, outgoing rows, incoming rows) for the page of `uri`."""
    prefixes = {**prefixes, **STANDARD_PREFIXES}  # predicates read better as rdfs:label than as IRIs
    labels = labels_of(triples)
    out: dict[str, list[Value]] = defaultdict(list)
    inc: dict[str, list[Value]] = defaultdict(list)
    for t in triples:
        if isinstance(t.subject, ox.NamedNode) and t.subject.value == uri:
            out[t.predicate.value].append(_value(t.object, labels, prefixes))
        elif isinstance(t.object, ox.NamedNode) and t.object.value == uri:
            inc[t.predicate.value].append(_value(t.subject, labels, prefixes))

    def rows(table: dict[str, list[Value]]) -> list[Row]:
        return [
            Row(compact(p, prefixes), p, sorted(vs, key=lambda v: v.text))
            for p, vs in sorted(table.items(), key=lambda kv: compact(kv[0], prefixes))
        ]

    return labels.get(uri), rows(out), rows(inc)
