"""The release being served: its manifest and files, and the store that holds its data.

Embedded mode follows `releases/current`; remote mode follows the pointer `tilod publish`
moves in the remote store, so a release is served only once it is wholly loaded. Either
way the release's small files (manifest, ontology, shapes, VoID, dumps) come from
`releases/<version>/`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app

from tilod.release import layout
from tilod.settings import Settings
from tilod.stores.base import DataStore, StoreUnavailable
from tilod.stores.embedded import EmbeddedStore
from tilod.stores.remote import RemoteStore

POINTER_TTL = 2.0  # seconds a remote store's pointer is trusted before it is read again


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

    def get(self) -> ServedRelease:
        now = time.monotonic()
        if self._release is not None and self._pointer is not None and now - self._checked < POINTER_TTL:
            return self._release
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

    @property
    def ready(self) -> bool:
        return self._release is not None

    def close(self) -> None:
        if self._release is not None:
            self._release.data.close()


def current_release() -> ServedRelease:
    """The release the app serves now (its ReleaseHolder, set up by app.py)."""
    return current_app.extensions["tilod.releases"].get()


def current_settings() -> Settings:
    return current_app.extensions["tilod.settings"]
