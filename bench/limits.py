"""Budgets and overload protection under load (issue 13): figures for docs/performance.md.

    .venv/bin/python bench/limits.py --kb bench/out/kb-10000 --db bench/out/kb-10000.db [--workers 2]
        [--database-url postgresql://...]   # a database already built from --kb

Scenarios, each against a fresh ``evidence-kb serve --no-build`` on 127.0.0.1 (rate limits off,
so that the server's own capacity is measured, not the per-client limiter):

1. readers: three clients send the largest accepted fact-check batch (posts of 10,000
   characters up to the batch budget, ``batch_max_chars``, or ``--posts N`` posts sharing it:
   100 is the costlier shape) back to back for ``--seconds``; meanwhile one
   reader fetches a claim, a search (API) and a search page in turn. Latency per kind, statuses.
2. studies: ``GET /api/v1/studies?limit=1`` and the ``/studies`` page, 100 times each.
3. flood: ``--connections`` concurrent connections (wrk, a client in C) cycling the claim page, a search and a
   fact-check for ``--seconds``: statuses, p50/p99 of answered requests, memory (resident in
   all, anonymous per process: ``memory``) before, at the end, 10 s and 30 s after.
4. slowloris: ``--slow`` connections that send an unfinished request head, while one client
   fetches a claim every 100 ms: its latencies and failures, and how many slow connections the
   server had closed after the header timeout.

Prints one JSON document (also written to bench/out/limits-*.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50_ms": pct(values, 0.5), "p95_ms": pct(values, 0.95),
            "p99_ms": pct(values, 0.99), "max_ms": round(max(values) * 1000, 1) if values else 0}  # fmt: skip


def _descendants(pid: int, depth: int = 0) -> list[tuple[int, int]]:
    """(pid, depth) of ``pid`` and every process under it."""
    found = [(pid, depth)]
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    for child in children:
        found += _descendants(int(child), depth + 1)
    return found


def _role(pid: int, depth: int, workers: int) -> str:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "gone"
    if "resource_tracker" in cmdline:
        return "resource tracker"
    if depth == 0:
        return "worker" if workers == 1 else "supervisor"
    if depth == 1 and workers > 1:
        return "worker"
    return "expensive-work child"


def memory(pid: int, workers: int) -> dict[str, Any]:
    """Resident memory of the server and every process under it (MB), and the anonymous memory
    of each (``/proc/PID/smaps_rollup``: what the process itself allocated, without the pages of
    mapped files such as the fact-check index), by role."""
    total_kb = 0
    anon: dict[str, list[float]] = {}
    for p, depth in _descendants(pid):
        try:
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        fields = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:] if line.endswith("kB")}
        total_kb += fields.get("Rss", 0)
        anon.setdefault(_role(p, depth, workers), []).append(round(fields.get("Anonymous", 0) / 1024, 1))
    return {"rss_mb": round(total_kb / 1024, 1), "anon_mb": anon}


class Server:
    def __init__(self, args: argparse.Namespace, **env: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        environ = {**os.environ, "EVIDENCE_KB_RATE_LIMIT": "", "EVIDENCE_KB_RATE_LIMIT_EXPENSIVE": "", **env}
        url = args.database_url or f"sqlite:///{Path(args.db).resolve()}"
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "evidence-kb"), "--data-dir", args.kb, "--database-url", url,
             "serve", "--no-build", "--port", str(self.port), "--workers", str(args.workers)],
            env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/api/v1/claims?limit=1", timeout=60).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        # Warm the fact-check index (built once per build and worker).
        for _ in range(args.workers * 2):
            httpx.post(self.base + "/api/v1/factcheck", json={"text": "warm up"}, timeout=120)

    def stop(self) -> None:
        os.killpg(self.proc.pid, 15)
        self.proc.wait(30)


def claim_ids(base: str) -> tuple[list[str], list[str]]:
    home = httpx.get(base + "/api/v1", params={"limit": 1000}, timeout=60).json()
    ids = [c["id"] for c in home["claims"]]
    words = sorted(
        {w.strip(".,").lower() for c in home["claims"] for w in c["statement"].split() if len(w) > 6}
    )
    return ids, words


def big_batch(base: str, posts: int = 0) -> dict[str, Any]:
    """The largest batch the budget accepts, of claim statements (dense with matches), limit 20:
    by default as many 10,000-character posts as fit (2); ``posts``: that many posts sharing the
    budget (100: the most posts a batch may hold, the costlier shape)."""
    home = httpx.get(base + "/api/v1", params={"limit": 400}, timeout=60).json()
    text = " ".join(c["statement"] for c in home["claims"])
    budget = Settings().batch_max_chars
    count = posts or max(1, budget // 10_000)
    per_post = min(10_000, budget // count)
    step = 100 if not posts else per_post
    batch = [{"id": str(i), "text": (text * 3)[i * step : i * step + per_post]} for i in range(count)]
    return {"posts": batch, "limit": 20}


async def readers(args: argparse.Namespace) -> dict[str, Any]:
    server = Server(args)
    try:
        ids, words = claim_ids(server.base)
        batch = big_batch(server.base, args.posts)
        stop = time.monotonic() + args.seconds
        batch_status: dict[int, int] = {}
        batch_times: list[float] = []
        # healthz never leaves the event loop: its latency is the loop's lag (GIL, CPU).
        lat: dict[str, list[float]] = {"claim": [], "search": [], "search-page": [], "healthz": []}
        statuses: dict[int, int] = {}
        async with httpx.AsyncClient(base_url=server.base, timeout=120) as client:

            async def sender() -> None:
                while time.monotonic() < stop:
                    t = time.perf_counter()
                    r = await client.post("/api/v1/factcheck/batch", json=batch)
                    batch_times.append(time.perf_counter() - t)
                    batch_status[r.status_code] = batch_status.get(r.status_code, 0) + 1
                    if r.status_code != 200:
                        await asyncio.sleep(float(r.headers.get("retry-after", "1")) / 5)

            async def reader() -> None:
                rnd = random.Random(1)
                await asyncio.sleep(1)
                while time.monotonic() < stop:
                    for kind, path in (("claim", f"/api/v1/claims/{rnd.choice(ids)}"),
                                       ("search", f"/api/v1/claims?q={rnd.choice(words)}"),
                                       ("search-page", f"/claims?q={rnd.choice(words)}"),
                                       ("healthz", "/healthz")):  # fmt: skip
                        t = time.perf_counter()
                        r = await client.get(path)
                        lat[kind].append(time.perf_counter() - t)
                        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

            await asyncio.gather(sender(), sender(), sender(), reader())
        return {"reader": {k: summary(v) for k, v in lat.items()}, "reader_statuses": statuses,
                "batch_statuses": batch_status, "batch": summary(batch_times)}  # fmt: skip
    finally:
        server.stop()


def studies(args: argparse.Namespace) -> dict[str, Any]:
    server = Server(args)
    try:
        out = {}
        with httpx.Client(base_url=server.base, timeout=60) as client:
            for path in (
                "/api/v1/studies?limit=1",
                "/studies",
                "/api/v1/studies?limit=1&cited=false&offset=40000",
            ):
                client.get(path)
                times = []
                for _ in range(100):
                    t = time.perf_counter()
                    assert client.get(path).status_code == 200
                    times.append(time.perf_counter() - t)
                out[path] = summary(times)
        return out
    finally:
        server.stop()


FLOOD_LUA = r"""
-- Cycles a claim page, a search and a fact-check; counts the statuses and the 429/503 answers
-- without Retry-After per thread, and prints them with the latency percentiles at the end.
local items = {}
for line in io.lines("%(file)s") do table.insert(items, line) end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {}; missing = 0; n = math.random(#items) end
function request()
  n = n + 1
  local item = items[(n %% #items) + 1]
  local method, path, body = item:match("^(%%S+) (%%S+) ?(.*)$")
  if method == "POST" then
    return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET", path)
end
function response(status, headers, body)
  local key = tostring(status)
  counts[key] = (counts[key] or 0) + 1
  if (status == 429 or status == 503) and headers["retry-after"] == nil and headers["Retry-After"] == nil then
    missing = missing + 1
  end
end
function done(summary, latency, requests)
  local total, miss = {}, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do total[k] = (total[k] or 0) + v end
    miss = miss + t:get("missing")
  end
  io.write("STATUSES")
  for k, v in pairs(total) do io.write(" " .. k .. "=" .. v) end
  io.write("\nMISSING " .. miss .. "\n")
  io.write(string.format("LATENCY %%d %%d %%d %%d %%d\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.requests))
  local e = summary.errors
  io.write(string.format("ERRORS connect=%%d read=%%d write=%%d timeout=%%d\n", e.connect, e.read, e.write, e.timeout))
end
"""


async def flood(args: argparse.Namespace) -> dict[str, Any]:
    """``--connections`` connections at once (wrk, 2 threads: a client in C, so the figures are the
    server's and not a Python client's queue), cycling a claim page, a search and a fact-check."""
    server = Server(args)
    try:
        ids, words = claim_ids(server.base)
        rnd = random.Random(1)
        items = []
        for i in range(3000):
            if i % 3 == 0:
                items.append(f"GET /claims/{rnd.choice(ids)}")
            elif i % 3 == 1:
                items.append(f"GET /api/v1/claims?q={rnd.choice(words)}")
            else:
                body = json.dumps({"text": f"Does {rnd.choice(words)} help knee pain?"})
                items.append(f"POST /api/v1/factcheck {body}")
        out_dir = ROOT / "bench" / "out"
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "flood-items.txt").write_text("\n".join(items) + "\n")
        script = out_dir / "flood.lua"
        script.write_text(FLOOD_LUA % {"file": out_dir / "flood-items.txt"})
        idle = memory(server.proc.pid, args.workers)
        cmd = ["wrk", "-t2", f"-c{args.connections}", f"-d{int(args.seconds)}s", "--timeout", "30s",
               "-s", str(script), server.base]  # fmt: skip
        done = await asyncio.to_thread(
            subprocess.run, cmd, capture_output=True, text=True, timeout=args.seconds + 90
        )
        busy = memory(server.proc.pid, args.workers)
        await asyncio.sleep(10)
        after10 = memory(server.proc.pid, args.workers)
        await asyncio.sleep(20)
        after30 = memory(server.proc.pid, args.workers)
        text = done.stdout
        statuses = dict(kv.split("=") for kv in re.search(r"^STATUSES(.*)$", text, re.M).group(1).split())  # type: ignore[union-attr]
        p50, p95, p99, top, requests = (
            int(v) for v in re.search(r"^LATENCY (.*)$", text, re.M).group(1).split()
        )  # type: ignore[union-attr]
        errors = dict(kv.split("=") for kv in re.search(r"^ERRORS (.*)$", text, re.M).group(1).split())  # type: ignore[union-attr]
        return {"connections": args.connections, "seconds": args.seconds, "client": "wrk -t2",
                "statuses": {k: int(v) for k, v in sorted(statuses.items())},
                "socket_errors": {k: int(v) for k, v in errors.items()},
                "answered": {"n": requests, "p50_ms": round(p50 / 1000, 1), "p95_ms": round(p95 / 1000, 1),
                             "p99_ms": round(p99 / 1000, 1), "max_ms": round(top / 1000, 1)},
                "retry_after_missing": int(re.search(r"^MISSING (\d+)", text, re.M).group(1)),  # type: ignore[union-attr]
                "memory": {"idle": idle, "end": busy, "10s_after": after10, "30s_after": after30}}  # fmt: skip
    finally:
        server.stop()


async def slowloris(args: argparse.Namespace) -> dict[str, Any]:
    server = Server(args, EVIDENCE_KB_HEADER_TIMEOUT="10")
    try:
        ids, _ = claim_ids(server.base)
        slow: list[socket.socket] = []
        for _ in range(args.slow):
            try:
                s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                s.sendall(b"GET /api/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ")
                slow.append(s)
            except OSError:
                break
        times, failures = [], 0
        stop = time.monotonic() + 15
        async with httpx.AsyncClient(base_url=server.base, timeout=10) as client:
            while time.monotonic() < stop:
                t = time.perf_counter()
                try:
                    ok = (await client.get(f"/claims/{random.choice(ids)}")).status_code == 200
                    failures += not ok
                except httpx.HTTPError:
                    failures += 1
                times.append(time.perf_counter() - t)
                await asyncio.sleep(0.1)
        closed = 0
        for s in slow:
            s.setblocking(False)
            try:
                closed += s.recv(10) == b""
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
            s.close()
        return {"slow_connections": len(slow), "closed_by_server_after_15s": closed,
                "normal_requests": summary(times), "normal_failures": failures}  # fmt: skip
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", required=True)
    parser.add_argument("--db", default="")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--slow", type=int, default=3000)
    parser.add_argument("--only", default="readers,studies,flood,slowloris")
    parser.add_argument(
        "--posts", type=int, default=0, help="readers: posts in the batch (default: 10,000-character posts)"
    )
    parser.add_argument("--tag", default="", help="added to the output file's name")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    results: dict[str, Any] = {
        "workers": args.workers,
        "backend": "postgresql" if args.database_url else "sqlite",
        "batch_posts": args.posts or "10,000-character posts",
    }
    for name in args.only.split(","):
        fn = {"readers": readers, "studies": studies, "flood": flood, "slowloris": slowloris}[name]
        load_before = os.getloadavg()[0]
        result = fn(args)
        results[name] = asyncio.run(result) if asyncio.iscoroutine(result) else result
        results[name]["load_average_1min"] = {"before": load_before, "after": os.getloadavg()[0]}
        print(name, json.dumps(results[name]), file=sys.stderr, flush=True)
    out = ROOT / "bench" / "out" / f"limits-{results['backend']}-w{args.workers}{args.tag}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
