"""Dependencies point one way down the flow (records -> graph -> validation -> release -> stores
-> serving): read from the code's own imports, and from what a web worker really loads."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from conftest import ROOT

SRC = ROOT / "src" / "tilod"
#: package -> the tilod packages (and top modules) its modules may import
ALLOWED = {
    "records": {"errors", "settings", "records"},
    "graph": {"errors", "settings", "records", "graph"},
    "validation": {"errors", "settings", "records", "graph", "validation"},
    "release": {"errors", "settings", "records", "graph", "validation", "release"},
    "sparql": {"errors", "sparql"},
    "stores": {"errors", "settings", "sparql", "stores"},
}
#: what serving (the web workers) must never load: the build, its checks and the publishing
NEVER_SERVED = ("tilod.validation", "tilod.release.build", "tilod.release.publish", "tilod.graph.builder",
                "pyshacl")


def tilod_imports(path) -> set[str]:
    """The tilod modules a file imports (absolute imports: the project uses no relative ones)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tilod."):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("tilod.")}
    return found


def layer_of(module: str) -> str:
    return module.split(".")[1]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_what_lies_below_it(package):
    wrong = sorted(
        f"{path.relative_to(SRC)} imports {module}"
        for path in (SRC / package).rglob("*.py")
        for module in tilod_imports(path)
        if layer_of(module) not in ALLOWED[package]
    )
    assert not wrong, wrong


def test_serving_modules_never_import_the_build():
    wrong = sorted(
        f"{path.relative_to(SRC)} imports {module}"
        for path in (SRC / "serving").rglob("*.py")
        for module in tilod_imports(path)
        if module.startswith(NEVER_SERVED)
    )
    assert not wrong, wrong


def test_a_web_worker_loads_no_build_code():
    """What importing the web app really loads (imports of imports included)."""
    code = "import json, sys, tilod.serving.app; print(json.dumps(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    loaded = json.loads(run.stdout)
    assert "tilod.serving.app" in loaded
    assert not [m for m in loaded if m.startswith(NEVER_SERVED)]
