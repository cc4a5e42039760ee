"""Plain records for the things tilod publishes, as read from the sources."""

from __future__ import annotations

from dataclasses import dataclass, field

#: the programme's phases, as the territory lists and the URIs name them
PHASE_2023 = "2023-2027"
PHASE_1 = "2018-2022"
PHASES = (PHASE_2023, PHASE_1)


#: where decoupage-administratif puts a place: metropolitan France, the overseas départements
#: and régions (DROM) or the overseas collectivities (COM)
ZONES = ("metro", "drom", "com")


@dataclass(frozen=True)
class Region:
    code: str
    nom: str
    zone: str = "metro"
    chef_lieu: str = ""  # INSEE code of the préfecture de région


@dataclass(frozen=True)
class Departement:
    code: str
    nom: str
    region: str
    zone: str = "metro"
    chef_lieu: str = ""  # INSEE code of the préfecture


@dataclass(frozen=True)
class Commune:
    code: str
    nom: str
    departement: str
    region: str
    siren: str | None
    population: int | None
    #: codes of the communes merged into this one (a 2018 map may still draw them apart)
    anciens_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Groupement:
    """An EPCI à fiscalité propre (CC, CA, CU, métropole) or an EPT of the Grand Paris."""

    siren: str
    nom: str
    nature: str
    mode_financement: str
    population_totale: int
    population_municipale: int
    communes: tuple[str, ...]
    #: official name at the 2023 labelling, when it differs from the current one
    nom_2023: str | None = None


@dataclass(frozen=True)
class Vintage:
    """One vintage of decoupage-administratif: the map of 1 January of its year (the DGCL's list
    of EPCI as of that day), with the legal populations then in force."""

    year: str  #: the millésime, as the package's own table of vintages names it
    package: str  #: the npm version shipped in data/decoupage-administratif/
    census_year: str  #: the millésime of the INSEE legal populations it carries
    census_page: str  #: the INSEE page the package names as its population source

    @property
    def first_day(self) -> str:
        return f"{self.year}-01-01"


@dataclass(frozen=True)
class FormerCommune:
    """A commune of an earlier vintage that is no longer one (merged into a commune nouvelle)."""

    code: str
    nom: str
    successor: str  #: the INSEE code of the current commune that took it in
    departement: str


@dataclass(frozen=True)
class Member:
    """One row of a territory list: a groupement or commune in a territory."""

    siren: str
    name_as_written: str
    nature: str
    line: int


@dataclass
class Territory:
    id: str
    label: str
    phase: str
    line: int
    members: list[Member] = field(default_factory=list)
    wkt: str | None = None


@dataclass(frozen=True)
class Outline:
    """A place's outline as WKT (CRS84), and what it was made of: for a commune, the codes of
    the source's features united into it (its own, and those of the communes merged into it
    since the map was drawn); for an EPCI, the communes whose outlines were united."""

    wkt: str
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class PressName:
    """How the press release names an EPCI and its territory (kept as alternative labels)."""

    siren: str
    territory_id: str
    territory_name: str
    epci_name: str
