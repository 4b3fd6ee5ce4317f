"""Deployment on PostgreSQL: several app processes against one database (docs/deploy.md).

The server runs as a user runs it, ``evidence-kb serve --workers 2``, on a free port and a
throw-away database. The checks go through what any client sees: response bodies and ETags
(which carry the build generation). There is no way, and no need, to ask which worker answered:
requests go over many fresh connections at once, so both workers take a share, and every one
of them must give the same, current answer.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import PG_SKIP_REASON, create_pg_database, drop_pg_database, free_port, served_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(bool(PG_SKIP_REASON), reason=PG_SKIP_REASON or ""),
]

CLI = [sys.executable, "-m", "app.cli"]
CLAIM = "backward-running-reduces-patellofemoral-force"
OLD = "Running backward puts less compressive force on the patellofemoral joint than running forward."
NEW = "Running backward puts less compressive force on the kneecap joint than running forward."
STARTUP_SECONDS = 60


@pytest.fixture
def pg_url() -> Iterator[str]:
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection (so that any worker may take it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def get_many(port: int, path: str, count: int = 60) -> list[tuple[int, dict[str, str], bytes]]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        return list(pool.map(lambda _: get(port, path), range(count)))


def workers(pid: int) -> list[int]:
    """uvicorn's worker processes under the ``serve`` process (not multiprocessing's tracker)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                if b"spawn_main" in cmdline.read():
                    found.append(int(child))
    return found


def run_cli(data_dir: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--data-dir", str(data_dir), "--database-url", url, *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@contextlib.contextmanager
def serve(data_dir: Path, url: str, *options: str) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    """``evidence-kb serve --workers 2 OPTIONS`` on a free port, stopped (its process group) after."""
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "--data-dir", str(data_dir), "--database-url", url,
         "serve", "--workers", "2", "--port", str(port), *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, env=served_env(),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                if get(port, "/api/v1")[0] == 200 and len(workers(server.pid)) >= 2:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the server did not start: {server.communicate()[1][-2000:]}")
            time.sleep(0.2)
        yield port, server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture
def served(mini_data: Path, pg_url: str) -> Iterator[tuple[int, subprocess.Popen[str], Path, str]]:
    """``evidence-kb serve --workers 2`` on an empty database (serve builds it first)."""
    with serve(mini_data, pg_url) as (port, server):
        yield port, server, mini_data, pg_url


def statements_and_generations(port: int) -> tuple[set[str], set[str]]:
    import json

    responses = get_many(port, f"/api/v1/claims/{CLAIM}")
    assert {status for status, _, _ in responses} == {200}
    statements = {json.loads(body)["statement"] for _, _, body in responses}
    generations = {headers["etag"].strip('"').split("-", 1)[0] for _, headers, _ in responses}
    return statements, generations


def test_two_workers_serve_one_build_and_see_a_rebuild(
    served: tuple[int, subprocess.Popen[str], Path, str],
) -> None:
    port, server, data_dir, url = served
    assert len(workers(server.pid)) == 2, "uvicorn should run two worker processes"

    # Built once, by `serve` itself before the workers started: one build generation everywhere.
    statements, generations = statements_and_generations(port)
    assert statements == {OLD}
    assert len(generations) == 1
    page = get_many(port, f"/claims/{CLAIM}", 20)
    assert all(status == 200 and OLD.encode() in body for status, _, body in page)

    # A curator's change, built once as a release step while both workers serve (and cache).
    claims = data_dir / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    result = run_cli(data_dir, url, "build")
    assert result.returncode == 0, result.stderr
    assert "built:" in result.stdout

    # Every worker drops its cached documents (NOTIFY) and serves the new build.
    deadline = time.monotonic() + 10
    while statements_and_generations(port)[0] != {NEW}:
        assert time.monotonic() < deadline, "a worker kept serving the previous build"
        time.sleep(0.2)
    statements, new_generations = statements_and_generations(port)
    assert statements == {NEW}
    assert len(new_generations) == 1 and new_generations != generations
    page = get_many(port, f"/claims/{CLAIM}", 20)
    assert all(
        status == 200 and NEW.encode() in body and OLD.encode() not in body for status, _, body in page
    )
    assert len(workers(server.pid)) == 2


def test_hosts_starting_at_once_build_once(mini_data: Path, pg_url: str) -> None:
    """Two builds of the same data at once (two hosts starting): one builds, the other waits for
    the lock, sees the same data already built, and leaves it alone."""
    builds = [
        subprocess.Popen(
            [*CLI, "--data-dir", str(mini_data), "--database-url", pg_url, "build"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [b.communicate(timeout=120) for b in builds]
    assert [b.returncode for b in builds] == [0, 0], outputs
    stdout = [out for out, _ in outputs]
    assert sum(out.startswith("built:") for out in stdout) == 1, outputs
    assert sum(out.startswith("up to date") for out in stdout) == 1, outputs


def test_serve_no_build_serves_the_release_build(mini_data: Path, pg_url: str) -> None:
    """With ``--no-build`` a host serves what the release step built, even when its own copy of
    the data differs (it never rebuilds, so a host with an old checkout cannot roll data back)."""
    assert run_cli(mini_data, pg_url, "build").returncode == 0
    claims = mini_data / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    with serve(mini_data, pg_url, "--no-build") as (port, server):
        assert statements_and_generations(port)[0] == {OLD}
        assert run_cli(mini_data, pg_url, "build").returncode == 0  # the release step
        deadline = time.monotonic() + 10
        while statements_and_generations(port)[0] != {NEW}:
            assert time.monotonic() < deadline, "a worker kept serving the previous build"
            time.sleep(0.2)
    assert "built:" not in server.communicate()[1]
