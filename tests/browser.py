"""Debian's Chromium driven by Playwright, for the browser tests: a tab that records every console
error, uncaught script error and request to another host, and saves full-page screenshots in
test-artifacts/screenshots/."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from server import ServerProcess

from conftest import ROOT

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WEB = ROOT / "web" / "node_modules"
AXE = WEB / "axe-core" / "axe.min.js"
VNU = WEB / "vnu-jar" / "build" / "dist" / "vnu.jar"
# the flags a closed machine needs: no background calls to Google's hosts, no sandbox as root
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000

def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Debian's chromium is not installed: run `make browser` (part of `make test`)")
    return found


@dataclass
class Watched:
    """A browser tab and what went wrong in it."""

    page: object
    problems: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        return path


def open_tab(browser, site: ServerProcess, javascript: bool = True) -> Watched:
    context = browser.new_context(java_script_enabled=javascript, locale="fr-FR",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    watched = Watched(page)
    own_host = urlsplit(site.url).netloc

    def guard(route) -> None:  # the service must work offline: nothing but our own server
        if urlsplit(route.request.url).netloc == own_host or route.request.url.startswith("data:"):
            route.continue_()
        else:
            watched.problems.append(f"request to another host: {route.request.url}")
            route.abort()

    page.route("**/*", guard)
    page.on("console", lambda m: m.type == "error" and watched.problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: watched.problems.append(f"script error: {e}"))
    return watched


