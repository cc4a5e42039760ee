"""The one settings object: read once, from CLI flags over `TILOD_*` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tilod.errors import TilodError

ENV_PREFIX = "TILOD_"


@dataclass(frozen=True)
class Settings:
    """Every knob of tilod. Each field `x` is read from `TILOD_X`; see README for the table."""

    base_uri: str = "http://localhost:8000/"
    data_dir: Path = Path("data")
    releases_dir: Path = Path("releases")
    #: build only the territories touching these départements (e.g. "02,80"); empty: national
    departements: tuple[str, ...] = ()
    #: the ANCT list of 2023-2027 laureates to build from (inside or outside data_dir)
    territories_2023: Path = Path("data/territoires/ti_2023_groupements_20231114.csv")
    territories_phase1: Path = Path("data/territoires/ti_phase1_groupements_cog2025.csv")
    host: str = "127.0.0.1"
    port: int = 8000
    #: seconds a SPARQL query may run before it is stopped
    query_timeout: float = 10.0
    #: largest accepted request body (bytes) and SPARQL query text (characters)
    max_body_bytes: int = 1_000_000
    #: largest serialized SPARQL result (bytes); a larger one is refused with a message
    max_results_bytes: int = 50_000_000
    #: query worker processes per web worker (each runs one query at a time)
    query_workers: int = 2
    #: a SPARQL 1.1 query endpoint to serve from instead of the embedded store (empty: embedded)
    store_url: str = ""
    #: its update endpoint and Graph Store Protocol endpoint (default: Oxigraph's /update, /store)
    store_update_url: str = ""
    store_gsp_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.base_uri.startswith(("http://", "https://")) or not self.base_uri.endswith("/"):
            raise TilodError(
                f"TILOD_BASE_URI must be an http(s) URI ending with '/', got {self.base_uri!r}"
            )

    @property
    def current_release(self) -> Path:
        return self.releases_dir / "current"

    @classmethod
    def load(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `TILOD_*` variables, then explicit overrides (CLI flags) that are not None."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
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
