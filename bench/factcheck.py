"""Fact-check latency for one post at a time: in process and over HTTP, on the seed data and on a
generated knowledge base (issue 14's target: p99 under 60 ms in process and under 100 ms over HTTP with one worker at
10,000 claims, posts of up to 280 characters; with throughput and the memory the models add per worker).

    .venv/bin/python bench/factcheck.py                      # seed data and 10,000 claims, SQLite
    .venv/bin/python bench/factcheck.py --sizes 1000 --requests 200 --backends sqlite,postgres

Posts: the development posts and tests/fixtures/factcheck-posts.yaml on the seed data; posts
generated for the knowledge base's own claims (``generate.posts``) on a generated one. Over HTTP
each post is one POST /api/v1/factcheck on a live ``evidence-kb serve`` (one worker, 127.0.0.1),
sent one after another: this is latency, not throughput (``run.py http`` measures throughput).
Bounded: ``--repeat`` passes in process, ``--requests`` requests over HTTP.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import generate, run  # noqa: E402

SEED_POSTS = [
    ROOT / "tests" / "fixtures" / "factcheck-dev.yaml",
    ROOT / "tests" / "fixtures" / "factcheck-posts.yaml",
    ROOT / "tests" / "fixtures" / "factcheck-real" / "dev.yaml",
    ROOT / "tests" / "fixtures" / "factcheck-real" / "test.yaml",
]
MAX_POST = 280  # the speed target is for posts of up to 280 characters


def seed_posts() -> list[str]:
    texts = [p["text"] for path in SEED_POSTS if path.exists() for p in yaml.safe_load(path.read_text())]
    return [t for t in texts if len(t) <= MAX_POST]


MEMORY_PROBE = """
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1]) / 1024
import app.factcheck.check  # the code, without the models
before = rss()
from app.factcheck.embed import get_encoder
from app.factcheck import language
get_encoder().encode(["warm up"]); language.detect("warm up")
print(round(before, 1), round(rss(), 1))
"""


def model_memory() -> dict[str, float]:
    """RSS (MB) of a fresh process before and after loading the embedding table and the language model."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE], capture_output=True, text=True, check=True, cwd=ROOT
    )
    before, after = (float(x) for x in out.stdout.split())
    return {"rss_before_mb": before, "rss_after_mb": after, "models_add_mb": round(after - before, 1)}


def in_process(store: object, posts: list[str], repeat: int) -> dict[str, float]:
    from app.factcheck import factcheck

    started = time.perf_counter()
    factcheck(store, "warm up", limit=5)  # type: ignore[arg-type]  # builds the index
    first = time.perf_counter() - started
    samples = []
    for _ in range(repeat):
        for text in posts:
            t = time.perf_counter()
            factcheck(store, text, limit=5)  # type: ignore[arg-type]
            samples.append(time.perf_counter() - t)
    return {"first_call_s": round(first, 2), **run.summary_ms(samples)}


def over_http(env: dict[str, str], posts: list[str], requests: int) -> dict[str, float]:
    port = run.free_port()
    cmd = [str(run.EVIDENCE_KB), "serve", "--port", str(port), "--workers", "1"]
    # One client measuring latency, not abuse: the per-address rate limits (README "Limits") off.
    env = {
        **env,
        "EVIDENCE_KB_RATE_LIMIT": "1000000/minute",
        "EVIDENCE_KB_RATE_LIMIT_EXPENSIVE": "1000000/minute",
    }
    samples = []
    with run.server(cmd, env, port, cpus=None):
        url = f"http://127.0.0.1:{port}/api/v1/factcheck"
        started = time.perf_counter()
        for i in range(requests):
            body = json.dumps({"text": posts[i % len(posts)], "limit": 5}).encode()
            request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
            t = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
            samples.append(time.perf_counter() - t)
        wall = time.perf_counter() - started
    # One client, one request at a time: what a single worker completes per second when it is never
    # idle between requests (the client runs on the same 2-core machine).
    return {**run.summary_ms(samples), "sequential_req_per_s": round(requests / wall, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="10000", help="generated knowledge bases (claims), comma-separated"
    )
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the posts in process")
    parser.add_argument("--requests", type=int, default=300, help="HTTP requests per knowledge base")
    parser.add_argument("--posts", type=int, default=200, help="generated posts per generated knowledge base")
    args = parser.parse_args(argv)

    from app.build import build_database
    from app.db import Database
    from app.settings import Settings
    from app.store import Store

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/seed.db", data_dir=ROOT / "data")
        build_database(settings, force=True)
        posts = seed_posts()
        store = Store(Database(settings))
        seed_label = f"seed ({len(store.claim_rows())} claims)"
        env = {
            **os.environ,
            "EVIDENCE_KB_DATABASE_URL": settings.database_url,
            "EVIDENCE_KB_DATA_DIR": str(ROOT / "data"),
        }
        rows.append(
            {
                "data": seed_label,
                "backend": "sqlite",
                "where": "in process",
                **in_process(store, posts, args.repeat),
            }
        )
        rows.append(
            {
                "data": seed_label,
                "backend": "sqlite",
                "where": "HTTP",
                **over_http(env, posts, args.requests),
            }
        )
    for backend in args.backends.split(","):
        for size in (int(s) for s in args.sizes.split(",") if s):
            store = run.open_store(backend, size)
            generated = generate.posts(generate.claim_topics(size, run.SEED), args.posts)
            posts = [text for text, _ in generated if len(text) <= MAX_POST]
            label = f"generated ({size:,} claims)"
            rows.append(
                {
                    "data": label,
                    "backend": backend,
                    "where": "in process",
                    **in_process(store, posts, args.repeat),
                }
            )
            store.db.dispose()
            rows.append(
                {
                    "data": label,
                    "backend": backend,
                    "where": "HTTP",
                    **over_http(run.env_for(backend, size), posts, args.requests),
                }
            )
    run.table(f"Fact-check latency, one post (up to {MAX_POST} characters) at a time", rows,
              ["data", "backend", "where", "first_call_s", "p50_ms", "p99_ms", "max_ms", "n", "sequential_req_per_s"])  # fmt: skip
    print("\nmodel memory per worker:", json.dumps(model_memory()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
