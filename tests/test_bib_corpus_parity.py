"""No entry of the real-world corpus that BibTeX/biber accept is rejected or silently changed.

Every entry of tests/fixtures/bib-corpus (CC BY 3.0, read together, macros first) is read by
pybtex (the test extra; a BibTeX implementation in Python: macros, concatenation, month names,
name splitting) and by bibtexparser with its default middlewares, and compared with what the
project stores (``StudyRecord.fields``: the values the database and the BibTeX export hold,
and the structured authors and editors). The only values left out are those the project reports
as errors with file and line (undefined macros: BibTeX warns and substitutes nothing).
"""

from __future__ import annotations

import contextlib
import io
import re
from functools import cache
from pathlib import Path

import bibtexparser
import pybtex.errors
from conftest import FIXTURES
from pybtex.database import BibliographyData, parse_string

from app.bibtex import Person, latex_to_text, split_names
from app.loader import LoadedData, check_bibliography

CORPUS = FIXTURES / "bib-corpus"
MACROS = CORPUS / "bibstring-unabbrev.bib"


def corpus_files() -> list[Path]:
    return [MACROS, *sorted(p for p in CORPUS.glob("*.bib") if p != MACROS)]


def corpus_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in corpus_files())


@cache
def ours() -> LoadedData:
    return check_bibliography(corpus_files())


@cache
def pybtex_data() -> BibliographyData:
    pybtex.errors.set_strict_mode(False)  # undefined macros and repeated fields are warnings, as in BibTeX
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        return parse_string(corpus_text(), "bibtex")


def reported_undefined() -> set[tuple[str, str]]:
    found = set()
    for problem in ours().problems:
        match = re.match(r"(\S+): field '([^']+)' uses undefined macro", problem.message)
        if match:
            assert problem.line is not None  # reported with its line
            found.add((match[1], match[2]))
    return found


def flat(value: str) -> str:
    return " ".join(value.split())


def test_every_entry_pybtex_reads_is_stored() -> None:
    stored = {s.key.lower() for s in ours().studies}
    read = {key.lower() for key in pybtex_data().entries}
    assert read == stored
    assert len(stored) > 2600


def test_every_field_pybtex_reads_is_stored_unchanged() -> None:
    stored = {s.key.lower(): s for s in ours().studies}
    entries = pybtex_data().entries
    undefined = reported_undefined()
    differences = []
    for key, entry in entries.items():
        study = stored[key.lower()]
        own = {name.lower(): flat(value) for name, value in entry.fields.items()}
        for name, value in own.items():
            if (study.key, name) not in undefined and flat(study.fields.get(name, "")) != value:
                differences.append((key, name, value, study.fields.get(name)))
        # What pybtex does not hold itself comes from the crossref target, as BibTeX inherits it.
        target = entries.get(own.get("crossref", "")) if "crossref" in own else None
        for name, value in study.fields.items():
            if name in own or name in ("author", "editor"):
                continue
            inherited = {n.lower(): flat(v) for n, v in target.fields.items()} if target else {}
            source = (
                inherited.get("title")
                if name == "booktitle" and "booktitle" not in inherited
                else inherited.get(name)
            )
            if source != flat(value):
                differences.append((key, name, "(not in the entry or its crossref)", value))
    assert differences == []


def person_parts(person: pybtex.database.Person) -> Person:
    if person.last_names == ["others"] and not person.first_names:
        return Person(literal="others")
    last = " ".join(person.last_names)
    if not (person.first_names or person.middle_names or person.prelast_names or person.lineage_names) and (
        last.startswith("{") and last.endswith("}")
    ):
        return Person(literal=latex_to_text(last[1:-1]))
    return Person(
        family=latex_to_text(last),
        given=latex_to_text(" ".join(person.first_names + person.middle_names)),
        particle=latex_to_text(" ".join(person.prelast_names)),
        suffix=latex_to_text(" ".join(person.lineage_names)),
    )


def same_name(bibtex: Person, own: Person) -> bool:
    """Equal, or BibTeX's one quirk we do not copy: an accented capital written without the
    braces BibTeX needs (\\'{A}d\\'{a}m Darvas) makes the word lower case to BibTeX, so a
    "von" part; we read it as the given name (same words, same order, in every output)."""
    if bibtex == own:
        return True
    return bool(
        bibtex.particle[:1].isupper() and not bibtex.given and own.given == bibtex.particle
        and own.family == bibtex.family and not own.particle
    )  # fmt: skip


def test_every_name_is_split_as_pybtex_splits_it() -> None:
    stored = {s.key.lower(): s for s in ours().studies}
    differences = []
    names = 0
    for key, entry in pybtex_data().entries.items():
        study = stored[key.lower()]
        for role, people in entry.persons.items():
            expected = [person_parts(p) for p in people]
            got = split_names(study.fields.get(role.lower()))
            names += len(expected)
            if got != expected and not all(map(same_name, expected, got)):
                differences.append((key, role, expected, got))
    assert differences == []
    assert names > 4500


def test_every_field_bibtexparser_reads_is_stored_unchanged() -> None:
    # bibtexparser resolves @string macros but not '#' concatenation: those values are left out.
    library = bibtexparser.parse_string(corpus_text())
    stored = {s.key: s for s in ours().studies}
    undefined = reported_undefined()
    raw = bibtexparser.parse_string(corpus_text(), parse_stack=[])
    # Nor macro names in another letter case (BibTeX's are case-insensitive, bibtexparser's
    # are not: it leaves 'IEEESE' for @string{ieeese = ...}); pybtex checks those above.
    concatenated = {
        (block.key, f.key.lower())
        for block in raw.entries
        for f in block.fields
        if re.search(r'[}"\w]\s*#', str(f.value))
        or re.fullmatch(r"\s*[A-Za-z][^\s{}\"#,=]*\s*", str(f.value))
    }
    compared = 0
    differences = []
    for entry in library.entries:
        study = stored.get(entry.key)
        if study is None:  # a key repeated across files: the first is kept (reported), as here
            continue
        for f in entry.fields:
            name = f.key.lower()
            if (entry.key, name) in concatenated or (entry.key, name) in undefined:
                continue
            if name in study.fields and study.fields[name] != str(f.value):
                first = next(g for g in entry.fields if g.key.lower() == name)
                if first is f:  # a repeated field: BibTeX, biber and we keep the first
                    differences.append((entry.key, name, f.value, study.fields[name]))
            compared += 1
    assert differences == []
    assert compared > 13000
