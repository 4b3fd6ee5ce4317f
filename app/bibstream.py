"""Reading .bib files in pieces: entries stream out in batches, the whole file is never held.

``iter_entries(paths, problems)`` yields batches of ``(position, BibEntry)``: the same entries,
positions (order in the bibliography) and problems as ``bibtex.parse_bib_files`` gives for the
whole files, with memory bounded by one piece (``CHUNK_CHARS`` of text) instead of the whole
bibliography. How:

- each file is first read once quickly (``_pre_scan``): its UTF-8 is checked (an invalid file
  is one problem and no entries, as before) and the keys named by ``crossref`` fields noted;
- the file is then decoded piece by piece and cut just before an ``@type{`` that starts a line;
  lines are shifted by the lines of the earlier pieces (``line_offset``), and a key or
  ``@string`` repeated in a later piece is reported as bibtexparser reports one within a piece;
- a piece in which a block fails to parse (also what a cut inside a block leads to) falls back
  to reading that file whole: its problems are then worded and placed exactly as before, and
  only a broken file costs the memory;
- duplicate keys across files (and keys differing only in case) keep the first, as before;
- an entry with ``crossref`` waits until the end (its target may come later) and inherits from
  the kept targets (entries whose key some ``crossref`` names); it keeps its position.
  A ``crossref`` whose value is a macro is not followed here (BibTeX users write the key).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app import bibtex_blocks
from app.bibtex import BibEntry, parse_bib_text, resolve_crossrefs
from app.problems import Problem

#: Characters of .bib text parsed at once (about 1,000 entries).
CHUNK_CHARS = 1_000_000
PIECE_BYTES = 4 << 20
_LINE_BLOCK_START = re.compile(r"\n(?=@\w*[ \t]*[{(])")
_CROSSREF = re.compile(r"\bcrossref\s*=\s*[{\"]?\s*([^\s,{}\"]+)", re.IGNORECASE)

Batch = list[tuple[int, BibEntry]]


@dataclass
class BibState:
    """What the stream keeps across files: macros, the keys seen, entries waiting on crossref."""

    macros: dict[str, str] = field(default_factory=dict)
    first_by_folded_key: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # key, path, line
    position: int = 0
    targets: set[str] = field(default_factory=set)  # folded keys that some crossref names
    kept_targets: dict[str, BibEntry] = field(default_factory=dict)
    waiting: list[tuple[int, BibEntry]] = field(default_factory=list)
    has_crossref: bool = False


def iter_entries(
    paths: Sequence[Path],
    problems: list[Problem],
    *,
    state: BibState | None = None,
    chunk_chars: int | None = None,
) -> Iterator[Batch]:
    """Batches of (position, entry) of every file in order; ``problems`` receives every problem
    (see the module docstring); ``state`` (optional) holds the macros and keys afterwards."""
    state = BibState() if state is None else state
    size = chunk_chars or CHUNK_CHARS
    for path in paths:
        reason = _pre_scan(Path(path), state.targets)
        if reason is not None:
            problems.append(Problem(str(path), None, reason))
            continue
        yield from _file_batches(Path(path), state, problems, size)
    yield from _resolve_waiting(state, problems)


def _file_batches(path: Path, state: BibState, problems: list[Problem], size: int) -> Iterator[Batch]:
    macros_before = dict(state.macros)
    seen: dict[tuple[str, str], int] = {}
    file_problems: list[Problem] = []
    emitted = 0
    for offset, text in _chunks(path, size):
        found = parse_bib_text(text, str(path), state.macros, line_offset=offset, seen=seen)
        if found.failed:  # read the file whole: its problems exactly as a whole file's
            state.macros.clear()
            state.macros.update(macros_before)
            whole = parse_bib_text(_read_whole(path), str(path), state.macros)
            problems.extend(whole.problems)
            yield _keep(whole.entries[emitted:], state, problems)
            return
        file_problems.extend(found.problems)
        emitted += len(found.entries)
        yield _keep(found.entries, state, problems)
    problems.extend(file_problems)


def _keep(entries: list[BibEntry], state: BibState, problems: list[Problem]) -> Batch:
    """Drop later duplicates (any file, any case), number the rest, hold crossref entries back."""
    batch: Batch = []
    for entry in entries:
        folded = entry.key.lower()
        first = state.first_by_folded_key.get(folded)
        if first is not None:
            same = "duplicate key" if first[0] == entry.key else "key differs only in case from"
            problems.append(
                Problem(
                    entry.path,
                    entry.line,
                    f"{same} '{first[0]}' (first defined at {first[1]}:{first[2]})",
                    cause=True,
                )
            )
            continue
        state.first_by_folded_key[folded] = (entry.key, entry.path, entry.line)
        position = state.position
        state.position += 1
        if folded in state.targets:
            state.kept_targets[folded] = entry
        if entry.fields.get("crossref"):
            state.has_crossref = True
            state.waiting.append((position, entry))
        else:
            batch.append((position, entry))
    return batch


def _resolve_waiting(state: BibState, problems: list[Problem]) -> Iterator[Batch]:
    if not state.waiting:
        return
    index = dict(state.kept_targets)
    for _, entry in state.waiting:
        index.setdefault(entry.key.lower(), entry)
    # The same pass as for a whole bibliography, over the entries that have a crossref (the
    # others are skipped by it), in bibliography order, against every possible target.
    resolve_crossrefs([e for _, e in state.waiting], problems, index=index)
    yield list(state.waiting)


def _pre_scan(path: Path, targets: set[str]) -> str | None:
    """Check that the file is readable UTF-8 (the problem's text, or None) and add the keys its
    ``crossref`` fields name (lower case) to ``targets``."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    tail = ""
    try:
        with open(path, "rb") as handle:
            while True:
                raw = handle.read(PIECE_BYTES)
                text = tail + decoder.decode(raw, final=not raw)
                if "rossref" in text or "ROSSREF" in text.upper():
                    targets.update(m.group(1).lower() for m in _CROSSREF.finditer(text))
                tail = text[-200:]
                if not raw:
                    return None
    except UnicodeDecodeError as exc:
        return f"not valid UTF-8 ({exc.reason})"
    except OSError as exc:
        return f"cannot read the file: {exc.strerror}"


def _read_whole(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # line breaks as written: see bibtex_blocks


def _pieces(path: Path) -> Iterator[str]:
    """The file's text, decoded and with line breaks unified, in pieces (a ``\\r\\n`` is never
    split between two pieces; a byte-order mark at the start is dropped, as bibtex_blocks does)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending = ""
    first = True
    with open(path, "rb") as handle:
        while True:
            raw = handle.read(PIECE_BYTES)
            final = not raw
            text = pending + decoder.decode(raw, final=final)
            pending = ""
            if not final and text.endswith("\r"):
                text, pending = text[:-1], "\r"
            if first and text:
                yield bibtex_blocks.normalise_text(text)
                first = False
            elif text:
                yield bibtex_blocks.normalise_line_breaks(text)
            if final:
                return


def _chunks(path: Path, size: int) -> Iterator[tuple[int, str]]:
    """(lines before, text) pieces of ``path`` cut just before a block start, each at least
    ``size`` characters (the last may be shorter)."""
    pieces = _pieces(path)
    buffer = ""
    lines_before = 0
    eof = False
    while True:
        cut = _cut_point(buffer, size) if len(buffer) > size else None
        if cut is None:
            if eof:
                if buffer:
                    yield lines_before, buffer
                return
            piece = next(pieces, None)
            if piece is None:
                eof = True
            else:
                buffer += piece
            continue
        chunk, buffer = buffer[:cut], buffer[cut:]
        yield lines_before, chunk
        lines_before += chunk.count("\n")


def _cut_point(text: str, size: int) -> int | None:
    """The index of the first block start at the beginning of a line at or after ``size`` (None:
    read more). A cut inside a block (an ``@type{`` at the start of a line inside a value or a
    comment) leaves that block unclosed in its piece: the piece fails to parse and the file is
    read whole instead (``_file_batches``), so a wrong cut costs memory, never a wrong result."""
    found = _LINE_BLOCK_START.search(text, size)
    return found.start() + 1 if found else None
