"""The administrative reference (régions, départements, communes, EPCI) from decoupage-administratif."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tilod.errors import InputError
from tilod.records.models import ZONES, Commune, Departement, FormerCommune, Groupement, Region, Vintage

CURRENT = "6.0.0"  # the "2026" vintage: today's map
AT_LABELLING = "3.1.1"  # the "2023" vintage: the map on 9 Nov 2023
AFTER_OUTLINES = "0.3.0"  # the "2019" vintage (COG 2019): the oldest, the year after the outlines' map

FIRST_WITH_EPT = "2023"  # decoupage-administratif has the EPT of the Grand Paris since its 2023 vintage

#: The vintages whose EPCI tilod publishes as versions, oldest first. The years are the package's
#: own table of vintages (0.3.0's epci.json is byte for byte 0.7's, which the table names for
#: 2019); the census years follow from the INSEE pages each package names as its population source
#: (legal populations of millésime N are in force from 1 January N+3): see data/SOURCES.md.
VINTAGES = (
    Vintage("2019", AFTER_OUTLINES, "2016", "https://www.insee.fr/fr/statistiques/3677855"),
    Vintage("2023", AT_LABELLING, "2020", "https://www.insee.fr/fr/statistiques/6683035"),
    Vintage("2026", CURRENT, "2023", "https://www.insee.fr/fr/statistiques/8680726"),
)


@dataclass
class Reference:
    regions: dict[str, Region] = field(default_factory=dict)
    departements: dict[str, Departement] = field(default_factory=dict)
    communes: dict[str, Commune] = field(default_factory=dict)
    groupements: dict[str, Groupement] = field(default_factory=dict)
    #: nature (CC, CA, ...) of each groupement that existed at the 2023 labelling
    natures_2023: dict[str, str] = field(default_factory=dict)
    #: commune déléguée or associée in 2019 -> the commune it was part of: which outline of the 2018
    #: map covers a commune restored since
    part_of_2019: dict[str, str] = field(default_factory=dict)
    #: each vintage's groupements as they were then (year -> SIREN -> groupement); the last
    #: vintage's are `groupements`
    vintages: dict[str, dict[str, Groupement]] = field(default_factory=dict)
    #: communes of an earlier vintage's EPCI that are no longer communes
    former_communes: dict[str, FormerCommune] = field(default_factory=dict)

    def natures_of(self, siren: str, year: str) -> set[str]:
        """Natures a groupement had in `year` ("2023" or "current"); empty if it did not exist."""
        known = self.natures_2023 if year == "2023" else {
            s: g.nature for s, g in self.groupements.items()
        }
        return {known[siren]} if siren in known else set()

    def commune_by_siren(self) -> dict[str, Commune]:
        return {c.siren: c for c in self.communes.values() if c.siren}

    def departements_of(self, groupement: Groupement) -> list[str]:
        """Départements of a groupement, from its member communes (the sources give none)."""
        return sorted({self.commune_departement(c) for c in groupement.communes})

    def commune_departement(self, code: str) -> str:
        """The département of a commune, or of a former one (that of the commune that took it in)."""
        commune = self.communes.get(code)
        return commune.departement if commune else self.former_communes[code].departement


def _load_json(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise InputError.single(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError.single(path, f"not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise InputError.single(path, f"invalid JSON: {exc.msg}", exc.lineno) from None
    if not isinstance(data, list):
        raise InputError.single(path, "expected a JSON array of records")
    return data


def _field(path: Path, index: int, record: dict[str, Any], name: str, kind: type) -> Any:
    value = record.get(name) if isinstance(record, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InputError.single(
            path, f"record #{index + 1}: field {name!r} missing or not {kind.__name__}: {value!r}"
        )
    return value


def _zone(path: Path, index: int, record: dict[str, Any]) -> str:
    zone = _field(path, index, record, "zone", str)
    if zone not in ZONES:
        raise InputError.single(path, f"record #{index + 1}: field 'zone' is {zone!r}, not one of {ZONES}")
    return zone


def _codes(value: Any) -> list[str]:
    """A list of codes, or none if the field is absent or not a list of strings."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def load_reference(data_dir: Path) -> Reference:
    """Read the current reference, and every vintage's groupements (`VINTAGES`)."""
    base = data_dir / "decoupage-administratif"
    ref = Reference()
    path = base / CURRENT / "regions.json"
    for i, r in enumerate(_load_json(path)):
        code = _field(path, i, r, "code", str)
        ref.regions[code] = Region(code, _field(path, i, r, "nom", str), _zone(path, i, r),
                                   _field(path, i, r, "chefLieu", str))
    path = base / CURRENT / "departements.json"
    for i, d in enumerate(_load_json(path)):
        code = _field(path, i, d, "code", str)
        ref.departements[code] = Departement(
            code, _field(path, i, d, "nom", str), _field(path, i, d, "region", str), _zone(path, i, d),
            _field(path, i, d, "chefLieu", str),
        )
    path = base / CURRENT / "communes.json"
    for i, c in enumerate(_load_json(path)):
        if c.get("type") != "commune-actuelle":
            continue
        code = _field(path, i, c, "code", str)
        ref.communes[code] = Commune(
            code=code,
            nom=_field(path, i, c, "nom", str),
            departement=_field(path, i, c, "departement", str),
            region=_field(path, i, c, "region", str),
            siren=c.get("siren"),
            population=c.get("population"),
            anciens_codes=tuple(_codes(c.get("anciensCodes"))),
        )
    path = base / AFTER_OUTLINES / "communes.json"
    for i, c in enumerate(_load_json(path)):
        if c.get("type") in ("commune-deleguee", "commune-associee"):
            code, whole = _field(path, i, c, "code", str), _field(path, i, c, "chefLieu", str)
            if code != whole:
                ref.part_of_2019[code] = whole
    successors = _successors(base / CURRENT / "communes.json", ref)
    for vintage in VINTAGES:
        ref.vintages[vintage.year] = _groupements(base, vintage, ref, successors)
    at_labelling = ref.vintages[VINTAGES[1].year]
    ref.natures_2023 = {siren: g.nature for siren, g in at_labelling.items()}
    for siren, g in ref.vintages[VINTAGES[-1].year].items():
        old = at_labelling.get(siren)
        ref.groupements[siren] = g if old is None or old.nom == g.nom else replace(g, nom_2023=old.nom)
    return ref


