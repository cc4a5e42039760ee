"""`tilod serve` refuses to start where the release's links would lead elsewhere, and says how to
fix it: another port than a local base URI's, or a release built for another base URI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from server import free_port

from conftest import ROOT


def serve(releases: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**{k: v for k, v in os.environ.items() if not k.startswith("TILOD_")},
               "TILOD_RELEASES_DIR": str(releases), "TILOD_HOST": "127.0.0.1", **env}
    return subprocess.run([sys.executable, "-m", "tilod.cli", "serve"], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=30)


def test_another_port_than_the_base_uri_s_is_refused_with_the_fix(release):
    port = free_port()
    run = serve(release.parent, TILOD_PORT=str(port))  # the release is built for http://localhost:8000/
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert f"every link of the release leads to port 8000, but tilod would listen on {port}" in run.stderr
    assert "Serve on port 8000 (TILOD_PORT=8000)" in run.stderr
    assert (f"TILOD_BASE_URI=http://localhost:{port}/ tilod build && TILOD_BASE_URI=http://localhost:{port}/ "
            f"TILOD_PORT={port} tilod serve") in run.stderr


def test_a_release_built_for_another_base_uri_is_refused_with_the_fix(release):
    port = free_port()
    run = serve(release.parent, TILOD_PORT=str(port), TILOD_BASE_URI=f"http://localhost:{port}/")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert (f"the current release was built for http://localhost:8000/, but TILOD_BASE_URI is "
            f"http://localhost:{port}/") in run.stderr
    assert f"TILOD_BASE_URI=http://localhost:{port}/ tilod build" in run.stderr
