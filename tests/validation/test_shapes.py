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

import copy
import json
import os
from dataclasses import dataclass

import pytest
from helpers import BASE, ONTOLOGY, TILOD_NS
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns

from conftest import ROOT
from tilod.graph.builder import build_graph
from tilod.graph.uris import Uris
from tilod.release.catalogue import load_catalogue
from tilod.release.description import describe_release
from tilod.release.dumps import WrittenFile
from tilod.release.history import ChangeSet, Snapshot, changes_graph, diff, read_snapshot
from tilod.release.ontology import versioned_ontology
from tilod.validation.shacl import ValidationResult, load_shapes, validate

ID = BASE + "id/"
TILOD = Namespace(TILOD_NS)
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
VANN = Namespace("http://purl.org/vocab/vann/")


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
CHAUNY_PHASE_1 = territory("2018-2022", "ti-3211")
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
VERMANDOIS = URIRef(ID + "epci/240200493")  # CC du Pays du Vermandois: in no territory of 2023-2027
LABELLING_THIERACHE = URIRef(ID + "labellisation/2023-2027/ti-3217")
COUNT_FRANCE = URIRef(ID + "denombrement/2023-2027/france")
COUNT_AISNE = URIRef(ID + "denombrement/2023-2027/departement-02")
SUD_AISNE_OUTLINE = URIRef(ID + "territoire/2023-2027/ti-3215/geometrie")
HAUTE_PICARDIE_OUTLINE = URIRef(ID + "territoire/2023-2027/ti-3208/geometrie")
SOMME_REGION_OUTLINE = URIRef(ID + "region/32/geometrie")
CHAUNY = URIRef(ID + "commune/02173")
ABBEVILLE = URIRef(ID + "commune/80001")
PAYS_DE_LAON = URIRef(ID + "epci/200043495")  # CA du Pays de Laon
PRESS_RELEASE = URIRef(ID + "source/communique-prefet-aisne-2023-11-14")
LESCURE = URIRef(ID + "acteur/roland-lescure")
BECHU = URIRef(ID + "acteur/christophe-bechu")
CC = URIRef(ID + "nature-juridique/CC")
EPT = URIRef(ID + "nature-juridique/EPT")
FPU = URIRef(ID + "mode-financement/FPU")
ANNOUNCEMENT = URIRef(ID + "annonce/2023-11-09/laureats")
SCHEMA = Namespace("http://schema.org/")
VAL_DE_L_AISNE_2019 = URIRef(ID + "epci/240200501/2019")  # CC du Val de l'Aisne as the 2019 map has it
VAL_DE_L_AISNE_2023 = URIRef(ID + "epci/240200501/2023")
SAINT_QUENTINOIS_2019 = URIRef(ID + "epci/200071892/2019")
SAINT_QUENTINOIS_2026 = URIRef(ID + "epci/200071892/2026")
CHAUNY_TERGNIER_2019 = URIRef(ID + "epci/200071785/2019")
HAUTE_SOMME_2023 = URIRef(ID + "epci/200037059/2023")
PAYS_DE_LAON_2023 = URIRef(ID + "epci/200043495/2023")
ADHESION_SOISSONNAIS = URIRef(ID + "adhesion/2023-2027/ti-3214/240200519")
BERZY_LE_SEC = URIRef(ID + "commune/02077")  # merged into Villemontoire (02564) since the 2019 map
LABELLING_THIERACHE_PHASE_1 = URIRef(ID + "labellisation/2018-2022/ti-3212")
#: in `Case.add`: the object removed from the record, as a plain string literal
AS_PLAIN_STRING = Literal("(the removed value as a plain string)")
#: in `Case.add`: the removed WKT without its last bracket
AS_TRUNCATED_WKT = Literal("(the removed WKT without its last bracket)")
#: in `Case.add`: the removed integer plus one
PLUS_ONE = Literal("(the removed integer plus one)")

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
    on: URIRef | None = None  # the record the violation is reported on, if not `focus`
    uses: tuple[URIRef, ...] = ()  # other records the rule reads (no case of its group changes them)

    @property
    def reported(self) -> URIRef:
        return self.on or self.focus

    @property
    def records(self) -> set[URIRef]:
        return {self.focus, self.reported, *self.also}

    @property
    def touches(self) -> set[URIRef]:
        return self.records | set(self.uses)


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
        also=(HAUTE_PICARDIE, CHAUNY_PHASE_1),  # their populations are no longer their members' sum
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
    # A stated count about no zone
    "count-without-zone": Case(
        COUNT, "MinCountConstraintComponent", remove=((COUNT, TILOD.zone, None),), message="one zone",
    ),
    # An EPCI whose INSEE code is another (valid) SIREN, the CA du Saint-Quentinois'
    "epci-code-insee-not-its-siren": Case(
        TERRE_DE_PICARDIE, "SPARQLConstraintComponent",
        **replace(TERRE_DE_PICARDIE, IGEO.codeINSEE, Literal("200071892", datatype=ns.XSD.token)),
        message="INSEE code 200071892 differs from the SIREN 200070928",
        value=Literal("200071892", datatype=ns.XSD.token),
    ),
    # The CA du Saint-Quentinois no longer listed by ti-3208, its membership record left
    "membership-its-territory-does-not-list": Case(
        HAUTE_PICARDIE, "SPARQLConstraintComponent",
        remove=((HAUTE_PICARDIE, ns.ORG.hasMember, SAINT_QUENTINOIS),), on=ADHESION,
        message=f"membership of {SAINT_QUENTINOIS} in {HAUTE_PICARDIE}, which does not list it",
        value=SAINT_QUENTINOIS,
    ),
    # The reverse: the Thiérache lists the CC du Pays du Vermandois, with no membership record
    "member-without-membership": Case(
        THIERACHE, "SPARQLConstraintComponent", add=((THIERACHE, ns.ORG.hasMember, VERMANDOIS),),
        message="has no membership record", value=VERMANDOIS,
    ),
    "territory-population-totale-not-the-sum": Case(
        ALBERT_AMIENS, "SPARQLConstraintComponent",
        remove=((ALBERT_AMIENS, TILOD.populationTotale, None),),
        add=((ALBERT_AMIENS, TILOD.populationTotale, PLUS_ONE),),
        message="population totale",
    ),
    "territory-population-municipale-not-the-sum": Case(
        BRESLE_VIMEU, "SPARQLConstraintComponent",
        remove=((BRESLE_VIMEU, TILOD.populationMunicipale, None),),
        add=((BRESLE_VIMEU, TILOD.populationMunicipale, PLUS_ONE),),
        message="population municipale",
    ),
    # The Sud de l'Aisne said to be in the Pas-de-Calais, where none of its members is
    "territory-departement-without-a-member-there": Case(
        SUD_AISNE, "SPARQLConstraintComponent", add=((SUD_AISNE, TILOD.departement, PAS_DE_CALAIS),),
        message="holds none of the territory's members", value=PAS_DE_CALAIS,
    ),
    # The 2023-2027 labelling of the Thiérache dated in 2022
    "labelling-dated-outside-its-phase": Case(
        LABELLING_THIERACHE, "SPARQLConstraintComponent",
        **replace(LABELLING_THIERACHE, ns.DCTERMS.date, Literal("2022-12-31", datatype=ns.XSD.date)),
        message="outside its phase (2023-2027)", uses=(PHASE_2023,),
        # the members' 2023 versions are not in force on that day either
        also=tuple(URIRef(f"{ID}adhesion/2023-2027/ti-3217/{siren}")
                   for siren in ("200071983", "240200444", "240200469", "240200600", "240200634")),
    ),
    # The subset holds 7 territories of 2023-2027 in the Hauts-de-France: never more than stated
    "count-below-the-data": Case(
        COUNT, "SPARQLConstraintComponent", **replace(COUNT, TILOD.nombre, Literal(6)),
        message=f"states 6 territories in {HAUTS_DE_FRANCE}, the data holds 7", value=Literal(6),
    ),
    # The Aisne is in the subset's perimeter (it holds all its territories): exactly as stated
    "count-above-the-data-in-the-perimeter": Case(
        COUNT_AISNE, "SPARQLConstraintComponent", **replace(COUNT_AISNE, TILOD.nombre, Literal(5)),
        message=f"states 5 territories in {AISNE}, the data holds 4", value=Literal(5),
    ),
    # Chauny in the CC du Pays du Vermandois as well as in the CA Chauny-Tergnier-La Fère
    "commune-in-two-epcis": Case(
        CHAUNY, "SPARQLConstraintComponent", add=((CHAUNY, IGEO.subdivisionDirecteDe, VERMANDOIS),),
        message="commune in two EPCIs",
    ),
    "territory-without-source": Case(
        HAUTE_PICARDIE, "MinCountConstraintComponent", remove=((HAUTE_PICARDIE, ns.DCTERMS.source, None),),
        message="names its source",
    ),
    # WKT that the old pattern (a prefix: brackets and a digit) let through
    "outline-brackets-only": Case(
        SUD_AISNE_OUTLINE, "PatternConstraintComponent",
        **replace(SUD_AISNE_OUTLINE, ns.GEO.asWKT, Literal("POLYGON(((0", datatype=ns.GEO.wktLiteral)),
        message="well-formed POLYGON or MULTIPOLYGON",
    ),
    "outline-unbalanced-brackets": Case(
        HAUTE_PICARDIE_OUTLINE, "PatternConstraintComponent",
        remove=((HAUTE_PICARDIE_OUTLINE, ns.GEO.asWKT, None),),
        add=((HAUTE_PICARDIE_OUTLINE, ns.GEO.asWKT, AS_TRUNCATED_WKT),),
        message="well-formed POLYGON or MULTIPOLYGON",
    ),
    "outline-coordinate-not-a-number": Case(
        SOMME_REGION_OUTLINE, "PatternConstraintComponent",
        **replace(SOMME_REGION_OUTLINE, ns.GEO.asWKT, Literal(
            "MULTIPOLYGON(((3.1 49.2, 3.2 49.3, 3.3 abc, 3.1 49.2)))", datatype=ns.GEO.wktLiteral)),
        message="well-formed POLYGON or MULTIPOLYGON",
    ),
    "region-code-05-does-not-exist": Case(
        HAUTS_DE_FRANCE, "PatternConstraintComponent",
        **replace(HAUTS_DE_FRANCE, IGEO.codeINSEE, Literal("05", datatype=ns.XSD.token)),
        message="région code", value=Literal("05", datatype=ns.XSD.token),
    ),
    # The model's errors, each made again on the real record that had it
    "person-without-label": Case(
        BECHU, "MinCountConstraintComponent", remove=((BECHU, ns.RDFS.label, None),), message="needs a label",
    ),
    "nature-juridique-without-rdfs-label": Case(
        CC, "MinCountConstraintComponent", remove=((CC, ns.RDFS.label, None),), message="needs a label",
    ),
    "concept-label-without-language": Case(
        FPU, "DatatypeConstraintComponent",
        remove=((FPU, ns.RDFS.label, None),), add=((FPU, ns.RDFS.label, AS_PLAIN_STRING),),
        message="needs a label",
    ),
    "role-a-string": Case(
        LESCURE, "ClassConstraintComponent",
        add=((LESCURE, ns.ORG.role, Literal("ministre délégué chargé de l'Industrie ; copilote du programme", lang="fr")),),
        message="org:role takes an org:Role",
    ),
    "notation-a-plain-string": Case(
        EPT, "NotConstraintComponent",
        remove=((EPT, ns.SKOS.notation, None),), add=((EPT, ns.SKOS.notation, AS_PLAIN_STRING),),
        message="typed literal", value=Literal("EPT"),
    ),
    "igeo-nom-with-a-language": Case(
        ABBEVILLE, "DatatypeConstraintComponent", **replace(ABBEVILLE, IGEO.nom, Literal("Abbeville", lang="fr")),
        message="xsd:token",
    ),
    "spatial-a-string": Case(
        PRESS_RELEASE, "NodeKindConstraintComponent",
        **replace(PRESS_RELEASE, ns.DCTERMS.spatial, Literal("Laon", lang="fr")), message="points at a place",
    ),
    "epci-mode-financement-a-string": Case(
        PAYS_DE_LAON, "InConstraintComponent", **replace(PAYS_DE_LAON, TILOD.modeFinancement, Literal("FPU")),
        message="modes de financement",
    ),
    # The map through time: versions of an EPCI, former communes, the day of a labelling
    "versions-overlap": Case(
        VAL_DE_L_AISNE_2019, "SPARQLConstraintComponent",
        **replace(VAL_DE_L_AISNE_2019, SCHEMA.validThrough, Literal("2023-06-30", datatype=ns.XSD.date)),
        message="in force on the same days", value=VAL_DE_L_AISNE_2023, also=(VAL_DE_L_AISNE_2023,),
    ),
    "current-version-ended": Case(
        SAINT_QUENTINOIS_2026, "MaxCountConstraintComponent",
        add=((SAINT_QUENTINOIS_2026, SCHEMA.validThrough, Literal("2030-12-31", datatype=ns.XSD.date)),),
        on=SAINT_QUENTINOIS, message="until further notice",
    ),
    "two-current-versions": Case(
        PAYS_DE_LAON, "MaxCountConstraintComponent",
        add=((PAYS_DE_LAON, TILOD.versionCourante, PAYS_DE_LAON_2023),), message="exactly one current version",
    ),
    "version-begins-after-it-ends": Case(
        CHAUNY_TERGNIER_2019, "LessThanOrEqualsConstraintComponent",
        **replace(CHAUNY_TERGNIER_2019, SCHEMA.validFrom, Literal("2024-01-01", datatype=ns.XSD.date)),
        message="not after its last",
    ),
    "version-without-communes": Case(
        HAUTE_SOMME_2023, "MinCountConstraintComponent", remove=((HAUTE_SOMME_2023, TILOD.communeMembre, None),),
        message="members are communes",
    ),
    "member-version-not-in-force-on-the-day": Case(
        ADHESION, "SPARQLConstraintComponent",
        **replace(ADHESION, TILOD.versionMembre, SAINT_QUENTINOIS_2019),
        message="in force on the labelling's day", value=SAINT_QUENTINOIS_2019, uses=(LABELLING,),
    ),
    "member-version-of-another-epci": Case(
        ADHESION_SOISSONNAIS, "SPARQLConstraintComponent",
        **replace(ADHESION_SOISSONNAIS, TILOD.versionMembre, PAYS_DE_LAON_2023),
        message="not its member's version", value=PAYS_DE_LAON_2023,
    ),
    "former-commune-without-successor": Case(
        BERZY_LE_SEC, "MinCountConstraintComponent", remove=((BERZY_LE_SEC, ns.DCTERMS.isReplacedBy, None),),
        message="took it in",
    ),
    "membership-ends-before-it-was-last-listed": Case(
        ADHESION, "LessThanConstraintComponent",
        add=((ADHESION, TILOD.finApres, Literal("2023-11-14", datatype=ns.XSD.date)),
             (ADHESION, TILOD.finAuPlusTard, Literal("2023-11-01", datatype=ns.XSD.date))),
        message="before the day of the one that has it no more",
    ),
    "labelling-dated-and-said-undated": Case(
        LABELLING_THIERACHE, "XoneConstraintComponent",
        add=((LABELLING_THIERACHE, TILOD.dateInconnue, Literal(True)),),
    ),
    "labelling-neither-dated-nor-said-undated": Case(
        LABELLING_THIERACHE_PHASE_1, "XoneConstraintComponent",
        remove=((LABELLING_THIERACHE_PHASE_1, TILOD.dateInconnue, None),),
    ),
    "announcement-without-author": Case(
        ANNOUNCEMENT, "MinCountConstraintComponent", remove=((ANNOUNCEMENT, ns.PROV.wasAttributedTo, None),),
        message="who made it",
    ),
}


