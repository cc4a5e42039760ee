"""The ontology's documentation page: `/def/tilod` for a browser, drawn from the release's ontology.ttl.

Like pyLODE, in our own templates: the owl:Ontology's metadata, a table of contents, one section
per kind of term (each with its local name as anchor, so `{base}def/tilod#Phase` lands on it),
how the classes relate, and the SKOS concept schemes the data uses as values (read from the store).
The graph is parsed once per release (`release.memo`); the page is cached per release and language
by `resources.cached`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DC, DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from tilod.errors import InputError
from tilod.graph.namespaces import STANDARD_PREFIXES
from tilod.records.turtle_files import parse_turtle
from tilod.release import layout
from tilod.serving import page_queries as q
from tilod.serving.i18n import LANGS, format_date, page_lang
from tilod.serving.release import ServedRelease
from tilod.serving.render import FORMAT_LINKS, compact
from tilod.serving.search import fold

VANN = Namespace("http://purl.org/vocab/vann/")

#: (section id, French title, types): a term goes in the first section one of its types names.
#: Page ids other than the terms' local names start with "doc-" (no term is named so).
SECTIONS = [
    ("doc-classes", "Classes", {OWL.Class, RDFS.Class}),
    ("doc-object-properties", "Propriétés d'objet", {OWL.ObjectProperty}),
    ("doc-datatype-properties", "Propriétés de données", {OWL.DatatypeProperty}),
    ("doc-annotation-properties", "Propriétés d'annotation", {OWL.AnnotationProperty}),
    ("doc-other-properties", "Autres propriétés", {RDF.Property}),
    ("doc-individuals", "Individus nommés", {OWL.NamedIndividual}),
    ("doc-concept-schemes", "Schémas de concepts", {SKOS.ConceptScheme}),
    ("doc-concepts", "Concepts", {SKOS.Concept}),
]
LABELS = (RDFS.label, SKOS.prefLabel)
#: header facts of the owl:Ontology: (French heading, predicates)
HEADER = [
    ("Version", (OWL.versionInfo,)),
    ("IRI de version", (OWL.versionIRI,)),
    ("Version précédente", (OWL.priorVersion,)),
    ("Auteurs", (DCTERMS.creator, DC.creator)),
    ("Éditeur", (DCTERMS.publisher, DC.publisher)),
    ("Contributeurs", (DCTERMS.contributor, DC.contributor)),
    ("Licence", (DCTERMS.license, DCTERMS.rights, DC.rights)),
    ("Créée le", (DCTERMS.created,)),
    ("Publiée le", (DCTERMS.issued,)),
    ("Modifiée le", (DCTERMS.modified,)),
    ("Importe", (OWL.imports,)),
    ("Voir aussi", (RDFS.seeAlso,)),
]

# The concept schemes of the data, their concepts, and the properties whose values they are.
SCHEMES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?scheme ?schemeLabel ?schemeLang ?concept ?label ?labelLang ?notation WHERE {
  ?scheme a skos:ConceptScheme .
  OPTIONAL { ?scheme skos:prefLabel ?schemeLabel BIND(LANG(?schemeLabel) AS ?schemeLang) }
  OPTIONAL {
    ?concept skos:inScheme ?scheme .
    OPTIONAL { ?concept skos:prefLabel ?label BIND(LANG(?label) AS ?labelLang) }
    OPTIONAL { ?concept skos:notation ?notation }
  }
}
"""
SCHEME_USES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?scheme ?property WHERE {
  ?concept skos:inScheme ?scheme .
  ?thing ?property ?concept .
  FILTER(!STRSTARTS(STR(?property), STR(skos:)))
}
"""


class UnreadableFile(Exception):
    """A Turtle file of the release (ontology, shapes, VoID) cannot be read or parsed."""


def release_graph(release: ServedRelease, name: str, base: str) -> Graph:
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


# -- the data model the template reads ----------------------------------------------------------

@dataclass(frozen=True)
class Value:
    """One thing shown: a text, a link, a date, or a group (`parts` joined by `text`, in `brackets`)."""

    text: str
    href: str | None = None
    lang: str | None = None  # the text's language when it is not the page's (marked with lang=)
    tag: str | None = None  # a language tag printed after the text (lists of every label)
    code: bool = False  # a prefixed name or an IRI
    when: str | None = None  # an ISO date, for <time datetime>
    parts: tuple[Value, ...] = ()
    brackets: str = "()"


@dataclass(frozen=True)
class Fact:
    name: str  # French heading, translated by the template
    values: list[Value]


@dataclass
class Term:
    local: str  # the anchor
    iri: str
    name: str  # prefixed name
    label: Value
    labels: list[Value]
    definition: Value | None
    facts: list[Fact]
    deprecated: bool = False


@dataclass
class Section:
    id: str
    title: str
    terms: list[Term]


@dataclass(frozen=True)
class Relation:
    domain: list[Value]
    property: Value
    range: list[Value]


@dataclass
class Scheme:
    href: str
    label: Value
    concepts: list[tuple[str, Value]] = field(default_factory=list)  # (notation, label)
    used_by: list[Value] = field(default_factory=list)

    @property
    def coded(self) -> bool:
        """Whether its concepts have notations (else the table has no code column)."""
        return any(notation for notation, _ in self.concepts)


@dataclass
class OntologyDoc:
    iri: str
    title: Value
    description: Value | None
    namespace: str
    prefix: str | None
    facts: list[Fact]
    sections: list[Section]
    relations: list[Relation]
    schemes: list[Scheme]


# -- graph -> model ------------------------------------------------------------------------------

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

    def text(self, literal: Literal | None) -> Value | None:
        if literal is None:
            return None
        tag = literal.language
        return Value(str(literal), lang=tag if tag and _primary(tag) != self.lang else None)

    def literal(self, subject: Node, *predicates: URIRef) -> Value | None:
        """The first of `predicates` that has a literal, in the page's language."""
        for predicate in predicates:
            found = [o for o in self.graph.objects(subject, predicate) if isinstance(o, Literal)]
            if found:
                return self.text(pick(found, self.lang))
        return None

    def every_label(self, subject: Node) -> list[Value]:
        found = [o for p in LABELS for o in self.graph.objects(subject, p) if isinstance(o, Literal)]
        found.sort(key=lambda lit: (_primary(lit.language) != self.lang, lit.language or "", str(lit)))
        return [Value(str(lit), lang=lit.language if _primary(lit.language) != self.lang else None,
                      tag=lit.language) for lit in found]

    def ref(self, node: Node, depth: int = 0) -> Value:
        """A term as a link: to its anchor on this page, else to its IRI (shown prefixed)."""
        if isinstance(node, URIRef):
            iri = str(node)
            local = self.local(node)
            if local is not None and iri in self.anchored:
                return Value(compact(iri, self.prefixes), href=f"#{local}", code=True)
            return Value(compact(iri, self.prefixes), href=iri, code=True)
        if isinstance(node, Literal):
            if node.datatype in (XSD.date, XSD.dateTime):
                return Value(format_date(str(node), self.lang), when=str(node))
            return self.text(node) or Value("")
        if isinstance(node, BNode) and depth < 5:  # a class expression: owl:unionOf (A B)...
            for predicate, sign in ((OWL.unionOf, " ∪ "), (OWL.intersectionOf, " ∩ ")):
                members = self.graph.value(node, predicate)
                if members is not None:
                    return Value(sign, parts=tuple(self.ref(m, depth + 1) for m in Collection(self.graph, members)))
        return Value("[…]")

    def refs(self, subject: Node, *predicates: URIRef) -> list[Value]:
        nodes = {o for p in predicates for o in self.graph.objects(subject, p)}
        return sorted((self.ref(o) for o in nodes), key=lambda v: (v.text, v.href or ""))

    def refs_to(self, predicate: URIRef, obj: Node) -> list[Value]:
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


