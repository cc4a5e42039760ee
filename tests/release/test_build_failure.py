"""A build that fails leaves the previous good release exactly as it was, and says why."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import TILOD_NS
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from conftest import ROOT, subset_settings
from tilod.errors import InputError, TilodError
from tilod.release.build import ValidationFailed, build_release

LIST_2023 = ROOT / "data/territoires/ti_2023_groupements_20231114.csv"
BAD_LINE = 184  # ti-3208, CA du Saint-Quentinois
BAD_PROBLEM = "184 [ti-3208 200071893]: SIREN 200071893 has an invalid check digit (Luhn)"


def quiet(_: str) -> None:
    pass


def snapshot(releases: Path) -> dict[str, object]:
    """Where `current` points, the folders beside it, and the sha256 of every released file."""
    files = {
        str(path.relative_to(releases)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(releases.rglob("*"))
        if path.is_file() and not path.is_symlink()
        and path.relative_to(releases).parts[0] != "failed"
    }
    return {
        "current": os.readlink(releases / "current"),
        "entries": sorted(p.name for p in releases.iterdir() if p.name != "failed"),
        "files": files,
    }


def failed_reports(releases: Path) -> list[Path]:
    return sorted((releases / "failed").glob("*/validation-report.ttl"))


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> tuple[Path, dict[str, object]]:
    """A releases folder holding one good release (current), and its snapshot."""
    releases = tmp_path_factory.mktemp("build-failure") / "releases"
    folder = build_release(subset_settings(releases), out=quiet)
    state = snapshot(releases)
    assert state["current"] == folder.name and state["entries"] == sorted(["current", folder.name])
    assert any(name.endswith("tilod.ttl") for name in state["files"])
    return releases, state


@pytest.fixture(scope="module")
def bad_list(tmp_path_factory) -> Path:
    """The real 2023 list with one SIREN's last digit changed (same name, so same outlines)."""
    raw = LIST_2023.read_bytes()
    row = b"ti-3208,Haute-Picardie,200071892,"
    assert raw.count(row) == 1 and raw.splitlines()[BAD_LINE - 1].startswith(row)
    path = tmp_path_factory.mktemp("bad-list") / LIST_2023.name
    path.write_bytes(raw.replace(row, row.replace(b"200071892", b"200071893")))
    return path


@pytest.fixture
def data_with_bad_region(tmp_path) -> Path:
    """A copy of data/ (links, but for two files) where the Hauts-de-France have the code
    "HF": the records read fine, the région shape rejects it."""
    data = tmp_path / "data"
    data.mkdir()
    for entry in (ROOT / "data").iterdir():
        if entry.name != "decoupage-administratif":
            (data / entry.name).symlink_to(entry)
    source = ROOT / "data/decoupage-administratif"
    (data / "decoupage-administratif").mkdir()
    (data / "decoupage-administratif/3.1.1").symlink_to(source / "3.1.1")
    (data / "decoupage-administratif/0.3.0").symlink_to(source / "0.3.0")
    current = data / "decoupage-administratif/6.0.0"
    current.mkdir()
    for entry in (source / "6.0.0").iterdir():
        if entry.name not in ("regions.json", "departements.json"):
            (current / entry.name).symlink_to(entry)
    for name, key in (("regions.json", "code"), ("departements.json", "region")):
        records = json.loads((source / "6.0.0" / name).read_text(encoding="utf-8"))
        changed = [r for r in records if r[key] == "32"]
        assert changed
        for record in changed:
            record[key] = "HF"
        (current / name).write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return data


def assert_unchanged(releases: Path, before: dict[str, object]) -> None:
    assert snapshot(releases) == before
    assert not list(releases.glob(".staging-*"))
    assert not list(releases.glob(".current-*"))


def test_bad_territory_list_stops_the_build(good, bad_list):
    releases, before = good
    reports = failed_reports(releases)
    settings = replace(subset_settings(releases), territories_2023=bad_list)
    with pytest.raises(InputError) as caught:
        build_release(settings, out=quiet)
    assert str(caught.value) == f"{bad_list}:{BAD_PROBLEM}"
    assert_unchanged(releases, before)
    assert failed_reports(releases) == reports


