"""The map through time, on the real vintages of decoupage-administratif (2019, 2023, 2026).

Expected figures come from the issue and from the shipped source files read here directly, never
from the code under test.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import BASE
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns

from conftest import ROOT
from tilod.graph.builder import build_graph
from tilod.graph.uris import Uris
from tilod.records.inputs import load_inputs
from tilod.validation.shacl import load_shapes, validate

ID = BASE + "id/"
TILOD = Namespace("https://w3id.org/tilod/def/tilod#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
SCHEMA = Namespace("http://schema.org/")
DATA = ROOT / "data/decoupage-administratif"

FLANDRE_INTERIEURE = URIRef(ID + "epci/200040947")  # in ti-3201; "CA Coeur de Flandre" since
LILLE_2019 = URIRef(ID + "epci/245900410")  # the Métropole européenne de Lille of the 2019 map
HAUTE_DEULE = URIRef(ID + "epci/245901061")  # CC de la Haute Deûle, merged into it
LILLE = URIRef(ID + "epci/200093201")  # the Métropole européenne de Lille of today, a new SIREN
LIST_2024 = ROOT / "data/territoires/ti_2023_groupements_20240916.csv"  # ANCT's later build of the list
PONTHIEU_MARQUENTERRE = "200070936"  # CC Ponthieu-Marquenterre (Somme): 71 communes in 2023, 70 in 2026


def members(package: str, siren: str) -> set[str]:
    """A groupement's member communes, as a shipped epci.json lists them."""
    records = json.loads((DATA / package / "epci.json").read_text(encoding="utf-8"))
    return {m["code"] for g in records if g["code"] == siren for m in g["membres"]}


def version(siren: str, year: str) -> URIRef:
    return URIRef(f"{ID}epci/{siren}/{year}")


@pytest.fixture(scope="module")
def nord(settings) -> Graph:
    """The graph of the Nord: ti-3201 and the Métropole européenne de Lille's merger."""
    nord_settings = replace(settings, departements=("59",))
    return build_graph(load_inputs(nord_settings), Uris(BASE), nord_settings.departements)


def test_a_territory_on_its_labelling_day_has_its_members_as_they_were(nord):
    adhesion = URIRef(ID + "adhesion/2023-2027/ti-3201/200040947")
    labelled = nord.value(adhesion, TILOD.versionMembre)
    assert labelled == version("200040947", "2023")
    assert (nord.value(labelled, IGEO.nom).toPython(), nord.value(labelled, TILOD.natureJuridique),
            nord.value(labelled, TILOD.populationTotale).toPython()) == (
        "CC de Flandre Intérieure", URIRef(ID + "nature-juridique/CC"), 104462)
    assert (nord.value(labelled, SCHEMA.validFrom), nord.value(labelled, SCHEMA.validThrough)) == (
        Literal("2023-01-01", datatype=ns.XSD.date), Literal("2025-12-31", datatype=ns.XSD.date))
    assert nord.value(labelled, TILOD.millesimePopulation) == Literal("2020", datatype=ns.XSD.gYear)
    today = nord.value(FLANDRE_INTERIEURE, TILOD.versionCourante)
    assert today == version("200040947", "2026")
    assert (nord.value(today, IGEO.nom).toPython(), nord.value(today, TILOD.natureJuridique),
            nord.value(today, TILOD.populationTotale).toPython()) == (
        "CA Coeur de Flandre", URIRef(ID + "nature-juridique/CA"), 104360)
    assert nord.value(today, SCHEMA.validThrough) is None
    assert nord.value(today, ns.PROV.wasRevisionOf) == labelled
    assert set(nord.objects(FLANDRE_INTERIEURE, ns.DCTERMS.hasVersion)) == {
        version("200040947", year) for year in ("2019", "2023", "2026")}


