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
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DC, DCTERMS, OWL, RDF, RDFS, SKOS

from tilod.graph.namespaces import ONTOLOGY_IRI, STANDARD_PREFIXES
from tilod.release import layout
from tilod.serving.i18n import page_lang
from tilod.serving.release import ServedRelease
from tilod.serving.render import FORMAT_LINKS, compact
from tilod.serving.views.queries import query, select
from tilod.serving.views.search import fold
from tilod.serving.views.terms import LABELS, DocValue, Fact, Reader, pick, release_turtle

VANN = Namespace("http://purl.org/vocab/vann/")

#: (section id, French title, types): a term goes in the first section one of its types names.
#: Page ids other than the terms' local names start with "doc-" (no term is named so).
SECTIONS = [
    ("doc-classes", "Classes", {OWL.Class, RDFS.Class}),
    ("doc-object-properties", "Propriétés d'objet", {OWL.ObjectProperty}),
    ("doc-datatype-properties", "Propriétés de données", {OWL.DatatypeProperty}),
    ("doc-annotation-properties", "Propriétés d'annotation", {OWL.AnnotationProperty}),
    ("doc-other-properties", "Autres propriétés", {RDF.Property}),
    ("doc-datatypes", "Types de données", {RDFS.Datatype}),
    ("doc-individuals", "Individus nommés", {OWL.NamedIndividual}),
    ("doc-concept-schemes", "Schémas de concepts", {SKOS.ConceptScheme}),
    ("doc-concepts", "Concepts", {SKOS.Concept}),
]
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

# -- the data model the template reads ----------------------------------------------------------

@dataclass
class Term:
    local: str  # the anchor
    iri: str
    name: str  # prefixed name
    label: DocValue
    labels: list[DocValue]
    definition: DocValue | None
    facts: list[Fact]
    deprecated: bool = False


@dataclass
class Section:
    id: str
    title: str
    terms: list[Term]


@dataclass(frozen=True)
class Relation:
    domain: list[DocValue]
    property: DocValue
    range: list[DocValue]


@dataclass
class Scheme:
    href: str
    label: DocValue
    concepts: list[tuple[str, DocValue]] = field(default_factory=list)  # (notation, label)
    used_by: list[DocValue] = field(default_factory=list)

    @property
    def coded(self) -> bool:
        """Whether its concepts have notations (else the table has no code column)."""
        return any(notation for notation, _ in self.concepts)


@dataclass
class OntologyDoc:
    iri: str
    title: DocValue
    description: DocValue | None
    namespace: str
    prefix: str | None
    facts: list[Fact]
    sections: list[Section]
    relations: list[Relation]
    schemes: list[Scheme]


def _facts(*pairs: tuple[str, list[DocValue]]) -> list[Fact]:
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


def _ontology_iri(graph: Graph) -> URIRef:
    """Ours if the file declares it, else the first owl:Ontology it declares."""
    ours = ONTOLOGY_IRI
    found = sorted(str(s) for s in graph.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef))
    return ours if str(ours) in found or not found else URIRef(found[0])


def document(graph: Graph, base: str, lang: str, schemes: list[dict[str, str]] | None = None,
             uses: list[dict[str, str]] | None = None) -> OntologyDoc:
    """The page's model, from the ontology graph and (optionally) the rows of queries/concept-schemes.rq
    and queries/concept-scheme-uses.rq."""
    onto = _ontology_iri(graph)
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

    title = r.literal(onto, DCTERMS.title, RDFS.label, DC.title) or DocValue(str(onto), code=True)
    facts = _facts(*((name, _header_values(r, onto, predicates)) for name, predicates in HEADER))
    return OntologyDoc(
        iri=str(onto), title=title, description=r.literal(onto, DCTERMS.description, RDFS.comment, DC.description),
        namespace=namespace, prefix=prefix_name, facts=facts, sections=sections,
        relations=_relations(r, placed["doc-object-properties"]), schemes=_schemes(r, schemes or [], uses or []),
    )


def _header_values(r: Reader, onto: URIRef, predicates: tuple[URIRef, ...]) -> list[DocValue]:
    """The header's values; a creator, publisher or licence the file labels shows its label,
    linked to its IRI."""
    values = []
    for value in r.refs(onto, *predicates):
        label = r.literal(URIRef(value.href), *LABELS) if value.href and not value.href.startswith("#") else None
        values.append(DocValue(label.text, href=value.href, lang=label.lang) if label else value)
    return values


def _term(r: Reader, node: URIRef, sid: str) -> Term:
    local = r.local(node) or ""
    return Term(
        local=local, iri=str(node), name=compact(str(node), r.prefixes),
        label=r.literal(node, *LABELS) or DocValue(local),
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
        label = r.text(pick(list(set(labels.get(scheme, []))), r.lang)) or DocValue(scheme, code=True)
        listed = [(notation, r.text(pick(list(set(names)), r.lang)) or DocValue(concept, code=True), concept)
                  for concept, (notation, names) in members.items()]
        listed.sort(key=lambda c: (not c[0], int(c[0]) if c[0].isdigit() else 0, c[0], fold(c[1].text)))
        result.append(Scheme(
            scheme, label,
            [(notation, DocValue(v.text, href=concept, lang=v.lang, code=v.code)) for notation, v, concept in listed],
            sorted((r.ref(URIRef(p)) for p in used.get(scheme, ())), key=lambda v: v.text),
        ))
    return sorted(result, key=lambda s: fold(s.label.text))


# -- the page ------------------------------------------------------------------------------------

def page(release: ServedRelease, base: str) -> bytes:
    """The documentation page in the request's language (raises UnreadableFile)."""
    graph = release_turtle(release, layout.ONTOLOGY, base)
    schemes = select(release.data, query("concept-schemes"), base)
    uses = select(release.data, query("concept-scheme-uses"), base)
    return render(document(graph, base, page_lang(), schemes, uses), base, release.version)


def render(doc: OntologyDoc, base: str, version: str) -> bytes:
    """Draw `doc` (inside a Flask app context and request: the template reads the language)."""
    return render_template(
        "ontology.html", doc=doc, base=base, version=version, formats=FORMAT_LINKS,
        doc_base=base + "def/tilod", shapes=base + "def/tilod/shapes",
    ).encode("utf-8")
