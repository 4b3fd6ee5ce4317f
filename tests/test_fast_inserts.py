"""The build's fast inserts (``buildrows.insert_rows``: SQLite executemany of tuples, PostgreSQL
COPY) write what SQLAlchemy's ``insert()`` writes, byte for byte.

The shipped data and a generated knowledge base are each built twice on each backend, with the
fast inserts and with ``insert()`` (``FAST_INSERTS = False``), and every table is compared as
the database stores it: SQLite's values with their types, PostgreSQL's rows as text (so a JSON
``null`` and an SQL NULL differ, as do ``1`` and ``true``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import DATA_DIR, empty_database, make_settings
from sqlalchemy import text
from test_generate import generate

from app import buildrows
from app.build import build_database
from app.db import make_engine

TABLES = {
    "study": "key", "claim": "id", "claim_topic": "claim_id, topic", "evidence": "id", "concept": "id",
    "study_list": "key", "study_group": "id", "claim_search": "claim_id",
}  # fmt: skip


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(out, "--claims", "40")
    return out


def stored(url: str, data_dir: Path) -> dict[str, list[Any]]:
    """Every row of every table as the database holds it."""
    settings = make_settings(url, data_dir)
    engine = make_engine(settings)
    out: dict[str, list[Any]] = {}
    try:
        with engine.connect() as conn:
            for table, order in TABLES.items():
                if conn.dialect.name == "sqlite":
                    columns = "rowid, *" if table == "claim_search" else "*"
                    query = f"SELECT {columns} FROM {table} ORDER BY {order}"
                    out[table] = [tuple(row) for row in conn.execute(text(query))]
                else:
                    query = f"SELECT CAST(t AS text) FROM {table} t ORDER BY {order}"
                    out[table] = list(conn.execute(text(query)).scalars())
    finally:
        engine.dispose()
    return out


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("source", ["shipped", "generated"])
def test_fast_inserts_store_what_insert_stores(
    backend: str, source: str, generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = DATA_DIR if source == "shipped" else generated
    tables = []
    for fast in (True, False):
        monkeypatch.setattr(buildrows, "FAST_INSERTS", fast)
        with empty_database(backend, tmp_path / f"{fast}.db") as url:
            build_database(make_settings(url, data_dir), force=True, prepare_factcheck=False)
            tables.append(stored(url, data_dir))
    fast_rows, reference = tables
    assert all(reference[t] for t in ("study", "claim", "evidence", "claim_search"))
    for table in TABLES:
        assert fast_rows[table] == reference[table], table