def _facts(*pairs: tuple[str, list[Value]]) -> list[Fact]:
    return [Fact(name, values) for name, values in pairs if values]


def _term_facts(r: Reader, node: URIRef, section: str) -> list[Fact]:
    types = r.refs(node, RDF.type)
    common = [("Voir aussi", r.refs(node, RDFS.seeAlso)),
              ("Note", [v for v in [r.literal(node, SKOS.note, SKOS.scopeNote)] if v]),
              ("Exemple", [v for v in [r.literal(node, SKOS.example)] if v])]
    if section == "doc-classes":
        return _facts(
            ("Type", types),
            ("Sous-classe de", r.refs(node, RDFS.subClassOf)),
            ("Sous-classes", r.refs_to(RDFS.subClassOf, node)),
            ("Équivalente à", r.refs(node, OWL.equivalentClass)),
            ("Disjointe de", r.refs(node, OWL.disjointWith)),
            ("Propriétés dont elle est le domaine", r.refs_to(RDFS.domain, node)),
            ("Propriétés dont elle est le codomaine", r.refs_to(RDFS.range, node)),
            *common,
        )
    if section.endswith("properties"):
        inverse = {*r.graph.objects(node, OWL.inverseOf), *r.graph.subjects(OWL.inverseOf, node)}
        return _facts(
            ("Type", types),
            ("Sous-propriété de", r.refs(node, RDFS.subPropertyOf)),
            ("Sous-propriétés", r.refs_to(RDFS.subPropertyOf, node)),
            ("Domaine", r.refs(node, RDFS.domain)),
            ("Codomaine", r.refs(node, RDFS.range)),
            ("Équivalente à", r.refs(node, OWL.equivalentProperty)),
            ("Inverse de", sorted((r.ref(i) for i in inverse), key=lambda v: v.text)),
            *common,
        )
    return _facts(("Type", types), ("Dans le schéma", r.refs(node, SKOS.inScheme)),
                  ("Plus générique", r.refs(node, SKOS.broader)), *common)