def groups(cases: dict[str, Case]) -> list[list[str]]:
    """The cases in groups whose records are all different (each group is validated once)."""
    if os.environ.get("TILOD_SHAPES_ONE_BY_ONE"):
        return [[name] for name in cases]
    found: list[tuple[set[URIRef], list[str]]] = []
    for name, case in cases.items():
        records = case.touches
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
        elif o is AS_TRUNCATED_WKT:
            wkt = str(removed[0][2])
            assert wkt.endswith(")")
            o = Literal(wkt[:-1], datatype=ns.GEO.wktLiteral)
        elif o is PLUS_ONE:
            o = Literal(removed[0][2].toPython() + 1)  # type: ignore[union-attr]
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


def validate_groups(real: Graph, groups, cases, shapes: Graph) -> list[tuple[list[str], ValidationResult]]:
    """Each group of cases applied to its own copy of the real graph, and validated."""
    out = []
    for names in groups:
        graph = copy_of(real)
        for name in names:
            mutate(graph, cases[name])
        out.append((names, validate(graph, shapes)))
    return out


@pytest.fixture(scope="module")
def validated(subset_graph, shapes) -> list[tuple[list[str], ValidationResult]]:
    return validate_groups(subset_graph, GROUPS, CASES, shapes)


def test_the_real_subset_conforms(subset_graph, shapes):
    result = validate(copy_of(subset_graph), shapes)
    assert result.conforms, result.summary()
    assert result.violations == 0


