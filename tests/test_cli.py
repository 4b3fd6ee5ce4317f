"""The ``evidence-kb`` command: check (every problem, with file and line), build and serve.

Each broken file in tests/fixtures/bad/ replaces one file of a copy of the small fixture data
set; the tables below give the exact lines and messages ``check`` must report for it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import DATA_DIR, FIXTURES, free_port, make_settings, served_env

from app.cli import main
from app.vocab import Design

BAD = FIXTURES / "bad"
PROBLEM_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<severity>error|warning): (?P<message>.*)$")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def problems(self, severity: str = "error") -> list[tuple[str, int, str]]:
        """(file name, line, message) of each problem printed, in order."""
        found = []
        for text in self.out.splitlines():
            match = PROBLEM_LINE.match(text)
            if match and match["severity"] == severity:
                found.append((Path(match["path"]).name, int(match["line"]), match["message"]))
        return found


Run = Callable[..., Result]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Run:
    """Run ``evidence-kb`` in-process; the options it writes into os.environ are undone after."""
    monkeypatch.setenv("EVIDENCE_KB_DATA_DIR", str(DATA_DIR))
    monkeypatch.setenv("EVIDENCE_KB_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    # serve sets the address it serves as the base URL when none is (app.serving.follow_served_address);
    # conftest's _base_url_restored puts it back after the test
    monkeypatch.delenv("EVIDENCE_KB_BASE_URL", raising=False)

    def run(*args: str) -> Result:
        code = main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return Result(code, out, err)

    return run


def with_file(mini_data: Path, fixture: str) -> Path:
    """The mini data set with one file replaced by a broken fixture file."""
    target = fixture.split(".", 1)[1]  # "vocabulary.claims.yaml" -> "claims.yaml"
    shutil.copy(BAD / fixture, mini_data / target)
    return mini_data


# --- check: the shipped data ---------------------------------------------------------------------


def test_check_passes_on_the_shipped_data(cli: Run) -> None:
    result = cli("--data-dir", str(DATA_DIR), "check")
    assert result.problems() == []
    assert result.code == 0, result.out
    assert re.search(r"^ok: \d+ claims and \d+ studies in .*: 0 error\(s\)", result.out, re.M)


def test_check_with_errors_counts_every_claim_read(cli: Run, mini_data: Path) -> None:
    """The summary counts the claims read, those with errors too (it said 1 of the mini set's 2)."""
    claims = mini_data / "claims.yaml"
    claims.write_text(claims.read_text().replace("verdict: partly-supported", "verdict: proven", 1))
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 1
    assert re.search(
        r"^problems found: 1 error\(s\), .*\(2 claims and \d+ studies read; ", result.out, re.M
    ), result.out


def test_check_says_where_a_yaml_syntax_error_stopped_it(cli: Run, mini_data: Path) -> None:
    """A trial user's report: after a syntax error, '1 error(s) ... 1 claims read' read as if the
    rest were fine; a parser cannot go past the error, and check now says so."""
    claims = mini_data / "claims.yaml"
    lines = claims.read_text().splitlines(keepends=True)
    second = [i for i, line in enumerate(lines) if line.startswith("- id:")][1]
    lines[second + 1] = lines[second + 1].replace(": ", ": [unclosed ", 1)
    claims.write_text("".join(lines))
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 1 and "YAML syntax error" in result.out
    assert re.search(
        r"^checking .*claims\.yaml stopped at its YAML syntax error at line \d+: what follows was not "
        r"read; fix it and run check again to see the rest$",
        result.out,
        re.M,
    ), result.out


@pytest.mark.parametrize(
    ("written", "quoted"),
    [
        ("true", "'true' (YAML reads it as a yes/no value, not as a word)"),
        ("Yes", "'Yes' (YAML reads it as a yes/no value, not as a word)"),
        ("off", "'off' (YAML reads it as a yes/no value, not as a word)"),
        ("~", "'~' (YAML reads it as nothing)"),
        ("", "an empty value"),
        ("'true'", "'true'"),
    ],
)
def test_a_rejected_verdict_is_quoted_as_written(
    cli: Run, mini_data: Path, written: str, quoted: str
) -> None:
    """A trial user's report: ``verdict: true`` (a YAML boolean) was reported as 'True', a word
    they never wrote; the message quotes the file and lists the verdicts allowed."""
    claims = mini_data / "claims.yaml"
    claims.write_text(re.sub(r"(?m)^  verdict: .*$", f"  verdict: {written}", claims.read_text(), count=1))
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 1
    [(_, _, message)] = result.problems()
    assert message.endswith(
        f"verdict: {quoted} is not allowed: expected 'supported', 'partly-supported', 'unproven', "
        "'misleading' or 'contradicted'"
    ), message


def test_a_duplicate_is_listed_before_what_follows_from_it(cli: Run, mini_data: Path) -> None:
    """A trial user's report: a duplicate key came last, after the errors it caused (the first
    value is kept, so what the second meant is judged by the first); the cause now comes first,
    whatever its line or file."""
    bib = mini_data / "studies.bib"
    first = re.search(r"@\w+\{(\w+),", bib.read_text())
    assert first is not None  # the entry again, under the same key, with the design it lacked
    bib.write_text(
        re.sub(r"(?m)^\s*design\s*=.*\n", "", bib.read_text(), count=1)
        + f"\n@article{{{first[1]},\n  title = {{Again}},\n  design = {{rct}},\n}}\n"
    )
    # a second 'evidence' key after the first, whose stance is misspelt: the first is kept
    lines = (mini_data / "claims.yaml").read_text().replace("stance: supports", "stance: support", 1)
    rows = lines.splitlines(keepends=True)
    at = next(i for i, line in enumerate(rows) if line.startswith("  evidence:"))
    end = next((i for i in range(at + 1, len(rows)) if rows[i].startswith("- ")), len(rows))
    (mini_data / "claims.yaml").write_text("".join(rows[:end] + rows[at:end] + rows[end:]))
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 1
    messages = [message for _, _, message in result.problems()]
    assert {m.split(" (")[0] for m in messages[:2]} == {
        f"duplicate key '{first[1]}'",
        "duplicate key 'evidence'",
    }
    assert "'support' is not allowed" in messages[-1] and len(messages) >= 3, result.out


def test_check_warns_of_a_study_without_a_title(cli: Run, mini_data: Path) -> None:
    """A trial user's report: 'UC Davis Health. (n.d.).' and a RIS record with an author only were
    exported without a word; an entry with no title is now a warning of check."""
    bib = mini_data / "studies.bib"
    bib.write_text(
        bib.read_text() + "\n@misc{untitledsite,\n  author = {{Some Health}},\n  design = {web-page},\n}\n"
    )
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 0
    assert any("untitledsite: no title:" in message for _, _, message in result.problems("warning")), (
        result.out
    )


def test_check_reports_a_dedented_field_at_its_own_line(cli: Run, mini_data: Path) -> None:
    """A trial user's report: a dedented 'stance:' was reported at the line after it (where YAML
    noticed, reading that line as part of stance's value)."""
    claims = mini_data / "claims.yaml"
    lines = claims.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("      stance:"))
    lines[at] = lines[at].replace("      stance:", "  stance:", 1)
    claims.write_text("".join(lines))
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 1
    [(_, line, message)] = result.problems()
    assert line == at + 1 and "indented less than the lines above and below it" in message, result.out


