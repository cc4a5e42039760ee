"""What keeping releases costs: a series of national builds into one releases folder, by this
checkout and by an earlier commit, side by side in one run: for each build, its wall time, its
peak memory and the disk it added to the folder (each inode counted once, as `du` counts hard
links).

    python bench/release_history.py [--before REF] [--rebuilds 9] [--out bench/results/release-history.md]

The series: a first build; REBUILDS builds of the same data (`--rebuild`; 9: ten releases of the
same data); ANCT's 16 September 2024 list of the 2023 territories; the 14 November 2023 list
again. REF (default 0b51b23: each release a whole copy) is checked out into a temporary git
worktree; both run in this checkout's virtual environment, each build a fresh process, the two
series alternating build by build, and every release is kept (TILOD_KEEP_RELEASES=0).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from checkouts import ROOT, earlier_checkout, head_commit, timed_build
from machine import describe_machine

LIST_2024 = "data/territoires/ti_2023_groupements_20240916.csv"


def series(rebuilds: int) -> list[tuple[str, list[str]]]:
    return [("first build", []), *((f"same data ({i + 1})", ["--rebuild"]) for i in range(rebuilds)),
            ("ANCT list of 2024-09-16", ["--territories-2023", LIST_2024]), ("list of 2023-11-14 again", [])]


def disk_bytes(folder: Path) -> int:
    """Bytes on disk under `folder`, each inode once."""
    seen, total = set(), 0
    for path in folder.rglob("*"):
        stat = path.lstat()
        if path.is_file() and not path.is_symlink() and stat.st_ino not in seen:
            seen.add(stat.st_ino)
            total += stat.st_blocks * 512
    return total


def build(source: Path, releases: Path, extra: list[str]) -> dict:
    """One national build of the checkout at `source` into `releases`: seconds, peak MiB, the
    disk the folder gained, and the store's lines of the build log."""
    before = disk_bytes(releases) if releases.exists() else 0
    # every release kept: what they all cost, none pruned
    timed = timed_build(source, releases, *extra, TILOD_KEEP_RELEASES="0")
    manifest = json.loads((releases / "current" / "release.json").read_text(encoding="utf-8"))
    store_line = next((line.split("] ", 1)[1] for line in timed.log.splitlines()
                       if "embedded store" in line and "deriving" not in line), "")
    return {"seconds": timed.seconds, "peak_mib": timed.peak_mib, "added": disk_bytes(releases) - before,
            "total": disk_bytes(releases), "triples": manifest["triples"], "store": store_line}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="0b51b23")
    parser.add_argument("--rebuilds", type=int, default=9)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/release-history.md")
    args = parser.parse_args()
    head = head_commit()
    steps = series(args.rebuilds)
    runs: dict[str, list[dict]] = {"before": [], "now": []}
    with tempfile.TemporaryDirectory(prefix="tilod-bench-history-") as tmp, \
            earlier_checkout(args.before, Path(tmp) / "before") as before:
        for label, extra in steps:
            for name, source in (("before", before), ("now", ROOT)):
                runs[name].append(build(source, Path(tmp) / f"releases-{name}", extra))
                print(name, label, {k: v if isinstance(v, str) else round(v, 1)
                                    for k, v in runs[name][-1].items()}, flush=True)

    lines = [
        f"# Keeping releases, {args.before} and {head} side by side ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "",
        f"`python bench/release_history.py --before {args.before} --rebuilds {args.rebuilds}`: national builds "
        "into one releases folder per checkout, each a fresh process, the two alternating build by build; "
        "disk added is what the releases folder gained (each inode once, as `du` counts hard links).", "",
        f"Machine: {describe_machine()}.", "",
        f"| build | triples | {args.before}: s | MiB | disk added, MB | {head}: s | MiB | disk added, MB | "
        f"{head}: the store |", "|---|---|---|---|---|---|---|---|---|",
    ]
    for (label, _), old, new in zip(steps, runs["before"], runs["now"], strict=True):
        lines.append(f"| {label} | {new['triples']:,} | {old['seconds']:.1f} | {old['peak_mib']:,.0f} | "
                     f"{old['added'] / 1e6:,.1f} | {new['seconds']:.1f} | {new['peak_mib']:,.0f} | "
                     f"{new['added'] / 1e6:,.1f} | {new['store']} |")
    old_total, new_total = runs["before"][-1]["total"], runs["now"][-1]["total"]
    lines += ["", f"The {len(steps)} releases on disk: {old_total / 1e6:,.1f} MB ({args.before}), "
              f"{new_total / 1e6:,.1f} MB ({head}), {new_total / old_total:.2f} of it; the first release alone: "
              f"{runs['now'][0]['added'] / 1e6:,.1f} MB."]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
