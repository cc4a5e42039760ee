"""`/historique`: the releases in the releases folder, newest first, each with its changes
(read from its `changes.ttl`; see release/history.py). The page is kept with the current
release: a new release is a new current one, so the page is redrawn then."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, render_template

from tilod.release import layout
from tilod.release.history import ChangeSet, read_changes
from tilod.serving.http import cacheable
from tilod.serving.release import current_release, current_settings
from tilod.serving.resources import cached, html_variant
from tilod.sparql.media_types import HTML, content_type

bp = Blueprint("history", __name__)

MAX_RELEASES = 50  # the page lists the newest ones


@dataclass
class ReleaseEntry:
    manifest: dict
    changes: ChangeSet | None  # None: built before tilod recorded changes

    @property
    def version(self) -> str:
        return str(self.manifest["version"])


def list_releases(folder: Path, base: str) -> list[ReleaseEntry]:
    """Published releases (folders with a manifest), newest first; unreadable ones are skipped."""
    entries = []
    names = sorted((p.name for p in folder.iterdir() if layout.VERSION.fullmatch(p.name)), reverse=True)
    for name in names[:MAX_RELEASES]:
        try:
            manifest = layout.read_manifest(layout.release_folder(folder, name))
        except (OSError, ValueError):
            continue
        listed = {f.get("filename") for f in manifest.get("files", [])}
        changes = None
        if layout.CHANGES in listed:
            try:
                changes = read_changes(folder / name / layout.CHANGES, manifest.get("base_uri", base))
            except (OSError, ValueError, StopIteration, SyntaxError):
                changes = None
        entries.append(ReleaseEntry(manifest, changes))
    return entries


@bp.route("/historique")
def history() -> Response:
    settings = current_settings()
    release = current_release()
    variant = html_variant("history", HTML)

    def page() -> bytes:
        return render_template(
            "historique.html", base=settings.base_uri, version=release.version, current=release.version,
            releases=list_releases(settings.releases_dir, settings.base_uri), changes_file=layout.CHANGES,
        ).encode("utf-8")

    body = cached((variant, settings.base_uri + "historique", HTML), page)
    return cacheable(Response(body, content_type=content_type(HTML)), release, variant)
