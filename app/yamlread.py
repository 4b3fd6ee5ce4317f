"""YAML with line numbers: a safe loader whose mappings and lists remember where each key and
item was written, so every problem in ``claims.yaml`` or ``concepts.yaml`` names its line.

``read_yaml(path, problems)`` returns the document (``LineDict`` / ``LineList`` nodes) or None,
appending a ``Problem`` for unreadable files, syntax errors, duplicate keys and swallowed lines;
it never raises on bad data.

A swallowed line is a mis-indented line that YAML reads, without complaint, as part of the text
above it: a list item indented deeper than the items before it becomes the end of the previous
item's text ("- one" then "  - two" reads as the one string "one - two"), and an item or key
written inside a block text (``>-``, ``|``) at the text's indentation becomes text
("- kind: limitation" inside a note's ``text: >-``). Both are reported: a continuation line of a
plain text that starts with "- ", and a line of a block text that starts with a key of the mapping
holding that text ("kind:", "- kind:"). A missing "- " merges two items into one mapping, which
shows as a duplicate key: the first key of the item, repeated. ``line_for(document, loc)`` maps a pydantic error location to a line.

A large ``claims.yaml`` is read item by item (``splits_into_items``, ``iter_items``,
``parse_item``): each top-level item is parsed alone with the lines it has in the file, so the
build never holds the whole document and an incremental build re-reads only changed items.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.problems import Problem


class LineDict(dict):
    """A mapping that remembers the line of each key (1-based), and how a value YAML read as a
    yes/no, a null or a decimal number was written (``written``: ``verdict: yes`` is True, which
    the messages quote as the curator wrote it, not as Python prints it; ``-0.620`` keeps the
    digits the source reports, which the float -0.62 drops)."""

    line: int = 0
    key_lines: dict[str, int]
    written: dict[str, str] | None = None


class LineList(list):
    """A sequence that remembers the line of each item (1-based), scalars included, and how each
    decimal number in it was written (``written``: position -> text, as ``LineDict``'s)."""

    line: int = 0
    item_lines: list[int]
    written: dict[int, str] | None = None


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records key lines and duplicate keys, and leaves dates as strings.

    Dates stay strings so that pydantic validates them with a message and a line: PyYAML's own
    timestamp constructor raises a bare ``ValueError`` (a traceback) on ``2026-13-01``.
    """

    def __init__(self, stream: str, line_offset: int = 0):
        super().__init__(stream)
        # (line, problem, cause): duplicate keys (a cause, Problem.cause), swallowed lines
        self.found: list[tuple[int, str, bool]] = []
        self.line_offset = line_offset  # lines of the file before ``stream`` (one item of it)
        self.source = stream
        self.source_lines: list[str] | None = None  # split on the first multi-line text


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    offset = loader.line_offset + 1
    result = LineDict()
    result.line = node.start_mark.line + offset
    result.key_lines = {}
    first_key = None
    texts: list[tuple[Any, yaml.ScalarNode]] = []  # (key, value) of the texts of several lines
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + offset
        if key in result:
            # Keep the first value and go on, so every other problem in the file is reported too.
            why = f"duplicate key '{key}' (first at line {result.key_lines[key]}; the first is kept)"
            if key == first_key:
                why += f"; if this line starts a new item of a list, it needs a '- ' before '{key}'"
            loader.found.append((line, why, True))
            continue
        first_key = key if not result else first_key
        result[key] = value = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
        if (value is None or isinstance(value, bool | float)) and isinstance(value_node, yaml.ScalarNode):
            result.written = (result.written or {}) | {key: value_node.value}
        if isinstance(value_node, yaml.ScalarNode) and value_node.start_mark.line != value_node.end_mark.line:
            texts.append((key, value_node))
    if texts:
        keys = {str(k) for k in result}
        for key, value_node in texts:
            _swallowed_lines(loader, value_node, keys, f"'{key}'")
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    offset = loader.line_offset + 1
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + offset
    result.item_lines = [child.start_mark.line + offset for child in node.value]
    floats = {i: child.value for i, (child, value) in enumerate(zip(node.value, result, strict=True))
              if isinstance(value, float) and isinstance(child, yaml.ScalarNode)}  # fmt: skip
    result.written = floats or None
    for child in node.value:
        if isinstance(child, yaml.ScalarNode) and child.start_mark.line != child.end_mark.line:
            _swallowed_lines(loader, child, set(), "the list item")
    return result


_ITEM_LINE = re.compile(r"\s*-(?:\s|$)")
_KEY_LINE = re.compile(r"\s*(?:-\s+)?([^\s#:'\"][^:]*?):(?:\s|$)")


def _swallowed_lines(loader: _LineLoader, node: yaml.ScalarNode, keys: set[str], holder: str) -> None:
    """Report the mis-indented lines that a text spanning several lines took in (module doc):
    in a plain text, a continuation line that starts with "- "; in a block text (``>``, ``|``),
    a line that starts with one of ``keys``, the keys of the mapping holding the text, with or
    without a "- " before it. Quoted texts are left alone (their quotes say where they end)."""
    plain = not node.style  # None, or "" from libyaml
    if not plain and node.style not in (">", "|"):
        return
    if loader.source_lines is None:
        loader.source_lines = loader.source.split("\n")
    offset = loader.line_offset + 1
    first = node.start_mark.line
    # A block text starts on the line after its indicator and ends before the mark (column 0);
    # a plain text's continuation lines are those after its first, up to the mark's line.
    last = node.end_mark.line + (1 if node.end_mark.column else 0)
    for number in range(first + 1, min(last, len(loader.source_lines))):
        text = loader.source_lines[number]
        if plain and _ITEM_LINE.match(text):
            loader.found.append((number + offset, (
                f"this list item is indented deeper than the items above it, so YAML reads it as the "
                f"end of {holder} that starts at line {first + offset} (as '{_short(node.value)}'): "
                "start its '-' in the same column as theirs"), False))  # fmt: skip
        elif not plain and (key := _KEY_LINE.match(text)) and key.group(1) in keys:
            loader.found.append((number + offset, (
                f"'{text.strip()}' is indented as part of the block text of {holder} that starts at "
                f"line {first + offset}, so YAML reads it as text, not as '{key.group(1)}': indent "
                "it like the lines it belongs with"), False))  # fmt: skip


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same loader on libyaml's C parser (when PyYAML has it): 3x faster on a large file.

    libyaml words its errors differently, so ``read_yaml`` re-reads a file it rejects with
    ``_LineLoader`` to report the documented message.
    """

    def __init__(self, stream: str, line_offset: int = 0):
        super().__init__(stream)
        self.found: list[tuple[int, str, bool]] = []
        self.line_offset = line_offset
        self.source = stream
        self.source_lines: list[str] | None = None


_FastLineLoader.yaml_implicit_resolvers = _LineLoader.yaml_implicit_resolvers
for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (also usable as a decorator).

    Loading and building create millions of small objects that all stay alive: the collector
    would scan them again and again for nothing (40% of a 10,000-claim check).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def collect_batch_garbage() -> None:
    """Free the reference cycles left by the records handled since the last call (one batch).

    Under ``gc_paused`` they would otherwise stay until the end: about 8 KB per study of a build
    (parser and loader objects that refer to each other). Only the young generations are
    scanned (the objects made since the last call and the survivors of the call before), so the
    cost is one batch's objects, not the whole heap of long-lived indexes.
    """
    gc.collect(1)


def line_for(document: Any, loc: Iterable[Any]) -> int | None:
    """The line of the deepest mapping key or list item on a pydantic error location."""
    line = getattr(document, "line", None)
    node = document
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def as_written(document: Any, loc: Iterable[Any], value: Any) -> str:
    """``value``, found at ``loc`` of ``document``, as the file has it: a yes/no or null as
    written (``true``, ``yes``, ``~``, ``null``; ``LineDict.written``), anything else as text."""
    *path, last = tuple(loc) or (None,)
    node = document
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return str(value)
    written = getattr(node, "written", None) or {}
    return str(written.get(last, "" if value is None else value))


def read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(str(path), None, "file not found"))
        return None
    except UnicodeDecodeError as exc:
        problems.append(Problem(str(path), None, f"not valid UTF-8 ({exc.reason})"))
        return None
    try:
        try:
            document, found = _parse_yaml(text, _FastLineLoader)
        except yaml.YAMLError:  # a broken file: the pure-Python parser's message and line
            document, found = _parse_yaml(text, _LineLoader)
    except yaml.MarkedYAMLError as exc:
        problems.append(_yaml_error(path, exc, text))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(str(path), None, f"YAML error: {exc}"))
        return None
    problems.extend(_found_problems(path, found))
    return document


