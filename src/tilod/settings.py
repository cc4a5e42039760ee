"""The one settings object: read once, from CLI flags over `TILOD_*` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from tilod.errors import TilodError

ENV_PREFIX = "TILOD_"
#: the checkout tilod runs from: its data/, ontology/ and shapes/ are the defaults, whatever the
#: working directory
PROJECT = Path(__file__).resolve().parents[2]
#: the ANCT lists built by default, inside data_dir
TERRITORIES_2023 = Path("territoires/ti_2023_groupements_20231114.csv")
TERRITORIES_PHASE1 = Path("territoires/ti_phase1_groupements_cog2025.csv")
#: path settings whose default depends on data_dir (None: see `territory_lists`)
DERIVED_PATHS = ("territories_2023", "territories_phase1")


@dataclass(frozen=True)
class Settings:
    """Every knob of tilod. Each field `x` is read from `TILOD_X`; see README for the table."""

    base_uri: str = "http://localhost:8000/"
    data_dir: Path = PROJECT / "data"
    releases_dir: Path = Path("releases")
    #: build only the territories touching these départements (e.g. "02,80"); empty: national
    departements: tuple[str, ...] = ()
    #: the ANCT list of 2023-2027 laureates to build from (inside or outside data_dir; default:
    #: data_dir / TERRITORIES_2023), and that of the first phase
    territories_2023: Path | None = None
    territories_phase1: Path | None = None
    #: build a new release even when the current one was built from the same inputs and code
    rebuild: bool = False
    #: releases the releases folder keeps, newest first (0: all; the current one and the one
    #: before it are always kept)
    keep_releases: int = 10
    #: the vocabulary and the shapes every release is built with
    ontology_file: Path = PROJECT / "ontology/tilod.ttl"
    shapes_file: Path = PROJECT / "shapes/tilod-shapes.ttl"
    #: the URI policy every release publishes as a page (/def/politique-uri)
    uri_policy_file: Path = PROJECT / "ontology/URI-POLICY.md"
    #: the JSON-LD context (short keys) every release ships and its JSON-LD is written with
    context_file: Path = PROJECT / "ontology/context.jsonld"
    host: str = "127.0.0.1"
    port: int = 8000
    #: let `tilod serve` listen on another port than a local base URI's (a proxy answers at the
    #: base, or a test or benchmark ignores the links): the links still lead to the base URI
    allow_other_port: bool = False
    #: seconds a SPARQL query may run before it is stopped
    query_timeout: float = 10.0
    #: largest accepted request body (bytes) and SPARQL query text (characters)
    max_body_bytes: int = 1_000_000
    #: largest serialized SPARQL result (bytes); a larger one is refused with a message
    max_results_bytes: int = 50_000_000
    #: query worker processes per web worker (each runs one query at a time)
    query_workers: int = 2
    #: bytes of complete SPARQL answers kept per release, shared by the web workers (0: none kept)
    answer_cache_bytes: int = 100_000_000
    #: a SPARQL 1.1 query endpoint to serve from instead of the embedded store (empty: embedded)
    store_url: str = ""
    #: its update endpoint and Graph Store Protocol endpoint (default: Oxigraph's /update, /store)
    store_update_url: str = ""
    store_gsp_url: str = ""

    def __post_init__(self) -> None:
        if not self.base_uri.startswith(("http://", "https://")) or not self.base_uri.endswith("/"):
            raise TilodError(
                f"TILOD_BASE_URI must be an http(s) URI ending with '/', got {self.base_uri!r}"
            )
        if self.keep_releases < 0:
            raise TilodError(f"TILOD_KEEP_RELEASES must be 0 (keep all) or more, got {self.keep_releases}")

    def territory_lists(self) -> tuple[Path, Path]:
        """(2023-2027 list, first-phase list): as set, else the defaults inside data_dir."""
        return (self.territories_2023 or self.data_dir / TERRITORIES_2023,
                self.territories_phase1 or self.data_dir / TERRITORIES_PHASE1)

    @classmethod
    def load(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `TILOD_*` variables, then explicit overrides (CLI flags) that are not None."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _convert(f.name, raw)
        for name, value in overrides.items():
            if value is not None:
                values[name] = _convert(name, value) if isinstance(value, str) else value
        settings = replace(cls(), **values)
        if settings.store_url:
            root = settings.store_url.rsplit("/", 1)[0]
            settings = replace(
                settings,
                store_update_url=settings.store_update_url or root + "/update",
                store_gsp_url=settings.store_gsp_url or root + "/store",
            )
        return settings


def _convert(name: str, raw: str) -> Any:
    default = getattr(Settings(), name)
    if name in DERIVED_PATHS:
        return Path(raw)
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, tuple):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise TilodError(f"{ENV_PREFIX}{name.upper()}: cannot read {raw!r} ({exc})") from None
    return raw
