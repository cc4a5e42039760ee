"""What the files in data/ say, read for the tests with json and csv only.

The tests compare a release with these values, so nothing here comes from tilod's own readers
(tilod.records) or builder: a mistake there must not be repeated here. Only the default build's
files are read (README, "Settings"): ANCT's list of 14 November 2023 for 2023-2027 and the
COG 2025 list of the first phase, with the GeoJSON ANCT published with each, and the current
map of @etalab/decoupage-administratif (6.0.0; 3.1.1 only for the names EPCIs had in 2023).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
CURRENT_MAP = DATA / "decoupage-administratif/6.0.0"
MAP_2023 = DATA / "decoupage-administratif/3.1.1"
PHASE_2023 = "2023-2027"
PHASE_1 = "2018-2022"
#: each phase's list (the build's default) and the GeoJSON ANCT published with it
LISTS = {
    PHASE_2023: (DATA / "territoires/ti_2023_groupements_20231114.csv",
                 DATA / "anct/ti_2023_geom_20231114.geojson"),
    PHASE_1: (DATA / "territoires/ti_phase1_groupements_cog2025.csv",
              DATA / "anct/ti_phase1_geom_20231016.geojson"),
}
#: one entry of a GeoJSON `liste_geo`: "CA du Saint-Quentinois (200071892)"
LISTED_MEMBER = re.compile(r"(?P<name>.+) \((?P<siren>\d{9})\)")
NO_BREAK_SPACE = "\N{NO-BREAK SPACE}"


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    departement: str
    siren: str | None
    population: int | None  # municipal: the only one communes.json gives


@dataclass(frozen=True)
class Epci:
    """An EPCI (epci.json) or an EPT of the Grand Paris (ept.json)."""

    siren: str
    name: str
    name_2023: str | None  # in 3.1.1, the map at the labelling
    nature: str
    population_totale: int
    population_municipale: int
    communes: frozenset[str]


@dataclass
class Territory:
    phase: str
    id: str
    name: str
    #: SIREN -> (name as the list writes it, nature juridique as the list writes it)
    members: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Sources:
    regions: dict[str, str]  # code -> name
    departements: dict[str, tuple[str, str]]  # code -> (name, région)
    communes: dict[str, Commune]  # INSEE code -> commune (current ones only)
    epcis: dict[str, Epci]  # SIREN -> EPCI or EPT
    territories: dict[tuple[str, str], Territory]  # (phase, id) -> from ANCT's CSV
    #: (phase, id) -> the territory's name in ANCT's GeoJSON
    geojson_names: dict[tuple[str, str], str]
    #: (phase, id) -> SIRENs of its `liste_geo` (only the 2023 GeoJSON has one)
    geojson_members: dict[tuple[str, str], set[str]]
    #: the press release's wording (communique/seed_aisne_epci.csv), one dict per EPCI
    press_rows: list[dict[str, str]]
    commune_by_siren: dict[str, Commune] = field(init=False)

    def __post_init__(self) -> None:
        self.commune_by_siren = {c.siren: c for c in self.communes.values() if c.siren}

    def communes_of_member(self, siren: str) -> set[str]:
        """INSEE codes a territory member stands for: an EPCI's communes, or the commune itself."""
        if siren in self.epcis:
            return set(self.epcis[siren].communes)
        return {self.commune_by_siren[siren].code}

    def communes_of_territory(self, territory: Territory) -> set[str]:
        return set().union(*(self.communes_of_member(siren) for siren in territory.members))

    def member_uri(self, siren: str, nature: str) -> str:
        """A member is published as the EPCI or, for nature COM, as the commune (INSEE code)."""
        return f"commune/{self.commune_by_siren[siren].code}" if nature == "COM" else f"epci/{siren}"

    def population_of_member(self, siren: str) -> tuple[int, int]:
        """(totale, municipale) a member adds to its territory. communes.json gives a commune
        only its municipal population, so a commune member adds that to both."""
        if siren in self.epcis:
            epci = self.epcis[siren]
            return epci.population_totale, epci.population_municipale
        population = self.commune_by_siren[siren].population or 0
        return population, population

    def departements_of(self, communes: set[str]) -> set[str]:
        return {self.communes[c].departement for c in communes}

    def regions_of(self, departements: set[str]) -> set[str]:
        return {self.departements[d][1] for d in departements}


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _epcis() -> dict[str, Epci]:
    names_2023 = {g["code"]: g["nom"] for kind in ("epci", "ept") for g in _json(MAP_2023 / f"{kind}.json")}
    epcis = {}
    for kind in ("epci", "ept"):
        for g in _json(CURRENT_MAP / f"{kind}.json"):
            old_name = names_2023.get(g["code"])
            epcis[g["code"]] = Epci(
                siren=g["code"], name=g["nom"], name_2023=old_name if old_name != g["nom"] else None,
                nature=g["type"], population_totale=g["populationTotale"],
                population_municipale=g["populationMunicipale"],
                communes=frozenset(m["code"] for m in g["membres"]))
    return epcis


