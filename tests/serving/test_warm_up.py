"""What a web worker prepares in the background when it starts (serving/landing.py `warm_up`): its
page templates compiled, and what the release keeps for its life (the search index) frozen out
of the garbage collector's full walks. Checked in a process of its own, as a worker is started."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

WORKER = """
import gc, json, threading
from tilod.serving.app import create_app
from tilod.serving.views.search import Entry

app = create_app()
for thread in threading.enumerate():
    if thread.name == "warm-up":
        thread.join(60)
release = app.extensions["tilod.releases"].get()
print(json.dumps({
    "index entries": len(release.memo["search"].entries) if "search" in release.memo else 0,
    "entries the collector walks": sum(isinstance(o, Entry) for o in gc.get_objects()),
    "compiled": sorted(key[1] for key in app.jinja_env.cache.keys()),
    "templates": sorted(app.jinja_env.list_templates(extensions=["html"])),
}))
"""


@pytest.fixture(scope="module")
def warmed_up(settings, release) -> dict:
    env = {**os.environ, "TILOD_RELEASES_DIR": str(settings.releases_dir), "PYTHONPATH": str(ROOT / "src")}
    env.pop("TILOD_BASE_URI", None)
    run = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=True)
    return json.loads(run.stdout.splitlines()[-1])


def test_the_search_index_is_left_out_of_garbage_collections(warmed_up):
    assert warmed_up["index entries"] > 1000  # the Aisne and the Somme: EPCIs, communes, territories
    assert warmed_up["entries the collector walks"] == 0


def test_every_page_template_is_compiled_before_the_first_page(warmed_up):
    assert warmed_up["compiled"] == warmed_up["templates"]
    assert {"territoire.html", "epci.html", "commune.html", "resource.html"} <= set(warmed_up["compiled"])
