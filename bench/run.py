"""Benchmarks: build, incremental build, search, fact-check, export, HTTP throughput and memory, per
size and backend.

    .venv/bin/python bench/run.py all --sizes 1000,10000 --backends sqlite,postgres
    .venv/bin/python bench/run.py build --sizes 10000,100000 --backends sqlite,postgres
    .venv/bin/python bench/run.py incremental --sizes 10000
    .venv/bin/python bench/run.py memory --sizes 10000,100000 --workers 1,2
    .venv/bin/python bench/run.py http --sizes 10000 --workers 1,2 --duration 10

Each area prints a table and merges its figures into ``bench/out/results.json`` (``plot.py``
draws the growth chart from it). Knowledge bases are generated once per size into
``bench/out/kb-N`` (see ``generate.py``); databases are ``bench/out/kb-N.db`` and, on
PostgreSQL, ``evidence_kb_bench_N`` (``bench/run.py clean`` drops them).

Every run is bounded, at any size: builds are stopped after ``--timeout`` seconds or once their
process tree passes ``--memory-cap-mb`` (and reported as stopped); the in-process areas (search,
fact-check, export) run in a child process per backend and size under the same two limits and
make a fixed number of calls; ``wrk`` runs for a fixed duration on 127.0.0.1 only; servers started
here are stopped by process group on exit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# bench/ itself off the path: its limits.py would hide the 'limits' package the app imports
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
# PYTHONPATH before this copy again: a child process of --app-path measures that copy of the app
sys.path[:0] = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]

from bench import common, generate, incremental, procs, serverbench  # noqa: E402
from bench.common import (  # noqa: E402  (also what bench/factcheck.py and bench/limits.py use)
    EVIDENCE_KB,
    OUT,
    PG_ADMIN_URL,
    PG_PREFIX,
    PYTHON,
    SEARCH_QUERIES,
    SEED,
    db_name,
    env_for,
    env_with,
    kb_dir,
    open_store,
    pg_database,
    record,
    summary_ms,
    table,
    timed,
)
from bench.procs import free_port, server  # noqa: E402

__all__ = ["EVIDENCE_KB", "SEED", "env_for", "free_port", "open_store", "server", "summary_ms", "table"]


# --- builds ---------------------------------------------------------------------------------------

BUILD_COLUMNS = ["backend", "claims", "files_mb", "check_wall_s", "build_wall_s", "build_cpu_s",
                 "build_peak_rss_mb", "build_tree_hwm_sum_mb", "build_tree_pss_peak_mb",
                 "pg_backend_hwm_mb", "noop_wall_s", "load", "failed"]  # fmt: skip


def build(env: dict[str, str], args: argparse.Namespace, *extra: str) -> dict[str, Any]:
    """``evidence-kb build EXTRA`` measured (``procs.run_measured``), bounded by the area's limits;
    its progress messages with their time and the tree's RSS are kept (``timeline``)."""
    return procs.run_measured(
        [str(EVIDENCE_KB), "build", *extra], env,
        timeout=args.timeout, memory_cap_mb=args.memory_cap_mb, pg_database=db_name(env),
    )  # fmt: skip


