"""A real ``evidence-kb serve`` against slow clients: a request head that never completes is cut
off after the header timeout (slowloris), a trickling body gets 408 after the body timeout, and
normal requests are answered meanwhile. SQLite (the timeouts do not depend on the backend)."""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Iterator

import pytest
from helpers import FIXTURES
from serverproc import serving, status


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    folder = tmp_path_factory.mktemp("slow")
    shutil.copytree(FIXTURES / "mini", folder / "data")
    url = f"sqlite:///{folder / 'kb.db'}"
    with serving(folder / "data", url, "--header-timeout", "1", "--body-timeout", "1") as port:
        yield port


def get(port: int, path: str) -> int:
    return status(port, path)


def test_a_request_head_that_never_ends_is_cut_off(server: int) -> None:
    slow = [socket.create_connection(("127.0.0.1", server)) for _ in range(50)]
    for s in slow:
        s.sendall(b"GET /api/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    assert get(server, "/static/site.css") == 200  # others are served meanwhile
    time.sleep(2.5)
    closed = 0
    for s in slow:
        s.settimeout(2)
        try:
            closed += s.recv(100) == b""
        except OSError:
            closed += 1
        s.close()
    assert closed == len(slow)


def test_a_body_that_trickles_gets_408(server: int) -> None:
    s = socket.create_connection(("127.0.0.1", server))
    s.sendall(b"POST /api/v1/factcheck HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Content-Length: 100\r\n\r\n{\"text\": ")  # fmt: skip
    s.settimeout(5)
    started = time.monotonic()
    answer = b""
    while b"body-timeout" not in answer:
        chunk = s.recv(4000)
        if not chunk:
            break
        answer += chunk
    s.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert b"body-timeout" in answer
    assert time.monotonic() - started < 4


def test_an_idle_connection_is_not_kept_for_ever(server: int) -> None:
    s = socket.create_connection(("127.0.0.1", server))
    s.settimeout(5)
    time.sleep(1.5)
    assert s.recv(100) == b""  # closed by the header timeout: it never sent a byte
    s.close()