def _successors(path: Path, ref: Reference) -> dict[str, str]:
    """Former commune code -> the current commune that took it in (its anciensCodes, or the
    chef-lieu of the commune déléguée or associée that the former commune became)."""
    found: dict[str, str] = {}
    for i, c in enumerate(_load_json(path)):
        if c.get("type") in ("commune-deleguee", "commune-associee"):
            found.setdefault(_field(path, i, c, "code", str), _field(path, i, c, "chefLieu", str))
    for commune in ref.communes.values():
        for old in commune.anciens_codes:
            found[old] = commune.code
    return {old: new for old, new in found.items() if old not in ref.communes and new in ref.communes}


def _groupements(base: Path, vintage: Vintage, ref: Reference,
                 successors: dict[str, str]) -> dict[str, Groupement]:
    """One vintage's EPCI (and EPT, from the vintages that have them). A member of an earlier
    vintage that is no longer a commune becomes a former commune; today's must all be communes."""
    found: dict[str, Groupement] = {}
    current = vintage.package == CURRENT
    for kind in ("epci", "ept"):
        if kind == "ept" and vintage.year < FIRST_WITH_EPT:
            continue
        path = base / vintage.package / f"{kind}.json"
        for i, g in enumerate(_load_json(path)):
            siren = _field(path, i, g, "code", str)
            membres = _field(path, i, g, "membres", list)
            communes = []
            for m in membres:
                code = m.get("code") if isinstance(m, dict) else None
                if code in ref.communes:
                    communes.append(code)
                elif not current and code in successors:
                    former = ref.former_communes.get(code)
                    if former is None:
                        successor = successors[code]
                        ref.former_communes[code] = FormerCommune(
                            code, str(m.get("nom") or code), successor, ref.communes[successor].departement)
                    communes.append(code)
                else:
                    raise InputError.single(path, f"record #{i + 1} ({siren}): unknown member commune {code!r}")
            found[siren] = Groupement(
                siren=siren,
                nom=_field(path, i, g, "nom", str),
                nature=_field(path, i, g, "type", str),
                mode_financement=g.get("modeFinancement") or "",
                population_totale=_field(path, i, g, "populationTotale", int),
                population_municipale=_field(path, i, g, "populationMunicipale", int),
                communes=tuple(communes),
            )
    return found
