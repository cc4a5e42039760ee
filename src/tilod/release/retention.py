"""Which releases the releases folder keeps: the newest `keep` (TILOD_KEEP_RELEASES), always the
current one and the one before it (a web worker may still be answering from it while it notices
the switch). A pruned release is first renamed out of sight (`.pruning-<version>-<pid>`), so a
half-removed one never looks like a release, then removed; what a killed prune left is removed
by the next build with the other leftovers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tilod.release import layout

#: the fewest releases a policy may keep: the current one and the one before it
FEWEST = 2


@dataclass(frozen=True)
class KeptRelease:
    version: str
    folder: Path
    manifest: dict
    current: bool


def releases_in(releases: Path) -> list[KeptRelease]:
    """The releases in the folder (folders with a manifest), oldest first."""
    if not releases.is_dir():
        return []
    current = layout.current_link(releases)
    current_name = current.resolve().name if current.is_symlink() else None
    found = []
    for path in sorted(releases.iterdir(), key=lambda p: p.name):
        if not layout.VERSION.fullmatch(path.name) or not path.is_dir():
            continue
        try:
            manifest = layout.read_manifest(path)
        except (OSError, ValueError):
            manifest = {}
        found.append(KeptRelease(path.name, path, manifest, path.name == current_name))
    return found


def to_prune(found: list[KeptRelease], keep: int) -> list[KeptRelease]:
    """The releases a policy of `keep` (0: all) removes: all but the newest `keep`, never the
    current one nor the newest before it."""
    if keep <= 0:
        return []
    keep = max(keep, FEWEST)
    newest = {r.version for r in found[-keep:]}
    protected = {r.version for r in found if r.current}
    older = [r for r in found if r.version < min(protected, default="~")]
    if older:
        protected.add(older[-1].version)
    return [r for r in found if r.version not in newest | protected]


def remove(releases: Path, pruned: list[KeptRelease]) -> None:
    """Remove these releases, each renamed out of sight first."""
    for release in pruned:
        hidden = releases / f"{layout.PRUNING_PREFIX}{release.version}-{os.getpid()}"
        os.rename(release.folder, hidden)
        shutil.rmtree(hidden)


def prune_after_build(releases: Path, keep: int, log: Callable[[str], None]) -> None:
    """Apply the retention policy after a build switched `current`; the new release is current
    whatever happens here."""
    pruned = to_prune(releases_in(releases), keep)
    try:
        remove(releases, pruned)
    except OSError as exc:
        log(f"note: the releases folder was not pruned ({exc}); `tilod releases --prune` retries")
        return
    if pruned:
        log(f"pruned {len(pruned)} releases (TILOD_KEEP_RELEASES={keep}): " + ", ".join(r.version for r in pruned))


def disk_use(folder: Path) -> tuple[int, int]:
    """(bytes of the files no other release shares: what pruning it gives back, bytes of all its
    files), as allocated on disk."""
    own = whole = 0
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        stat = path.stat()
        size = stat.st_blocks * 512
        whole += size
        if stat.st_nlink == 1:
            own += size
    return own, whole
