"""The table of common LaTeX (``bibnames._common_latex``) decodes as pylatexenc does.

``latex_to_text`` decodes accents, escaped characters and dashes from a table and leaves
everything else to pylatexenc; the two must give the same text. Compared on every field value
with LaTeX in the real-world corpus and in generated data, and on 12,000 seeded random mixtures
of the table's constructs with what must send a value to pylatexenc (other macros, math, ties,
quotes, comments, groups next to dashes...).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from helpers import FIXTURES
from test_bib_fast import load_generator

from app import bibnames
from app.bibnames import latex_to_text, pylatexenc_text
from app.bibtex import parse_bib_files


def reference(value: str) -> str:
    """What latex_to_text gave before the table: pylatexenc for every value with LaTeX (a bare %
    escaped first: it is the text's percent sign, tests/test_bibtex.py)."""
    if not value:
        return ""
    if not bibnames._LATEX_MARKERS.search(value):
        return " ".join(value.split())
    return " ".join(pylatexenc_text(bibnames._BARE_PERCENT.sub(r"\1\\%", value)).split())


def check(values: list[str]) -> int:
    """Assert the same text both ways; the number of values the table decoded."""
    decoded = 0
    for value in values:
        assert latex_to_text(value) == reference(value), value
        decoded += (
            bibnames._LATEX_MARKERS.search(value) is not None and bibnames._common_latex(value) is not None
        )
    return decoded


def field_values(paths: list[Path]) -> list[str]:
    found = parse_bib_files(paths)
    return [v for e in found.entries for v in e.fields.values() if bibnames._LATEX_MARKERS.search(v)]


def test_corpus_values() -> None:
    values = field_values(sorted((FIXTURES / "bib-corpus").glob("*.bib")))
    assert len(values) > 1000
    assert check(values) > len(values) // 4


def test_generated_values(tmp_path: Path) -> None:
    load_generator().generate(tmp_path, 60, seed=5)
    values = field_values([tmp_path / "studies.bib"])
    assert len(values) > 50
    assert check(values) == len(values)  # every LaTeX construct the generator writes is in the table


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ('S{\\"o}rensen', "Sörensen"),
        ("Garc{\\'i}a and \\v{S}koda", "García and Škoda"),
        (
            "{\\c{c}}a \\k{a} \\H{o} \\r{a} \\u{g} \\d{o} \\b{o} \\=a \\.z \\~n \\^o \\`e",
            "ça ą ő å ğ ọ o̱ ā ż ñ ô è",
        ),
        ("Cats \\& dogs: 10--20 {DNA} samples---or more", "Cats & dogs: 10–20 DNA samples—or more"),
    ],
)
def test_table_examples(value: str, text: str) -> None:
    assert bibnames._common_latex(value) is not None
    assert latex_to_text(value) == text == reference(value)


TOKENS = [
    # the table's constructs
    *(f"\\{a}{{{c}}}" for a in "`'^~=.\"urHvdckb" for c in "aeiouAEIOUcgnszSyY"),
    *(f"{{\\{a}{c}}}" for a in "`'^~=.\"" for c in "aeioucnzIY"),
    *(f"{{\\{a}{{{c}}}}}" for a in "'\"vc" for c in "aeisc"),
    *(f"\\{a}{c}" for a in "`'^~=.\"" for c in "aeiouAEnzI"),
    "\\&", "\\%", "\\_", "\\$", "\\#", "--", "---", "-",
    # plain text and groups
    "a", "Word", "DNA", " ", "  ", "\n", "\n\n", "{", "}", "{}", ",", ".", ":", ";", "(", ")", "[", "]",
    "/", "+", "=", "<", ">", "<<", ">>", "!", "?", "@", "|", "*", "1", "2026", "é", "ü", "—", "\u00a0",
    '"', "'", "''", "`", "``", "?`", "!`",
    # what the table leaves to pylatexenc
    "~", "$x$", "$", "%", "% comment", "&", "#", "_", "^", "\\", "\\\\", "\\i", "\\'\\i", "{\\i}", "{\\ss}",
    "\\o{}", "\\ae", "\\textit{x}", "\\emph{y}", "\\LaTeX", "\\'", "\\\"", "\\v", "\\\" o", "{\\v S}", "\\t{oo}",
    "\\'{}", "\\c c", "\\u{\\i}",
]  # fmt: skip


def test_random_mixtures() -> None:
    rng = random.Random(7)
    values = ["".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 8))) for _ in range(12_000)]
    assert check(values) > 6_000
