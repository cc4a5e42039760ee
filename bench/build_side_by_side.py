"""The national build of this checkout beside the build of an earlier commit, in one run:
wall time, peak memory, triples, and the size of each dump.

    python bench/build_side_by_side.py [--before REF] [--rounds 2] [--out bench/results/build-side-by-side.md]

REF (default 42d1438: before France's commune outlines shipped) is checked out into a temporary
git worktree, and both builds run in this checkout's virtual environment, each in a fresh process
with its own data folder and an empty releases folder, alternating round by round. Peak memory is
the build process's own maximum resident set (wait4). The targets: the national build under 60 s
and 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from machine import describe_machine

ROOT = Path(__file__).resolve().parent.parent
DUMPS = ("tilod.ttl", "tilod.nt.gz", "tilod.jsonld")
TARGET_S, TARGET_MIB = 60, 2048


def build(source: Path, releases: Path) -> dict:
    """One national build of the checkout at `source`: seconds, peak MiB, triples, dump bytes."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("TILOD_")}, "PYTHONPATH": str(source / "src")}
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "tilod.cli", "build", "--releases-dir", str(releases)],
                               cwd=source, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    log = process.stderr.read().decode("utf-8", errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"build of {source} failed:\n{log[-2000:]}")
    current = releases / "current"
    manifest = json.loads((current / "release.json").read_text(encoding="utf-8"))
    store = sum(p.stat().st_size for p in (current / "store").rglob("*") if p.is_file())
    return {"seconds": seconds, "peak_mib": usage.ru_maxrss / 1024, "triples": manifest["triples"],
            "store": store, **{name: (current / name).stat().st_size for name in DUMPS}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="42d1438")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/build-side-by-side.md")
    args = parser.parse_args()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="tilod-bench-build-") as tmp:
        before = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(before), args.before], cwd=ROOT,
                       check=True, capture_output=True)
        try:
            runs: dict[str, list[dict]] = {"before": [], "now": []}
            for round_ in range(args.rounds):
                for name, source in (("before", before), ("now", ROOT)):
                    releases = Path(tmp) / f"{name}-{round_}"
                    runs[name].append(build(source, releases))
                    print(name, round_ + 1, {k: round(v, 1) for k, v in runs[name][-1].items()}, flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, check=True)

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    def spread(name: str, key: str, scale: float = 1.0, digits: int = 1) -> str:
        values = sorted(r[key] / scale for r in runs[name])
        return f"{statistics.median(values):,.{digits}f} ({values[0]:,.{digits}f}-{values[-1]:,.{digits}f})"

    rows = [("build wall time, s", "seconds", 1, 1), ("peak memory, MiB", "peak_mib", 1, 0),
            ("triples", "triples", 1, 0), ("embedded store, MB", "store", 1e6, 1),
            *((f"`{name}`, MB", name, 1e6, 1) for name in DUMPS)]
    lines = [
        f"# The national build, {args.before} and {head} side by side "
        f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "",
        f"`python bench/build_side_by_side.py --before {args.before} --rounds {args.rounds}`: each build a fresh "
        "process with an empty releases folder, the two alternating round by round; median (min-max).", "",
        f"Machine: {describe_machine()}.", "",
        f"| figure | {args.before} (before) | {head} (now) | now / before |", "|---|---|---|---|",
    ]
    for label, key, scale, digits in rows:
        ratio = median("now", key) / median("before", key)
        lines.append(f"| {label} | {spread('before', key, scale, digits)} | {spread('now', key, scale, digits)} | "
                     f"{ratio:.2f} |")
    met = all(r["seconds"] < TARGET_S and r["peak_mib"] < TARGET_MIB for r in runs["now"])
    lines += ["", f"Targets: every build of now under {TARGET_S} s and {TARGET_MIB:,} MiB (2 GiB): "
              f"{'met' if met else 'NOT met'}."]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
