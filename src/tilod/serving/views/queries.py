"""The SPARQL behind the pages (queries/*.rq), and the one way to run it on either store.

Each query is a file. The IRIs a page asks about are bound to the query's variables by the
store (`DataStore.select`: the engine's substitutions on the embedded store, a checked VALUES
block at the query's `#VALUES` lines on a remote one), never written into the text here; so
every bound variable is projected and every group that needs it has a `#VALUES` line. Terms of
our ontology have their persistent IRIs (`PREFIX tilod: <https://w3id.org/tilod/def/tilod#>`);
the data's IRIs are resolved against the served base.
"""

from __future__ import annotations

import functools
from pathlib import Path

from tilod.serving.release import current_release, current_settings
from tilod.stores.base import DataStore

QUERIES_DIR = Path(__file__).parent / "queries"


class PageQueryError(RuntimeError):
    """The store refused one of tilod's own queries: a bug, not the reader's fault."""


@functools.cache  # the files ship with the code: read once per process
def query(name: str) -> str:
    """The text of queries/`name`.rq."""
    return (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")


def select(data: DataStore, text: str, base: str, **iris: str) -> list[dict[str, str]]:
    """Rows of a SELECT as {variable: value} (unbound variables are absent), each of `iris`
    bound to the variable of its name, relative IRIs resolved against `base`."""
    try:
        return data.select(text, iris, base)
    except ValueError as exc:
        raise PageQueryError(str(exc)) from None


def select_served(name: str, **iris: str) -> list[dict[str, str]]:
    """`select` of queries/`name`.rq on the release the app serves (in a request or app context)."""
    return select(current_release().data, query(name), current_settings().base_uri, **iris)
