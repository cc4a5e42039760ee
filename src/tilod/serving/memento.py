"""Every `{base}id/...` URI through its history (Memento, RFC 7089): each release kept in the
releases folder is a memento of every URI it describes, dated by its publication.

    {base}id/<path>                      URI-R: Link rel="timegate" and rel="timemap" to these
    {base}timegate/id/<path>             URI-G: Accept-Datetime -> 302 to the memento then
    {base}memento/<version>/id/<path>    URI-M: as release <version> described it, Memento-Datetime
    {base}timemap/id/<path>              URI-T: every memento, in application/link-format

The TimeGate is a resource of its own (RFC 7089 pattern 2.1, as web archives have it), so the
URI-R's answers vary on Accept alone and stay cacheable and replayable as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from flask import Blueprint, Response, request

from tilod.graph.uris import Uris
from tilod.serving.http import plain_error
from tilod.serving.release import MementoServed, current_settings, releases, serve_from
from tilod.serving.resources import describe_resource
from tilod.sparql.media_types import LINK_FORMAT
from tilod.sparql.negotiation import split_extension

bp = Blueprint("memento", __name__)


def http_date(moment: datetime) -> str:
    """RFC 7231's IMF-fixdate, as Memento-Datetime and a TimeMap's datetime are written."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def accept_datetime(value: str) -> datetime:
    """The moment an Accept-Datetime header asks for (RFC 7089: an HTTP-date, in GMT)."""
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.tzinfo is None or not value.rstrip().endswith("GMT"):
        raise ValueError(f"Accept-Datetime must be an HTTP date in GMT, as 'Thu, 09 Nov 2023 12:00:00 GMT'; "
                         f"got {value[:100]!r}")
    return moment


@dataclass(frozen=True)
class Memento:
    version: str
    published: datetime


def mementos(uri: str) -> list[Memento]:
    """The releases in the folder that describe `uri`, oldest first."""
    holder = releases()
    found = []
    for version in holder.kept():
        published = holder.published(version)
        if published is not None and holder.describes(version, uri):
            found.append(Memento(version, published))
    return found


def _original(rest: str) -> str:
    """The URI-R of `id/<rest>` (without a format suffix)."""
    path, _ = split_extension(rest)
    return current_settings().base_uri + "id/" + path


def _unknown(uri: str) -> Response:
    return plain_error(404, f"Not found: no release kept describes {uri}")


@bp.route("/timegate/id/<path:rest>", methods=["GET"])
def timegate(rest: str) -> Response:
    uri = _original(rest)
    asked = request.headers.get("Accept-Datetime")
    try:
        moment = accept_datetime(asked) if asked else None
    except ValueError as exc:
        return plain_error(400, f"Bad Request: {exc}", {"Vary": "accept-datetime"})
    found = mementos(uri)
    if not found:
        return _unknown(uri)
    # the release in force then: the last published by that moment (the first, before any)
    chosen = found[-1] if moment is None else next(
        (m for m in reversed(found) if m.published <= moment), found[0])
    uris = Uris(current_settings().base_uri)
    response = Response(status=302)
    response.headers["Location"] = uris.memento(chosen.version, uri)
    response.headers["Vary"] = "accept-datetime"
    response.headers["Link"] = ", ".join([
        f'<{uri}>; rel="original"', f'<{uris.timemap(uri)}>; rel="timemap"; type="{LINK_FORMAT}"',
        *_memento_links(found, uris, uri, chosen)])
    return response


def _memento_links(found: list[Memento], uris: Uris, uri: str, chosen: Memento | None = None) -> list[str]:
    """The mementos' links, each with its datetime: all of them, or (from a TimeGate) the first,
    the last and the one chosen."""
    links = []
    for i, memento in enumerate(found):
        rel = " ".join(name for name, yes in (("first", i == 0), ("last", i == len(found) - 1)) if yes)
        if chosen is None or memento == chosen or rel:
            links.append(f'<{uris.memento(memento.version, uri)}>; rel="{(rel + " memento").strip()}"; '
                         f'datetime="{http_date(memento.published)}"')
    return links


@bp.route("/timemap/id/<path:rest>", methods=["GET"])
def timemap(rest: str) -> Response:
    uri = _original(rest)
    found = mementos(uri)
    if not found:
        return _unknown(uri)
    uris = Uris(current_settings().base_uri)
    lines = [f'<{uri}>; rel="original"', f'<{uris.timegate(uri)}>; rel="timegate"',
             f'<{uris.timemap(uri)}>; rel="self"; type="{LINK_FORMAT}"; '
             f'from="{http_date(found[0].published)}"; until="{http_date(found[-1].published)}"',
             *_memento_links(found, uris, uri)]
    # not replayed: a new or a pruned release changes it, and it is read from memory
    return Response(",\n".join(lines) + "\n", content_type=LINK_FORMAT)


@bp.route("/memento/<version>/id/<path:rest>", methods=["GET"])
def memento(version: str, rest: str) -> Response:
    release = releases().release(version)
    uri = _original(rest)
    if release is None:
        return plain_error(404, f"Not found: no release {version[:40]!r} is kept; the mementos of {uri} are "
                                f"listed at {Uris(current_settings().base_uri).timemap(uri)}")
    uris = Uris(current_settings().base_uri)
    serve_from(release, MementoServed(version, release.manifest["created"], uri, uris.memento(version, uri),
                                      uris.timemap(uri)))
    response = describe_resource(rest, version)
    if response.status_code in (200, 304):
        response.headers["Memento-Datetime"] = http_date(release.created)
    return response