def test_check_passes_on_the_mini_data(cli: Run, mini_data: Path) -> None:
    result = cli("--data-dir", str(mini_data), "check")
    assert (result.code, result.problems(), result.problems("warning")) == (0, [], [])
    assert "ok: 2 claims and 3 studies" in result.out


# --- check: one kind of problem per fixture ------------------------------------------------------

SLUG = "is not a valid slug (lower-case letters, digits and hyphens)"
NOT_DATE = "is not a valid date: "
CLAIMS_CASES: dict[str, list[tuple[int, str]]] = {
    "yaml-unclosed-quote": [
        (2, "YAML syntax error: found unexpected end of stream (while scanning a quoted scalar)"),
    ],
    "yaml-unclosed-list": [
        # reported where the parser noticed, naming the line where the unclosed list began
        (
            6,
            "YAML syntax error: expected ',' or ']', but got ':' at column 10 (while parsing a flow sequence ",
        ),
    ],
    "yaml-bad-indent": [
        # where, and what it usually means in a hand-edited file (found by a new user's trial)
        (
            14,
            "YAML syntax error: mapping values are not allowed here at column 15; probably a value "
            "holding ': ' must be quoted, or the line is indented under a value",
        ),
    ],
    "yaml-duplicate-key": [
        (8, "duplicate key 'verdict' (first at line 6; the first is kept)"),
        (
            14,
            "evidence.0.stance: 'support' is not allowed (did you mean 'supports'?): expected 'supports', 'contradicts', 'mixed'",
        ),
    ],
    "yaml-swallowed-lines": [
        # two history items merged for want of a '- ' (duplicates come first: Problem.sort_key),
        # and mis-indented lines that YAML reads as text, silently (a phrasing, an evidence item)
        (
            34,
            "duplicate key 'date' (first at line 32; the first is kept); if this line starts a new "
            "item of a list, it needs a '- ' before 'date'",
        ),
        (35, "duplicate key 'change' (first at line 33; the first is kept)"),
        (
            10,
            "this list item is indented deeper than the items above it, so YAML reads it as the end "
            "of the list item that starts at line 9 (as 'reverse running is easier on the kneecap - ",
        ),
        (
            22,
            "'- study: alghadir2019effect' is indented as part of the block text of 'finding' that "
            "starts at line 20, so YAML reads it as text, not as 'study'",
        ),
    ],
    "unknown-fields": [
        (1, "summary: required field is missing"),
        (3, "sumary: unknown field (did you mean 'summary'?)"),
        (17, "evidence.0.figure: unknown field (did you mean 'figures'?)"),
    ],
    "vocabulary": [
        (6, "verdict: 'proven' is not allowed: expected 'supported', 'partly-supported', 'unproven'"),
        (11, "appearances.0.kind: 'blog' is not allowed"),
        (17, "evidence.0.stance: 'support' is not allowed"),
        (19, "evidence.0.directness: 'partly' is not allowed: expected 'direct' or 'indirect'"),
        (25, "evidence.1.indirect_because.1: 'running' is not allowed"),
    ],
    "slugs-and-dates": [
        (1, f"id: 'Backward_Walking_Eases_Knee_OA' {SLUG}"),
        (5, f"topics.0: 'knee osteoarthritis' {SLUG}"),
        (9, f"appearances.0.date: '2020-02-30' {NOT_DATE}February 2020 has no day 30 (it has 29 days"),
        (9, "appearances.0.url: 'www.example.org/no-scheme' is not a valid URL"),
        (10, f"reviewed: '2026-13-01' {NOT_DATE}there is no month 13 (months are 01 to 12"),
        (12, f"history.0.date: 'last week' {NOT_DATE}write it as YYYY-MM-DD"),
    ],
    "duplicate-claim-id": [
        (17, "duplicate claim id 'backward-walking-eases-knee-osteoarthritis' (first at line 1)"),
    ],
    "appraisal": [
        (18, "evidence.0.estimate: interval [-0.5, 0.2] does not contain the estimate -0.8"),
        (
            24,
            "evidence.1.estimate: a risk ratio and its interval must be positive; i2 120 is not a percentage",
        ),
        (42, "outcome 'forse' is not an outcome id of this claim (force, pain) (did you mean 'force'?)"),
        (45, "verdict 'unproven' needs unproven_because: untested or no-evidence-found"),
    ],
    "unknown-study-key": [
        (12, "unknown study key 'alghadir2019efect' (did you mean 'alghadir2019effect'?)"),
        (17, "unknown study key 'smith1999nothing'"),
    ],
}

BIB_CASES: dict[str, list[tuple[int, str]]] = {
    "risk-of-bias": [
        # no "did you mean": the nearest key is the entry's own, never its own duplicate
        (2, "roos2012patellofemoral: duplicateof: unknown study key 'roos2012patellofemorl'"),
        (7, "roos2012patellofemoral: a risk-of-bias assessment needs its overall judgement (riskofbias)"),
        (8, "robdomains: 'blinding' is not a rob2 domain (randomisation, period-carryover, deviations, "),
        (12, "alghadir2019effect: includes is for reviews (design systematic-review or meta-analysis)"),
        (19, "alghadir2019effect: robdomains: 'serious' is not a rob2 judgement (low, some-concerns, high)"),
        (21, "alghadir2019effect: searchdate 'March 2024' is not YYYY, YYYY-MM or YYYY-MM-DD"),
        (28, "uncited2020: robtool 'review' needs robjudgedby (the key of the review)"),
    ],
    "unclosed-brace": [
        (
            2,
            "entry does not parse (unbalanced braces or quotes?): line 4 probably misses a closing brace; '@article{roos2012patellofemoral,'",
        ),
    ],
    "junk-between-entries": [
        (8, "text outside any entry: 'roos2012 was copied from PubMed'"),
        (13, "text outside any entry: '},'"),
    ],
    "duplicate-keys": [  # line 6, a repeated field, is a warning (BibTeX keeps the first value)
        (12, "duplicate key 'roos2012patellofemoral' (first defined at line 1)"),
        (15, "key differs only in case from 'roos2012patellofemoral' (first defined at "),
    ],
    "malformed-fields": [
        (6, "roos2012patellofemoral: field 'journal' uses undefined macro 'jbx'"),
        (7, "roos2012patellofemoral: year must be four digits, not 'twenty-twelve'"),
        (8, "write the DOI bare ('10.1016/j.jbiomech.2012.03.020'), without 'https://doi.org/'"),
        (9, "roos2012patellofemoral: malformed PMID 'PMC3391667' (digits only)"),
        (10, "malformed URL 'www.ncbi.nlm.nih.gov/pmc/articles/PMC3391667'"),
        (11, "roos2012patellofemoral: design 'lab' is not one of: systematic-review, "),
        (12, "samplesize must be a whole number (or 'not-reported'), not 'about 20'"),
        (13, "riskofbias 'medium' is not one of: low, some-concerns, high, unclear"),
        (14, "roos2012patellofemoral: retracted must be 'yes' or 'no', not 'maybe'"),
        (21, "alghadir2019effect: malformed DOI '10.1186' (expected 10.NNNN/...)"),
        (22, "alghadir2019effect: malformed PMCID '6456984' (expected PMC followed by digits)"),
        (25, "alghadir2019effect: reviewof 'some' is not one of: trials, observational, mixed"),
        (26, "evidencelevel 'strong' is not one of: very-low, low, moderate, high"),
        (31, "uncited2020: unknown field 'desing' (did you mean 'design'?)"),
        (32, "uncited2020: unknown field 'samplesise' (did you mean 'samplesize'?)"),
        (33, "uncited2020: unknown field 'riskofbais' (did you mean 'riskofbias'?)"),
    ],
}


