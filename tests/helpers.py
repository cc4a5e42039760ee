"""What many test modules share: the data's base URI, the Accept a browser sends, SPARQL
prefixes, reading a store, fetching and checking a page, copying a release. Test modules import
from here (and from conftest for fixtures, server for processes), never from one another."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import requests
from rdflib import Namespace

#: the base URI of the test releases (the default TILOD_BASE_URI)
BASE = "http://localhost:8000/"
#: the vocabulary's persistent IRIs, the same whatever the base
ONTOLOGY = "https://w3id.org/tilod/def/tilod"
TILOD_NS = ONTOLOGY + "#"
#: what a browser sends: HTML first, anything else after
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PREFIXES = f"""PREFIX tilod: <{TILOD_NS}>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""
#: the JSON-LD context tilod's JSON-LD names by its URL ({base}def/tilod/context.jsonld)
CONTEXT_FILE = Path(__file__).resolve().parent.parent / "ontology" / "context.jsonld"
#: rdflib's closed DCAT and XSD namespaces warn when pytest looks for attributes on a test module's names
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def media_type(response: requests.Response) -> str:
    """The media type of a response, without its parameters ('' when it has none)."""
    return response.headers.get("Content-Type", "").split(";")[0].strip()


def inline_context(raw: bytes) -> bytes:
    """A JSON-LD document of tilod's with its context inlined: rdflib and pyoxigraph do not fetch
    a context by its URL (tests/serving/test_jsonld.py checks that URL with real processors)."""
    document = json.loads(raw)
    if isinstance(document.get("@context"), str) and document["@context"].endswith("/def/tilod/context.jsonld"):
        document["@context"] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    return json.dumps(document).encode("utf-8")


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """The solutions of a SELECT (PREFIXES added) as {variable: lexical value}, unbound left out."""
    solutions = store.query(PREFIXES + query)
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]


def page(server, path: str, **params) -> requests.Response:
    """A page as a browser asks for it; it must be a 200 HTML page."""
    response = requests.get(server.url + path, params=params, headers={"Accept": BROWSER}, timeout=10)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return response


def section(text: str, heading_id: str) -> str:
    """The inside of the page's <section> labelled by the heading `heading_id`."""
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', text, re.DOTALL)
    assert match, heading_id
    return match.group(1)


class Structure(HTMLParser):
    """Checks nesting (every element closed, in order), and keeps what the tests look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.html_lang: str | None = None
        self.h1 = 0
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "html":
            self.html_lang = attributes.get("lang")
        self.h1 += tag == "h1"
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))  # <path .../> in the SVG: nothing to close

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '-'}>")
        else:
            self.stack.pop()

    @classmethod
    def of(cls, text: str) -> Structure:
        parser = cls()
        parser.feed(text)
        parser.close()
        return parser


def assert_well_formed(text: str, lang: str = "fr") -> Structure:
    structure = Structure.of(text)
    assert not structure.errors, structure.errors[:5]
    assert structure.stack == [], structure.stack
    assert structure.html_lang == lang
    assert structure.h1 == 1
    # no inline script anywhere; the query page alone loads our own deferred scripts (its editor),
    # which only enhance a form that works without them
    scripts = [attrs for tag, attrs in structure.tags if tag == "script"]
    assert all(attrs.get("src", "").startswith("/static/") and "defer" in attrs for attrs in scripts), scripts
    # the link to the other language, on every page
    other = "en" if lang == "fr" else "fr"
    assert any(tag == "a" and attrs.get("hreflang") == other for tag, attrs in structure.tags)
    return structure


def copy_release(release: Path, releases: Path) -> Path:
    """A copy of one release folder in `releases`, made current there; returns the copy, to damage."""
    copy = releases / release.name
    shutil.copytree(release, copy)
    (releases / "current").symlink_to(release.name)
    return copy


def copy_releases(releases: Path, to: Path) -> Path:
    """A copy of a whole releases folder (`current` stays a link); returns the copy's current release."""
    shutil.copytree(releases, to, symlinks=True)
    return (to / "current").resolve()
