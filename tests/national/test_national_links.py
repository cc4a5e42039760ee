"""The national release's links out, family by family, against the source files: every EPCI and
commune its company directory page (by the SIREN decoupage-administratif gives), every place its
geo.api.gouv.fr record, and each VoID linkset counts exactly those."""

from __future__ import annotations

import json

import pytest
from helpers import BASE, select
from rdflib import Graph, URIRef
from rdflib import namespace as ns
from sources import CURRENT_MAP, read_sources

pytestmark = pytest.mark.national

ID = BASE + "id/"
DIRECTORY = "https://annuaire-entreprises.data.gouv.fr/entreprise/"
GEO_API = "https://geo.api.gouv.fr/"
LINKSET = BASE + ".well-known/void#liens-"


def links(store, kind: str, predicate: str, space: str) -> set[tuple[str, str]]:
    rows = select(store, f"""SELECT ?s ?o WHERE {{ ?s a igeo:{kind} ; <{predicate}> ?o .
        FILTER (strstarts(str(?o), "{space}")) }}""")
    return {(row["s"].removeprefix(ID), row["o"]) for row in rows}


def expected() -> dict[str, set[tuple[str, str]]]:
    """Linkset name -> its links, from the source files alone."""
    sources = read_sources()
    zones = {name: {r["code"]: r["zone"] for r in json.loads((CURRENT_MAP / f"{name}.json").read_text("utf-8"))}
             for name in ("departements", "regions")}
    departements = {c.departement for c in sources.communes.values()}
    regions = {sources.departements[d][1] for d in departements}
    return {
        "annuaire-entreprises-epci": {(f"epci/{e.siren}", DIRECTORY + e.siren) for e in sources.epcis.values()},
        "annuaire-entreprises-communes": {(f"commune/{c.code}", DIRECTORY + c.siren)
                                          for c in sources.communes.values() if c.siren},
        "api-geo-communes": {(f"commune/{c.code}", f"{GEO_API}communes/{c.code}") for c in sources.communes.values()},
        "api-geo-epci": {(f"epci/{e.siren}", f"{GEO_API}epcis/{e.siren}")
                         for e in sources.epcis.values() if e.nature != "EPT"},
        "api-geo-departements": {(f"departement/{d}", f"{GEO_API}departements/{d}")
                                 for d in departements if zones["departements"][d] != "com"},
        "api-geo-regions": {(f"region/{r}", f"{GEO_API}regions/{r}") for r in regions if zones["regions"][r] != "com"},
    }


#: linkset name -> (igeo class of its subjects, link predicate, where its links start)
FAMILIES = {
    "annuaire-entreprises-epci": ("Intercommunalite", str(ns.FOAF.page), DIRECTORY),
    "annuaire-entreprises-communes": ("Commune", str(ns.FOAF.page), DIRECTORY),
    "api-geo-communes": ("Commune", str(ns.RDFS.seeAlso), GEO_API),
    "api-geo-epci": ("Intercommunalite", str(ns.RDFS.seeAlso), GEO_API),
    "api-geo-departements": ("Departement", str(ns.RDFS.seeAlso), GEO_API),
    "api-geo-regions": ("Region", str(ns.RDFS.seeAlso), GEO_API),
}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_each_family_of_links_is_what_the_sources_give(national_store, family):
    kind, predicate, space = FAMILIES[family]
    want = expected()[family]
    assert want
    got = links(national_store, kind, predicate, space)
    assert got == want, (f"{len(got - want)} links the sources do not give, e.g. {sorted(got - want)[:5]}; "
                         f"{len(want - got)} missing, e.g. {sorted(want - got)[:5]}")


def test_each_linkset_counts_the_links_the_sources_give(national_release):
    void = Graph().parse(national_release / "void.ttl", format="turtle")
    for family, links_of in expected().items():
        count = void.value(URIRef(LINKSET + family), ns.VOID.triples)
        assert count is not None and count.toPython() == len(links_of), family
