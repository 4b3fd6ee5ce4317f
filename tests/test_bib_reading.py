"""Reading real-world .bib and YAML files the way BibTeX, biber and YAML readers do.

Kinds (issue 11), several members each, through ``parse_bib_text`` and the ``check`` command:

- encoding signature (BOM) and line endings of any kind, in .bib and YAML files
  (python-bibtexparser#119: a file saved with a BOM lost its first entry);
- braced ``@comment``/``@preamble``/``@string`` blocks of any shape (reuse-tool#146 ``@Comment{``
  on its own line; nickng/bibtex#22 JabRef's multi-line ``@Comment{jabref-meta: grouping:``;
  python-bibtexparser#133 commented-out entries);
- a missing comma between fields (NIME-bibliography#96: missing commas after ``url`` and
  ``keywords`` lost a paper; BibLatex-Check#35; bib2df#56) is an error with file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.bibtex import parse_bib_text
from app.cli import main

PROBLEM = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<severity>error|warning): (?P<message>.*)$", re.M)

ENCODINGS = {
    "LF": lambda t: t,
    "BOM+LF": lambda t: "\ufeff" + t,
    "BOM+CRLF": lambda t: "\ufeff" + t.replace("\n", "\r\n"),
    "CRLF": lambda t: t.replace("\n", "\r\n"),
    "CR (classic Mac)": lambda t: t.replace("\n", "\r"),
    "BOM+CR": lambda t: "\ufeff" + t.replace("\n", "\r"),
    "LINE SEPARATOR": lambda t: t.replace("\n", "\u2028"),
}


def write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))  # bytes as given: no newline translation


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, int, str, str]]]:
    code = main([*args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, [
        (Path(m["path"]).name, int(m["line"]), m["severity"], m["message"]) for m in PROBLEM.finditer(out)
    ]


def entries(text: str) -> tuple[dict[str, dict[str, str]], list[tuple[int | None, str, str]]]:
    found = parse_bib_text(text, "t.bib")
    return {e.key: e.fields for e in found.entries}, [(p.line, p.severity, p.message) for p in found.problems]


# --- encoding signatures and line endings ---------------------------------------------------------


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_bom_and_line_endings_do_not_matter_in_any_data_file(
    encoding: str, mini_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("studies.bib", "claims.yaml", "concepts.yaml"):
        path = mini_data / name
        write(path, ENCODINGS[encoding](path.read_text(encoding="utf-8")))
    code, problems = check(capsys, "--data-dir", str(mini_data), "check")
    assert [p for p in problems if p[2] == "error"] == []
    assert code == 0


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_lines_are_counted_the_same_whatever_the_line_endings(
    encoding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "% header\n@article{a,\n  title = {A},\n  year = {20x9},\n}\n\nstray text\n@misc{b, title = {B}}\n"
    path = tmp_path / "t.bib"
    write(path, ENCODINGS[encoding](text))
    _, problems = check(capsys, "check", str(path))
    assert [(line, message.split(":")[0]) for _, line, _, message in problems] == [
        (4, "a"),
        (7, "text outside any entry"),
    ]


def test_bom_is_not_text_outside_an_entry() -> None:
    fields, problems = entries("\ufeff@article{a, title = {A}, year = 2016}\n")
    assert problems == [] and fields == {"a": {"title": "A", "year": "2016"}}
    # A file that starts with a comment line after the signature (the example).
    fields, problems = entries("\ufeff% exported by a reference manager\r\n@misc{b, title = {B}}\r\n")
    assert problems == [] and list(fields) == ["b"]


def test_yaml_error_lines_are_right_after_a_bom_and_crlf(
    mini_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claims = mini_data / "claims.yaml"
    broken = claims.read_text(encoding="utf-8").replace(
        "  verdict: partly-supported", "  verdict: [unclosed", 1
    )
    write(claims, broken)
    code, plain = check(capsys, "--data-dir", str(mini_data), "check")
    write(claims, "\ufeff" + broken.replace("\n", "\r\n"))
    code_bom, with_bom = check(capsys, "--data-dir", str(mini_data), "check")
    assert code == code_bom == 1
    assert plain == with_bom and plain[0][0] == "claims.yaml"


# --- @comment, @preamble and @string blocks of any shape ------------------------------------------

REAL = "@article{real, title = {Kept}, year = 2001}\n"
COMMENT_SHAPES = {
    # the example: a commented-out entry inside a braced block spanning lines
    "entry inside": "@comment{\n@article{hidden, title={Hidden}, year={2000}}\n}\n",
    "parentheses": "@comment(\n@article{hidden, title={Hidden}}\n)\n",
    "upper case, nested braces": "@COMMENT{ {nested {deeply}}\n  @misc{hidden, title = {H}}\n}\n",
    # reuse-tool#146: the brace on the first line, the text on the next
    "brace alone": "@Comment{\nHello, world!\n}\n",
    # nickng/bibtex#22 and JabRef's saved groups
    "jabref groups": "@Comment{jabref-meta: databaseType:biblatex;}\n@Comment{jabref-meta: grouping:\n"
    "0 AllEntriesGroup:;\n1 StaticGroup:Trials\\;0\\;1\\;0x8a8a8aff\\;\\;\\;;\n}\n",
    "space before brace": "@comment {\n  author = {Someone},\n}\n",
    "quote inside": '@comment{ a " quote that never closes\n}\n',
}


@pytest.mark.parametrize("shape", sorted(COMMENT_SHAPES))
def test_braced_comments_are_skipped_whole(shape: str) -> None:
    text = COMMENT_SHAPES[shape]
    fields, problems = entries(text + REAL)
    assert problems == [] and list(fields) == ["real"]
    assert parse_bib_text(text + REAL, "t.bib").entries[0].line == text.count("\n") + 1


def test_an_unclosed_comment_is_one_error_at_its_line() -> None:
    _, problems = entries("@misc{a, title = {A}}\n@comment{ oops {\n" + REAL)
    assert problems == [(2, "error", "@comment block never closes (its braces are unbalanced)")]


PREAMBLE_AND_STRING_SHAPES = {
    "preamble over lines": '@preamble{ "\\newcommand{\\noopsort}[1]{} "\n  # "\\newcommand{\\x}{y}" }\n',
    "preamble in parentheses": '@PREAMBLE( "\\def\\a{b}" )\n',
    "preamble with parentheses inside": '@PREAMBLE( "\\newcommand{\\pkg}[1](#1)" )\n',
    "string with a comment after it": '@string{jbm = "Journal of Biomechanics"} % the NLM title\n',
    "preamble with an at sign": '@preamble{"\\makeatletter\n@ifundefined{x}{}"}\n',
    "string over lines": "@string{ jbm =\n  {Journal of\n   Biomechanics} }\n",
    "string in parentheses": '@String(jbm = "Journal of " # "Biomechanics")\n',
    "string with a space": '@string {jbm = "Journal of Biomechanics"}\n',
}


@pytest.mark.parametrize("shape", sorted(PREAMBLE_AND_STRING_SHAPES))
def test_preamble_and_string_blocks_of_any_shape(shape: str) -> None:
    text = PREAMBLE_AND_STRING_SHAPES[shape] + "@article{real, title = {T}, journal = {Kept}}\n"
    if "string" in shape:
        text = text.replace("{Kept}", "jbm")
    fields, problems = entries(text)
    assert problems == []
    journal = " ".join(fields["real"]["journal"].split())
    assert journal == ("Journal of Biomechanics" if "string" in shape else "Kept")


def test_an_at_sign_inside_a_value_is_text() -> None:
    # bibtexparser aborts on '@word{' anywhere in a block; BibTeX reads the value by its braces.
    fields, problems = entries(
        "@article{a, title = {A},\n  abstract = {Cited as\n@inproceedings{x, ...} by others},\n}\n"
        '@misc{b, note = "mail me@home{x}", title = {B}}\n'
    )
    assert problems == []
    assert fields["a"]["abstract"] == "Cited as\n@inproceedings{x, ...} by others"
    assert fields["b"]["note"] == "mail me@home{x}"


def test_leading_commas_are_valid_bibtex() -> None:
    # mangecoeur/Citer#18: some exports put the comma at the start of each line.
    fields, problems = entries("@misc{cea2014facts\n,\ttitle\t= {lorem ipsum}\n,\tyear\t= {2014}\n}\n")
    assert problems == [] and fields["cea2014facts"] == {"title": "lorem ipsum", "year": "2014"}


# --- a missing comma between fields ---------------------------------------------------------------

MISSING_COMMA = {
    # the example: volume and number of Clinical Rehabilitation 19(3)
    "braced": ("  volume = {19}\n  number = {3},\n", "volume", 3, "number = {3}"),
    "quoted": ('  volume = "19"\n  number = "3",\n', "volume", 3, 'number = "3"'),
    "bare number": ("  volume = 19\n  number = 3,\n", "volume", 3, "number = 3"),
    "macro": ("  journal = jbm\n  year = 2012,\n", "journal", 3, "year = 2012"),
    # NIME-bibliography#96: no comma after url and keywords
    "after url": ("  url = {https://example.org/x}\n  keywords = {a, b},\n", "url", 3, "keywords = {a, b}"),
    "same line": ("  volume = {19} number = {3},\n", "volume", 2, "number = {3}"),
    "concatenation": ('  month = jan # "~15"\n  year = 2012,\n', "month", 3, "year = 2012"),
}


@pytest.mark.parametrize("case", sorted(MISSING_COMMA))
def test_a_missing_comma_is_an_error_with_file_and_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body, field, line, runs_into = MISSING_COMMA[case]
    path = tmp_path / "studies.bib"
    write(
        path,
        '@string{jbm = "J Biomech"}\n@article{k,\n' + body + "  pages = {264--273}\n}\n",
    )
    # the @string line shifts every line by one
    code, problems = check(capsys, "check", str(path))
    assert code == 1
    assert ("studies.bib", line + 1, "error", f"k: a comma is missing after the value of '{field}' "
            f"(it runs into '{runs_into}')") in problems  # fmt: skip


def test_values_that_only_look_like_assignments_are_not_flagged() -> None:
    fields, problems = entries(
        "@article{a,\n  abstract = {We enrolled\n  n = 30 adults},\n  title = {A} # { } # {B},\n"
        '  note = "x = y",\n  month = jan # "~15",\n}\n'
    )
    assert problems == []
    assert fields["a"]["title"] == "A B" and fields["a"]["month"] == "January~15"
