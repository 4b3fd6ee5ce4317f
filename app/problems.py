"""A problem found in the data files: where it is and what is wrong; and the words for a name
that is not known (a misspelt field, an unknown topic), shared by the API and the command line."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Sequence
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


def near_key(name: str, keys: Iterable[str], cutoff: float = 0.8) -> str | None:
    """The study key or claim id ``name`` most likely meant, or None: one equal to it but for case
    ('Terblanche2005effect' -> 'terblanche2005effect'); else the only one that starts with it,
    case aside (an author-year key without its title word: 'Terblanche2005' ->
    'terblanche2005effect'); else ``closest`` with case ignored. Ties resolve to the first key in
    sorted order, so every run says the same."""
    folded: dict[str, str] = {}
    for key in sorted(keys):
        folded.setdefault(key.casefold(), key)
    want = name.casefold()
    if want in folded:
        return folded[want]
    starting = [key for f, key in folded.items() if want and f.startswith(want)]
    if len(starting) == 1:
        return starting[0]
    close = closest(want, folded, cutoff)
    return folded[close] if close else None


def did_you_mean_key(name: str, keys: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" for ``near_key``, or ""."""
    near = near_key(name, keys)
    return f" (did you mean '{near}'?)" if near else ""


#: Up to this many topics, an unknown topic's message lists them all; beyond, the closest ones.
TOPICS_LISTED = 30


class UnknownTopics(LookupError):
    """Topics that no claim of the build has: "No topic 'knee-pain-x'; the topics are 'balance',
    ... or 'stroke'." ``unknown``: (position among the topics asked for, topic)."""

    def __init__(self, unknown: list[tuple[int, str]], allowed: str):
        self.unknown = unknown
        self.allowed = allowed
        names = ", ".join(f"'{t}'" for _, t in unknown)
        super().__init__(f"No topic {names}; {allowed}.")

    def each(self) -> list[tuple[int, str]]:
        """(position, message) for each unknown topic on its own."""
        return [(i, f"No topic '{t}'; {self.allowed}.") for i, t in self.unknown]


def unknown_topics(topics: Sequence[str], known: Collection[str]) -> UnknownTopics | None:
    """The topics of ``topics`` not in ``known`` (the build's), with what is allowed: every topic
    when there are at most ``TOPICS_LISTED``, else their number and the closest few; None when
    all are known. The one wording of the API's 404 ``topic-not-found`` (``http.unknown_topics``)
    and of ``evidence-kb export --topic``."""
    unknown = [(i, t) for i, t in enumerate(topics) if t not in known]
    if not unknown:
        return None
    shown = sorted(known)
    if not shown:
        allowed = "this knowledge base has no topics"
    elif len(shown) <= TOPICS_LISTED:
        listed = ", ".join(f"'{t}'" for t in shown[:-1]) + (
            f" or '{shown[-1]}'" if len(shown) > 1 else f"'{shown[0]}'"
        )
        allowed = f"the topics are {listed}"
    else:
        near = difflib.get_close_matches(unknown[0][1], shown, n=5, cutoff=0.5)
        allowed = f"there are {len(shown):,} topics (the facets of /api/v1/claims list them)"
        if near:
            allowed += ", the closest " + ", ".join(f"'{t}'" for t in near)
    return UnknownTopics(unknown, allowed)


@dataclass(frozen=True)
class Problem:
    """``path``: the file; ``line``: 1-based, or None for the whole file; ``cause``: set where the
    problem is made when others may follow from it (a key, claim id, concept id, ``@string`` or
    BibTeX field given twice: the first is kept), so it is listed first (``sort_key``)."""

    path: str
    line: int | None
    message: str
    severity: Severity = "error"
    cause: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"

    def sort_key(self) -> tuple[bool, str, int, str]:
        """The order problems are listed in: the duplicates first (a key, claim id, concept id or
        BibTeX field given twice: the first is kept, so the errors of the entry meant by the second follow
        from it: "cited by a claim but has no design", a claim's verdict out of step with its
        grade), then by file, line and message."""
        return (not self.cause, self.path, self.line or 0, self.message)


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