def test_a_version_lists_the_communes_of_its_vintage(subset_graph):
    before, after = members("3.1.1", PONTHIEU_MARQUENTERRE), members("6.0.0", PONTHIEU_MARQUENTERRE)
    assert (len(before), len(after)) == (71, 70)
    for year, codes in (("2023", before), ("2026", after)):
        found = subset_graph.objects(version(PONTHIEU_MARQUENTERRE, year), TILOD.communeMembre)
        assert {str(c).rsplit("/", 1)[-1] for c in found} == codes


def test_a_commune_merged_since_is_a_former_commune_replaced_by_todays(subset_graph):
    # Ponthieu-Marquenterre's commune that is no commune any more on the 2026 map
    gone = members("3.1.1", PONTHIEU_MARQUENTERRE) - members("6.0.0", PONTHIEU_MARQUENTERRE)
    communes = json.loads((DATA / "6.0.0/communes.json").read_text(encoding="utf-8"))
    taken_in_by = {c["code"] for c in communes if c["type"] == "commune-actuelle"
                   and gone & set(c.get("anciensCodes", []))}
    assert len(gone) == 1 and len(taken_in_by) == 1
    code = gone.pop()
    former = URIRef(ID + "commune/" + code)
    assert (former, ns.RDF.type, TILOD.CommuneDisparue) in subset_graph
    listed_in = {year for year, package in (("2019", "0.3.0"), ("2023", "3.1.1"))
                 if code in {m["code"] for g in json.loads((DATA / package / "epci.json").read_text(encoding="utf-8"))
                             for m in g["membres"]}}
    assert {str(s) for s in subset_graph.objects(former, ns.DCTERMS.source)} == {
        ID + "source/decoupage-administratif", *(f"{ID}source/decoupage-administratif/{y}" for y in listed_in)}
    assert (former, ns.RDF.type, IGEO.Commune) not in subset_graph  # today's communes only
    assert subset_graph.value(former, ns.DCTERMS.isReplacedBy) == URIRef(ID + "commune/" + taken_in_by.pop())


def test_a_merger_between_vintages_is_an_event_derived_from_the_communes(nord):
    assert members("0.3.0", "245900410") | members("0.3.0", "245901061") == members("3.1.1", "200093201")
    event = URIRef(ID + "evenement/2023/200093201")
    assert (event, ns.RDF.type, IGEO.EvenementGeographique) in nord
    assert set(nord.objects(event, IGEO.suppression)) == {LILLE_2019, HAUTE_DEULE}
    assert set(nord.objects(event, IGEO.creation)) == {LILLE}
    assert set(nord.objects(event, TILOD.versionAnterieure)) == {version("245900410", "2019"),
                                                                 version("245901061", "2019")}
    assert set(nord.objects(event, TILOD.versionPosterieure)) == {version("200093201", "2023")}
    # the sources give the maps of 1 January 2019 and 2023, not the day in between
    assert (nord.value(event, TILOD.dateApres), nord.value(event, TILOD.dateAuPlusTard)) == (
        Literal("2019-01-01", datatype=ns.XSD.date), Literal("2023-01-01", datatype=ns.XSD.date))
    assert nord.value(event, IGEO.date) is None
    assert set(nord.objects(version("200093201", "2023"), ns.PROV.wasDerivedFrom)) == {
        version("245900410", "2019"), version("245901061", "2019")}
    for gone in (LILLE_2019, HAUTE_DEULE):
        assert (gone, ns.RDF.type, TILOD.IntercommunaliteDisparue) in nord
        assert (gone, ns.RDF.type, IGEO.Intercommunalite) not in nord
        assert nord.value(gone, TILOD.versionCourante) is None
        assert nord.value(version(str(gone).rsplit("/", 1)[-1], "2019"), SCHEMA.validThrough) == Literal(
            "2022-12-31", datatype=ns.XSD.date)


