"""``evidence-kb serve`` in a subprocess on a free port, for tests that need a real server."""

from __future__ import annotations

import contextlib
import http.client
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ROOT, free_port, served_env


def status(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


@contextlib.contextmanager
def serving(
    data_dir: Path,
    database_url: str,
    *options: str,
    env: dict[str, str] | None = None,
    stderr: list[str] | None = None,
) -> Iterator[int]:
    """Serve until the block ends (one worker unless ``options`` say otherwise); yields the port.
    The block's end stops the server with SIGTERM; its standard error is appended to ``stderr``."""
    port = free_port()
    cli = [str(ROOT / ".venv" / "bin" / "evidence-kb")] if (ROOT / ".venv").exists() else ["evidence-kb"]
    server = subprocess.Popen(
        [*cli, "--data-dir", str(data_dir), "--database-url", database_url, "serve", "--port", str(port), *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=served_env(env),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                if status(port, "/static/site.css") == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the server did not start: {server.communicate()[1][-2000:]}")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            err = server.communicate(timeout=20)[1]
        except subprocess.TimeoutExpired:
            server.kill()
            err = server.communicate()[1]
        if stderr is not None:
            stderr.append(err)
