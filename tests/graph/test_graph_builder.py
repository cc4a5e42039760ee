"""The triples `build_graph` writes for the real records of the Aisne, the Nièvre and the Var:
every territory, membership, EPCI, commune, département and région of the
selection, its population, names, nature and places, and which records the selection keeps."""

from __future__ import annotations

import csv
import functools
import json

import pytest
from helpers import BASE, TILOD_NS, XSD
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS

from conftest import ROOT
from tilod.graph.builder import GraphBuilder, build_graph
from tilod.graph.namespaces import GEO, IGEO
from tilod.graph.uris import PHASE_1, PHASE_2023, Uris
from tilod.records.geometry import read_geometries, read_outlines
from tilod.records.inputs import PROGRAMME_FILES, Inputs
from tilod.records.press_names import read_press_names
from tilod.records.reference import load_reference
from tilod.records.territories import read_territories

DATA = ROOT / "data"
ID = BASE + "id/"
T = TILOD_NS
SCOPE = ("02", "58", "83")  # the Aisne (press release), the Nièvre (a commune in a first-phase territory), the Var (a territory of five communes)
HAUTE_PICARDIE = URIRef(ID + "territoire/2023-2027/ti-3208")
NEVERS_PHASE1 = URIRef(ID + "territoire/2018-2022/ti-2706")
VAR_COMMUNES = URIRef(ID + "territoire/2018-2022/ti-9307")  # five communes, no groupement
SAINT_QUENTINOIS = "200071892"
CHARLY = "240200584"  # renamed since the 2023 labelling


def t(name: str) -> URIRef:
    return URIRef(T + name)


def fr(text: str) -> Literal:
    return Literal(text, lang="fr")


@functools.cache
def real_inputs() -> Inputs:
    """The real reference, lists, outlines and press names (read once: records/ has its own tests)."""
    reference = load_reference(DATA)
    lists = {
        PHASE_2023: read_territories(DATA / "territoires/ti_2023_groupements_20231114.csv", PHASE_2023, reference,
                                     "2023"),
        PHASE_1: read_territories(DATA / "territoires/ti_phase1_groupements_cog2025.csv", PHASE_1, reference,
                                  "current"),
    }
    outlines = {PHASE_2023: read_outlines(DATA / "anct/ti_2023_geom_20231114.geojson"),
                PHASE_1: read_outlines(DATA / "anct/ti_phase1_geom_20231016.geojson")}
    geometries = read_geometries(DATA, reference)
    return Inputs(reference, lists, outlines, read_press_names(DATA), [DATA / f for f in PROGRAMME_FILES],
                  geometries=geometries)


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    return real_inputs()


def test_the_triples_of_the_aisne_and_the_nievre(inputs):
    """One test builds the graph and checks it all (mutation testing maps a mutant to the tests that
    run the code: a graph built once in a fixture would only count for the first test)."""
    graph = build_graph(inputs, Uris(BASE), SCOPE)
    for check in (check_the_selection_keeps_the_territories_touching_the_scope_and_what_they_need,
                  check_each_territory_its_labelling_and_its_populations,
                  check_each_membership_names_its_member_and_territory,
                  check_each_epci_has_its_facts_names_and_places,
                  check_each_commune_departement_and_region,
                  check_the_press_release_names_and_provenance,
                  check_the_programme_files_and_prefixes_are_in_the_graph,
                  check_the_outlines_of_every_place):
        check(graph, inputs)


def one(graph: Graph, s, p):
    values = list(graph.objects(s, p))
    assert len(values) == 1, (s, p, values)
    return values[0]


@functools.cache
def communes_by_siren() -> dict:
    return real_inputs().reference.commune_by_siren()


def member_communes(inputs: Inputs, member) -> tuple[str, ...]:
    if member.nature == "COM":
        return (communes_by_siren()[member.siren].code,)
    return inputs.reference.groupements[member.siren].communes


@functools.cache
def _kept():
    return _work_out_kept(real_inputs())


def kept(inputs: Inputs):
    assert inputs is real_inputs()
    return _kept()