def assert_reported(result: Result, file_name: str, expected: list[tuple[int, str]]) -> None:
    """Exactly the expected errors, each at its line, all in the named file, and exit 1."""
    assert result.code == 1
    reported = result.problems()
    assert [(name, line) for name, line, _ in reported] == [(file_name, line) for line, _ in expected]
    for (_, _, message), (_, fragment) in zip(reported, expected, strict=True):
        assert fragment in message
    assert "problems found: " in result.out and f"{len(expected)} error(s)" in result.out


@pytest.mark.parametrize("case", sorted(CLAIMS_CASES))
def test_check_reports_claims_problems(cli: Run, mini_data: Path, case: str) -> None:
    data = with_file(mini_data, f"{case}.claims.yaml")
    assert_reported(cli("--data-dir", str(data), "check"), "claims.yaml", CLAIMS_CASES[case])


@pytest.mark.parametrize("case", sorted(BIB_CASES))
def test_check_reports_bibtex_problems(cli: Run, case: str) -> None:
    path = BAD / f"{case}.studies.bib"
    assert_reported(cli("check", str(path)), path.name, BIB_CASES[case])


def test_an_entry_after_an_unclosed_brace_is_still_read(cli: Run) -> None:
    result = cli("check", str(BAD / "unclosed-brace.studies.bib"))
    assert "problems found: 1 error(s), 0 warning(s) in 1 file(s) (1 BibTeX entries read;" in result.out


def test_cited_studies_need_design_and_sample_size(cli: Run, mini_data: Path) -> None:
    data = with_file(mini_data, "cited-without-appraisal.studies.bib")
    assert_reported(
        cli("--data-dir", str(data), "check"),
        "studies.bib",
        [
            (2, "roos2012patellofemoral: cited by a claim but has no design"),
            (
                10,
                "alghadir2019effect: cited by a claim but has no samplesize (write 'not-reported' "
                "if it could not be verified)",
            ),
        ],
    )


def test_every_problem_in_both_files_is_reported_at_once(cli: Run, mini_data: Path) -> None:
    with_file(mini_data, "vocabulary.claims.yaml")
    with_file(mini_data, "malformed-fields.studies.bib")
    result = cli("--data-dir", str(mini_data), "check")
    expected = [("claims.yaml", line) for line, _ in CLAIMS_CASES["vocabulary"]]
    expected += [("studies.bib", line) for line, _ in BIB_CASES["malformed-fields"]]
    assert result.code == 1
    assert sorted((name, line) for name, line, _ in result.problems()) == sorted(expected)


def test_max_problems_limits_the_listing_not_the_count(cli: Run) -> None:
    result = cli("check", "--max-problems", "2", str(BAD / "malformed-fields.studies.bib"))
    assert len(result.problems()) == 2
    assert "... and 16 more" in result.out  # 14 errors, the unread field usesdaikon and no year (warnings)
    assert "16 error(s)" in result.out and result.code == 1


@pytest.mark.parametrize(
    ("value", "why"), [("-1", "expected 0 or more, got -1"), ("two", "expected a whole number")]
)
def test_max_problems_must_be_a_count(
    cli: Run, capsys: pytest.CaptureFixture[str], value: str, why: str
) -> None:
    # new-user trial: '--max-problems -1' printed one problem and '... and 3 more' of two
    with pytest.raises(SystemExit) as exit_:
        cli("check", "--max-problems", value, str(BAD / "malformed-fields.studies.bib"))
    assert exit_.value.code == 2
    assert why in capsys.readouterr().err


# --- check: other bad input ----------------------------------------------------------------------


def test_warnings_alone_pass(cli: Run, mini_data: Path) -> None:
    bib = mini_data / "studies.bib"
    bib.write_text(bib.read_text().replace("title  = {An unappraised entry with {LaTeX} \\& accents},", ""))
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 0
    (warning,) = result.problems("warning")
    assert warning[0] == "studies.bib" and "no title" in warning[2]


def test_supported_beside_no_direct_evidence_fails_check(cli: Run, mini_data: Path) -> None:
    """Was a warning that let the build publish "Supported" beside "No direct evidence"."""
    claims = mini_data / "claims.yaml"
    claims.write_text(claims.read_text().replace("verdict: partly-supported", "verdict: supported"))
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 1
    (error,) = result.problems()
    assert error[:2] == ("claims.yaml", 8)
    assert "verdict 'supported' but the main outcome's certainty is: no direct evidence" in error[2]


def claims_with(mini_data: Path, old: str, new: str) -> Path:
    claims = mini_data / "claims.yaml"
    text = claims.read_text()
    assert old in text
    claims.write_text(text.replace(old, new, 1))
    return mini_data


DUPLICATE_LINK = (
    "    - study: roos2012patellofemoral\n      stance: supports\n      outcome: pain and function\n"
    "      directness: direct\n      finding: f\n    - study: roos2012patellofemoral\n"
)
LINK_CASES = {
    "indirect without a reason": (
        ("      indirect_because: [acute-vs-training]\n", ""),
        (19, "indirect evidence needs indirect_because (population, outcome, ...)"),
    ),
    "a reason but direct": (
        ("      directness: direct\n", "      directness: direct\n      indirect_because: [outcome]\n"),
        (43, "indirect_because given but directness is 'direct'"),
    ),
    "reviewed in the future": (
        ("reviewed: 2026-11-20", "reviewed: 2999-01-01"),
        (35, "reviewed date 2999-01-01 is in the future"),
    ),
    "a study linked twice": (
        ("    - study: alghadir2019effect\n", DUPLICATE_LINK),
        (44, "study 'roos2012patellofemoral' is linked twice"),
    ),
}


@pytest.mark.parametrize("case", sorted(LINK_CASES))
def test_check_reports_link_problems(cli: Run, mini_data: Path, case: str) -> None:
    (old, new), (line, message) = LINK_CASES[case]
    result = cli("--data-dir", str(claims_with(mini_data, old, new)), "check")
    assert result.code == 1
    ((name, found_line, found),) = result.problems()
    assert (name, found_line) == ("claims.yaml", line)
    assert message in found


def test_check_rejects_a_between_group_estimate_from_a_single_arm_study(cli: Run, mini_data: Path) -> None:
    studies = mini_data / "studies.bib"
    studies.write_text(
        studies.read_text().replace("design     = {laboratory}", "design     = {laboratory},\n  arms = {1}")
    )
    estimate = "      estimate: {measure: md, value: -1.1, ci: [-1.9, -0.3], comparison: between-group}\n"
    data = claims_with(mini_data, "      inconsistent: true\n", "      inconsistent: true\n" + estimate)
    ((name, line, message),) = cli("--data-dir", str(data), "check").problems()
    assert (name, line) == ("claims.yaml", 22)
    assert "a between-group estimate from a single-arm study (use comparison: within-group)" in message
    data = claims_with(data, "comparison: between-group", "comparison: within-group")
    assert cli("--data-dir", str(data), "check").problems() == []


SHAPE_CASES = {
    "a mapping": (b"id: not-a-list\n", "claims.yaml:1: error: expected a list of claims"),
    "a string item": (b"- just a string\n", "claims.yaml:1: error: claim 1: expected a mapping"),
    "latin-1": ("- id: caf\u00e9\n".encode("latin-1"), "claims.yaml: error: not valid UTF-8"),
}


