"""Problems in the data files (app/problems.py) and what ``check``, ``build`` and ``export`` say of
them: an unknown entry type, a misspelt study key or claim id, the listing order (new-user trial,
2026-12-01)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import test_cli
from helpers import DATA_DIR, make_settings
from test_cli import Run

from app import bibstream, vocab, yamlread
from app.bibtex import parse_bib_text
from app.claim_records import claim_record
from app.problems import Problem, near_key
from app.study_records import StudyFacts, study_record

cli = test_cli.cli  # the fixture that runs evidence-kb in-process


def _problems(text: str) -> list[Problem]:
    found = parse_bib_text(text, "studies.bib", {})
    problems = list(found.problems)
    for position, entry in enumerate(found.entries):
        study_record(entry, position, problems)
    return problems


# --- an unknown entry type -------------------------------------------------------------------------


def test_an_unknown_entry_type_is_an_error_naming_the_type_and_the_known_ones() -> None:
    """'@artcle' passed check and was exported as invalid BibTeX and RIS type GEN."""
    problems = _problems("% x\n@artcle{smith2020,\n  title = {T},\n  year = {2020},\n}\n")
    [error] = [p for p in problems if p.severity == "error"]
    assert (error.path, error.line) == ("studies.bib", 2)
    assert error.message.startswith("smith2020: unknown entry type '@artcle' (did you mean '@article'?); ")
    assert "the known types are @article, @book, " in error.message and "@misc" in error.message


@pytest.mark.parametrize("entry_type", ["article", "ARTICLE", "misc", "online", "phdthesis", "techreport"])
def test_known_entry_types_are_no_problem(entry_type: str) -> None:
    assert not [p for p in _problems(f"@{entry_type}{{k,\n  title = {{T}},\n}}\n") if p.severity == "error"]


def test_check_reports_an_unknown_entry_type_with_file_and_line(cli: Run, mini_data: Path) -> None:
    bib = mini_data / "studies.bib"
    text = bib.read_text().replace("@article{alghadir2019effect,", "@artcle{alghadir2019effect,")
    bib.write_text(text)
    line = text[: text.index("@artcle{")].count("\n") + 1
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 1
    assert (
        "studies.bib",
        line,
        "alghadir2019effect: unknown entry type '@artcle' (did you mean '@article'?); the known types are "
        "@article, @book, @booklet, @conference, @dataset, @electronic, @inbook, @incollection, "
        "@inproceedings, @manual, @mastersthesis, @misc, @online, @patent, @phdthesis, @proceedings, "
        "@report, @software, @techreport, @thesis, @unpublished, @www",
    ) in result.problems(), result.out
    alone = cli("check", str(bib))  # the .bib file checked on its own
    assert alone.code == 1 and "unknown entry type '@artcle'" in alone.out


def test_build_refuses_an_unknown_entry_type_and_keeps_the_database(
    cli: Run, mini_data: Path, database_url: str
) -> None:
    args = ("--data-dir", str(mini_data), "--database-url", database_url)
    assert cli(*args, "build", "--quiet").code == 0
    bib = mini_data / "studies.bib"
    bib.write_text(bib.read_text().replace("@article{alghadir2019effect,", "@artcle{alghadir2019effect,"))
    for build in (("build",), ("build", "--force")):  # incremental, then full
        result = cli(*args, *build)
        assert result.code == 1 and "unknown entry type '@artcle'" in result.out, result.out
        assert "the database was not changed" in result.err
    assert _entry_type(database_url, "alghadir2019effect") == "article"  # the previous build's


def _entry_type(database_url: str, key: str) -> str:
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(make_settings(database_url))
    try:
        with engine.connect() as conn:
            query = text("SELECT entry_type FROM study WHERE key = :key")
            return str(conn.execute(query, {"key": key}).scalar_one())
    finally:
        engine.dispose()


# --- a misspelt study key or claim id ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("Terblanche2005effect", "terblanche2005effect"),  # case
        ("Terblanche2005", "terblanche2005effect"),  # case, and the title word left out
        ("terblanche2050effect", "terblanche2005effect"),  # a typo
        ("smith2020", None),  # nothing like it
        ("terblanche", None),  # the start of two keys: either may be meant
    ],
)
def test_near_key(name: str, meant: str | None) -> None:
    keys = ["terblanche2005effect", "terblanche2007other", "roos2012patellofemoral"]
    assert near_key(name, keys) == meant


def test_check_suggests_the_study_key_a_wrong_case_or_short_key_meant(cli: Run, mini_data: Path) -> None:
    """'Terblanche2005' for 'terblanche2005effect' had no suggestion (difflib's ratio 0.76)."""
    claims = mini_data / "claims.yaml"
    claims.write_text(claims.read_text().replace("study: alghadir2019effect", "study: Alghadir2019", 1))
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 1
    [(_, _, message)] = result.problems()
    assert message.endswith("unknown study key 'Alghadir2019' (did you mean 'alghadir2019effect'?)"), message


def test_export_suggests_the_claim_id_a_wrong_case_meant(
    cli: Run, mini_data: Path, database_url: str
) -> None:
    args = ("--data-dir", str(mini_data), "--database-url", database_url)
    assert cli(*args, "build", "--quiet").code == 0
    result = cli(
        *args, "export", "--format", "bibtex", "--claim", "Backward-Walking-Eases-Knee-Osteoarthritis"
    )
    assert result.code == 1
    assert (
        "No claim with id 'Backward-Walking-Eases-Knee-Osteoarthritis' "
        "(did you mean 'backward-walking-eases-knee-osteoarthritis'?)." in result.err
    ), result.err


# --- the listing order ---------------------------------------------------------------------------


def test_the_order_follows_the_cause_flag_not_the_message() -> None:
    """A problem others follow from is marked where it is made (Problem.cause), not recognised
    by its words: a message that reads like a duplicate but is none stays in line order."""
    lookalike = Problem("a.yaml", 1, "duplicate key 'x' (quoted from a note)")
    cause = Problem("a.yaml", 9, "the id is given twice", cause=True)
    assert sorted([lookalike, cause], key=Problem.sort_key) == [cause, lookalike]


def test_each_kind_of_duplicate_is_made_a_cause(tmp_path: Path) -> None:
    bib = tmp_path / "s.bib"
    bib.write_text(
        "@string{j = {A}}\n@string{j = {B}}\n"
        "@article{a,\n  title = {T},\n  title = {U},\n}\n"
        "@article{a,\n  title = {V},\n}\n@article{A,\n  title = {W},\n}\n@article{b,\n  title = {X},\n}\n"
    )
    problems: list[Problem] = []
    for _ in bibstream.iter_entries([bib], problems):
        pass
    assert {p.message.split(" (")[0].split(" '")[0] for p in problems if p.cause} == {
        "@string",
        "a: entry has the field",
        "duplicate key",
        "key differs only in case from",
    }
    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text("- id: x\n  id: y\n  note: a\n    - b\n")  # a duplicate, a swallowed line
    read = yamlread.read_yaml(yaml_file, problems := [])
    assert read is not None
    assert [(p.line, p.cause) for p in problems] == [(2, True), (4, False)]


def test_data_readme_lists_the_entry_types() -> None:
    text = " ".join((DATA_DIR / "README.md").read_text().split())
    listed = text.split("The entry types are ")[1].split(". Any other")[0]
    assert re.findall(r"`@(\w+)`", listed) == sorted(vocab.ENTRY_TYPES)


# --- every problem at once: a claim with schema errors is still checked for what needs no schema ---


def _claim_problems(
    tmp_path: Path, text: str, keys: tuple[str, ...] = ("roos2012patellofemoral",)
) -> list[str]:
    """'line: message' of each problem ``claim_record`` finds in the claims of ``text``."""
    path = tmp_path / "claims.yaml"
    path.write_text(text)
    problems: list[Problem] = []
    document = yamlread.read_yaml(path, problems)
    studies = {key: _facts(key) for key in keys}
    seen: dict[str, int] = {}
    for i in range(len(document)):
        claim_record(path, document, i, i, studies, set(), seen, problems)
    return [f"{p.line}: {p.message}" for p in problems]


def _facts(key: str) -> StudyFacts:
    return StudyFacts(
        key, "rct", 20, None, None, False, None, None, (), None, None, False, False, "studies.bib", 1
    )


_CLAIM = (
    "- id: {id}\n  statement: S\n  kind: factual\n  summary: S\n  population: P\n  topics: [t]\n"
    "  verdict: {verdict}\n  caveats: [c]\n  reviewed: '2026-11-30'\n  history:\n    - date: '2026-11-30'\n"
    "      change: c\n  evidence:\n"
    "    - study: {study}\n      stance: contradicts\n      outcome: o\n      directness: direct\n      finding: f\n"
)


def test_a_claim_with_schema_errors_is_still_checked_for_its_id_and_study_keys(tmp_path: Path) -> None:
    """A trial user's report: a duplicate id and a misspelt study key of a claim whose verdict was
    misspelt were reported only once the verdict was fixed."""
    bad = _CLAIM.format(id="a", verdict="partly-suported", study="roos2012patelofemoral")
    found = _claim_problems(
        tmp_path, bad + _CLAIM.format(id="a", verdict="contradicted", study="roos2012patellofemoral")
    )
    assert found[1:] == [
        "14: claim a: unknown study key 'roos2012patelofemoral' (did you mean 'roos2012patellofemoral'?)",
        "19: duplicate claim id 'a' (first at line 1)",  # the second claim, valid, follows the first
    ], found
    assert found[0].startswith("7: claim a: verdict: 'partly-suported' is not allowed"), found


def test_a_duplicate_with_schema_errors_is_reported_and_its_study_keys_checked(tmp_path: Path) -> None:
    good = _CLAIM.format(id="a", verdict="contradicted", study="roos2012patellofemoral")
    found = _claim_problems(tmp_path, good + _CLAIM.format(id="a", verdict="x", study="smith2020"))
    assert found[0].startswith("25: claim a: verdict: 'x' is not allowed"), found
    assert found[1:] == [
        "19: duplicate claim id 'a' (first at line 1)",
        "32: claim a: unknown study key 'smith2020'",
    ]


def test_a_field_the_schema_rejects_is_not_checked_again(tmp_path: Path) -> None:
    """No follow-on: an id that is no slug is no duplicate, a key that is no text no unknown key."""
    first = _CLAIM.format(id="'A b'", verdict="contradicted", study="[roos2012patellofemoral]")
    found = _claim_problems(
        tmp_path, first + _CLAIM.format(id="'A b'", verdict="contradicted", study="{k: v}")
    )
    assert len(found) == 4 and not [m for m in found if "duplicate" in m or "unknown study key" in m], found


def test_check_reports_every_problem_of_a_claim_with_schema_errors_at_once(cli: Run, tmp_path: Path) -> None:
    """The trial user's five errors, all on the first run (the duplicate id and the misspelt key
    came only after the verdict, stance and sample size were fixed)."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    claims = data / "claims.yaml"
    text = claims.read_text()
    ids = re.findall(r"(?m)^- id: (\S+)$", text)
    text = text.replace("  verdict: partly-supported\n", "  verdict: partly-suported\n", 1)
    text = text.replace("      stance: supports\n", "      stance: support\n", 1)
    text = text.replace("- study: roos2012patellofemoral\n", "- study: roos2012patelofemoral\n", 1)
    text = text.replace(f"- id: {ids[1]}\n", f"- id: {ids[0]}\n", 1)
    claims.write_text(text)
    bib = data / "studies.bib"
    bib.write_text(bib.read_text().replace("samplesize  = {20},", "samplesize  = {twenty},", 1))
    result = cli("--data-dir", str(data), "check")
    assert result.code == 1
    messages = [m for _, _, m in result.problems()]
    assert len(messages) == 5, result.out
    assert messages[0] == f"duplicate claim id '{ids[0]}' (first at line 4)"
    for fragment in (
        "verdict: 'partly-suported' is not allowed",
        "stance: 'support' is not allowed",
        "unknown study key 'roos2012patelofemoral' (did you mean 'roos2012patellofemoral'?)",
        "samplesize",
    ):
        assert [m for m in messages if fragment in m], (fragment, result.out)
