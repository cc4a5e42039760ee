"""Triples -> compacted JSON-LD with tilod's published context (ontology/context.jsonld).

The context file is the one owner of the short keys: this module reads its term definitions and
writes each value under the term whose IRI and coercion fit it (`nom` for an @fr rdfs:label,
`population` for an xsd:integer tilod:populationTotale, `membres` for org:hasMember...); a value no
term fits is written under its compact IRI (`dcterms:title`) as an explicit value object, so the
JSON-LD always expands to exactly the triples given. It is a compaction written for our context,
not a general JSON-LD processor: the tests check its output with two of those (pyld, jsonld.js).

A resource's description is one node object: what it links to nested as node objects (their `id`,
`nom`...), what links to it under its reverse keys (`territoires`, `adhesions`...) or `@reverse`.
A whole graph (the dump) is `@graph`, one node object per subject, links as IRIs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from tilod.errors import TilodError

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: the kind of value a term takes: an IRI, a plain string, or a language tag / datatype IRI
IRI, PLAIN = "@id", ""
#: keys first in every node object, for people who read it
FIRST_KEYS = ("id", "type", "nom", "nom_en")

Subject = ox.NamedNode | ox.BlankNode
Json = dict[str, Any]


@dataclass(frozen=True)
class Term:
    name: str
    many: bool  # @container @set: always a list


class Context:
    """The term definitions of a JSON-LD context document (the subset our context uses)."""

    def __init__(self, document: Json) -> None:
        self.document = document
        definitions: Json = document["@context"]
        self.prefixes = {k: v for k, v in definitions.items()
                         if isinstance(v, str) and not k.startswith("@") and v.endswith(("#", "/"))}
        #: (property IRI, kind of value) -> term; property IRI -> its reverse term
        self.forward: dict[tuple[str, str], Term] = {}
        self.reverse: dict[str, Term] = {}
        #: class IRI -> its short name (`TerritoireIndustrie`)
        self.classes: dict[str, str] = {}
        for name, definition in definitions.items():
            if name.startswith("@") or name in self.prefixes or definition in ("@id", "@type"):
                continue
            if isinstance(definition, str):
                self.classes[self.expand(definition)] = name
                continue
            term = Term(name, definition.get("@container") == "@set")
            if "@reverse" in definition:
                self.reverse[self.expand(definition["@reverse"])] = term
                continue
            if "@language" in definition:
                kind = "@" + definition["@language"]
            else:
                kind = self.expand(definition.get("@type", PLAIN)) if definition.get("@type") != IRI else IRI
            self.forward[(self.expand(definition["@id"]), kind)] = term

    @classmethod
    def read(cls, path: Path) -> Context:
        """The context in `path` (kept while the file is unchanged); TilodError naming the file if
        it cannot be read."""
        try:
            changed = path.stat().st_mtime_ns
        except OSError as exc:
            raise TilodError(f"{path}: cannot read the JSON-LD context ({exc.strerror})") from None
        return _read_context(path.resolve(), changed)

    def expand(self, value: str) -> str:
        prefix, _, local = value.partition(":")
        return self.prefixes[prefix] + local if prefix in self.prefixes and local else value

    def compact(self, iri: str) -> str:
        """`prefix:local` when a prefix of the context covers the IRI, else the IRI."""
        for prefix, namespace in self.prefixes.items():
            local = iri[len(namespace):]
            if iri.startswith(namespace) and local and not local.startswith("//"):
                return f"{prefix}:{local}"
        return iri

    def type_name(self, iri: str) -> str:
        return self.classes.get(iri) or self.compact(iri)


@lru_cache(maxsize=8)
def _read_context(path: Path, _mtime: int) -> Context:
    try:
        return Context(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TilodError(f"{path}: not a JSON-LD context tilod can write with ({type(exc).__name__}: {exc})") \
            from None


def _id(term: Subject) -> str:
    return term.value if isinstance(term, ox.NamedNode) else "_:" + term.value


def _kind(literal: ox.Literal) -> str:
    if literal.language:
        return "@" + literal.language
    datatype = literal.datatype.value
    return PLAIN if datatype == XSD + "string" else datatype


def _typed(literal: ox.Literal) -> str | int:
    """A canonical xsd:integer as a JSON number (programs read it as one); anything else as text."""
    if literal.datatype.value == XSD + "integer":
        number = int(literal.value)
        if str(number) == literal.value:
            return number
    return literal.value


class Writer:
    """Node objects for the triples of one document, keyed by the context's terms."""

    def __init__(self, context: Context, triples: Iterable[ox.Triple]) -> None:
        self.context = context
        self.by_subject: dict[Subject, list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]] = {}
        for t in triples:
            self.by_subject.setdefault(t.subject, []).append((t.predicate.value, t.object))  # type: ignore[arg-type]

    def literal(self, predicate: str, literal: ox.Literal) -> tuple[str, bool, Any]:
        """(key, always a list?, value) of a literal."""
        kind = _kind(literal)
        term = self.context.forward.get((predicate, kind))
        if term is not None:
            return term.name, term.many, literal.value if kind == PLAIN or kind.startswith("@") else _typed(literal)
        key = self.context.compact(predicate)
        if kind == PLAIN:
            return key, False, literal.value
        if literal.language:
            return key, False, {"@value": literal.value, "@language": literal.language}
        return key, False, {"@value": literal.value, "@type": self.context.compact(kind)}

    def link(self, predicate: str, target: Subject, nested: Json | None) -> tuple[str, bool, Any]:
        """(key, always a list?, value) of a link: the nested node object, else the target's IRI."""
        term = self.context.forward.get((predicate, IRI))
        if term is not None:
            return term.name, term.many, nested if nested is not None else _id(target)
        return self.context.compact(predicate), False, nested if nested is not None else {"id": _id(target)}

    def node(self, subject: Subject, nest: bool = False, skip: Subject | None = None,
             path: frozenset[Subject] = frozenset()) -> Json:
        """The node object of `subject`. With `nest`, the subjects it links to are nested (once on
        each path); its links to `skip` are left out (`skip`'s node says them with reverse keys)."""
        values: dict[str, list[Any]] = {}
        many: set[str] = set()
        types = []
        path = path | {subject}
        for predicate, obj in self.by_subject.get(subject, ()):
            if isinstance(obj, ox.Literal):
                key, always_list, value = self.literal(predicate, obj)
            elif obj == skip and subject != skip:
                continue
            elif predicate == RDF_TYPE and isinstance(obj, ox.NamedNode):
                types.append(self.context.type_name(obj.value))
                continue
            else:
                nested = None
                if nest and obj not in path and obj != skip and obj in self.by_subject:
                    nested = self.node(obj, nest, skip, path)
                key, always_list, value = self.link(predicate, obj, nested)
            values.setdefault(key, []).append(value)
            if always_list:
                many.add(key)
        out: Json = {"id": _id(subject)}
        if types:
            values["type"] = sorted(types)
        for key in sorted(values, key=lambda k: (FIRST_KEYS.index(k) if k in FIRST_KEYS else len(FIRST_KEYS), k)):
            found = sorted(values[key], key=_order)
            out[key] = found if key in many or len(found) > 1 else found[0]
        return out

    def description(self, root: ox.NamedNode) -> Json:
        """One node object for `root`: what it links to nested, what links to it under reverse keys;
        anything else the triples say under `@included`."""
        out = self.node(root, True, root)
        inbound: dict[str, list[Json]] = {}
        reverse: dict[str, list[Json]] = {}
        pointing = set()
        for subject, pairs in self.by_subject.items():
            for predicate, obj in pairs:
                if obj == root and subject != root:
                    pointing.add(subject)
                    node = self.node(subject, True, root)
                    term = self.context.reverse.get(predicate)
                    if term is not None:
                        inbound.setdefault(term.name, []).append(node)
                    else:
                        key = self.link(predicate, subject, None)[0]
                        reverse.setdefault(key, []).append(node)
        for key in sorted(inbound):
            out[key] = sorted(inbound[key], key=_order)
        if reverse:
            out["@reverse"] = {key: sorted(reverse[key], key=_order) for key in sorted(reverse)}
        reached = _reached(self.by_subject, root) | pointing
        left = [self.node(s) for s in self.by_subject if s not in reached]
        if left:
            out["@included"] = left
        return out

    def nodes(self, first: Subject | None = None) -> Iterator[Json]:
        """One node object per subject, `first` first; links as IRIs."""
        if first is not None and first in self.by_subject:
            yield self.node(first)
        for subject in self.by_subject:
            if subject != first:
                yield self.node(subject)


