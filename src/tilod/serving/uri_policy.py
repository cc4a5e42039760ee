"""The URI policy as a page (`/def/politique-uri`), and the ontology's version IRIs
(`/def/tilod/<version>`, where w3id.org sends `https://w3id.org/tilod/def/tilod/<version>`).

The page is the release's copy of ontology/URI-POLICY.md: its "## Français" part, or its
"## English" part for `?lang=en`, drawn from Markdown with raw HTML escaped (the file is ours,
but a page never passes markup through unescaped) and `{base}` written as this server's base.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, render_template
from markdown_it import MarkdownIt
from markupsafe import Markup

from tilod.release import layout
from tilod.serving.http import cacheable, plain_error
from tilod.serving.i18n import page_lang
from tilod.serving.release import current_release, current_settings
from tilod.serving.resources import cached, html_variant
from tilod.sparql.media_types import HTML, content_type

bp = Blueprint("uri_policy", __name__)

#: the heading of each language's part of the file
PARTS = {"fr": "Français", "en": "English"}
#: CommonMark, raw HTML shown as text; links only to http(s), mailto and relative targets
MARKDOWN = MarkdownIt("commonmark", {"html": False})


def part(text: str, lang: str) -> str | None:
    """The Markdown under the file's `## <language>` heading, up to the next `## ` heading.

    >>> part("# P\\n## Français\\nUn.\\n## English\\nOne.\\n", "en")
    'One.'
    """
    match = re.search(rf"^## {re.escape(PARTS[lang])}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(1).strip() if match else None


def to_html(markdown: str, base: str) -> Markup:
    """One part of the policy as HTML, `{base}` replaced; its ### headings become the page's h2."""
    html = MARKDOWN.render(markdown.replace("{base}", base))
    return Markup(re.sub(r"<(/?)h3>", r"<\1h2>", html))  # noqa: S704 - markdown-it escaped the text


@bp.route("/def/politique-uri")
def policy() -> Response:
    release = current_release()
    base = current_settings().base_uri
    variant = html_variant("politique-uri", HTML)

    def page() -> bytes | None:
        try:
            text = (release.folder / layout.URI_POLICY).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        markdown = part(text, page_lang())
        if markdown is None:
            return None
        return render_template("politique-uri.html", base=base, version=release.version,
                               policy=to_html(markdown, base)).encode("utf-8")

    body = cached((variant, base, HTML), page)
    if body is None:  # a release built before the policy was published, or a damaged copy
        response = plain_error(503, "Service Unavailable: the current release has no readable URI policy")
        response.headers["Cache-Control"] = "no-store"
        return response
    return cacheable(Response(body, content_type=content_type(HTML)), release, variant)


@bp.route("/def/tilod/<version>")
def ontology_version(version: str) -> Response:
    """303 to the ontology file of release `version` (its owl:versionIRI names it), 404 if the
    server holds no such release."""
    settings = current_settings()
    if layout.VERSION.fullmatch(version):
        try:
            layout.read_manifest(layout.release_folder(settings.releases_dir, version))
        except (OSError, ValueError):
            pass
        else:
            response = Response(status=303)
            response.headers["Location"] = f"{settings.base_uri}dumps/{version}/{layout.ONTOLOGY}"
            return response
    return plain_error(404, f"no release {version!r} on this server: its ontology is not here; see /historique")