def bench_build(args: argparse.Namespace) -> None:
    """Full builds (``--force``, ``--build-repeat`` times, the fastest kept; memory: the largest),
    the no-op build (best of 3) and ``check``."""
    rows = []
    for backend, size in kbs(args):
        env = env_for(backend, size)
        full = [build(env, args, "--force") for _ in range(args.build_repeat)]
        done = [r for r in full if "failed" not in r]
        best = min(done or full, key=lambda r: r["wall_s"])
        figures: dict[str, Any] = {
            "build_wall_s": best["wall_s"],
            "build_cpu_s": best["cpu_s"],
            "build_peak_rss_mb": max(r["peak_rss_mb"] for r in full),
            "build_tree_hwm_sum_mb": max(r["tree_hwm_sum_mb"] for r in full),
            "build_tree_rss_peak_mb": max(r["tree_rss_peak_mb"] for r in full),
            "build_tree_pss_peak_mb": max(r["tree_pss_peak_mb"] for r in full),
            "build_tree_processes": max(r["tree_processes"] for r in full),
            "build_runs_wall_s": [r["wall_s"] for r in full],
            "build_timeline": best["timeline"],
            "build_load_average_before": best["load_average_before"],
            "files_mb": round(sum(p.stat().st_size for p in kb_dir(size).iterdir() if p.is_file()) / 1e6, 1),
        }
        if backend == "postgres":
            figures["pg_backend_hwm_mb"] = max(r.get("pg_backend_hwm_mb", 0) for r in full)
            figures["pg_backend_pss_peak_mb"] = max(r.get("pg_backend_pss_peak_mb", 0) for r in full)
        if done:
            noop = [build(env, args) for _ in range(3)]
            figures["noop_wall_s"] = min(r["wall_s"] for r in noop)
        if done and args.check and backend == args.backends[0]:  # check reads the files only: once per size
            check = procs.run_measured([str(EVIDENCE_KB), "check", "--max-problems", "0"], env,
                                       timeout=args.timeout, memory_cap_mb=args.memory_cap_mb)  # fmt: skip
            figures["check_wall_s"] = check["wall_s"]
            figures["check_peak_rss_mb"] = check["tree_hwm_sum_mb"]
        if not done:
            figures["failed"] = full[0]["failed"]
        record("build", backend, size, figures)
        rows.append({"backend": backend, "claims": size, **figures, "load": best["load_average_before"][0]})
    table("Build (evidence-kb build --force; memory: MB, the whole process tree; no-op: build on unchanged data)",
          rows, BUILD_COLUMNS)  # fmt: skip


def bench_incremental(args: argparse.Namespace) -> None:
    """``bench/incremental.py``: a copy of the knowledge base, one edit at a time, ``evidence-kb
    build`` after each on every backend (the same files for all)."""
    rows = []
    for size in args.sizes:
        folder = incremental.fresh_copy(kb_dir(size), OUT / f"incr-{size}")
        envs = {}
        for backend in args.backends:
            url = (
                f"sqlite:///{OUT / f'incr-{size}.db'}"
                if backend == "sqlite"
                else pg_database(f"{PG_PREFIX}_incr_{size}")
            )
            envs[backend] = env_with(folder, url)
            full = build(envs[backend], args, "--force")
            record("incremental", backend, f"{size} full build", full)
            rows.append({"backend": backend, "claims": size, "edit": "full build (--force)", **full,
                         "load": full["load_average_before"][0]})  # fmt: skip
        for edit in incremental.EDITS:
            if args.edits and edit.name not in args.edits:
                continue
            what = edit.apply(folder)
            for backend, env in envs.items():
                result = build(env, args)
                said = [ln for ln in result.pop("output").splitlines() if ln.strip()]
                figures = {**result, "change": what, "build_said": said[-3:]}
                record("incremental", backend, f"{size} {edit.name}", figures)
                rows.append({"backend": backend, "claims": size, "edit": edit.name, **figures,
                             "load": result["load_average_before"][0]})  # fmt: skip
    table("Incremental builds (evidence-kb build after one edit; memory: MB, whole tree)", rows,
          ["backend", "claims", "edit", "wall_s", "cpu_s", "tree_hwm_sum_mb", "tree_pss_peak_mb", "load", "failed"])  # fmt: skip


# --- in-process areas, each in a bounded child process --------------------------------------------


def kbs(args: argparse.Namespace) -> Iterator[tuple[str, int]]:
    for backend in args.backends:
        for size in args.sizes:
            yield backend, size


