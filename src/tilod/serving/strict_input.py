"""Refuse a request whose bytes are not UTF-8 (400, saying where), before any route reads it.

Werkzeug decodes the URL and forms with errors="replace": `%FF` would silently become "\ufffd"
and a different query would run, a different name be searched. So the raw bytes are checked
here, once per request: the path, each name and value of the query string (percent-decoded),
and the body of a form or SPARQL query POST. A request whose path and query string are ASCII
once decoded (nearly all of them) costs two scans in C (bench/strict_input.py: about 1 µs).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Response, current_app, render_template, request

from tilod.serving.http import plain_error
from tilod.serving.i18n import translate
from tilod.sparql.media_types import HTML, content_type
from tilod.sparql.negotiation import error_as_page
from tilod.sparql.protocol import FORM, QUERY_BODY

NOT_ASCII = re.compile("[\x80-\xff]")
#: a byte over 0x7F in a URL's text or a form, percent-encoded or raw
HIGH_BYTE = re.compile(rb"%[89A-Fa-f][0-9A-Fa-f]|[\x80-\xff]")
HIGH_ESCAPE = re.compile(rb"%([89A-Fa-f][0-9A-Fa-f])")
#: what Python's decoder says is wrong, in plain words (the key is French: see serving/i18n)
REASONS = {
    "invalid start byte": "cet octet ne commence aucun caractère",
    "invalid continuation byte": "séquence d'octets interrompue",
    "unexpected end of data": "séquence d'octets incomplète",
}


@dataclass(frozen=True)
class BadBytes:
    """Where a request is not UTF-8: `where` is a French phrase (with `{name}`), `offset`
    counts from 1 in the percent-decoded bytes of that part."""

    where: str
    offset: int
    byte: int
    reason: str
    name: str = ""


def first_bad_byte(data: bytes) -> tuple[int, int, str] | None:
    """(offset from 1, the byte, why) of the first byte that is not UTF-8 in `data`, or None
    (ASCII, nearly every path, is one scan).

    >>> first_bad_byte("Château-Thierry".encode()), first_bad_byte(b"Ch\\xe2teau")
    (None, (3, 226, 'invalid continuation byte'))
    """
    if data.isascii():
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start + 1, data[exc.start], exc.reason
    return None


def check_urlencoded(data: bytes, field: str, field_name: str) -> BadBytes | None:
    """The first name or value of a query string or form body that is not UTF-8 once
    percent-decoded; `field` names where a value is (with `{name}`), `field_name` where a name is.

    >>> check_urlencoded(b"q=Saint-Quentin&lang=en", "{name}", "name") is None
    True
    >>> check_urlencoded(b"q=%C3%A9&format=ttl%FF", "{name}", "name")
    BadBytes(where='{name}', offset=4, byte=255, reason='invalid start byte', name='format')
    """
    first = HIGH_BYTE.search(data)
    if first is None:
        return None  # ASCII once decoded: one scan in C, for nearly every request
    if first_bad_byte(HIGH_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), data[first.start():])) is None:
        # the other escapes stand for ASCII, as '&' and '=' do: they never sit inside a sequence
        return None
    for pair in data.split(b"&"):
        raw_name, _, raw_value = pair.partition(b"=")
        name = unquote_to_bytes(raw_name.replace(b"+", b" "))
        if bad := first_bad_byte(name):
            return BadBytes(field_name, *bad)
        if bad := first_bad_byte(unquote_to_bytes(raw_value.replace(b"+", b" "))):
            return BadBytes(field, *bad, name=name.decode("utf-8")[:60])
    return None


def _wsgi_bytes(environ: dict, key: str) -> bytes:
    """The bytes the client sent for a WSGI string (PEP 3333: bytes as latin-1)."""
    return environ.get(key, "").encode("latin-1")


def with_raw_request_line(wsgi_app: Callable) -> Callable:
    """Werkzeug's development server reads the request line as latin-1, encodes that text as
    UTF-8 once more, and decodes the path with errors="replace": a raw "é" reaches the routes as
    "Ã©", and `%FF` as "\ufffd". This gives the application the path and query string from the
    request line as sent, as PEP 3333 and gunicorn do (bytes as latin-1; in the query string,
    bytes over 0x7F percent-encoded). Only `tilod serve` wraps its application in it."""

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        target = environ.get("RAW_URI", "")
        if not target.isascii() or "%" in target:
            parts = urlsplit(target.encode("latin-1").decode("utf-8"))  # the line as it read it
            path = f"/{parts.netloc}{parts.path}" if parts.netloc and not parts.scheme else parts.path
            environ["PATH_INFO"] = unquote_to_bytes(path.encode("latin-1")).decode("latin-1")
            # a raw byte and its %XX read the same; Werkzeug's `args` would fail on the raw one
            environ["QUERY_STRING"] = NOT_ASCII.sub(lambda m: f"%{ord(m[0]):02X}", parts.query)
        return wsgi_app(environ, start_response)

    return app


def find_bad_bytes(environ: dict, mimetype: str, charset: str | None, body: bytes | None) -> BadBytes | None:
    """The first part of the request that is not UTF-8: path, query string, then body."""
    if in_path := first_bad_byte(_wsgi_bytes(environ, "PATH_INFO")):
        return BadBytes("le chemin de l'adresse", *in_path)
    if bad := check_urlencoded(_wsgi_bytes(environ, "QUERY_STRING"), "le paramètre « {name} » de l'adresse",
                               "le nom d'un paramètre de l'adresse"):
        return bad
    if body is None:
        return None
    if mimetype == FORM:
        return check_urlencoded(body, "le champ « {name} » du formulaire", "le nom d'un champ du formulaire")
    if mimetype == QUERY_BODY and (charset or "utf-8").lower() in ("utf-8", "utf8") and (
            in_body := first_bad_byte(body)):
        return BadBytes(f"le corps de la requête ({QUERY_BODY})", *in_body)
    return None  # another charset is the protocol's to refuse (415)


def message(bad: BadBytes, lang: str) -> str:
    """The refusal in plain words, in the page's language."""
    where = translate(bad.where, lang).format(name=bad.name)
    text = translate("Requête refusée : {where} n'est pas en UTF-8 (octet {offset}, 0x{byte:02X} : {reason}). "
                     "Encodez le texte en UTF-8, puis en pourcentage dans une adresse : « é » s'écrit %C3%A9.", lang)
    reason = translate(REASONS.get(bad.reason, bad.reason), lang)
    return text.format(where=where, offset=bad.offset, byte=bad.byte, reason=reason)


