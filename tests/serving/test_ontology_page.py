"""The ontology's documentation page (`/def/tilod` for a browser) and the SHACL shapes' page,
on a real server (both stores); the renderer's escaping; a damaged ontology file answers 503."""

from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from flask import Flask
from helpers import BASE, BROWSER, ONTOLOGY, TILOD_NS, XSD, assert_well_formed, copy_release, inline_context, page
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from server import start_server, stop_server

from conftest import ROOT
from tilod.serving.i18n import template_globals
from tilod.serving.views import ontology_doc

NS = TILOD_NS
TERM_TYPES = (OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property,
              RDFS.Datatype)


def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology/tilod.ttl", format="turtle", publicID=BASE)


def declared_terms(graph: Graph) -> list[URIRef]:
    """Every class and property the ontology file declares in our namespace."""
    found = {s for t in TERM_TYPES for s in graph.subjects(RDF.type, t) if str(s).startswith(NS)}
    return sorted(found)  # type: ignore[arg-type]


def label(graph: Graph, term: URIRef, lang: str) -> str:
    return next(str(o) for o in graph.objects(term, RDFS.label) if o.language == lang)


class Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.ids += [v for k, v in attrs if k == "id" and v is not None]

    @classmethod
    def of(cls, text: str) -> list[str]:
        parser = cls()
        parser.feed(text)
        return parser.ids


def term_section(text: str, local: str) -> str:
    match = re.search(rf'<(article|section) aria-labelledby="{re.escape(local)}">(.*?)</\1>', text, re.DOTALL)
    assert match, local
    return match.group(2)


@pytest.fixture(scope="module")
def french(server) -> str:
    return page(server, "def/tilod").text


@pytest.fixture(scope="module")
def english(server) -> str:
    return page(server, "def/tilod", lang="en").text


# -- the page ------------------------------------------------------------------------------------

def test_every_declared_term_has_its_anchor(french, english):
    terms = declared_terms(ontology())
    assert len(terms) > 30
    for text, lang in ((french, "fr"), (english, "en")):
        assert_well_formed(text, lang)
        ids = Ids.of(text)
        assert [i for i, n in Counter(ids).items() if n > 1] == []
        for term in terms:
            local = str(term)[len(NS):]
            assert local in ids, local
            assert f"<code>{term}</code>" in term_section(text, local)


def test_labels_and_definitions_follow_the_page_language(french, english):
    graph = ontology()
    for term in declared_terms(graph):
        local = str(term)[len(NS):]
        fr, en = label(graph, term, "fr"), label(graph, term, "en")
        assert f'<h3 id="{local}">{escape(fr)} ' in french, local
        assert f'<h3 id="{local}">{escape(en)} ' in english, local
        definition = {o.language: str(o) for o in graph.objects(term, SKOS.definition)}
        assert f"<p>{escape(definition['fr'])}</p>" in term_section(french, local)
        assert f"<p>{escape(definition['en'])}</p>" in term_section(english, local)
        # both labels listed, the other language marked as such
        assert f'<span lang="en">{escape(en)}</span> <span class="lang">@en</span>' in term_section(french, local)
    assert "Object properties" in english and "Propriétés d&#39;objet" in french


def test_domains_ranges_and_used_with(french):
    graph = ontology()
    for prop, domain in graph.subject_objects(RDFS.domain):
        section = term_section(french, str(prop)[len(NS):])
        if str(domain).startswith(NS):
            assert f'href="#{str(domain)[len(NS):]}"' in section  # an anchor on the page
            used_with = term_section(french, str(domain)[len(NS):])
            assert f'href="#{str(prop)[len(NS):]}"' in used_with
        else:
            assert f'href="{domain}"' in section  # an external term: its own IRI
    # external terms are prefixed names linked to their IRIs
    territory = term_section(french, "TerritoireIndustrie")
    assert '<a href="http://www.w3.org/ns/org#Organization"><code>org:Organization</code></a>' in territory
    assert '<a href="http://www.opengis.net/ont/geosparql#Feature"><code>geo:Feature</code></a>' in territory
    nature = term_section(french, "natureJuridique")
    assert '<a href="http://rdf.insee.fr/def/geo#Intercommunalite"><code>igeo:Intercommunalite</code></a>' in nature
    relations = re.search(r'<section aria-labelledby="doc-relations">(.*?)</section>', french, re.DOTALL).group(1)
    assert relations.count('<th scope="row">') == len(set(graph.subjects(RDF.type, OWL.ObjectProperty)))


