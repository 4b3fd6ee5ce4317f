"""Incremental builds (app/incremental.py) give what a full build gives, on both backends.

A generated knowledge base is built in full; claims, studies and concepts are then changed,
added and removed (and a cited study's sample size changes, so its claim is re-graded); the
incremental build is compared table by table, row by row, with a full build of the same files
into another database. A failed incremental build (bad data, a crash while writing) leaves the
database exactly as it was.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import empty_database, make_settings
from sqlalchemy import text

from app import incremental
from app.build import build_database
from app.db import make_engine
from app.problems import DataError
from app.settings import Settings

CLAIMS = 30

#: Every table and the order that makes its rows comparable; columns left out: the surrogate
#: ids (evidence, study_group) and what changes with every build (generation, time).
TABLES = {
    "study": "key",
    "claim": "id",
    "claim_topic": "claim_id, topic",
    "evidence": "claim_id, position",
    "concept": "id",
    "study_list": "key",
    "study_group": "design, cited",
    "build_info": "id",
    "build_state": "id",
}
SKIP_COLUMNS = {"evidence": {"id"}, "study_group": {"id"}, "build_info": {"generation", "built_at"}}


@pytest.fixture
def data(generated: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(generated, target)
    return target


@pytest.fixture
def other_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database on the same backend, for the full build to compare with."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    with empty_database(backend, tmp_path / "full.db") as url:
        yield url


def dump(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, comparable across databases."""
    engine = make_engine(settings)
    out: dict[str, list[tuple[Any, ...]]] = {}
    try:
        with engine.connect() as conn:
            for table, order in TABLES.items():
                rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY {order}")).mappings().all()
                skip = SKIP_COLUMNS.get(table, set())
                out[table] = [tuple(v for k, v in row.items() if k not in skip) for row in rows]
            search_columns = "claim_id, statement, phrasings, summary, caveats"
            if conn.dialect.name == "sqlite":  # the rowid is the claim's position
                search_columns = "rowid, " + search_columns
            out["claim_search"] = [
                tuple(r)
                for r in conn.execute(text(f"SELECT {search_columns} FROM claim_search ORDER BY claim_id"))
            ]
            out["generation"] = [(conn.execute(text("SELECT generation FROM build_info")).scalar(),)]
    finally:
        engine.dispose()
    return out


def items(text_: str) -> list[str]:
    """The top-level items of a YAML list (with the header as the first element)."""
    return re.split(r"(?m)^(?=- )", text_)


def entries(text_: str) -> list[str]:
    return re.split(r"(?m)^(?=@)", text_)


def change_everything(data: Path) -> dict[str, str]:
    """Change, add and remove a claim, a study and a concept; change the sample size of a study
    cited by a claim that stays. Returns what changed (ids and keys)."""
    claims = items((data / "claims.yaml").read_text(encoding="utf-8"))
    head, body = claims[0], claims[1:]
    changed_claim = re.search(r"id: (\S+)", body[2])[1]  # type: ignore[index]
    body[2] = body[2].replace("  summary: >-\n", "  summary: >-\n    Edited for the test.\n", 1)
    removed_claim = re.search(r"id: (\S+)", body[5])[1]  # type: ignore[index]
    del body[5]
    added = body[0].replace(re.search(r"id: (\S+)", body[0])[1], "an-added-claim", 1)  # type: ignore[index]
    body.insert(1, added)  # in the middle: the claims after it move
    regraded = re.search(r"id: (\S+)", body[8])[1]  # type: ignore[index]
    cited = re.search(r"- study: (\S+)", body[8])[1]  # type: ignore[index]
    (data / "claims.yaml").write_text(head + "".join(body), encoding="utf-8")

    bib = entries((data / "studies.bib").read_text(encoding="utf-8"))
    cited_claims = (data / "claims.yaml").read_text(encoding="utf-8")
    keys = [
        re.match(r"@\w+\{([^,]+),", e)[1] if e.startswith("@") and not e.startswith("@string") else ""
        for e in bib
    ]  # type: ignore[index]
    uncited = [i for i, k in enumerate(keys) if k and f"study: {k}\n" not in cited_claims]
    removed_study = keys[uncited[0]]
    changed_study = keys[uncited[1]]
    bib[uncited[1]] = bib[uncited[1]].replace("  title", "  title        = {Changed title},\n  oldtitle", 1)
    index = keys.index(cited)
    bib[index] = re.sub(r"samplesize\s*=\s*\{\d+\}", "samplesize   = {4321}", bib[index])
    new_study = bib[uncited[2]].replace(keys[uncited[2]], "added2024study", 1)
    bib.insert(uncited[3], new_study)
    del bib[uncited[0]]
    (data / "studies.bib").write_text("".join(bib), encoding="utf-8")

    concepts = items((data / "concepts.yaml").read_text(encoding="utf-8"))
    concepts[1] = concepts[1].replace("  terms:\n", "  terms:\n  - a new term\n", 1)
    removed_concept = re.search(r"id: (\S+)", concepts[2])[1]  # type: ignore[index]
    del concepts[2]
    concepts.append("- id: an-added-concept\n  kind: topic\n  label: added\n  terms: [added]\n")
    (data / "concepts.yaml").write_text("".join(concepts), encoding="utf-8")
    return {"changed claim": changed_claim, "removed claim": removed_claim, "regraded": regraded,
            "removed study": removed_study, "changed study": changed_study, "removed concept": removed_concept}  # fmt: skip