@pytest.mark.parametrize("case", sorted(SHAPE_CASES))
def test_check_reports_claims_files_of_the_wrong_shape(cli: Run, mini_data: Path, case: str) -> None:
    content, expected = SHAPE_CASES[case]
    (mini_data / "claims.yaml").write_bytes(content)
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 1
    assert expected in result.out


def test_check_reports_a_missing_data_folder(cli: Run, tmp_path: Path) -> None:
    result = cli("--data-dir", str(tmp_path / "nowhere"), "check")
    assert result.code == 1
    assert f"{tmp_path / 'nowhere'}: error: data folder not found" in result.out


def test_check_reports_a_missing_claims_file(cli: Run, mini_data: Path) -> None:
    (mini_data / "claims.yaml").unlink()
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 1
    assert "claims.yaml: error: file not found" in result.out


def test_an_unclosed_quote_mid_file_is_reported_where_the_quote_opens(cli: Run, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    claims = data / "claims.yaml"
    lines = claims.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines) if text.startswith("    - ") and '"' not in text)
    lines[line] = lines[line].replace("    - ", '    - "', 1)
    claims.write_text("".join(lines), encoding="utf-8")
    result = cli("--data-dir", str(data), "check")
    ((name, reported, message),) = result.problems()
    assert (name, reported) == ("claims.yaml", line + 1)
    assert message.startswith("YAML syntax error: probably an unclosed quote: the quoted value starting")
    assert "problems found: 1 error(s), 1 warning(s) in " in result.out  # the warning: a study with no title


def _shipped_data_with(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, int]:
    """A copy of the shipped data with the first ``old`` in ``name`` replaced by ``new``; the
    folder and the (1-based) line of the change."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    text = (data / name).read_text(encoding="utf-8")
    assert old in text
    (data / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return data, text[: text.index(old)].count("\n") + 1


def test_an_entry_that_does_not_parse_is_one_error_without_unknown_key_follow_ons(
    cli: Run, tmp_path: Path
) -> None:
    data, line = _shipped_data_with(tmp_path, "studies.bib", "oxygen consumption},", "oxygen consumption,")
    result = cli("--data-dir", str(data), "check")
    ((name, reported, message),) = result.problems()
    assert (name, reported) == ("studies.bib", line - 2)  # the entry's head
    assert f"line {line} probably misses a closing brace" in message
    assert "'@article{hooper2004effects,' (3 reference(s) to 'hooper2004effects'" in message


def test_a_misspelt_design_is_one_error_without_the_cited_but_no_design_follow_on(
    cli: Run, tmp_path: Path
) -> None:
    data, line = _shipped_data_with(tmp_path, "studies.bib", "{laboratory}", "{labratory}")
    result = cli("--data-dir", str(data), "check")
    ((name, reported, message),) = result.problems()
    assert (name, reported) == ("studies.bib", line)
    assert ": design 'labratory' is not one of" in message
    assert message.endswith("(did you mean 'laboratory'?)")


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("randomised-controlled-trial", "randomized-controlled-trial"),  # the site's own spelling
        ("Randomised controlled trial", "randomized-controlled-trial"),
        ("rct", "randomized-controlled-trial"),  # an abbreviation in common use
        ("RCT", "randomized-controlled-trial"),
    ],
)
def test_a_design_in_another_spelling_or_abbreviated_says_which_value_is_meant(
    cli: Run, tmp_path: Path, written: str, meant: str
) -> None:
    data, line = _shipped_data_with(
        tmp_path, "studies.bib", "{randomized-controlled-trial}", "{" + written + "}"
    )
    result = cli("--data-dir", str(data), "check")
    messages = [m for name, reported, m in result.problems() if (name, reported) == ("studies.bib", line)]
    assert messages and messages[0].endswith(f"is not one of: {', '.join(Design)} (did you mean '{meant}'?)")


def test_apa_prints_article_numbers_the_apa_7_way(cli: Run) -> None:
    result = cli("export", "--format", "apa", "--study", "alghadir2019effect", "--study", "chen2021efficacy")
    assert result.code == 0
    assert "BMC Musculoskeletal Disorders, 20, Article 159. https://doi.org/" in result.out
    assert (
        "Evidence-Based Complementary and Alternative Medicine, 2021, Article 5574966. https://" in result.out
    )


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json", "apa", "vancouver-html"])
def test_an_export_warns_of_a_study_without_a_title_as_check_does(cli: Run, fmt: str, tmp_path: Path) -> None:
    """A trial user's report: the UC Davis Health page (no title: the source could not be found)
    was exported as "UC Davis Health. (n.d.)." without a word. The export warns on standard error
    (standard output is the file) with check's own line, file and line number included."""
    (warning,) = [
        line for line in cli("check").out.splitlines() if "ucdavishealthnodatevo2: no title:" in line
    ]
    exported = cli(
        "export", "--format", fmt, "--study", "ucdavishealthnodatevo2", "--study", "alghadir2019effect"
    )
    assert exported.code == 0 and "UC Davis Health" in exported.out
    assert exported.err.splitlines() == [warning]
    target = tmp_path / f"refs.{fmt}"
    written = cli("export", "--format", fmt, "--study", "ucdavishealthnodatevo2", "-o", str(target))
    assert written.err.splitlines() == [warning, f"exported 1 study as {fmt} to {target}"]
    titled = cli("export", "--format", fmt, "--study", "alghadir2019effect")
    assert (titled.code, titled.err) == (0, "")


def test_an_export_of_an_unknown_topic_lists_the_topics_as_the_api_does(
    cli: Run, seed_client: TestClient, tmp_path: Path
) -> None:
    """A trial user's report: ``--topic knee-painx`` said "no study matches: the search found no
    claim", as if the topic had no claims. Now the API's 404 message, word for word."""
    api = seed_client.get("/api/v1/citations", params={"format": "ris", "topic": ["knee-painx", "balance"]})
    assert api.status_code == 404
    target = tmp_path / "refs.ris"
    result = cli(
        "export", "--format", "ris", "--topic", "knee-painx", "--topic", "balance", "-o", str(target)
    )
    assert (result.code, result.out) == (1, "")
    assert result.err == f"evidence-kb export: {api.json()['error']['message']}\n"
    assert "No topic 'knee-painx'; the topics are " in result.err and "'knee-pain'," in result.err
    assert not target.exists()


def test_an_export_that_selects_no_study_says_so_and_writes_nothing(cli: Run, tmp_path: Path) -> None:
    """As the API's 404 no-studies: an empty file would pass for a successful export."""
    target = tmp_path / "refs.ris"
    result = cli("export", "--format", "ris", "--q", "zzzqqxnotaword", "-o", str(target))
    assert (result.code, result.out) == (1, "")
    assert "no study matches" in result.err and "nothing written" in result.err
    assert not target.exists()
    assert cli("export", "--format", "bibtex", "--q", "zzzqqxnotaword").code == 1


def test_check_of_a_missing_bib_file(cli: Run, tmp_path: Path) -> None:
    result = cli("check", str(tmp_path / "missing.bib"))
    assert result.code == 1
    assert "no such file" in result.err


