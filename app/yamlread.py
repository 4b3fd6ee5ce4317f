"""YAML with line numbers: a safe loader whose mappings and lists remember where each key and
item was written, so every problem in ``claims.yaml`` or ``concepts.yaml`` names its line.

``read_yaml(path, problems)`` returns the document (``LineDict`` / ``LineList`` nodes) or None,
appending a ``Problem`` for unreadable files, syntax errors and duplicate keys; it never raises on
bad data. ``line_for(document, loc)`` maps a pydantic error location to a line.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import yaml

from app.problems import Problem


class LineDict(dict):
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list):
    """A sequence that remembers the line of each item (1-based), scalars included."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records key lines and duplicate keys, and leaves dates as strings.

    Dates stay strings so that pydantic validates them with a message and a line: PyYAML's own
    timestamp constructor raises a bare ``ValueError`` (a traceback) on ``2026-13-01``.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[int, str, int]] = []  # (line, key, line of the first)


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in result:
            # Keep the first value and go on, so every other problem in the file is reported too.
            loader.duplicates.append((line, str(key), result.key_lines[key]))
            continue
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


class _FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same loader on libyaml's C parser (when PyYAML has it): 3x faster on a large file.

    libyaml words its errors differently, so ``read_yaml`` re-reads a file it rejects with
    ``_LineLoader`` to report the documented message.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[int, str, int]] = []


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
            document, duplicates = _parse_yaml(text, _FastLineLoader)
        except yaml.YAMLError:  # a broken file: the pure-Python parser's message and line
            document, duplicates = _parse_yaml(text, _LineLoader)
    except yaml.MarkedYAMLError as exc:
        problems.append(_yaml_error(path, exc))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(str(path), None, f"YAML error: {exc}"))
        return None
    for line, key, first in duplicates:
        problems.append(
            Problem(str(path), line, f"duplicate key '{key}' (first at line {first}; the first is kept)")
        )
    return document


#: A claims.yaml this large is parsed in a second process while this one reads the bibliography
#: (2 cores: loading 10,000 claims and 50,000 studies takes 13 s instead of 24 s).
PARALLEL_YAML_BYTES = 2_000_000


@gc_paused()
def _read_yaml_job(path: Path) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    return read_yaml(path, problems), problems


def start_reading_yaml(path: Path) -> Callable[[], tuple[Any, list[Problem]]]:
    """Start parsing ``path``: in another process when the file is large and a core is free.

    Returns the function that waits for (document, problems). The process is started with
    "spawn" (a clean interpreter: safe in a process with threads, such as a test run).
    """
    try:
        large = path.stat().st_size >= PARALLEL_YAML_BYTES
    except OSError:
        large = False
    # "spawn" re-imports the main script in the new process: not possible for `python - < script`.
    main_file = getattr(sys.modules["__main__"], "__file__", None)
    if large and (os.cpu_count() or 1) > 1 and (main_file is None or os.path.exists(main_file)):
        try:
            executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            future = executor.submit(_read_yaml_job, path)
            executor.shutdown(wait=False)  # the process ends when its one job is done
        except OSError:  # processes not allowed here: parse in this one
            return lambda: _read_yaml_job(path)

        def result() -> tuple[Any, list[Problem]]:
            try:
                return future.result()
            except BrokenProcessPool:  # the process died (killed, out of memory): parse here
                return _read_yaml_job(path)

        return result
    return lambda: _read_yaml_job(path)


def _parse_yaml(text: str, loader_class: type[yaml.SafeLoader]) -> tuple[Any, list[tuple[int, str, int]]]:
    loader = loader_class(text)
    try:
        return loader.get_single_data(), loader.duplicates  # type: ignore[attr-defined]
    finally:
        loader.dispose()


def _yaml_error(path: Path, exc: yaml.MarkedYAMLError) -> Problem:
    """A syntax error at the line where it was found, naming where the broken construct began.

    When the parser only notices at the end of the file (an unclosed quote or bracket), the
    line where the construct began is the useful one.
    """
    what = exc.problem or str(exc)
    problem_line = exc.problem_mark.line + 1 if exc.problem_mark else None
    context_line = exc.context_mark.line + 1 if exc.context_mark else None
    line = problem_line or context_line
    if exc.context and context_line:
        if "end of stream" in what or "<stream end>" in what:
            line = context_line
        if context_line != line:
            what += f" ({exc.context} that starts at line {context_line})"
        else:
            what += f" ({exc.context})"
    return Problem(str(path), line, f"YAML syntax error: {what}")
