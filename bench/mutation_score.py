"""Mutation score per package and per module, from the results of the last `mutmut run`.

    .venv/bin/mutmut run --max-children 1      # see [tool.mutmut] in pyproject.toml
    .venv/bin/python bench/mutation_score.py   # a Markdown table (bench/results/mutation.md)
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe_machine  # noqa: E402

MUTMUT = Path(sys.executable).parent / "mutmut"


def results() -> dict[str, str]:
    """mutant name -> status (killed, survived, no tests, not checked, timeout...)."""
    out = subprocess.run([str(MUTMUT), "results", "--all", "true"], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            found[name] = status
    return found


def module_of(mutant: str) -> str:
    """'tilod.graph.builder.xǁGraphBuilderǁ_region__mutmut_3' -> 'tilod.graph.builder'."""
    return ".".join(part for part in mutant.split("__mutmut_")[0].split(".") if not part.startswith("x"))


def main() -> None:
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for name, status in results().items():
        by_module[module_of(name)][status] += 1
    by_package: dict[str, Counter[str]] = defaultdict(Counter)
    for module, counts in by_module.items():
        by_package[module.rsplit(".", 1)[0]].update(counts)
    print(f"machine: {describe_machine()}\n")
    print("| package / module | mutants | killed | survived | no tests | not checked | other | killed / checked |")
    print("|---|---|---|---|---|---|---|---|")
    for package in sorted(by_package):
        for label, counts in [(f"**{package}**", by_package[package])] + [
                (f"`{m.rsplit('.', 1)[1]}`", by_module[m]) for m in sorted(by_module) if m.startswith(package + ".")]:
            total = sum(counts.values())
            killed = counts["killed"] + counts["timeout"]
            other = total - killed - counts["survived"] - counts["no tests"] - counts["not checked"]
            checked = total - counts["not checked"]
            score = f"{killed}/{checked} = {100 * killed / checked:.1f} %" if checked else "-"
            print(f"| {label} | {total} | {killed} | {counts['survived']} | {counts['no tests']} | "
                  f"{counts['not checked']} | {other} | {score} |")


if __name__ == "__main__":
    main()