def test_the_installed_command_exits_1_without_a_traceback(mini_data: Path) -> None:
    data = with_file(mini_data, "vocabulary.claims.yaml")
    command = [sys.executable, "-m", "app.cli", "--data-dir", str(data), "check"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert f"{data / 'claims.yaml'}:6: error: " in done.stdout


def test_read_commands_need_no_data_folder_once_built(
    cli: Run, mini_data: Path, database_url: str, tmp_path: Path
) -> None:
    """An app host has the database but not the data files (docs/deploy.md)."""
    assert cli("--data-dir", str(mini_data), "--database-url", database_url, "build", "--quiet").code == 0
    nowhere = ("--data-dir", str(tmp_path / "no-data"), "--database-url", database_url)
    exported = cli(*nowhere, "export", "--format", "ris")
    assert (exported.code, exported.err) == (0, "")
    assert exported.out.count("TY  - ") == 3
    checked = cli(*nowhere, "factcheck", "walking backwards", "--json")
    assert checked.code == 0 and checked.err == ""
    dumped = cli(*nowhere, "dump", str(tmp_path / "dump"))
    assert dumped.code == 0 and (tmp_path / "dump").is_dir()
    assert f"not written: claims.yaml: no data folder here ({tmp_path / 'no-data'})" in dumped.out


def test_factcheck_takes_the_pages_heading(cli: Run, database_url: str) -> None:
    """``--context``: the title or heading of the post's page names what its "it" is."""
    assert cli("--data-dir", str(DATA_DIR), "--database-url", database_url, "build", "--quiet").code == 0
    args = ("--data-dir", str(DATA_DIR), "--database-url", database_url, "factcheck", "--json")
    post = "It strengthens your quads and improves balance."
    alone = json.loads(cli(*args, post).out)
    told = json.loads(cli(*args, post, "--context", "The benefits of walking backwards on a treadmill").out)
    assert alone["matches"] == [] and told["matches"], told
    too_long = cli(*args, post, "--context", "x" * 301)
    assert too_long.code == 1 and "the context is longer than 300 characters" in too_long.err


def test_a_read_command_without_build_or_data_folder_names_both(cli: Run, tmp_path: Path) -> None:
    database = tmp_path / "none.db"
    args = ("--data-dir", str(tmp_path / "no-data"), "--database-url", f"sqlite:///{database}")
    result = cli(*args, "export", "--format", "ris")
    assert result.code == 1
    assert f"no build in {database}" in result.err and str(tmp_path / "no-data") in result.err
    assert not database.exists()


def test_check_names_the_resolved_missing_data_folder(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("--data-dir", "data", "check")
    assert result.code == 1
    assert f"data folder not found ({tmp_path / 'data'})" in result.out


@pytest.mark.parametrize(
    "command",
    [
        ["export", "--format", "bibtex"],
        ["factcheck", "walking backwards"],
        ["check"],
        ["build", "--force", "--quiet"],
    ],
)
def test_a_closed_standard_output_exits_quietly(mini_data: Path, tmp_path: Path, command: list[str]) -> None:
    """``evidence-kb ... | head -1``: no 'BrokenPipeError' message, the shell's SIGPIPE status
    (check and build print the problems of bad data)."""
    base = [sys.executable, "-m", "app.cli", "--data-dir", str(mini_data),
            "--database-url", f"sqlite:///{tmp_path / 'kb.db'}"]  # fmt: skip
    subprocess.run([*base, "build", "--quiet"], check=True, timeout=120, capture_output=True)
    if command[0] in ("check", "build"):
        with_file(mini_data, "vocabulary.claims.yaml")
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the command writes
    with os.fdopen(writer, "wb") as stdout:
        done = subprocess.run(
            [*base, *command], stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120, check=False
        )
    assert done.stderr == ""
    assert done.returncode == 141


# --- build ---------------------------------------------------------------------------------------


def test_build_then_no_op_then_force(cli: Run, mini_data: Path, database_url: str) -> None:
    args = ("--data-dir", str(mini_data), "--database-url", database_url, "build")
    first = cli(*args)
    assert first.code == 0
    assert first.out.startswith("built: 2 claims, 3 studies")
    assert "build: wrote 3 studies and 2 claims" in first.err  # progress, on stderr
    again = cli(*args)
    assert (again.code, again.out.split(":")[0]) == (0, "up to date")
    forced = cli(*args, "--force", "--quiet")
    assert forced.out.startswith("built: 2 claims") and forced.err == ""


def test_build_refuses_bad_data_and_says_the_database_is_unchanged(
    cli: Run, mini_data: Path, database_url: str
) -> None:
    with_file(mini_data, "vocabulary.claims.yaml")
    result = cli("--data-dir", str(mini_data), "--database-url", database_url, "build")
    assert result.code == 1
    assert len(result.problems()) == len(CLAIMS_CASES["vocabulary"])
    assert "build refused: 5 error(s) in the data; the database was not changed." in result.err


def _concept_count(database_url: str) -> int:
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(make_settings(database_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM concept")).scalar_one())
    finally:
        engine.dispose()


def test_a_missing_concepts_file_is_an_error_and_the_database_keeps_its_concepts(
    cli: Run, mini_data: Path, database_url: str
) -> None:
    args = ("--data-dir", str(mini_data), "--database-url", database_url)
    assert cli(*args, "build", "--quiet").code == 0
    before = _concept_count(database_url)
    assert before > 0
    (mini_data / "concepts.yaml").unlink()
    missing = f"{mini_data / 'concepts.yaml'}: error: file not found"
    checked = cli(*args, "check")
    assert checked.code == 1 and missing in checked.out
    for build in (("build",), ("build", "--force")):
        result = cli(*args, *build)
        assert result.code == 1 and missing in result.out
        assert "the database was not changed" in result.err
    assert _concept_count(database_url) == before


def test_build_reports_an_unreachable_database(cli: Run, mini_data: Path) -> None:
    url = "postgresql://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1
    result = cli("--data-dir", str(mini_data), "--database-url", url, "build")
    assert result.code == 1
    assert result.err.startswith("build failed: OperationalError")  # no misleading progress first
    assert result.err.rstrip().endswith("the database was not changed.")


# --- serve (uvicorn replaced by a recorder) ------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Records what would be served (the port is really bound first, then released)."""
    from app import serving

    calls: list[dict[str, object]] = []

    def record(config: object, _sock: object) -> None:
        calls.append({k: getattr(config, k) for k in ("host", "port", "workers")})

    monkeypatch.setattr(serving, "run_server", record)
    return calls


def test_serve_builds_then_serves(
    cli: Run, mini_data: Path, tmp_path: Path, served: list[dict[str, object]]
) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    result = cli("--data-dir", str(mini_data), "--database-url", url, "serve", "--port", "8123")
    assert result.code == 0
    assert "built: 2 claims, 3 studies" in result.err
    assert [(c["host"], c["port"], c["workers"]) for c in served] == [("127.0.0.1", 8123, 1)]


def test_factcheck_links_to_the_port_serve_serves_on(
    cli: Run, mini_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trial user served with ``serve --port 8765`` (the site's pages link to 8765: README,
    EVIDENCE_KB_BASE_URL) and got ``http://127.0.0.1:8000/claims/...`` from ``factcheck`` in
    another terminal, a port nothing answered on; the command line now links where a running
    ``serve`` of the same database serves, and to the default once it stopped (or with the base
    URL set, to that)."""
    from app import serving

    args = ["--data-dir", str(mini_data), "--database-url", f"sqlite:///{tmp_path / 'served.db'}"]
    post = [
        "factcheck",
        "Backward walking eases pain and improves function and quadriceps strength in knee osteoarthritis",
        "--json",
    ]

    def link(env: dict[str, str]) -> str:
        """The claim's link ``factcheck`` prints in a terminal of its own."""
        command = [sys.executable, "-m", "app.cli", *args, *post]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=True)
        return str(json.loads(done.stdout)["matches"][0]["claim"]["url"])

    terminal = {k: v for k, v in os.environ.items() if k != "EVIDENCE_KB_BASE_URL"}
    during: list[str] = []
    monkeypatch.setattr(serving, "run_server", lambda _config, _sock: during.append(link(terminal)))
    port = free_port()
    assert cli(*args, "serve", "--port", str(port)).code == 0
    assert during[0].startswith(f"http://127.0.0.1:{port}/claims/"), during
    assert not (tmp_path / ".served.db.serving").exists()  # removed when serve returned
    assert link(terminal).startswith("http://127.0.0.1:8000/claims/")
    assert link(terminal | {"EVIDENCE_KB_BASE_URL": "https://kb.example.org"}).startswith(
        "https://kb.example.org/claims/"
    )


def test_a_stale_served_address_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``serve`` killed outright leaves its record behind: a record whose process is gone is
    not followed."""
    from app.serving import served_address_file, served_settings

    monkeypatch.delenv("EVIDENCE_KB_BASE_URL", raising=False)
    settings = make_settings(f"sqlite:///{tmp_path / 'kb.db'}")
    record = served_address_file(settings)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    for pid, expected in (
        (int(gone.stdout), "http://127.0.0.1:8000"),
        (os.getpid(), "http://127.0.0.1:8765"),
    ):
        record.write_text(json.dumps({"address": "http://127.0.0.1:8765", "pid": pid}))
        assert served_settings(settings).base_url == expected


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_removes_its_address_record_when_stopped(mini_data: Path, tmp_path: Path, stop: int) -> None:
    """A trial user's report: ``.NAME.serving`` was left behind after SIGTERM (uvicorn shut down
    gracefully, then sent itself SIGTERM again under Python's default handler, which ended the
    process before ``serve`` removed the record). A real process, stopped as systemd or Ctrl-C
    stop it."""
    from serverproc import status

    database = tmp_path / "served.db"
    env = {k: v for k, v in served_env().items() if k != "EVIDENCE_KB_BASE_URL"}
    args = ["--data-dir", str(mini_data), "--database-url", f"sqlite:///{database}"]
    subprocess.run(
        [sys.executable, "-m", "app.cli", *args, "build", "--quiet"], env=env, check=True, timeout=120
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args, "serve", "--no-build", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    record = tmp_path / ".served.db.serving"
    try:
        deadline = time.monotonic() + 60
        while not (record.exists() and _answers(status, port)):
            assert server.poll() is None and time.monotonic() < deadline, server.communicate()[1][-2000:]
            time.sleep(0.2)
        assert [r["pid"] for r in json.loads(record.read_text())["servers"]] == [server.pid]
        server.send_signal(stop)
        code = server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
        err = server.communicate()[1]
    assert code == 0, err
    assert not record.exists(), err


def _answers(status: Callable[[int, str], int], port: int) -> bool:
    try:
        return status(port, "/healthz") == 200
    except OSError:
        return False


def test_serve_with_bad_data_keeps_serving_the_last_good_build(
    cli: Run, mini_data: Path, tmp_path: Path, served: list[dict[str, object]]
) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    assert cli("--data-dir", str(mini_data), "--database-url", url, "build").code == 0
    with_file(mini_data, "vocabulary.claims.yaml")
    result = cli("--data-dir", str(mini_data), "--database-url", url, "serve")
    assert result.code == 0
    assert "serving the last good build unchanged" in result.err
    assert len(served) == 1


def test_serve_without_a_data_folder_serves_the_database_as_it_is(
    cli: Run, mini_data: Path, tmp_path: Path, served: list[dict[str, object]]
) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    assert cli("--data-dir", str(mini_data), "--database-url", url, "build", "--quiet").code == 0
    result = cli("--data-dir", str(tmp_path / "no-data"), "--database-url", url, "serve")
    assert result.code == 0 and result.out == ""
    assert result.err.startswith(
        f"no data folder at {tmp_path / 'no-data'}: serving the database as it is.\nserving on "
    )
    assert len(served) == 1


def test_serve_with_bad_data_and_no_database_exits_1(
    cli: Run, mini_data: Path, tmp_path: Path, served: list[dict[str, object]]
) -> None:
    with_file(mini_data, "vocabulary.claims.yaml")
    url = f"sqlite:///{tmp_path / 'never.db'}"
    result = cli("--data-dir", str(mini_data), "--database-url", url, "serve")
    assert result.code == 1
    assert "no earlier build to serve" in result.err
    assert served == []


def test_a_syntax_error_names_where_the_broken_list_began(cli: Run, mini_data: Path) -> None:
    result = cli("--data-dir", str(with_file(mini_data, "yaml-unclosed-list.claims.yaml")), "check")
    assert result.problems()[0][2].endswith("(while parsing a flow sequence that starts at line 5)")


def test_configuration_comes_from_the_environment(
    cli: Run, mini_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_KB_DATA_DIR", str(mini_data))
    monkeypatch.setenv("EVIDENCE_KB_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert "ok: 2 claims and 3 studies" in cli("check").out
    assert cli("build").code == 0
    assert (tmp_path / "env.db").exists()


# --- every subcommand on broken data or configuration: a message, exit 1, no traceback ---------

#: Each subcommand with arguments that would succeed on good data.
SUBCOMMANDS = {
    "check": ("check",),
    "build": ("build",),
    "serve": ("serve", "--port", "8123"),
    "factcheck": ("factcheck", "Walking backwards on the treadmill cures knee pain"),
    "factcheck-eval": ("factcheck-eval", str(FIXTURES / "factcheck-posts.yaml")),
    "export": ("export", "--format", "bibtex"),
    "dump": ("dump", "open-data"),
}


def test_every_subcommand_is_tested_here() -> None:
    from app.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(SUBCOMMANDS)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_reports_a_broken_claims_file(
    cli: Run, mini_data: Path, tmp_path: Path, served: list[dict[str, object]], command: str
) -> None:
    data = with_file(mini_data, "vocabulary.claims.yaml")
    url = f"sqlite:///{tmp_path / 'never-built.db'}"
    result = cli("--data-dir", str(data), "--database-url", url, *SUBCOMMANDS[command])
    assert result.code == 1
    expected = CLAIMS_CASES["vocabulary"]
    reported = result.problems()
    assert [(name, line) for name, line, _ in reported] == [("claims.yaml", line) for line, _ in expected]
    for (_, _, message), (_, fragment) in zip(reported, expected, strict=True):
        assert fragment in message
    assert f"{data / 'claims.yaml'}:6: error: " in result.out  # the full path and the line
    if command != "check":  # check ends with its own summary line instead
        assert f"{len(expected)} error(s) in the data" in result.err
    assert served == []
    assert not (tmp_path / "never-built.db").exists()


@pytest.mark.parametrize("command", ["build", "factcheck", "export"])
def test_an_invalid_setting_is_a_message(
    cli: Run, mini_data: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.setenv("EVIDENCE_KB_POOL_SIZE", "many")
    result = cli("--data-dir", str(mini_data), *SUBCOMMANDS[command])
    assert result.code == 1
    assert "the configuration is not valid: EVIDENCE_KB_POOL_SIZE" in result.err


def test_an_invalid_setting_is_said_in_the_apis_words(
    cli: Run, mini_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new user's trial met pydantic's "Input should be a valid list" beside the API's own
    sentences; the value is never echoed (an API key, a password in a database URL)."""
    monkeypatch.setenv("EVIDENCE_KB_API_KEYS", '{"k": "s3cret"}')
    monkeypatch.setenv("EVIDENCE_KB_POOL_SIZE", "many")
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 1
    assert result.err.strip() == (
        "evidence-kb: the configuration is not valid: EVIDENCE_KB_POOL_SIZE must be a whole number "
        "written in the digits 0-9. EVIDENCE_KB_API_KEYS must be a list (a JSON array)."
    ), result.err
    assert "s3cret" not in result.err and "many" not in result.err


@pytest.mark.parametrize("command", ["factcheck", "factcheck-eval", "export"])
def test_an_unreachable_database_is_a_message(cli: Run, mini_data: Path, command: str) -> None:
    url = "postgresql://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1
    result = cli("--data-dir", str(mini_data), "--database-url", url, *SUBCOMMANDS[command])
    assert result.code == 1
    assert f"evidence-kb {command}: cannot use the database: OperationalError" in result.err


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("export", "--format", "xyz"), "--format"),
        (("export", "--format", "bibtex", "--verdict", "xyz"), "--verdict"),
        (("export", "--format", "bibtex", "--grade", "xyz"), "--grade"),
    ],
)
def test_vocabulary_options_list_plain_values(
    cli: Run, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], option: str
) -> None:
    """An option that takes a vocabulary names its allowed values as typed, not as enum reprs."""
    with pytest.raises(SystemExit) as exit_info:
        cli(*args)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert f"argument {option}" in err and "invalid choice: 'xyz'" in err
    assert "<" not in err.split("choose from", 1)[1], err
    assert "'bibtex'" in err or "'supported'" in err or "'very-low'" in err