@pytest.mark.parametrize("name", list(CASES))
def test_each_rule_catches_a_real_record_made_bad(validated, name):
    case = CASES[name]
    result = next(r for names, r in validated if name in names)
    assert not result.conforms
    found = results_on(result, case.reported)
    assert any(
        r["component"] == case.component
        and case.message in str(r["message"])
        and (case.value is None or r["value"] == case.value)
        for r in found
    ), f"expected {case.component} on {case.reported}; got {found}\n{result.summary()}"


def test_violations_are_on_the_bad_records_only(validated):
    for names, result in validated:
        expected = {node for n in names for node in CASES[n].records}
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


# -- counts on a partial release ----------------------------------------------------------------

def test_a_partial_release_checks_counts_only_where_it_holds_every_territory(subset_graph, shapes):
    """The subset says it is partial (tilod:perimetre: the Aisne and the Somme). Without that
    statement the same data claims to be all of France: the counts of France (183) and of the
    Hauts-de-France (18) are then more than it holds (its 7 territories of 2023-2027 all touch
    the Hauts-de-France), and only those two are reported; the Aisne's (4) still holds."""
    graph = copy_of(subset_graph)
    perimeter = list(graph.triples((URIRef(ID + "jeu-de-donnees/tilod"), TILOD.perimetre, None)))
    assert {o for _, _, o in perimeter} == {AISNE, SOMME}
    for triple in perimeter:
        graph.remove(triple)
    result = validate(graph, shapes)
    reported = {(str(f), str(result.report.value(r, ns.SH.resultMessage)))
                for r, f in result.report.subject_objects(ns.SH.focusNode)}
    assert reported == {
        (str(COUNT_FRANCE), f"the source states 183 territories in {ID}pays/france, the data holds 7"),
        (str(COUNT), f"the source states 18 territories in {HAUTS_DE_FRANCE}, the data holds 7"),
    }, result.summary()


