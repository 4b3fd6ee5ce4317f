"""Findings of a new user's trial of main (2026-12-01, 16:09-16:47 UTC) in the command line: each
runs ``evidence-kb`` as a user does (a process of its own)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DATA_DIR
from serverproc import serving

EVIDENCE_KB = str(Path(sys.executable).with_name("evidence-kb"))


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_KB_")}
    full.update(env or {})
    return subprocess.run(
        [EVIDENCE_KB, *args], capture_output=True, text=True, env=full, cwd=cwd, timeout=120, check=False
    )


# --- 10: an unsupported database address is one clear line, not a traceback -------------------------


@pytest.mark.parametrize("url", ["mysql://x", "mysql+pymysql://u@host/db", "sqlite://"])
@pytest.mark.parametrize("command", ["build", "serve"])
def test_an_unsupported_database_address_is_one_clear_line(url: str, command: str, tmp_path: Path) -> None:
    """mysql:// crashed with ModuleNotFoundError: No module named 'MySQLdb'; sqlite:// (in memory)
    with ValueError, both with a traceback and build's exit status."""
    args = [command, "--port", "1"] if command == "serve" else [command]
    result = run("--data-dir", str(DATA_DIR), *args, env={"EVIDENCE_KB_DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    if url.startswith("mysql"):
        assert "EVIDENCE_KB_DATABASE_URL" in lines[0] and "mysql:// database is not supported" in lines[0]
        assert "sqlite:///" in lines[0] and "postgresql://" in lines[0]
    else:
        assert "in-memory SQLite database (sqlite://)" in lines[0] and "give a file path" in lines[0]
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgresql+asyncpg://x/y", "the database driver 'asyncpg' is not supported"),
        ("postgresql+pg8000://x/y", "the database driver 'pg8000' is not supported"),
        ("foo", "not a database URL"),
        ("oracle://x", "an oracle:// database is not supported"),
    ],
)
def test_a_bad_database_url_option_is_one_line_naming_the_option(url: str, said: str, tmp_path: Path) -> None:
    """New-user check 2026-12-01: postgresql+asyncpg:// and +pg8000:// gave a traceback
    (ModuleNotFoundError), 'foo' "build failed: ArgumentError: Could not parse SQLAlchemy URL",
    and 'a oracle://'; the message names --database-url when the URL came from it."""
    result = run("--data-dir", str(DATA_DIR), "--database-url", url, "build", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert "--database-url: " + said in line and "EVIDENCE_KB_DATABASE_URL" not in line, line
    assert list(tmp_path.iterdir()) == []


def test_a_database_url_scheme_in_capitals_is_read_as_lower_case(tmp_path: Path) -> None:
    """SQLITE:///x.db failed with NoSuchModuleError (SQLAlchemy's scheme names are lower case)."""
    result = run("--data-dir", str(DATA_DIR), "--database-url", "SQLITE:///x.db", "build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.db").exists()


# --- 11: a second serve of the same database stopping keeps the first's address ----------------------


def _links(database: Path) -> set[str]:
    result = run(
        "--data-dir", str(DATA_DIR), "--database-url", f"sqlite:///{database}",
        "factcheck", "Walking backward on a treadmill eases knee osteoarthritis pain",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {line.split("/claims/")[0].strip() for line in result.stdout.splitlines() if "/claims/" in line}


def test_a_second_serve_stopping_keeps_the_first_ones_address(tmp_path: Path) -> None:
    """With ``serve --port A`` running, a second ``serve --port B`` of the same database stopped by
    SIGTERM deleted the one ``.NAME.serving`` record (it had overwritten the first's), and
    ``evidence-kb factcheck`` then linked to the default http://127.0.0.1:8000 although A served."""
    database = tmp_path / "kb.db"
    url = f"sqlite:///{database}"
    built = run("--data-dir", str(DATA_DIR), "--database-url", url, "build", "--quiet")
    assert built.returncode == 0, built.stderr
    record = tmp_path / ".kb.db.serving"
    with serving(DATA_DIR, url, "--no-build") as first:
        assert _links(database) == {f"http://127.0.0.1:{first}"}
        with serving(DATA_DIR, url, "--no-build") as second:
            assert _links(database) == {f"http://127.0.0.1:{second}"}  # the latest started
        assert record.exists()
        assert _links(database) == {f"http://127.0.0.1:{first}"}
    assert not record.exists()
    assert _links(database) == {"http://127.0.0.1:8000"}


# --- 9: "which no claim cites" names only entries no claim cites --------------------------------------


def _without_entry(tmp_path: Path, key: str) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    bib = data / "studies.bib"
    text = bib.read_text(encoding="utf-8")
    start = text.index(f"@article{{{key},")
    end = text.index("\n@", start + 1)
    bib.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    return data


def test_a_deleted_entry_is_not_blamed_on_a_cited_one(tmp_path: Path) -> None:
    """With @article{flynn1995patellofemoral,...} deleted, each of its 3 references asked "is the
    entry 'anon1998patellofemoral' at studies.bib:57, which no claim cites, a misspelling of it?",
    and that entry got an error 'is cited by no claim', though the same 3 claims cite it."""
    data = _without_entry(tmp_path, "flynn1995patellofemoral")
    claims = (data / "claims.yaml").read_text(encoding="utf-8")
    assert claims.count("study: anon1998patellofemoral") == 3  # cited, by the claims that fail
    result = run("--data-dir", str(data), "check")
    assert result.returncode != 0
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 3, result.stdout
    for line in errors:
        assert "unknown study key 'flynn1995patellofemoral'" in line
        assert "which no claim cites" not in line and "misspelling" not in line
        assert "though 3 references in the claims cite it: was its entry deleted or its key changed?" in line
        assert (
            "'anon1998patellofemoral' at studies.bib:" in line and "is another study the claims cite" in line
        )
    assert "cited by no claim" not in result.stdout


def test_a_misspelt_entry_key_is_still_named(tmp_path: Path) -> None:
    """The hint still names an entry no claim cites when the references agree on its right key."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    bib = data / "studies.bib"
    text = bib.read_text(encoding="utf-8")
    assert text.count("@article{flynn1995patellofemoral,") == 1
    bib.write_text(text.replace("@article{flynn1995patellofemoral,", "@article{flynn1995patelofemoral,"))
    result = run("--data-dir", str(data), "check")
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 4, result.stdout
    assert sum("is the entry 'flynn1995patelofemoral' at studies.bib:" in e for e in errors) == 3
    assert sum("which no claim cites, a misspelling of it?" in e for e in errors) == 3
    assert any("study 'flynn1995patelofemoral' is cited by no claim; did you mean" in e for e in errors)


# --- 12: check's messages say what is wrong plainly ---------------------------------------------------


def test_check_says_a_stance_typo_and_a_bad_date_plainly(tmp_path: Path) -> None:
    """A stance typo 'support' got no "did you mean 'supports'" (a verdict typo did: the rule
    against suggesting 'unproven' for 'proven' also dropped a word cut short); a bad date showed the
    validator's "Input should be a valid date or datetime, month value is outside expected range
    of 1-12"."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    claims = data / "claims.yaml"
    lines = claims.read_text(encoding="utf-8").splitlines(keepends=True)
    stance = next(i for i, line in enumerate(lines) if line == "      stance: supports\n")
    lines[stance] = "      stance: support\n"
    dates = [i for i, line in enumerate(lines) if line.startswith("  reviewed: '20")][:2]
    lines[dates[0]] = "  reviewed: '2026-13-30'\n"
    lines[dates[1]] = "  reviewed: '2026-02-30'\n"
    claims.write_text("".join(lines), encoding="utf-8")
    result = run("--data-dir", str(data), "check")
    assert result.returncode != 0
    errors = {int(line.split(":")[1]): line for line in result.stdout.splitlines() if ": error: " in line}
    assert set(errors) == {stance + 1, dates[0] + 1, dates[1] + 1}, result.stdout
    assert all(line.startswith(f"{claims}:") for line in errors.values())
    assert "evidence.0.stance: 'support' is not allowed (did you mean 'supports'?)" in errors[stance + 1]
    month, day = errors[dates[0] + 1], errors[dates[1] + 1]
    assert "reviewed: '2026-13-30' is not a valid date: there is no month 13" in month
    assert "reviewed: '2026-02-30' is not a valid date: February 2026 has no day 30 (it has 28 days" in day
    for line in (month, day):
        assert "Input should be" not in line and "expected range" not in line


# --- 8: the CLI's fact-check names two same-author, same-year papers apart --------------------------


def test_the_cli_factcheck_gives_apas_year_letters(tmp_path: Path) -> None:
    """'Abdelraouf et al. 2019; Abdelraouf et al. 2019' in the sources line, two different papers
    (the APA export says 2019a and 2019b: tests/test_trial_pages2.py checks they agree)."""
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    built = run("--data-dir", str(DATA_DIR), "--database-url", url, "build", "--quiet")
    assert built.returncode == 0, built.stderr
    result = run(
        "--data-dir", str(DATA_DIR), "--database-url", url, "factcheck", "Walking backwards strengthens your quads"
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    sources = [line for line in result.stdout.splitlines() if "Abdelraouf" in line]
    assert sources and all("Abdelraouf et al. 2019a; Abdelraouf et al. 2019b" in line for line in sources), (
        sources
    )
    assert "Abdelraouf et al. 2019;" not in result.stdout


def test_a_missing_database_folder_is_created_and_said(tmp_path: Path) -> None:
    """sqlite:////nonexistent/dir/x.db build created the folders without a word: a mistyped
    path went unnoticed. The build makes the folder (as documented) and says so."""
    folder = tmp_path / "new" / "dir"
    result = run(
        "--data-dir", str(DATA_DIR), "--database-url", f"sqlite:///{folder / 'x.db'}", "build", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert f"created the folder {folder} for the database" in result.stderr + result.stdout
    assert (folder / "x.db").exists()
