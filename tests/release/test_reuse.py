"""A build from the same inputs, code and settings keeps the current release (no new version, no
new ETag); anything changed, a damaged file, or --rebuild builds anew."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT, subset_settings
from tilod.release import layout
from tilod.release.build import build_release


def versions(releases) -> list[str]:
    return sorted(p.name for p in releases.iterdir() if p.is_dir() and p.name[:4].isdigit())


def test_the_same_inputs_keep_the_current_release_and_a_change_builds_anew(tmp_path):
    releases = tmp_path / "releases"
    first = build_release(subset_settings(releases), out=lambda _: None)
    manifest = layout.read_manifest(first)
    assert len(manifest["fingerprint"]) == 64

    log: list[str] = []
    assert build_release(subset_settings(releases), out=log.append) == first
    assert versions(releases) == [first.name]
    assert any(f"release {first.name} is current and was built from the same inputs" in line for line in log)
    assert not any("building the graph" in line for line in log)  # nothing was read or built

    # the console script says so too, from another working directory
    run = subprocess.run([sys.executable, "-m", "tilod.cli", "build", "--departements", "02,80",
                          "--releases-dir", str(releases)], cwd=tmp_path, capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if not k.startswith("TILOD_")}, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"release {first.name} kept: built from the same inputs, code and settings" in run.stdout
    assert versions(releases) == [first.name]

    # another vocabulary file (one comment more): built anew
    ontology = tmp_path / "tilod.ttl"
    ontology.write_text((ROOT / "ontology/tilod.ttl").read_text(encoding="utf-8") + "\n# changed\n",
                        encoding="utf-8")
    second = build_release(subset_settings(releases, ontology_file=ontology), out=lambda _: None)
    assert second != first and (releases / "current").resolve() == second

    # a damaged dump of the current release: built anew, not kept
    (second / "tilod.ttl").write_text("damaged", encoding="utf-8")
    third = build_release(subset_settings(releases, ontology_file=ontology), out=lambda _: None)
    assert third not in (first, second)

    # --rebuild: built anew though nothing changed
    fourth = build_release(subset_settings(releases, ontology_file=ontology, rebuild=True), out=lambda _: None)
    assert len(versions(releases)) == 4 and (releases / "current").resolve() == fourth
