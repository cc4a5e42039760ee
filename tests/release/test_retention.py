"""The retention policy (TILOD_KEEP_RELEASES, `tilod releases`): the newest releases kept, never
the current one nor the one before it, and what a pruned release shared stays whole in the
releases that keep it."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

import pyoxigraph as ox

from conftest import ROOT, subset_settings
from tilod.release import layout
from tilod.release.build import build_release, switch_current


def tilod_releases(releases, *args, keep: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILOD_")}
    if keep is not None:
        env["TILOD_KEEP_RELEASES"] = keep
    return subprocess.run([sys.executable, "-m", "tilod.cli", "releases", "--releases-dir", str(releases), *args],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=60)


def line_of(output: str, version: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(version))


def test_the_newest_are_kept_never_the_current_one_nor_the_one_before(tmp_path):
    releases = tmp_path / "releases"
    v1, v2, v3 = (build_release(subset_settings(releases, rebuild=True, keep_releases=0), out=lambda _: None).name
                  for _ in range(3))
    assert sorted(p.name for p in releases.iterdir() if layout.VERSION.fullmatch(p.name)) == [v1, v2, v3]

    listed = tilod_releases(releases, keep="2")
    assert listed.returncode == 0, listed.stderr
    assert "(the policy prunes it)" in line_of(listed.stdout, v1)
    assert line_of(listed.stdout, v3).endswith(" current")
    assert "prunes" not in line_of(listed.stdout, v2)
    own_mb, all_mb = (float(x) for x in line_of(listed.stdout, v2).split()[3:5])
    assert own_mb < all_mb / 2  # v2 shares most of its files with v1 and v3
    assert "policy: keep 2" in listed.stdout

    # the current one is never pruned, even the oldest
    switch_current(releases, v1)
    kept = tilod_releases(releases, "--prune", "--keep", "2")
    assert kept.returncode == 0, kept.stderr
    assert "pruned 0 releases" in kept.stdout
    assert all((releases / v).is_dir() for v in (v1, v2, v3))

    switch_current(releases, v3)
    pruned = tilod_releases(releases, "--prune", "--keep", "2")
    assert f"pruned 1 releases: {v1}" in pruned.stdout
    assert not (releases / v1).exists() and (releases / v2).is_dir()

    # a prune killed while removing leaves its hidden folder: the next build removes it
    finished = subprocess.Popen(["true"])
    finished.wait()
    leftover = releases / f"{layout.PRUNING_PREFIX}{v2}-{finished.pid}"
    (leftover / layout.STORE).mkdir(parents=True)
    log: list[str] = []
    v4 = build_release(subset_settings(releases, rebuild=True, keep_releases=2), out=log.append).name
    assert not leftover.exists()
    assert any(line.endswith(f"pruned 1 releases (TILOD_KEEP_RELEASES=2): {v2}") for line in log), log[-3:]
    assert sorted(p.name for p in releases.iterdir() if layout.VERSION.fullmatch(p.name)) == [v3, v4]
    # what v4 shared with the pruned releases is still whole
    with gzip.open(releases / v4 / layout.NT_DUMP, "rb") as handle:
        dumped = set(ox.parse(handle.read(), format=ox.RdfFormat.N_TRIPLES))
    store = ox.Store.read_only(str(releases / v4 / layout.STORE))
    assert set(store.quads_for_pattern(None, None, None, ox.DefaultGraph())) == dumped


def test_a_negative_policy_is_refused_with_its_name(tmp_path):
    refused = tilod_releases(tmp_path, keep="-1")
    assert refused.returncode == 1
    assert "TILOD_KEEP_RELEASES must be 0 (keep all) or more, got -1" in refused.stderr
    assert "Traceback" not in refused.stderr
