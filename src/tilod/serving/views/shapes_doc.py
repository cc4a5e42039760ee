"""The SHACL shapes' page: `/def/tilod/shapes` for a browser, drawn from the release's shapes.ttl.

One section per shape (its local name as anchor): what it targets, a table of its property
constraints, and its SPARQL constraints (message and query). Read with the ontology page's
`Reader`, so terms show as prefixed names linked to their IRIs (ours to the ontology page).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, RDFS, SH
from rdflib.term import Node

from tilod.graph.namespaces import SHAPES_IRI, STANDARD_PREFIXES
from tilod.release import layout
from tilod.serving.i18n import page_lang
from tilod.serving.release import ServedRelease
from tilod.serving.render import FORMAT_LINKS, compact
from tilod.serving.views.terms import DocValue, Fact, Reader, release_turtle

#: how a shape picks its focus nodes: (predicate, French heading)
TARGETS = [(SH.targetClass, "Instances de"), (SH.targetNode, "Nœuds"),
           (SH.targetSubjectsOf, "Sujets de"), (SH.targetObjectsOf, "Objets de")]
#: shown in their own columns, not among the other constraints
OWN_COLUMNS = {SH.path, SH.minCount, SH.maxCount, SH.message, SH.name, SH.description, RDF.type}


@dataclass(frozen=True)
class PropertyRow:
    path: DocValue
    cardinality: str
    constraints: list[Fact]  # (prefixed predicate, values)
    message: DocValue | None
    shape: DocValue | None  # the named property shape it comes from


@dataclass(frozen=True)
class SparqlConstraint:
    message: DocValue | None
    text: str


@dataclass
class Shape:
    local: str
    name: str
    kind: str
    targets: list[Fact]
    target_queries: list[str]
    properties: list[PropertyRow]
    sparql: list[SparqlConstraint]


@dataclass
class ShapesDoc:
    iri: str
    title: DocValue
    imports: list[DocValue]
    shapes: list[Shape]


def _node(r: Reader, node: Node, depth: int = 0) -> DocValue:
    """A constraint's value: a term, a literal (as code), a list `(a, b)` or a nested shape `(p o)`."""
    if isinstance(node, Literal):
        return DocValue(str(node), code=True)
    if isinstance(node, BNode) and depth < 5:
        if r.graph.value(node, RDF.first) is not None:
            return DocValue(", ", parts=tuple(_node(r, m, depth + 1) for m in Collection(r.graph, node)))
        pairs = sorted(((p, o) for p, o in r.graph.predicate_objects(node) if p != RDF.type), key=str)
        parts = tuple(DocValue(" ", parts=(r.ref(p), _node(r, o, depth + 1)), brackets="") for p, o in pairs)
        return DocValue(" ; ", parts=parts, brackets="[]") if parts else DocValue("[]")
    return r.ref(node)


def _row(r: Reader, node: Node) -> PropertyRow:
    low = r.graph.value(node, SH.minCount)
    high = r.graph.value(node, SH.maxCount)
    others = sorted({p for p in r.graph.predicates(node) if p not in OWN_COLUMNS}, key=str)
    constraints = [Fact(compact(str(p), r.prefixes),
                        [_node(r, o) for o in sorted(r.graph.objects(node, p), key=str)]) for p in others]
    path = r.graph.value(node, SH.path)
    return PropertyRow(
        path=_node(r, path) if path is not None else DocValue("—"),
        cardinality=f"{low if low is not None else 0}..{high if high is not None else '*'}",
        constraints=constraints, message=r.literal(node, SH.message),
        shape=r.ref(node) if isinstance(node, URIRef) else None,
    )


def _shape(r: Reader, node: URIRef) -> Shape:
    g = r.graph
    targets = [Fact(name, r.refs(node, predicate)) for predicate, name in TARGETS]
    queries = [str(g.value(t, SH.select)) for t in g.objects(node, SH.target) if g.value(t, SH.select)]
    rows = [_row(r, p) for p in g.objects(node, SH.property)]
    if (node, RDF.type, SH.PropertyShape) in g:
        rows.insert(0, _row(r, node))
    sparql = [SparqlConstraint(r.literal(c, SH.message), str(g.value(c, SH.select) or g.value(c, SH.ask) or ""))
              for c in g.objects(node, SH.sparql)]
    return Shape(
        local=r.local(node) or str(node), name=compact(str(node), r.prefixes),
        kind="sh:PropertyShape" if (node, RDF.type, SH.PropertyShape) in g else "sh:NodeShape",
        targets=[t for t in targets if t.values], target_queries=queries,
        properties=sorted(rows, key=lambda row: row.path.text), sparql=sparql,
    )


def document(graph: Graph, base: str, lang: str) -> ShapesDoc:
    iri = SHAPES_IRI
    namespace = f"{iri}#"
    prefixes = {**STANDARD_PREFIXES, **{p: str(ns) for p, ns in graph.namespaces()}}
    r = Reader(graph, lang, namespace, prefixes)
    named = {s for kind in (SH.NodeShape, SH.PropertyShape) for s in graph.subjects(RDF.type, kind)
             if isinstance(s, URIRef) and r.local(s)}
    r.anchored = {str(s) for s in named}
    return ShapesDoc(
        iri=str(iri),
        title=r.literal(iri, RDFS.label, DCTERMS.title) or DocValue(str(iri), code=True),
        imports=r.refs(iri, URIRef("http://www.w3.org/2002/07/owl#imports")),
        shapes=[_shape(r, s) for s in sorted(named, key=lambda s: str(s).lower())],
    )


def page(release: ServedRelease, base: str) -> bytes:
    """The shapes' page in the request's language (raises UnreadableFile)."""
    doc = document(release_turtle(release, layout.SHAPES, base), base, page_lang())
    return render_template(
        "shapes.html", doc=doc, base=base, version=release.version, formats=FORMAT_LINKS,
        doc_base=base + "def/tilod/shapes", ontology=base + "def/tilod",
    ).encode("utf-8")
