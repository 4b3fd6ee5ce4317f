"""Splitting a post into sentences and clauses, with offsets into the original text.

A post is matched one unit at a time, so "200 women" in the VO2 max sentence is never checked
against the knee-pain claim in the next one. Units are sentences (split after ``.``, ``!``, ``?``,
``…``, line breaks and bullet marks) and, inside a sentence, clauses joined by ``;`` or by a
contrast ("but", "however", "whereas") that usually starts a new assertion. Abbreviations,
decimals ("2.5 mph") and initials do not end a sentence.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

ABBREVIATIONS = frozenset(
    "e.g i.e etc vs dr mr mrs ms prof st fig al approx no vol ca cf jr sr min max sec hr km".split()
)
# Where a sentence may end: terminal punctuation (with closing quotes/brackets) then space, or
# a line break, or a bullet/emoji-style separator.
_END = re.compile(r"(?:[.!?…]+[\"'”’)\]]*)(?=\s+|$)|\n+|\s[•·|]\s|\s[-–—]{1,2}\s(?=[A-Z])")
_CLAUSE = re.compile(r";\s+|,?\s+(?:but|however|whereas|although)\s+", re.IGNORECASE)
MIN_CLAUSE_WORDS = 4  # a shorter piece stays with its sentence ("but why?")


@dataclass(frozen=True)
class Unit:
    """One sentence or clause: ``text[start:end]`` of the post; ``sentence`` numbers the sentence."""

    start: int
    end: int
    text: str
    sentence: int


def _is_abbreviation(text: str, end: int) -> bool:
    """True when the ``.`` at ``text[end - 1]`` closes an abbreviation or an initial, not a sentence."""
    # Only the characters just before the full stop: searching text[:end] made every sentence end
    # scan the post from its start (a 10,000-character post: 3 s of its 6 s of CPU). A run of
    # letters longer than the window is no abbreviation either way.
    before = re.search(r"([A-Za-z][A-Za-z.]*)\.$", text[max(0, end - 64) : end])
    if not before:
        return False
    word = before.group(1).lower().rstrip(".")
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, without surrounding space; empty pieces dropped."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        if m.group().startswith(".") and _is_abbreviation(text, m.start() + 1):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and (text[e - 1].isspace() or text[e - 1] in "•·|–—"):
            e -= 1
        if any(ch.isalnum() for ch in text[s:e]):
            out.append((s, e))
    return out


def _words(piece: str) -> int:
    return len(re.findall(r"\w+", piece))


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one sentence at ``;`` and contrast words when both sides are long enough."""
    cuts = [start]
    for m in _CLAUSE.finditer(text, start, end):
        if (
            _words(text[cuts[-1] : m.start()]) >= MIN_CLAUSE_WORDS
            and _words(text[m.end() : end]) >= MIN_CLAUSE_WORDS
        ):
            cuts.append(m.start())
    cuts.append(end)
    out = []
    for s, e in itertools.pairwise(cuts):
        while s < e and (text[s].isspace() or text[s] in ",;"):
            s += 1
        if s < e:
            out.append((s, e))
    return out


def split(text: str) -> list[Unit]:
    """The matching units of a post, in order."""
    units = []
    for n, (s, e) in enumerate(sentences(text)):
        for cs, ce in clauses(text, s, e):
            units.append(Unit(cs, ce, text[cs:ce], n))
    return units
