"""Dump downloads: only the files a release's manifest lists can be reached.

`/dumps/<version>/<file>` and `/dumps/latest/<file>`; Range, ETag (the file's sha256),
Last-Modified and Content-Length come from Werkzeug's conditional file sending.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, send_file

from tilod.release import layout
from tilod.serving.http import plain_error
from tilod.serving.release import current_release, current_settings
from tilod.sparql.media_types import content_type

bp = Blueprint("dumps", __name__)

DOWNLOAD_TYPES = {".gz": "application/gzip"}


def _manifest(version: str) -> dict | None:
    """Manifest of a published release (names are checked: no path is built from raw input)."""
    current = current_release()
    if version in ("latest", current.version):
        return current.manifest
    if not layout.VERSION.fullmatch(version):
        return None
    try:
        return layout.read_manifest(layout.release_folder(current_settings().releases_dir, version))
    except (OSError, ValueError):
        return None


@bp.route("/dumps/")
def listing() -> Response:
    settings = current_settings()
    release = current_release()
    body = render_template("dumps.html", base=settings.base_uri, version=release.version,
                           release=release.manifest, files=release.manifest["files"])
    return Response(body, content_type=content_type("text/html"))


@bp.route("/dumps/<version>/<filename>")
def download(version: str, filename: str) -> Response:
    manifest = _manifest(version)
    files = {f["filename"]: f for f in manifest["files"]} if manifest else {}
    entry = files.get(filename)
    if manifest is None or entry is None:
        return plain_error(404, f"no file {filename!r} in release {version!r}; see /dumps/")
    folder = layout.release_folder(current_settings().releases_dir, manifest["version"]).resolve()
    path = folder / entry["filename"]
    # only a regular file of the release folder itself: never what a symlink (or a '..' in a
    # manifest) planted there points at, wherever that is
    if path.is_symlink() or path.resolve().parent != folder or not path.is_file():
        return plain_error(404, f"no file {filename!r} in release {version!r}; see /dumps/")
    media = DOWNLOAD_TYPES.get(path.suffix, entry["media_type"])
    response = send_file(
        path, mimetype=media, as_attachment=True,
        download_name=f"{manifest['version']}-{filename}" if version != "latest" else filename,
        conditional=True, etag=entry.get("sha256") or True,
    )
    # Werkzeug appends a charset to text/* itself: set the whole value once
    response.headers["Content-Type"] = content_type(media)
    response.headers["Cache-Control"] = "public, max-age=3600" if version != "latest" else "public, max-age=300"
    return response
