"""French first, English on request (`?lang=en`) for the words tilod writes on its pages.

Only the page chrome and headings are translated; the data's own labels stay as published.
A template writes `t("Membres")`: the French text is the key, so templates read in French
and a missing translation falls back to it. The English catalogue is a data file, `en.json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from flask import request

from tilod.graph.namespaces import VOCABULARY_BASE

LANGS = ("fr", "en")

#: French text -> English, one entry a line in en.json (beside this file), read once
EN: dict[str, str] = json.loads((Path(__file__).parent / "en.json").read_text(encoding="utf-8"))

MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


def page_lang() -> str:
    """The language of the page asked for: `?lang=en`, else French."""
    return "en" if request.args.get("lang") == "en" else "fr"


def translate(text: str, lang: str) -> str:
    return EN.get(text, text) if lang == "en" else text


def format_number(value: int | str | None, lang: str) -> str:
    """Thousands grouped as each language writes them.

    >>> format_number(1234567, "fr"), format_number("1234567", "en")
    ('1\\u202f234\\u202f567', '1,234,567')
    """
    if value is None or value == "":
        return ""
    grouped = f"{int(value):,}"
    return grouped.replace(",", "\u202f") if lang == "fr" else grouped


def format_date(iso: str | None, lang: str) -> str:
    """An ISO date (or date-time) as a reader writes it.

    >>> format_date("2023-11-09", "fr"), format_date("2023-11-01T10:00:00Z", "en")
    ('9 novembre 2023', '1 November 2023')
    >>> format_date("2023", "fr")
    '2023'
    """
    if not iso:
        return ""
    try:
        year, month, day = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
        name = MONTHS[lang][month - 1]
    except (ValueError, IndexError):
        return iso
    return f"{day} {name} {year}"


def href(url: str, lang: str, base: str) -> str:
    """A link to one of our pages that keeps the reader's language (other links as they are).

    The vocabulary's persistent IRIs are documented here, so they link to this server's page.

    >>> href("http://x/id/a", "en", "http://x/"), href("http://x/def/t#p", "en", "http://x/")
    ('http://x/id/a?lang=en', 'http://x/def/t?lang=en#p')
    >>> href("http://x/id/a", "fr", "http://x/"), href("https://other/", "en", "http://x/")
    ('http://x/id/a', 'https://other/')
    >>> href("https://w3id.org/tilod/def/tilod#Phase", "fr", "http://x/")
    'http://x/def/tilod#Phase'
    """
    if url.startswith(VOCABULARY_BASE):
        url = base + url[len(VOCABULARY_BASE):]
    if lang == "fr" or not url.startswith(base) or "?" in url:
        return url
    page, hash_, fragment = url.partition("#")
    return f"{page}?lang={lang}{hash_}{fragment}"


def switch_url(lang: str) -> str:
    """This page in the other language (only a search's `q` or a SPARQL `query` is kept)."""
    params = [(name, request.args[name]) for name in ("q", "query") if name in request.args]
    if lang == "fr":
        params.append(("lang", "en"))
    query = urlencode(params)
    return request.path + (f"?{query}" if query else "")


def template_globals(base: str) -> dict:
    """What every template gets: `lang`, `t(...)`, `href(...)`, `num(...)`, `date(...)`, `switch_url`."""
    lang = page_lang()
    return {
        "lang": lang,
        "t": lambda text: translate(text, lang),
        "href": lambda url: href(str(url), lang, base),
        "num": lambda value: format_number(value, lang),
        "date": lambda iso: format_date(iso, lang),
        "switch_url": switch_url(lang),
        "other_lang": "en" if lang == "fr" else "fr",
        "colon": "\u00a0:" if lang == "fr" else ":",  # French puts a (no-break) space before a colon
    }
