"""What every benchmark area shares: paths, the generated knowledge bases and their databases,
timing and percentiles, Markdown tables, and ``bench/out/results.json``.

Every figure is recorded with the time it was taken, the load average then (1, 5, 15 minutes;
the machine has 2 cores and is shared) and the commit of the code measured.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import generate, procs  # noqa: E402

OUT = ROOT / "bench" / "out"
RESULTS = OUT / "results.json"
EVIDENCE_KB = ROOT / ".venv" / "bin" / "evidence-kb"
PYTHON = ROOT / ".venv" / "bin" / "python"
PG_ADMIN_URL = os.environ.get("EVIDENCE_KB_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
#: The PostgreSQL databases' name prefix: sessions sharing one server each set their own.
PG_PREFIX = os.environ.get("EVIDENCE_KB_BENCH_PG_PREFIX", "evidence_kb_bench")
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

#: ``--app-path``: run the servers and builds on another copy of the app (before/after figures:
#: ``git archive COMMIT app | tar -x -C /tmp/before``); in-process areas always use this one.
APP_PATH: str | None = None
#: ``--label``: files the figures under "AREA [LABEL]" in results.json (e.g. "before").
LABEL = ""


def configure(app_path: str | None, label: str) -> None:
    global APP_PATH, LABEL
    APP_PATH, LABEL = app_path, label


# --- figures ------------------------------------------------------------------------------------


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


def timed(call: Callable[[], Any], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


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


def code_version() -> str:
    """The commit measured (of --app-path's copy when given, as its label says), '+' if edited."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "app"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return head + ("+" if dirty else "")


def record(area: str, backend: str, size: int | str, figures: dict[str, Any]) -> None:
    """Merge figures into bench/out/results.json (one entry per area, backend and size), with the
    time, the load average and the commit."""
    OUT.mkdir(parents=True, exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.setdefault("machine", machine())
    if LABEL:
        area = f"{area} [{LABEL}]"
    results.setdefault(area, {}).setdefault(backend, {})[str(size)] = {
        **figures,
        "measured_at": time.strftime("%Y-%m-%d %H:%M", time.gmtime()) + " UTC",
        "load_average_at_end": procs.load_average(),
        "commit": code_version() if not APP_PATH else f"app from {APP_PATH}",
    }
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=1, sort_keys=True))
    tmp.replace(RESULTS)


def merge(area: str, backend: str, size: int | str, figures: dict[str, Any]) -> None:
    """Add figures to an entry ``record`` wrote (e.g. a child process's memory, seen by its parent)."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    entry = results.get(f"{area} [{LABEL}]" if LABEL else area, {}).get(backend, {}).get(str(size))
    if entry is not None:
        entry.update(figures)
        tmp = RESULTS.with_suffix(".tmp")
        tmp.write_text(json.dumps(results, indent=1, sort_keys=True))
        tmp.replace(RESULTS)


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


# --- knowledge bases and databases --------------------------------------------------------------


def kb_dir(size: int) -> Path:
    """The generated knowledge base of this size (written on first use, streaming)."""
    path = OUT / f"kb-{size}"
    marker = path / ".generated"
    if not marker.exists() or marker.read_text() != f"{size} {SEED}":
        started = time.perf_counter()
        counts = generate.generate(path, size, seed=SEED)
        marker.write_text(f"{size} {SEED}")
        print(f"generated {counts} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def pg_database(name: str) -> str:
    """The URL of PostgreSQL database ``name`` on EVIDENCE_KB_BENCH_PG (created if missing)."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def database_url(backend: str, size: int | str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{OUT / f'kb-{size}.db'}"
    return pg_database(f"{PG_PREFIX}_{size}")


def env_with(data_dir: Path, url: str) -> dict[str, str]:
    """The environment of a build or server: its data, its database, no per-client rate limits
    (the benchmarks measure the server's cost, not the limiter), and --app-path's code if given."""
    env = {
        **os.environ,
        "EVIDENCE_KB_DATA_DIR": str(data_dir),
        "EVIDENCE_KB_DATABASE_URL": url,
        "EVIDENCE_KB_RATE_LIMIT": "",
        "EVIDENCE_KB_RATE_LIMIT_EXPENSIVE": "",
    }
    if APP_PATH:
        env["PYTHONPATH"] = APP_PATH
    return env


def env_for(backend: str, size: int) -> dict[str, str]:
    return env_with(kb_dir(size), database_url(backend, size))


def db_name(env: dict[str, str]) -> str | None:
    """The PostgreSQL database of an environment (None on SQLite): its server process is watched."""
    url = env["EVIDENCE_KB_DATABASE_URL"]
    return url.rsplit("/", 1)[1] if url.startswith("postgresql") else None


def ensure_built(
    backend: str, size: int, *, timeout: float = 3600, memory_cap_mb: float = 12_000
) -> dict[str, str]:
    """Build the knowledge base's database if it is not current (bounded like every build here);
    RuntimeError naming why when the build fails or is stopped."""
    env = env_for(backend, size)
    result = procs.run_measured(
        [str(EVIDENCE_KB), "build", "--quiet"], env, timeout=timeout, memory_cap_mb=memory_cap_mb
    )
    if "failed" in result:
        raise RuntimeError(f"build of {size} claims on {backend}: {result['failed']}")
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
