"""A real `tilod serve` process on loopback, for the HTTP tests (no test client, no mocks)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import requests

START_TIMEOUT = 30.0


def free_port() -> int:
    """A TCP port nobody listens on right now, on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerProcess:
    """A running server: `url` is where it listens, `base` the base URI of the data it serves."""

    url: str
    base: str
    process: subprocess.Popen
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    backend: str = "embedded"

    def to_server(self, uri: str) -> str:
        """The server URL that dereferences a resource URI (`{base}id/...` -> `{url}id/...`)."""
        assert uri.startswith(self.base), uri
        return self.url + uri[len(self.base):]

    def to_base(self, url: str) -> str:
        """The resource URI a server URL stands for (the inverse of `to_server`)."""
        assert url.startswith(self.url), url
        return self.base + url[len(self.url):]

    @property
    def sparql(self) -> str:
        return self.url + "sparql"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_server(releases_dir: Path, cwd: Path, base: str, port: int | None = None, **env: str) -> ServerProcess:
    """Start `python -m tilod.cli serve` and wait until /health answers (or fail with its log).

    The data's base URI is the default one unless `env` sets TILOD_BASE_URI (for a release
    built with that base, e.g. the browser tests', whose links must lead back to the server)."""
    port = port or free_port()
    environ = {
        **{name: value for name, value in os.environ.items() if name != "TILOD_BASE_URI"},
        "TILOD_RELEASES_DIR": str(releases_dir),
        "TILOD_PORT": str(port),
        "TILOD_HOST": "127.0.0.1",
        "TILOD_QUERY_TIMEOUT": "3",
        "TILOD_QUERY_WORKERS": "2",
        "TILOD_ALLOW_OTHER_PORT": "1",  # a free port, whatever the base URI: tests read links as text
        **env,
    }
    fd, log_name = tempfile.mkstemp(prefix="tilod-serve-", suffix=".log")
    log = Path(log_name)
    with os.fdopen(fd, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "tilod.cli", "serve"],
            cwd=cwd, env=environ, stdout=log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    server = ServerProcess(f"http://127.0.0.1:{port}/", base, process, log, environ)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tilod serve exited with {process.returncode}:\n{server.output()}")
        try:
            if requests.get(server.url + "health", timeout=2).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"tilod serve did not answer /health in {START_TIMEOUT:g} s:\n{server.output()}")


def stop_server(server: ServerProcess) -> None:
    """SIGTERM the server, then SIGKILL what is left of the process group it was started in.

    SIGTERM, not SIGINT: a process started from a non-interactive shell may ignore SIGINT.
    The query workers exit by themselves when the server's end of their pipe closes; the
    group kill only mops up one that was busy at that moment.
    """
    process = server.process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # the group created by start_new_session
    with contextlib.suppress(OSError):
        server.log.unlink()


class TextOf(HTMLParser):
    """The text of an HTML page (entities decoded), and that of its <h1>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.h1: list[str] = []
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        self.parts.append(data)
        if self._in_h1:
            self.h1.append(data)

    @classmethod
    def of(cls, page: str) -> TextOf:
        parser = cls()
        parser.feed(page)
        parser.close()
        return parser

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class OxigraphServer:
    """Oxigraph's own SPARQL server (the `oxigraph` package from PyPI), on loopback."""

    url: str
    location: Path
    process: subprocess.Popen
    timeout_s: int

    @property
    def query_url(self) -> str:
        return self.url + "query"


def start_oxigraph(location: Path, port: int | None = None, timeout_s: int = 3) -> OxigraphServer:
    binary = Path(sys.executable).parent / "oxigraph"
    port = port or free_port()
    process = subprocess.Popen(
        [str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
         "--timeout-s", str(timeout_s)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )
    server = OxigraphServer(f"http://127.0.0.1:{port}/", location, process, timeout_s)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited with {process.returncode}")
        try:
            requests.get(server.query_url, params={"query": "ASK {}"}, timeout=2)
            return server
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("oxigraph serve did not start")


def stop_oxigraph(server: OxigraphServer) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


class Listener:
    """A TCP listener on 127.0.0.1:0 that records every connection made to it (SSRF probes)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def url(self, path: str = "x") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def _accept(self) -> None:
        deadline = time.monotonic() + 300  # bounded, whatever happens to the test
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(0.5)
                try:
                    self.connections.append(conn.recv(4096) or b"(connected)")
                except OSError:
                    self.connections.append(b"(connected)")

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        time.sleep(0.3)  # time for a late connection to show up
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()