def test_communes_moving_between_two_epci_that_go_on_is_an_event_without_creation(nord):
    """A commune of the CA de la Porte du Hainaut on the 2019 map is in the CC Coeur d'Ostrevent on
    the 2023 map, both SIRENs going on."""
    assert members("0.3.0", "200042190") & members("3.1.1", "245901152")
    event = URIRef(ID + "evenement/2023/200042190")
    assert set(nord.objects(event, IGEO.creation)) == set() == set(nord.objects(event, IGEO.suppression))
    assert version("200042190", "2019") in set(nord.objects(event, TILOD.versionAnterieure))
    assert version("245901152", "2023") in set(nord.objects(event, TILOD.versionPosterieure))
    assert (version("245901152", "2023"), ns.PROV.wasDerivedFrom, version("200042190", "2019")) in nord


def test_a_labelling_whose_day_no_source_gives_says_so_and_points_at_no_version(subset_graph):
    labelling = URIRef(ID + "labellisation/2018-2022/ti-3212")
    assert subset_graph.value(labelling, ns.DCTERMS.date) is None
    assert subset_graph.value(labelling, TILOD.dateInconnue) == Literal(True)
    adhesions = list(subset_graph.subjects(ns.ORG.organization, URIRef(ID + "territoire/2018-2022/ti-3212")))
    assert adhesions and all(subset_graph.value(a, TILOD.versionMembre) is None for a in adhesions)
    assert all(subset_graph.value(a, SCHEMA.validFrom) is None for a in adhesions)  # from an unknown day


def test_the_nord_with_its_events_conforms_to_the_shapes(nord):
    copy = Graph()
    copy += nord
    result = validate(copy, load_shapes(Path(ROOT / "shapes/tilod-shapes.ttl"), BASE))
    assert result.conforms, result.summary()


def test_a_partial_release_keeps_an_event_across_its_border_whole(settings):
    """The CA Seine-Eure of 2023 (a commune of the Seine-Maritime) was made of two EPCI of the Eure
    alone: a release of the Seine-Maritime has the merger whole, with the versions of both."""
    scoped = replace(settings, departements=("76",))
    graph = build_graph(load_inputs(scoped), Uris(BASE), scoped.departements)
    event = URIRef(ID + "evenement/2023/200089456")
    assert set(graph.objects(event, IGEO.suppression)) == {URIRef(ID + "epci/200035665"),
                                                         URIRef(ID + "epci/242700623")}
    before = set(graph.objects(event, TILOD.versionAnterieure))
    assert before == {version("200035665", "2019"), version("242700623", "2019")}
    assert all((v, ns.RDF.type, TILOD.VersionIntercommunalite) in graph for v in before)


def test_a_membership_the_later_anct_list_drops_says_it_ended_between_the_two(settings):
    """ANCT's build of 16 September 2024 no longer has the CC du Haut Vallespir in ti-7613."""
    scoped = replace(settings, departements=("66",))
    inputs = load_inputs(scoped)
    graph = build_graph(inputs, Uris(BASE), scoped.departements)
    dropped = URIRef(ID + "adhesion/2023-2027/ti-7613/246600548")
    assert (graph.value(dropped, TILOD.finApres), graph.value(dropped, TILOD.finAuPlusTard)) == (
        Literal("2023-11-14", datatype=ns.XSD.date), Literal("2024-09-16", datatype=ns.XSD.date))
    adhesions = set(graph.subjects(ns.ORG.organization, URIRef(ID + "territoire/2023-2027/ti-7613")))
    assert len(adhesions) > 1
    for adhesion in adhesions:
        assert graph.value(adhesion, SCHEMA.validFrom) == Literal("2023-11-09", datatype=ns.XSD.date)
        if adhesion != dropped:
            assert graph.value(adhesion, TILOD.finAuPlusTard) is None
    # a release of the later list itself has nothing later to compare with
    assert load_inputs(replace(scoped, territories_2023=LIST_2024)).later_2023 is None
    assert inputs.later_2023 is not None and inputs.later_2023.day == "2024-09-16"
