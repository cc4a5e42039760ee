"""Each SHACL rule catches a real record of the Aisne+Somme graph once it is made bad.

A case changes one real record (removes and/or adds a few of its own triples, checking the ones
it removes were there) and names the violation the release's shapes must report on it.

One validation of the subset takes about a second, so the cases are not validated one by one:
cases that touch no common record are applied together to one copy of the graph, validated
once, and `test_violations_are_on_the_bad_records_only` checks that every violation of such a
copy is on one of its bad records (so no case can pass thanks to another one's change).
Set TILOD_SHAPES_ONE_BY_ONE=1 to validate each case alone on its own copy instead (~30 s).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns

from conftest import ROOT
from tilod.validation.shacl import ValidationResult, load_shapes, validate

BASE = "http://localhost:8000/"
ID = BASE + "id/"
TILOD = Namespace(BASE + "def/tilod#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")


def territory(phase: str, tid: str) -> URIRef:
    return URIRef(f"{ID}territoire/{phase}/{tid}")


HAUTE_PICARDIE = territory("2023-2027", "ti-3208")
SOISSONNAIS = territory("2023-2027", "ti-3214")
SUD_AISNE = territory("2023-2027", "ti-3215")
THIERACHE = territory("2023-2027", "ti-3217")
ALBERT_AMIENS = territory("2023-2027", "ti-3202")
BAIE_DE_SOMME = territory("2023-2027", "ti-3203")
BRESLE_VIMEU = territory("2023-2027", "ti-2809")
THIERACHE_PHASE_1 = territory("2018-2022", "ti-3212")
CHATEAU_THIERRY_PHASE_1 = territory("2018-2022", "ti-3206")
GEOMETRY = URIRef(ID + "territoire/2023-2027/ti-3208/geometrie")
LABELLING = URIRef(ID + "labellisation/2023-2027/ti-3208")
ADHESION = URIRef(ID + "adhesion/2023-2027/ti-3208/200071892")
SAINT_QUENTINOIS = URIRef(ID + "epci/200071892")  # CA du Saint-Quentinois, in ti-3208
HAUTE_SOMME = URIRef(ID + "epci/200037059")
TERRE_DE_PICARDIE = URIRef(ID + "epci/200070928")
CHAUNY_TERGNIER = URIRef(ID + "epci/200071785")
SAINT_QUENTIN = URIRef(ID + "commune/02691")
AMIENS = URIRef(ID + "commune/80021")
LAON = URIRef(ID + "commune/02408")
SOISSONS = URIRef(ID + "commune/02722")
AISNE = URIRef(ID + "departement/02")
SOMME = URIRef(ID + "departement/80")
PAS_DE_CALAIS = URIRef(ID + "departement/62")
HAUTS_DE_FRANCE = URIRef(ID + "region/32")
PHASE_2023 = URIRef(ID + "phase/2023-2027")
SOISSONS_OUTLINE = URIRef(ID + "commune/02722/geometrie")
SAINT_QUENTINOIS_OUTLINE = URIRef(ID + "epci/200071892/geometrie")  # the union of its communes'
AISNE_OUTLINE = URIRef(ID + "departement/02/geometrie")
SOMME_OUTLINE = URIRef(ID + "departement/80/geometrie")
PHASE_1 = URIRef(ID + "phase/2018-2022")
COUNT = URIRef(ID + "denombrement/2023-2027/region-32")
PRIORITY = URIRef(ID + "priorite/innovation")
#: a real EPCI (CU de Dunkerque) that is not in the Aisne+Somme release
NOT_IN_RELEASE = URIRef(ID + "epci/245900428")
#: in `Case.add`: the object removed from the record, as a plain string literal
AS_PLAIN_STRING = Literal("(the removed value as a plain string)")

Triple = tuple[URIRef, URIRef, object]


@dataclass(frozen=True)
class Case:
    """One bad record: what to remove from it and add to it, and the violation it must cause."""

    focus: URIRef
    component: str  # local name in sh:, e.g. "MinCountConstraintComponent"
    remove: tuple[Triple, ...] = ()  # patterns (None matches anything); each must match
    add: tuple[Triple, ...] = ()
    message: str = ""  # expected in sh:resultMessage
    value: object = None  # expected sh:value, if given
    also: tuple[URIRef, ...] = ()  # other records the bad one is rightly reported on


def replace(s: URIRef, p: URIRef, new: object) -> dict[str, tuple[Triple, ...]]:
    return {"remove": ((s, p, None),), "add": ((s, p, new),)}


CASES: dict[str, Case] = {
    # Territories
    "territory-label-missing": Case(
        HAUTE_PICARDIE, "MinCountConstraintComponent",
        remove=((HAUTE_PICARDIE, ns.RDFS.label, None),), message="French label",
    ),
    "territory-label-without-language": Case(
        SOISSONNAIS, "DatatypeConstraintComponent",
        **replace(SOISSONNAIS, ns.RDFS.label, Literal("Soissonnais – Valois")),
    ),
    "territory-label-in-german": Case(
        SUD_AISNE, "LanguageInConstraintComponent",
        **replace(SUD_AISNE, ns.RDFS.label, Literal("Südaisne", lang="de")),
    ),
    "territory-two-french-labels": Case(
        THIERACHE, "UniqueLangConstraintComponent",
        add=((THIERACHE, ns.RDFS.label, Literal("Thiérache", lang="fr")),),
    ),
    "territory-id-not-ti-NNNN": Case(
        ALBERT_AMIENS, "PatternConstraintComponent",
        **replace(ALBERT_AMIENS, ns.DCTERMS.identifier, Literal("ti-32020")), message="ti-NNNN",
    ),
    "territory-two-phases": Case(
        BAIE_DE_SOMME, "MaxCountConstraintComponent",
        add=((BAIE_DE_SOMME, TILOD.phase, PHASE_1),), message="exactly one phase",
    ),
    "territory-without-labelling": Case(
        BRESLE_VIMEU, "MinCountConstraintComponent",
        remove=((BRESLE_VIMEU, TILOD.labellisation, None),), message="exactly one labelling",
    ),
    "territory-member-not-in-release": Case(
        THIERACHE_PHASE_1, "OrConstraintComponent",
        add=((THIERACHE_PHASE_1, ns.ORG.hasMember, NOT_IN_RELEASE),),
        message="existing EPCIs or communes", value=NOT_IN_RELEASE,
    ),
    "territory-population-zero": Case(
        CHATEAU_THIERRY_PHASE_1, "MinInclusiveConstraintComponent",
        **replace(CHATEAU_THIERRY_PHASE_1, TILOD.populationTotale, Literal(0)),
    ),
    # the CA du Saint-Quentinois (ti-3208) also listed in ti-3214, of the same phase
    "epci-in-two-territories-of-one-phase": Case(
        SOISSONNAIS, "SPARQLConstraintComponent",
        add=((SOISSONNAIS, ns.ORG.hasMember, SAINT_QUENTINOIS),),
        message=f"also in territory {HAUTE_PICARDIE}", value=SAINT_QUENTINOIS,
        also=(HAUTE_PICARDIE,),
    ),
    "labelling-without-source": Case(
        LABELLING, "MinCountConstraintComponent", remove=((LABELLING, ns.DCTERMS.source, None),),
        message="where it comes from",
    ),
    "membership-of-unknown-member": Case(
        ADHESION, "OrConstraintComponent", **replace(ADHESION, ns.ORG.member, NOT_IN_RELEASE),
    ),
    "geometry-wkt-plain-string": Case(
        GEOMETRY, "DatatypeConstraintComponent",
        remove=((GEOMETRY, ns.GEO.asWKT, None),), add=((GEOMETRY, ns.GEO.asWKT, AS_PLAIN_STRING),),
    ),
    # EPCI
    "epci-siren-8-digits": Case(
        TERRE_DE_PICARDIE, "PatternConstraintComponent",
        **replace(TERRE_DE_PICARDIE, TILOD.siren, Literal("20007092")), message="9 digits",
    ),
    "epci-siren-bad-luhn": Case(
        SAINT_QUENTINOIS, "SPARQLConstraintComponent",
        **replace(SAINT_QUENTINOIS, TILOD.siren, Literal("200071893")),
        message="SIREN 200071893 has an invalid Luhn check digit", value=Literal("200071893"),
    ),
    "epci-nature-not-in-list": Case(
        HAUTE_SOMME, "InConstraintComponent",
        **replace(HAUTE_SOMME, TILOD.natureJuridique, URIRef(ID + "nature-juridique/SIVOM")),
    ),
    "epci-population-negative": Case(
        CHAUNY_TERGNIER, "MinInclusiveConstraintComponent",
        **replace(CHAUNY_TERGNIER, TILOD.populationTotale, Literal(-1)),
    ),
    # Communes
    "commune-siren-bad-luhn": Case(
        SAINT_QUENTIN, "SPARQLConstraintComponent",
        **replace(SAINT_QUENTIN, TILOD.siren, Literal("210206661")),
        message="SIREN 210206661 has an invalid Luhn check digit", value=Literal("210206661"),
    ),
    "commune-code-4-characters": Case(
        AMIENS, "PatternConstraintComponent",
        **replace(AMIENS, IGEO.codeINSEE, Literal("8021", datatype=ns.XSD.token)),
        message="commune code",
    ),
    "commune-in-two-departements": Case(
        LAON, "MaxCountConstraintComponent", add=((LAON, TILOD.departement, SOMME),),
        message="exactly one département",
    ),
    "commune-label-missing": Case(
        SOISSONS, "MinCountConstraintComponent", remove=((SOISSONS, ns.RDFS.label, None),),
    ),
    # Départements and régions
    "departement-code-3-digits": Case(
        AISNE, "PatternConstraintComponent",
        **replace(AISNE, IGEO.codeINSEE, Literal("002", datatype=ns.XSD.token)),
        message="département code",
    ),
    "departement-code-00": Case(
        SOMME, "PatternConstraintComponent",
        **replace(SOMME, IGEO.codeINSEE, Literal("00", datatype=ns.XSD.token)),
        message="département code",
    ),
    "departement-without-region": Case(
        PAS_DE_CALAIS, "MinCountConstraintComponent",
        remove=((PAS_DE_CALAIS, IGEO.subdivisionDirecteDe, None),),
    ),
    "region-code-letters": Case(
        HAUTS_DE_FRANCE, "PatternConstraintComponent",
        **replace(HAUTS_DE_FRANCE, IGEO.codeINSEE, Literal("HF", datatype=ns.XSD.token)),
        message="région code",
    ),
    # Outlines of places
    "commune-outline-without-wkt": Case(
        SOISSONS_OUTLINE, "MinCountConstraintComponent", remove=((SOISSONS_OUTLINE, ns.GEO.asWKT, None),),
        message="exactly one geo:wktLiteral",
    ),
    "epci-outline-without-source": Case(
        SAINT_QUENTINOIS_OUTLINE, "MinCountConstraintComponent",
        remove=((SAINT_QUENTINOIS_OUTLINE, ns.DCTERMS.source, None),), message="names its source",
    ),
    "departement-outline-a-point": Case(
        AISNE_OUTLINE, "PatternConstraintComponent",
        **replace(AISNE_OUTLINE, ns.GEO.asWKT, Literal("POINT(3.5 49.5)", datatype=ns.GEO.wktLiteral)),
        message="POLYGON or MULTIPOLYGON",
    ),
    "region-two-outlines": Case(
        HAUTS_DE_FRANCE, "MaxCountConstraintComponent",
        add=((HAUTS_DE_FRANCE, ns.GEO.hasGeometry, SOMME_OUTLINE),), message="at most one outline",
    ),
    # The programme
    "phase-without-start-year": Case(
        PHASE_2023, "MinCountConstraintComponent", remove=((PHASE_2023, ns.DCAT.startDate, None),),
        message="start year",
    ),
    "phase-starts-after-it-ends": Case(
        PHASE_1, "SPARQLConstraintComponent",
        **replace(PHASE_1, ns.DCAT.startDate, Literal("2023", datatype=ns.XSD.gYear)),
        message="cannot start (2023) after it ends (2022)",
    ),
    "count-without-source": Case(
        COUNT, "MinCountConstraintComponent", remove=((COUNT, ns.PROV.wasDerivedFrom, None),),
        message="names its source",
    ),
    "concept-outside-any-scheme": Case(
        PRIORITY, "MinCountConstraintComponent", remove=((PRIORITY, ns.SKOS.inScheme, None),),
    ),
}


def groups(cases: dict[str, Case]) -> list[list[str]]:
    """The cases in groups whose records are all different (each group is validated once)."""
    if os.environ.get("TILOD_SHAPES_ONE_BY_ONE"):
        return [[name] for name in cases]
    found: list[tuple[set[URIRef], list[str]]] = []
    for name, case in cases.items():
        records = {case.focus, *case.also}
        for used, names in found:
            if not used & records:
                used |= records
                names.append(name)
                break
        else:
            found.append((records, [name]))
    return [names for _, names in found]


GROUPS = groups(CASES)


def copy_of(graph: Graph) -> Graph:
    """A copy to validate: `validate` runs in place, so the session graph itself never is."""
    copy = Graph()
    copy += graph
    return copy


def mutate(graph: Graph, case: Case) -> None:
    """Make `case.focus` bad, changing only its own triples (never a type)."""
    removed: list[Triple] = []
    for pattern in case.remove:
        found = list(graph.triples(pattern))
        assert found, f"the real record has no {pattern}: the case no longer tests anything"
        removed += found
    for s, p, _ in [*removed, *case.add]:
        assert s == case.focus and p != ns.RDF.type
    for triple in removed:
        graph.remove(triple)
    for s, p, o in case.add:
        if o is AS_PLAIN_STRING:
            o = Literal(str(removed[0][2]))
        assert (s, p, o) not in graph
        graph.add((s, p, o))


def results_on(result: ValidationResult, focus: URIRef) -> list[dict[str, object]]:
    report = result.report
    return [
        {
            "component": str(report.value(r, ns.SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
            "message": str(report.value(r, ns.SH.resultMessage) or ""),
            "value": report.value(r, ns.SH.value),
        }
        for r in report.subjects(ns.SH.focusNode, focus)
    ]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(ROOT / "shapes/tilod-shapes.ttl", BASE)


@pytest.fixture(scope="module")
def validated(subset_graph, shapes) -> list[tuple[list[str], ValidationResult]]:
    """Each group of cases applied to its own copy of the real graph, and validated."""
    out = []
    for names in GROUPS:
        graph = copy_of(subset_graph)
        for name in names:
            mutate(graph, CASES[name])
        out.append((names, validate(graph, shapes)))
    return out


def test_the_real_subset_conforms(subset_graph, shapes):
    result = validate(copy_of(subset_graph), shapes)
    assert result.conforms, result.summary()
    assert result.violations == 0


@pytest.mark.parametrize("name", list(CASES))
def test_each_rule_catches_a_real_record_made_bad(validated, name):
    case = CASES[name]
    result = next(r for names, r in validated if name in names)
    assert not result.conforms
    found = results_on(result, case.focus)
    assert any(
        r["component"] == case.component
        and case.message in str(r["message"])
        and (case.value is None or r["value"] == case.value)
        for r in found
    ), f"expected {case.component} on {case.focus}; got {found}\n{result.summary()}"


def test_violations_are_on_the_bad_records_only(validated):
    for names, result in validated:
        expected = {node for n in names for node in (CASES[n].focus, *CASES[n].also)}
        reported = set(result.report.objects(None, ns.SH.focusNode))
        assert reported <= expected, f"{names}: unexpected {reported - expected}"


def test_summary_groups_and_counts_violations(subset_graph, shapes):
    graph = copy_of(subset_graph)
    for commune, bad_code in ((SAINT_QUENTIN, "2691"), (AMIENS, "8021")):
        mutate(graph, Case(commune, "", **replace(commune, IGEO.codeINSEE, Literal(bad_code))))
    result = validate(graph, shapes)
    summary = result.summary()
    assert result.violations == 2
    assert summary.splitlines()[0] == "SHACL: 2 violation(s) in 1 group(s)"
    assert (
        "- 2 x PatternConstraintComponent on codeINSEE: "
        "commune code must be 5 characters: département then 3 digits" in summary
    )
    assert f"focus {SAINT_QUENTIN}  value '2691'" in summary
    assert f"focus {AMIENS}  value '8021'" in summary
