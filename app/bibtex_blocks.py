"""Preparing BibTeX text for bibtexparser so that it reads every file the way BibTeX and biber do.

bibtexparser 2.1 departs from BibTeX/biber in three ways this module corrects before it parses:

- A byte-order mark (U+FEFF, "UTF-8 with signature") is reported as text outside any entry;
  BibTeX skips it. Carriage returns (Windows, classic Mac) and Unicode line separators make its
  line numbers differ from an editor's. ``normalise_text`` removes the one and unifies the others.
- A braced ``@comment{...}`` spanning lines is aborted at the first ``@type{`` inside it, so a
  commented-out entry was loaded as a study. biber (btparse) skips the whole balanced block;
  ``blank_comments`` replaces it with spaces (line breaks kept, so line numbers stay right).
  Sources: bibtexparser issue "Parsing @comment blocks" and JabRef's multi-line
  ``@Comment{jabref-meta: grouping: ...}`` blocks.
- Any ``@word{`` or ``@word(`` inside a value (``LeQua @ {CLEF}`` is fine, ``@inproceedings{`` in
  an abstract or a ``@string`` is not) aborts the block. BibTeX reads values by brace balance.
  Inside each balanced block such an ``@`` is replaced by ``AT`` (a private-use character);
  ``restore_at`` puts it back in every value read.

``prepare(text) -> Prepared`` does all three; its ``unclosed_comments`` are the 1-based lines of
``@comment`` blocks that never close (an error, as in biber).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

AT = "\ue0a0"  # stands for '@' inside a block while bibtexparser splits the file
BOM = "\ufeff"
_LINE_BREAKS = re.compile(r"\r\n?|[\x85\u2028\u2029]")
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")
# Where bibtexparser starts a block (its splitter's pattern, plus the delimiter itself).
_BLOCK_START = re.compile(r"@(\w*)[ \t]*([{(])")
_MARKS = re.compile(r'(?<!\\)[{}]|[()"]')


@dataclass
class Prepared:
    text: str
    unclosed_comments: list[int] = field(default_factory=list)  # 1-based lines


def normalise_text(text: str) -> str:
    """Without a leading byte-order mark, every line break a plain ``\\n``."""
    if text.startswith(BOM):
        text = text[1:]
    return normalise_line_breaks(text)


def normalise_line_breaks(text: str) -> str:
    """Every line break a plain ``\\n`` (a piece of a file after its first: no BOM to remove)."""
    if "\r" not in text and (text.isascii() or not any(ch in text for ch in _OTHER_BREAKS)):
        return text  # the usual case, many times faster than the substitution
    return _LINE_BREAKS.sub("\n", text)


def restore_at(value: str) -> str:
    return value.replace(AT, "@") if AT in value else value


def prepare(text: str) -> Prepared:
    """The text bibtexparser should split: normalised, comments blanked, inner '@' protected."""
    text = normalise_text(text)
    if "@" not in text:
        return Prepared(text)
    out: list[str] = []
    unclosed: list[int] = []
    position = 0
    while True:
        start = _BLOCK_START.search(text, position)
        if start is None:
            break
        end = _block_end(text, start.end() - 1, start.group(2), start.group(1).lower() == "comment")
        if end is None:  # never closes: left as it is for the parser to report
            if start.group(1).lower() == "comment":
                unclosed.append(text.count("\n", 0, start.start()) + 1)
            out.append(text[position : start.end()])
            position = start.end()
            continue
        out.append(text[position : start.start()])
        block = text[start.start() : end + 1]
        if start.group(1).lower() == "comment":
            out.append(re.sub(r"[^\n]", " ", block))
        else:
            head = start.end()
            inner = _BLOCK_START.sub(lambda m: AT + m.group(0)[1:], text[head : end + 1])
            out.append(text[start.start() : head] + inner)
        position = end + 1
    out.append(text[position:])
    return Prepared("".join(out), unclosed)


def _block_end(text: str, opening: int, delimiter: str, comment: bool) -> int | None:
    """Index of the delimiter closing the block opened at ``opening``, or None.

    Braces nest (a brace after a backslash does not count, as in bibtexparser); a
    ``(``-delimited block ends at the first ``)`` outside braces (and, in an entry, outside a
    quoted value), as in BibTeX.
    """
    parens = delimiter == "("
    depth = 0
    quoted = False
    for mark in _MARKS.finditer(text, opening + 1):
        ch = mark.group(0)
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return None if parens else mark.start()
            depth -= 1
        elif depth == 0 and parens:
            if ch == '"' and not comment:
                quoted = not quoted
            elif ch == ")" and not quoted:
                return mark.start()
    return None