def _work_out_kept(inputs: Inputs):
    """What the selection must keep, worked out here from the records."""
    ref = inputs.reference
    in_scope = {c for c, commune in ref.communes.items() if commune.departement in SCOPE}
    territories = [tr for tl in inputs.lists.values() for tr in tl.territories.values()
                   if any(set(member_communes(inputs, m)) & in_scope for m in tr.members)]
    sirens = {m.siren for tr in territories for m in tr.members}
    groupements = [g for g in ref.groupements.values() if g.siren in sirens or set(g.communes) & in_scope]
    communes = in_scope | {c for g in groupements for c in g.communes} | {
        c for tr in territories for m in tr.members for c in member_communes(inputs, m)}
    return territories, groupements, communes


def check_the_selection_keeps_the_territories_touching_the_scope_and_what_they_need(graph, inputs):
    territories, groupements, communes = kept(inputs)
    assert {str(s) for s in graph.subjects(RDF.type, t("TerritoireIndustrie"))} == {
        f"{ID}territoire/{tr.phase}/{tr.id}" for tr in territories}
    assert {HAUTE_PICARDIE, NEVERS_PHASE1, VAR_COMMUNES} <= set(graph.subjects(RDF.type, t("TerritoireIndustrie")))
    assert {str(s) for s in graph.subjects(RDF.type, IGEO.Intercommunalite)} == {
        f"{ID}epci/{g.siren}" for g in groupements}
    assert {str(s) for s in graph.subjects(RDF.type, IGEO.Commune)} == {f"{ID}commune/{c}" for c in communes}
    ref = inputs.reference
    departements = {ref.communes[c].departement for c in communes}
    assert {"02", "58", "80", "89"} <= departements  # Haute-Picardie reaches the Somme
    assert {str(s) for s in graph.subjects(RDF.type, IGEO.Departement)} == {
        f"{ID}departement/{d}" for d in departements}
    assert {str(s) for s in graph.subjects(RDF.type, IGEO.Region)} == {
        f"{ID}region/{ref.departements[d].region}" for d in departements}


def test_the_whole_of_france_when_no_scope(inputs):
    builder = GraphBuilder(inputs, Uris(BASE))
    territories, groupements, communes = builder.select()
    assert len(territories) == 183 + 149
    assert len(groupements) == len(inputs.reference.groupements)
    assert len(communes) == len(inputs.reference.communes)


def check_each_territory_its_labelling_and_its_populations(graph, inputs):
    ref = inputs.reference
    territories, _, _ = kept(inputs)
    for tr in territories:
        uri = URIRef(f"{ID}territoire/{tr.phase}/{tr.id}")
        source = URIRef(ID + ("source/anct-ti-2023" if tr.phase == PHASE_2023 else "source/anct-ti-phase1"))
        assert one(graph, uri, RDFS.label) == fr(tr.label)
        assert one(graph, uri, DCTERMS.identifier) == Literal(tr.id)
        assert one(graph, uri, t("phase")) == URIRef(f"{ID}phase/{tr.phase}")
        assert one(graph, uri, DCTERMS.source) == source
        labelling = one(graph, uri, t("labellisation"))
        assert labelling == URIRef(f"{ID}labellisation/{tr.phase}/{tr.id}")
        assert one(graph, labelling, RDF.type) == t("Labellisation")
        assert one(graph, labelling, RDFS.label) == fr(f"Labellisation de {tr.label} ({tr.phase})")
        assert one(graph, labelling, t("territoire")) == uri
        assert one(graph, labelling, t("phase")) == URIRef(f"{ID}phase/{tr.phase}")
        assert one(graph, labelling, DCTERMS.source) == source
        dates = list(graph.objects(labelling, DCTERMS.date))
        assert dates == ([Literal("2023-11-09", datatype=XSD.date)] if tr.phase == PHASE_2023 else [])
        totale = municipale = 0
        for m in tr.members:
            if m.nature == "COM":
                population = communes_by_siren()[m.siren].population or 0
                totale, municipale = totale + population, municipale + population
            else:
                totale += ref.groupements[m.siren].population_totale
                municipale += ref.groupements[m.siren].population_municipale
        assert one(graph, uri, t("populationTotale")) == Literal(totale)
        assert one(graph, uri, t("populationMunicipale")) == Literal(municipale)
        assert one(graph, uri, t("populationTotale")).datatype == XSD.integer
        departements = {ref.communes[c].departement for m in tr.members for c in member_communes(inputs, m)}
        assert set(graph.objects(uri, t("departement"))) == {URIRef(f"{ID}departement/{d}") for d in departements}
        assert set(graph.objects(uri, t("region"))) == {
            URIRef(f"{ID}region/{ref.departements[d].region}") for d in departements}
    var = [communes_by_siren()[m.siren] for m in inputs.lists[PHASE_1].territories["ti-9307"].members]
    assert len(var) == 5 and one(graph, VAR_COMMUNES, t("populationMunicipale")) == Literal(
        sum(c.population for c in var)) == one(graph, VAR_COMMUNES, t("populationTotale"))
    assert set(graph.objects(HAUTE_PICARDIE, t("departement"))) == {URIRef(ID + "departement/02"),
                                                                    URIRef(ID + "departement/80")}


