"""A fast reader for the one shape most .bib files are written in; bibtexparser reads the rest.

``read_common_shape(text, path, macros, line_offset=, seen=)`` returns the same ``Bibliography``
that ``bibtex.parse_with_bibtexparser`` returns for ``text`` (the same entries, fields, lines and
no problems), or None when ``text`` holds anything outside the shape below: the caller then
parses it with bibtexparser, which stays the reference (``bibtex.parse_bib_text`` does both;
tests/test_bib_fast.py compares the two on the real-world corpus, the generated data and
mutated entries). The shape:

- between entries only blank lines and lines whose first non-blank character is ``%`` (with no
  ``@`` in them): bibtexparser's implicit comments that the project does not report;
- an entry is ``@type{key,`` (type: letters, not ``comment``/``preamble``/``string``...; key:
  no white space, ``, { } " # % = @ \\``), then fields ``name = value`` separated by commas
  (a comma before the closing ``}`` allowed), the ``=`` on the line of the name (the
  field's line, as bibtexparser counts it);
- a value is one atom: ``{...}`` with braces nested at most three deep, no backslash before a
  brace or another backslash, no ``@word{`` (a block start) inside; ``"..."`` without braces,
  backslashes or ``@``; or a bare number or macro name that is defined (or a month);
- no field name twice (in any case), no key twice in the text or in ``seen``.

Anything else (``@string``, ``@comment``, ``#`` concatenation, a missing comma, an undefined
macro, text outside entries...) returns None, so every problem is still found, worded and placed
by the bibtexparser path. Accepted text has no problems by construction: every check of that
path passes on it (a single atom has no trailing junk, the key and type are well formed).
"""

from __future__ import annotations

import re

from app.bibtex import BibEntry, Bibliography, resolve_value
from app.bibtex_blocks import AT, normalise_text

# An '@' that bibtexparser (and bibtex_blocks.prepare) would take for the start of a block.
_NOT_BLOCK_AT = r"@(?!\w*[ \t]*[{(])"
# One piece of a braced value that is not a brace: a run of plain characters, a backslash before
# anything but a brace or a backslash, an '@' that starts no block. Possessive: no backtracking.
_PLAIN = rf"(?:[^{{}}\\@]++|\\[^{{}}\\]|{_NOT_BLOCK_AT})"
_BRACED3 = rf"\{{{_PLAIN}*+\}}"
_BRACED2 = rf"\{{(?:{_PLAIN}|{_BRACED3})*+\}}"
_BRACED1 = rf"\{{(?:{_PLAIN}|{_BRACED2})*+\}}"
_QUOTED = r'"(?:[^"{}\\@]|' + _NOT_BLOCK_AT + r')*+"'
_BARE = r"[A-Za-z0-9_.:+/-]++"

#: Blank lines and '%' comment lines (without '@') up to the next '@' or the end.
_BETWEEN = re.compile(r"(?:[ \t]*+(?:%[^\n@]*+)?\n)*+[ \t]*+(?:%[^\n@]*+)?")
_HEAD = re.compile(r"@([A-Za-z]++)\{([^\s,{}\"#%=@\\]++),")
_FIELD = re.compile(rf"\s*+([A-Za-z][A-Za-z0-9_:.+-]*+)[ \t]*+=\s*+({_BRACED1}|{_QUOTED}|{_BARE})\s*+(,|\}})")
_END = re.compile(r"\s*+\}")
_OTHER_BLOCKS = ("comment", "preamble", "string")


def read_common_shape(
    text: str,
    path: str,
    macros: dict[str, str],
    *,
    line_offset: int = 0,
    seen: dict[tuple[str, str], int] | None = None,
) -> Bibliography | None:
    """The text's entries when all of it has the common shape (module docstring), else None.

    ``macros`` is read, never changed (the shape has no ``@string``); ``seen`` (keys of earlier
    pieces of the file, as in ``parse_with_bibtexparser``) receives the new keys only when the
    text is accepted.
    """
    seen = {} if seen is None else seen
    text = normalise_text(text)
    if AT in text:
        return None
    entries: list[BibEntry] = []
    keys: dict[str, int] = {}
    position, line, end = 0, line_offset + 1, len(text)
    while True:
        gap = _BETWEEN.match(text, position)
        assert gap is not None  # the pattern matches the empty string
        line += text.count("\n", position, gap.end())
        position = gap.end()
        if position == end:
            break
        head = _HEAD.match(text, position)
        if head is None:
            return None
        entry_type, key = head.group(1).lower(), head.group(2)
        if entry_type.startswith(_OTHER_BLOCKS) or key in keys or ("entry", key) in seen:
            return None
        body = _fields(text, head.end(), line, macros)
        if body is None:
            return None
        fields, lines, position, end_line = body
        keys[key] = line
        entries.append(BibEntry(key, entry_type, fields, path, line, lines))
        line = end_line
    for key, key_line in keys.items():
        seen[("entry", key)] = key_line
    return Bibliography(entries, [], macros)


def _fields(
    text: str, position: int, line: int, macros: dict[str, str]
) -> tuple[dict[str, str], dict[str, int], int, int] | None:
    """An entry's fields from just after its ``@type{key,`` (at ``line``) to its closing brace:
    (fields, their lines, the index after the brace, the line there), or None (not the shape)."""
    fields: dict[str, str] = {}
    lines: dict[str, int] = {}
    while True:
        field = _FIELD.match(text, position)
        if field is None:
            tail = _END.match(text, position)  # no field (more): the closing brace
            if tail is None:
                return None
            return fields, lines, tail.end(), line + text.count("\n", position, tail.end())
        name, raw, closer = field.group(1, 2, 3)
        name = name.lower()
        if name in fields:
            return None
        start = field.start(1)
        line += text.count("\n", position, start)  # the line of the name and its '='
        if raw[0] == "{" and "#" not in raw:
            value = raw[1:-1]  # what resolve_value gives for one braced atom, without its cost
        else:
            value, undefined = resolve_value(raw, macros)
            if undefined:
                return None
        fields[name], lines[name] = value, line
        position = field.end()
        line += text.count("\n", start, position)
        if closer == "}":
            return fields, lines, position, line