def _posted() -> tuple[str, str | None, bytes | None]:
    """(media type, charset, body) of a form or a query POSTed to a route that takes POST."""
    rule = request.url_rule
    if rule is None or "POST" not in (rule.methods or ()) or request.mimetype not in (FORM, QUERY_BODY):
        return "", None, None
    body = request.get_data(cache=True)  # cached: the route reads the same bytes
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is None and limit is not None and len(body) >= limit:
        return "", None, None  # a streamed body cut at the limit: the route answers 413, not a cut character
    return request.mimetype, request.mimetype_params.get("charset"), body


def refuse_bytes_not_utf8() -> Response | None:
    """A before_request hook: a 400 for a request that is not UTF-8, else nothing."""
    environ = request.environ
    mimetype, charset, body = _posted() if environ["REQUEST_METHOD"] == "POST" else ("", None, None)
    bad = find_bad_bytes(environ, mimetype, charset, body)
    if bad is None:
        return None
    # not request.args: read from a query string that is not UTF-8, it may fail
    lang = "en" if "lang=en" in environ.get("QUERY_STRING", "").split("&") else "fr"
    text = message(bad, lang)
    if not error_as_page(request.headers.get("Accept")):
        return plain_error(400, text)
    holder = current_app.extensions["tilod.releases"]
    page = render_template("message.html", title="Requête illisible", uri=None, message=text, path=None,
                           base=current_app.extensions["tilod.settings"].base_uri,
                           version=holder.get().version if holder.ready else "")
    return Response(page, status=400, content_type=content_type(HTML))
