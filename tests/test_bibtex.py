"""Reading BibTeX (app/bibtex.py): macros, concatenation, crossref, problems with lines, LaTeX."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import bibtex
from app.bibtex import (
    OTHERS,
    Person,
    latex_to_text,
    names_to_text,
    parse_bib_files,
    parse_bib_text,
    resolve_value,
    split_names,
)
from app.problems import Problem


def parse(text: str) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    found = parse_bib_text(text, "t.bib")
    return {e.key: e.fields for e in found.entries}, found.problems


def where(problems: list[Problem]) -> list[tuple[int | None, str]]:
    return [(p.line, p.severity) for p in problems]


# --- values --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "value"), [
    ("{Journal of {B}iomechanics}", "Journal of {B}iomechanics"),
    ('"Quoted {value}"', "Quoted {value}"),
    ("2012", "2012"),
    ("jb", "Journal of Biomechanics"),
    ("JB", "Journal of Biomechanics"),  # macro names are case-insensitive
    ("jul", "July"),
    ('jul # "/" # aug', "July/August"),
    ('jb # ", " # {45}', "Journal of Biomechanics, 45"),
    ('{a # b} # "c # d"', "a # bc # d"),  # '#' inside braces or quotes is text
])  # fmt: skip
def test_resolve_value(raw: str, value: str) -> None:
    assert resolve_value(raw, {"jb": "Journal of Biomechanics"}) == (value, [])


def test_resolve_value_reports_undefined_macros() -> None:
    assert resolve_value('ipl # " 12"', {}) == ("ipl 12", ["ipl"])


# --- entries, macros and problems ----------------------------------------------------------------

GOOD = """\
% a comment line
@string{jb = "Journal of Biomechanics"}
@STRING{jbshort = jb # " (short)"}

@article{roos2012,
  author  = {Roos, Paulien E.},
  title   = {Forces},
  journal = jbshort,
  month   = mar,
  year    = 2012,
}
"""


def test_entry_fields_with_macros_resolved() -> None:
    entries, problems = parse(GOOD)
    assert problems == []
    assert entries["roos2012"] == {
        "author": "Roos, Paulien E.",
        "title": "Forces",
        "journal": "Journal of Biomechanics (short)",
        "month": "March",
        "year": "2012",
    }


def test_entry_lines() -> None:
    (entry,) = parse_bib_text(GOOD, "t.bib").entries
    assert (entry.path, entry.line, entry.entry_type) == ("t.bib", 5, "article")
    assert entry.line_of("journal") == 8
    assert entry.line_of("missing") == 5


def test_undefined_macro_in_a_field() -> None:
    _, problems = parse("@article{a,\n  title = {T},\n  journal = ipl,\n}\n")
    assert where(problems) == [(3, "error")]
    assert "field 'journal' uses undefined macro 'ipl'" in problems[0].message


def test_undefined_macro_in_a_string() -> None:
    _, problems = parse('@string{x = nowhere # "y"}\n')
    assert where(problems) == [(1, "error")]
    assert "undefined macro 'nowhere'" in problems[0].message


def test_macros_of_earlier_files_apply_to_later_ones(tmp_path: Path) -> None:
    (tmp_path / "macros.bib").write_text('@string{ipl = "Information Processing Letters"}\n')
    (tmp_path / "refs.bib").write_text("@article{a, journal = IPL, title = {T}}\n")
    found = parse_bib_files([tmp_path / "macros.bib", tmp_path / "refs.bib"])
    assert found.problems == []
    assert found.entries[0].fields["journal"] == "Information Processing Letters"


def test_unclosed_brace_is_reported_and_the_next_entry_still_read() -> None:
    text = "@article{a,\n  title = {Unclosed,\n  year = {2020},\n}\n\n@article{b,\n  title = {B},\n}\n"
    entries, problems = parse(text)
    assert where(problems) == [(1, "error")]
    assert "does not parse" in problems[0].message and "@article{a," in problems[0].message
    assert list(entries) == ["b"]


def test_junk_between_entries() -> None:
    text = "@article{a, title = {A}}\n\nnot bibtex at all\n@article{b, title = {B}}\n"
    entries, problems = parse(text)
    assert list(entries) == ["a", "b"]
    assert where(problems) == [(3, "error")]
    assert "text outside any entry: 'not bibtex at all'" in problems[0].message


def test_comments_are_not_junk() -> None:
    text = ("% percent comment\n@comment{braced comment}\n@Comment an unbraced comment line\n"
            "@preamble{\"\\newcommand{\\x}{x}\"}\n@article{a, title = {A}}\n")  # fmt: skip
    entries, problems = parse(text)
    assert problems == []
    assert list(entries) == ["a"]


def test_duplicate_field_keeps_the_first_value_as_bibtex_and_biber_do() -> None:
    # BibTeX: "Warning--I'm ignoring a's extra "title" field"; bibtexparser drops the entry.
    entries, problems = parse("@article{a,\n  title = {A},\n  title = {B},\n}\n")
    assert where(problems) == [(1, "warning")]
    assert problems[0].message == "a: entry has the field 'title' twice (the first value is kept)"
    assert entries["a"] == {"title": "A"}


def test_duplicate_key_in_one_file() -> None:
    entries, problems = parse("@article{a, title = {First}}\n\n@book{a, title = {Second}}\n")
    assert where(problems) == [(3, "error")]
    assert problems[0].message == "duplicate key 'a' (first defined at line 1)"
    assert entries["a"]["title"] == "First"


def test_duplicate_keys_across_files_and_in_case_only(tmp_path: Path) -> None:
    (tmp_path / "one.bib").write_text("@article{Smith2020, title = {One}}\n")
    (tmp_path / "two.bib").write_text(
        "\n@article{Smith2020, title = {Two}}\n@article{smith2020, title = {Three}}\n"
    )
    found = parse_bib_files([tmp_path / "one.bib", tmp_path / "two.bib"])
    assert [e.fields["title"] for e in found.entries] == ["One"]
    assert [(Path(p.path).name, p.line) for p in found.problems] == [("two.bib", 2), ("two.bib", 3)]
    first = f"(first defined at {tmp_path / 'one.bib'}:1)"
    assert found.problems[0].message == f"duplicate key 'Smith2020' {first}"
    assert found.problems[1].message == f"key differs only in case from 'Smith2020' {first}"


def test_string_defined_twice_is_a_warning() -> None:
    _, problems = parse('@string{x = "one"}\n@string{x = "two"}\n')
    assert where(problems) == [(2, "warning")]
    assert "'x' defined twice (first at line 1" in problems[0].message


def test_unreadable_files_are_problems(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.bib"
    latin1.write_bytes("@article{a, title = {Sch\u00f6n}}\n".encode("latin-1"))
    found = parse_bib_files([latin1, tmp_path / "missing.bib"])
    assert [(Path(p.path).name, p.line) for p in found.problems] == [
        ("latin1.bib", None),
        ("missing.bib", None),
    ]
    assert "not valid UTF-8" in found.problems[0].message
    assert "cannot read" in found.problems[1].message


def test_an_internal_parser_failure_is_a_problem_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("invalid state")

    monkeypatch.setattr(bibtex.bibtexparser, "parse_string", explode)
    # '#' concatenation: outside the fast reader's shape (app.bibfast), so bibtexparser reads it
    found = parse_bib_text("@article{a, title={A} # {B}}", "t.bib")
    assert found.entries == []
    assert [(p.path, p.line) for p in found.problems] == [("t.bib", None)]
    assert "invalid state" in found.problems[0].message


# --- crossref ------------------------------------------------------------------------------------

CROSSREF = """\
@inproceedings{paper,
  author   = {Landi, William},
  title    = {Aliasing},
  crossref = {POPL91},
  pages    = {93--103},
}
@proceedings{popl91,
  title     = {POPL '91: Proceedings},
  year      = 1991,
  address   = {Orlando, FL},
  pages     = {1--400},
}
@proceedings{withbooktitle,
  title     = {Title of the volume},
  booktitle = {Booktitle of the volume},
  year      = 1992,
}
@inproceedings{other, title = {Other}, crossref = {withbooktitle}}
@inproceedings{dangling, title = {Dangling}, crossref = {nowhere}}
"""


def crossref_entries(tmp_path: Path) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    (tmp_path / "refs.bib").write_text(CROSSREF)
    found = parse_bib_files([tmp_path / "refs.bib"])
    return {e.key: e.fields for e in found.entries}, found.problems


def test_crossref_inherits_missing_fields(tmp_path: Path) -> None:
    entries, _ = crossref_entries(tmp_path)
    paper = entries["paper"]
    assert paper["booktitle"] == "POPL '91: Proceedings"  # the target's title
    assert (paper["year"], paper["address"]) == ("1991", "Orlando, FL")
    assert paper["title"] == "Aliasing" and paper["pages"] == "93--103"  # own fields win


def test_crossref_prefers_the_targets_booktitle(tmp_path: Path) -> None:
    entries, _ = crossref_entries(tmp_path)
    assert entries["other"]["booktitle"] == "Booktitle of the volume"


def test_crossref_to_an_unknown_entry_is_a_warning(tmp_path: Path) -> None:
    _, problems = crossref_entries(tmp_path)
    assert [(p.line, p.severity) for p in problems] == [(19, "warning")]
    assert "crossref to unknown entry 'nowhere'" in problems[0].message


def test_crossref_target_in_a_later_file(tmp_path: Path) -> None:
    (tmp_path / "a.bib").write_text("@inproceedings{p, title = {P}, crossref = {conf}}\n")
    (tmp_path / "b.bib").write_text("@proceedings{conf, title = {Conf}, publisher = {ACM}}\n")
    found = parse_bib_files([tmp_path / "a.bib", tmp_path / "b.bib"])
    assert found.by_key()["p"].fields["publisher"] == "ACM"


# --- LaTeX and names -----------------------------------------------------------------------------


@pytest.mark.parametrize(("latex", "text"), [
    ('Sch{\\"o}n', "Schön"), ("Jos\\'{e}", "José"), ('M{\\"u}hlh{\\"a}user', "Mühlhäuser"),
    ("Fran\\c{c}ois", "François"), ("{\\ss}", "ß"), ("1656--1660", "1656–1660"),
    ("Gait \\& Posture", "Gait & Posture"), ("{OARSI} guidelines", "OARSI guidelines"),
    ("Björn  Lisper\n  again", "Björn Lisper again"),  # UTF-8 kept, whitespace folded
    ("", ""), (None, ""),
    # a bare % is a percent sign, not a LaTeX comment (pylatexenc alone gave "50" and "Cutting")
    ("{50% less} sodium", "50% less sodium"), ("Cutting {S}alt by 30% lowers {BP}", "Cutting Salt by 30% lowers BP"),
    ("{50\\% less}", "50% less"),
])  # fmt: skip
def test_latex_to_text(latex: str | None, text: str) -> None:
    assert latex_to_text(latex) == text


def test_split_names() -> None:
    people = split_names("Roos, Paulien E. and Barton, Nick and van Deursen, Robert W. M. and others")
    assert people == [
        Person(family="Roos", given="Paulien E."),
        Person(family="Barton", given="Nick"),
        Person(family="Deursen", given="Robert W. M.", particle="van"),
        OTHERS,
    ]
    assert [p.short() for p in people[:3]] == ["Roos PE", "Barton N", "van Deursen RWM"]
    assert names_to_text(people) == "Roos, Paulien E., Barton, Nick, van Deursen, Robert W. M., et al."


def test_split_names_corporate_and_accented() -> None:
    people = split_names('{World Health Organization} and Sch{\\"o}n, J. and {{UC Davis Health}}')
    assert people == [
        Person(literal="World Health Organization"),
        Person(family="Schön", given="J."),
        Person(literal="UC Davis Health"),
    ]
    assert people[0].sort_name() == people[0].short() == "World Health Organization"


def test_split_names_suffix_and_empty() -> None:
    assert split_names("King, Jr., Martin Luther") == [
        Person(family="King", given="Martin Luther", suffix="Jr.")
    ]
    assert split_names("") == split_names(None) == split_names("   ") == []


def test_person_round_trips_through_a_dict() -> None:
    person = Person(family="Deursen", given="Robert", particle="van")
    assert person.as_dict() == {"family": "Deursen", "given": "Robert", "particle": "van"}
    assert Person.from_dict(person.as_dict()) == person


def test_junk_after_comments_is_reported_at_its_own_line() -> None:
    _, problems = parse("@article{a, title = {A}}\n% c1\n\n% c2\njunk here\n@article{b, title = {B}}\n")
    assert where(problems) == [(5, "error")]
    assert "'junk here'" in problems[0].message


@pytest.mark.parametrize(
    ("text", "keys", "message"),
    [
        ("@misc{, title = {No key}}", [], "@misc entry has no key"),
        ("@{k, title = {No type}}", ["k"], "entry 'k' has no type"),
        ("@misc{smith 2020, title = {T}}", ["smith 2020"], "key 'smith 2020' contains a space"),
        ("@misc{a#b, title = {T}}", ["a#b"], "key 'a#b' contains a space or one of"),
    ],
)
def test_malformed_entry_heads(text: str, keys: list[str], message: str) -> None:
    entries, problems = parse(text)
    assert list(entries) == keys
    assert where(problems) == [(1, "error")]
    assert message in problems[0].message


def test_keys_may_hold_bibtex_punctuation() -> None:
    entries, problems = parse(
        "@misc{Smith:2001:ABC, title = {T}}\n@misc{10.1002/(SICI)1097-024X, title = {T}}"
    )
    assert (list(entries), problems) == (["Smith:2001:ABC", "10.1002/(SICI)1097-024X"], [])