def _territories(phase: str, path: Path) -> dict[tuple[str, str], Territory]:
    territories: dict[tuple[str, str], Territory] = {}
    # names are kept exactly as written: these two lists have no stray white space (the one
    # ending a label with a no-break space is ANCT's 2024 list, not read here)
    for row in _csv(path):
        key = (phase, row["id_ti"])
        territory = territories.setdefault(key, Territory(phase, row["id_ti"], row["lib_ti"]))
        territory.members[row["siren_groupement"]] = (row["lib_groupement"], row["nature_juridique"])
    return territories


def _geojson(phase: str, path: Path) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], set[str]]]:
    names, members = {}, {}
    for feature in _json(path)["features"]:
        properties = feature["properties"]
        # the two GeoJSONs name their properties differently (id_territoire / id_ti)
        tid = properties.get("id_territoire") or properties["id_ti"]
        # ANCT's 2023 GeoJSON ends seven names with a no-break space (its CSV does not): not part
        # of the name, so only that trailing character is dropped, nothing else is normalised
        names[(phase, tid)] = (properties.get("lib_territoire") or properties["lib_ti"]).rstrip(NO_BREAK_SPACE)
        if "liste_geo" in properties:
            listed = [LISTED_MEMBER.fullmatch(part.strip()) for part in properties["liste_geo"].split(";")]
            assert all(listed), f"{path.name} {tid}: a liste_geo entry is not 'Name (SIREN)'"
            members[(phase, tid)] = {m["siren"] for m in listed if m}
    return names, members


@cache
def read_sources() -> Sources:
    communes = {
        c["code"]: Commune(c["code"], c["nom"], c["departement"], c.get("siren"), c.get("population"))
        for c in _json(CURRENT_MAP / "communes.json") if c["type"] == "commune-actuelle"
    }
    territories, geojson_names, geojson_members = {}, {}, {}
    for phase, (list_file, geojson_file) in LISTS.items():
        territories.update(_territories(phase, list_file))
        names, members = _geojson(phase, geojson_file)
        geojson_names.update(names)
        geojson_members.update(members)
    return Sources(
        regions={r["code"]: r["nom"] for r in _json(CURRENT_MAP / "regions.json")},
        departements={d["code"]: (d["nom"], d["region"]) for d in _json(CURRENT_MAP / "departements.json")},
        communes=communes,
        epcis=_epcis(),
        territories=territories,
        geojson_names=geojson_names,
        geojson_members=geojson_members,
        press_rows=_csv(DATA / "communique/seed_aisne_epci.csv"),
    )


class Mismatches:
    """Every difference between the sources and a release, listed together at the end."""

    SHOWN = 30

    def __init__(self, what: str) -> None:
        self.what = what
        self.found: list[str] = []

    def compare(self, where: str, fact: str, expected, actual) -> None:
        if expected != actual:
            self.found.append(f"{where} {fact}: sources say {_show(expected)}, release says {_show(actual)}")

    def add(self, line: str) -> None:
        self.found.append(line)

    def assert_none(self) -> None:
        shown = "\n  ".join(self.found[: self.SHOWN])
        more = f"\n  ... and {len(self.found) - self.SHOWN} more" if len(self.found) > self.SHOWN else ""
        assert not self.found, f"{len(self.found)} mismatches in {self.what}:\n  {shown}{more}"


def _show(value) -> str:
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(map(str, value))) + "}" if value else "{}"
    return repr(value)