# --- claims.yaml item by item ---------------------------------------------------------------------

#: A top-level item starts a line with '-' and a space (or the line's end); any other line that
#: starts with something else than '-', '#' or white space (a '---' or '...' marker, a
#: directive, a mapping at the top) means the file is parsed whole. (The patterns start with
#: the line break, a literal: the regular expression engine then skips ahead fast.)
_ITEM_START = re.compile(rb"\n-(?=[ \t\r\n])")
_OTHER_LINE = re.compile(rb"\n(?:[^-#\s]|-[^ \t\r\n])")
PIECE_BYTES = 8 << 20


@dataclass(frozen=True, slots=True)
class YamlItem:
    """One top-level list item of a YAML file: the line of its '-' (1-based) and its raw text
    (up to the next item; comments between items belong to the one before)."""

    line: int
    text: bytes


def _complete_lines(path: Path) -> Iterator[bytes]:
    """The file in pieces of whole lines, each after a line break (a b"\\n" is put before the
    first piece, so that every line starts after one; the last piece may lack its own)."""
    carry = b"\n"
    with open(path, "rb") as handle:
        while True:
            raw = handle.read(PIECE_BYTES)
            if not raw:
                if carry.strip(b"\n") or len(carry) > 1:
                    yield carry
                return
            data = carry + raw
            cut = data.rfind(b"\n")
            data, carry = data[:cut], data[cut:]
            if data:
                yield data


