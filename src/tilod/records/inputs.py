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
#: ANCT's later build of the 2023-2027 list: a membership it no longer has had ended by that day
LATER_2023 = Path("territoires/ti_2023_groupements_20240916.csv")
PROGRAMME_FILES = (Path("programme/programme.ttl"), Path("programme/natures-juridiques.ttl"),
                   Path("programme/modes-financement.ttl"), Path("programme/pages-des-sources.ttl"))


@dataclass(frozen=True)
class LaterList:
    """What a later build of the 2023-2027 list says: its day, the last day of the list the
    release is built from, and the memberships (territory id, SIREN) it still has."""

    day: str
    since: str
    memberships: frozenset[tuple[str, str]]


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
    #: ANCT's later build of the 2023-2027 list, when the release is built from an earlier one
    later_2023: LaterList | None = None


def build_day(territory_list: Path) -> str | None:
    """The day of ANCT's build a list's file name carries (`..._YYYYMMDD.csv`), ISO."""
    match = re.search(r"(\d{4})(\d{2})(\d{2})", territory_list.name)
    return "-".join(match.groups()) if match else None


def outlines_file_for(territory_list: Path, data_dir: Path) -> Path | None:
    """ANCT's outlines that go with a 2023 list: same build date (`..._YYYYMMDD.csv`)."""
    day = build_day(territory_list)
    if not day:
        return None
    candidate = data_dir / "anct" / f"ti_2023_geom_{day.replace('-', '')}.geojson"
    return candidate if candidate.exists() else None


def read_later_list(list_2023: Path, data_dir: Path, reference: Reference) -> TerritoryList | None:
    """ANCT's later build of the 2023-2027 list, if it is later than `list_2023`'s."""
    later, since = data_dir / LATER_2023, build_day(list_2023)
    day = build_day(later)
    if not later.is_file() or since is None or day is None or day <= since:
        return None
    return read_territories(later, PHASE_2023, reference, "2023")


def load_inputs(settings: Settings) -> Inputs:
    """Read all inputs; raise InputError listing every problem found in the territory lists."""
    data = settings.data_dir
    reference = load_reference(data)
    list_2023, list_phase1 = settings.territory_lists()
    lists = {
        PHASE_2023: read_territories(list_2023, PHASE_2023, reference, "2023"),
        PHASE_1: read_territories(list_phase1, PHASE_1, reference, "current"),
    }
    later = read_later_list(list_2023, data, reference)
    problems = [p for tl in [*lists.values(), *([later] if later else [])] for p in tl.problems]
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
        *([later.path] if later else []),
        *(f for f in outline_files.values() if f),
        *programme_files,
        *geometries.files,
    ]
    later_2023 = None
    if later is not None:
        later_2023 = LaterList(str(build_day(later.path)), str(build_day(list_2023)), frozenset(
            (t.id, m.siren) for t in later.territories.values() for m in t.members))
    return Inputs(reference, lists, outlines, read_press_names(data), programme_files, files, geometries,
                  later_2023)
