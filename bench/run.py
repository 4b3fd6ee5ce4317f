"""Benchmarks: build, search, fact-check, export, HTTP throughput and memory, per size and backend.

    .venv/bin/python bench/run.py all --sizes 1000,10000 --backends sqlite,postgres
    .venv/bin/python bench/run.py build --sizes 1000,10000,100000 --backends sqlite
    .venv/bin/python bench/run.py http --sizes 10000 --workers 1,2 --duration 10

Each area prints a table and merges its figures into ``bench/out/results.json`` (``plot.py``
draws the growth chart from it). Knowledge bases are generated once per size into
``bench/out/kb-N`` (see ``generate.py``); databases are ``bench/out/kb-N.db`` and, on
PostgreSQL, ``evidence_kb_bench_N`` (``bench/run.py clean`` drops them).

Every run is bounded: a fixed number of in-process calls, and ``wrk`` for a fixed duration on
127.0.0.1 only. Servers started here are stopped by process group on exit.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402

OUT = ROOT / "bench" / "out"
RESULTS = OUT / "results.json"
EVIDENCE_KB = ROOT / ".venv" / "bin" / "evidence-kb"
PYTHON = ROOT / ".venv" / "bin" / "python"
PG_ADMIN_URL = os.environ.get("EVIDENCE_KB_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
SEED = 1

#: Typical reader queries: common and rare words, synonyms ("retro", "HIIT"), several terms, a
#: phrase a post would use, and a word found nowhere.
SEARCH_QUERIES = [
    "knee pain",
    "pain",
    "yoga",
    "retro walking knees",
    "vitamin D depression",
    "tai chi balance older adults",
    "cold plunge recovery",
    "HIIT VO2 max",
    "fish oil inflammation",
    "sleep quality insomnia",
    "creatine sprint performance athletes",
    "xylophone",
]


# --- helpers --------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary_ms(samples: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples]
    return {
        "p50_ms": round(percentile(ms, 50), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "max_ms": round(max(ms), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "n": len(ms),
    }


def table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    print(f"\n## {title}\n")
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join(" --- " for _ in columns) + "|")
    for row in rows:
        print("| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |")
    sys.stdout.flush()


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 10 else f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def record(area: str, backend: str, size: int, figures: dict[str, Any]) -> None:
    """Merge figures into bench/out/results.json (one entry per area, backend and size)."""
    OUT.mkdir(parents=True, exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.setdefault("machine", machine())
    if LABEL:
        area = f"{area} [{LABEL}]"
    results.setdefault(area, {}).setdefault(backend, {})[str(size)] = {
        **figures,
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
    }
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True))


def machine() -> dict[str, Any]:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "?",
    )
    mem_kb = int(
        next(
            ln.split()[1]
            for ln in Path("/proc/meminfo").read_text().splitlines()
            if ln.startswith("MemTotal")
        )
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": sys.version.split()[0],
    }


def kb_dir(size: int) -> Path:
    """The generated knowledge base of this size (written on first use)."""
    path = OUT / f"kb-{size}"
    marker = path / ".generated"
    if not marker.exists() or marker.read_text() != f"{size} {SEED}":
        started = time.perf_counter()
        counts = generate.generate(path, size, seed=SEED)
        marker.write_text(f"{size} {SEED}")
        print(f"generated {counts} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def database_url(backend: str, size: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{OUT / f'kb-{size}.db'}"
    import psycopg

    name = f"evidence_kb_bench_{size}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


#: ``--app-path``: run the servers and builds on another copy of the app (before/after figures:
#: ``git archive COMMIT app | tar -x -C /tmp/before``); in-process areas always use this one.
APP_PATH: str | None = None
#: ``--label``: files the figures under "AREA [LABEL]" in results.json (e.g. "before").
LABEL = ""


def env_for(backend: str, size: int) -> dict[str, str]:
    env = {
        **os.environ,
        "EVIDENCE_KB_DATA_DIR": str(kb_dir(size)),
        "EVIDENCE_KB_DATABASE_URL": database_url(backend, size),
    }
    if APP_PATH:
        env["PYTHONPATH"] = APP_PATH
    return env


def run_measured(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a command; its wall time, CPU time (from the kernel's rusage) and peak memory.

    Peak memory is read from /proc while it runs (``VmHWM`` per process: rusage's maxrss would
    also count this script's own memory, inherited at fork); ``peak_rss_mb`` is the command's
    process, ``peak_rss_tree_mb`` adds the processes it starts (the parallel YAML parse).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, int] = {}
    while proc.poll() is None:
        for pid in process_tree(proc.pid):
            with contextlib.suppress(OSError, StopIteration, ValueError):
                status = Path(f"/proc/{pid}/status").read_text()
                hwm = next(int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmHWM"))
                peaks[pid] = max(peaks.get(pid, 0), hwm)
        time.sleep(0.05)
    wall = time.perf_counter() - started
    out, err = proc.communicate()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the children waited for since `before`
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out}\n{err}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(peaks.get(proc.pid, 0) / 1024, 1),
        "peak_rss_tree_mb": round(sum(peaks.values()) / 1024, 1),
        "output": out.strip(),
    }


def ensure_built(backend: str, size: int) -> dict[str, str]:
    env = env_for(backend, size)
    subprocess.run([str(EVIDENCE_KB), "build", "--quiet"], env=env, check=True, capture_output=True)
    return env


def open_store(backend: str, size: int) -> Any:
    from app.db import Database
    from app.settings import Settings
    from app.store import Store

    env = ensure_built(backend, size)
    settings = Settings(
        database_url=env["EVIDENCE_KB_DATABASE_URL"], data_dir=Path(env["EVIDENCE_KB_DATA_DIR"])
    )
    return Store(Database(settings), cache_bytes=settings.cache_bytes)


def timed(call: Callable[[], Any], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


# --- areas: in process ----------------------------------------------------------------------------


def bench_build(args: argparse.Namespace) -> None:
    rows = []
    for backend in args.backends:
        for size in args.sizes:
            env = env_for(backend, size)
            full = [
                run_measured([str(EVIDENCE_KB), "build", "--force", "--quiet"], env)
                for _ in range(args.repeat)
            ]
            best = min(full, key=lambda r: r["wall_s"])
            noop = [run_measured([str(EVIDENCE_KB), "build", "--quiet"], env) for _ in range(3)]
            check = run_measured([str(EVIDENCE_KB), "check", "--max-problems", "0"], env)
            figures = {
                "build_wall_s": best["wall_s"],
                "build_cpu_s": best["cpu_s"],
                "build_peak_rss_mb": max(r["peak_rss_mb"] for r in full),
                "build_peak_rss_tree_mb": max(r["peak_rss_tree_mb"] for r in full),
                "build_runs_wall_s": [r["wall_s"] for r in full],
                "noop_wall_s": min(r["wall_s"] for r in noop),
                "check_wall_s": check["wall_s"],
                "files_mb": round(
                    sum(p.stat().st_size for p in kb_dir(size).iterdir() if p.is_file()) / 1e6, 1
                ),
            }
            record("build", backend, size, figures)
            rows.append({"backend": backend, "claims": size, **figures})
    table("Build (evidence-kb build --force; no-op: evidence-kb build on unchanged data)", rows,
          ["backend", "claims", "files_mb", "check_wall_s", "build_wall_s", "build_cpu_s", "build_peak_rss_mb", "build_peak_rss_tree_mb", "noop_wall_s"])  # fmt: skip


def kbs(args: argparse.Namespace) -> Iterator[tuple[str, int]]:
    for backend in args.backends:
        for size in args.sizes:
            yield backend, size


def bench_search(args: argparse.Namespace) -> None:
    rows = []
    for backend, size in kbs(args):
        store = open_store(backend, size)
        figures = measure_search(store, args.repeat)
        store.db.dispose()
        record("search", backend, size, figures)
        per_query = figures["per_query"]
        slowest = max(per_query, key=lambda q: per_query[q]["p99_ms"])
        rows.append({"backend": backend, "claims": size, **figures,
                     "slowest query": f"{slowest!r} ({per_query[slowest]['total']} hits)",
                     "browse p99_ms": figures["browse_filters"]["p99_ms"]})  # fmt: skip
    table(f"Search in process (Store.search_claims with facets; {len(SEARCH_QUERIES)} queries x {args.repeat})", rows,
          ["backend", "claims", "p50_ms", "p99_ms", "max_ms", "slowest query", "browse p99_ms"])  # fmt: skip


def measure_search(store: Any, repeat: int) -> dict[str, Any]:
    from app.store import ClaimQuery

    store.search_claims(ClaimQuery(q="warm up"))  # claim list and synonyms: once per build
    samples: list[float] = []
    per_query = {}
    for q in SEARCH_QUERIES:
        query = ClaimQuery(q=q)
        one = timed(lambda query=query: store.search_claims(query), repeat)
        per_query[q] = {**summary_ms(one), "total": store.search_claims(query)["total"]}
        samples += one
    browse = ClaimQuery(topic=["knee-pain"], verdict=["supported"])
    return {
        **summary_ms(samples),
        "per_query": per_query,
        "browse_filters": summary_ms(timed(lambda: store.search_claims(browse), repeat)),
    }


def bench_factcheck(args: argparse.Namespace) -> None:
    rows = []
    for backend, size in kbs(args):
        store = open_store(backend, size)
        posts = generate.posts(generate.claim_topics(size, SEED), args.posts)
        figures = measure_factcheck(store, posts, args.repeat)
        store.db.dispose()
        record("factcheck", backend, size, figures)
        rows.append({"backend": backend, "claims": size, **figures})
    table("Fact-check in process (factcheck(store, text); synthetic posts; first call builds the index)", rows,
          ["backend", "claims", "first_call_s", "p50_ms", "p99_ms", "max_ms", "long_post_p50_ms", "share_matched"])  # fmt: skip


def measure_factcheck(store: Any, posts: list[tuple[str, str | None]], repeat: int) -> dict[str, Any]:
    from app.factcheck import factcheck

    started = time.perf_counter()
    factcheck(store, posts[0][0])  # the first call builds the matching index
    first = time.perf_counter() - started
    samples: list[float] = []
    matched = 0
    for text, _ in posts:
        samples += timed(lambda text=text: factcheck(store, text), repeat)
        matched += bool(factcheck(store, text)["matches"])
    long_post = " ".join(text for text, _ in posts[:40])[:10_000]
    return {
        **summary_ms(samples),
        "first_call_s": round(first, 2),
        "posts": len(posts),
        "share_matched": round(matched / len(posts), 3),
        "long_post_p50_ms": summary_ms(timed(lambda: factcheck(store, long_post), 5))["p50_ms"],
    }


def bench_export(args: argparse.Namespace) -> None:
    rows = []
    for backend, size in kbs(args):
        store = open_store(backend, size)
        figures = measure_export(store, args.export_studies, args.repeat)
        store.db.dispose()
        record("export", backend, size, figures)
        rows.append({"backend": backend, "claims": size, **figures})
    table(f"Export (citations.export of {args.export_studies} studies fetched by key; best of {args.repeat}; "
          "whole knowledge base: select_studies + export, once)", rows,
          ["backend", "claims", "studies", "fetch_s", "bibtex_s", "ris_s", "csl-json_s", "apa_100_s", "vancouver_100_s", "whole_kb_studies", "whole_kb_bibtex_s"])  # fmt: skip


def measure_export(store: Any, count: int, repeat: int) -> dict[str, Any]:
    """Each format for ``count`` studies (fetched by key, as a claim or search scope does), and
    for the whole knowledge base (the API's default scope), each from the database."""
    from app import citations

    keys = [s.key for s in store.studies_raw()][:count]
    figures: dict[str, Any] = {"studies": len(keys)}
    fetch = timed(lambda: store.studies_raw(keys), repeat)
    figures["fetch_s"] = round(min(fetch), 3)
    studies = store.studies_raw(keys)
    for fmt in ("bibtex", "ris", "csl-json"):
        figures[f"{fmt}_s"] = round(min(timed(lambda fmt=fmt: citations.export(studies, fmt), repeat)), 3)
        figures[f"{fmt}_with_fetch_s"] = round(figures["fetch_s"] + figures[f"{fmt}_s"], 3)
    for fmt in ("apa", "vancouver"):  # formatted references: a CSL processor, ms each, so 100
        figures[f"{fmt}_100_s"] = round(timed(lambda fmt=fmt: citations.export(studies[:100], fmt), 1)[0], 3)
    whole = timed(lambda: citations.export(citations.select_studies(store, citations.Scope()), "bibtex"), 1)
    figures["whole_kb_bibtex_s"] = round(whole[0], 3)
    figures["whole_kb_studies"] = len(store.studies_raw())
    return figures


# --- areas: over HTTP -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(
    cmd: list[str], env: dict[str, str], port: int, cpus: str | None
) -> Iterator[subprocess.Popen[bytes]]:
    """A server in its own process group, pinned to ``cpus``; stopped (the whole group) on exit."""
    if cpus:
        cmd = ["taskset", "-c", cpus, *cmd]
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/trivial"
                    if "trivial" in " ".join(cmd)
                    else f"http://127.0.0.1:{port}/api/v1",
                    timeout=2,
                ):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"server did not start: {proc.stderr.read().decode() if proc.stderr else ''}"
                    ) from None
                time.sleep(0.2)
        wait_until_idle(proc.pid)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def process_tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(FileNotFoundError):
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, quiet: float = 1.0, limit: float = 180) -> None:
    """Wait until the server's processes stop using CPU: the app warms up (the fact-check index)
    in the background after start, which would otherwise be measured as request cost."""
    deadline = time.monotonic() + limit
    last = cpu_seconds(process_tree(pid))
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = cpu_seconds(process_tree(pid))
        if now - last < 0.05 * quiet:
            return
        last = now


