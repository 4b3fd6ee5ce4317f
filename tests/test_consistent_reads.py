"""Reads during builds: builds back to back (the two claims of the data swap places, so the
search index's positions differ between builds) while a client searches. Every answer comes
from one build: never a 500, never a snippet under the wrong claim. Both backends."""

from __future__ import annotations

import threading
from pathlib import Path

import yaml
from fastapi.testclient import TestClient
from helpers import make_settings

from app.build import build_database
from app.main import create_app

WORD = "patellofemoral"  # in one claim only
OWNER = "backward-running-reduces-patellofemoral-force"


def test_searches_during_builds_read_one_build(database_url: str, mini_data: Path) -> None:
    settings = make_settings(database_url, mini_data)
    build_database(settings)
    claims_file = mini_data / "claims.yaml"
    claims = yaml.safe_load(claims_file.read_text())
    variants = [yaml.safe_dump(claims, sort_keys=False), yaml.safe_dump(claims[::-1], sort_keys=False)]
    stop = threading.Event()
    builds = 0

    def rebuild() -> None:
        nonlocal builds
        while not stop.is_set():
            claims_file.write_text(variants[builds % 2])
            build_database(settings, force=True)
            builds += 1

    with TestClient(create_app(settings)) as client:
        builder = threading.Thread(target=rebuild)
        builder.start()
        try:
            answers = []
            while builds < 6:
                response = client.get("/api/v1/claims", params={"q": WORD})
                answers.append(response)
                page = client.get("/claims", params={"q": WORD})
                assert page.status_code == 200
        finally:
            stop.set()
            builder.join()
    assert {r.status_code for r in answers} == {200}
    for response in answers:
        items = response.json()["items"]
        assert [i["id"] for i in items] == [OWNER], items
        assert WORD in items[0]["snippet"].lower()
        assert sum(f["count"] for f in response.json()["facets"]["verdict"]) >= 1
    assert len(answers) > 20
