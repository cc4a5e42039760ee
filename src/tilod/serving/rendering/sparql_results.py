"""SPARQL results as a page for people: a table, a chart for aggregates, download links.

A browser that runs a query (`/sparql?query=...` with `Accept: text/html`) gets this page,
drawn from the store's JSON results (or Turtle, for CONSTRUCT and DESCRIBE). Programs keep
getting the W3C formats they ask for; the page links to each of them (`&format=csv`...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from markupsafe import Markup

from tilod.serving.rendering.charts import bar_chart

MAX_ROWS_SHOWN = 1000  # the rest is in the downloads
MAX_BARS = 60  # more bars than this is no longer a chart one reads
MAX_CHARTS = 3

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int", "short", "byte",
                             "nonNegativeInteger", "positiveInteger", "unsignedLong", "unsignedInt")}
LINKABLE = ("http://", "https://")  # never a `javascript:` IRI as a link

#: ?format= values -> media type; the page links to each
RESULT_DOWNLOADS = {"csv": "text/csv", "tsv": "text/tab-separated-values",
                    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml"}
GRAPH_DOWNLOADS = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
                   "rdf": "application/rdf+xml"}


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""
    note: str = ""  # language tag or datatype, shown small


@dataclass
class ResultPage:
    kind: str  # "select", "ask" or "graph"
    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    total: int = 0
    boolean: bool | None = None
    graph_text: str = ""
    charts: list[tuple[str, str, Markup]] = field(default_factory=list)  # (measure, label column, svg)


def _cell(term: dict | None) -> Cell:
    if term is None:
        return Cell("")
    value = str(term.get("value", ""))
    if term.get("type") == "uri":
        return Cell(value, value if value.startswith(LINKABLE) else "")
    if term.get("type") == "bnode":
        return Cell("_:" + value)
    if "xml:lang" in term:
        return Cell(value, note="@" + str(term["xml:lang"]))
    datatype = str(term.get("datatype", ""))
    return Cell(value, note=datatype.removeprefix(XSD) if datatype and datatype not in NUMERIC else "")


def _numeric_value(term: dict | None) -> float | None:
    if not term or term.get("type") not in ("literal", "typed-literal") or term.get("datatype") not in NUMERIC:
        return None
    try:
        return float(term["value"])
    except (KeyError, ValueError):
        return None


def _charts(columns: list[str], bindings: list[dict], lang: str) -> list[tuple[str, str, Markup]]:
    """A bar chart per numeric column, labelled by the first text column (the aggregate case)."""
    if not 2 <= len(bindings) <= MAX_BARS:
        return []
    numeric = [c for c in columns if all(_numeric_value(row.get(c)) is not None for row in bindings)]
    texts = [c for c in columns if c not in numeric
             and all(row.get(c, {}).get("type") in ("literal", "typed-literal") for row in bindings)]
    iris = [c for c in columns if c not in numeric and all(row.get(c, {}).get("type") == "uri" for row in bindings)]
    label_columns = texts or iris
    if not label_columns or not numeric:
        return []
    label_column = label_columns[0]
    return [
        (column, label_column,
         bar_chart([(str(row[label_column]["value"]), _numeric_value(row[column]) or 0.0) for row in bindings],
                   f"{column} / {label_column}", f"graphique-{i}", lang))
        for i, column in enumerate(numeric[:MAX_CHARTS])
    ]


def result_page(body: bytes, media_type: str, lang: str) -> ResultPage:
    """The page's model from the store's reply (SPARQL JSON results, or Turtle for a graph)."""
    if media_type != "application/sparql-results+json":
        return ResultPage("graph", graph_text=body.decode("utf-8", "replace"))
    data = json.loads(body)
    if "boolean" in data:
        return ResultPage("ask", boolean=bool(data["boolean"]))
    columns = [str(c) for c in data.get("head", {}).get("vars", [])]
    bindings = data.get("results", {}).get("bindings", [])
    rows = [[_cell(row.get(c)) for c in columns] for row in bindings[:MAX_ROWS_SHOWN]]
    return ResultPage("select", columns, rows, len(bindings), charts=_charts(columns, bindings, lang))
