"""Run the SHACL shapes on a graph and make the report readable (grouped and counted)."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import pyshacl_turbo
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from tilod.graph.namespaces import SH, XSD
from tilod.records.turtle_files import parse_turtle

MAX_EXAMPLES = 5


@dataclass
class ValidationResult:
    conforms: bool
    report: Graph
    violations: int

    def summary(self) -> str:
        """Violations grouped by (shape constraint, path, message), counted, with a few examples."""
        if self.conforms:
            return "SHACL: the release conforms to the shapes (0 violations)"
        groups: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
        report = self.report
        for result in report.subjects(SH.resultSeverity, None):
            component = _short(report.value(result, SH.sourceConstraintComponent))
            path = _short(report.value(result, SH.resultPath))
            message = str(report.value(result, SH.resultMessage) or "")
            focus = str(report.value(result, SH.focusNode))
            value_node = report.value(result, SH.value)
            groups[(component, path, message)].append((focus, "" if value_node is None else str(value_node)))
        counts = Counter({key: len(items) for key, items in groups.items()})
        lines = [f"SHACL: {self.violations} violation(s) in {len(groups)} group(s)"]
        for (component, path, message), count in counts.most_common():
            lines.append(f"- {count} x {component} on {path or '(node)'}: {message}")
            for focus, value in groups[(component, path, message)][:MAX_EXAMPLES]:
                lines.append(f"    focus {focus}" + (f"  value {value!r}" if value else ""))
            if count > MAX_EXAMPLES:
                lines.append(f"    ... and {count - MAX_EXAMPLES} more")
        return "\n".join(lines)


def _short(node: Node | None) -> str:
    if node is None:
        return ""
    text = str(node)
    return text.rsplit("#", 1)[-1] if "#" in text else text


def load_shapes(path: Path, base_uri: str) -> Graph:
    """The shapes, their relative IRIs resolved against `base_uri`.

    Turtle resolves IRIs, but not the namespaces that SPARQL-based constraints declare
    (`sh:declare [ sh:namespace "def/tilod#"^^xsd:anyURI ]` is a literal): they are resolved
    here, or every query would use the relative namespace `def/tilod#` and match nothing.
    """
    shapes = parse_turtle(path, base_uri)
    for declaration, namespace in list(shapes.subject_objects(SH.namespace)):
        resolved = str(URIRef(str(namespace), base=base_uri))  # keeps a trailing '#'
        if resolved != str(namespace):
            shapes.set((declaration, SH.namespace, Literal(resolved, datatype=XSD.anyURI)))
    return shapes


def validate(data: Graph, shapes: Graph) -> ValidationResult:
    """Validate without inference, with pyshacl-turbo (pySHACL's API and report, in Rust).

    Measured on the national graph: 6.4 s against pySHACL's 14.4 s, same reports on the
    shapes' tests (bench/results/). `TILOD_SHACL_ENGINE=pyshacl` selects pySHACL itself.
    """
    if os.environ.get("TILOD_SHACL_ENGINE") == "pyshacl":
        conforms, report, _ = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, inplace=True
        )
    else:
        conforms, report, _ = pyshacl_turbo.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    assert isinstance(report, Graph)
    violations = sum(1 for _ in report.subjects(SH.resultSeverity, SH.Violation))
    return ValidationResult(bool(conforms), report, violations)
