"""A real nginx (Debian's) on loopback with deploy/nginx.conf, in front of a running tilod: its own
prefix, cache and logs in a temporary folder, started and stopped by PID."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template

import pytest
import requests
from server import free_port

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@dataclass
class Nginx:
    url: str
    prefix: Path
    process: subprocess.Popen


def nginx_config(prefix: Path, listen: int, upstream: str, max_body: int) -> str:
    template = Template((ROOT / "deploy/nginx.conf").read_text(encoding="utf-8"))
    return template.safe_substitute(prefix=prefix, listen=f"127.0.0.1:{listen}", upstream=upstream,
                                    cache_dir=prefix / "cache", max_body=max_body)


def start_nginx(upstream_url: str) -> Nginx:
    """nginx in front of the tilod at `upstream_url`, once it answers /health."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: `make test` installs Debian's nginx")
    # started by root, nginx's workers run as `nobody`: they must reach and write the cache folder
    prefix = Path(tempfile.mkdtemp(prefix="tilod-nginx-"))
    prefix.chmod(0o777)
    port = free_port()
    upstream = upstream_url.removeprefix("http://").rstrip("/")
    (prefix / "nginx.conf").write_text(nginx_config(prefix, port, upstream, 1_000_000), encoding="utf-8")
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    running = Nginx(f"http://127.0.0.1:{port}/", prefix, process)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            requests.get(running.url + "health", timeout=2)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    return running


def stop_nginx(running: Nginx) -> None:
    running.process.terminate()
    try:
        running.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        running.process.kill()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(running.process.pid, signal.SIGKILL)  # its workers, in the group it was started in
    shutil.rmtree(running.prefix, ignore_errors=True)
