"""The URI policy, a file of the repository (ontology/URI-POLICY.md) and a page of the site
(`/def/politique-uri`, French and English) that says the same; the ontology's version IRIs
(`/def/tilod/<version>`) lead to each release's ontology; on a real server (both stores)."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest
import requests
from helpers import BASE, BROWSER, ONTOLOGY, assert_well_formed, page
from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from conftest import ROOT
from tilod.serving.uri_policy import to_html

POLICY = (ROOT / "ontology/URI-POLICY.md").read_text(encoding="utf-8")
HEADINGS = {"fr": "## Français", "en": "## English"}


def file_words(lang: str) -> str:
    """What the file's part in `lang` says, as plain words (Markdown marks dropped, `{base}` the
    test server's base)."""
    after = POLICY.split(HEADINGS[lang] + "\n", 1)[1]
    text = re.split(r"^## ", after, flags=re.MULTILINE)[0]
    text = re.sub(r"^### |^- ", "", text, flags=re.MULTILINE).replace("`", "")
    return " ".join(text.replace("{base}", BASE).split())


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def page_words(html: str) -> str:
    block = re.search(r'<div class="politique">(.*?)</div>', html, re.DOTALL)
    assert block, "no policy on the page"
    parser = Text()
    parser.feed(block.group(1))
    return " ".join(unescape("".join(parser.parts)).split())


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_page_says_what_the_file_says(server, lang):
    text = page(server, "def/politique-uri", **({"lang": "en"} if lang == "en" else {})).text
    assert_well_formed(text, lang)
    assert page_words(text) == file_words(lang)
    # what the policy promises about the vocabulary, in the words of each language
    assert f"{ONTOLOGY}/&lt;version&gt;" in text and f"{BASE}dumps/&lt;version&gt;/ontology.ttl" in text
    assert ("Les IRI persistantes" if lang == "fr" else "Persistent IRIs") in text


def test_the_policy_is_linked_from_the_landing_and_the_ontology_pages(server):
    for path in ("", "def/tilod"):
        assert f'href="{BASE}def/politique-uri"' in page(server, path).text, path
        assert f'href="{BASE}def/politique-uri?lang=en"' in page(server, path, lang="en").text, path


def test_the_renderer_escapes_markup():
    html = to_html('<script>alert("x")</script> [lien](javascript:alert(1)) <b onclick="x">{base}</b>', BASE)
    assert "<script" not in html and "<b" not in html and "href=" not in html  # markup and the link shown as text
    assert "&lt;script&gt;" in html and BASE in html


def test_a_version_iri_leads_to_its_releases_ontology(server, release):
    version = release.name
    response = requests.get(f"{server.url}def/tilod/{version}", headers={"Accept": BROWSER},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{BASE}dumps/{version}/ontology.ttl"
    ontology = requests.get(server.to_server(response.headers["Location"]), timeout=10)
    assert ontology.status_code == 200
    graph = Graph().parse(data=ontology.content, format="turtle")
    assert graph.value(URIRef(ONTOLOGY), OWL.versionIRI) == URIRef(f"{ONTOLOGY}/{version}")
    for unknown in ("20000101T000000Z", "latest", "not-a-version"):
        answer = requests.get(f"{server.url}def/tilod/{unknown}", allow_redirects=False, timeout=10)
        assert answer.status_code == 404 and "no release" in answer.text, unknown
    escape = requests.get(f"{server.url}def/tilod/..%2Frelease.json", allow_redirects=False, timeout=10)
    assert escape.status_code == 404