def test_data_failing_shacl_stop_the_build_with_a_report(good, data_with_bad_region):
    releases, before = good
    reports = failed_reports(releases)
    settings = replace(subset_settings(releases), data_dir=data_with_bad_region)
    with pytest.raises(ValidationFailed) as caught:
        build_release(settings, out=quiet)
    message = str(caught.value)
    region = f"{settings.base_uri}id/region/HF"
    new = [r for r in failed_reports(releases) if r not in reports]
    assert len(new) == 1
    report_path = new[0]
    # the région itself, and each commune of the subset that still names région 32
    communes = {c for c in message.splitlines() if "ClassConstraintComponent on region" in c}
    assert message.splitlines()[0].startswith("SHACL: ") and "in 2 group(s)" in message.splitlines()[0]
    assert "- 1 x PatternConstraintComponent on codeINSEE: région code must be one of INSEE's" in message
    assert len(communes) == 1 and "a commune lies in exactly one région of the release" in communes.pop()
    assert f"focus {region}  value 'HF'" in message
    assert f"report written to {report_path}" in message
    assert message.endswith("the current release is unchanged")
    report = Graph().parse(report_path, format="turtle")
    assert [c.toPython() for c in report.objects(None, SH.conforms)] == [False]
    focus = set(report.objects(None, SH.focusNode))
    assert URIRef(region) in focus
    assert all(str(f).startswith(f"{settings.base_uri}id/commune/") for f in focus - {URIRef(region)})
    assert_unchanged(releases, before)


def test_an_ontology_failing_shacl_stops_the_build_with_a_report(good, tmp_path):
    """The ontology, VoID and changes.ttl are validated too, once written: the real ontology
    with one term's English label gone stops the build like bad data."""
    releases, before = good
    reports = failed_reports(releases)
    text = (ROOT / "ontology/tilod.ttl").read_text(encoding="utf-8")
    label = ', "membership of a territory of industry"@en'
    assert text.count(label) == 1
    ontology = tmp_path / "tilod.ttl"
    ontology.write_text(text.replace(label, ""), encoding="utf-8")
    settings = subset_settings(releases, ontology_file=ontology)
    with pytest.raises(ValidationFailed) as caught:
        build_release(settings, out=quiet)
    message = str(caught.value)
    assert message.splitlines()[0] == "SHACL: 1 violation(s) in 1 group(s)"
    assert "QualifiedMinCountConstraintComponent on label: needs an English label" in message
    assert f"focus {TILOD_NS}Adhesion" in message
    assert "in the ontology, VoID or changes.ttl" in message
    new = [r for r in failed_reports(releases) if r not in reports]
    assert len(new) == 1 and f"report written to {new[0]}" in message
    assert_unchanged(releases, before)


def test_cli_build_with_bad_list_exits_2_without_traceback(good, bad_list):
    releases, before = good
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILOD_")}
    run = subprocess.run(
        [
            sys.executable, "-m", "tilod.cli", "build",
            "--data-dir", str(ROOT / "data"), "--releases-dir", str(releases),
            "--departements", "02,80", "--territories-2023", str(bad_list),
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert f"tilod build: invalid input\n{bad_list}:{BAD_PROBLEM}" in run.stderr
    assert run.stdout == ""
    assert_unchanged(releases, before)


@pytest.mark.parametrize(("damage", "reason"), [
    (lambda text: text[: len(text) // 2], "JSONDecodeError"),  # cut in the middle
    (lambda text: text.replace('"@context"', '"@contexte"', 1), "KeyError"),
    (lambda text: text.replace('"nom": {"@id": "rdfs:label", "@language": "fr"}', '"nom": 12', 1), "AttributeError"),
])
def test_a_bad_jsonld_context_stops_the_build_naming_the_file(good, tmp_path, damage, reason):
    releases, before = good
    context = tmp_path / "context.jsonld"
    context.write_text(damage((ROOT / "ontology/context.jsonld").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(TilodError) as caught:
        build_release(subset_settings(releases, context_file=context), out=quiet)
    assert str(caught.value).startswith(f"{context}: not a JSON-LD context tilod can write with ({reason}")
    assert_unchanged(releases, before)
