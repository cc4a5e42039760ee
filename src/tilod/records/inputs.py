"""Everything a release is built from, read and checked in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tilod.errors import InputError
from tilod.records.geometry import Geometries, read_geometries, read_outlines
from tilod.records.models import PHASE_1, PHASE_2023, PressName
from tilod.records.press_names import read_press_names
from tilod.records.reference import Reference, load_reference
from tilod.records.territories import TerritoryList, read_territories
from tilod.settings import Settings

PHASE1_OUTLINES = Path("anct/ti_phase1_geom_20231016.geojson")
PROGRAMME_FILES = (Path("programme/programme.ttl"), Path("programme/natures-juridiques.ttl"),
                   Path("programme/modes-financement.ttl"), Path("programme/pages-des-sources.ttl"))


@dataclass
class Inputs:
    reference: Reference
    lists: dict[str, TerritoryList]
    outlines: dict[str, dict[str, str]]
    press_names: list[PressName]
    programme_files: list[Path]
    #: every file read, for the release's provenance (path -> sha256 is computed by the release)
    files: list[Path] = field(default_factory=list)
    #: outlines of communes, départements, régions and EPCIs (where every commune has one)
    geometries: Geometries = field(default_factory=Geometries)


def outlines_file_for(territory_list: Path, data_dir: Path) -> Path | None:
    """ANCT's outlines that go with a 2023 list: same build date (`..._YYYYMMDD.csv`)."""
    match = re.search(r"(\d{8})", territory_list.name)
    if not match:
        return None
    candidate = data_dir / "anct" / f"ti_2023_geom_{match.group(1)}.geojson"
    return candidate if candidate.exists() else None


def load_inputs(settings: Settings) -> Inputs:
    """Read all inputs; raise InputError listing every problem found in the territory lists."""
    data = settings.data_dir
    reference = load_reference(data)
    list_2023, list_phase1 = settings.territory_lists()
    lists = {
        PHASE_2023: read_territories(list_2023, PHASE_2023, reference, "2023"),
        PHASE_1: read_territories(list_phase1, PHASE_1, reference, "current"),
    }
    problems = [p for tl in lists.values() for p in tl.problems]
    if problems:
        raise InputError(problems)
    outline_files = {
        PHASE_2023: outlines_file_for(list_2023, data),
        PHASE_1: data / PHASE1_OUTLINES,
    }
    outlines = {phase: read_outlines(f) if f else {} for phase, f in outline_files.items()}
    programme_files = [data / f for f in PROGRAMME_FILES]
    for f in programme_files:
        if not f.is_file():
            raise InputError.single(f, "file not found")
    geometries = read_geometries(data, reference)
    files = [
        list_2023,
        list_phase1,
        *(f for f in outline_files.values() if f),
        *programme_files,
        *geometries.files,
    ]
    return Inputs(reference, lists, outlines, read_press_names(data), programme_files, files, geometries)
