"""A build killed at any point leaves the previous release current and intact."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, SUBSET
from tilod.release.build import build_release


def fingerprint(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    from conftest import subset_settings

    settings = subset_settings(tmp_path_factory.mktemp("killed"))
    build_release(settings, out=lambda _: None)
    return settings.releases_dir


@pytest.mark.parametrize("after", [0.4, 1.0, 1.8, 2.6])
def test_killed_build_leaves_current_intact(releases, after):
    current = (releases / "current").resolve()
    before = fingerprint(current)
    process = subprocess.Popen(
        [sys.executable, "-m", "tilod.cli", "build", "--departements", ",".join(SUBSET),
         "--releases-dir", str(releases)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if k != "TILOD_BASE_URI"},
    )
    time.sleep(after)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    now = (releases / "current").resolve()
    if now != current:  # the build finished before the kill: then the new release is whole
        assert (now / "release.json").exists() and (now / "store").is_dir()
        current = now
        before = fingerprint(now)
    assert fingerprint(current) == before


def test_next_build_removes_what_killed_builds_left(releases):
    from conftest import subset_settings

    build_release(subset_settings(releases), out=lambda _: None)
    assert not list(releases.glob(".staging-*"))


def test_disk_full_leaves_current_intact(releases):
    """Writes past 2 MB fail (EFBIG, as on a full disk) while the dumps are written."""
    import resource

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, do not kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, 2_000_000))

    current = (releases / "current").resolve()
    before = fingerprint(current)
    run = subprocess.run(
        [sys.executable, "-m", "tilod.cli", "build", "--departements", ",".join(SUBSET),
         "--releases-dir", str(releases)],
        cwd=ROOT, capture_output=True, text=True, preexec_fn=small_disk,
        env={k: v for k, v in os.environ.items() if k != "TILOD_BASE_URI"},
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "File too large" in run.stderr or "No space" in run.stderr, run.stderr[-500:]
    assert (releases / "current").resolve() == current
    assert fingerprint(current) == before
    assert not list(releases.glob(".staging-*"))
