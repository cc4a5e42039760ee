"""A build killed at any step leaves the previous release current and intact; a reader of
`releases/current` never sees it missing or half-written.

The kills are placed from the build's own progress lines (`[  1.2s] message` on stderr): the
build runs as `tilod build`, the test reads its stderr line by line and sends SIGKILL as soon
as the line of the step under test appears, so the kill lands inside that step (the store
load, the switch of `current`...). STEPS lists every line of a subset build in order, and
test_the_build_prints_the_listed_steps fails when the build prints one that is not listed, so a
new step cannot go without its kill.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT, SUBSET, subset_settings
from tilod.release.build import build_release
from tilod.release.layout import MANIFEST, STORE

# every progress line of a subset build made over a previous release, in the order printed
STEPS: dict[str, str] = {
    "reading records": r"reading records \(02,80\)",
    "building the graph": r"building the graph",
    "graph built": r"graph: [\d,]+ triples",
    "validating": r"validating with SHACL",
    "validated": r"SHACL: the release conforms to the shapes \(0 violations\)",
    "writing dumps": r"writing dumps",
    "comparing": r"comparing with the current release",
    "compared": r"\d+ changes since \S+, in \d+ territories",
    "validating the description": r"validating the ontology, VoID and changes with SHACL",
    "deriving the store": r"deriving the embedded store from the current one",
    "store derived": r"embedded store: 0 triples removed and 0 added",
    "writing the search index": r"writing the search index",
    "sharing": r"sharing the files equal to the current release's",
    "switching current": r"switching current to (?P<version>\S+)",
    "current": r"release (?P<version>\S+) is current \(.*\)",
}
NAMES = list(STEPS)
PROGRESS = re.compile(r"\[\s*\d+\.\d+s\] (?P<message>.*)")
# the staging folder is made just before "writing dumps" and renamed into place just before
# "switching current"; stale ones are removed before "validated" is printed
STAGING_STEPS = NAMES[NAMES.index("writing dumps"):NAMES.index("switching current")]
# the extra files of a release, beside those its manifest lists
UNLISTED = ("void.ttl", "search-index.json", "uri-policy.md", MANIFEST)


def step_of(message: str) -> str | None:
    return next((name for name, pattern in STEPS.items() if re.fullmatch(pattern, message)), None)


def fingerprint(folder: Path) -> dict[str, str]:
    """The sha256 of every file under `folder`, the store's included, by relative path."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


def assert_complete(folder: Path) -> None:
    """A whole release: valid manifest, every file it lists with its size and sha256, store readable."""
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["version"] == folder.name
    assert manifest["files"], "the manifest lists no file"
    for listed in manifest["files"]:
        path = folder / listed["filename"]
        assert path.stat().st_size == listed["byte_size"], path
        assert hashlib.sha256(path.read_bytes()).hexdigest() == listed["sha256"], path
    for name in UNLISTED:
        assert (folder / name).is_file(), name
    store = ox.Store.read_only(str(folder / STORE))
    try:
        assert len(store) == manifest["store_triples"] > manifest["triples"] > 0
    finally:
        del store


def assert_no_partial_release(releases: Path) -> None:
    """Whatever looks like a release (`releases/<version>/`) has a manifest and every file it lists."""
    for folder in releases.iterdir():
        if folder.name.startswith(".") or folder.name in ("current", "failed"):
            continue
        manifest = json.loads((folder / MANIFEST).read_text())
        assert manifest["version"] == folder.name
        for listed in manifest["files"]:
            assert (folder / listed["filename"]).stat().st_size == listed["byte_size"], folder / listed["filename"]
        assert (folder / STORE / "CURRENT").is_file(), folder


@dataclass
class Run:
    """A `tilod build` process and the progress messages it printed (as read by the test)."""

    process: subprocess.Popen[str]
    messages: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # anything else on stderr

    def version_announced(self) -> str | None:
        """The version named by the "switching current" line, if printed."""
        for message in self.messages:
            if step_of(message) == "switching current":
                match = re.fullmatch(STEPS["switching current"], message)
                return match["version"] if match else None
        return None


