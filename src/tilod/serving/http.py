"""HTTP concerns shared by every route: caching validators, CORS, no sniffing, plain errors."""

from __future__ import annotations

from flask import Response, request

from tilod.serving.release import ServedRelease

CACHE_CONTROL = "public, max-age=300"
#: set in a request's WSGI environ when its answer is the same for every identical request of the
#: release: serving/replay.py then keeps it and replays it
REPLAYABLE = "tilod.replayable"


def cacheable(response: Response, release: ServedRelease, variant: str) -> Response:
    """ETag and Last-Modified from the release; answers 304 to a matching conditional GET.

    The answer is then kept and replayed (serving/replay.py): only call this last, on an answer
    that depends on nothing but the release and the request's URL, Accept and validators."""
    request.environ[REPLAYABLE] = True
    response.set_etag(release.etag(variant))
    response.last_modified = release.created
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.make_conditional(request)  # turns it into a 304 in place when the validators match
    return response


def add_cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Content-Length, Content-Location, Link, Memento-Datetime"
    return response


def add_nosniff(response: Response) -> Response:
    """Browsers must take every answer for its declared type: an error message in text/plain
    that echoes a request's text is never sniffed into HTML (and never runs a script)."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def leave_date_to_server(response: Response) -> Response:
    """Werkzeug's conditional responses (ours, send_file's) add a Date header, and the HTTP server
    (gunicorn, the development server) always writes its own: keep only the server's."""
    response.headers.pop("Date", None)
    return response


def plain_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(message.rstrip("\n") + "\n", status=status, content_type="text/plain; charset=utf-8")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
