"""Typed figures: what a number in a post measures, and the claim's figures of the same quantity.

Every figure gets a *quantity* (one of ``QUANTITIES``) and a value in that quantity's unit:

================  =========================================================  ===============
quantity          post examples                                              unit
================  =========================================================  ===============
percent-change    "40% more calories", "double", "twice", "6 times more",    percent change
                  "2-fold", "a third less", "100 steps backward = 1,000      (+100 = double)
                  forward", "el doble", "deux fois plus", "doppelt so viel"
percent-of-max    "60% of your VO2 max"                                      percent
incline           "12 percent incline", "a 5% grade"                         percent grade
sample-size       "200 women", "27 people"                                   participants
speed             "2.5 mph", "4 km/h", "1 m/s"                               mph
duration-session  "5-10 minutes", "half an hour"                             minutes
duration-program  "6 weeks", "21 days", "3 months"                           days
body-weights      "4.5 times body weight"                                    body weights
================  =========================================================  ===============

A post's figure is compared only with the claim's figures of the same quantity whose measure
shares an outcome with the words around the number; one with no counterpart is *unverified*
(reported, not flagged). Sources of the claim figures: ``evidence[].figures`` in data/claims.yaml
and the studies' sample sizes.

The claim's figures have one more quantity, ``intensity-difference``: a difference on a
percent-of-maximum scale ("17-20% higher percent of VO2max and of maximum heart rate", Hooper
2004), which the abstract does not say is percentage points or a relative rise (review-2026-11,
section 2). It is not a change in calories, so a post's "40% more calories" is not held to it as
if it were; but it bounds a relative change of effort under either reading: as a relative rise it
is +d%, as points it is d / F where F, the forward effort, is at least ``EFFORT_FLOOR`` percent of
maximum (resting heart rate is about a third of maximum: a general physiological fact, not a
study's result). A post's change of energy or effort ("double", "6 times", "100 steps = 1,000")
outside [d, 100 d / ``EFFORT_FLOOR``] contradicts it; "40% more" does not.

A post that gives a study's body-fat figure as a change in body weight ("lost 2.4% of their body
weight" against a 2.4% fall in percentage body fat) states a figure of another measure: when its
value matches, it is flagged (``misattributed``); when it does not, it is unverified.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

QUANTITIES = (
    "percent-change",
    "intensity-difference",
    "percent-of-max",
    "incline",
    "sample-size",
    "speed",
    "duration-session",
    "duration-program",
    "body-weights",
)
TOLERANCE = 0.05  # relative; plus an absolute slack of 0.15 for rounding ("3.4" vs "3.45")
EFFORT_FLOOR = 30.0  # percent of maximum below which walking forward cannot be (module doc)

_NUM = r"\d+(?:[.,]\d{3})*(?:[.,]\d+)?"
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100, "a hundred": 100, "dozen": 12, "a dozen": 12,
}  # fmt: skip
# Small numbers in the other languages read through concepts (multipliers only: "tres veces más").
FOREIGN_NUMBER_WORDS = {
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "diez": 10,  # es
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "dix": 10,  # fr
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "zehn": 10,  # de
    "duas": 2, "dois": 2, "três": 3, "quatro": 4, "dez": 10,  # pt
    "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6, "dieci": 10,  # it
    "twee": 2, "drie": 3, "vijf": 5, "zes": 6, "tien": 10,  # nl
}  # fmt: skip
_WORDNUM = "|".join(sorted(map(re.escape, NUMBER_WORDS), key=len, reverse=True))
_FOREIGN = "|".join(sorted(map(re.escape, FOREIGN_NUMBER_WORDS), key=len, reverse=True))
_VALUE = rf"(?P<num>{_NUM}|{_WORDNUM})(?:\s*(?:-|–|to)\s*(?P<num2>{_NUM}|{_WORDNUM}))?"
_PARTICIPANTS = (
    r"people|participants|subjects|volunteers|persons|adults|women|men|patients|runners|students|"
    r"athletes|individuals|joggers|girls|boys|seniors|older adults|children|kids"
)
_CHANGE_UP = (
    r"more|higher|greater|extra|increase[sd]?|boost(?:s|ed)?|rais(?:es|ed)|improve[sd]?|up|faster|bigger|"
    r"m[aá]s|plus|mehr|h[öo]her|mais|pi[uù]|meer|hoger|a mais|de m[aá]s"
)
_CHANGE_DOWN = (
    r"less|lower|fewer|reduc(?:es|ed|tion)|decrease[sd]?|drops?|cuts?|down|smaller|los[et]|losing|shed|"
    r"menos|moins|weniger|meno|minder|perd\w*|verlor\w*|verlier\w*"
)
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ratio", re.compile(
        rf"(?<![\w.,])(?P<num>{_NUM}|{_WORDNUM}|an?)\s+(?:steps?\s+)?(?:of\s+)?(?:backwards?|in reverse|reverse|retro)[^.=\d]{{0,40}}?"
        rf"(?:=|equals?|equal to|(?:is|are) (?:worth|like|the same as|equal to|equivalent to)|count as|"
        rf"more work than|than)\D{{0,25}}?(?P<num2>{_NUM}|{_WORDNUM})\s+(?:steps?|forward|normal)",
        re.IGNORECASE)),
    ("percent", re.compile(rf"{_VALUE}\s*(?:%|per ?cent|pct)", re.IGNORECASE)),
    ("speed", re.compile(rf"{_VALUE}\s*(?P<unit>mph|miles? (?:per|an) hour|km/h|kph|kmh|m/s)(?![a-z])", re.IGNORECASE)),
    ("duration", re.compile(rf"{_VALUE}[\s-]*(?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?)(?![a-z])", re.IGNORECASE)),
    ("sample-size", re.compile(
        rf"{_VALUE}\s+(?:(?:healthy|young|older|female|male|fit|untrained|trained|college|recreational)\s+)*(?:{_PARTICIPANTS})\b",
        re.IGNORECASE)),
    ("body-weights", re.compile(rf"{_VALUE}\s*(?:x|times)\s+(?:your\s+|the\s+)?body\s*weights?", re.IGNORECASE)),
    ("multiplier", re.compile(
        rf"\b(?:(?P<word>double[sd]?|twice|triple[sd]?|tripling|doubling|quadruple[sd]?|"
        rf"doble|triple|doppelte?[nm]?|verdoppel\w*|dreifache?[nm]?|dobro|triplo|doppio|dubbele?|"
        rf"tweemaal|zweimal)(?![- ]?(?:blind|ciego|aveugle|cego|cieco|check|down|digits?|team|edged)\b)|"
        rf"(?P<num>{_NUM}|{_WORDNUM}|{_FOREIGN})(?:\s*-?\s*fold|\s*(?:x|times)\s+(?:(?:as\s+)?(?:much|many)|"
        rf"more|higher|greater|the|as)|\s*-?\s*(?:veces|fois|mal|vezes|volte|keer)\s+(?:m[aá]s|plus|so|mehr|"
        rf"h[öo]her|mais|pi[uù]|di pi[uù]|tanto|zoveel|meer))|"
        rf"(?P<frac>a third|one third|a quarter|a fifth|half)\s+(?P<dir>more|less|fewer|higher|lower))\b",
        re.IGNORECASE)),
]  # fmt: skip
_WORD_FACTORS: dict[str, float] = {
    "doubl": 2, "twice": 2, "tripl": 3, "quadrupl": 4, "dobl": 2, "dopp": 2, "verdopp": 2, "dobr": 2,
    "dubb": 2, "tweem": 2, "zweim": 2, "dreif": 3,
}  # by prefix: doubles, tripling, doppelte, dobro  # fmt: skip
_FRACTIONS = {"a third": 1 / 3, "one third": 1 / 3, "a quarter": 0.25, "a fifth": 0.2, "half": 0.5}


@dataclass(frozen=True)
class Figure:
    """A typed figure in a post: ``text[start:end]`` says ``value`` (to ``high``) of ``quantity``."""

    quantity: str
    value: float
    high: float | None
    start: int
    end: int
    text: str


def _number(raw: str) -> float:
    raw = raw.lower()
    if raw in NUMBER_WORDS:
        return float(NUMBER_WORDS[raw])
    if raw in FOREIGN_NUMBER_WORDS:
        return float(FOREIGN_NUMBER_WORDS[raw])
    if raw in ("a", "an"):  # "a step backwards is equal to 6 steps forward"
        return 1.0
    return (
        float(raw.replace(",", ""))
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+", raw)
        else float(raw.replace(",", "."))
    )


def _values(m: re.Match[str]) -> tuple[float, float | None]:
    value = _number(m.group("num"))
    high = _number(m.group("num2")) if m.groupdict().get("num2") else None
    return value, high


def _percent_quantity(text: str, start: int, end: int) -> str | None:
    after, before = text[end : end + 40].lower(), text[max(0, start - 30) : start].lower()
    if re.match(r"\s*(?:incline|grade|gradient|slope|uphill)", after) or re.search(
        r"(?:incline|grade|gradient|slope)\s*(?:of|at|to)?\s*$", before
    ):
        return "incline"
    if re.match(
        r"\s*of\s+(?:your\s+|their\s+|the\s+)?(?:max|maximum|vo2|v02|peak|heart|forward|aerobic)", after
    ):
        return "percent-of-max"
    if re.match(rf"\s*(?:\w+\s+){{0,2}}(?:{_CHANGE_UP}|{_CHANGE_DOWN})\b", after) or re.search(
        rf"\b(?:{_CHANGE_UP}|{_CHANGE_DOWN}|by)\s*(?:of\s+|by\s+)?(?:up to\s+|about\s+|around\s+)?$", before
    ):
        return "percent-change"
    return None


def post_figures(text: str) -> list[Figure]:
    """The typed figures of a post (or one unit of it), in order; overlapping matches keep the first
    pattern of ``_PATTERNS`` (a ratio before its numbers, a percent before a bare multiplier)."""
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            figure = _figure(kind, m, text)
            if figure is not None:
                found.append(figure)
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def _figure(kind: str, m: re.Match[str], text: str) -> Figure | None:
    span = (m.start(), m.end(), m.group())
    if kind == "ratio":
        low, high = _values(m)
        return Figure("percent-change", ((high or low) / low - 1) * 100 if low else 0.0, None, *span)
    if kind == "multiplier":
        return Figure("percent-change", _multiplier_change(m), None, *span)
    value, high = _values(m)
    if kind == "percent":
        quantity = _percent_quantity(text, m.start(), m.end())
        if quantity is None:
            return None
        down = rf"\b(?:{_CHANGE_DOWN})\b"
        if quantity == "percent-change" and (
            re.search(down, text[m.end() : m.end() + 30], re.I)
            or re.search(down + r"\W*(?:\w+\W+)?$", text[max(0, m.start() - 20) : m.start()], re.I)
        ):
            value, high = -value, (-high if high is not None else None)
        return Figure(quantity, value, high, *span)
    if kind in ("speed", "duration"):
        quantity, factor = _unit_quantity(kind, m.group("unit").lower())
        return Figure(quantity, value * factor, high * factor if high else None, *span)
    return Figure(kind, value, high, *span)


def _multiplier_change(m: re.Match[str]) -> float:
    """The percent change a multiplier says: "double" +100, "6 times more" +500, "a third less" -33.3."""
    if m.group("word"):
        word = m.group("word").lower()
        return (next(f for prefix, f in _WORD_FACTORS.items() if word.startswith(prefix)) - 1) * 100
    if m.group("frac"):
        share = _FRACTIONS[m.group("frac").lower()] * 100
        return -share if m.group("dir").lower() in ("less", "fewer", "lower") else share
    return (_number(m.group("num")) - 1) * 100


def _unit_quantity(kind: str, unit: str) -> tuple[str, float]:
    """(quantity, factor to its unit) of a speed or duration as written in a post."""
    if kind == "speed":
        return "speed", 0.621371 if unit in ("km/h", "kph", "kmh") else 2.23694 if unit == "m/s" else 1.0
    if unit.startswith(("min", "h")):
        return "duration-session", 60.0 if unit.startswith("h") else 1.0
    return "duration-program", 7.0 if unit.startswith("w") else 30.0 if unit.startswith("mo") else 1.0


# --- the claim's figures -----------------------------------------------------------------------------

_UNIT_QUANTITY = {
    "mph": ("speed", 1.0), "km/h": ("speed", 0.621371), "m/s": ("speed", 2.23694),
    "minutes": ("duration-session", 1.0), "hours": ("duration-session", 60.0),
    "days": ("duration-program", 1.0), "weeks": ("duration-program", 7.0), "months": ("duration-program", 30.0),
    "participants": ("sample-size", 1.0), "body-weights": ("body-weights", 1.0),
}  # fmt: skip


def evidence_quantity(fig: dict[str, Any]) -> tuple[str, float] | None:
    """(quantity, factor to the quantity's unit) of one ``evidence[].figures`` entry, or None when
    posts never state its kind (SMD, points, N m...)."""
    unit = str(fig.get("unit", ""))
    if unit in _UNIT_QUANTITY:
        return _UNIT_QUANTITY[unit]
    if unit != "percent":
        return None
    words = f"{fig.get('measure', '')} {fig.get('comparison', '')}".lower()
    if re.search(r"grade|incline|slope", str(fig.get("measure", "")).lower()):
        return ("incline", 1.0)
    if re.search(r"percent of (?:vo2\s?max|maximum|max)", words) and re.search(
        r"extra|higher|lower|more", words
    ):
        return ("intensity-difference", 1.0)
    if re.search(r"change|extra|increase|reduction|higher|lower|difference|more|less|improv", words):
        return ("percent-change", 1.0)
    if re.search(r"intensity|^of |of forward|of maximum|of max", words):
        return ("percent-of-max", 1.0)
    return None


def within(low: float, high: float | None, fig_low: float, fig_high: float, quantity: str = "") -> bool:
    """True when the post's value (or range) lies inside the figure's range, with the tolerance.
    An ``intensity-difference`` figure admits relative changes from its low end to its high end
    read as points over the least forward effort (module doc)."""
    lo, hi = min(fig_low, fig_high), max(fig_low, fig_high)
    if quantity == "intensity-difference":
        hi = hi * 100 / EFFORT_FLOOR
    slack = max(TOLERANCE * max(abs(lo), abs(hi)), 0.15)
    p_lo, p_hi = sorted((low, high if high is not None else low))
    return p_lo >= lo - slack and p_hi <= hi + slack


ENERGY = "energy-cost"  # the concept a change of effort must be about to meet an intensity difference
_FAT = re.compile(r"\bfat\b|grasa|gordura|graisse|fett|grasso|\bvet\b", re.IGNORECASE)
_WEIGHT = re.compile(r"\bweight\b|\bpeso\b|poids|gewicht", re.IGNORECASE)


def comparable(
    figure: Figure, claim_figures: Iterable[dict[str, Any]], near: set[str]
) -> list[dict[str, Any]]:
    """The claim's figures of ``figure``'s quantity about what the words ``near`` the number are
    about (their measure shares a feature with them); all of that quantity when the measure names
    no outcome, as for sample sizes. A change of energy or effort also meets the claim's intensity
    differences (module doc)."""
    out = []
    for f in claim_figures:
        if f["measure_features"] and not f["measure_features"] & near:
            continue
        if f["quantity"] == figure.quantity or (
            f["quantity"] == "intensity-difference" and figure.quantity == "percent-change" and ENERGY in near
        ):
            out.append(f)
    return out


def misattributed(words: str, claim_figure: dict[str, Any]) -> bool:
    """The post gives ``claim_figure``, a body-fat figure, as a change in body weight (or the
    reverse): ``words`` around the number name the other measure only."""
    measure = str(claim_figure.get("measure", ""))
    for said, other in ((_WEIGHT, _FAT), (_FAT, _WEIGHT)):
        if (
            said.search(words)
            and not other.search(words)
            and other.search(measure)
            and not said.search(measure)
        ):
            return True
    return False
