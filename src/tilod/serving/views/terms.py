"""Reading an RDF vocabulary (the ontology, the shapes) for its documentation page: the values a
page shows (`DocValue`, `Fact`) and a `Reader` that picks labels in the page's language and writes
terms as prefixed names linked to their anchor or IRI. Used by views/ontology_doc.py and
views/shapes_doc.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDFS, SKOS, XSD
from rdflib.term import Node

from tilod.errors import InputError
from tilod.records.turtle_files import parse_turtle
from tilod.serving.i18n import LANGS, format_date
from tilod.serving.release import ServedRelease
from tilod.serving.render import compact

LABELS = (RDFS.label, SKOS.prefLabel)


class UnreadableFile(Exception):
    """A Turtle file of the release (ontology, shapes, VoID) cannot be read or parsed."""


def release_turtle(release: ServedRelease, name: str, base: str) -> Graph:
    """The release's Turtle file `name` as a graph, parsed once per release (a release never changes)."""
    key = f"graph:{name}"
    graph = release.memo.get(key)
    if graph is None:
        try:
            graph = parse_turtle(release.folder / name, base, into=Graph(bind_namespaces="none"))
        except InputError as exc:
            raise UnreadableFile(str(exc)) from None
        release.memo[key] = graph
    return graph


@dataclass(frozen=True)
class DocValue:
    """One thing shown: a text, a link, a date, or a group (`parts` joined by `text`, in `brackets`)."""

    text: str
    href: str | None = None
    lang: str | None = None  # the text's language when it is not the page's (marked with lang=)
    tag: str | None = None  # a language tag printed after the text (lists of every label)
    code: bool = False  # a prefixed name or an IRI
    when: str | None = None  # an ISO date, for <time datetime>
    parts: tuple[DocValue, ...] = ()
    brackets: str = "()"


@dataclass(frozen=True)
class Fact:
    name: str  # French heading, translated by the template
    values: list[DocValue]


def _primary(tag: str | None) -> str:
    return (tag or "").split("-")[0].lower()


def pick(literals: list[Literal], lang: str) -> Literal | None:
    """The literal in the page's language, else in the other one of ours, else untagged, else any."""
    def rank(lit: Literal) -> tuple[int, str]:
        tag = _primary(lit.language)
        return (0 if tag == lang else 1 if tag in LANGS else 2 if not tag else 3), str(lit)

    return min(literals, key=rank, default=None)


class Reader:
    """Reads one ontology graph for a page in one language."""

    def __init__(self, graph: Graph, lang: str, namespace: str, prefixes: dict[str, str]) -> None:
        self.graph = graph
        self.lang = lang
        self.namespace = namespace
        # longest namespace first: a prefixed name uses the most specific one
        self.prefixes = dict(sorted(prefixes.items(), key=lambda kv: -len(kv[1])))
        self.anchored: set[str] = set()  # IRIs of the terms that have an anchor on the page

    def local(self, node: Node) -> str | None:
        iri = str(node)
        return iri[len(self.namespace):] if isinstance(node, URIRef) and iri.startswith(self.namespace) else None

    def text(self, literal: Literal | None) -> DocValue | None:
        if literal is None:
            return None
        tag = literal.language
        return DocValue(str(literal), lang=tag if tag and _primary(tag) != self.lang else None)

    def literal(self, subject: Node, *predicates: URIRef) -> DocValue | None:
        """The first of `predicates` that has a literal, in the page's language."""
        for predicate in predicates:
            found = [o for o in self.graph.objects(subject, predicate) if isinstance(o, Literal)]
            if found:
                return self.text(pick(found, self.lang))
        return None

    def every_label(self, subject: Node) -> list[DocValue]:
        found = [o for p in LABELS for o in self.graph.objects(subject, p) if isinstance(o, Literal)]
        found.sort(key=lambda lit: (_primary(lit.language) != self.lang, lit.language or "", str(lit)))
        return [DocValue(str(lit), lang=lit.language if _primary(lit.language) != self.lang else None,
                      tag=lit.language) for lit in found]

    def ref(self, node: Node, depth: int = 0) -> DocValue:
        """A term as a link: to its anchor on this page, else to its IRI (shown prefixed)."""
        if isinstance(node, URIRef):
            iri = str(node)
            local = self.local(node)
            if local is not None and iri in self.anchored:
                return DocValue(compact(iri, self.prefixes), href=f"#{local}", code=True)
            return DocValue(compact(iri, self.prefixes), href=iri, code=True)
        if isinstance(node, Literal):
            if node.datatype in (XSD.date, XSD.dateTime):
                return DocValue(format_date(str(node), self.lang), when=str(node))
            return self.text(node) or DocValue("")
        if isinstance(node, BNode) and depth < 5:  # a class expression: owl:unionOf (A B)...
            for predicate, sign in ((OWL.unionOf, " ∪ "), (OWL.intersectionOf, " ∩ ")):
                members = self.graph.value(node, predicate)
                if members is not None:
                    return DocValue(sign, parts=tuple(self.ref(m, depth + 1) for m in Collection(self.graph, members)))
        return DocValue("[…]")

    def refs(self, subject: Node, *predicates: URIRef) -> list[DocValue]:
        nodes = {o for p in predicates for o in self.graph.objects(subject, p)}
        return sorted((self.ref(o) for o in nodes), key=lambda v: (v.text, v.href or ""))

    def refs_to(self, predicate: URIRef, obj: Node) -> list[DocValue]:
        """The terms whose `predicate` is `obj` or a class expression that names `obj`."""
        nodes = {s for s, o in self.graph.subject_objects(predicate) if obj in self.named(o)}
        return sorted((self.ref(s) for s in nodes), key=lambda v: v.text)

    def named(self, node: Node, depth: int = 0) -> set[Node]:
        """The IRIs a class expression names (itself, or the members of a union / intersection)."""
        if not isinstance(node, BNode):
            return {node}
        found: set[Node] = set()
        for predicate in (OWL.unionOf, OWL.intersectionOf):
            members = self.graph.value(node, predicate)
            if members is not None and depth < 5:
                for member in Collection(self.graph, members):
                    found |= self.named(member, depth + 1)
        return found
