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
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from checkouts import ROOT, earlier_checkout, head_commit, timed_build
from machine import describe_machine

DUMPS = ("tilod.ttl", "tilod.nt.gz", "tilod.jsonld")
TARGET_S, TARGET_MIB = 60, 2048


def build(source: Path, releases: Path) -> dict:
    """One national build of the checkout at `source`: seconds, peak MiB, triples, dump bytes."""
    timed = timed_build(source, releases)
    current = releases / "current"
    manifest = json.loads((current / "release.json").read_text(encoding="utf-8"))
    store = sum(p.stat().st_size for p in (current / "store").rglob("*") if p.is_file())
    return {"seconds": timed.seconds, "peak_mib": timed.peak_mib, "triples": manifest["triples"],
            "store": store, **{name: (current / name).stat().st_size for name in DUMPS}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="42d1438")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/build-side-by-side.md")
    args = parser.parse_args()
    head = head_commit()
    runs: dict[str, list[dict]] = {"before": [], "now": []}
    with tempfile.TemporaryDirectory(prefix="tilod-bench-build-") as tmp, \
            earlier_checkout(args.before, Path(tmp) / "before") as before:
        for round_ in range(args.rounds):
            for name, source in (("before", before), ("now", ROOT)):
                releases = Path(tmp) / f"{name}-{round_}"
                runs[name].append(build(source, releases))
                print(name, round_ + 1, {k: round(v, 1) for k, v in runs[name][-1].items()}, flush=True)

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