def _ontology_iri(graph: Graph, base: str) -> URIRef:
    """Ours if the file declares it, else the first owl:Ontology it declares."""
    ours = URIRef(base + "def/tilod")
    found = sorted(str(s) for s in graph.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef))
    return ours if str(ours) in found or not found else URIRef(found[0])


def document(graph: Graph, base: str, lang: str, schemes: list[dict[str, str]] | None = None,
             uses: list[dict[str, str]] | None = None) -> OntologyDoc:
    """The page's model, from the ontology graph and (optionally) the rows of SCHEMES and SCHEME_USES."""
    onto = _ontology_iri(graph, base)
    namespace = str(graph.value(onto, VANN.preferredNamespaceUri) or f"{onto}#")
    declared = {p: str(ns) for p, ns in graph.namespaces()}
    prefix = graph.value(onto, VANN.preferredNamespacePrefix)
    prefix_name = str(prefix) if prefix else next((p for p, ns in declared.items() if ns == namespace), None)
    prefixes = {**STANDARD_PREFIXES, **declared, **({prefix_name: namespace} if prefix_name else {})}
    r = Reader(graph, lang, namespace, prefixes)

    placed: dict[str, list[URIRef]] = {sid: [] for sid, _, _ in SECTIONS}
    for subject in {s for s in graph.subjects(RDF.type, None) if r.local(s)}:
        types = set(graph.objects(subject, RDF.type))
        sid = next((sid for sid, _, kinds in SECTIONS if types & kinds), None)
        if sid is None and types & {OWL.FunctionalProperty, OWL.TransitiveProperty, OWL.SymmetricProperty}:
            sid = "doc-other-properties"
        if sid is not None:
            placed[sid].append(subject)  # type: ignore[arg-type]
    r.anchored = {str(s) for nodes in placed.values() for s in nodes}

    sections = []
    for sid, heading, _ in SECTIONS:
        terms = [_term(r, node, sid) for node in sorted(placed[sid], key=lambda n: str(n).lower())]
        if terms:
            sections.append(Section(sid, heading, terms))

    title = r.literal(onto, DCTERMS.title, RDFS.label, DC.title) or Value(str(onto), code=True)
    facts = _facts(*((name, r.refs(onto, *predicates)) for name, predicates in HEADER))
    return OntologyDoc(
        iri=str(onto), title=title, description=r.literal(onto, DCTERMS.description, RDFS.comment, DC.description),
        namespace=namespace, prefix=prefix_name, facts=facts, sections=sections,
        relations=_relations(r, placed["doc-object-properties"]), schemes=_schemes(r, schemes or [], uses or []),
    )


