"""The press release's own wording for the Aisne territories and their EPCIs.

The names it uses differ from the official ones ("CC de Retz-en-Valois" is officially
"CC Retz en Valois"); they become alternative labels, with the press release as source.
"""

from __future__ import annotations

from pathlib import Path

from tilod.errors import InputError
from tilod.records.csv_table import read_table
from tilod.records.models import PressName

PRESS_NAMES_FILE = Path("communique/seed_aisne_epci.csv")
COLUMNS = {
    "siren": {"siren"},
    "id_ti_2023": {"id_ti_2023"},
    "lib_ti_communique": {"lib_ti_communique"},
    "nom_communique": {"nom_communique"},
}


def read_press_names(data_dir: Path) -> list[PressName]:
    path = data_dir / PRESS_NAMES_FILE
    rows, problems = read_table(path, COLUMNS)
    if problems:
        raise InputError(problems)
    return [
        PressName(
            siren=r.values["siren"].strip(),
            territory_id=r.values["id_ti_2023"].strip(),
            territory_name=r.values["lib_ti_communique"].strip(),
            epci_name=r.values["nom_communique"].strip(),
        )
        for r in rows
    ]