def test_check_warns_when_untested_has_a_supporting_randomised_trial(cli: Run, mini_data: Path) -> None:
    """'unproven' because 'untested' while a direct randomised trial supports the claim: a warning."""
    claims_with(mini_data, "  verdict: supported\n", "  verdict: unproven\n  unproven_because: untested\n")
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 0, result.out
    messages = [message for _, _, message in result.problems("warning")]
    assert any(
        "verdict 'unproven' (untested) but a direct randomised trial supports the claim: alghadir2019effect"
        in m
        for m in messages
    ), messages


def test_check_warns_about_a_year_in_the_future(cli: Run, mini_data: Path) -> None:
    bib = mini_data / "studies.bib"
    text = bib.read_text()
    assert "  year       = {2019},\n" in text
    bib.write_text(text.replace("  year       = {2019},\n", "  year       = {2099},\n", 1))
    result = cli("--data-dir", str(mini_data), "check")
    assert result.code == 0, result.out
    warnings = result.problems("warning")
    assert ("studies.bib", 25, "alghadir2019effect: year 2099 is in the future") in warnings, warnings


def test_counts_are_worded_in_the_right_number() -> None:
    """'1 claims and 59 studies read' (new-user trial): one noun per count, singular for 1."""
    from app.cli_text import counted

    assert [counted(n, "claim", "claims") for n in (0, 1, 2)] == ["0 claims", "1 claim", "2 claims"]


