"""Large real-world BibTeX (tests/fixtures/bib-corpus, unmodified copies of mernst/plume-bib).

The files are read together, bibstring-unabbrev.bib (the @string macros) first, as the corpus
README says. Checking them must not crash; its problems are reported with file and line;
macros, ``#`` concatenation and crossref are resolved; LaTeX accents are decoded.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from helpers import FIXTURES

from app.bibtex import Person
from app.cli import main
from app.loader import LoadedData, StudyRecord, check_bibliography

CORPUS = FIXTURES / "bib-corpus"
MACROS = CORPUS / "bibstring-unabbrev.bib"
ENTRY_HEADER = re.compile(r"^\s*@(?!string|comment|preamble)\w+\s*[{(]", re.I | re.M)


def corpus_files() -> list[Path]:
    return [MACROS, *sorted(p for p in CORPUS.glob("*.bib") if p != MACROS)]


@cache
def checked() -> LoadedData:
    return check_bibliography(corpus_files())


def entry(key: str) -> StudyRecord:
    (found,) = [s for s in checked().studies if s.key == key]
    return found


def messages(pattern: str) -> list[str]:
    return [str(p) for p in checked().problems if re.search(pattern, p.message)]


def test_check_command_on_the_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", *map(str, corpus_files())])
    out, err = capsys.readouterr()
    assert code == 1  # the corpus has real problems
    assert "Traceback" not in out + err
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("problems found: ") and summary.endswith("s)")
    assert f"in 14 file(s) ({len(checked().studies)} BibTeX entries read; " in summary
    for problem in checked().problems:  # every problem printed with its file and line
        assert str(problem) in out
        assert problem.line is not None and Path(problem.path).parent == CORPUS


def test_no_entry_is_lost_silently() -> None:
    headers = sum(len(ENTRY_HEADER.findall(p.read_text(encoding="utf-8"))) for p in corpus_files())
    dropped = messages(r"does not parse|duplicate key|differs only in case")
    assert len(checked().studies) + len(dropped) == headers
    assert len(checked().studies) > 2000


def test_undefined_macros_are_reported_with_their_lines() -> None:
    heaps = CORPUS / "heaps.bib"
    assert f"{heaps}:141: error: Appel:GCCBFTSA: field 'journal' uses undefined macro 'IPL'" in messages(
        "IPL"
    )
    assert f"{heaps}:100: error: AgHH88: field 'journal' uses undefined macro 'tocs'" in messages("tocs")


def test_only_macros_defined_nowhere_are_undefined() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in corpus_files())
    defined = {m.lower() for m in re.findall(r"@string\s*[{(]\s*([^\s=]+)\s*=", text, re.I)}
    undefined = {re.search(r"macro '([^']+)'", m).group(1) for m in messages("undefined macro")}  # type: ignore[union-attr]
    assert undefined and not {name.lower() for name in undefined} & defined


def test_reading_the_macros_first_matters() -> None:
    unordered = check_bibliography(sorted(CORPUS.glob("*.bib")))
    late = [p for p in unordered.problems if "undefined macro" in p.message]
    assert len(late) > len(messages("undefined macro"))


def test_duplicate_fields_and_strings_are_reported() -> None:
    soft_eng, testing = CORPUS / "soft-eng.bib", CORPUS / "testing.bib"
    twice = messages("twice")
    # BibTeX and biber keep such an entry with the field's first value: so do we, with a warning.
    assert (
        f"{soft_eng}:2290: warning: ChristakisMW2016: entry has the field 'authorASCII' twice "
        "(the first value is kept)" in twice
    )
    assert (
        f"{testing}:3366: warning: MarianiPP2007: entry has the field 'usesDaikon' twice "
        "(the first value is kept)" in twice
    )
    assert (
        f"{MACROS}:258: warning: @string 'SCP' defined twice (first at line 203; the first is kept)" in twice
    )


def test_concatenation_is_resolved() -> None:
    assert entry("HennessyCPS2003").fields["month"] == "July/August"  # jul # "/" # aug
    assert entry("LarusH88:PPEALS").fields["month"] == "July~19--21,"  # Jul # "~19--21,"


def test_crossref_is_resolved() -> None:
    paper = entry("landi.popl.91")  # alias.bib, its proceedings in crossrefs.bib (a later file)
    assert paper.container == (
        "POPL '91: Proceedings of the Eighteenth Annual ACM Symposium on Principles of Programming Languages"
    )
    assert (paper.year, paper.fields["address"], paper.fields["month"]) == (1991, "Orlando, FL", "January")
    assert paper.pages == "93–103"


def test_latex_accents_are_decoded() -> None:
    assert entry("Piquer91").authors == [Person(family="Piquer", given="José M.")]
    assert [p.family for p in entry("FahndrichD2002").authors] == ["Fähndrich", "DeLine"]
    assert [p.family for p in entry("TromplerMW2002").authors] == ["Trompler", "Mühlhäuser", "Wegner"]
    assert entry("10011514").authors[3] == Person(family="Lisper", given="Björn")  # raw UTF-8 kept
