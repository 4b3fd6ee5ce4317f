"""The areas measured against a running ``evidence-kb serve``: HTTP throughput (``wrk``) and server
memory (RSS and PSS per process, idle and warm, per worker count).

Servers listen on 127.0.0.1 only and are stopped by process group when an area ends (also on an
error). Both areas are bounded: ``wrk`` runs for ``--duration`` seconds, the memory area reads a
fixed number of claims (``--memory-claims``).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import generate
from bench.common import (
    EVIDENCE_KB,
    OUT,
    PYTHON,
    SEARCH_QUERIES,
    SEED,
    ensure_built,
    kb_dir,
    record,
    table,
)
from bench.procs import free_port, load_average, process_memory, server

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
    cmd = ["taskset", "-c", cpu, "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency",
           "--timeout", "5s"]  # fmt: skip
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


def claim_ids(size: int) -> list[str]:
    """The generated knowledge base's claim ids in file order (read from claims.yaml, not through
    the app, so that a server running another version of it can be measured)."""
    ids = []
    folded = False  # an id past the line width is written as a folded scalar on the next line
    with (kb_dir(size) / "claims.yaml").open(encoding="utf-8") as lines:
        for line in lines:
            if folded:
                ids.append(line.strip())
                folded = False
            elif line.startswith("- id: "):
                value = line[6:].strip()
                folded = value in (">-", ">")
                if not folded:
                    ids.append(value)
    return ids


def http_targets(size: int, hot: int) -> list[Target]:
    ids = claim_ids(size)
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


def fetch(port: int, path: str, body: bytes | None = None) -> int:
    """One request; its status (0 when it failed to connect or timed out)."""
    headers = {"Content-Type": "application/json"} if body else {}
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", body, headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            r.read()
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def warm(port: int, paths: list[str], threads: int = 1) -> dict[int, int]:
    """Request every path (``threads`` at a time, so that every worker gets some); statuses counted."""
    counts: dict[int, int] = {}
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for status in pool.map(lambda p: fetch(port, p), paths):
            counts[status] = counts.get(status, 0) + 1
    return counts


def bench_http(args: argparse.Namespace) -> None:
    rows = []
    for backend in args.backends:
        for size in args.sizes:
            env = ensure_built(backend, size, timeout=args.timeout, memory_cap_mb=args.memory_cap_mb)
            targets = [t for t in http_targets(size, args.hot) if t.name not in args.skip]
            for workers in args.workers:
                figures = measure_http(env, targets, workers, args)
                record(f"http-{workers}w", backend, size, figures)
                for name, result in figures.items():
                    if isinstance(result, dict) and "rps" in result:
                        rows.append(
                            {
                                "backend": backend,
                                "claims": size,
                                "workers": workers,
                                "endpoint": name,
                                **result,
                            }
                        )
                print(f"{backend}, {size}, {workers} worker(s): load average {figures['load_average_before']}",
                      file=sys.stderr)  # fmt: skip
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
    serve_cmd = [str(EVIDENCE_KB), "serve", "--no-build", "--port", str(port), "--workers", str(workers)]
    rounds: dict[str, list[dict[str, Any]]] = {}
    figures: dict[str, Any] = {"load_average_before": load_average()}
    with (
        server(trivial_cmd, env, trivial_port, cpus),
        server(serve_cmd, env, port, cpus, idle_limit=args.idle_limit) as proc,
    ):
        figures["memory_idle"] = process_memory(proc.pid)
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
        figures["memory_after"] = process_memory(proc.pid)
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


# --- memory -------------------------------------------------------------------------------------


def workers_of(memory: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(worker processes, the others) of a server's process list (``procs.process_memory``, root
    first): with one worker the server process itself serves; with several, uvicorn's supervisor
    starts them (multiprocessing's helpers, such as its resource tracker, are not workers)."""
    children = [
        p for p in memory[1:] if not re.search(r"resource_tracker|forkserver|semaphore", p["command"])
    ]
    if not children:
        return memory[:1], memory[1:]
    return children, [p for p in memory if p not in children]


