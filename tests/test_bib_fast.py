"""The fast .bib reader (``app.bibfast``) gives what bibtexparser gives, or declines.

Wherever ``read_common_shape`` accepts a text, its entries (key, type, fields, lines of the
entry and of each field), problems, macros and ``seen`` keys must equal those of
``parse_with_bibtexparser`` (the reference) on the same text; anything it is unsure of it must
decline (None). Compared on the real-world corpus (tests/fixtures/bib-corpus, whole files and
entry by entry), on generated data (bench/generate.py), on hand-written edge cases, and on
thousands of seeded random mutations of real entries (a brace, quote, '@', '%', comma... put in
or taken out). Through the public surface, ``check_bibliography`` gives the same records and
problems with the fast reader on and off.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from dataclasses import asdict
from pathlib import Path
from types import ModuleType

import pytest
from helpers import FIXTURES, ROOT

from app import bibfast
from app.bibtex import Bibliography, parse_with_bibtexparser
from app.loader import check_bibliography

CORPUS = FIXTURES / "bib-corpus"
MACROS = {"j0": "Journal of Synthetic Clinical Research", "jama": "JAMA", "feb": "Février"}


def compare(
    text: str,
    *,
    line_offset: int = 0,
    seen: dict[tuple[str, str], int] | None = None,
    macros: dict[str, str] = MACROS,
) -> bool:
    """Assert that the fast reader declines ``text`` or gives the reference's result; True when
    it accepted."""
    fast_macros, slow_macros = dict(macros), dict(macros)
    fast_seen, slow_seen = dict(seen or {}), dict(seen or {})
    fast = bibfast.read_common_shape(text, "x.bib", fast_macros, line_offset=line_offset, seen=fast_seen)
    if fast is None:
        assert fast_seen == (seen or {}) and fast_macros == macros  # nothing changed on declining
        return False
    slow = parse_with_bibtexparser(text, "x.bib", slow_macros, line_offset=line_offset, seen=slow_seen)
    assert _shape(fast) == _shape(slow), text
    assert (fast_macros, fast_seen) == (slow_macros, slow_seen), text
    return True


def _shape(found: Bibliography) -> tuple[list[dict[str, object]], list[object], bool]:
    return [asdict(e) for e in found.entries], found.problems, found.failed


def blocks(text: str) -> list[tuple[int, str]]:
    """(lines before, text) of each block starting a line, as bibstream cuts a file."""
    out, line = [], 0
    pieces = text.split("\n@")
    for i, piece in enumerate(pieces):
        block = piece if i == 0 else "@" + piece
        out.append((line, block + "\n"))
        line += piece.count("\n") + 1
    return out


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate_fast", ROOT / "bench" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kb")
    load_generator().generate(out, 60, seed=3)
    return out


def corpus_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.bib"))]


def test_corpus_entry_by_entry() -> None:
    accepted = total = 0
    for text in corpus_texts():
        for offset, block in blocks(text):
            total += 1
            accepted += compare(block, line_offset=offset)
    assert total > 1000
    assert accepted > total // 3, (accepted, total)  # the common shape is common in real files


def test_corpus_whole_files() -> None:
    for text in corpus_texts():
        compare(text)  # @string, @comment and the like: these decline


def test_generated_data_is_read_fast(generated: Path) -> None:
    text = (generated / "studies.bib").read_text(encoding="utf-8")
    entries = [(o, b) for o, b in blocks(text) if b.startswith("@") and not b.lower().startswith("@string")]
    body_start = text.index(entries[0][1].rstrip("\n"))
    macros: dict[str, str] = {}
    parse_with_bibtexparser(text[:body_start], "x.bib", macros)  # the header's @string blocks
    assert len(macros) >= 5
    body, header_lines = text[body_start:], text.count("\n", 0, body_start)
    assert compare(body, line_offset=header_lines, macros=macros)  # after the header, in one piece
    for offset, block in entries:
        assert compare(block, line_offset=offset, macros=macros)
    assert not compare(text, macros=macros)  # @string blocks are bibtexparser's


EDGE_CASES = {
    "plain": "@article{a1,\n  title = {T},\n  year = 2001\n}\n",
    "trailing comma": "@article{a1,\n  title = {T},\n}\n",
    "no fields": "@misc{a1,}\n",
    "one line": "@misc{a1, title={T}, year={2}}",
    "value on several lines": "@misc{a1,\n  title = {A\n    long {Title}\n  here},\n  note={x}\n}\n",
    "nested braces 3": "@misc{a1, title = {a {b {c} d} e}}\n",
    "nested braces 4": "@misc{a1, title = {a {b {c {d} e} f} g}}\n",
    "escaped brace": "@misc{a1, title = {50\\{\\% of\\}}}\n",
    "double backslash": "@misc{a1, title = {a\\\\{b}}}\n",
    "accent": "@misc{a1, author = {M{\\\"u}ller, J{\\'o}zsef and Sim\\~{o}es, A.}}\n",
    "quoted": '@misc{a1, title = "Quoted, with = and comma"}\n',
    "quoted with braces": '@misc{a1, title = "A {B} c"}\n',
    "quoted with escaped quote": '@misc{a1, title = "Schr\\"odinger"}\n',
    "brace quote escape": '@misc{a1, title = "a {"} b"}\n',
    "macro": "@misc{a1, journal = j0}\n",
    "macro upper case": "@misc{a1, journal = JAMA}\n",
    "month": "@misc{a1, month = jan}\n",
    "month as macro": "@misc{a1, month = feb}\n",
    "undefined macro": "@misc{a1, journal = nope}\n",
    "concatenation": '@misc{a1, journal = j0 # " (online)"}\n',
    "hash in braces": "@misc{a1, title = {C# in depth}}\n",
    "missing comma": "@misc{a1,\n  volume = {19}\n  number = {3}\n}\n",
    "missing comma after key": "@misc{a1\n  title = {T}}\n",
    "no key": "@misc{,\n  title = {T}}\n",
    "space in key": "@misc{a 1,\n  title = {T}}\n",
    "key with colon": "@misc{Doe:2001:ab,\n  title = {T}}\n",
    "space before brace": "@misc {a1,\n  title = {T}}\n",
    "parentheses": "@misc(a1,\n  title = {T})\n",
    "unclosed": "@misc{a1,\n  title = {T}\n",
    "unbalanced value": "@misc{a1,\n  title = {T}},\n  year = {2001}\n}\n",
    "duplicate field": "@misc{a1, title = {T}, title = {U}}\n",
    "duplicate field other case": "@misc{a1, title = {T}, Title = {U}}\n",
    "duplicate key": "@misc{a1, title = {T}}\n@misc{a1, title = {U}}\n",
    "keys differing in case": "@misc{a1, title = {T}}\n@misc{A1, title = {U}}\n",
    "string": '@string{j9 = "Journal"}\n@misc{a1, journal = j9}\n',
    "comment block": "@comment{@misc{a1, title = {T}}}\n",
    "commentary type": "@commentary{a1, title = {T}}\n",
    "preamble": '@preamble{"\\newcommand{\\x}{y}"}\n',
    "percent lines": "% a comment\n%% another\n\n@misc{a1, title = {T}}\n% after\n",
    "percent line with at": "% see @misc{b2, x}\n@misc{a1, title = {T}}\n",
    "percent inside entry": "@misc{a1,\n  % a comment\n  title = {T}}\n",
    "percent in value": "@misc{a1, title = {50% less}}\n",
    "text outside": "junk here\n@misc{a1, title = {T}}\n",
    "text after entry": "@misc{a1, title = {T}} junk\n",
    "block start in value": "@misc{a1, abstract = {see\n@article{b2, x}}}\n",
    "at in value": "@misc{a1, note = {mail me@example.org}, title = {A@B}}\n",
    "at before brace in value": "@misc{a1, title = {LeQua @ {CLEF}}}\n",
    "email quoted": '@misc{a1, note = "me@example.org"}\n',
    "private-use at": "@misc{a1, note = {\ue0a0}}\n",
    "equals on next line": "@misc{a1,\n  title\n  = {T}}\n",
    "value on next line": "@misc{a1,\n  title =\n  {T}}\n",
    "crossref": "@inproceedings{a1, crossref = {p1}, title = {T}}\n@proceedings{p1, title = {P}}\n",
    "bare number": "@misc{a1, year = 2001, pages = {12--14}}\n",
    "bare word not a macro": "@misc{a1, pages = 12--14}\n",
    "BOM and CRLF": "\ufeff@misc{a1,\r\n  title = {T},\r\n  year = {2001}\r\n}\r\n",
    "CR": "@misc{a1,\r  title = {T}}\r",
    "tab separated": "@misc{a1,\n\ttitle\t=\t{T},\n}\n",
    "unicode": "@misc{a1, title = {Ünïcödé — “quotes” ½}}\n",
    "form feed": "@misc{a1, title = {T}}\n\f\n",
    "empty": "",
    "only comments": "% nothing here\n",
}

DECLINED = {
    "nested braces 4", "escaped brace", "double backslash", "undefined macro", "concatenation",
    "missing comma", "missing comma after key", "no key", "space in key", "space before brace",
    "parentheses", "unclosed", "unbalanced value", "duplicate field", "duplicate field other case",
    "duplicate key", "string", "comment block", "commentary type", "preamble", "percent line with at",
    "percent inside entry", "text outside", "text after entry", "block start in value",
    "private-use at", "equals on next line", "at before brace in value", "bare word not a macro", "quoted with braces", "quoted with escaped quote",
    "brace quote escape", "form feed",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases(name: str) -> None:
    accepted = compare(EDGE_CASES[name], line_offset=7)
    assert accepted == (name not in DECLINED)


def test_keys_of_earlier_pieces() -> None:
    text = "@misc{a1, title = {T}}\n@misc{b2, title = {U}}\n"
    assert not compare(text, seen={("entry", "b2"): 1})  # a repeated key: bibtexparser's wording
    assert compare(text, seen={("entry", "zz"): 1, ("string", "a1"): 2})


MUTATIONS = ["{", "}", '"', "@", "@misc{", "%", ",", "=", "#", "\\", "\n", "(", ")", "~", " ", "\ufeff"]


def test_random_mutations(generated: Path) -> None:
    """Seeded mutations of generated and real entries: whatever is accepted equals the reference."""
    rng = random.Random(12)
    samples = [b for _, b in blocks((generated / "studies.bib").read_text(encoding="utf-8"))][10:40]
    for text in corpus_texts():
        samples += [b for _, b in blocks(text) if b.startswith("@")][:25]
    accepted = tried = 0
    for sample in samples:
        for _ in range(60):
            text = sample
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(len(text) + 1)
                if rng.random() < 0.4 and at < len(text):
                    text = text[:at] + text[at + 1 :]  # a character taken out
                else:
                    text = text[:at] + rng.choice(MUTATIONS) + text[at:]
            tried += 1
            accepted += compare(text, line_offset=rng.randrange(3))
    assert tried > 5000 and accepted > tried // 10, (accepted, tried)


def test_check_bibliography_same_with_and_without(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the loader: the same study records and problems, file and line, either way."""
    files = [generated / "studies.bib", *sorted(CORPUS.glob("*.bib"))]
    fast = check_bibliography(files)
    monkeypatch.setattr(bibfast, "read_common_shape", lambda *_, **__: None)
    slow = check_bibliography(files)
    assert fast.problems == slow.problems and len(fast.problems) > 0
    assert fast.studies == slow.studies and len(fast.studies) > 300
