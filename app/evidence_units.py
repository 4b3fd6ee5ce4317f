"""Evidence units: the links of one outcome grouped so that no participant is counted twice.

A unit is a set of evidence links that report (partly) the same people:

- a review and the studies it includes (``includes`` in studies.bib) linked to the same outcome;
- reviews whose included studies overlap (they pool some of the same trials);
- a report and its probable duplicate publications (``duplicateof``).

The unit's *lead* is the link that speaks for it: the review with the most participants pooled for
the outcome, else the main report. Its participants are the largest number any review in it
pooled for this outcome (``estimate.analysed``: never a review's whole total); without one, the
sum over its primary studies, each duplicate group counted once (its largest number). ``favours``
reads which way one link's result points. Plain functions over ``grading.GradedStudy``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.grading import COMPARATIVE, NULL_VALUE, REVIEW_DESIGNS, GradedStudy
from app.vocab import BetterDirection, Stance

#: What a recorded stance says about the direction of a result without an estimate.
_STANCE_SIDE: dict[str, str] = {
    Stance.SUPPORTS: "benefit",
    Stance.NO_EFFECT: "none",
    Stance.CONTRADICTS: "harm",
    Stance.MIXED: "mixed",
}


@dataclass(frozen=True)
class Unit:
    lead: GradedStudy
    members: tuple[GradedStudy, ...]  # lead first
    participants: int | None

    @property
    def key(self) -> str:
        return self.lead.key

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(m.key for m in self.members)


@dataclass(frozen=True)
class Count:
    """What a body of evidence counts: every count a page or the API shows comes from ``count``."""

    studies: int  # distinct studies (evidence links' keys)
    participants: int  # known participants, counted once (each unit's ``participants``)
    unknown: int  # units without a known number of participants


def count(units: Sequence[Unit]) -> Count:
    """Studies, participants counted once and units without a reported size, over ``units``."""
    return Count(
        studies=len({key for unit in units for key in unit.keys}),
        participants=sum(unit.participants or 0 for unit in units),
        unknown=sum(1 for unit in units if unit.participants is None),
    )


def shown_participants(participants: int, unknown: int) -> int | None:
    """The participants a document (API, downloads) gives: ``None`` (unknown) when no unit of the
    body reported a size, never 0 beside sizes that exist but were not reported; 0 only for
    sources without participants of their own (web pages, expert opinion)."""
    return None if participants == 0 and unknown else participants


def primary_size(link: GradedStudy) -> int | None:
    """Participants of one primary study for this outcome: analysed, else sample size, else enrolled."""
    if link.effect and link.effect.analysed:
        return link.effect.analysed
    return link.sample_size if link.sample_size is not None else link.enrolled


class _Groups:
    """Union-find over link keys."""

    def __init__(self, keys: Sequence[str]):
        self.parent = {k: k for k in keys}

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def join(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def group_units(links: Sequence[GradedStudy]) -> list[Unit]:
    """Group one outcome's links into units, in the order their first link appears."""
    by_key = {link.key: link for link in links}
    groups = _Groups(list(by_key))
    reviews = [link for link in links if link.design in REVIEW_DESIGNS]
    for link in links:
        if link.duplicate_of in by_key:
            groups.join(link.key, link.duplicate_of)
    for review in reviews:
        for key in review.includes:
            if key in by_key:
                groups.join(key, review.key)
    for i, first in enumerate(reviews):
        for second in reviews[i + 1 :]:
            if set(first.includes) & set(second.includes):
                groups.join(first.key, second.key)
    members: dict[str, list[GradedStudy]] = {}
    for link in links:
        members.setdefault(groups.find(link.key), []).append(link)
    return [_unit(group) for group in members.values()]


def _unit(group: list[GradedStudy]) -> Unit:
    reviews = [m for m in group if m.design in REVIEW_DESIGNS]
    pooled = [m.effect.analysed for m in reviews if m.effect and m.effect.analysed]
    if reviews:
        lead = max(reviews, key=lambda m: (m.effect.analysed or 0) if m.effect else 0)
    else:
        lead = next(
            (m for m in group if not m.duplicate_of or m.duplicate_of not in {g.key for g in group}), group[0]
        )
    if pooled:
        participants: int | None = max(pooled)
    else:
        participants = _primary_total([m for m in group if m.design not in REVIEW_DESIGNS])
    ordered = (lead, *(m for m in group if m is not lead))
    return Unit(lead, ordered, participants)


def _primary_total(primaries: list[GradedStudy]) -> int | None:
    """Sum over primary studies, a duplicate publication counted with its main report (largest n)."""
    main: dict[str, int | None] = {}
    keys = {p.key for p in primaries}
    for p in primaries:
        root = p.duplicate_of if p.duplicate_of in keys else p.key
        n = primary_size(p)
        current = main.get(root)
        main[root] = n if current is None else max(current, n or 0)
    known = [n for n in main.values() if n is not None]
    return sum(known) if known else None


def favours(link: GradedStudy) -> str | None:
    """Which way one link's result points for this outcome.

    'benefit' (the 95% interval excludes no effect on the side the claim expects, or no interval
    and the estimate on that side), 'harm' (it excludes no effect on the other side), 'none' (the
    interval includes no effect and the estimate sits at or beyond it on the other side),
    'unclear' (the interval includes no effect but the estimate leans the claim's way). Without
    a comparative estimate, the link's recorded stance: supports -> benefit, no-effect -> none,
    contradicts -> harm, mixed -> mixed. The claim's side is ``better`` on the scale, or the
    stance's reading of the estimate when the scale's direction is not recorded.
    """
    effect = link.effect
    if effect is None or effect.comparison not in COMPARATIVE:
        return _STANCE_SIDE.get(link.stance)
    null = NULL_VALUE[effect.measure]
    if effect.better is not None:
        good_is_low = effect.better == BetterDirection.LOWER
    else:  # the stance says whether the estimate's side is the claim's side
        good_is_low = (effect.value < null) == (link.stance == Stance.SUPPORTS)
    on_good_side = effect.value < null if good_is_low else effect.value > null
    if effect.ci is None:
        return "benefit" if on_good_side else "none"
    low, high = effect.ci
    if low <= null <= high:
        return "unclear" if on_good_side and effect.value != null else "none"
    return "benefit" if on_good_side else "harm"
