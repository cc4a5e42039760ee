"""The `tilod` console script: build, validate, releases, publish, serve."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tilod.errors import InputError, TilodError
from tilod.settings import Settings

SUMMARY_CLASSES = {
    "territories": "https://w3id.org/tilod/def/tilod#TerritoireIndustrie",
    "EPCI": "http://rdf.insee.fr/def/geo#Intercommunalite",
    "communes": "http://rdf.insee.fr/def/geo#Commune",
    "départements": "http://rdf.insee.fr/def/geo#Departement",
    "régions": "http://rdf.insee.fr/def/geo#Region",
    "memberships": "https://w3id.org/tilod/def/tilod#Adhesion",
}


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-uri", help="base of every minted URI (TILOD_BASE_URI)")
    parser.add_argument("--data-dir", type=Path, help="input data folder (TILOD_DATA_DIR)")
    parser.add_argument("--releases-dir", type=Path, help="releases folder (TILOD_RELEASES_DIR)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tilod", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build a validated release and make it current")
    _common(build)
    build.add_argument("--departements", help="only territories touching these, e.g. 02,80")
    build.add_argument("--territories-2023", type=Path, help="ANCT list of 2023-2027 laureates")
    build.add_argument("--territories-phase1", type=Path, help="ANCT list of the first phase")
    build.add_argument("--rebuild", action="store_true", default=None,
                       help="build anew even if nothing changed since the current release (TILOD_REBUILD)")

    kept = sub.add_parser("releases", help="list the releases kept, and prune them to the retention policy")
    _common(kept)
    kept.add_argument("--prune", action="store_true", help="remove the releases the policy does not keep")
    kept.add_argument("--keep", type=int, dest="keep_releases",
                      help="releases to keep, newest first; 0: all (TILOD_KEEP_RELEASES)")

    check = sub.add_parser("validate", help="check a territory list in ANCT's CSV layout")
    _common(check)
    check.add_argument("file", type=Path)
    check.add_argument(
        "--year", choices=("2023", "current"), default="2023",
        help="which map of EPCIs the SIRENs must exist in (default: 2023, the labelling)",
    )

    publish = sub.add_parser("publish", help="load the current release into a remote SPARQL store")
    _common(publish)
    publish.add_argument("--store-url", help="SPARQL query endpoint (TILOD_STORE_URL)")
    publish.add_argument("--store-update-url", help="SPARQL update endpoint (TILOD_STORE_UPDATE_URL)")
    publish.add_argument("--store-gsp-url", help="Graph Store Protocol endpoint (TILOD_STORE_GSP_URL)")

    serve = sub.add_parser("serve", help="serve the current release over HTTP")
    _common(serve)
    serve.add_argument("--host", help="TILOD_HOST")
    serve.add_argument("--port", type=int, help="TILOD_PORT")
    serve.add_argument("--store-url", help="serve from this SPARQL endpoint instead (TILOD_STORE_URL)")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    names = ("base_uri", "data_dir", "releases_dir", "departements", "territories_2023",
             "territories_phase1", "rebuild", "keep_releases", "host", "port", "store_url", "store_update_url",
             "store_gsp_url")
    return Settings.load(**{n: getattr(args, n, None) for n in names})


def _build(settings: Settings) -> int:
    from tilod.release import layout
    from tilod.release.build import build_release

    current = layout.current_link(settings.releases_dir)
    before = current.resolve() if current.is_symlink() else None
    folder = build_release(settings)
    manifest = layout.read_manifest(folder)
    if folder == before:  # kept: nothing to build
        print(f"release {manifest['version']} kept: built from the same inputs, code and settings -> {folder}")
        return 0
    base = settings.base_uri
    counts = {k: manifest["classes"].get(v if v.startswith("http") else base + v, 0)
              for k, v in SUMMARY_CLASSES.items()}
    print(f"release {manifest['version']}: " + ", ".join(f"{n:,} {k}" for k, n in counts.items()))
    print(f"{manifest['triples']:,} triples in {manifest['build_seconds']} s -> {folder}")
    changes = manifest.get("changes") or {}
    if changes.get("since"):
        print(f"{changes['count']} changes since {changes['since']} (changes.ttl), in: "
              + (", ".join(changes["territories"]) or "no territory"))
    return 0


def _releases(settings: Settings, prune: bool) -> int:
    from tilod.release import retention

    found = retention.releases_in(settings.releases_dir)
    if not found:
        print(f"no release in {settings.releases_dir}")
        return 0
    going = retention.to_prune(found, settings.keep_releases)
    print(f"{'version':<20} {'triples':>9}  {'scope':<10} {'own MB':>7} {'all MB':>7}")
    for release in found:
        scope = ",".join(release.manifest.get("scope") or []) or "national"
        mark = " current" if release.current else ""
        if release in going:
            mark += " (pruned)" if prune else " (the policy prunes it)"
        own, whole = retention.disk_use(release.folder)
        print(f"{release.version:<20} {release.manifest.get('triples', 0):>9,}  {scope:<10} "
              f"{own / 1e6:>7.1f} {whole / 1e6:>7.1f}{mark}")
    policy = f"keep {settings.keep_releases}" if settings.keep_releases else "keep all"
    print(f"{len(found)} releases; own MB: what only that release holds (pruning it gives it back); "
          f"policy: {policy} (TILOD_KEEP_RELEASES)")
    if prune:
        retention.remove(settings.releases_dir, going)
        print(f"pruned {len(going)} releases" + (": " + ", ".join(r.version for r in going) if going else ""))
    return 0


def _validate(settings: Settings, file: Path, year: str) -> int:
    from tilod.records.reference import load_reference
    from tilod.validation.territory_file import validate_territory_file

    report = validate_territory_file(file, load_reference(settings.data_dir), year)
    print(report.render())
    return 0 if report.ok else 1


def _serve(settings: Settings) -> int:
    from tilod.serving.app import run

    run(settings)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        settings = _settings(args)
        if args.command == "build":
            return _build(settings)
        if args.command == "releases":
            return _releases(settings, args.prune)
        if args.command == "validate":
            return _validate(settings, args.file, args.year)
        if args.command == "publish":
            from tilod.release.publish import publish

            publish(settings)
            return 0
        return _serve(settings)
    except InputError as exc:
        print(f"tilod {args.command}: invalid input\n{exc}", file=sys.stderr)
        return 2
    except TilodError as exc:
        print(f"tilod {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # disk full, permissions...: nothing was switched
        where = f" {exc.filename}" if exc.filename else ""
        print(f"tilod {args.command}: cannot read or write{where}: {exc.strerror or exc}; "
              "the current release is unchanged", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a person gets a sentence, a developer sets TILOD_DEBUG
        if os.environ.get("TILOD_DEBUG"):
            raise
        print(f"tilod {args.command}: unexpected error: {type(exc).__name__}: {exc}\n"
              "nothing was published; set TILOD_DEBUG=1 to see the traceback", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
