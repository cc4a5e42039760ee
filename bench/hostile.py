"""The hostile probes' tally, kept in bench/results/ (the tests themselves write nothing tracked).

    python bench/hostile.py

Runs tests/serving/test_hostile.py (both stores, loopback) and, when it passes, copies the table it
wrote to test-artifacts/hostile-probes.md into bench/results/hostile-probes.md.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRITTEN = ROOT / "test-artifacts/hostile-probes.md"
KEPT = ROOT / "bench/results/hostile-probes.md"


def main() -> int:
    WRITTEN.unlink(missing_ok=True)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/serving/test_hostile.py"], cwd=ROOT)
    if run.returncode != 0 or not WRITTEN.exists():
        print("the hostile probes failed: bench/results/hostile-probes.md is left as it was", file=sys.stderr)
        return run.returncode or 1
    shutil.copyfile(WRITTEN, KEPT)
    print(f"wrote {KEPT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
