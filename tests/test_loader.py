"""Loading and validating the data files (app/loader.py) into records, on the mini data set."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.bibtex import OTHERS, Person, parse_bib_text
from app.loader import StudyRecord, data_files, data_hash, load_data, study_record
from app.problems import Problem


def only_study(bib: str) -> tuple[StudyRecord, list[Problem]]:
    """The study of one entry and its problems, without the warning for a missing year (the
    entries here leave out what they do not test; tests/test_cli.py tests that warning)."""
    (entry,) = parse_bib_text(bib, "s.bib").entries
    problems: list[Problem] = []
    record = study_record(entry, 0, problems)
    return record, [p for p in problems if ": no year: " not in p.message]


# --- the mini data set ---------------------------------------------------------------------------


def test_mini_data_loads_clean(mini_data: Path) -> None:
    loaded = load_data(mini_data)
    assert loaded.problems == []
    assert [s.key for s in loaded.studies] == ["roos2012patellofemoral", "alghadir2019effect", "uncited2020"]
    assert [c.claim.id for c in loaded.claims] == [
        "backward-running-reduces-patellofemoral-force",
        "backward-walking-eases-knee-osteoarthritis",
    ]
    assert [c.id for c in loaded.concepts] == ["backward", "healthy-adults"]


def test_study_record_fields(mini_data: Path) -> None:
    roos = load_data(mini_data).studies[0]
    assert roos.title == "Patellofemoral joint compression forces in backward and forward running"
    assert roos.container == "Journal of Biomechanics"  # from the @string macro
    assert roos.authors == [
        Person(family="Roos", given="Paulien E."),
        Person(family="Barton", given="Nick"),
        Person(family="Deursen", given="Robert W. M.", particle="van"),
    ]
    assert (roos.year, roos.volume, roos.number, roos.pages) == (2012, "45", "9", "1656–1660")
    assert (roos.doi, roos.pmid) == ("10.1016/j.jbiomech.2012.03.020", "22503882")
    assert (roos.design, roos.sample_size, roos.population) == ("laboratory", 20, "Healthy adults")
    assert (roos.source_line, roos.position, roos.entry_type) == (4, 0, "article")
    assert roos.fields["journal"] == "Journal of Biomechanics"  # raw fields kept for export


def test_unappraised_entry_with_latex(mini_data: Path) -> None:
    uncited = load_data(mini_data).studies[2]
    assert uncited.title == "An unappraised entry with LaTeX & accents"
    assert uncited.authors == [
        Person(family="Schön", given="J."),
        Person(literal="World Health Organization"),
    ]
    assert (uncited.design, uncited.sample_size) == (None, None)


def test_claim_records_carry_the_computed_grade(mini_data: Path) -> None:
    lab, trial = load_data(mini_data).claims
    assert lab.grade.level == "no-direct-evidence"  # one laboratory study, indirect (acute vs training)
    assert trial.grade.level == "low"  # one randomised trial of 68, some concerns: risk of bias, imprecision
    assert [r.factor for r in trial.grade.reasons] == ["study design", "risk of bias", "imprecision"]
    assert trial.grade.carrying == ("alghadir2019effect",)
    assert lab.calibrated == (
        "In people who run, there is no direct evidence that running backward puts less compressive force "
        "on the patellofemoral joint than running forward."
    )
    assert (lab.line, trial.line, trial.position) == (1, 25, 1)


def test_tested_in_must_name_a_population_concept(mini_data: Path) -> None:
    claims = mini_data / "claims.yaml"
    claims.write_text(claims.read_text().replace("tested_in: [healthy-adults]", "tested_in: [astronauts]"))
    (error,) = load_data(mini_data).problems
    assert (Path(error.path).name, error.line, error.severity) == ("claims.yaml", 11, "error")
    assert "tested_in 'astronauts' is not a population concept" in error.message
    # a misspelling is named with the population meant
    claims.write_text(claims.read_text().replace("tested_in: [astronauts]", "tested_in: [healthy-adult]"))
    (error,) = load_data(mini_data).problems
    assert error.message.endswith("(did you mean 'healthy-adults'?)"), error.message


def test_concept_problems(mini_data: Path) -> None:
    (mini_data / "concepts.yaml").write_text(
        "- id: backward\n  terms: [backward]\n- id: backward\n  terms: [retro]\n"
        "- id: forward\n  kind: direction\n  term: [forward]\n"
    )
    problems = [(p.line, p.message) for p in load_data(mini_data).problems]
    assert problems == [
        (3, "duplicate concept id 'backward' (first at line 1)"),
        (5, "concept forward: terms: required field is missing"),
        (6, "concept forward: kind: 'direction' is not allowed: expected 'activity', 'body', 'outcome', "
            "'topic', 'population', 'generaliser', 'certainty' or 'ignore'"),
        (7, "concept forward: term: unknown field (did you mean 'terms'?)"),
    ]  # fmt: skip


def test_concepts_file_is_required(mini_data: Path) -> None:
    """Without concepts.yaml search and fact-check lose their vocabulary: an error naming the file;
    an empty list is the way to have no concepts."""
    (mini_data / "concepts.yaml").unlink()
    problems = load_data(mini_data).problems
    assert [(Path(p.path).name, p.severity) for p in problems] == [("concepts.yaml", "error")]
    assert "file not found" in problems[0].message
    (mini_data / "concepts.yaml").write_text("[]\n")
    loaded = load_data(mini_data)
    assert (loaded.problems, loaded.concepts) == ([], [])


def test_no_bib_file(mini_data: Path) -> None:
    (mini_data / "studies.bib").unlink()
    messages = [p.message for p in load_data(mini_data).problems]
    assert "no .bib file found (expected studies.bib)" in messages
    assert any("unknown study key 'roos2012patellofemoral'" in m for m in messages)


# --- study records -------------------------------------------------------------------------------


def test_appraisal_fields() -> None:
    study, problems = only_study(
        "@article{r, title = {Review}, journal = {J}, design = {Meta-Analysis}, samplesize = {635},"
        " studies = {21}, reviewof = {observational}, riskofbias = {some-concerns},"
        " outcomes = {pain; function ;; balance}, limitations = {small trials},"
        " retracted = {yes}, enrolled = {700}, author = {A, B and others}}"
    )
    assert problems == []
    assert (study.design, study.sample_size, study.studies_included, study.enrolled) == (
        "meta-analysis", 635, 21, 700,
    )  # fmt: skip
    assert (study.review_of, study.risk_of_bias, study.retracted) == ("observational", "some-concerns", True)
    assert study.outcomes == ["pain", "function", "balance"]
    assert study.limitations == ["small trials"]
    assert study.authors == [Person(family="A", given="B"), OTHERS]


def test_sample_size_not_reported_is_no_number_and_no_error() -> None:
    study, problems = only_study("@article{k, title = {T}, design = {cohort}, samplesize = {not-reported}}")
    assert (study.sample_size, problems) == (None, [])


@pytest.mark.parametrize(("field", "container"), [
    ("journal", "J. Biomech."), ("booktitle", "Proceedings"), ("school", "Old Dominion University"),
    ("publisher", "ACM"), ("howpublished", "Web page"),
])  # fmt: skip
def test_container_falls_back_through_the_usual_fields(field: str, container: str) -> None:
    study, _ = only_study(f"@misc{{k, title = {{T}}, {field} = {{{container}}}}}")
    assert study.container == container


def test_a_doi_url_is_reported_and_kept_bare() -> None:
    study, problems = only_study("@article{k,\n  title = {T},\n  doi = {https://doi.org/10.1000/xyz},\n}")
    assert study.doi == "10.1000/xyz"
    assert [(p.line, p.message) for p in problems] == [
        (3, "k: write the DOI bare ('10.1000/xyz'), without 'https://doi.org/'")
    ]


@pytest.mark.parametrize(
    "doi",
    ["10.1016/j.jbiomech.2012.03.020", "10.1002/(SICI)1097-024X(199908)29:10<833::AID-SPE258>3.0.CO;2-P"],
)
def test_valid_dois(doi: str) -> None:
    assert only_study(f"@article{{k, title = {{T}}, doi = {{{doi}}}}}")[1] == []


@pytest.mark.parametrize("doi", ["10.1186", "doi 10.1000/x", "11.1000/x", "10.12/x", "10.1000/has space"])
def test_malformed_dois(doi: str) -> None:
    (problem,) = only_study(f"@article{{k, title = {{T}}, doi = {{{doi}}}}}")[1]
    assert "malformed DOI" in problem.message


# --- the build's input hash ----------------------------------------------------------------------


def test_data_files_order(tmp_path: Path) -> None:
    for name in ("studies.bib", "macros.bib", "extra.bib", "claims.yaml"):
        (tmp_path / name).write_text("")
    assert [p.name for p in data_files(tmp_path)] == [
        "macros.bib", "extra.bib", "studies.bib", "claims.yaml", "concepts.yaml",
    ]  # fmt: skip


def test_data_hash_follows_every_data_file(mini_data: Path) -> None:
    first = data_hash(mini_data, "1")
    assert data_hash(mini_data, "1") == first
    assert data_hash(mini_data, "2") != first  # the schema version is part of it
    for name in ("studies.bib", "claims.yaml", "concepts.yaml"):
        path = mini_data / name
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert data_hash(mini_data, "1") != first, name
        path.write_bytes(original)
    assert data_hash(mini_data, "1") == first
    (mini_data / "README.md").write_text("not data")
    assert data_hash(mini_data, "1") == first