def test_incremental_build_equals_a_full_build(data: Path, database_url: str, other_url: str) -> None:
    settings = make_settings(database_url, data)
    assert build_database(settings).how == "full"
    before = dump(settings)
    what = change_everything(data)

    result = build_database(settings)
    assert result.how.startswith("incremental: 1 claim changed, 1 added, 1 removed; "
                                 "2 studies changed, 1 added, 1 removed; 1 concept changed, 1 added, 1 removed")  # fmt: skip
    after = dump(settings)
    full = make_settings(other_url, data)
    assert build_database(full, force=True).how == "full"
    expected = dump(full)
    for table in (*TABLES, "claim_search"):
        assert after[table] == expected[table], f"{table} differs from a full build"
    assert after["generation"] != before["generation"]

    # The cited study's new sample size re-graded the claim that cites it.
    def participants(rows: dict[str, list[tuple[Any, ...]]]) -> Any:
        return next(r for r in rows["claim"] if r[0] == what["regraded"])

    assert participants(before) != participants(after)
    assert what["removed claim"] not in {r[0] for r in after["claim"]}
    assert what["removed study"] not in {r[0] for r in after["study"]}
    assert what["removed concept"] not in {r[0] for r in after["concept"]}
    assert build_database(settings).status == "unchanged"


def test_a_change_at_the_end_touches_only_that_record(data: Path, database_url: str) -> None:
    settings = make_settings(database_url, data)
    build_database(settings)
    claims = data / "claims.yaml"
    claims.write_text(
        claims.read_text(encoding="utf-8").replace("reviewed: 20", "reviewed: 20", 1), encoding="utf-8"
    )
    with claims.open("a", encoding="utf-8") as handle:
        handle.write("# a comment at the end\n")
    result = build_database(settings)
    assert result.how == (
        "incremental: 1 claim changed, 0 added, 0 removed; 0 studies changed, 0 added, 0 removed; "
        "0 concepts changed, 0 added, 0 removed"
    )


def test_bad_data_in_a_changed_record_leaves_the_database_as_it_was(data: Path, database_url: str) -> None:
    settings = make_settings(database_url, data)
    build_database(settings)
    before = dump(settings)
    claims = data / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("  - study: ", "  - study: nosuch", 1),
                      encoding="utf-8")  # fmt: skip
    with pytest.raises(DataError) as failed:
        build_database(settings)
    assert "unknown study key 'nosuch" in str([str(p) for p in failed.value.problems])
    assert dump(settings) == before


def test_a_crash_while_applying_leaves_the_database_as_it_was(
    data: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(database_url, data)
    build_database(settings)
    before = dump(settings)
    change_everything(data)
    real = incremental.write_state

    def crash(conn: Any, state: Any) -> None:
        real(conn, state)
        raise RuntimeError("injected crash")

    monkeypatch.setattr(incremental, "write_state", crash)
    with pytest.raises(RuntimeError, match="injected crash"):
        build_database(settings)
    assert dump(settings) == before
    monkeypatch.undo()
    assert build_database(settings).how.startswith("incremental")


def test_force_and_a_changed_macro_build_in_full(data: Path, database_url: str) -> None:
    settings = make_settings(database_url, data)
    build_database(settings)
    bib = data / "studies.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("@string{j0 = \"", "@string{j0 = \"The ", 1),
                   encoding="utf-8")  # fmt: skip
    messages: list[str] = []
    assert build_database(settings, progress=messages.append).how == "full"
    assert "full build: @string, @preamble or comment blocks of the .bib files changed" in messages
    assert build_database(settings, force=True).how == "full"


def test_a_block_that_does_not_start_a_line_builds_in_full(data: Path, database_url: str) -> None:
    """Block by block comparison needs every '@' of a block at the start of a line."""
    settings = make_settings(database_url, data)
    build_database(settings)
    bib = data / "studies.bib"
    text = bib.read_text(encoding="utf-8")
    at = text.index("\n@", text.index("\n@") + 1)  # the second block moves up onto a line's end
    bib.write_text(text[:at] + " " + text[at + 1 :], encoding="utf-8")
    messages: list[str] = []
    assert build_database(settings, progress=messages.append).how == "full"
    assert "full build: studies.bib has a block that does not start a line, or a crossref" in messages


def test_an_edited_claim_citing_a_study_with_groups_builds_incrementally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stored study facts keep every field (a study's ``groups`` was dropped by position, so
    an estimate's ``group`` was refused on re-reading and the build fell back to a full one)."""
    from helpers import DATA_DIR

    from app.cli import main

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    assert main(["--data-dir", str(data), "--database-url", url, "build", "--quiet"]) == 0
    claims = data / "claims.yaml"
    text_ = claims.read_text(encoding="utf-8")
    block = text_[text_.index("- id: backward-training-raises-predicted-vo2max") :]
    assert "group: " in block.split("\n- id: ", 1)[0]  # the premise: it cites a study's group
    claims.write_text(text_.replace("accurate but it is", "accurate, but it is", 1), encoding="utf-8")
    capsys.readouterr()
    assert main(["--data-dir", str(data), "--database-url", url, "build"]) == 0
    out = capsys.readouterr()
    assert "full build" not in out.out + out.err
    assert "incremental: 1 claim changed" in out.out + out.err
