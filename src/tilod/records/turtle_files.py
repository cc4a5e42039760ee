"""Read the project's own Turtle files (ontology, shapes, programme) with errors that name the line."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph

from tilod.errors import InputError


def parse_turtle(path: Path, base_uri: str, into: Graph | None = None) -> Graph:
    """Parse `path` (relative IRIs resolved against `base_uri`) into `into` or a new graph."""
    graph = Graph() if into is None else into
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.single(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError.single(path, f"not UTF-8 (byte {exc.start})", line) from None
    try:
        graph.parse(data=raw, format="turtle", publicID=base_uri)
    except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds for bad Turtle
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        match = re.search(r"line (\d+)", str(exc))
        raise InputError.single(path, f"invalid Turtle: {message[:300]}",
                                int(match.group(1)) if match else None) from None
    return graph
