"""Which dedicated HTML page an `id/` path has: a territory's, an EPCI's, a commune's, a
département's or a région's, for people who open our URIs.

Every other resource keeps the generic table (templates/resource.html).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyoxigraph as ox

from tilod.serving.views.epci import epci_page
from tilod.serving.views.places import commune_page, departement_page, region_page
from tilod.serving.views.territory import territory_page

Renderer = Callable[[str, list[ox.Triple]], bytes]

PAGES: list[tuple[re.Pattern[str], Renderer]] = [
    (re.compile(r"territoire/\d{4}-\d{4}/ti-\d{4}"), territory_page),
    (re.compile(r"epci/\d{9}"), epci_page),
    (re.compile(r"commune/[0-9][0-9AB][0-9]{3}"), commune_page),  # 02691, 2A004, 97101
    (re.compile(r"departement/[0-9][0-9AB][0-9]?"), departement_page),  # 02, 2A, 971
    (re.compile(r"region/[0-9]{2}"), region_page),
]


def page_for(path: str) -> Renderer | None:
    """The dedicated page for `id/<path>`, if that kind of resource has one."""
    return next((page for pattern, page in PAGES if pattern.fullmatch(path)), None)