def test_supported_beside_no_direct_evidence_is_an_error(cli: Run, tmp_path: Path) -> None:
    """A claim no study measured, marked 'supported', passed ``check`` with a warning and would
    publish "Supported" beside "No direct evidence" (new-user trial); 'supported' on very low
    certainty stays a warning (a call the curator explains)."""
    data, _ = _shipped_data_with(tmp_path, "claims.yaml", "  verdict: unproven\n  unproven_because: untested\n",
                                 "  verdict: supported\n")  # fmt: skip
    result = cli("--data-dir", str(data), "check")
    assert result.code == 1
    errors = [(n, m) for n, _, m in result.problems() if "verdict 'supported'" in m]
    assert errors and all(n == "claims.yaml" for n, _ in errors), result.out


def test_unknown_keys_left_by_a_duplicate_key_point_to_it(cli: Run, tmp_path: Path) -> None:
    """Renaming an entry's key to one in use left its references 'unknown' with a wrong guess
    ("did you mean 'anon1998patellofemoral'?") before the cause (new-user trial): each now points
    to the duplicate."""
    data, line = _shipped_data_with(tmp_path, "studies.bib", "@article{flynn1995patellofemoral,",
                                    "@article{roos2012patellofemoral,")  # fmt: skip
    result = cli("--data-dir", str(data), "check")
    assert result.code == 1
    problems = result.problems()
    assert ("studies.bib", line) in {(n, at) for n, at, m in problems if m.startswith("duplicate key")}
    unknown = [m for _, _, m in problems if "unknown study key 'flynn1995patellofemoral'" in m]
    assert unknown and all(f"studies.bib:{line} ('roos2012patellofemoral')" in m for m in unknown), unknown
    assert not any("did you mean" in m for m in unknown)


def test_check_reads_and_checks_a_studys_groups(cli: Run, mini_data: Path) -> None:
    """``groups`` (studies.bib) say who a sample size counts; they must add up to ``samplesize``
    and be as many as ``arms``, and an estimate's ``group`` must be one of them."""
    studies = mini_data / "studies.bib"
    original = studies.read_text()

    def with_groups(groups: str, arms: str = "2") -> str:
        return original.replace(
            "  samplesize = {20},\n",
            f"  samplesize = {{20}},\n  arms = {{{arms}}},\n  groups = {{{groups}}},\n",
            1,
        )

    studies.write_text(with_groups("backward: 12; forward: 10"))
    ((name, line, message),) = cli("--data-dir", str(mini_data), "check").problems()
    assert (name, line) == ("studies.bib", 17)
    assert "groups: the groups add up to 22, but samplesize = 20" in message
    studies.write_text(with_groups("backward: 10; forward: 10", arms="3"))
    ((_, _, message),) = cli("--data-dir", str(mini_data), "check").problems()
    assert "groups: 2 groups, but arms = 3" in message
    studies.write_text(with_groups("backward 10; forward: 10"))
    ((_, _, message),) = cli("--data-dir", str(mini_data), "check").problems()
    assert "'backward 10' is not 'label: number of participants'" in message
    studies.write_text(with_groups("backward: 10; forward: 10"))
    assert cli("--data-dir", str(mini_data), "check").problems() == []
    estimate = (
        "      estimate: {measure: md, value: -1.1, comparison: within-group, analysed: 10, group: trained}\n"
    )
    data = claims_with(mini_data, "      inconsistent: true\n", "      inconsistent: true\n" + estimate)
    ((name, line, message),) = cli("--data-dir", str(data), "check").problems()
    assert name == "claims.yaml"
    assert "estimate group 'trained' is not one of the study's groups (backward, forward)" in message
    data = claims_with(data, "group: trained", "group: backward")
    assert cli("--data-dir", str(data), "check").problems() == []