# -- the communes of the Grand Paris: in an EPT and in the Métropole ----------------------------

def test_grand_paris_communes_are_in_an_ept_and_the_metropole_only(inputs, shapes):
    """The real Seine-Saint-Denis: each of its communes is in one EPT and in the Métropole du
    Grand Paris, which the rule allows; one of them also in a second EPT is a violation."""
    graph = build_graph(inputs, Uris(BASE), ("93",))
    mgp = URIRef(ID + "epci/200054781")
    saint_denis = URIRef(ID + "commune/93066")
    plaine_commune = URIRef(ID + "epci/200057867")  # the EPT of Saint-Denis
    est_ensemble = URIRef(ID + "epci/200057875")  # another EPT of the Seine-Saint-Denis
    in_both = [c for c in graph.subjects(IGEO.subdivisionDirecteDe, mgp)
               if len([e for e in graph.objects(c, IGEO.subdivisionDirecteDe)
                       if (e, ns.RDF.type, IGEO.Intercommunalite) in graph]) == 2]
    assert len(in_both) == 39 and saint_denis in in_both  # the 39 communes of the Seine-Saint-Denis
    assert {(saint_denis, IGEO.subdivisionDirecteDe, e) in graph for e in (mgp, plaine_commune)} == {True}
    assert (est_ensemble, ns.RDF.type, IGEO.Intercommunalite) in graph
    result = validate(copy_of(graph), shapes)
    assert result.conforms, result.summary()

    graph.add((saint_denis, IGEO.subdivisionDirecteDe, est_ensemble))
    result = validate(graph, shapes)
    found = results_on(result, saint_denis)
    assert [r["message"] for r in found if r["component"] == "SPARQLConstraintComponent"] == [
        f"commune in two EPCIs, {plaine_commune} and {est_ensemble} (only an EPT and the Métropole "
        "du Grand Paris share communes)"], result.summary()
    assert set(result.report.objects(None, ns.SH.focusNode)) == {saint_denis}