def check_each_membership_names_its_member_and_territory(graph, inputs):
    ref = inputs.reference
    territories, _, _ = kept(inputs)
    for tr in territories:
        uri = URIRef(f"{ID}territoire/{tr.phase}/{tr.id}")
        expected = set()
        for m in tr.members:
            if m.nature == "COM":
                commune = communes_by_siren()[m.siren]
                member, name = URIRef(f"{ID}commune/{commune.code}"), commune.nom
            else:
                member, name = URIRef(f"{ID}epci/{m.siren}"), ref.groupements[m.siren].nom
            expected.add(member)
            adhesion = URIRef(f"{ID}adhesion/{tr.phase}/{tr.id}/{m.siren}")
            assert one(graph, adhesion, RDF.type) == t("Adhesion")
            assert one(graph, adhesion, RDFS.label) == fr(f"{name} dans {tr.label} ({tr.phase})")
            assert one(graph, adhesion, ORG.member) == member
            assert one(graph, adhesion, ORG.organization) == uri
            assert one(graph, adhesion, DCTERMS.source) == URIRef(
                ID + ("source/anct-ti-2023" if tr.phase == PHASE_2023 else "source/anct-ti-phase1"))
        assert set(graph.objects(uri, ORG.hasMember)) == expected
    assert (NEVERS_PHASE1, ORG.hasMember, URIRef(ID + "commune/58046")) in graph  # Cercy-la-Tour, a commune


def check_each_epci_has_its_facts_names_and_places(graph, inputs):
    ref = inputs.reference
    _, groupements, _ = kept(inputs)
    territories, _, _ = kept(inputs)
    written = {}
    for tr in territories:
        for m in tr.members:
            written.setdefault(m.siren, set()).add(m.name_as_written)
    press = {}
    in_graph = {tr.id for tr in territories if tr.phase == PHASE_2023}
    for name in inputs.press_names:
        if name.territory_id in in_graph and name.siren in {m.siren for m in
                                                             inputs.lists[PHASE_2023].territories[name.territory_id].members}:
            press.setdefault(name.siren, set()).add(name.epci_name)
    for g in groupements:
        uri = URIRef(f"{ID}epci/{g.siren}")
        assert one(graph, uri, RDFS.label) == fr(g.nom)
        assert one(graph, uri, IGEO.nom) == Literal(g.nom, datatype=XSD.token)
        assert one(graph, uri, IGEO.codeINSEE) == Literal(g.siren, datatype=XSD.token)
        assert one(graph, uri, DCTERMS.source) == URIRef(ID + "source/decoupage-administratif")
        assert one(graph, uri, t("siren")) == Literal(g.siren)
        assert one(graph, uri, t("natureJuridique")) == URIRef(f"{ID}nature-juridique/{g.nature}")
        assert list(graph.objects(uri, t("modeFinancement"))) == (
            [URIRef(f"{ID}mode-financement/{g.mode_financement}")] if g.mode_financement else [])
        assert one(graph, uri, t("populationTotale")) == Literal(g.population_totale)
        assert one(graph, uri, t("populationMunicipale")) == Literal(g.population_municipale)
        names = {g.nom_2023} - {None} | {w for w in written.get(g.siren, ()) if w and w not in (g.nom, g.nom_2023)}
        names |= press.get(g.siren, set())
        assert set(graph.objects(uri, SKOS.altLabel)) == {fr(n) for n in names}, g.siren
        departements = {ref.communes[c].departement for c in g.communes}
        assert set(graph.objects(uri, t("departement"))) == {URIRef(f"{ID}departement/{d}") for d in departements}
        assert set(graph.objects(uri, t("region"))) == {
            URIRef(f"{ID}region/{ref.departements[d].region}") for d in departements}
        assert set(graph.subjects(IGEO.subdivisionDirecteDe, uri)) == {URIRef(f"{ID}commune/{c}") for c in g.communes}
    charly = URIRef(f"{ID}epci/{CHARLY}")
    assert fr("CC du Canton de Charly sur Marne") in set(graph.objects(charly, SKOS.altLabel))
    sq = URIRef(f"{ID}epci/{SAINT_QUENTINOIS}")
    assert one(graph, sq, t("populationTotale")) == Literal(81012)
    assert one(graph, sq, t("natureJuridique")) == URIRef(ID + "nature-juridique/CA")