def released(release: Path) -> Graph:
    """The ontology as the release publishes it: the file, and the version the build gives it
    (its IRI in the persistent namespace, named after the release, and the release's date)."""
    graph = ontology()
    version = release.name
    created = json.loads((release / "release.json").read_text(encoding="utf-8"))["created"]
    graph.add((URIRef(ONTOLOGY), OWL.versionIRI, URIRef(f"{ONTOLOGY}/{version}")))
    graph.add((URIRef(ONTOLOGY), OWL.versionInfo, Literal(version)))
    graph.add((URIRef(ONTOLOGY), DCTERMS.issued, Literal(created, datatype=XSD.dateTime)))
    return graph


def test_header_links_the_formats_and_the_shapes(french, english, release):
    assert "<h1>Ontologie tilod des Territoires d&#39;industrie</h1>" in french
    assert "<h1>tilod ontology of the Territoires d&#39;industrie</h1>" in english
    for ext in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="{BASE}def/tilod.{ext}"' in french
    assert f'href="{BASE}def/tilod/shapes"' in french
    assert f'href="{BASE}def/tilod/shapes?lang=en"' in english
    # the ontology's metadata: this release's version, who made and publishes it, its dates, its licence
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", french, re.DOTALL))
    assert facts["Version"] == release.name
    assert f"{ONTOLOGY}/{release.name}" in facts["IRI de version"]
    assert facts["Préfixe"] == "<code>tilod</code>" and facts["Espace de noms"] == f"<code>{NS}</code>"
    assert "Projet tilod" in facts["Auteurs"]
    assert "Projet tilod" in facts["Éditeur"]  # the project publishes its vocabulary
    assert 'href="https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf"' in facts["Licence"]
    assert "version 2.0" in facts["Licence"]
    assert {"Créée le", "Modifiée le", "Publiée le"} <= set(facts)


def test_the_natures_juridiques_are_listed_with_their_property(french, english):
    concepts = Graph().parse(ROOT / "data/programme/natures-juridiques.ttl", format="turtle", publicID=BASE)
    scheme = re.search(r'<table>\s*<caption><a href="http://localhost:8000/id/nature-juridique">(.*?)</table>',
                       french, re.DOTALL).group(1)
    assert 'valeurs de <a href="#natureJuridique">' in scheme
    for concept in concepts.subjects(RDF.type, SKOS.Concept):
        [fr] = [o for o in concepts.objects(concept, SKOS.prefLabel) if o.language == "fr"]
        notation = concepts.value(concept, SKOS.notation)
        assert f'<tr><td>{notation}</td><th scope="row"><a href="{concept}">{escape(fr)}</a></th></tr>' in scheme
        [en] = [o for o in concepts.objects(concept, SKOS.prefLabel) if o.language == "en"]
        assert f'<a href="{concept}?lang=en">{escape(en)}</a>' in english


def test_rdf_clients_still_get_the_ontology(server, french, release):
    url = server.url + "def/tilod"
    expected = released(release)
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        response = requests.get(url, headers={"Accept": accept}, timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(accept)
        assert "accept" in response.headers["Vary"].lower()
        assert response.headers["Content-Location"] == f"{BASE}def/tilod.{'ttl' if fmt == 'turtle' else 'jsonld'}"
        data = inline_context(response.content) if fmt == "json-ld" else response.content
        assert isomorphic(Graph().parse(data=data, format=fmt), expected)
    html = requests.get(url, headers={"Accept": BROWSER}, timeout=10)
    turtle = requests.get(url, headers={"Accept": "text/turtle"}, timeout=10)
    assert html.headers["ETag"] != turtle.headers["ETag"]
    assert html.headers["Content-Location"] == f"{BASE}def/tilod.html"
    assert requests.get(url + ".html", timeout=10).text == french


# -- the shapes' page -----------------------------------------------------------------------------

def test_the_shapes_page_lists_each_shape_and_its_target(server):
    text = page(server, "def/tilod/shapes").text
    assert_well_formed(text)
    ids = Ids.of(text)
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    shapes = Graph().parse(ROOT / "shapes/tilod-shapes.ttl", format="turtle", publicID=BASE)
    named = [s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)]
    assert len(named) > 10
    for shape in named:
        local = str(shape).rsplit("#", 1)[1]
        assert local in ids, local
        for target in shapes.objects(shape, SH.targetClass):
            # our own classes link to this server's documentation of their persistent IRIs
            link = str(target).replace("https://w3id.org/tilod/", BASE)
            assert f'href="{link}"' in term_section(text, local)
    # our classes link to their documentation on the ontology page
    assert f'<a href="{BASE}def/tilod#TerritoireIndustrie"><code>tilod:TerritoireIndustrie</code></a>' in text
    assert "<code>^ti-[0-9]{4}$</code>" in text  # a pattern, as written
    english = page(server, "def/tilod/shapes", lang="en").text
    assert_well_formed(english, "en")
    assert f'href="{BASE}def/tilod?lang=en#TerritoireIndustrie"' in english