def splits_into_items(path: Path) -> bool:
    """True when the file is a plain block list at the top (comments and blank lines before its
    first item): its items can be read one by one (``iter_items``)."""
    try:
        found = False
        for data in _complete_lines(path):
            if _OTHER_LINE.search(data):
                return False
            found = found or _ITEM_START.search(data) is not None
        return found
    except OSError:
        return False


def iter_items(path: Path) -> Iterator[YamlItem]:
    """The top-level items of a file that ``splits_into_items``, with their lines; memory is one
    piece of the file, not the file."""
    line = 0  # the line of the line break at ``position`` (the one put before the file: 0)
    parts: list[bytes] = []
    item_line = 0
    for data in _complete_lines(path):
        position = 0
        for match in _ITEM_START.finditer(data):
            start = match.start()
            if item_line:
                parts.append(data[position:start])
                yield YamlItem(item_line, b"".join(parts)[1:])
            line += data.count(b"\n", position, start)
            parts, item_line, position = [], line + 1, start
        if item_line:
            parts.append(data[position:])
        line += data.count(b"\n", position)
    if item_line:
        yield YamlItem(item_line, b"".join(parts)[1:])


def parse_item(item: YamlItem, path: Path) -> tuple[LineList, list[Problem]] | None:
    """The item as a one-item ``LineList`` whose lines are the file's, with its duplicate-key and
    swallowed-line problems; None when it does not parse on its own (an alias to an earlier item, a quote that
    runs into the next item, bad UTF-8...): the caller then parses the file whole."""
    try:
        text = item.text.decode("utf-8")
        document, found = _parse_yaml(text, _FastLineLoader, item.line - 1)
    except (UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(document, LineList) or len(document) != 1:
        return None
    return document, _found_problems(path, found)


def _found_problems(path: Path, found: list[tuple[int, str, bool]]) -> list[Problem]:
    return [Problem(str(path), line, message, cause=cause) for line, message, cause in found]


def _parse_yaml(
    text: str, loader_class: type[yaml.SafeLoader], line_offset: int = 0
) -> tuple[Any, list[tuple[int, str, bool]]]:
    loader = loader_class(text, line_offset)  # type: ignore[call-arg]
    try:
        return loader.get_single_data(), loader.found  # type: ignore[attr-defined]
    finally:
        loader.dispose()


def _yaml_error(path: Path, exc: yaml.MarkedYAMLError, text: str) -> Problem:
    """A syntax error at the line where the mistake most likely is, naming the other line too.

    When the parser only notices at the end of the file (an unclosed quote or bracket), the
    line where the construct began is the useful one. An unclosed quote mid-file makes a quoted
    value run on to the next quote, often far below: the error is reported where that value
    starts, with the line where the parser stopped.
    """
    what = exc.problem or str(exc)
    problem_line = exc.problem_mark.line + 1 if exc.problem_mark else None
    context_line = exc.context_mark.line + 1 if exc.context_mark else None
    line = problem_line or context_line
    hint = _hint(what)
    if exc.problem_mark and not (exc.context and context_line and "end of stream" in what):
        what += f" at column {exc.problem_mark.column + 1}"
    if exc.context and context_line:
        if "end of stream" in what or "<stream end>" in what:
            line = context_line
        if context_line != line:
            what += f" ({exc.context} that starts at line {context_line})"
        else:
            what += f" ({exc.context})"
    dedented = _dedented_line(text, problem_line) if problem_line and "mapping values" in what else None
    if dedented is not None:
        return Problem(str(path), dedented, f"YAML syntax error: this line is indented less than the "
                       f"lines above and below it (line {problem_line} was read as part of its value, "
                       f"where: {what}); indent it like its neighbours")  # fmt: skip
    opened, quoted = _runaway_value_line(text, problem_line) if problem_line else (None, False)
    if opened is not None and not quoted and not ("mapping values" in what and _dedented_item(text, opened)):
        opened = None
    if opened is not None and opened != line and quoted:
        return Problem(str(path), opened, f"YAML syntax error: probably an unclosed quote: the quoted "
                       f"value starting on this line runs on to line {problem_line}, where: {what}")  # fmt: skip
    if opened is not None and opened != line:
        return Problem(str(path), opened, f"YAML syntax error: the value starting on this line runs on "
                       f"over the lines below it to line {problem_line}, where: {what}; probably this "
                       "line is indented less than its neighbours (a list item or key starts in the "
                       "same column as the others of its list or entry), or a value holding ': ' "
                       "must be quoted")  # fmt: skip
    return Problem(str(path), line, f"YAML syntax error: {what}{hint}")


def _key_column(line: str) -> int:
    """Where a line's key starts: after its indentation and any "- " of a list item."""
    stripped = line.lstrip(" ")
    column = len(line) - len(stripped)
    while stripped.startswith("- "):
        column += 2
        stripped = stripped[2:].lstrip(" ")
        column = len(line) - len(stripped)
    return column


def _dedented_line(text: str, problem_line: int) -> int | None:
    """The line before ``problem_line`` (1-based) when it is a ``key: value`` dedented out of its
    block: the lines before and after it sit at the same key column, deeper than it (so YAML read
    the line after as part of its value: "mapping values are not allowed here" one line late)."""
    lines = text.splitlines()
    content = [
        i
        for i in range(min(problem_line, len(lines)))
        if lines[i].strip() and not lines[i].lstrip().startswith("#")
    ]
    if len(content) < 3 or content[-1] != problem_line - 1:
        return None
    before, prev, problem = (lines[i] for i in content[-3:])
    prev_indent = len(prev) - len(prev.lstrip(" "))
    problem_indent = len(problem) - len(problem.lstrip(" "))
    if prev.lstrip().startswith("- ") or not re.match(r"\s*[\w-]+: \S", prev):
        return None
    if prev_indent < problem_indent == _key_column(before):
        return content[-2] + 1
    return None


# What the parser's messages usually mean in a hand-edited data file.
_HINTS = (
    ("mapping values are not allowed", "a value holding ': ' must be quoted, or the line is indented "
     "under a value instead of beside its key"),
    ("expected <block end>", "the indentation of this line does not match the lines above it: "
     "the keys of one entry, and the items of one list, start in the same column"),
    ("did not find expected key", "the indentation of this line does not match the lines above it: "
     "the keys of one entry, and the items of one list, start in the same column"),
    ("did not find expected '-' indicator", "a list item here is indented differently from the items "
     "above it"),
    ("found character '\\t'", "YAML indents with spaces, not tabs"),
)  # fmt: skip


def _hint(what: str) -> str:
    """A plain-words reading of a PyYAML message (``_HINTS``), as "; probably ...", or ""."""
    for needle, hint in _HINTS:
        if needle in what:
            return f"; probably {hint}"
    return ""


def _dedented_item(text: str, line: int) -> bool:
    """Whether ``line`` (1-based) is a list item ("- ...") indented less than the next line
    with content (a caveat moved left of the items below it)."""
    lines = text.splitlines()
    start = lines[line - 1]
    after = next((t for t in lines[line:] if t.strip() and not t.lstrip().startswith("#")), "")
    indent = len(start) - len(start.lstrip(" "))
    return start.lstrip(" ").startswith("- ") and indent < len(after) - len(after.lstrip(" "))


def _runaway_value_line(text: str, problem_line: int) -> tuple[int | None, bool]:
    """The first line (1-based) of a value that spans several lines and ends on
    ``problem_line``, and whether it is quoted; (None, False) when there is none. A quoted one
    is the usual trace of a missing closing quote; an unquoted one of a line indented less than
    its neighbours (a caveat moved to column 0 starts a value that swallows the lines below it,
    and the parser notices only at the next key: "mapping values are not allowed here" lines
    later)."""
    found: tuple[int | None, bool] = (None, False)
    with contextlib.suppress(yaml.YAMLError):
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.line + 1 > problem_line:
                break
            if (
                isinstance(token, yaml.ScalarToken)
                and token.start_mark.line != token.end_mark.line
                and token.end_mark.line + 1 == problem_line
            ):
                found = (token.start_mark.line + 1, token.style in ('"', "'"))
    return found