def check_each_commune_departement_and_region(graph, inputs):
    ref = inputs.reference
    _, groupements, communes = kept(inputs)
    epci_of = {c: g.siren for g in groupements for c in g.communes}
    for code in communes:
        c = ref.communes[code]
        uri = URIRef(f"{ID}commune/{code}")
        assert one(graph, uri, RDFS.label) == fr(c.nom) and one(graph, uri, IGEO.nom) == Literal(c.nom, datatype=XSD.token)
        assert one(graph, uri, IGEO.codeINSEE) == Literal(code, datatype=XSD.token)
        assert one(graph, uri, DCTERMS.source) == URIRef(ID + "source/decoupage-administratif")
        assert set(graph.objects(uri, IGEO.subdivisionDirecteDe)) == {URIRef(f"{ID}departement/{c.departement}")} | (
            {URIRef(f"{ID}epci/{epci_of[code]}")} if code in epci_of else set())
        assert one(graph, uri, t("departement")) == URIRef(f"{ID}departement/{c.departement}")
        assert one(graph, uri, t("region")) == URIRef(f"{ID}region/{c.region}")
        assert list(graph.objects(uri, t("siren"))) == ([Literal(c.siren)] if c.siren else [])
        assert list(graph.objects(uri, t("populationMunicipale"))) == (
            [Literal(c.population)] if c.population is not None else [])
    saint_quentin = URIRef(ID + "commune/02691")
    assert one(graph, saint_quentin, t("populationMunicipale")) == Literal(52813)
    assert one(graph, saint_quentin, t("siren")) == Literal("210206660")
    for code in {ref.communes[c].departement for c in communes}:
        d = ref.departements[code]
        uri = URIRef(f"{ID}departement/{code}")
        assert one(graph, uri, RDF.type) == IGEO.Departement
        assert one(graph, uri, RDFS.label) == fr(d.nom) and one(graph, uri, IGEO.nom) == Literal(d.nom, datatype=XSD.token)
        assert one(graph, uri, IGEO.codeINSEE) == Literal(code, datatype=XSD.token)
        assert one(graph, uri, IGEO.subdivisionDirecteDe) == URIRef(f"{ID}region/{d.region}")
        assert one(graph, uri, DCTERMS.source) == URIRef(ID + "source/decoupage-administratif")
        region = URIRef(f"{ID}region/{d.region}")
        assert one(graph, region, RDF.type) == IGEO.Region
        assert one(graph, region, RDFS.label) == fr(ref.regions[d.region].nom)
        assert one(graph, region, IGEO.nom) == Literal(ref.regions[d.region].nom, datatype=XSD.token)
        assert one(graph, region, IGEO.codeINSEE) == Literal(d.region, datatype=XSD.token)
        assert one(graph, region, DCTERMS.source) == URIRef(ID + "source/decoupage-administratif")
    assert one(graph, URIRef(ID + "departement/02"), RDFS.label) == fr("Aisne")
    assert one(graph, URIRef(ID + "region/32"), RDFS.label) == fr("Hauts-de-France")
    # préfectures: the chef-lieu of departements.json / regions.json, when the release describes it
    chefs = {d["code"]: d["chefLieu"] for d in json.loads(
        (DATA / "decoupage-administratif/6.0.0/departements.json").read_text(encoding="utf-8"))}
    kept_departements = {ref.communes[c].departement for c in communes}
    for code in kept_departements:
        expected = [URIRef(f"{ID}commune/{chefs[code]}")] if chefs[code] in communes else []
        assert list(graph.objects(URIRef(f"{ID}departement/{code}"), IGEO.prefecture)) == expected, code
    assert one(graph, URIRef(ID + "departement/02"), IGEO.prefecture) == URIRef(ID + "commune/02408")  # Laon
    assert (None, IGEO.prefecture, URIRef(ID + "commune/58194")) in graph  # Nevers