# -- the release's other graphs: ontology, VoID, changes.ttl ------------------------------------

META_VERSION = "20260101T000000Z"
DUMPS = f"{BASE}dumps/{META_VERSION}/"
DATASET = URIRef(ID + "jeu-de-donnees/tilod")
ONTOLOGY_NODE = URIRef(ONTOLOGY)
COMPARISON = URIRef(DUMPS + "changes.ttl#comparaison")


def change(n: int) -> URIRef:
    return URIRef(f"{DUMPS}changes.ttl#changement-{n}")


def edited(old: Snapshot) -> Snapshot:
    """The subset's territories with: ti-3208 renamed and the CC du Pays du Vermandois added,
    the CC des Trois Rivières moved from ti-3217 to ti-3215, ti-3214 gone."""
    new = copy.deepcopy(old)
    t = "id/territoire/2023-2027/"
    new.territories[t + "ti-3208"] = "Haute-Picardie et Vermandois"
    new.members[t + "ti-3208"].add("id/epci/240200493")
    new.labels["id/epci/240200493"] = "CC du Pays du Vermandois"
    new.members[t + "ti-3217"].remove("id/epci/240200600")
    new.members[t + "ti-3215"].add("id/epci/240200600")
    del new.territories[t + "ti-3214"]
    del new.members[t + "ti-3214"]
    return new