def in_child(
    area: str, measure: Callable[[Any, int, argparse.Namespace], dict[str, Any]]
) -> Callable[[argparse.Namespace], None]:
    """An area that measures in process: in a child process per backend and size (``--only``),
    bounded by ``--timeout`` and ``--memory-cap-mb`` (a unit that passes them is recorded as
    stopped, and the run goes on); the database is built first, bounded the same way."""

    def run_area(args: argparse.Namespace) -> None:
        if args.only:
            backend, size = args.only.split(":")
            store = open_store(backend, int(size))
            try:
                figures = measure(store, int(size), args)
            finally:
                store.db.dispose()
            import app

            record(area, backend, int(size), {**figures, "app_from": str(Path(app.__file__).parent)})
            print(f"{area} {backend} {size}: {summary_line(figures)}", flush=True)
            return
        for backend, size in kbs(args):
            try:
                common.ensure_built(backend, size, timeout=args.timeout, memory_cap_mb=args.memory_cap_mb)
            except RuntimeError as exc:
                record(area, backend, size, {"failed": str(exc)})
                print(f"{area} {backend} {size}: not measured: {exc}", flush=True)
                continue
            argv = [str(PYTHON), str(Path(__file__)), area, *args.passthrough, "--only", f"{backend}:{size}"]
            env = {**os.environ, **({"PYTHONPATH": common.APP_PATH} if common.APP_PATH else {})}
            result = procs.run_measured(argv, env, timeout=args.timeout,
                                        memory_cap_mb=args.memory_cap_mb)  # fmt: skip
            print(result["output"], flush=True)
            if "failed" in result:
                record(area, backend, size, {"failed": result["failed"], "wall_s": result["wall_s"]})
            else:
                common.merge(area, backend, size, {"process_peak_rss_mb": result["tree_hwm_sum_mb"]})

    return run_area


def summary_line(figures: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in figures.items() if isinstance(v, int | float | str))


def measure_search(store: Any, _size: int, args: argparse.Namespace) -> dict[str, Any]:
    """``Store.search_claims`` in process (what ``GET /api/v1/claims`` and the search page call):
    the 12 queries x ``--repeat``, and a browse with two filters."""
    from app.store import ClaimQuery

    store.search_claims(ClaimQuery(q="warm up"))  # claim list and synonyms: once per build
    samples: list[float] = []
    per_query = {}
    for q in SEARCH_QUERIES:
        query = ClaimQuery(q=q)
        one = timed(lambda query=query: store.search_claims(query), args.repeat)
        per_query[q] = {**summary_ms(one), "total": store.search_claims(query)["total"]}
        samples += one
    browse = ClaimQuery(topic=["knee-pain"], verdict=["supported"])
    slowest = max(per_query, key=lambda q: per_query[q]["p99_ms"])
    return {
        **summary_ms(samples),
        "per_query": per_query,
        "slowest_query": slowest,
        "slowest_query_p99_ms": per_query[slowest]["p99_ms"],
        "browse_filters": summary_ms(timed(lambda: store.search_claims(browse), args.repeat)),
    }


def measure_factcheck(store: Any, size: int, args: argparse.Namespace) -> dict[str, Any]:
    """``factcheck(store, text)`` on ``--posts`` synthetic posts x ``--repeat``; the first call
    (which builds the matching index) apart; a long post (``--long-post-chars``) once, abandoned
    after ``--long-post-timeout`` seconds (reported as such)."""
    from app.factcheck import factcheck

    posts = generate.posts(generate.claim_topics(size, SEED), args.posts)
    started = time.perf_counter()
    factcheck(store, posts[0][0])  # the first call builds the matching index
    first = time.perf_counter() - started
    samples: list[float] = []
    matched = 0
    for text, _ in posts:
        samples += timed(lambda text=text: factcheck(store, text), args.repeat)
        matched += bool(factcheck(store, text)["matches"])
    figures: dict[str, Any] = {
        **summary_ms(samples),
        "first_call_s": round(first, 2),
        "posts": len(posts),
        "share_matched": round(matched / len(posts), 3),
    }
    long_post = " ".join(text for text, _ in posts)[: args.long_post_chars]
    took: list[float] = []
    worker = threading.Thread(
        target=lambda: took.extend(timed(lambda: factcheck(store, long_post), 1)), daemon=True
    )
    worker.start()
    worker.join(args.long_post_timeout)
    figures["long_post_chars"] = len(long_post)
    figures["long_post_ms"] = (
        round(took[0] * 1000, 1) if took else f"> {args.long_post_timeout * 1000:.0f} (abandoned)"
    )
    return figures


