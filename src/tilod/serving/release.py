"""The release being served: its manifest and files, and the store that holds its data.

Embedded mode follows `releases/current`; remote mode follows the pointer `tilod publish`
moves in the remote store, so a release is served only once it is wholly loaded. Either
way the release's small files (manifest, ontology, shapes, VoID, dumps) come from
`releases/<version>/`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, g

from tilod.release import layout
from tilod.settings import Settings
from tilod.stores.base import DataStore, StoreUnavailable
from tilod.stores.embedded import EmbeddedStore
from tilod.stores.remote import RemoteStore

POINTER_TTL = 2.0  # seconds a remote store's pointer is trusted before it is read again
#: seconds `releases/current` is trusted before it is resolved again (a lstat per folder of its
#: path, on every request otherwise): a new release is served within this delay
CURRENT_TTL = 0.5
#: earlier releases kept open for their mementos (serving/memento.py), least recently used out
MAX_PAST_OPEN = 4
#: (version, URI) -> whether that release describes that URI, remembered (a release never changes)
MAX_DESCRIBED = 100_000


class NoRelease(StoreUnavailable):
    """Nothing to serve yet (no build, or nothing published to the remote store)."""


@dataclass
class ServedRelease:
    folder: Path
    manifest: dict
    data: DataStore
    #: rendered documents, (variant, uri, media type) -> bytes or None (unknown): see serving/resources.py
    rendered: OrderedDict[tuple[str, str, str], bytes | None] = field(default_factory=OrderedDict)
    #: what pages derive once from the release (search index...): see serving/landing.py
    memo: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.manifest["created"].replace("Z", "+00:00"))

    def etag(self, variant: str) -> str:
        """Strong validator of one representation: release version + representation."""
        return f"{self.version}-{variant}"


class ReleaseHolder:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._target: str | None = None
        self._release: ServedRelease | None = None
        self._checked = 0.0
        self._pointer: RemoteStore | None = None
        self._past: OrderedDict[str, ServedRelease] = OrderedDict()
        self._published: dict[str, datetime] = {}
        self._described: OrderedDict[tuple[str, str], bool] = OrderedDict()
        if settings.store_url:
            self._pointer = RemoteStore(settings.store_url, "", settings.query_timeout, 1_000_000)

    def _current_version(self) -> str:
        """The version to serve now (raises NoRelease / StoreUnavailable)."""
        s = self.settings
        if self._pointer is None:
            current = layout.current_link(s.releases_dir)
            try:
                return current.resolve(strict=True).name
            except OSError:
                raise NoRelease(f"no release at {current}: run `tilod build` first") from None
        query = layout.current_pointer_query(s.base_uri)
        triples = self._pointer.query_json(query)
        if not triples:
            raise NoRelease(f"nothing published in {s.store_url}: run `tilod publish`")
        return triples[0].rsplit("/", 1)[-1]

    def _open(self, version: str) -> ServedRelease:
        s = self.settings
        folder = layout.release_folder(s.releases_dir, version).resolve()
        try:
            manifest = layout.read_manifest(folder)
        except (OSError, ValueError) as exc:
            raise NoRelease(f"release {version} has no readable manifest in {s.releases_dir}: {exc}") from None
        data: DataStore
        if s.store_url:
            graph = layout.release_graph(s.base_uri, version)
            data = RemoteStore(s.store_url, graph, s.query_timeout, s.max_results_bytes,
                               tuple(layout.named_graphs(s.base_uri, version).values()))
        else:
            data = EmbeddedStore(str(folder / layout.STORE), s.query_workers, s.query_timeout, s.max_results_bytes)
        return ServedRelease(folder, manifest, data)

    def fresh(self) -> ServedRelease | None:
        """The release, if its pointer was read within the trusted delay; else None. Never reads
        the pointer (no I/O, never raises): for answers replayed in front of the app."""
        trusted = POINTER_TTL if self._pointer is not None else CURRENT_TTL
        if self._release is not None and time.monotonic() - self._checked < trusted:
            return self._release
        return None

    def get(self) -> ServedRelease:
        now = time.monotonic()
        if (fresh := self.fresh()) is not None:
            return fresh
        try:
            version = self._current_version()
        except StoreUnavailable:
            if self._release is not None and self._pointer is None:
                return self._release  # `current` briefly missing: keep serving what we have
            raise
        self._checked = now
        if version != self._target:
            with self._lock:
                if version != self._target:
                    old = self._release
                    self._release = self._open(version)
                    self._target = version
                    if old is not None:
                        old.data.close()
        assert self._release is not None
        return self._release

    def kept(self) -> list[str]:
        """The versions of the releases in the releases folder (each may be a memento), oldest first."""
        try:
            names = [p.name for p in self.settings.releases_dir.iterdir() if layout.VERSION.fullmatch(p.name)]
        except OSError:
            return []
        return sorted(names)

    def release(self, version: str) -> ServedRelease | None:
        """The release `version`, the current one or an earlier one kept in the folder (opened
        on demand, the last few kept open); None if there is no such release."""
        current = self.get()
        if version == current.version:
            return current
        with self._lock:
            past = self._past.get(version)
            if past is not None:
                self._past.move_to_end(version)
                return past
            if not layout.VERSION.fullmatch(version) or version not in self.kept():
                return None
            try:
                past = self._past[version] = self._open(version)
            except (NoRelease, OSError):  # pruned meanwhile, or its store cannot be opened
                return None
            while len(self._past) > MAX_PAST_OPEN:
                self._past.popitem(last=False)[1].data.close()
            return past

    def published(self, version: str) -> datetime | None:
        """When release `version` was published (its manifest's `created`); None if unreadable."""
        if version not in self._published:
            try:
                created = layout.read_manifest(layout.release_folder(self.settings.releases_dir, version))["created"]
                self._published[version] = datetime.fromisoformat(created.replace("Z", "+00:00"))
            except (OSError, ValueError, KeyError, TypeError):
                return None
        return self._published[version]

    def describes(self, version: str, uri: str) -> bool:
        """Whether release `version` (kept in the folder) describes `uri`."""
        key = (version, uri)
        known = self._described.get(key)
        if known is None:
            release = self.release(version)
            if release is None:
                return False
            known = self._described[key] = bool(release.data.describe(uri))
            with contextlib.suppress(KeyError):  # another thread emptied it meanwhile
                while len(self._described) > MAX_DESCRIBED:
                    self._described.popitem(last=False)
        return known

    @property
    def ready(self) -> bool:
        return self._release is not None

    def close(self) -> None:
        if self._release is not None:
            self._release.data.close()
        for past in self._past.values():
            past.data.close()


def releases() -> ReleaseHolder:
    return current_app.extensions["tilod.releases"]


def current_release() -> ServedRelease:
    """The release this request is answered from: the current one (its ReleaseHolder, set up by
    app.py), or the earlier one a memento's URL names (`serve_from`)."""
    chosen = g.get("tilod_release")
    return chosen if chosen is not None else releases().get()


@dataclass(frozen=True)
class MementoServed:
    """The memento a request asked for: `original` (URI-R) as release `version` described it,
    at `url` (URI-M); the pages say so, with links to the current version and to `timemap`."""

    version: str
    published: str
    original: str
    url: str
    timemap: str


def serve_from(release: ServedRelease, memento: MementoServed) -> None:
    """Answer the rest of this request from `release`, as the memento `memento`."""
    g.tilod_release = release
    g.tilod_memento = memento


def memento_served() -> MementoServed | None:
    return g.get("tilod_memento")


def document_url(uri: str) -> str:
    """Where the documents of `uri` are served in this request: at its URI, or at the memento's URL."""
    memento = memento_served()
    return memento.url if memento is not None and memento.original == uri else uri


def current_settings() -> Settings:
    return current_app.extensions["tilod.settings"]