def _reached(by_subject: dict, root: Subject) -> set[Subject]:
    """The subjects nested in `root`'s node object: those reachable from it by links (a type is a
    name there, never a node object: what the triples say of a class goes under `@included`)."""
    seen, todo = {root}, [root]
    while todo:
        for predicate, obj in by_subject.get(todo.pop(), ()):
            if predicate != RDF_TYPE and not isinstance(obj, ox.Literal) and obj in by_subject and obj not in seen:
                seen.add(obj)
                todo.append(obj)
    return seen


def _order(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("id") or value.get("@value"))
    return str(value)


def describe(root: str, triples: Iterable[ox.Triple], context: Context, context_ref: str | Json) -> Json:
    """The JSON-LD document describing `root`: `{"@context": ..., "id": root, ...}`."""
    return {"@context": context_ref, **Writer(context, triples).description(ox.NamedNode(root))}


def graph_document(triples: Iterable[ox.Triple], context: Context, context_ref: str | Json,
                   first: str | None = None) -> Json:
    """A JSON-LD document of a whole graph: `{"@context": ..., "@graph": [one node per subject]}`."""
    writer = Writer(context, triples)
    return {"@context": context_ref, "@graph": list(writer.nodes(ox.NamedNode(first) if first else None))}


def write_graph(triples: Iterable[ox.Triple], path: Path, context: Context, context_ref: str) -> None:
    """`graph_document`, streamed to `path` one node object a line (the national dump: 40k nodes)."""
    with path.open("w", encoding="utf-8") as out:
        out.write('{"@context": ' + json.dumps(context_ref) + ',\n "@graph": [\n')
        separator = ""
        for node in Writer(context, triples).nodes():
            out.write(separator + json.dumps(node, ensure_ascii=False))
            separator = ",\n"
        out.write("\n]}\n")