#: the changes of `edited`, in the order changes.ttl numbers them
CHANGE_KINDS = ["ChangementDeNom", "AjoutDeMembre", "RetraitDeTerritoire", "AjoutDeMembre", "RetraitDeMembre"]

META_CASES: dict[str, Case] = {
    "ontology-term-without-english-label": Case(
        TILOD.Adhesion, "QualifiedMinCountConstraintComponent",
        remove=((TILOD.Adhesion, ns.RDFS.label, Literal("membership of a territory of industry", lang="en")),),
        message="English label",
    ),
    "ontology-term-without-english-definition": Case(
        TILOD.zone, "MinCountConstraintComponent",
        remove=((TILOD.zone, ns.SKOS.definition, Literal("Area (France, region, département) a count is about.",
                                                          lang="en")),),
        message="one definition",
    ),
    "ontology-term-defined-elsewhere": Case(
        TILOD.nombre, "HasValueConstraintComponent",
        **replace(TILOD.nombre, ns.RDFS.isDefinedBy, URIRef("http://rdf.insee.fr/def/geo")),
        message="defined by the tilod ontology",
    ),
    "ontology-without-licence": Case(
        ONTOLOGY_NODE, "MinCountConstraintComponent", remove=((ONTOLOGY_NODE, ns.DCTERMS.license, None),),
    ),
    "ontology-without-version-iri": Case(
        ONTOLOGY_NODE, "MinCountConstraintComponent", remove=((ONTOLOGY_NODE, ns.OWL.versionIRI, None),),
        message="owl:versionIRI",
    ),
    # a version IRI minted from the deployment's base, not the persistent namespace
    "ontology-version-iri-on-the-deployment": Case(
        ONTOLOGY_NODE, "PatternConstraintComponent",
        **replace(ONTOLOGY_NODE, ns.OWL.versionIRI, URIRef(f"{BASE}def/tilod/{META_VERSION}")),
        message="owl:versionIRI",
    ),
    "ontology-without-preferred-prefix": Case(
        ONTOLOGY_NODE, "MinCountConstraintComponent", remove=((ONTOLOGY_NODE, VANN.preferredNamespacePrefix, None),),
        message="preferred prefix",
    ),
    "ontology-without-publisher": Case(
        ONTOLOGY_NODE, "MinCountConstraintComponent", remove=((ONTOLOGY_NODE, ns.DCTERMS.publisher, None),),
    ),
    "datatype-without-english-definition": Case(
        TILOD.CodeModeFinancement, "MinCountConstraintComponent",
        remove=((TILOD.CodeModeFinancement, ns.SKOS.definition, Literal(
            "Code of the tax regime of an EPCI, as decoupage-administratif writes it (FPU, FA).", lang="en")),),
        message="one definition",
    ),
    "void-triples-not-an-integer": Case(
        DATASET, "DatatypeConstraintComponent",
        remove=((DATASET, ns.VOID.triples, None),), add=((DATASET, ns.VOID.triples, AS_PLAIN_STRING),),
        message="number of triples",
    ),
    "dump-without-byte-size": Case(
        URIRef(DUMPS + "tilod.nt.gz"), "MinCountConstraintComponent",
        remove=((URIRef(DUMPS + "tilod.nt.gz"), ns.DCAT.byteSize, None),), message="size in bytes",
    ),
    "dump-without-media-type": Case(
        URIRef(DUMPS + "tilod.ttl"), "MinCountConstraintComponent",
        remove=((URIRef(DUMPS + "tilod.ttl"), ns.DCAT.mediaType, None),), message="media type",
    ),
    "dump-media-type-not-iana": Case(
        URIRef(DUMPS + "tilod.jsonld"), "PatternConstraintComponent",
        **replace(URIRef(DUMPS + "tilod.jsonld"), ns.DCAT.mediaType, URIRef("http://example.org/json-ld")),
        message="IANA media-type IRI",
    ),
    "dump-without-licence": Case(
        URIRef(DUMPS + "shapes.ttl"), "MinCountConstraintComponent",
        remove=((URIRef(DUMPS + "shapes.ttl"), ns.DCTERMS.license, None),), message="names its licence",
    ),
    "change-without-subject": Case(
        change(3), "MinCountConstraintComponent", remove=((change(3), ns.DCTERMS.subject, None),),
        message="about one territory",
    ),
    "member-change-without-member": Case(
        change(2), "MinCountConstraintComponent", remove=((change(2), TILOD.membre, None),),
        message="names the member",
    ),
    "change-outside-the-comparison": Case(
        COMPARISON, "MinCountConstraintComponent", remove=((COMPARISON, ns.DCTERMS.hasPart, change(4)),),
        on=change(4), message="part of the release's comparison",
    ),
}
META_GROUPS = groups(META_CASES)