def measure_export(store: Any, _size: int, args: argparse.Namespace) -> dict[str, Any]:
    """Each format for ``--export-studies`` studies fetched by key (as a claim or search scope
    fetches them), best of ``--repeat``; APA and Vancouver on 100; the whole knowledge base (the
    API's default scope) once, unless it holds more than ``--whole-kb-max-studies``."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from app import citations
    from app.models import Study

    with store.db.session() as session:
        keys = list(session.exec(select(Study.key).order_by(col(Study.position)).limit(args.export_studies)))
        total = session.exec(select(func.count(col(Study.key)))).one()
    figures: dict[str, Any] = {"studies": len(keys), "whole_kb_studies": total}
    fetch = timed(lambda: store.studies_raw(keys), args.repeat)
    figures["fetch_s"] = round(min(fetch), 3)
    studies = store.studies_raw(keys)
    for fmt in ("bibtex", "ris", "csl-json"):
        figures[f"{fmt}_s"] = round(
            min(timed(lambda fmt=fmt: citations.export(studies, fmt), args.repeat)), 3
        )
        figures[f"{fmt}_with_fetch_s"] = round(figures["fetch_s"] + figures[f"{fmt}_s"], 3)
    for fmt in ("apa", "vancouver"):  # formatted references: a CSL processor, ms each, so 100
        figures[f"{fmt}_100_s"] = round(timed(lambda fmt=fmt: citations.export(studies[:100], fmt), 1)[0], 3)
    if total <= args.whole_kb_max_studies:
        whole = timed(
            lambda: citations.export(citations.select_studies(store, citations.Scope()), "bibtex"), 1
        )
        figures["whole_kb_bibtex_s"] = round(whole[0], 3)
    else:
        figures["whole_kb_bibtex_s"] = f"not measured (more than {args.whole_kb_max_studies:,} studies)"
    return figures


def measure_pages(_store: Any, size: int, args: argparse.Namespace) -> dict[str, Any]:
    """Claim pages and JSON through the app in process (Starlette's TestClient: routing,
    middleware, the store, rendering; no socket): ``--pages`` claims spread over the knowledge
    base, each requested once (uncached: loaded and rendered), then one claim again and again
    (cached). ``/healthz`` the same way is the test client's own cost per request (subtract it).
    Every answer must be 200."""
    from starlette.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    env = env_for(args.only.split(":")[0], size)
    settings = Settings(
        database_url=env["EVIDENCE_KB_DATABASE_URL"], data_dir=Path(env["EVIDENCE_KB_DATA_DIR"]),
        rate_limit="", rate_limit_expensive="",
    )  # fmt: skip
    client = TestClient(create_app(settings))
    ids = serverbench.claim_ids(size)
    step = max(1, len(ids) // (2 * args.pages + 1))
    spread = ids[::step][: 2 * args.pages + 1]
    statuses: dict[int, int] = {}

    def get(path: str) -> None:
        status = client.get(path).status_code
        statuses[status] = statuses.get(status, 0) + 1

    get(f"/claims/{spread[0]}")  # the claim list, once per build
    pages = [timed(lambda i=i: get(f"/claims/{i}"), 1)[0] for i in spread[1 : args.pages + 1]]
    documents = [timed(lambda i=i: get(f"/api/v1/claims/{i}"), 1)[0] for i in spread[args.pages + 1 :]]
    cached = timed(lambda: get(f"/claims/{spread[1]}"), args.pages)
    baseline = timed(lambda: get("/healthz"), args.pages)  # TestClient's own cost per request
    return {
        "healthz_baseline": summary_ms(baseline),
        "uncached_page": summary_ms(pages),
        "uncached_json": summary_ms(documents),
        "cached_page": summary_ms(cached),
        "statuses": {str(k): v for k, v in statuses.items()},
    }


bench_search = in_child("search", measure_search)
bench_pages = in_child("pages", measure_pages)
bench_factcheck = in_child("factcheck", measure_factcheck)
bench_export = in_child("export", measure_export)


def clean() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{PG_PREFIX}\\_%",)
            )
        ]
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for folder in OUT.glob("incr-*"):
        if folder.is_dir():
            shutil.rmtree(folder)
    print(f"dropped {names or 'nothing'}; remove bench/out/ to drop the generated files and SQLite databases")


AREAS: dict[str, Callable[[argparse.Namespace], None]] = {
    "build": bench_build,
    "incremental": bench_incremental,
    "search": bench_search,
    "factcheck": bench_factcheck,
    "export": bench_export,
    "pages": bench_pages,
    "memory": serverbench.bench_memory,
    "http": serverbench.bench_http,
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="evidence-kb benchmarks (see bench/README.md)")
    p.add_argument("area", choices=[*AREAS, "all", "clean"])
    p.add_argument("--sizes", default="1000,10000", help="claims per knowledge base, comma-separated")
    p.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both")
    p.add_argument("--repeat", type=int, default=20, help="in-process repetitions per query/format")
    p.add_argument(
        "--build-repeat", type=int, default=1, help="full builds per backend and size (the fastest kept)"
    )
    p.add_argument("--posts", type=int, default=200, help="fact-check posts")
    p.add_argument(
        "--no-check", dest="check", action="store_false", help="build: leave out 'evidence-kb check'"
    )
    p.add_argument(
        "--pages", type=int, default=300, help="pages: claims requested once each (as page, as JSON)"
    )
    p.add_argument(
        "--edits", default="", help="incremental: the edits to make, comma-separated (default: all)"
    )
    p.add_argument("--long-post-chars", type=int, default=10_000, help="fact-check: the long post's length")
    p.add_argument(
        "--long-post-timeout",
        type=float,
        default=120,
        help="fact-check: seconds before the long post is abandoned",
    )
    p.add_argument("--export-studies", type=int, default=10_000)
    p.add_argument(
        "--whole-kb-max-studies",
        type=int,
        default=200_000,
        help="export: largest bibliography exported whole",
    )
    p.add_argument("--workers", default="1,2", help="uvicorn workers for the HTTP and memory areas")
    p.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--rounds", type=int, default=3, help="HTTP: measure in turns this often, keep the best")
    p.add_argument("--hot", type=int, default=1000, help="claims in the 'hot' set of the HTTP area")
    p.add_argument(
        "--memory-claims",
        type=int,
        default=2000,
        help="claims read (JSON and page) before measuring warm memory",
    )
    p.add_argument(
        "--idle-limit", type=float, default=900, help="seconds to wait for a server's start-up work to end"
    )
    p.add_argument(
        "--timeout", type=float, default=1800, help="seconds per build, and per area, backend and size"
    )
    p.add_argument(
        "--memory-cap-mb",
        type=float,
        default=12_000,
        help="stop a build or area whose processes pass this RSS",
    )
    p.add_argument("--skip", default="", help="HTTP endpoints to leave out, comma-separated")
    p.add_argument("--label", default="", help='file the figures as "AREA [LABEL]" (e.g. before)')
    p.add_argument("--app-path", help="folder holding another copy of the app package (servers, builds)")
    p.add_argument("--only", default="", help=argparse.SUPPRESS)  # BACKEND:SIZE, in the child process
    return p  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    common.configure(args.app_path, args.label)
    # the options as given, for the child processes of in-process areas (area and --only apart)
    args.passthrough = [a for a in argv if a != args.area]
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.backends = [b for b in args.backends.split(",") if b]
    args.workers = [int(w) for w in args.workers.split(",") if w]
    args.skip = [s.strip() for s in args.skip.split(",") if s.strip()]
    args.edits = [s.strip() for s in args.edits.split(",") if s.strip()]
    if args.area == "clean":
        clean()
        return 0
    for area in list(AREAS) if args.area == "all" else [args.area]:
        AREAS[area](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
