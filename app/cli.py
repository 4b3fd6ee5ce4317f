"""The ``evidence-kb`` command: check, build, serve, dump, factcheck, factcheck-eval, export.

Every subcommand lives here and calls the same functions the API uses (``app.build``,
``app.factcheck``, ``app.citations``); those modules know nothing of argparse. Commands that
read the database open it through ``open_store`` (which builds first when the data changed, and
reads the database as it is where there is no data folder), and
``main`` is the one place that turns a failure into a message and exit status 1: problems in the
data files are printed one per line as ``file:line: error: message``, a configuration or
database problem as one sentence. There is never a traceback for bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli_text import counted, evaluation_text, factcheck_text
from app.problems import DataError, Problem, unknown_topics
from app.settings import Settings, get_settings
from app.vocab import Certainty, ExportFormat, Verdict

if TYPE_CHECKING:
    from app.store import Store


class CommandError(Exception):
    """Bad input to a command (a missing file, an empty text): printed as one line, exit 1."""


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _print_problems(problems: Sequence[Problem], *, limit: int | None = None) -> None:
    shown = list(problems) if limit is None else list(problems)[:limit]
    for problem in shown:
        print(problem)
    if limit is not None and len(problems) > limit:
        print(f"... and {len(problems) - limit} more")


def _errors(problems: Sequence[Problem]) -> int:
    return sum(p.severity == "error" for p in problems)


@contextlib.contextmanager
def open_store(settings: Settings) -> Iterator[Store]:
    """The read side over the configured database, built first when the data changed.

    The read commands (export, factcheck, dump) need the data folder only to build: where there
    is none (an app host, docs/deploy.md) they read the database as it is. Raises
    ``CommandError`` when there is neither a data folder nor a build (naming both resolved
    places), ``DataError`` when the data files have errors (``main`` prints them with file and
    line), ``dbfile.UnsafeDatabasePath`` or a database error when the database cannot be used.
    """
    from app.build import ensure_built
    from app.db import Database
    from app.store import Store

    if settings.data_dir.is_dir():
        ensure_built(settings)
    elif not _has_database(settings):
        where = settings.sqlite_path or "the configured database"
        raise CommandError(
            f"no build in {where} and no data folder to build from ({settings.data_dir.resolve()} "
            "not found; --data-dir or EVIDENCE_KB_DATA_DIR names another)"
        )
    db = Database(settings)
    try:
        yield Store(db, cache_bytes=settings.cache_bytes)
    finally:
        db.dispose()


def failure_message(command: str, exc: Exception) -> str | None:
    """What ``evidence-kb COMMAND`` says when ``exc`` stops it (None: a bug, let it raise).

    Data problems are printed first (standard output, one per line with file and line).
    """
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    from app.dbfile import UnsafeDatabasePath

    building = command == "build"
    unchanged = "; the database was not changed." if building else "."
    if isinstance(exc, CommandError):
        return f"evidence-kb {command}: {exc}"
    if isinstance(exc, DataError):
        _print_problems(exc.problems)
        if building:
            return f"build refused: {_errors(exc.problems)} error(s) in the data{unchanged}"
        return (f"evidence-kb {command}: {_errors(exc.problems)} error(s) in the data files "
                f"(listed above); fix them and run again ('evidence-kb check' lists them too).")  # fmt: skip
    if isinstance(exc, UnsafeDatabasePath):
        return f"build refused: {exc}" if building else f"cannot prepare the database: {exc}"
    if isinstance(exc, ValidationError):  # the settings (EVIDENCE_KB_* variables, .env)
        from app.http import plain_problem

        wrong = " ".join(  # in the API's words; the value never echoed (API_KEYS, a URL's password)
            plain_problem({**e, "input": None}, f"EVIDENCE_KB_{'_'.join(map(str, e['loc'])).upper()}")
            for e in exc.errors(include_url=False)
        )
        if os.environ.get(_URL_FROM_OPTION) is not None:  # the URL came from --database-url
            wrong = wrong.replace("EVIDENCE_KB_DATABASE_URL", "--database-url")
        return f"evidence-kb: the configuration is not valid: {wrong}"
    if isinstance(exc, SQLAlchemyError | OSError):  # unreachable database, bad URL, disk full
        # SQLAlchemy's message repeats the statement with thousands of rows: the driver's is enough.
        cause = str(getattr(exc, "orig", None) or exc).strip()
        if building:
            return f"build failed: {exc.__class__.__name__}: {cause}{unchanged}"
        return f"evidence-kb {command}: cannot use the database: {exc.__class__.__name__}: {cause}"
    return None


# --- check, build, serve --------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from app.loader import LoadedData, StreamResult, check_bibliography, check_data

    started = time.perf_counter()
    result: LoadedData | StreamResult
    if args.paths:
        paths = [Path(p) for p in args.paths]
        missing = [p for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"no such file: {', '.join(map(str, missing))}")
        result = check_bibliography(paths)
        what, where = f"{len(result.studies)} BibTeX entries", f"{len(paths)} file(s)"
    else:
        settings = get_settings()
        result = check_data(settings.data_dir, _built_topics(settings))
        claims, studies = (
            counted(result.claims_read, "claim", "claims"),
            counted(len(result.studies), "study", "studies"),
        )
        what, where = f"{claims} and {studies}", str(settings.data_dir)
    _print_problems(result.problems, limit=args.max_problems)
    errors, warnings = len(result.errors), len(result.warnings)
    seconds = time.perf_counter() - started
    if not errors:
        print(f"ok: {what} in {where}: 0 error(s), {warnings} warning(s) ({seconds:.2f} s)")
    else:  # the counts are of the records read, not of those with problems
        print(f"problems found: {errors} error(s), {warnings} warning(s) in {where} "
              f"({what} read; {seconds:.2f} s)")  # fmt: skip
    for stop in {p.path: p for p in result.errors if p.message.startswith("YAML syntax error")}.values():
        # A YAML parser cannot go on past a syntax error: what follows it was not checked.
        at = f" at line {stop.line}" if stop.line else ""
        print(f"checking {stop.path} stopped at its YAML syntax error{at}: what follows was not read; "
              "fix it and run check again to see the rest")  # fmt: skip
    return 1 if errors else 0


def cmd_build(args: argparse.Namespace) -> int:
    from app.build import build_database

    settings = get_settings()
    progress = (lambda m: _err(f"build: {m}")) if not args.quiet else (lambda _m: None)
    result = build_database(
        settings, force=args.force or args.start_over, progress=progress, replace_foreign=args.start_over
    )
    if result.status == "unchanged":
        print(
            f"up to date: the data has not changed since the last build ({result.seconds:.2f} s; --force rebuilds)"
        )
    else:
        print(f"built: {result.claims} claims, {result.studies} studies in {result.seconds:.2f} s ({result.how})"
              + (f" ({result.warnings} warning(s): run 'evidence-kb check')" if result.warnings else ""))  # fmt: skip
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    # Through the environment, so that every worker process uvicorn starts reads them too.
    for option in ("max_concurrency", "header_timeout", "body_timeout"):
        if getattr(args, option) is not None:
            os.environ[f"EVIDENCE_KB_{option.upper()}"] = str(getattr(args, option))
    get_settings.cache_clear()
    settings = get_settings()
    if not args.no_build and not settings.data_dir.is_dir() and _has_database(settings):
        _err(f"no data folder at {settings.data_dir.resolve()}: serving the database as it is.")
        args.no_build = True  # an app host with the database but not the data files
    if args.no_build:  # several hosts: the release step builds, and no host rolls data back
        _say_whether_servable(settings)
    else:
        _build_before_serving(settings)
    from app.serving import serve

    return serve(settings, args.host, args.port, args.workers, args.access_log)


def _link_settings() -> Settings:
    """The settings of the commands that print or write links to the site (factcheck, dump):
    without ``EVIDENCE_KB_BASE_URL``, the address a running ``serve`` serves, as its pages
    (``serving.served_settings``)."""
    from app.serving import served_settings

    return served_settings(get_settings())


def _say_whether_servable(settings: Settings) -> None:
    """``serve --no-build``: warn (standard error) when the database is unreachable or empty."""
    reachable = _database_reachable(settings)
    if reachable is not None:
        _err(f"cannot reach the database ({reachable}); serving anyway: requests answer 503 "
             "until it is back.")  # fmt: skip
    elif not _has_database(settings):
        _err("no build in the database yet: run 'evidence-kb build' (requests fail until then).")


def _build_before_serving(settings: Settings) -> None:
    """``serve``: build when the data changed; with bad data keep the last good build, or raise
    ``CommandError`` when there is none."""
    from app.build import ensure_built

    try:
        result = ensure_built(settings, progress=lambda m: _err(f"build: {m}"))
    except DataError as exc:
        _print_problems(exc.problems)
        if not _has_database(settings):
            raise CommandError(
                f"{_errors(exc.problems)} error(s) in the data files and there is no earlier build to serve."
            ) from exc
        _err("the data has errors: serving the last good build unchanged.")
    else:
        if result.status == "built":
            _err(f"built: {result.claims} claims, {result.studies} studies in {result.seconds:.2f} s")


def cmd_dump(args: argparse.Namespace) -> int:
    """Write the open-data files of the current build (the site's /downloads) into a folder,
    building first when the data changed (like the other read commands)."""
    from app.opendata import write_dump

    settings = _link_settings()
    target = Path(args.directory)
    if target.exists() and not target.is_dir():
        raise CommandError(f"{target} is not a folder")
    with open_store(settings) as store:
        result = write_dump(store, settings, target)
    for item in result.files:
        print(f"{target / item.name}  {item.size} bytes  sha256 {item.sha256[:16]}…")
    for name, reason in result.missing.items():
        print(f"not written: {name}: {reason}")
    print(f"dumped the build of {result.built_at} ({result.licence}) into {target}")
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


def _built_topics(settings: Settings) -> frozenset[str]:
    """The topics of the database's build, to which ``check`` compares a new topic; none when
    there is no build or it cannot be read (``check`` needs no database)."""
    if settings.is_sqlite:  # read directly: importing the database layer costs check ~1 s
        import sqlite3

        path = settings.sqlite_path
        if not (path and path.exists()):
            return frozenset()
        try:
            with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
                return frozenset(row[0] for row in conn.execute("SELECT DISTINCT topic FROM claim_topic"))
        except sqlite3.Error:
            return frozenset()
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from app.db import make_engine

    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            return frozenset(conn.execute(text("SELECT DISTINCT topic FROM claim_topic")).scalars())
    except SQLAlchemyError:
        return frozenset()
    finally:
        engine.dispose()


def _has_database(settings: Settings) -> bool:
    from app.db import make_engine, read_build_info

    if settings.is_sqlite:
        return bool(settings.sqlite_path and settings.sqlite_path.exists())
    engine = make_engine(settings)
    try:
        return read_build_info(engine) is not None
    finally:
        engine.dispose()


# --- factcheck, factcheck-eval --------------------------------------------------------------------


def cmd_factcheck(args: argparse.Namespace) -> int:
    from app.factcheck import MAX_CONTEXT, MAX_TEXT, ambiguous_claims, factcheck, get_index, is_blank

    text = args.text if args.text != "-" else sys.stdin.read()
    if is_blank(text):
        raise CommandError("the text is empty")
    if len(text) > MAX_TEXT:
        raise CommandError(f"the text is longer than {MAX_TEXT} characters")
    if args.context and len(args.context) > MAX_CONTEXT:
        raise CommandError(f"the context is longer than {MAX_CONTEXT} characters")
    with open_store(_link_settings()) as store:
        result = factcheck(store, text, limit=args.limit, context=args.context)
        ambiguous = ambiguous_claims(get_index(store), result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(factcheck_text(result, ambiguous))
    return 0


def cmd_factcheck_eval(args: argparse.Namespace) -> int:
    from app.factcheck import evaluate, factcheck, get_index

    path = Path(args.file)
    try:
        passages = evaluate.load_passages(path, args.part, args.language)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc
    except Exception as exc:  # yaml.YAMLError and friends: a clear message, never a traceback
        raise CommandError(f"{path}: {exc}") from exc
    if not passages:
        raise CommandError(f"{path}: no passages{f' in part {args.part}' if args.part else ''}")
    with open_store(get_settings()) as store:
        factcheck(store, "warm up", limit=1)  # builds the index once, outside the timings
        index = get_index(store)
        unknown = evaluate.unknown_claims(passages, index.claim_pos)
        if unknown:  # each would count as a miss of the matcher, not as the typo it is
            raise CommandError("; ".join(unknown))
        report = evaluate.evaluate(index, passages)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        what = ", ".join(
            x
            for x in (
                f"part {args.part}" if args.part else "",
                f"language {args.language}" if args.language else "",
            )
            if x
        )
        print(f"passages: {len(passages)} ({path}{'; ' + what if what else ''})")
        print(evaluation_text(report))
    return 0


# --- export ---------------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    from app import citations

    scope = citations.Scope(
        args.study, args.claim, citations.search_scope_query(args.q, args.topic, args.verdict, args.grade)
    )
    with open_store(get_settings()) as store:
        if args.topic and (unknown := unknown_topics(args.topic, store.topic_ids())):
            raise CommandError(str(unknown))  # not "no study matches", nor dropped beside a known one
        try:
            studies = citations.select_studies(store, scope)
        except citations.UnknownKeys as exc:
            raise CommandError(str(exc)) from exc
        if not studies:  # an empty file would pass for an export (the API answers 404 no-studies)
            raise CommandError(
                "no study in the knowledge base; nothing written"
                if scope.everything
                else f"no study matches: {citations.NO_STUDY_REASON}; nothing written"
            )
        text = citations.export(
            studies, args.format, appraisal=args.appraisal, year_letters=store.year_letters(studies)
        )
    for warning in citations.export_warnings(studies):  # standard error: standard output is the file
        _err(str(warning))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        _err(f"exported {counted(len(studies), 'study', 'studies')} as {args.format} to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


# --- the parser -----------------------------------------------------------------------------------


def _values(vocabulary: type[StrEnum]) -> list[str]:
    """A vocabulary's plain values for argparse ``choices`` (its error message shows them as is)."""
    return [str(member) for member in vocabulary]


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
    _add_data_commands(sub)
    _add_read_commands(sub)
    return parser


def _count(value: str) -> int:
    """An argparse type: a whole number, 0 or more (``ArgumentTypeError`` names the value)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {number}")
    return number


def _add_data_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="validate the data files and report every problem with file and line")
    p.add_argument(
        "paths", nargs="*", help=".bib files to check on their own, read together in order (macros first)"
    )
    p.add_argument("--max-problems", type=_count, default=None, help="print at most this many problems")
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
    p.add_argument("--max-concurrency", type=int,
                   help="per worker: requests in progress before new ones get 503 "
                        "(EVIDENCE_KB_MAX_CONCURRENCY; default 200)")  # fmt: skip
    p.add_argument("--header-timeout", type=float,
                   help="seconds a client may take to send a request's head (EVIDENCE_KB_HEADER_TIMEOUT; default 10)")  # fmt: skip
    p.add_argument("--body-timeout", type=float,
                   help="seconds a client may take to send a request's body (EVIDENCE_KB_BODY_TIMEOUT; default 20)")  # fmt: skip
    p.add_argument("--no-build", action="store_true",
                   help="serve the database as it is, never build (deployments where 'evidence-kb build' is a release step)")  # fmt: skip
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "dump", help="write the open-data files (JSON, CSV, SQLite, data files) of the current build"
    )
    p.add_argument("directory", help="folder to write into (created if missing)")
    p.set_defaults(func=cmd_dump)


def _add_read_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("factcheck", help="fact-check a post: the claims it makes and what the evidence says")
    p.add_argument("text", help="the post's text ('-' reads standard input)")
    p.add_argument("--json", action="store_true", help="print the API's JSON")
    p.add_argument(
        "--limit", type=int, default=5, choices=range(1, 21), metavar="N", help="at most N claims (1-20)"
    )
    p.add_argument(
        "--context",
        metavar="TITLE",
        help="the title or heading of the page the post comes from (names what its 'it' is)",
    )
    p.set_defaults(func=cmd_factcheck)

    p = sub.add_parser(
        "factcheck-eval", help="measure matching quality on labelled passages (YAML file or directory)"
    )
    p.add_argument(
        "file", help="labelled passages, as in tests/fixtures/factcheck-dev.yaml or factcheck-real/"
    )
    p.add_argument("--part", choices=("dev", "test"), help="only the development or the held-out test part")
    p.add_argument("--language", metavar="CODE", help="only passages labelled with this language (e.g. en)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_factcheck_eval)

    p = sub.add_parser(
        "export",
        help="export citations: BibTeX, RIS, CSL-JSON, APA or Vancouver",
        description="Export the studies of a claim, a search or the whole knowledge base.",
    )
    p.add_argument("--format", "-f", required=True, choices=_values(ExportFormat), help="output format")
    p.add_argument(
        "--study", action="append", default=[], metavar="KEY", help="a study's BibTeX key (repeatable)"
    )
    p.add_argument(
        "--claim", action="append", default=[], metavar="ID", help="the studies behind a claim (repeatable)"
    )
    p.add_argument("--q", default="", metavar="QUERY", help="the studies behind the claims a search finds")
    p.add_argument("--topic", action="append", default=[], help="search filter (repeatable)")
    p.add_argument(
        "--verdict", action="append", default=[], choices=_values(Verdict), help="search filter (repeatable)"
    )
    p.add_argument(
        "--grade", action="append", default=[], choices=_values(Certainty), help="search filter (repeatable)"
    )
    p.add_argument(
        "--appraisal", action="store_true", help="BibTeX: keep the appraisal fields (design, samplesize, ...)"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=cmd_export)


def _closed_stdout() -> int:
    """The reader of standard output went away (``evidence-kb export ... | head``): exit quietly
    with the shell's status for SIGPIPE, as Python's documentation advises (stdout is pointed
    at /dev/null so that the interpreter's final flush does not complain again)."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 141


#: Set while the database URL in use came from --database-url (a message names the option).
_URL_FROM_OPTION = "EVIDENCE_KB_CLI_URL_FROM_OPTION"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.data_dir:
        os.environ["EVIDENCE_KB_DATA_DIR"] = args.data_dir
    if args.database_url:
        os.environ["EVIDENCE_KB_DATABASE_URL"] = args.database_url
        os.environ[_URL_FROM_OPTION] = "1"
    else:
        os.environ.pop(_URL_FROM_OPTION, None)
    get_settings.cache_clear()
    try:
        status = _run(args)
        sys.stdout.flush()  # here, so that a closed pipe is caught below and not at exit
        return status
    except BrokenPipeError:  # also while printing the problems of a failure
        return _closed_stdout()


def _run(args: argparse.Namespace) -> int:
    """The command's exit status; a failure ``failure_message`` knows is printed, status 1."""
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        raise
    except Exception as exc:
        message = failure_message(args.command, exc)
        if message is None:
            raise
        _err(message)
        return 1


if __name__ == "__main__":
    sys.exit(main())