def memory_summary(memory: list[dict[str, Any]]) -> dict[str, Any]:
    workers, others = workers_of(memory)
    return {
        "worker_rss_mb": max(p["rss_mb"] for p in workers),
        "worker_pss_mb": max(p["pss_mb"] for p in workers),
        "workers_rss_mb": [p["rss_mb"] for p in workers],
        "workers_pss_mb": [p["pss_mb"] for p in workers],
        "total_rss_mb": round(sum(p["rss_mb"] for p in memory), 1),
        "total_pss_mb": round(sum(p["pss_mb"] for p in memory), 1),
        "other_processes": [
            f"{p['command'][:40]}: {p['rss_mb']} MB RSS, {p['pss_mb']} MB PSS" for p in others
        ],
    }


def bench_memory(args: argparse.Namespace) -> None:
    """Server RSS and PSS per process: idle after start (and after its background warm-up), then
    warm: after reading ``--memory-claims`` claims as JSON and as pages (4 requests at a time, so
    that every worker gets some), the 12 searches and 20 fact-checks."""
    rows = []
    for backend in args.backends:
        for size in args.sizes:
            env = ensure_built(backend, size, timeout=args.timeout, memory_cap_mb=args.memory_cap_mb)
            ids = claim_ids(size)[: args.memory_claims]
            posts = [
                json.dumps({"text": t}).encode()
                for t, _ in generate.posts(generate.claim_topics(size, SEED), 20)
            ]
            for workers in args.workers:
                port = free_port()
                cmd = [
                    str(EVIDENCE_KB),
                    "serve",
                    "--no-build",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                ]
                load_before = load_average()
                started = time.perf_counter()
                with server(cmd, env, port, None, idle_limit=args.idle_limit) as proc:
                    start_s = round(time.perf_counter() - started, 1)
                    idle = process_memory(proc.pid)
                    started = time.perf_counter()
                    statuses = warm(
                        port, [f"/api/v1/claims/{i}" for i in ids] + [f"/claims/{i}" for i in ids], 4
                    )
                    search = [f"/api/v1/claims?q={urllib.request.quote(q)}" for q in SEARCH_QUERIES]
                    for status, n in warm(port, search * workers, 2).items():
                        statuses[status] = statuses.get(status, 0) + n
                    with concurrent.futures.ThreadPoolExecutor(2) as pool:
                        for status in pool.map(
                            lambda b, port=port: fetch(port, "/api/v1/factcheck", b), posts
                        ):
                            statuses[status] = statuses.get(status, 0) + 1
                    warm_s = round(time.perf_counter() - started, 1)
                    warmed = process_memory(proc.pid)
                figures = {
                    "workers": workers,
                    "idle": memory_summary(idle),
                    "warm": memory_summary(warmed),
                    "processes_idle": idle,
                    "processes_warm": warmed,
                    "claims_read": len(ids),
                    "statuses": {str(k): v for k, v in sorted(statuses.items())},
                    "start_and_settle_s": start_s,
                    "warm_s": warm_s,
                    "load_average_before": load_before,
                }
                # the growth chart's series: one worker, warm RSS
                if workers == 1:
                    figures["rss_idle_mb"] = figures["idle"]["worker_rss_mb"]
                    figures["rss_warm_mb"] = figures["warm"]["worker_rss_mb"]
                record("memory" if workers == 1 else f"memory-{workers}w", backend, size, figures)
                rows.append({"backend": backend, "claims": size, "workers": workers,
                             "idle RSS / PSS per worker": f"{figures['idle']['worker_rss_mb']} / {figures['idle']['worker_pss_mb']}",
                             "warm RSS / PSS per worker": f"{figures['warm']['worker_rss_mb']} / {figures['warm']['worker_pss_mb']}",
                             "total PSS idle / warm": f"{figures['idle']['total_pss_mb']} / {figures['warm']['total_pss_mb']}",
                             "statuses": figures["statuses"], "load": load_before[0]})  # fmt: skip
    table("Server memory (evidence-kb serve --no-build: MB per worker, idle and warm)", rows,
          ["backend", "claims", "workers", "idle RSS / PSS per worker", "warm RSS / PSS per worker",
           "total PSS idle / warm", "statuses", "load"])  # fmt: skip