def _term(r: Reader, node: URIRef, sid: str) -> Term:
    local = r.local(node) or ""
    return Term(
        local=local, iri=str(node), name=compact(str(node), r.prefixes),
        label=r.literal(node, *LABELS) or Value(local),
        labels=r.every_label(node),
        definition=r.literal(node, SKOS.definition, RDFS.comment, DCTERMS.description),
        facts=_term_facts(r, node, sid),
        deprecated=any(str(v).lower() == "true" for v in r.graph.objects(node, OWL.deprecated)),
    )


def _relations(r: Reader, properties: list[URIRef]) -> list[Relation]:
    """How the classes relate: one row per object property (domain, property, range)."""
    rows = [Relation(r.refs(p, RDFS.domain), r.ref(p), r.refs(p, RDFS.range)) for p in properties]
    return sorted(rows, key=lambda row: ([v.text for v in row.domain] or ["~"], row.property.text))


def _schemes(r: Reader, rows: list[dict[str, str]], uses: list[dict[str, str]]) -> list[Scheme]:
    labels: dict[str, list[Literal]] = {}
    concepts: dict[str, dict[str, tuple[str, list[Literal]]]] = {}
    for row in rows:
        scheme = row["scheme"]
        concepts.setdefault(scheme, {})
        if "schemeLabel" in row:
            labels.setdefault(scheme, []).append(Literal(row["schemeLabel"], lang=row.get("schemeLang") or None))
        if "concept" in row:
            notation, names = concepts[scheme].setdefault(row["concept"], (row.get("notation", ""), []))
            if "label" in row:
                names.append(Literal(row["label"], lang=row.get("labelLang") or None))
    used: dict[str, set[str]] = {}
    for row in uses:
        used.setdefault(row["scheme"], set()).add(row["property"])
    result = []
    for scheme, members in concepts.items():
        label = r.text(pick(list(set(labels.get(scheme, []))), r.lang)) or Value(scheme, code=True)
        listed = [(notation, r.text(pick(list(set(names)), r.lang)) or Value(concept, code=True), concept)
                  for concept, (notation, names) in members.items()]
        listed.sort(key=lambda c: (not c[0], int(c[0]) if c[0].isdigit() else 0, c[0], fold(c[1].text)))
        result.append(Scheme(
            scheme, label,
            [(notation, Value(v.text, href=concept, lang=v.lang, code=v.code)) for notation, v, concept in listed],
            sorted((r.ref(URIRef(p)) for p in used.get(scheme, ())), key=lambda v: v.text),
        ))
    return sorted(result, key=lambda s: fold(s.label.text))


# -- the page ------------------------------------------------------------------------------------

def page(release: ServedRelease, base: str) -> bytes:
    """The documentation page in the request's language (raises UnreadableFile)."""
    graph = release_graph(release, layout.ONTOLOGY, base)
    schemes = q.select(release.data, SCHEMES, base)
    uses = q.select(release.data, SCHEME_USES, base)
    return render(document(graph, base, page_lang(), schemes, uses), base, release.version)


def render(doc: OntologyDoc, base: str, version: str) -> bytes:
    """Draw `doc` (inside a Flask app context and request: the template reads the language)."""
    return render_template(
        "ontology.html", doc=doc, base=base, version=version, formats=FORMAT_LINKS,
        doc_base=base + "def/tilod", shapes=base + "def/tilod/shapes",
    ).encode("utf-8")