def run_build(releases: Path, kill_at: str | None = None, departements: tuple[str, ...] = SUBSET) -> Run:
    """Run `tilod build` on `departements`; SIGKILL it as soon as step `kill_at`'s line appears."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tilod.cli", "build", "--departements", ",".join(departements),
         "--releases-dir", str(releases), "--rebuild"],
        # from outside the checkout: the build finds its data, ontology and shapes by itself
        cwd=releases.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        # every release kept: pruning (tests/release/test_retention.py) would add a line to STEPS
        env={**{k: v for k, v in os.environ.items() if not k.startswith("TILOD_")}, "TILOD_KEEP_RELEASES": "0"},
    )
    run = Run(process)
    assert process.stderr is not None
    try:
        for line in process.stderr:
            progress = PROGRESS.fullmatch(line.rstrip("\n"))
            if not progress:
                run.other.append(line)
                continue
            run.messages.append(progress["message"])
            if kill_at is not None and (step_of(progress["message"]) == kill_at or progress["message"] == kill_at):
                process.send_signal(signal.SIGKILL)
                break
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
    if kill_at is None:
        assert process.returncode == 0, "".join(run.other)[-2000:]
    else:
        assert process.returncode == -signal.SIGKILL, (
            f"the build was not killed at {kill_at!r} (exit {process.returncode}); it printed "
            f"{run.messages} and {''.join(run.other)[-2000:]}"
        )
    return run


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> Path:
    """A releases folder with one good release, current."""
    settings = subset_settings(tmp_path_factory.mktemp("killed"))
    build_release(settings, out=lambda _: None)
    return settings.releases_dir


@pytest.mark.parametrize("step", NAMES)
def test_build_killed_at_each_step_leaves_a_whole_current(releases, step):
    link = releases / "current"
    previous = link.resolve(strict=True)
    before = fingerprint(previous)
    assert (previous / STORE).is_dir() and any(p.startswith(f"{STORE}/") for p in before)

    run = run_build(releases, kill_at=step)

    assert step_of(run.messages[-1]) == step
    now = link.resolve(strict=True)
    assert fingerprint(previous) == before, f"the previous release changed (killed at {step!r})"
    assert_complete(previous)
    assert_no_partial_release(releases)
    if now != previous:
        assert NAMES.index(step) >= NAMES.index("switching current"), (
            f"killed at {step!r}, before the switch, yet current moved to {now.name}")
        assert now.name == run.version_announced()
        assert_complete(now)
    elif step == "current":
        pytest.fail("the build said its release is current, but current did not move")
    pid = run.process.pid
    mine = sorted(releases.glob(f".staging-*-{pid}"))
    if step in STAGING_STEPS:  # the kill came while the release was being written
        assert len(mine) == 1, f"no staging folder left by the build killed at {step!r}"
    elif step != "validated":  # (the kill may land before or after the staging folder is made)
        assert mine == []
    if NAMES.index(step) >= NAMES.index("validated"):  # this build removed older leftovers
        assert sorted(releases.glob(".staging-*")) == mine
    if step == "switching current":  # renamed into place before the line: whole, current or not
        assert_complete(releases / str(run.version_announced()))


def test_build_killed_while_loading_a_fresh_store_leaves_a_whole_current(releases):
    """Other départements (most of the data changed): the store is loaded afresh, not derived,
    and a kill in that load leaves the current release as it was."""
    previous = (releases / "current").resolve(strict=True)
    before = fingerprint(previous)
    run = run_build(releases, kill_at="loading the embedded store", departements=("60",))
    assert run.messages[-1] == "loading the embedded store"
    assert "deriving the embedded store from the current one" in run.messages
    assert (releases / "current").resolve(strict=True) == previous
    assert fingerprint(previous) == before
    assert_complete(previous)
    assert_no_partial_release(releases)


@pytest.fixture(scope="module")
def next_build(releases) -> tuple[list[Path], Run]:
    """A build killed while deriving the store (as one killed while switching `current`, it
    leaves its `.current-<pid>` link too), then a full build: the leftovers, and the full run."""
    killed = run_build(releases, kill_at="deriving the store")
    (releases / f".current-{killed.process.pid}").symlink_to((releases / "current").readlink())
    left = sorted([*releases.glob(".staging-*"), *releases.glob(".current-*")])
    return left, run_build(releases)


def test_next_build_removes_what_killed_builds_left(releases, next_build):
    left, run = next_build
    assert any(p.name.startswith(".staging-") for p in left) and any(p.name.startswith(".current-") for p in left)
    assert (releases / "current").resolve().name == run.version_announced()
    assert not list(releases.glob(".staging-*"))
    assert not list(releases.glob(".current-*"))


def test_the_build_prints_the_listed_steps(next_build):
    """Each progress line of a full build is one of STEPS, in STEPS' order: a new step fails here
    until it is listed, and so gets its own kill. Notes (what the records leave out: places
    without an outline) come only while the records are read."""
    _, run = next_build
    steps = [m for m in run.messages if not m.startswith("note: ")]
    assert [step_of(m) for m in steps] == NAMES, "\n".join(run.messages)
    notes = [i for i, m in enumerate(run.messages) if m.startswith("note: ")]
    assert notes == list(range(1, 1 + len(notes)))  # right after "reading records", before the graph
    assert any("EPCI have no outline" in run.messages[i] for i in notes)


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
         "--releases-dir", str(releases), "--rebuild"],
        cwd=ROOT, capture_output=True, text=True, preexec_fn=small_disk,
        env={k: v for k, v in os.environ.items() if not k.startswith("TILOD_")},
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "File too large" in run.stderr or "No space" in run.stderr, run.stderr[-500:]
    assert (releases / "current").resolve() == current
    assert fingerprint(current) == before
    assert not list(releases.glob(".staging-*"))


class Reader(threading.Thread):
    """Reads `releases/current` as fast as it can, as a web worker would: the link, the
    manifest through it, every file the manifest lists (with its size), the store folder."""

    def __init__(self, releases: Path) -> None:
        super().__init__(daemon=True)
        self.releases = releases
        self.done = threading.Event()
        self.reads = 0
        self.versions: set[str] = set()
        self.failures: list[str] = []
        self.failed = 0

    def read_once(self) -> str:
        current = self.releases / "current"
        os.readlink(current)  # missing, even for a moment: FileNotFoundError
        manifest = json.loads((current / MANIFEST).read_bytes())  # through the link
        folder = self.releases / manifest["version"]
        for listed in manifest["files"]:
            size = (folder / listed["filename"]).stat().st_size
            if size != listed["byte_size"]:
                raise AssertionError(f"{listed['filename']}: {size} bytes, manifest says {listed['byte_size']}")
        if not (folder / STORE / "CURRENT").is_file():
            raise AssertionError(f"{folder.name} has no store")
        return manifest["version"]

    def run(self) -> None:
        while not self.done.is_set():
            try:
                self.versions.add(self.read_once())
            except Exception as exc:  # noqa: BLE001 - every failure is recorded, none stops the reader
                self.failed += 1
                if len(self.failures) < 20:
                    self.failures.append(f"{time.monotonic():.4f} {type(exc).__name__}: {exc}")
            self.reads += 1


# switches `current` back and forth between two whole releases with the build's own function,
# for the given seconds, then leaves it on the second one; prints how many switches it made
SWITCHER = """
import sys, time
from pathlib import Path
from tilod.release.build import switch_current
releases, a, b, end = Path(sys.argv[1]), sys.argv[2], sys.argv[3], time.monotonic() + float(sys.argv[4])
n = 0
while time.monotonic() < end:
    switch_current(releases, (a, b)[n % 2])
    n += 1