def check_the_press_release_names_and_provenance(graph, inputs):
    seed = list(csv.DictReader((DATA / "communique/seed_aisne_epci.csv").open(encoding="utf-8")))
    press = URIRef(ID + "source/communique-prefet-aisne-2023-11-14")
    territories = inputs.lists[PHASE_2023].territories
    for row in seed:
        territory = URIRef(f"{ID}territoire/2023-2027/{row['id_ti_2023']}")
        epci = URIRef(f"{ID}epci/{row['siren']}")
        listed = row["siren"] in {m.siren for m in territories[row["id_ti_2023"]].members}
        assert ((territory, SKOS.altLabel, fr(row["lib_ti_communique"])) in graph) == listed
        assert ((epci, SKOS.altLabel, fr(row["nom_communique"])) in graph) == listed
        for node in (territory, URIRef(f"{ID}labellisation/2023-2027/{row['id_ti_2023']}"),
                     URIRef(f"{ID}adhesion/2023-2027/{row['id_ti_2023']}/{row['siren']}")):
            assert ((node, PROV.wasDerivedFrom, press) in graph) == listed
    assert (HAUTE_PICARDIE, SKOS.altLabel, fr("Haute Picardie")) in graph
    derived = set(graph.subjects(PROV.wasDerivedFrom, press))
    assert NEVERS_PHASE1 not in derived and not any("2018-2022" in str(s) for s in derived)


def test_no_press_names_outside_the_selection(inputs):
    graph = build_graph(inputs, Uris(BASE), ("58",))
    press = URIRef(ID + "source/communique-prefet-aisne-2023-11-14")
    derived = {str(s) for s in graph.subjects(PROV.wasDerivedFrom, press)}
    assert derived and not any(s.startswith((ID + "territoire/", ID + "labellisation/", ID + "adhesion/"))
                               for s in derived)  # the programme's own facts only
    assert (HAUTE_PICARDIE, None, None) not in graph
    assert (URIRef(ID + "epci/" + SAINT_QUENTINOIS), SKOS.altLabel, None) not in graph


def test_the_press_release_places_link_only_to_communes_the_release_holds(inputs):
    """The press release's places (programme.ttl) link to communes: Laon, where it was written,
    and the commune its "Châlons-sur-Saône" means. A release keeps a link only to a commune it
    holds; the place keeps the release's wording either way."""
    communes = {c["code"]: c for c in json.loads(
        (DATA / "decoupage-administratif/6.0.0/communes.json").read_text(encoding="utf-8"))}
    press = URIRef(ID + "source/communique-prefet-aisne-2023-11-14")
    place = URIRef(ID + "lieu/chalons-sur-saone")
    laon, chalon = URIRef(ID + "commune/02408"), URIRef(ID + "commune/71076")
    aisne = build_graph(inputs, Uris(BASE), ("02",))
    assert list(aisne.objects(press, DCTERMS.spatial)) == [laon]
    assert one(aisne, laon, RDFS.label) == fr(communes["02408"]["nom"]) == fr("Laon")
    assert list(aisne.objects(place, t("communeDesignee"))) == []
    assert (None, None, chalon) not in aisne
    saone_et_loire = build_graph(inputs, Uris(BASE), ("71",))
    assert list(saone_et_loire.objects(place, t("communeDesignee"))) == [chalon]
    assert one(saone_et_loire, chalon, RDFS.label) == fr(communes["71076"]["nom"]) == fr("Chalon-sur-Saône")
    assert list(saone_et_loire.objects(press, DCTERMS.spatial)) == []
    for graph in (aisne, saone_et_loire):
        assert one(graph, place, RDFS.label) == fr("Châlons-sur-Saône")