# -- escaping, by the renderer itself -------------------------------------------------------------

HOSTILE = '<script>alert("x")</script>&'


def test_the_renderer_escapes_the_ontology_text():
    graph = Graph()
    onto, cls, prop = URIRef(ONTOLOGY), URIRef(NS + "Chose"), URIRef(NS + "lien")
    graph.add((onto, RDF.type, OWL.Ontology))
    graph.add((onto, RDFS.label, Literal(HOSTILE, lang="en")))
    graph.add((onto, RDFS.comment, Literal(HOSTILE)))
    graph.add((cls, RDF.type, OWL.Class))
    graph.add((cls, RDFS.label, Literal(HOSTILE, lang="en")))
    graph.add((cls, RDFS.label, Literal("chose" + HOSTILE, lang="fr")))
    graph.add((cls, SKOS.definition, Literal(HOSTILE, lang="en")))
    graph.add((prop, RDF.type, OWL.ObjectProperty))
    graph.add((prop, RDFS.domain, cls))
    graph.add((prop, RDFS.label, Literal(HOSTILE)))
    schemes = [{"scheme": BASE + "id/s", "schemeLabel": HOSTILE, "concept": BASE + "id/s/1", "label": HOSTILE,
                "notation": HOSTILE}]
    app = Flask("tilod.serving.app")  # its template folder, with the template globals of the real app
    app.context_processor(lambda: template_globals(BASE))
    with app.test_request_context("/def/tilod?lang=en"):
        doc = ontology_doc.document(graph, BASE, "en", schemes, [{"scheme": BASE + "id/s", "property": str(prop)}])
        text = ontology_doc.render(doc, BASE, "test").decode("utf-8")
    assert "<script" not in text
    assert str(escape(HOSTILE)) in text
    assert_well_formed(text, "en")
    assert {"Chose", "lien"} <= set(Ids.of(text))
    assert f'<h1>{escape(HOSTILE)}</h1>' in text


# -- a damaged ontology file ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def damaged(tmp_path_factory, release: Path):
    """A server on a copy of the release whose ontology.ttl and void.ttl are not Turtle."""
    releases = tmp_path_factory.mktemp("damaged")
    copy = copy_release(release, releases)
    (copy / "ontology.ttl").write_text("@prefix : <x#> .\n:a :b <unterminated ;\n", encoding="utf-8")
    (copy / "void.ttl").write_bytes(b"\xff\xfe not UTF-8")
    running = start_server(releases, ROOT, BASE)
    try:
        yield running
    finally:
        stop_server(running)


def test_a_damaged_ontology_file_is_a_503_not_a_traceback(damaged):
    url = damaged.url + "def/tilod"
    for accept in (BROWSER, "text/turtle", "application/ld+json"):
        response = requests.get(url, headers={"Accept": accept}, timeout=10)
        assert response.status_code == 503, accept
        assert "Traceback" not in response.text
        assert response.headers["Cache-Control"] == "no-store"
    html = requests.get(url, headers={"Accept": BROWSER}, params={"lang": "en"}, timeout=10)
    assert_well_formed(html.text, "en")
    assert "cannot be read" in html.text
    assert requests.get(damaged.url + ".well-known/void", headers={"Accept": "text/turtle"}, timeout=10).status_code == 503
    # the rest is still served
    assert requests.get(damaged.url + "id/epci/200071892", headers={"Accept": BROWSER}, timeout=10).status_code == 200
    assert requests.get(damaged.url + "def/tilod/shapes", headers={"Accept": BROWSER}, timeout=10).status_code == 200
    assert "Traceback" not in damaged.output()
    assert json.loads(next(line for line in damaged.output().splitlines()
                           if line.startswith("{") and '"/def/tilod"' in line))["status"] == 503
