"""A build never destroys what is not its own database (``app.dbfile``), and cleans up after
builds that were killed. Through the CLI (``evidence-kb build``) and the build function."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FIXTURES

from app.build import build_database
from app.cli import main
from app.dbfile import APPLICATION_ID, UnsafeDatabasePath, is_evidence_kb_database, remove_stale_builds
from app.settings import Settings


def build(capsys: pytest.CaptureFixture[str], url: str, data: Path, *extra: str) -> tuple[int, str]:
    code = main(["--data-dir", str(data), "--database-url", url, "build", "--quiet", *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


@pytest.fixture(autouse=True)
def _restore_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # main() writes the options into os.environ: undo it after each test.
    monkeypatch.setenv("EVIDENCE_KB_DATA_DIR", str(FIXTURES / "mini"))
    monkeypatch.delenv("EVIDENCE_KB_DATABASE_URL", raising=False)


def test_build_refuses_to_replace_a_yaml_file(capsys: pytest.CaptureFixture[str], mini_data: Path) -> None:
    claims = mini_data / "claims.yaml"
    before = claims.read_bytes()
    code, said = build(capsys, f"sqlite:///{claims}", mini_data)
    assert code == 1
    assert "build refused" in said and "not an evidence-kb database" in said and "--start-over" in said
    assert claims.read_bytes() == before
    assert [p.name for p in mini_data.iterdir() if ".build-" in p.name] == []


def test_build_refuses_another_applications_sqlite_database(
    capsys: pytest.CaptureFixture[str], mini_data: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO accounts VALUES (1, 'kept')")
    before = other.read_bytes()
    code, said = build(capsys, f"sqlite:///{other}", mini_data)
    assert code == 1 and "not an evidence-kb database" in said
    assert other.read_bytes() == before


def test_start_over_replaces_a_foreign_file(
    capsys: pytest.CaptureFixture[str], mini_data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "kb.db"
    path.write_text("old notes")
    code, said = build(capsys, f"sqlite:///{path}", mini_data, "--start-over")
    assert code == 0, said
    assert is_evidence_kb_database(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("SELECT count(*) FROM claim").fetchone()[0] == 2


def test_rebuilding_our_own_database_and_an_empty_file_is_allowed(
    capsys: pytest.CaptureFixture[str], mini_data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "kb.db"
    path.touch()
    assert build(capsys, f"sqlite:///{path}", mini_data)[0] == 0
    code, said = build(capsys, f"sqlite:///{path}", mini_data, "--force")
    assert code == 0, said


def test_a_database_built_before_the_application_id_is_still_recognised(
    mini_data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "kb.db"
    settings = Settings(database_url=f"sqlite:///{path}", data_dir=mini_data)
    build_database(settings)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA application_id=0")
    assert is_evidence_kb_database(path)  # by its build_info table
    assert build_database(settings, force=True).status == "built"


def test_build_refuses_a_directory_and_a_device(
    capsys: pytest.CaptureFixture[str], mini_data: Path, tmp_path: Path
) -> None:
    (tmp_path / "adir").mkdir()
    code, said = build(capsys, f"sqlite:///{tmp_path / 'adir'}", mini_data, "--start-over")
    assert code == 1 and "is a directory" in said
    code, said = build(capsys, "sqlite:////dev/null", mini_data, "--start-over")
    assert code == 1 and "not a regular file" in said
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_build_never_follows_a_link_out_of_its_folder(
    capsys: pytest.CaptureFixture[str], mini_data: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    victim = outside / "kb.db"
    settings = Settings(database_url=f"sqlite:///{victim}", data_dir=mini_data)
    build_database(settings)  # even our own database is not reached through a link from elsewhere
    before = victim.read_bytes()
    folder = tmp_path / "served"
    folder.mkdir()
    (folder / "kb.db").symlink_to(victim)
    code, said = build(capsys, f"sqlite:///{folder / 'kb.db'}", mini_data, "--start-over")
    assert code == 1 and "symbolic link" in said and "outside its folder" in said
    assert victim.read_bytes() == before and (folder / "kb.db").is_symlink()


def test_a_link_within_the_folder_is_followed_and_kept(mini_data: Path, tmp_path: Path) -> None:
    real = tmp_path / "kb-2026.db"
    link = tmp_path / "kb.db"
    link.symlink_to(real.name)
    settings = Settings(database_url=f"sqlite:///{link}", data_dir=mini_data)
    assert build_database(settings).status == "built"
    assert link.is_symlink() and is_evidence_kb_database(real)
    with pytest.raises(UnsafeDatabasePath):  # the link's target is checked like any path
        real.write_text("not ours")
        build_database(settings, force=True)


def test_the_next_build_removes_what_a_killed_build_left(mini_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "kb.db"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = tmp_path / f"kb.db.build-{int(dead.stdout)}"
    stale.write_bytes(b"half a database" * 1000)
    journal = tmp_path / f"{stale.name}-journal"
    journal.write_bytes(b"its journal")
    alive = tmp_path / f"kb.db.build-{os.getppid()}"  # a running process: its build may be going on
    alive.write_bytes(b"in progress")
    unrelated = tmp_path / "notes.db.build-1"
    unrelated.write_text("not ours")
    settings = Settings(database_url=f"sqlite:///{path}", data_dir=mini_data)
    assert build_database(settings).status == "built"
    assert not stale.exists() and not journal.exists()
    assert alive.exists() and unrelated.exists()
    assert remove_stale_builds(path) == []