def check_the_programme_files_and_prefixes_are_in_the_graph(graph, inputs):
    assert (URIRef(ID + "programme/territoires-d-industrie"), None, None) in graph
    assert (URIRef(ID + "nature-juridique/CA"), RDF.type, None) in graph
    prefixes = {p: str(ns) for p, ns in graph.namespaces()}
    assert prefixes["tilod"] == T
    assert prefixes["igeo"] == "http://rdf.insee.fr/def/geo#"
    assert prefixes["geo"] == "http://www.opengis.net/ont/geosparql#"
    for prefix, ns in {"rdf": RDF, "rdfs": RDFS, "skos": SKOS, "dcterms": DCTERMS, "org": ORG, "prov": PROV,
                       "xsd": XSD}.items():
        assert prefixes[prefix] == str(ns)


def check_the_outlines_of_every_place(graph, inputs):
    """Each place has its outline (and only its own) as one geo:Geometry, with its source and, for
    an EPCI, the commune outlines it is the union of; a place without one has no geo:hasGeometry."""
    geometries = inputs.geometries
    france_geojson = URIRef(ID + "source/france-geojson")
    territories, groupements, communes = kept(inputs)
    ref = inputs.reference
    departements = {ref.communes[c].departement for c in communes}
    places = [(f"commune/{c}", geometries.communes.get(c), france_geojson) for c in communes]
    places += [(f"epci/{g.siren}", geometries.epci.get(g.siren), france_geojson) for g in groupements]
    places += [(f"departement/{d}", geometries.departements.get(d), france_geojson) for d in departements]
    places += [(f"region/{r}", geometries.regions.get(r), france_geojson)
               for r in {ref.departements[d].region for d in departements}]
    with_outline = 0
    for path, outline, source in places:
        uri = URIRef(ID + path)
        if outline is None:
            assert (uri, GEO.hasGeometry, None) not in graph, path
            continue
        with_outline += 1
        node = one(graph, uri, GEO.hasGeometry)
        assert node == URIRef(f"{ID}{path}/geometrie")
        assert one(graph, node, RDF.type) == GEO.Geometry
        assert one(graph, node, RDFS.label) == fr(f"Contour : {one(graph, uri, RDFS.label)}")
        assert one(graph, node, GEO.asWKT) == Literal(outline.wkt, datatype=GEO.wktLiteral)
        assert one(graph, node, DCTERMS.source) == source
        derived = set(graph.objects(node, PROV.wasDerivedFrom))
        if path.startswith("epci/"):
            assert derived == {URIRef(f"{ID}commune/{c}/geometrie") for c in outline.parts} and derived
        else:
            assert derived == set()
    # every commune and EPCI kept (the Aisne, the Nièvre, their neighbours) is on the map
    assert with_outline == len(places) > 800
    assert (URIRef(ID + "commune/58046"), GEO.hasGeometry, None) in graph
    for tr in territories:
        uri = URIRef(f"{ID}territoire/{tr.phase}/{tr.id}")
        wkt = inputs.outlines[tr.phase].get(tr.id)
        assert wkt, tr.id
        node = one(graph, uri, GEO.hasGeometry)
        assert node == URIRef(f"{ID}territoire/{tr.phase}/{tr.id}/geometrie")
        assert one(graph, node, RDF.type) == GEO.Geometry
        assert one(graph, node, GEO.asWKT) == Literal(wkt, datatype=GEO.wktLiteral)
        assert one(graph, node, DCTERMS.source) == URIRef(
            ID + ("source/anct-ti-2023" if tr.phase == PHASE_2023 else "source/anct-ti-phase1"))
        assert (node, PROV.wasDerivedFrom, None) not in graph
