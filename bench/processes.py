"""Stopping the servers a benchmark started (each in a session of its own)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess


def stop(process: subprocess.Popen, grace: float = 30) -> None:
    """SIGTERM the process (gunicorn's master stops gracefully), then SIGKILL what is left of its
    group (web workers and query workers included)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
