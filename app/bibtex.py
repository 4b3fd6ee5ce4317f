"""Reading BibTeX: entries with macros, ``#`` concatenation and ``crossref`` resolved.

bibtexparser 2.x splits the file into blocks (fast, and it never raises); everything it leaves
to us is done here: macro resolution with line numbers for undefined macros, concatenation,
crossref inheritance and turning failed blocks into problems. The text is first prepared as
BibTeX and biber read it (``app.bibtex_blocks``: byte-order mark, line endings, ``@comment``
blocks); LaTeX decoding and structured names are in ``app.bibnames`` (re-exported here).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser import model

from app import bibtex_blocks
from app.problems import Problem

# Every block the library fails on becomes a Problem with file and line (below); its own log
# warnings would only repeat them, unformatted, on stderr.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

MONTHS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May",
    "jun": "June", "jul": "July", "aug": "August", "sep": "September", "oct": "October",
    "nov": "November", "dec": "December",
}  # fmt: skip


@dataclass
class BibEntry:
    key: str
    entry_type: str
    fields: dict[str, str]  # lower-case name -> value with macros resolved, LaTeX kept
    path: str
    line: int  # 1-based line of the entry's '@'
    field_lines: dict[str, int] = field(default_factory=dict)
    #: The problems found while reading this entry's block (its own, not those of other blocks).
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)

    def inherited(self, name: str) -> bool:
        """True for a field copied from the ``crossref`` target (it has no line here)."""
        return name in self.fields and name not in self.field_lines


@dataclass
class Bibliography:
    entries: list[BibEntry]
    problems: list[Problem]
    macros: dict[str, str]
    #: True when a block failed to parse (or the parser gave up): read in pieces, the file is
    #: then read again whole so that its problems are worded and placed exactly as for a whole file.
    failed: bool = False

    def by_key(self) -> dict[str, BibEntry]:
        return {e.key: e for e in self.entries}


def parse_bib_files(paths: Sequence[Path]) -> Bibliography:
    """Parse several files as one bibliography (macros of earlier files apply to later ones).

    Every entry at once, in bibliography order; the build reads the same stream in batches
    (``app.bibstream.iter_entries``) without holding them all.
    """
    from app import bibstream

    problems: list[Problem] = []
    state = bibstream.BibState()
    batches = [batch for batch in bibstream.iter_entries(paths, problems, state=state)]
    entries = [
        entry for _, entry in sorted((pair for batch in batches for pair in batch), key=lambda p: p[0])
    ]
    return Bibliography(entries, problems, state.macros)


def parse_bib_text(
    text: str,
    path: str,
    macros: dict[str, str] | None = None,
    *,
    line_offset: int = 0,
    seen: dict[tuple[str, str], int] | None = None,
) -> Bibliography:
    """Parse one file's text; ``macros`` (updated in place) carries @string definitions.

    ``line_offset`` is the number of lines before ``text`` in its file (a piece of a file read in
    chunks: ``app.bibstream``); ``seen`` maps ("entry" | "string", key) to the 1-based line where
    an earlier piece of the same file defined it, so a key repeated across pieces is reported as
    bibtexparser reports one repeated within a piece (updated in place).

    Text in the shape most files use is read by ``bibfast.read_common_shape`` (about 4x faster,
    the same result); anything else by ``parse_with_bibtexparser``.
    """
    macros = {} if macros is None else macros
    seen = {} if seen is None else seen
    fast = bibfast.read_common_shape(text, path, macros, line_offset=line_offset, seen=seen)
    if fast is not None:
        return fast
    return parse_with_bibtexparser(text, path, macros, line_offset=line_offset, seen=seen)


def parse_with_bibtexparser(  # noqa: C901 (one branch per kind of bibtexparser block)
    text: str,
    path: str,
    macros: dict[str, str] | None = None,
    *,
    line_offset: int = 0,
    seen: dict[tuple[str, str], int] | None = None,
) -> Bibliography:
    """``parse_bib_text`` through bibtexparser, for any text: the reference for the fast reader."""
    macros = {} if macros is None else macros
    seen = {} if seen is None else seen
    prepared = bibtex_blocks.prepare(text)
    try:
        library = bibtexparser.parse_string(prepared.text, parse_stack=[])
    except Exception as exc:  # the library raises only on its own internal errors: report, go on
        return Bibliography(
            [], [Problem(path, None, f"the BibTeX parser gave up on this file ({exc})")], macros, failed=True
        )
    entries: list[BibEntry] = []
    problems: list[Problem] = [
        Problem(path, line + line_offset, "@comment block never closes (its braces are unbalanced)")
        for line in prepared.unclosed_comments
    ]
    unclosed = {line + line_offset for line in prepared.unclosed_comments}
    failed = bool(unclosed)
    for block in library.blocks:
        line = (block.start_line or 0) + 1 + line_offset
        if isinstance(block, (model.String, model.Entry)):
            kind = "string" if isinstance(block, model.String) else "entry"
            first = seen.get((kind, block.key))
            if first is not None:  # defined in an earlier piece of the file
                problems.append(_duplicate_problem(block.key, kind == "string", path, line, first))
                continue
            seen[(kind, block.key)] = line
        if isinstance(block, model.String):
            value, undefined = resolve_value(bibtex_blocks.restore_at(str(block.value)), macros)
            for name in undefined:
                problems.append(Problem(path, line, f"@string {block.key}: undefined macro '{name}'"))
            macros[block.key.lower()] = value
        elif isinstance(block, model.Entry):
            own: list[Problem] = []
            shape = _malformed_head(block)
            if shape:
                own.append(Problem(path, line, shape))
            if block.key.strip():  # an entry without a key cannot be cited: leave it out
                entries.append(_entry(block, path, macros, own, line_offset))
                entries[-1].problems = own
            problems.extend(own)
        elif isinstance(block, model.DuplicateFieldKeyBlock):
            # BibTeX ("I'm ignoring ...'s extra field") and biber keep the entry with the first
            # value; bibtexparser drops it. Keep it, as they do, and say so.
            entry_block = block.ignore_error_block
            if not isinstance(entry_block, model.Entry):  # bibtexparser always sets it here
                continue
            own = []
            for name in sorted(block.duplicate_keys):
                message = f"{entry_block.key}: entry has the field '{name}' twice (the first value is kept)"
                own.append(Problem(path, line, message, "warning", cause=True))
            entries.append(_entry(entry_block, path, macros, own, line_offset))
            entries[-1].problems = own
            problems.extend(own)
        elif isinstance(block, model.DuplicateBlockKeyBlock):
            first = (block.previous_block.start_line or 0) + 1 + line_offset
            is_string = isinstance(block.ignore_error_block, model.String)
            problems.append(_duplicate_problem(block.key, is_string, path, line, first))
        elif isinstance(block, model.ParsingFailedBlock):
            failed = True
            if line in unclosed:
                continue  # reported above, in words that fit a comment
            problems.append(Problem(path, line, _parse_error_message(block, line)))
        elif isinstance(block, model.ImplicitComment):
            # '%' lines and brace-less '@comment' lines are comments to BibTeX, not junk.
            junk = [
                (offset, text)
                for offset, text in enumerate(str(block.comment).splitlines())
                if text.strip(" \t\ufeff") and not text.lstrip().lower().startswith(("%", "@comment"))
            ]
            if junk:
                offset, text = junk[0]
                problems.append(Problem(path, line + offset, f"text outside any entry: '{_shorten(text)}'"))
    return Bibliography(entries, problems, macros, failed)


def _duplicate_problem(key: str, is_string: bool, path: str, line: int, first: int) -> Problem:
    if is_string:
        message = f"@string '{key}' defined twice (first at line {first}; the first is kept)"
        return Problem(path, line, message, "warning", cause=True)
    return Problem(path, line, f"duplicate key '{key}' (first defined at line {first})", cause=True)


def _entry(
    block: model.Entry, path: str, macros: dict[str, str], problems: list[Problem], line_offset: int = 0
) -> BibEntry:
    fields: dict[str, str] = {}
    lines: dict[str, int] = {}
    for f in block.fields:
        name = f.key.lower()
        raw = bibtex_blocks.restore_at(str(f.value))
        fline = (f.start_line or block.start_line or 0) + 1 + line_offset
        junk = trailing_junk(raw)
        if junk is not None:
            offset, text = junk
            problems.append(
                Problem(
                    path,
                    fline + offset,
                    f"{block.key}: a comma is missing after the value of '{name}' "
                    f"(it runs into '{_shorten(text, 40)}')",
                )
            )
            raw = raw[: len(raw) - len(text)].rstrip()
        value, undefined = resolve_value(raw, macros)
        for macro in undefined:
            problems.append(
                Problem(path, fline, f"{block.key}: field '{name}' uses undefined macro '{macro}'")
            )
        if name not in fields:  # a repeated field: the first value counts (BibTeX, biber)
            fields[name] = value
            lines[name] = fline
    return BibEntry(
        key=block.key,
        entry_type=block.entry_type.lower(),
        fields=fields,
        path=path,
        line=(block.start_line or 0) + 1 + line_offset,
        field_lines=lines,
    )


def _malformed_head(block: model.Entry) -> str | None:
    """What is wrong with an entry's '@type{key,' head, which the library accepts as it comes."""
    if not block.entry_type.strip():
        return f"entry '{block.key}' has no type (write @article{{..., @misc{{..., ...)"
    if not block.key.strip():
        return f"@{block.entry_type} entry has no key"
    if re.search(r"[\s,{}\"#%]", block.key):  # what BibTeX itself cannot read back in a key
        return f"key '{block.key}' contains a space or one of , {{ }} \" # %"
    return None


def _parse_error_message(block: model.ParsingFailedBlock, line: int) -> str:
    """Why an entry (starting on ``line``) failed, naming the line that most likely misses its
    closing brace. The head '@type{key,' is quoted as is: ``failed_entry_key`` reads it back."""
    raw = block.raw or ""
    head = _shorten(raw.splitlines()[0] if raw else "")
    error = str(block.error or "")
    if "field-value closing" in error or raw.count("{") != raw.count("}"):
        suspect = _unclosed_field_line(raw)
        where = f" line {line + suspect} probably misses a closing brace;" if suspect else ""
        return f"entry does not parse (unbalanced braces or quotes?):{where} '{head}'"
    return f"entry does not parse: '{head}'"


_FIELD_START = re.compile(r"\s*[A-Za-z][\w-]*\s*=")


def _unclosed_field_line(raw: str) -> int | None:
    """The offset (0: the head's line) of the first field line that leaves a brace open when
    the next line starts another field ('name = ...'), or None."""
    lines = raw.splitlines()
    depth = 0
    for offset, text in enumerate(lines):
        depth += text.count("{") - text.count("}")
        following = lines[offset + 1] if offset + 1 < len(lines) else ""
        if offset and depth > 1 and _FIELD_START.match(following):
            return offset
    return None


_FAILED_HEAD = re.compile(r"entry does not parse.*'@\w+\s*[{(]\s*([^\s,{}]+)\s*,'$")


def failed_entry_key(problem: Problem) -> str | None:
    """The key of the entry a parse-failure problem is about, when its head could be read."""
    match = _FAILED_HEAD.match(problem.message)
    return match[1] if match else None


def _shorten(text: str, width: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def trailing_junk(raw: str) -> tuple[int, str] | None:
    """What follows a field's value when the value is not ``atom # atom ...`` (an atom being
    ``{...}``, ``"..."``, a number or a macro name): ``(line offset, text)``, or None.

    bibtexparser reads ``volume = {19}`` then ``number = {3}`` without a comma between them as
    one value; BibTeX and biber stop with "expecting a ',' or a '}'".
    """
    consumed = 0
    for part in _split_concatenation(raw):
        end = _atom_end(part)
        if end is not None and part[end:].strip():
            junk_start = consumed + end + (len(part[end:]) - len(part[end:].lstrip()))
            return raw.count("\n", 0, junk_start), raw[junk_start:]
        consumed += len(part) + 1
    return None


def _atom_end(part: str) -> int | None:
    """End index of the first atom of ``part`` (None when it is a bare word or number)."""
    stripped = part.lstrip()
    lead = len(part) - len(stripped)
    if stripped[:1] == "{" or stripped[:1] == '"':
        depth = 0
        for i, ch in enumerate(stripped):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0 and stripped[0] == "{":
                    return lead + i + 1
            elif ch == '"' and i > 0 and depth == 0 and stripped[0] == '"':
                return lead + i + 1
        return None
    match = re.match(r'[^\s"#%\'(),={}]+', stripped)
    return lead + match.end() if match else None


def resolve_value(raw: str, macros: dict[str, str]) -> tuple[str, list[str]]:
    """Resolve a raw field value: ``{...}``, ``"..."``, numbers, macros and ``#`` concatenation.

    Returns the value and the names of undefined macros (kept as bare words).
    """
    parts = _split_concatenation(raw.strip())
    out: list[str] = []
    undefined: list[str] = []
    for part in parts:
        part = part.strip()
        if (len(part) >= 2 and part[0] == "{" and part[-1] == "}") or (
            len(part) >= 2 and part[0] == '"' and part[-1] == '"'
        ):
            out.append(part[1:-1])
        elif part.isdigit() or not part:
            out.append(part)
        elif part.lower() in macros:
            out.append(macros[part.lower()])
        elif part.lower() in MONTHS:
            out.append(MONTHS[part.lower()])
        else:
            undefined.append(part)
            out.append(part)
    return "".join(out), undefined


def _split_concatenation(raw: str) -> list[str]:
    if "#" not in raw:
        return [raw]
    parts: list[str] = []
    depth = 0
    in_quotes = False
    start = 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            in_quotes = not in_quotes
        elif ch == "#" and depth == 0 and not in_quotes:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return parts


def resolve_crossrefs(
    entries: list[BibEntry], problems: list[Problem], index: dict[str, BibEntry] | None = None
) -> None:
    """Inherit missing fields from the ``crossref`` target, as BibTeX does (targets looked up in
    ``index``, lower-case key -> entry; by default ``entries`` themselves)."""
    index = {e.key.lower(): e for e in entries} if index is None else index
    for entry in entries:
        target_key = entry.fields.get("crossref")
        if not target_key:
            continue
        target = index.get(target_key.strip().lower())
        if target is None:
            problems.append(
                Problem(
                    entry.path,
                    entry.line_of("crossref"),
                    f"{entry.key}: crossref to unknown entry '{target_key}'",
                    "warning",
                )
            )
            continue
        for name, value in target.fields.items():
            if name in ("crossref", "key"):
                continue
            if name == "title" and "booktitle" not in entry.fields and "booktitle" not in target.fields:
                entry.fields["booktitle"] = value  # a proceedings' title is its entries' booktitle
            elif name not in entry.fields:
                entry.fields[name] = value


# Decoding and names live in app.bibnames; these names are imported from here across the app.
from app import bibfast  # noqa: E402  (it reads BibEntry and resolve_value from here)
from app.bibnames import OTHERS, Person, latex_to_text, names_to_text, split_names  # noqa: E402

__all__ = ["OTHERS", "Person", "latex_to_text", "names_to_text", "split_names"]