switch_current(releases, b)
print(n)
"""


def test_a_reader_never_sees_current_missing_or_half_written(releases):
    """During READER_BUILDS builds (every other one complete, the others killed at a random
    step, the switch included), then 3 s of the build's own `switch_current` between two whole
    releases (thousands of switches: where a non-atomic switch shows), a reader thread reads
    `current` in a loop and must never fail.

    A subset build takes ~6 s on an idle 2-core machine (and the reader, reading as fast as it
    can, takes a core from it), so the default suite makes 4 builds;
    `READER_BUILDS=50 pytest tests/test_build_killed.py -k reader` makes 50 (~6 min).
    """
    count = max(1, int(os.environ.get("READER_BUILDS", "4")))  # the first one is complete
    rng = random.Random(count)
    made_current = [(releases / "current").resolve(strict=True).name]
    reader = Reader(releases)
    reader.start()
    try:
        for i in range(count):
            kill_at = rng.choice(NAMES) if i % 2 else None
            run = run_build(releases, kill_at=kill_at)
            now = (releases / "current").resolve(strict=True).name
            if now != made_current[-1]:
                assert now == run.version_announced()
                made_current.append(now)
        assert len(made_current) > count // 2
        switcher = subprocess.run(
            [sys.executable, "-c", SWITCHER, str(releases), made_current[-2], made_current[-1], "3"],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
        assert switcher.returncode == 0, switcher.stderr[-2000:]
        switches = int(switcher.stdout)
    finally:
        reader.done.set()
        reader.join(timeout=10)
    assert reader.failures == [], f"{reader.failed} failed reads of {reader.reads}"
    assert set(made_current) <= reader.versions, "the reader missed a release made current"
    assert switches > 1000 and reader.reads > 1000, (switches, reader.reads)
    assert (releases / "current").resolve().name == made_current[-1]
