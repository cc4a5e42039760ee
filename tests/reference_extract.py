"""A small decoupage-administratif folder made of the real records of a few départements, for tests
that read the reference many times (mutation testing): read with json alone, once per process."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from conftest import ROOT
from tilod.records.reference import AFTER_OUTLINES, AT_LABELLING, CURRENT

BASE = ROOT / "data/decoupage-administratif"
#: the Aisne (press release), the Nièvre and the Yonne (an EPCI across both)
EXTRACT = ("02", "58", "89")


@functools.cache
def _raw(vintage: str, name: str) -> str:
    return (BASE / vintage / f"{name}.json").read_text(encoding="utf-8")


def raw(vintage: str, name: str) -> list[dict]:
    """The records of one real file (a new copy each time: change it freely)."""
    return json.loads(_raw(vintage, name))


def extract(departements: tuple[str, ...] = EXTRACT) -> dict[tuple[str, str], list[dict]]:
    """(vintage, name) -> the real records of those départements: every région and département, their
    communes (of every type), and the EPCI and EPT all of whose communes are there."""
    communes = [c for c in raw(CURRENT, "communes") if c.get("departement") in departements]
    codes = {c["code"] for c in communes if c["type"] == "commune-actuelle"}
    files: dict[tuple[str, str], list[dict]] = {
        (CURRENT, "regions"): raw(CURRENT, "regions"),
        (CURRENT, "departements"): raw(CURRENT, "departements"),
        (CURRENT, "communes"): communes,
        (AFTER_OUTLINES, "communes"): [c for c in raw(AFTER_OUTLINES, "communes") if c.get("departement") in departements],
    }
    def inside(g: dict) -> bool:  # every member there, by the département its code begins with
        return all(m["code"][:2] in departements for m in g["membres"])

    for kind in ("epci", "ept"):
        current = [g for g in raw(CURRENT, kind) if all(m["code"] in codes for m in g["membres"])]
        files[(CURRENT, kind)] = current
        sirens = {g["code"] for g in current}
        files[(AT_LABELLING, kind)] = [g for g in raw(AT_LABELLING, kind) if g["code"] in sirens and inside(g)]
    files[(AFTER_OUTLINES, "epci")] = [g for g in raw(AFTER_OUTLINES, "epci") if inside(g)]
    return files


def write_extract(data_dir: Path, files: dict[tuple[str, str], list[dict]] | None = None) -> Path:
    """Write `files` (default: `extract()`) as `data_dir`/decoupage-administratif; returns `data_dir`."""
    for (vintage, name), records in (files or extract()).items():
        path = data_dir / "decoupage-administratif" / vintage / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return data_dir
