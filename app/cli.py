"""The ``evidence-kb`` command: check, build, serve, factcheck, factcheck-eval, export.

Thin: each subcommand parses its arguments and calls the same functions the API uses. Errors
in data or input print a plain message and exit 1; there is never a traceback for bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from app.problems import DataError, Problem
from app.settings import Settings, get_settings


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _print_problems(problems: Sequence[Problem], *, limit: int | None = None) -> None:
    shown = list(problems) if limit is None else list(problems)[:limit]
    for problem in shown:
        print(problem)
    if limit is not None and len(problems) > limit:
        print(f"... and {len(problems) - limit} more")


def cmd_check(args: argparse.Namespace) -> int:
    from app.loader import check_bibliography, load_data

    started = time.perf_counter()
    if args.paths:
        paths = [Path(p) for p in args.paths]
        missing = [p for p in paths if not p.exists()]
        if missing:
            _err(f"evidence-kb check: no such file: {', '.join(map(str, missing))}")
            return 1
        result = check_bibliography(paths)
        what = f"{len(result.studies)} BibTeX entries in {len(paths)} file(s)"
    else:
        settings = get_settings()
        result = load_data(settings.data_dir)
        what = f"{len(result.claims)} claims and {len(result.studies)} studies in {settings.data_dir}"
    _print_problems(result.problems, limit=args.max_problems)
    errors, warnings = len(result.errors), len(result.warnings)
    seconds = time.perf_counter() - started
    status = "ok" if not errors else "problems found"
    print(f"{status}: {what}: {errors} error(s), {warnings} warning(s) ({seconds:.2f} s)")
    return 1 if errors else 0


def cmd_build(args: argparse.Namespace) -> int:
    from app.build import build_database
    from app.dbfile import UnsafeDatabasePath

    settings = get_settings()
    progress = (lambda m: _err(f"build: {m}")) if not args.quiet else (lambda m: None)
    try:
        result = build_database(
            settings, force=args.force or args.start_over, progress=progress, replace_foreign=args.start_over
        )
    except UnsafeDatabasePath as exc:
        _err(f"build refused: {exc}")
        return 1
    except DataError as exc:
        _print_problems(exc.problems)
        errors = sum(p.severity == "error" for p in exc.problems)
        _err(f"build refused: {errors} error(s) in the data; the database was not changed.")
        return 1
    except Exception as exc:  # database unreachable, disk full, ...
        # SQLAlchemy's message repeats the statement with thousands of rows: the driver's is enough.
        cause = getattr(exc, "orig", None) or exc
        _err(f"build failed: {exc.__class__.__name__}: {str(cause).strip()}; the database was not changed.")
        return 1
    if result.status == "unchanged":
        print(
            f"up to date: the data has not changed since the last build ({result.seconds:.2f} s; --force rebuilds)"
        )
    else:
        print(f"built: {result.claims} claims, {result.studies} studies in {result.seconds:.2f} s"
              + (f" ({result.warnings} warning(s): run 'evidence-kb check')" if result.warnings else ""))  # fmt: skip
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.build import ensure_built
    from app.dbfile import UnsafeDatabasePath

    settings = get_settings()
    try:
        if args.no_build:  # several hosts: the release step builds, and no host rolls data back
            result = None
            reachable = _database_reachable(settings)
            if reachable is not None:
                _err(f"cannot reach the database ({reachable}); serving anyway: requests answer 503 "
                     "until it is back.")  # fmt: skip
            elif not _has_database(settings):
                _err("no build in the database yet: run 'evidence-kb build' (requests fail until then).")
        else:
            result = ensure_built(settings, progress=lambda m: _err(f"build: {m}"))
    except DataError as exc:
        _print_problems(exc.problems)
        if _has_database(settings):
            _err("the data has errors: serving the last good build unchanged.")
        else:
            _err("the data has errors and there is no earlier build to serve.")
            return 1
    except UnsafeDatabasePath as exc:
        _err(f"cannot prepare the database: {exc}")
        return 1
    except Exception as exc:
        _err(f"cannot prepare the database: {exc.__class__.__name__}: {exc}")
        return 1
    else:
        if result is not None and result.status == "built":
            _err(f"built: {result.claims} claims, {result.studies} studies in {result.seconds:.2f} s")
    _err(f"serving on http://{args.host}:{args.port} ({args.workers} worker(s)); Ctrl-C stops")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=args.access_log,
        log_level="info" if args.access_log else "warning",
    )
    return 0


def _database_reachable(settings: Settings) -> str | None:
    """None when PostgreSQL answers (SQLite: always), else the driver's reason in one line."""
    if settings.is_sqlite:
        return None
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        cause = getattr(exc, "orig", None) or exc
        return (str(cause).strip().splitlines() or [exc.__class__.__name__])[0]
    finally:
        engine.dispose()
    return None


def _has_database(settings: Settings) -> bool:
    from app.db import make_engine, read_build_info

    if settings.is_sqlite:
        return bool(settings.sqlite_path and settings.sqlite_path.exists())
    engine = make_engine(settings)
    try:
        return read_build_info(engine) is not None
    finally:
        engine.dispose()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evidence-kb", description="A knowledge base of research claims and the evidence behind them."
    )
    parser.add_argument(
        "--data-dir", help="folder with studies.bib and claims.yaml (EVIDENCE_KB_DATA_DIR; default ./data)"
    )
    parser.add_argument(
        "--database-url", help="sqlite:///file.db or postgresql://... (EVIDENCE_KB_DATABASE_URL)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="validate the data files and report every problem with file and line")
    p.add_argument(
        "paths", nargs="*", help=".bib files to check on their own, read together in order (macros first)"
    )
    p.add_argument("--max-problems", type=int, default=None, help="print at most this many problems")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("build", help="load the data into the database, all or nothing")
    p.add_argument("--force", action="store_true", help="rebuild even if the data has not changed")
    p.add_argument("--quiet", action="store_true", help="no progress messages")
    p.add_argument("--start-over", action="store_true",
                   help="replace the file at the SQLite path even if it is not an evidence-kb database "
                        "(never a directory, a device or a link out of its folder); implies --force")  # fmt: skip
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("serve", help="build if needed, then serve the website and API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--access-log", action="store_true", help="log every request (costs throughput)")
    p.add_argument("--no-build", action="store_true",
                   help="serve the database as it is, never build (deployments where 'evidence-kb build' is a release step)")  # fmt: skip
    p.set_defaults(func=cmd_serve)

    from app import citations, factcheck

    factcheck.add_commands(sub)
    citations.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.data_dir:
        os.environ["EVIDENCE_KB_DATA_DIR"] = args.data_dir
    if args.database_url:
        os.environ["EVIDENCE_KB_DATABASE_URL"] = args.database_url
    get_settings.cache_clear()
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
