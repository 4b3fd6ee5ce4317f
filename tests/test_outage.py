"""A database that does not answer (a throw-away PostgreSQL the test starts and pauses itself):
503 with Retry-After within the configured timeouts, never a 500 or a hang; routes that need no
database keep answering; one log line per failure with a count; recovery without a restart."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import make_settings
from pgcluster import Cluster, available, throwaway_postgres

from app.build import build_database
from app.main import create_app

pytestmark = pytest.mark.skipif(available() is not None, reason=available() or "")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with throwaway_postgres() as made:
        yield made


def test_a_paused_database_answers_503_quickly_and_recovers(
    cluster: Cluster, mini_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(cluster.url, mini_data, pg_statement_timeout=1.0, pg_connect_timeout=1,
                             pg_pool_timeout=1.0)  # fmt: skip
    build_database(settings, force=True)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/claims", params={"q": "knee"}).status_code == 200
        assert client.get("/methodology").status_code == 200  # cached page
        cluster.pause()
        try:
            for path in ("/static/site.css", "/api/v1/methodology", "/methodology"):
                started = time.monotonic()
                assert client.get(path).status_code == 200, path
                assert time.monotonic() - started < 1.0, path  # never waits for the database
            caplog.clear()
            with caplog.at_level(logging.ERROR, logger="evidence_kb"):
                for q in ("walking", "pain"):
                    started = time.monotonic()
                    response = client.get("/api/v1/claims", params={"q": q})
                    took = time.monotonic() - started
                    assert response.status_code == 503, response.text
                    assert response.headers["retry-after"]
                    assert response.json()["error"]["code"] == "database-unavailable"
                    assert took < 8, took  # statement timeout + grace, not 30 s or forever
            failures = [r.getMessage() for r in caplog.records if "database unavailable" in r.getMessage()]
            assert len(failures) == 2 and "(2 failures so far)" in failures[-1]
            assert all("\n" not in r.getMessage() for r in caplog.records)
        finally:
            cluster.resume()
        deadline = time.monotonic() + 10
        while client.get("/api/v1/claims", params={"q": "knee"}).status_code != 200:
            assert time.monotonic() < deadline, "no recovery after the database came back"
            time.sleep(0.2)


def test_serve_no_build_says_when_the_database_cannot_be_reached(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mini_data: Path
) -> None:
    import socket

    from app import serving
    from app.cli import main

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    served: list[object] = []
    monkeypatch.setattr(serving, "run_server", lambda config, _sock: served.append(config))
    monkeypatch.delenv("EVIDENCE_KB_DATABASE_URL", raising=False)
    monkeypatch.delenv("EVIDENCE_KB_DATA_DIR", raising=False)
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    assert (
        main(["--data-dir", str(mini_data), "--database-url", url, "serve", "--no-build", "--port", "0"]) == 0
    )
    err = capsys.readouterr().err
    assert "cannot reach the database" in err and "503" in err
    assert "no build in the database yet" not in err
    assert served  # it serves anyway: requests answer 503 until the database is back