@pytest.fixture(scope="module")
def described(release, subset_graph) -> Graph:
    """The graph of a release's ontology, VoID and changes.ttl, as the build validates it: the
    ontology, the subset's VoID (for META_VERSION, from the real release's files) and the
    changes of `edited` since the real subset release."""
    manifest = json.loads((release / "release.json").read_text(encoding="utf-8"))
    files = [WrittenFile(**f) for f in manifest["files"]]
    catalogue, vocabularies = load_catalogue(ROOT / "data", BASE)
    void = describe_release(subset_graph, Uris(BASE), META_VERSION, manifest["created"], files,
                            catalogue + vocabularies) - vocabularies
    version, old = read_snapshot(release)
    changes = diff(old, edited(old))
    assert [c.kind for c in changes] == CHANGE_KINDS
    history = changes_graph(ChangeSet(META_VERSION, manifest["created"], version, changes), BASE)
    ontology = versioned_ontology((ROOT / "ontology/tilod.ttl").read_text(encoding="utf-8"), META_VERSION,
                                  manifest["created"])
    return Graph().parse(data=ontology, format="turtle", publicID=BASE) + void + history


@pytest.fixture(scope="module")
def meta_validated(described, shapes) -> list[tuple[list[str], ValidationResult]]:
    return validate_groups(described, META_GROUPS, META_CASES, shapes)


def test_the_real_ontology_void_and_changes_conform(described, shapes):
    result = validate(copy_of(described), shapes)
    assert result.conforms, result.summary()
    for n, kind in enumerate(CHANGE_KINDS, 1):
        assert (change(n), ns.RDF.type, TILOD[kind]) in described


@pytest.mark.parametrize("name", list(META_CASES))
def test_each_rule_catches_a_real_description_made_bad(meta_validated, name):
    case = META_CASES[name]
    result = next(r for names, r in meta_validated if name in names)
    found = results_on(result, case.reported)
    assert any(
        r["component"] == case.component and case.message in str(r["message"]) for r in found
    ), f"expected {case.component} on {case.reported}; got {found}\n{result.summary()}"


def test_description_violations_are_on_the_bad_records_only(meta_validated):
    for names, result in meta_validated:
        expected = {node for n in names for node in META_CASES[n].records}
        reported = set(result.report.objects(None, ns.SH.focusNode))
        assert reported <= expected, f"{names}: unexpected {reported - expected}"
