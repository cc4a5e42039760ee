"""The machine a benchmark ran on, in one line, for the results files (bench/ and test_hostile)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe_machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
    mem_kib = int(next(line.split()[1] for line in meminfo.splitlines() if line.startswith("MemTotal")))
    return (f"nproc {len(os.sched_getaffinity(0))}, {model}, MemTotal {mem_kib:,} kB, "
            f"{platform.platform()}, Python {platform.python_version()}")
