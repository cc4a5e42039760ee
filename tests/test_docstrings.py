"""Every `>>>` example in tilod's docstrings runs (as pyoxigraph does), so the docs cannot drift
from the code: the modules are found by walking the package, not listed by hand."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import tilod


def modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(tilod.__path__, "tilod."):
        module = importlib.import_module(info.name)
        if any(test.examples for test in doctest.DocTestFinder().find(module)):
            names.append(info.name)
    return names


MODULES = modules_with_examples()


def test_the_documented_modules_are_found():
    assert {"tilod.graph.uris", "tilod.records.siren", "tilod.sparql.negotiation", "tilod.stores.bindings"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0
    assert result.failed == 0
