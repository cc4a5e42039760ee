"""This checkout beside an earlier commit: the earlier one checked out in a temporary git worktree,
and a national `tilod build` of either, timed, in a fresh process (bench/build_side_by_side.py,
bench/release_history.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def head_commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


@contextmanager
def earlier_checkout(ref: str, folder: Path) -> Iterator[Path]:
    """Commit `ref` checked out at `folder` for the duration (a detached git worktree)."""
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), ref], cwd=ROOT, check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, check=True)


@dataclass(frozen=True)
class TimedBuild:
    seconds: float
    peak_mib: float  # the build process's own maximum resident set (wait4)
    log: str  # what it printed on stderr


def timed_build(source: Path, releases: Path, *args: str, **env: str) -> TimedBuild:
    """`tilod build --releases-dir releases *args` of the checkout at `source`, run with this
    checkout's virtual environment and no TILOD_* variable but `env`'s."""
    environ = {**{k: v for k, v in os.environ.items() if not k.startswith("TILOD_")},
               "PYTHONPATH": str(source / "src"), **env}
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "tilod.cli", "build", "--releases-dir", str(releases), *args],
                               cwd=source, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    log = process.stderr.read().decode("utf-8", errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"build of {source} failed:\n{log[-2000:]}")
    return TimedBuild(seconds, usage.ru_maxrss / 1024, log)