def process_tree_rss_mb(pid: int) -> dict[str, float]:
    """RSS of a process and its children (uvicorn's master and workers), by pid and command."""
    out: dict[str, float] = {}
    for current in process_tree(pid):
        with contextlib.suppress(FileNotFoundError):
            status = Path(f"/proc/{current}/status").read_text()
            rss = next((int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS")), 0)
            name = Path(f"/proc/{current}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:60]
            out[f"{current} {name}"] = round(rss / 1024, 1)
    return out


WRK_LUA = """
local items = {}
for line in io.lines("%(file)s") do items[#items + 1] = line end
local i = 0
request = function()
  i = i %% #items + 1
  %(body)s
end
"""


def wrk_script(name: str, lines: list[str], post: bool) -> Path:
    """A wrk script cycling through request paths (GET) or JSON bodies (POST)."""
    data = OUT / f"wrk-{name}.txt"
    data.write_text("\n".join(lines) + "\n")
    body = (
        'return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, items[i])'
        if post
        else 'return wrk.format("GET", items[i])'
    )
    script = OUT / f"wrk-{name}.lua"
    script.write_text(WRK_LUA % {"file": data, "body": body})
    return script


_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def run_wrk(url: str, duration: int, connections: int, script: Path | None, cpu: str) -> dict[str, Any]:
    cmd = [
        "taskset",
        "-c",
        cpu,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run(
        [*cmd, url], capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = {
        p: float(v) * _UNIT[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    }
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": round(rps),
        "p50_ms": round(lat.get("50", float("nan")), 2),
        "p99_ms": round(lat.get("99", float("nan")), 2),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


@dataclass
class Target:
    """An endpoint under load: a wrk script cycling through requests, and the paths to request
    once beforehand (a hot set is measured with every document already rendered and cached)."""

    name: str
    script: Path
    path: str = "/"
    warm: list[str] = field(default_factory=list)


def http_targets(store: Any, size: int, hot: int) -> list[Target]:
    ids = list(store.claim_rows())
    posts = generate.posts(generate.claim_topics(size, SEED), 200)
    json_hot = [f"/api/v1/claims/{i}" for i in ids[:hot]]
    page_hot = [f"/claims/{i}" for i in ids[:hot]]
    return [
        Target("claim JSON (hot)", wrk_script("claim-json-hot", json_hot, False), warm=json_hot),
        Target("claim page (hot)", wrk_script("claim-page-hot", page_hot, False), warm=page_hot),
        Target("claim JSON (all ids)", wrk_script("claim-json-all", [f"/api/v1/claims/{i}" for i in ids], False)),
        Target("claim page (all ids)", wrk_script("claim-page-all", [f"/claims/{i}" for i in ids], False)),
        Target("search API", wrk_script("search", [f"/api/v1/claims?q={urllib.request.quote(q)}" for q in SEARCH_QUERIES], False)),
        Target("fact-check API", wrk_script("factcheck", [json.dumps({"text": t}) for t, _ in posts], True), "/api/v1/factcheck"),
    ]  # fmt: skip


def warm(port: int, paths: list[str]) -> None:
    for path in paths:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r,
        ):
            r.read()


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def bench_http(args: argparse.Namespace) -> None:
    rows = []
    for backend, size in kbs(args):
        store = open_store(backend, size)
        env = env_for(backend, size)
        targets = [t for t in http_targets(store, size, args.hot) if t.name not in args.skip]
        store.db.dispose()
        for workers in args.workers:
            figures = measure_http(env, targets, workers, args)
            record(f"http-{workers}w", backend, size, figures)
            for name, result in figures.items():
                if isinstance(result, dict) and "rps" in result:
                    rows.append(
                        {"backend": backend, "claims": size, "workers": workers, "endpoint": name, **result}
                    )
            print(f"{backend}, {size}, {workers} worker(s): load average {figures['load_average_before']}; "
                  f"server RSS after the run {figures['rss_after_mb']}", file=sys.stderr)  # fmt: skip
    table(f"HTTP throughput (wrk -t1 -c{args.connections} -d{args.duration}s on 127.0.0.1, pinned to core 1)", rows,
          ["backend", "claims", "workers", "endpoint", "rps", "ratio_to_trivial", "p50_ms", "p99_ms", "non_2xx"])  # fmt: skip


def measure_http(
    env: dict[str, str], targets: list[Target], workers: int, args: argparse.Namespace
) -> dict[str, Any]:
    """The trivial app and evidence-kb, served the same way and side by side, measured in turns.

    Other work on the machine comes and goes, so the measurement runs ``--rounds`` times in
    turns (trivial, then each endpoint) and keeps each one's best round: the least disturbed.
    """
    # One worker: the servers on core 0, wrk on core 1. Two workers need both cores, so wrk
    # shares one with them (the trivial app is served the same way, so the ratio stays fair).
    cpus = "0" if workers == 1 else None
    trivial_port, port = free_port(), free_port()
    trivial_cmd = [str(PYTHON), "-m", "uvicorn", "bench.trivial_app:app", "--workers", str(workers),
                   "--no-access-log", "--log-level", "warning", "--port", str(trivial_port)]  # fmt: skip
    serve_cmd = [str(EVIDENCE_KB), "serve", "--port", str(port), "--workers", str(workers)]
    rounds: dict[str, list[dict[str, Any]]] = {}
    figures: dict[str, Any] = {"load_average_before": load_average()}
    with server(trivial_cmd, env, trivial_port, cpus), server(serve_cmd, env, port, cpus) as proc:
        figures["rss_idle_mb"] = process_tree_rss_mb(proc.pid)
        for target in targets:
            for _ in range(workers):  # each worker has its own cache; requests spread over them
                warm(port, target.warm)
            run_wrk(f"http://127.0.0.1:{port}{target.path}", 2, args.connections, target.script, "1")
        for _ in range(args.rounds):
            url = f"http://127.0.0.1:{trivial_port}/trivial"
            rounds.setdefault("trivial", []).append(run_wrk(url, args.duration, args.connections, None, "1"))
            for target in targets:
                url = f"http://127.0.0.1:{port}{target.path}"
                rounds.setdefault(target.name, []).append(
                    run_wrk(url, args.duration, args.connections, target.script, "1")
                )
        figures["rss_after_mb"] = process_tree_rss_mb(proc.pid)
    figures["load_average_after"] = load_average()
    baseline = max(r["rps"] for r in rounds["trivial"])
    for name, results in rounds.items():
        best = max(results, key=lambda r: r["rps"])
        figures[name] = {
            **best,
            "ratio_to_trivial": round(best["rps"] / baseline, 2),
            "rounds_rps": [r["rps"] for r in results],
        }
    return figures


def bench_memory(args: argparse.Namespace) -> None:
    """Server RSS: idle after start, then after reading every claim (JSON and page), searching and
    fact-checking (the caches and the fact-check index are then at their largest)."""
    rows = []
    for backend in args.backends:
        for size in args.sizes:
            store = open_store(backend, size)
            ids = list(store.claim_rows())
            store.db.dispose()
            env = env_for(backend, size)
            port = free_port()
            with server([str(EVIDENCE_KB), "serve", "--port", str(port)], env, port, None) as proc:
                idle = sum(process_tree_rss_mb(proc.pid).values())
                started = time.perf_counter()
                warm(
                    port,
                    [f"/api/v1/claims/{i}" for i in ids[: args.memory_claims]]
                    + [f"/claims/{i}" for i in ids[: args.memory_claims]],
                )
                warm(port, [f"/api/v1/claims?q={urllib.request.quote(q)}" for q in SEARCH_QUERIES])
                body = json.dumps({"text": "yoga fixed my back pain"}).encode()
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/factcheck", body, {"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(req, timeout=120) as r:
                    r.read()
                warmed = sum(process_tree_rss_mb(proc.pid).values())
                figures = {"rss_idle_mb": round(idle, 1), "rss_warm_mb": round(warmed, 1),
                           "claims_read": min(len(ids), args.memory_claims), "warm_s": round(time.perf_counter() - started, 1)}  # fmt: skip
            record("memory", backend, size, figures)
            rows.append({"backend": backend, "claims": size, **figures})
    table("Server memory (evidence-kb serve, 1 worker: RSS idle, and warm = after reading claims as JSON and page, searching, fact-checking)",
          rows, ["backend", "claims", "rss_idle_mb", "rss_warm_mb", "claims_read", "warm_s"])  # fmt: skip


def clean() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        names = [
            r[0]
            for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'evidence_kb_bench_%'")
        ]
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"dropped {names or 'nothing'}; remove bench/out/ to drop the generated files and SQLite databases")


AREAS: dict[str, Callable[[argparse.Namespace], None]] = {
    "build": bench_build,
    "search": bench_search,
    "factcheck": bench_factcheck,
    "export": bench_export,
    "memory": bench_memory,
    "http": bench_http,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="evidence-kb benchmarks (see bench/README.md)")
    parser.add_argument("area", choices=[*AREAS, "all", "clean"])
    parser.add_argument("--sizes", default="1000,10000", help="claims per knowledge base, comma-separated")
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument(
        "--repeat", type=int, default=20, help="in-process repetitions per query/format (build: full builds)"
    )
    parser.add_argument("--posts", type=int, default=200, help="fact-check posts")
    parser.add_argument("--export-studies", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2", help="uvicorn workers for the HTTP area")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--rounds", type=int, default=3, help="HTTP: measure in turns this often, keep the best"
    )
    parser.add_argument("--hot", type=int, default=1000, help="claims in the 'hot' set of the HTTP area")
    parser.add_argument(
        "--memory-claims", type=int, default=100_000, help="claims read before measuring warm memory"
    )
    parser.add_argument("--skip", default="", help="HTTP endpoints to leave out, comma-separated")
    parser.add_argument("--label", default="", help='file the figures as "AREA [LABEL]" (e.g. before)')
    parser.add_argument("--app-path", help="folder holding another copy of the app package (servers, builds)")
    args = parser.parse_args(argv)
    global APP_PATH, LABEL
    APP_PATH, LABEL = args.app_path, args.label
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.backends = [b for b in args.backends.split(",") if b]
    args.workers = [int(w) for w in args.workers.split(",") if w]
    args.skip = [s.strip() for s in args.skip.split(",") if s.strip()]
    if args.area == "build" and args.repeat == parser.get_default("repeat"):
        args.repeat = 1
    if args.area == "clean":
        clean()
        return 0
    areas = list(AREAS) if args.area == "all" else [args.area]
    for area in areas:
        if area == "build" and args.area == "all":
            AREAS[area](argparse.Namespace(**{**vars(args), "repeat": 1}))
        else:
            AREAS[area](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
