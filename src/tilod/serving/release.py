"""The release being served: its manifest, its files, its embedded store and query workers."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox

from tilod.errors import TilodError
from tilod.release.build import MANIFEST, STORE_DIR
from tilod.serving.query_pool import QueryPool
from tilod.settings import Settings


@dataclass
class ServedRelease:
    folder: Path
    manifest: dict
    store: ox.Store
    pool: QueryPool

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.manifest["created"].replace("Z", "+00:00"))

    def etag(self, variant: str) -> str:
        """Strong validator of one representation: release version + representation."""
        return f"{self.version}-{variant}"

    def files(self) -> dict[str, dict]:
        """Downloadable files of this release, by name (nothing else can be reached)."""
        return {f["filename"]: f for f in self.manifest["files"]} | {
            "void.ttl": {"filename": "void.ttl", "media_type": "text/turtle"},
        }


class ReleaseHolder:
    """Opens `releases/current` and follows it when a new build switches it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._target: str | None = None
        self._release: ServedRelease | None = None

    def _open(self, folder: Path) -> ServedRelease:
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            store = ox.Store.read_only(str(folder / STORE_DIR))
        except (OSError, ValueError) as exc:
            raise TilodError(f"cannot open the release at {folder}: {exc}") from None
        s = self.settings
        pool = QueryPool(str(folder / STORE_DIR), s.query_workers, s.query_timeout, s.max_results_bytes)
        return ServedRelease(folder.resolve(), manifest, store, pool)

    def get(self) -> ServedRelease:
        current = self.settings.current_release
        try:
            target = str(current.resolve(strict=True))
        except OSError:
            if self._release is not None:
                return self._release
            raise TilodError(
                f"no release at {current}: run `tilod build` first"
            ) from None
        if target != self._target:
            with self._lock:
                if target != self._target:
                    old = self._release
                    self._release = self._open(Path(target))
                    self._target = target
                    if old is not None:
                        old.pool.close()
        assert self._release is not None
        return self._release

    def close(self) -> None:
        if self._release is not None:
            self._release.pool.close()
