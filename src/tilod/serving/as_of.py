"""`?date=YYYY-MM-DD` on a territory, an EPCI or a commune: the thing as the release describes
it, with the versions of its EPCI in force on that day (graph/versions.py) and, on its page, what
changed since.

The day's state is what the map's vintages say: a version is in force from 1 January of its year
through the day before the next vintage. A day before the oldest vintage gets 404 saying from
when tilod knows the map; a day that is no date gets 400; `?date=` on any other kind of
resource gets 400 too (it would be ignored, and the answer would not be what was asked).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox
from flask import Response, g

from tilod.records.reference import VINTAGES
from tilod.serving.http import plain_error
from tilod.serving.release import current_release
from tilod.serving.views.queries import select_served

#: the kinds of resource `?date=` applies to, by their path under `{base}id/`
DATED = re.compile(r"territoire/[^/]+/ti-[0-9]{4}|epci/[0-9]{9}|commune/[0-9][0-9AB][0-9]{3}")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FIRST_DAY = VINTAGES[0].first_day


class DateRefused(Exception):
    """The answer to a `?date=` that cannot be served (a `Response`)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message

    def response(self) -> Response:
        return plain_error(self.status, self.message)


@dataclass
class Version:
    epci: str
    uri: str
    label: str
    nature: str
    population: str
    valid_from: str
    valid_through: str | None

    def in_force(self, day: str) -> bool:
        return self.valid_from <= day and (self.valid_through is None or day <= self.valid_through)


@dataclass
class AsOf:
    """What the page of a thing says of it on `day` (`g.tilod_as_of` for base.html)."""

    day: str
    versions: list[Version] = field(default_factory=list)  # in force that day
    later: list[Version] = field(default_factory=list)  # the versions since, one per change
    events: list[dict[str, str]] = field(default_factory=list)  # the changes of the map since


def requested_day(path: str, day: str) -> str:
    """The day of `?date=` for the resource at `path`, checked; raises DateRefused."""
    if not DATED.fullmatch(path):
        raise DateRefused(400, "Bad Request: parameter 'date' applies to territories, EPCIs and communes "
                               f"({{base}}id/territoire/..., id/epci/..., id/commune/...), not to id/{path[:100]}")
    try:
        if not DAY.fullmatch(day):
            raise ValueError(day)
        date.fromisoformat(day)
    except ValueError:
        raise DateRefused(400, f"Bad Request: parameter 'date' must be a day, YYYY-MM-DD; got {day[:40]!r}") from None
    if day < FIRST_DAY:
        raise DateRefused(404, f"Not found: tilod knows the map of the intercommunalities from {FIRST_DAY} "
                               f"(its oldest vintage of decoupage-administratif); {day} is before it")
    return day


def as_of(uri: str, day: str) -> AsOf:
    """The versions of `uri`'s EPCI in force on `day`, the later ones, and the events since."""
    versions = [Version(r["epci"], r["version"], r["label"], r.get("natureLabel", r["nature"]), r["population"],
                        r["from"], r.get("through"))
                for r in select_served("as-of-versions", thing=uri)]
    found = AsOf(day, sorted((v for v in versions if v.in_force(day)), key=lambda v: v.label),
                 sorted((v for v in versions if v.valid_from > day), key=lambda v: (v.valid_from, v.label)))
    found.events = sorted((r for r in select_served("as-of-events", thing=uri) if r["latest"] > day),
                          key=lambda r: (r["latest"], r["label"]))
    return found


def dated_triples(uri: str, state: AsOf) -> list[ox.Triple]:
    """The thing's description and that of each version in force on the day."""
    data = current_release().data
    triples = list(data.describe(uri))
    if triples:
        for version in state.versions:
            triples += data.describe(version.uri)
    return list(dict.fromkeys(triples))  # a description names its neighbours' labels: once each


def show_on_page(state: AsOf) -> None:
    """The page rendered next says, above its current state, what it was on the day."""
    g.tilod_as_of = state
