"""A problem found in the data files: where it is and what is wrong."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


def closest(name: str, candidates: Iterable[str], cutoff: float = 0.8) -> str | None:
    """The candidate most like ``name`` (difflib's ratio at least ``cutoff``), or None.

    The one spelling-suggestion rule for data problems and API errors: 'samplesise' ->
    'samplesize'. Candidates are compared in sorted order so ties resolve the same way every run.
    """
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(name: str, candidates: Iterable[str], cutoff: float = 0.8) -> str:
    """ " (did you mean 'x'?)" for the closest candidate, or "" when none is close enough."""
    close = closest(name, candidates, cutoff)
    return f" (did you mean '{close}'?)" if close else ""


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line or 0, self.message)


class ProblemsMixin:
    """``errors`` and ``warnings`` of a result that holds ``problems`` (the one severity filter
    for the loader's and the incremental build's results)."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class DataError(Exception):
    """Raised when the data files have errors; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the data files")