def test_a_misspelt_entry_key_is_reported_at_the_entry_not_copied_into_the_claims(
    cli: Run, tmp_path: Path
) -> None:
    """A trial user's report: renaming '@article{terblanche2005effect,' to '...efect' gave three
    claims.yaml errors each saying "did you mean 'terblanche2005efect'?", steering the curator to
    copy the typo. The near key is cited by no claim, so the entry is the likelier mistake."""
    data, line = _shipped_data_with(
        tmp_path, "studies.bib", "@article{terblanche2005effect,", "@article{terblanche2005efect,"
    )
    result = cli("--data-dir", str(data), "check")
    problems = result.problems()
    assert not [m for _, _, m in problems if "did you mean 'terblanche2005efect'" in m]
    in_claims = [m for name, _, m in problems if name == "claims.yaml" and "terblanche2005effect" in m]
    assert in_claims and all(f"the entry 'terblanche2005efect' at studies.bib:{line}" in m for m in in_claims)
    at_entry = [m for name, at, m in problems if (name, at) == ("studies.bib", line)]
    assert any(
        m.startswith(
            "study 'terblanche2005efect' is cited by no claim; did you mean 'terblanche2005effect' (cited "
        )
        for m in at_entry
    ), at_entry


# --- a new user's trial: typos in a claim's topic and verdict -----------------------------------------


def test_a_misspelt_verdict_says_which_value_is_meant(cli: Run, tmp_path: Path) -> None:
    data, line = _shipped_data_with(
        tmp_path, "claims.yaml", "verdict: partly-supported", "verdict: partly-suported"
    )
    result = cli("--data-dir", str(data), "check")
    ((name, reported, message),) = result.problems()
    assert (name, reported) == ("claims.yaml", line)
    assert (
        "'partly-suported' is not allowed (did you mean 'partly-supported'?): expected 'supported',"
        in message
    )


def test_a_topic_of_one_claim_spelt_like_another_claims_topic_is_a_warning(cli: Run, tmp_path: Path) -> None:
    data, line = _shipped_data_with(tmp_path, "claims.yaml", "patellofemoral-pain,", "patellofemoral-pains,")
    result = cli("--data-dir", str(data), "check")
    assert result.code == 0
    warned = [(n, r, m) for n, r, m in result.problems("warning") if n == "claims.yaml"]
    assert warned == [
        (
            "claims.yaml",
            line,
            "claim backward-running-reduces-patellofemoral-force: topics: 'patellofemoral-pains' is used "
            "by no other claim (did you mean 'patellofemoral-pain', used by 2 claim(s)?); otherwise the "
            "build makes it a topic of its own",
        )
    ]
    warnings = len(result.problems("warning"))
    # a build counts it, full and incremental alike
    full = cli("--data-dir", str(data), "build")
    assert full.code == 0 and f"({warnings} warning(s)" in full.out + full.err
    claims = data / "claims.yaml"
    claims.write_text(claims.read_text().replace("patellofemoral-pains,", "patellofemoral-pain,"))
    assert cli("--data-dir", str(data), "build").code == 0
    claims.write_text(claims.read_text().replace("patellofemoral-pain,", "patellofemoral-pains,", 1))
    incremental = cli("--data-dir", str(data), "build")
    assert "incremental" in incremental.out + incremental.err
    assert incremental.code == 0 and f"({warnings} warning(s)" in incremental.out + incremental.err


def test_check_compares_a_new_topic_with_the_topics_of_the_build(cli: Run, tmp_path: Path) -> None:
    """'biomechanics' has one claim: misspelt there, no claim has it any more, and only the
    database's build still knows it."""
    assert cli("build").code == 0
    data, line = _shipped_data_with(tmp_path, "claims.yaml", "[biomechanics,", "[biomechanic,")
    result = cli("--data-dir", str(data), "check")
    assert result.code == 0
    (message,) = [m for n, r, m in result.problems("warning") if (n, r) == ("claims.yaml", line)]
    assert (
        "'biomechanic' is used by no other claim (did you mean 'biomechanics', a topic of the current build"
        in message
    )
    # the shipped data has no such warning: topics of one claim that resemble no other are fine
    shipped = cli("--data-dir", str(DATA_DIR), "check").problems("warning")
    assert not [p for p in shipped if p[0] == "claims.yaml"]


def test_a_published_work_without_a_year_is_a_warning_at_its_entry(cli: Run, tmp_path: Path) -> None:
    """APA printed '(n.d.)' for a 2004 article and check said ok; a web page (@misc, @online)
    may be undated and is not warned about."""
    data, _ = _shipped_data_with(tmp_path, "studies.bib", "  year        = {2004},\n", "")
    lines = (data / "studies.bib").read_text(encoding="utf-8").splitlines()
    result = cli("--data-dir", str(data), "check")
    assert result.code == 0
    ((name, reported, message),) = [p for p in result.problems("warning") if "no year" in p[2]]
    assert name == "studies.bib" and lines[reported - 1].startswith("@article{")
    key = lines[reported - 1].removeprefix("@article{").rstrip(",")
    assert message == (
        f"{key}: no year: its citation (APA, Vancouver, RIS, ...) would print it undated ('(n.d.)'); "
        "add year (or date) to the @article, or pubstate = {inpress} for a work not yet published"
    )
    shipped = cli("--data-dir", str(DATA_DIR), "check").problems("warning")
    assert not [p for p in shipped if "no year" in p[2]]


def test_a_list_item_moved_to_column_0_is_reported_where_it_starts(cli: Run, tmp_path: Path) -> None:
    """The first caveat of a claim dedented to column 0 starts a value that swallows the
    caveats below it; the parser stops 4 lines later, at the next key ('phrasings:')."""
    caveat = "    - This is about running; the source article"
    data, line = _shipped_data_with(tmp_path, "claims.yaml", caveat, caveat.lstrip())
    result = cli("--data-dir", str(data), "check")
    ((name, reported, message),) = result.problems()
    assert (name, reported) == ("claims.yaml", line)
    assert message.startswith(
        f"YAML syntax error: the value starting on this line runs on over the lines below it to line {line + 4}, "
        "where: mapping values are not allowed here"
    )
    assert "indented less than its neighbours" in message


def test_an_export_warns_of_a_published_work_without_a_year_as_check_does(cli: Run, tmp_path: Path) -> None:
    data, _ = _shipped_data_with(tmp_path, "studies.bib", "  year        = {2004},\n", "")
    (warning,) = [
        line for line in cli("--data-dir", str(data), "check").out.splitlines() if ": no year: " in line
    ]
    key = warning.split(": warning: ")[1].split(":")[0]
    exported = cli("--data-dir", str(data), "export", "--format", "apa", "--study", key)
    assert exported.code == 0 and "(n.d.)" in exported.out
    assert exported.err.splitlines() == [warning]


def test_an_unknown_duplicate_is_never_suggested_as_the_study_itself(cli: Run, tmp_path: Path) -> None:
    """New-user check 2026-12-01: with abdelraouf2019backwarda gone, check said
    "abdelraouf2019backwardb: duplicateof: unknown study key 'abdelraouf2019backwarda' (did you
    mean 'abdelraouf2019backwardb'?)": the entry as its own duplicate."""
    data, _ = _shipped_data_with(
        tmp_path, "studies.bib", "@article{abdelraouf2019backwarda,", "@article{abdelraoufrenamed2019,"
    )
    result = cli("--data-dir", str(data), "check")
    (message,) = [m for _, _, m in result.problems() if "duplicateof: unknown study key" in m]
    assert message.startswith(
        "abdelraouf2019backwardb: duplicateof: unknown study key 'abdelraouf2019backwarda'"
    )
    assert "did you mean 'abdelraouf2019backwardb'" not in message
