"""Where a matched unit of a post outruns the evidence: each flag is computed from that unit only.

- ``figure-mismatch``: a typed figure of the unit disagrees with every figure of the same quantity
  and outcome in the claim's evidence (``figures``): no value it admits ("nearly 30%", "30-40%",
  "more than double": ``figures.reach``) lies inside any of them; or it gives a figure of another
  measure as its own (body fat as body weight); or it says a change goes the other way from the
  evidence's ("lowered VO2 max by 5.2%" where the study found a rise: ``OPPOSITE``; such a flag is
  how a post denies the claim, so it leaves ``denies-supported`` in place, ``exaggerations``). A
  design figure of a unit that names a study by year or first author ("a 2004 study of 200
  women") is held to that study's design only. A figure with no counterpart is listed in the
  match's ``unverified_figures`` instead, and so is one only partly inside ("more than 10%"
  against 17-20%); a change of training, a condition the studies compared ("increase mileage by
  no more than 10% per week" against a 20-60% exposure); a design figure (sample size, duration,
  speed, incline) in a unit that speaks of no study, or of a study of a year none of the claim's
  studies is from; one that only lies inside the bound an intensity difference sets ("40% more
  calories" against "17-20% higher percent of VO2max": not contradicted, not confirmed either,
  ``figures``); one that disagrees with an *advice* claim's figures (advice against advice is not
  a contradiction of the studies); and one that compares other conditions ("backward uphill
  doubles the effort of level walking" against figures measured at the same grade).
- ``population-mismatch``, ``activity-mismatch`` and ``overclaim``: only when the unit *asserts* the
  claim. ``activity-mismatch``: the unit names one gait of backward locomotion and the claim's
  subject the other ("walking backwards takes stress off the knees" for a claim about running
  backward; ``index.GAITS``).
- ``denies-supported``: the unit denies a claim the evidence supports.
- ``misdescribed-study``: the unit speaks of a study (or a trial, research...) and repeats a
  recorded misreading of it: it says (nearly) all the misreading says, in concepts, or most of it
  and one of the misreading's own figures ("a study found backward walking burns 20% more
  calories" repeats "20% more calories" of a study that reported no calories). Such a figure is
  never passed as consistent: it is named in the flag and listed in ``unverified_figures`` with a
  note, even where it lies inside a study figure's range; but a figure the study reports, said of
  its own measure ("2.4% more body fat"), is the study's, not the misreading's.

Figure and misreading flags apply when the unit asserts or reports the claim, not when it denies
or asks (a figure it questions is not one it passes on).

Each flag: ``code``, ``message``, ``post_says``, ``evidence_shows`` and the study or studies.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from app import grading
from app.factcheck.analyzer import Analyzer, ConceptDef, Features
from app.factcheck.figures import (
    CONDITIONS,
    SIGNED_QUANTITIES,
    Figure,
    bounds,
    comparable,
    misattributed,
    other_comparison,
    overlaps,
    post_figures,
    reach,
    within,
)
from app.factcheck.index import GAITS, ClaimProfile, Index
from app.factcheck.scoring import UnitFeatures
from app.factcheck.sentences import Unit
from app.factcheck.stance import Stance, negated
from app.vocab import FlagCode, PostStance

MISREADING_COVERAGE = 0.85  # share (by weight) of a misreading's concepts a unit must repeat
MISREADING_WITH_FIGURE = 0.5  # the same when the unit also repeats one of the misreading's figures
SUPPORTED = frozenset({"supported"})
NEAR_CHARS = 60  # words this close to a number say what it measures
RESULT_QUANTITIES = frozenset({"percent-change", "percent-of-max", "body-weights"})  # not the design
DESIGN_QUANTITIES = frozenset({"sample-size", "duration-session", "duration-program", "speed", "incline"})
# A unit that speaks of a study (in the languages read): its design figures describe one.
_STUDY = re.compile(
    r"stud(?:y|ies)|trials?\b|research\w*|experiment\w*|scientists|participants|subjects|volunteers|"
    r"reviews?\b|meta-?analy\w*|"
    r"estudios?|ensayo|investiga\w*|[ée]tudes?|essai|chercheurs|studien?|forscher\w*|studi[oi]|ricerca\w*|"
    r"estudos?|pesquisa\w*|onderzo\w*|исследован\w*|учен\w*",
    re.IGNORECASE,
)
#: how a figure-mismatch message names a change the other way from the evidence's (``exaggerations``)
OPPOSITE = {
    -1: "says a fall where the evidence shows a rise: ",
    1: "says a rise where the evidence shows a fall: ",
}
# a claim figure's measure that is a level in percent ("percent body fat"), not a share of something
_PERCENT_LEVEL = re.compile(r"percent(?:age)? (?!of\b)", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d/.-])(19[5-9]\d|20[0-4]\d)(?![\d/.-])")


def _fmt(value: float) -> str:
    return f"{value:g}"


def _figure_text(fig: dict[str, Any]) -> str:
    """What the evidence shows, as flags quote it: "17–20%", "5.2%"; a study's sample as its page
    says it ("27 participants (29 enrolled)": ``grading.sample_text``, the figure's ``shown``)."""
    if fig.get("shown"):
        return str(fig["shown"])
    value = fig["value"]
    shown = f"{_fmt(value[0])}–{_fmt(value[1])}" if isinstance(value, list | tuple) else _fmt(value)
    unit = {"percent": "%", "participants": " participants"}.get(fig["unit"], f" {fig['unit']}")
    return f"{shown}{unit}"


def _near(post: Features, uf: UnitFeatures, fig: Figure) -> set[str]:
    lo, hi = uf.unit.start + fig.start - NEAR_CHARS, uf.unit.start + fig.end + NEAR_CHARS
    near = {f for f, spans in uf.own.items() for i, _ in spans if lo <= post.tokens[i].start <= hi}
    return near | uf.carried


def _size(fig: Figure, claim_figure: dict[str, Any]) -> tuple[float, float]:
    """The claim figure's (low, high) as the post's figure is compared with it: a percent change
    by its size (the claim says which way: "lost 2.4%" is -2.4)."""
    low, high = claim_figure["low"], claim_figure["high"]
    return (abs(low), abs(high)) if fig.quantity in SIGNED_QUANTITIES else (low, high)


def _compared(fig: Figure) -> tuple[float, float | None]:
    """The post figure's (value, high) as compared: a percent change by its size (``_size``)."""
    if fig.quantity in SIGNED_QUANTITIES:
        return abs(fig.value), abs(fig.high) if fig.high is not None else None
    return fig.value, fig.high


def _other_conditions(uf: UnitFeatures, same: list[dict[str, Any]]) -> bool:
    """The unit sets walking uphill against figures measured at the same grade in both directions."""
    return "incline" in uf.own and all("same" in str(f.get("comparison", "")) for f in same)


def misread_figures(
    profile: ClaimProfile, uf: UnitFeatures, figures: list[Figure] | None = None
) -> list[tuple[Figure, dict[str, Any]]]:
    """The unit's figures that a recorded misreading of the claim's studies states, each with
    that misreading: same quantity, and a value inside the misreading's (with the tolerance). Only
    the misreading's own results count (``RESULT_QUANTITIES``), not the study's design it repeats
    ("6 weeks", "2.5 mph", "27 people") nor a result the studies report as such."""
    if not profile.misreadings:
        return []

    said = _misreading_results(profile)
    out = []
    for fig in post_figures(uf.unit.text) if figures is None else figures:
        found = next(
            (
                m
                for f, m in said
                if f.quantity == fig.quantity and within(fig.value, fig.high, f.value, f.high or f.value)
            ),
            None,
        )
        # the study's own figure, said of its own measure, is not the misreading's ("2.5% more body
        # fat" beside a misreading "2.5% of their body weight")
        if found is not None and not _studies_say(profile, fig, uf.unit.text):
            out.append((fig, found))
    return out


def _misreading_results(profile: ClaimProfile) -> list[tuple[Figure, dict[str, Any]]]:
    """The result figures the claim's recorded misreadings state (``RESULT_QUANTITIES``), each with
    its misreading, but those the studies report as such (``_studies_say``). Read once per profile
    and kept on it (``ClaimProfile.misreading_results``): a match asks up to three times."""
    if profile.misreading_results is None:
        profile.misreading_results = [
            (f, m)
            for m, _ in profile.misreadings
            for text in (m["claimed"], *m.get("phrasings", ()))
            for f in post_figures(text)
            if f.quantity in RESULT_QUANTITIES and not _studies_say(profile, f, text)
        ]
    return profile.misreading_results


def _studies_say(profile: ClaimProfile, fig: Figure, text: str) -> bool:
    """``fig`` (a figure of ``text``) is one the claim's studies report as such: a figure of the same
    quantity, measure and comparison (not body fat given as body weight, nor a change within one
    group given as a difference from walking forward) holds its value."""
    return any(
        c["quantity"] == fig.quantity
        and not _elsewhere(text, fig, c)
        and within(*_compared(fig), *_size(fig, c))
        for c in profile.figures
    )


def _elsewhere(text: str, fig: Figure, claim_figure: dict[str, Any]) -> str | None:
    """What ``fig`` (a figure of ``text``) gives ``claim_figure`` for when the words around it make it
    a figure of another measure (body fat said as body weight: ``figures.misattributed``) or of
    another comparison (a change within one group said as a difference from walking forward:
    ``figures.other_comparison``); None when neither."""
    if misattributed(text[max(0, fig.start - NEAR_CHARS) : fig.end + NEAR_CHARS], claim_figure):
        return "another measure"
    if other_comparison(text[fig.end :], claim_figure, text[: max(0, fig.start)]):
        return "another comparison (the study's is a change within one group)"
    return None


# The note of an unverified figure the evidence has no figure of the same kind to compare with (the
# one source of it: the API's ``unverified_figures``, and through it the CLI and the page)
NO_FIGURE = "no study figure of that kind"


def figure_checks(
    profile: ClaimProfile, post: Features, uf: UnitFeatures, figures: list[Figure] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(figure-mismatch flags, unverified figures) for the figures of one unit (module doc).
    ``figures``: the unit's ``post_figures`` when already read (once per unit, however many claims
    it makes)."""
    flags, unverified = [], []
    figures = post_figures(uf.unit.text) if figures is None else figures
    misread = {(f.start, f.end): m for f, m in misread_figures(profile, uf, figures)}
    for fig in figures:
        span = {"start": uf.unit.start + fig.start, "end": uf.unit.start + fig.end}
        flag, why = _check_figure(profile, post, uf, fig, misread.get((fig.start, fig.end)))
        if flag is not None:
            flags.append(flag | {"span": span})
        elif why is not None:
            unverified.append(
                {"post_says": fig.text, "quantity": fig.quantity, "span": span, "note": NO_FIGURE} | why
            )
    return flags, unverified


def _check_figure(  # noqa: C901 (one rule per kind of figure, in the order of docs/factcheck.md)
    profile: ClaimProfile, post: Features, uf: UnitFeatures, fig: Figure, known: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """One figure of a unit against the claim's figures: (a figure-mismatch flag, None), (None, what
    makes it unverified: a note and a study, or nothing), or (None, None) when the evidence holds it.
    ``known``: the recorded misreading that states it, if any (``misread_figures``)."""
    value, high = _compared(fig)  # the claim says which way; the size is compared
    candidates = comparable(fig, profile.figures, _near(post, uf, fig))
    # per candidate, what the words around the figure make it a figure of instead (None: the same)
    elsewhere = [(f, _elsewhere(uf.unit.text, fig, f)) for f in candidates]
    same = [f for f, why in elsewhere if why is None]
    swapped = [(f, why) for f, why in elsewhere if why is not None and within(value, high, *_size(fig, f))]
    if swapped and not same:
        return _mismatch(fig, swapped[0][0], f"gives this figure for {swapped[0][1]}: "), None
    if elsewhere and not same:  # only figures of another measure or comparison, of another value
        return None, _noted(f"the evidence's figure of this kind is of {elsewhere[0][1]}:", elsewhere[0][0])
    if known is not None:  # consistent or not, it is the misreading's figure (module doc)
        return None, {"note": f"the figure of a known misreading of {known['short']}: {known['actual']}",
                      "study": known["study"]}  # fmt: skip
    advice = profile.claim.get("kind") == "advice"
    if fig.quantity == "sample-size":  # a trial's count against trials', a review's against reviews'
        kept = pooled_sample(uf.unit.text, same)
        if same and not kept:
            return None, {"note": _not_the_studies(uf.unit.text, same, fig) or _other_sample(same)}
        same = kept
    # "for 6 weeks" where the claim's study ran 6 weeks: the study's design, said or not of a study
    # (a year named is held to that study below)
    if (
        fig.quantity in DESIGN_QUANTITIES
        and not advice
        and not _YEAR.search(uf.unit.text)
        and any(
            f["quantity"] == fig.quantity and within(value, high, *_size(fig, f))
            for f in _named(uf.unit.text, same) or same  # "Alghadir's trial": held to that study's
        )
    ):
        return None, None
    design = (
        fig.quantity in DESIGN_QUANTITIES
        and same
        and not advice
        and _not_the_studies(uf.unit.text, same, fig)
    )
    if design:
        return None, {"note": design}
    if fig.quantity in CONDITIONS and same:
        return None, _noted("a condition the studies compared, not a result: the evidence shows", same[0])
    if fig.quantity in DESIGN_QUANTITIES:  # "a 2004 study of 200 women": held to that study's design
        same = _named(uf.unit.text, same) or same
    if not same or (fig.quantity == "percent-change" and _other_conditions(uf, same)):
        return None, {}
    opposite = _opposite(fig, same)
    if opposite is not None:  # "lowered VO2 max by 5.2%", "20% fewer calories" where the studies found a rise
        return _mismatch(fig, opposite, OPPOSITE[fig.direction]), None
    # inside: the figure as stated ("nearly 30%": 30); a hedge only widens what is not contradicted
    inside = [f for f in same if within(value, high, *_size(fig, f), f["quantity"])]
    if any(f["quantity"] == fig.quantity for f in inside):
        return None, None
    if inside:  # only inside a bound of another quantity (an intensity difference): not verified
        return None, _noted("not contradicted, but not a like-for-like figure: the evidence shows", inside[0])
    low, top = reach(fig, value, high)  # widened by "nearly", "more than"... (figures.reach)
    partly = [f for f in same if overlaps(low, top, *_size(fig, f), f["quantity"])]
    if partly:  # a range or a hedged figure that reaches the evidence: not contradicted
        return None, _noted("only partly inside the evidence:", partly[0])
    if advice:
        return None, {"note": "differs from the claim's advice; advice is not a study result"}
    if fig.quantity in SIGNED_QUANTITIES and all(_PERCENT_LEVEL.match(str(f["measure"])) for f in same):
        # a change of a percentage ("% body fat decreased by 2.4%", Terblanche 2005): the study does
        # not say points or relative, so "body fat dropped by an average of 3 percent" is not
        # contradicted by it, nor confirmed
        return None, _noted("a change of a percentage, in points or relative (not said):", same[0])
    ends = [v for v in (low, top) if math.isfinite(v)]
    closest = min(same, key=lambda f: min(abs(b - v) for b in _size(fig, f) for v in ends))
    return _mismatch(fig, closest), None


def _opposite(fig: Figure, same: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The claim figure ``fig`` goes the other way from, when every one of ``same`` that has a
    direction goes the other way from it (a fall said where the studies found a rise), or None."""
    directed = [f for f in same if _direction(f)]
    if fig.direction and directed and all(_direction(f) == -fig.direction for f in directed):
        return directed[0]
    return None


def _direction(fig: dict[str, Any]) -> int:
    """Which way a claim figure of a change goes: a fall (a negative value: "-2.4" percent body
    fat), a rise (a positive change, a "higher" or "extra" figure), or 0 when it says no way (a
    "risk difference", a level)."""
    low, high = fig["low"], fig["high"]
    if fig["quantity"] not in (*SIGNED_QUANTITIES, "intensity-difference"):
        return 0
    if low < 0 and high < 0:
        return -1
    words = f"{fig.get('measure', '')} {fig.get('comparison', '')}".lower()
    if low > 0 and re.search(r"change|higher|extra|increase|more|improv|rise|gain", words):
        return 1
    return 0


def _named(text: str, same: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The figures in ``same`` of the study the unit names, by year or by first author ("a 2004
    study", "Hooper's study"): empty when it names none of them."""
    years = set(_YEAR.findall(text))

    def named(f: dict[str, Any]) -> bool:
        short = str(f.get("short", ""))
        author = short.split()[0] if short else ""
        return any(y in short for y in years) or (
            len(author) > 2 and re.search(rf"\b{re.escape(author)}\b", text, re.IGNORECASE) is not None
        )

    return [f for f in same if named(f)]


def exaggerations(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The figure flags that outrun the evidence in its own direction: not a change the other way
    (``OPPOSITE``), which is how a post denies the claim ("20% fewer calories"), not an
    exaggeration of it ("doesn't burn twice the calories")."""
    return [f for f in flags if not any(f["message"].startswith(f"The post {o}") for o in OPPOSITE.values())]


def denied_figures(
    profile: ClaimProfile, post: Features, uf: UnitFeatures, figures: list[Figure]
) -> list[dict[str, Any]]:
    """The figures the unit denies without denying the claim ("Walking backwards doesn't burn
    twice the calories": ``check.stance_and_span``), each held to the claim's figures as an
    asserted one would be (``_check_figure``): ``evidence_agrees`` True when the evidence does
    not support the figure either (the denial is right), False when it holds the figure, None
    when it has no figure of that kind; ``note`` says which, naming the evidence's figure."""
    out = []
    for fig in figures:
        span = {"start": uf.unit.start + fig.start, "end": uf.unit.start + fig.end}
        flag, why = _check_figure(profile, post, uf, fig, None)
        found: dict[str, Any] = {"post_says": fig.text, "quantity": fig.quantity, "span": span}
        if flag is not None:
            said = f"The post says {fig.text}; "
            why = flag["message"][len(said) :] if flag["message"].startswith(said) else flag["message"]
            found |= {"evidence_agrees": True, "study": flag["study"],
                      "note": f"The evidence does not support it either: {why.replace('the evidence shows', 'it shows', 1)}"}  # fmt: skip
        elif why is None:
            found |= {"evidence_agrees": False,
                      "note": "The evidence holds this figure, though."}  # fmt: skip
        else:
            found |= {"evidence_agrees": None, "study": why.get("study"),
                      "note": f"It is not checked against a study figure ({why.get('note') or NO_FIGURE})."}  # fmt: skip
        out.append({k: v for k, v in found.items() if v is not None or k == "evidence_agrees"})
    return out


def _source(fig: dict[str, Any], comparison: str = "") -> str:
    """The evidence figure ``fig`` with what it measures and its study: "17–20% (extra percent of
    VO2max ...; Hooper et al. 2004)"; a study's sample, which says what it counts, "27 participants
    (29 enrolled) in Hooper et al. 2004"."""
    if fig.get("shown"):
        return f"{_figure_text(fig)} in {fig['short']}"
    return f"{_figure_text(fig)} ({fig['measure']}{comparison}; {fig['short']})"


def _noted(lead: str, fig: dict[str, Any]) -> dict[str, Any]:
    return {"note": f"{lead} {_source(fig)}", "study": fig["study"]}


# A post that speaks of a review or a meta-analysis, or of a count of studies: its count of people
# is a pooled total (en, es, fr, de, it, pt, nl, ru).
_REVIEW = re.compile(
    r"review|meta-?analy\w*|pooled|\b\d+\s+(?:studies|trials)\b|revisi[oó]n|revis[aã]o|revisione|"
    r"m[ée]ta-?anal\w*|metaanal\w*|[üu]bersichtsarbeit|overzicht\w*|обзор\w*|метаанализ\w*",
    re.IGNORECASE,
)


def pooled_sample(text: str, same: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sample sizes of ``same`` a count of people in ``text`` is held to: a review's pooled total
    (``pooled``, set by the index build) when the text speaks of a review (``_REVIEW``), a single
    study's count otherwise ("a trial of 500 people" is not held to a review's 635 over 21 trials,
    most of another population)."""
    review = bool(_REVIEW.search(text))
    return [f for f in same if bool(f.get("pooled")) == review]


def _other_sample(same: list[dict[str, Any]]) -> str:
    """Why a count of people is not held to ``same``: they are all counts of the other kind."""
    if all(f.get("pooled") for f in same):
        return f"the evidence's counts of people are reviews' pooled totals, not a single study's: {same[0]['shown']} in {same[0]['short']}"
    return f"said of a review; the evidence's counts of people are single studies': {same[0]['shown']} in {same[0]['short']}"


# A result stated of a count of people is a study's result in its sample: "raised VO2 max by 5.2% in
# 200 women", "improved balance in 1,600 boys", "200 women improved their VO2 max" (a change said
# in the past: ``_RESULT_VERB``), not the post's own conditions ("my 2 kids", "our 3 runners").
_RESULT_VERB = (
    r"improved|raised|increased|boosted|enhanced|reduced|lowered|decreased|cut|lost|dropped|gained|"
    r"helped|eased|relieved|strengthened|showed|saw|experienced|reported|burned|burnt"
)
_RESULT_BEFORE = re.compile(
    rf"\b(?:{_RESULT_VERB})\b(?:[^.;!?]|\.(?=\d))*\b(?:in|among|for|of)\s+(?:(?:the|a|an|some|about|over|nearly|almost)\s+)?$",
    re.IGNORECASE,
)
_RESULT_AFTER = re.compile(rf"^\s+(?:[\w'-]+\s+){{0,2}}?(?:{_RESULT_VERB})\b", re.IGNORECASE)
_OWN_PEOPLE = re.compile(r"\b(?:my|our|your|his|her|their)\s+$", re.IGNORECASE)


def _result_of_a_sample(text: str, fig: Figure | None) -> bool:
    """``fig``, a count of people in ``text``, is the sample a result is stated of (``_RESULT_BEFORE``,
    ``_RESULT_AFTER``): a claim about a study's sample, whatever the word order."""
    if fig is None or fig.quantity != "sample-size":
        return False
    before, after = text[: fig.start], text[fig.end :]
    if _OWN_PEOPLE.search(before):
        return False
    return bool(_RESULT_BEFORE.search(before) or _RESULT_AFTER.match(after))


def _not_the_studies(text: str, same: list[dict[str, Any]], fig: Figure | None = None) -> str | None:
    """Why a design figure of ``text`` (a sample size, a duration, a speed, an incline) is not held
    to the claim's studies' designs (``same``), or None: the unit speaks of no study and cites no
    year (the post's own conditions or advice), or of a study of a year none of them is from. A
    count of people a result is stated of speaks of a study (``_result_of_a_sample``)."""
    years = _YEAR.findall(text)  # a year cites a study too: "27 people (Hooper 2004)"
    if not years and not _STUDY.search(text) and not _result_of_a_sample(text, fig):
        return "not said of a study: the post's own conditions or advice, not a study's design"
    if years and not any(year in str(f.get("short", "")) for f in same for year in years):
        return (
            f"said of a study of {years[0]}; the evidence's figures of this kind are from {same[0]['short']}"
        )
    return None


def _mismatch(fig: Figure, closest: dict[str, Any], how: str = "") -> dict[str, Any]:
    shows = _figure_text(closest)
    comparison = f", {closest['comparison']}" if closest.get("comparison") else ""
    admits = ""
    if closest["quantity"] == "intensity-difference":  # why "40% more" passes and "twice" does not
        low, high, _ = bounds(closest["low"], closest["high"], closest["quantity"])
        admits = (f" Read as a relative rise or as points of maximum effort, that is {low:g}% to about "
                  f"{high:.0f}% more effort, not {_compared(fig)[0]:g}% more.")  # fmt: skip
    return {
        "code": FlagCode.FIGURE_MISMATCH,
        "message": f"The post {how or 'says '}{fig.text}; the evidence shows {_source(closest, comparison)}.{admits}",
        "post_says": fig.text, "evidence_shows": shows, "quantity": fig.quantity,
        "measure": closest["measure"], "study": closest["study"],
    }  # fmt: skip


# A clause that extends the claim to more people: "and it works for healthy people too", "even
# for healthy people", "not just for patients"; in the languages whose groups have terms (French,
# Spanish, German): "aussi", "même", "également", "pas seulement"; "también", "incluso", "no solo";
# "auch", "sogar", "nicht nur".
_EXTENDS = re.compile(
    r"\b(?:too|as well|even|not (?:just|only)|and not only|aussi|même|également|(?:pas|non) seulement"
    r"|también|incluso|no s[oó]lo|auch|sogar|nicht nur)\b",
    re.IGNORECASE,
)
_WHO_KINDS = ("population", "generaliser")  # what a flag on the population reads


def _who(
    concepts: dict[str, ConceptDef], found: dict[str, list[tuple[int, int]]]
) -> dict[str, list[tuple[int, int]]]:
    """The populations and generalisers of ``found`` (feature -> token spans)."""
    return {f: spans for f, spans in found.items() if f in concepts and concepts[f].kind in _WHO_KINDS}


def _extended_to(
    concepts: dict[str, ConceptDef], uf: UnitFeatures, whole: UnitFeatures | None, text: str
) -> dict[str, list[tuple[int, int]]]:
    """The populations and generalisers (token spans) of the rest of the sentence after ``uf``
    (``whole``: the sentence) when that rest extends the claim (``_EXTENDS``: "..., and it works
    for healthy people too"); none otherwise."""
    post = uf.post
    if whole is None or post is None or whole.unit.end <= uf.unit.end:
        return {}
    if not _EXTENDS.search(text[uf.unit.end : whole.unit.end]):
        return {}
    return _who(concepts, post.within(uf.unit.end, whole.unit.end))


def _said_beside(
    index: Index, profile: ClaimProfile, uf: UnitFeatures, units: Sequence[Unit]
) -> tuple[dict[str, list[tuple[int, int]]], list[tuple[int, int]]]:
    """The populations and generalisers (token spans) of the sentence just before and the one just
    after ``uf``'s that only say whom the claim is about, and those sentences' (start, end): it may
    be named a sentence apart ("Backward walking cured my knee pain. I have knee osteoarthritis.",
    "Got arthritis in your knees? Backward walking ...", "... Great for seniors."). Such a sentence
    names no activity and no outcome the claim does not have; one that names an activity makes a
    statement of its own about it ("My wife runs for her arthritis.", "In therapy after ACL surgery
    backward walking is done on a treadmill."), one that names another outcome speaks of another
    claim, and sentences further away are not read. ``units``: the post's."""
    post = uf.post
    concepts = index.analyzer.concepts
    if post is None:
        return {}, []
    found: dict[str, list[tuple[int, int]]] = {}
    read = []
    for n in (uf.unit.sentence - 1, uf.unit.sentence + 1):
        sentence = [u for u in units if u.sentence == n]
        if not sentence:
            continue
        start, end = sentence[0].start, sentence[-1].end
        here = post.within(start, end)
        kinds = {f: concepts[f].kind for f in here if f in concepts}
        if any(k == "activity" or (k == "outcome" and f not in profile.features) for f, k in kinds.items()):
            continue  # a statement of its own, or of another claim
        read.append((start, end))
        for f, spans in _who(concepts, here).items():
            found.setdefault(f, []).extend(spans)
    return found, read


def _named_for(
    index: Index,
    profile: ClaimProfile,
    uf: UnitFeatures,
    whole: UnitFeatures | None,
    text: str,
    units: Sequence[Unit],
) -> tuple[dict[str, list[tuple[int, int]]], list[str]]:
    """Every feature the unit names, with token spans, and the populations and generalisers lent to
    it by a later clause of its sentence that extends it (``_extended_to``) and by the sentences
    beside it (``_said_beside``); and the texts an extension is read in (the sentence, those
    sentences: "It works for healthy people too.")."""
    beside, read = _said_beside(index, profile, uf, units)
    where: dict[str, list[tuple[int, int]]] = {f: list(v) for f, v in uf.own.items()}
    sentence = (whole or uf).unit
    ages = _ages(index, uf.post, text, [(sentence.start, sentence.end), *read])
    for lent in (_extended_to(index.analyzer.concepts, uf, whole, text), beside, ages):
        for f, spans in lent.items():
            where.setdefault(f, []).extend(spans)
    return where, [(whole or uf).unit.text, *(text[a:b] for a, b in read)]


# Someone the writer knows, told of in the third person: "My grandmother tried it and it eased her
# knee pain", "My wife's balance got better". Their story names one person, not a group the post
# applies the claim to (``population_flags``); the writer's own ("fixed my knee pain") is still
# read as the post's, as is one told to the reader ("your knees").
_RELATION = (
    r"grand(?:mother|father|ma|pa|parents?|mum|mom|dad)|granny|gran|nan|nana|mother|mom|mum|father|dad|"
    r"parents?|wife|husband|partner|girlfriend|boyfriend|friend|neighbou?r|sister|brother|aunt|uncle|son|"
    r"daughter|cousin|colleague|co-?worker|boss|mother-in-law|father-in-law"
)
_TOLD_OF = re.compile(rf"\b(?:my|our)\s+(?:[\w'’-]+\s+)?(?:{_RELATION})s?\b", re.IGNORECASE)
_THIRD_PERSON = re.compile(r"\b(?:she|he|they|her|his|their|him|them)\b", re.IGNORECASE)
_TO_THE_READER = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)


def _anecdote(text: str, sentence: Unit, units: Sequence[Unit]) -> bool:
    """The claim's sentence tells what happened to someone the writer knows (``_TOLD_OF``), named
    there or in the sentence just before, and speaks of them, not to the reader: "My grandmother
    tried it. Walking backwards helped her knee pain."."""
    if not text:
        return False
    here = text[sentence.start : sentence.end]
    if _TO_THE_READER.search(here):
        return False
    if _TOLD_OF.search(here):
        return True
    before = [u for u in units if u.sentence == sentence.sentence - 1]
    return bool(before) and bool(_THIRD_PERSON.search(here)) and any(_TOLD_OF.search(u.text) for u in before)


# A person's age ("I'm 72", "at 72,", "a 68-year-old", "aged 70", "72 years old", "in my 70s"): who
# the post speaks of, read as the group of that age (``_AGE_GROUPS``). Not a count of something else
# ("at 72 steps a minute", "I'm 72 days in").
_NOT_AN_AGE = (
    r"(?!\s*(?:%|percent|per|kg|kilos?|lbs?|pounds|steps|reps|minutes?|mins?|hours?|days?|weeks?|months?|"
    r"mph|km|miles?|metres?|meters?|degrees|°|bpm|times|x\b|years? (?:ago|of)))"
)
_AGE = re.compile(
    rf"\b(?:i['’]?m|i am|(?:she|he)['’]s|(?:she|he) is|who is|aged|age)\s+(?P<a>\d{{1,3}})\b{_NOT_AN_AGE}|"
    rf"\bat(?: the age of)?\s+(?P<b>\d{{2,3}})\b(?=\s*,|\s+(?:and|i|my|she|he|years?)\b)|"
    rf"\b(?:an?\s+)?(?P<c>\d{{1,3}})[- ]years?[- ]old\b|"
    rf"\bin (?:my|his|her|their|our) (?P<d>[1-9]0)['’]?s\b",
    re.IGNORECASE,
)
#: An age to the words of the population concepts that name its group (read through the concepts'
#: own terms, so a vocabulary without such a group names none): (lowest age, words).
_AGE_GROUPS = ((65, "over 65"), (60, "over 60"), (13, "teenagers"), (0, "children"))
ADULT_FROM, OLDER_FROM = 18, 60  # an adult of working age is no group the flag names


def _ages(
    index: Index, post: Features | None, text: str, spans: Sequence[tuple[int, int]]
) -> dict[str, list[tuple[int, int]]]:
    """The population concepts (token spans) of the ages said in ``text``'s ``spans`` (``_AGE``):
    "I'm 72" names an older adult, as "senior" would; an age of 18 to 59 names none."""
    if post is None or not text:
        return {}
    found: dict[str, list[tuple[int, int]]] = {}
    for start, end in dict.fromkeys(spans):
        for m in _AGE.finditer(text, start, end):
            age = int(next(g for g in m.groups() if g))
            if ADULT_FROM <= age < OLDER_FROM or age > 120:
                continue
            words = next(w for low, w in _AGE_GROUPS if age >= low)
            where = post.token_range(m.start(), m.end())
            if where is None:
                continue
            for f in _who(index.analyzer.concepts, index.analyzer.features(words).spans):
                if index.analyzer.concepts[f].kind == "population":
                    found.setdefault(f, []).append(where)
    return found


def whole_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` (token or character spans) with those that overlap joined into the whole span they
    cover, in order: a term and the shorter terms found inside it ("scientifically proven" and
    "proven", "older adults" and "older", "for everyone" and "everyone") are one quote, never
    half of it."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def population_flags(
    index: Index,
    profile: ClaimProfile,
    uf: UnitFeatures,
    whole: UnitFeatures | None = None,
    text: str = "",
    units: Sequence[Unit] = (),
) -> list[dict[str, Any]]:
    """The population flag of a unit that asserts the claim (module doc). ``whole``: the sentence
    ``uf`` was narrowed from and ``text`` the post: a later clause of it that extends the claim
    ("..., and it works for healthy people too") lends its populations; so do the sentences beside
    it that speak of this claim alone (``_said_beside``; ``units``: the post's). A flag quotes the
    group's words, the whole term (its ``span``), when the post names one (none for "people in
    general")."""
    post = uf.post
    if not profile.tested_in:
        return []
    concepts = index.analyzer.concepts
    tested = [concepts[p] for p in profile.tested_in if p in concepts]
    where, extending = _named_for(index, profile, uf, whole, text, units)
    said = [concepts[f] for f in where if f in concepts]
    generalised = any(c.kind == "generaliser" for c in said)
    studied = ", ".join(c.name for c in tested)
    studies = _studies(profile)

    def flag(says: str, message: str, group: ConceptDef | None = None) -> list[dict[str, Any]]:
        found: dict[str, Any] = {"code": FlagCode.POPULATION_MISMATCH, "message": message, "post_says": says,
                 "evidence_shows": f"studied in: {studied}", "studies": studies, "study": studies[0] if studies else None}  # fmt: skip
        words = (
            whole_spans(where.get(group.id, ())) if group is not None and post is not None and text else []
        )
        if words:
            start, end = post.tokens[words[0][0]].start, post.tokens[words[0][1] - 1].end  # type: ignore[union-attr]
            found["span"] = {"start": start, "end": end, "text": text[start:end]}
            found["post_says"] = text[start:end]  # the post's own words, as a figure flag quotes them
        return [found]

    if not generalised and _anecdote(text, (whole or uf).unit, units):
        return []  # one person's story, not a group the post applies the claim to
    return _population_flag(profile, tested, said, extending, flag)


def _population_flag(
    profile: ClaimProfile,
    tested: list[ConceptDef],
    said: list[ConceptDef],
    extending: list[str],
    flag: Callable[..., list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """``population_flags`` once what the post names is read (``said``: its concepts; ``tested``:
    the claim's populations; ``flag`` makes the flag)."""
    groups = {c.group for c in tested}
    named = [c for c in said if c.kind == "population"]
    generalised = any(c.kind == "generaliser" for c in said)
    studied = ", ".join(c.name for c in tested)
    patients_named = [
        c for c in named if c.group == "patients" and (c.id in profile.tested_in or groups == {"patients"})
    ]
    # "everyone", "all children": a claim tested only in patients (and some demographic groups)
    # applied to all; or one tested only in patients applied to people in general
    if (
        "patients" in groups
        and "healthy" not in groups
        and (generalised or (groups == {"patients"} and not patients_named))
    ):
        # "my knee pain", "your knees": no condition named is not "people in general" said aloud
        says = "The post applies this to everyone" if generalised else "The post names no condition"
        return flag(
            "everyone" if generalised else "no condition named",
            f"{says}, but it was tested only in patients ({studied}).",
            next((c for c in said if c.kind == "generaliser"), None),
        )
    # "..., and it works for healthy people too": a group of healthy people added to patients
    extended = [c for c in named if c.group == "healthy" and c.id not in profile.tested_in]
    if "patients" in groups and "healthy" not in groups and extended and any(map(_EXTENDS.search, extending)):
        who = extended[0].name
        return flag(
            who,
            f"The post applies this to {who}, but it was tested only in patients ({studied}).",
            extended[0],
        )
    if (
        "patients" not in groups
    ):  # patients named where the studies had none (healthy volunteers, young women)
        patients = [c for c in named if c.group == "patients"]
        if patients:
            who = patients[0].name
            only = "healthy volunteers" if "healthy" in groups else "people without it"
            return flag(
                who,
                f"The post applies this to {who}, but it was shown only in {only} ({studied}).",
                patients[0],
            )
    for c in named:
        if c.group == "demographic" and c.id not in profile.tested_in and not _covers(tested, c):
            return flag(
                c.name,
                f"The post applies this to {c.name}, a group the studies did not include ({studied}).",
                c,
            )
    return []


def _studies(profile: ClaimProfile) -> list[str]:
    """The keys of the studies a flag on ``profile``'s claim rests on: its figures' and its own."""
    return sorted({f["study"] for f in profile.figures} | set(profile.claim.get("study_keys") or ()))


@functools.lru_cache(maxsize=1024)  # a claim's subject, read once per index, not at every match
def _gaits(analyzer: Analyzer, subject: str) -> frozenset[str]:
    """The gaits (``index.GAITS``) a claim's subject names ("running backward": running)."""
    return GAITS & frozenset(analyzer.features(subject).names())


# What a comparison is made with: the words after "than", "compared with", "versus"... ("more
# calories than running forward": running is the comparator, not what the post is about).
_COMPARED = re.compile(
    r"\b(?:than|compared (?:with|to)|versus|vs\.?|relative to|instead of|rather than)\s+"
    r"(?:[\w'’-]+\s+){0,3}?(?:walk\w*|run\w*|jog\w*|sprint\w*)\b",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=1024)  # a claim's statement, read once per analyzer and statement
def _compared_gaits(analyzer: Analyzer, statement: str) -> frozenset[str]:
    """The gaits (``index.GAITS``) a claim's statement compares with ("... than walking forward")."""
    return frozenset(g for m in _COMPARED.finditer(statement) for g in _gaits(analyzer, m.group()))


def activity_flags(index: Index, profile: ClaimProfile, uf: UnitFeatures, text: str) -> list[dict[str, Any]]:
    """The activity-mismatch flag of a unit that asserts the claim: the unit names one gait
    (``index.GAITS``: walking, running) and not the other, and the claim's subject (the activity
    it is about: "running backward") names only the other. The matcher lets either gait stand for
    the other (``scoring.unit_values``), so the match says which one the claim is about and sends
    the reader to its caveats. ``span`` and ``post_says``: the post's first word of its gait.
    The same for what the post compares it with (``_COMPARED``: "burns more calories than running
    forward" where the claim's statement compares with walking forward); a gait named only there
    is not the post's subject."""
    post = uf.post
    if post is None:
        return []
    subject = profile.claim.get("subject") or ""
    about = _gaits(index.analyzer, subject)
    base = uf.unit.start
    compared = [(base + m.start(), base + m.end()) for m in _COMPARED.finditer(uf.unit.text)]

    def first(gait: str, inside: bool) -> tuple[int, int] | None:  # its first word in or out of a comparison
        for i, j in sorted(uf.own.get(gait, ())):
            start, end = post.tokens[i].start, post.tokens[j - 1].end
            if any(a <= start < b for a, b in compared) == inside:
                return start, end
        return None

    said = {g for g in GAITS if first(g, False) is not None}
    studies = _studies(profile)
    flags = []
    if len(about) == 1 and len(said) == 1 and about != said:
        (gait,) = said
        where = first(gait, False)
        assert where is not None
        flags.append(_activity_flag(
            where, text, studies,
            f"The post speaks of {index.analyzer.concepts[gait].name}, but this claim is about {subject}: "
            "see its caveats for what the studies cover.",
            f"the claim is about: {subject}",
        ))  # fmt: skip
    statement = str(profile.claim.get("statement") or "")
    against = _compared_gaits(index.analyzer, statement)
    named = {g for g in GAITS if first(g, True) is not None}
    if not flags and len(against) == 1 and len(named) == 1 and against != named:  # one flag a match
        (gait,) = named
        where = first(gait, True)
        assert where is not None
        (theirs,) = against
        flags.append(_activity_flag(
            where, text, studies,
            f"The post compares it with {index.analyzer.concepts[gait].name}, but this claim compares it with "
            f"{index.analyzer.concepts[theirs].name}: see its caveats for what the studies cover.",
            f"the claim compares with: {index.analyzer.concepts[theirs].name}",
        ))  # fmt: skip
    return flags


def _activity_flag(
    where: tuple[int, int], text: str, studies: list[str], message: str, shows: str
) -> dict[str, Any]:
    """An activity-mismatch flag quoting the post's gait at ``where`` (``activity_flags``)."""
    start, end = where
    return {
        "code": FlagCode.ACTIVITY_MISMATCH,
        "message": message,
        "post_says": text[start:end],
        "evidence_shows": shows,
        "studies": studies,
        "study": studies[0] if studies else None,
        "span": {"start": start, "end": end, "text": text[start:end]},
    }


def _covers(tested: list[ConceptDef], demographic: ConceptDef) -> bool:
    # A study of young women covers "women"; of healthy adults, any adult demographic but
    # children and older adults.
    if demographic.id == "women" and any(t.id == "young-women" for t in tested):
        return True
    return any(t.id == "healthy-adults" for t in tested) and demographic.id in ("women", "men", "young-women")


_ALL_OF_IT = re.compile(r"\b100\s*(?:%|per ?cent\b)", re.IGNORECASE)  # "100% effective", "100% sure"


def overclaim_flags(
    index: Index,
    post: Features,
    uf: UnitFeatures,
    text: str,
    claim: dict[str, Any],
    figures: list[Figure] | None = None,
    units: Sequence[Unit] = (),
) -> list[dict[str, Any]]:
    """The unit's certainty words, and "100%" where it is certainty ("100% effective") rather than
    a typed figure ("100% more calories", a percent change: ``figures``, the unit's
    ``post_figures`` when already read). A certainty word under a negation is not said ("It's no
    cure, but it can help" asserts that it helps, not that it cures). The sentence right after
    the unit's counts too when it only vouches for it ("Walking backwards cures knee pain. 100%
    proven.": ``_vouching``; ``units``: the post's)."""
    figures = post_figures(uf.unit.text) if figures is None else figures
    where = _certain(index, post, uf.unit.text, uf.unit.start, uf.own, figures)
    after = _vouching(index, post, uf, text, units)
    if after is not None:
        where += _certain(index, post, after.text, after.start, post.within(after.start, after.end))
    where = whole_spans(where)  # "scientifically proven" once, not beside its "proven"
    level = claim["grade"]["level"]
    if not where or (level == "high" and claim["verdict"] == "supported"):
        return []
    wording = claim.get("calibrated") or f"The evidence is rated {grading.LEVEL_LABELS[level].lower()}."
    said = ", ".join(dict.fromkeys(text[s:e].lower() for s, e in where))
    spans = [{"start": s, "end": e, "text": text[s:e]} for s, e in where]
    return [{
        "code": FlagCode.OVERCLAIM,
        "message": (f"The post says '{said}', but the evidence for this claim is graded "
                    f"{grading.LEVEL_LABELS[level].lower()} and the verdict is "
                    f"{grading.VERDICT_LABELS[claim['verdict']].lower()}. Calibrated wording: {wording}"),
        "post_says": said, "evidence_shows": f"grade {level}, verdict {claim['verdict']}",
        "suggestion": wording, "studies": list(claim["study_keys"]),
        "spans": spans, **({"span": spans[0]} if len(spans) == 1 else {}),  # post_says is text[span]
    }]  # fmt: skip


def _certain(
    index: Index,
    post: Features,
    piece: str,
    base: int,
    own: dict[str, list[tuple[int, int]]],
    figures: list[Figure] | None = None,
) -> list[tuple[int, int]]:
    """(start, end) in the post of the certainty words of ``piece`` (the text at ``base``; ``own``:
    its features) and of its "100%" of certainty (``overclaim_flags``), but under a negation or in
    a typed figure."""
    figures = post_figures(piece) if figures is None else figures

    def in_figure(start: int) -> bool:
        return any(f.start <= start - base < f.end for f in figures)

    def unsaid(start: int) -> bool:  # a figure, or under a negation ("no cure", "won't cure")
        return in_figure(start) or negated(piece, start - base)

    where = [(post.tokens[i].start, post.tokens[j - 1].end) for f, spans in own.items()
             if index.analyzer.kind(f) == "certainty" for i, j in spans
             if not unsaid(post.tokens[i].start)]  # fmt: skip
    where += [(base + m.start(), base + m.end()) for m in _ALL_OF_IT.finditer(piece)
              if not in_figure(base + m.start()) and not negated(piece, m.start())]  # fmt: skip
    return where


VOUCHING_WORDS = 6  # a sentence this short, with no claim of its own, vouches for the one before


def _vouching(
    index: Index, post: Features, uf: UnitFeatures, text: str, units: Sequence[Unit]
) -> Unit | None:
    """The sentence right after ``uf``'s (in ``text``, the post) when it only vouches for it: at
    most ``VOUCHING_WORDS`` words, none of them an activity, outcome, body part or topic ("100%
    proven.", "Scientifically proven!", "Guaranteed."); None otherwise."""
    following = [u for u in units if u.sentence == uf.unit.sentence + 1]
    if not following or not text or uf.unit.end > following[0].start:
        return None
    start, end = following[0].start, following[-1].end
    if len(re.findall(r"\w+", text[start:end])) > VOUCHING_WORDS:
        return None
    kind = index.analyzer.kind
    if any(kind(f) in ("activity", "outcome", "body", "topic") for f in post.within(start, end)):
        return None
    return Unit(start, end, text[start:end], following[0].sentence)


def denial_flags(
    claim: dict[str, Any], stance: Stance, said: str, span: tuple[int, int] | None = None
) -> list[dict[str, Any]]:
    """``denies-supported`` when the unit denies a supported claim; ``span``: the denying clause's
    (start, end) in the post, whose text is ``said``."""
    if stance != PostStance.DENIES or claim["verdict"] not in SUPPORTED:
        return []
    level = grading.LEVEL_LABELS[claim["grade"]["level"]].lower()
    return [_verdict_flag(FlagCode.DENIES_SUPPORTED, f"The post denies this, but the evidence supports it (graded {level}).",
                          claim, said, span)]  # fmt: skip


def _verdict_flag(
    code: FlagCode, message: str, claim: dict[str, Any], said: str, span: tuple[int, int] | None
) -> dict[str, Any]:
    """A flag that sets the post's stance against the claim's verdict (``denial_flags``,
    ``rejected_flags``): ``message`` followed by the claim's calibrated wording, the unit's words
    (``said``, at ``span`` in the post when given) and the verdict and grade."""
    return {
        "code": code, "message": f"{message} {claim.get('calibrated') or ''}".strip(),
        "post_says": said, "evidence_shows": f"verdict {claim['verdict']}, grade {claim['grade']['level']}",
        "studies": list(claim["study_keys"]),
    } | ({"span": {"start": span[0], "end": span[1], "text": said}} if span else {})  # fmt: skip


#: Verdicts that reject a claim as stated: a post that passes one on is worth a warning of its
#: own, as a post that denies a supported claim is (a bot may read only ``flags``).
REJECTED = frozenset({"misleading", "contradicted"})


def rejected_flags(
    claim: dict[str, Any], stance: Stance, said: str, span: tuple[int, int] | None = None
) -> list[dict[str, Any]]:
    """``asserts-rejected`` when the unit asserts or reports (passes on as true) a claim whose
    verdict rejects it (``REJECTED``); ``span``: the unit's (start, end) in the post, whose text is
    ``said``. The mirror of ``denial_flags``."""
    if stance not in (PostStance.ASSERTS, PostStance.REPORTS) or claim["verdict"] not in REJECTED:
        return []
    level = grading.LEVEL_LABELS[claim["grade"]["level"]].lower()
    verdict = grading.VERDICT_LABELS[claim["verdict"]].lower()
    message = f"The post passes this on as true, but the claim is rated {verdict} (evidence: {level})."
    return [_verdict_flag(FlagCode.ASSERTS_REJECTED, message, claim, said, span)]


def misreading_flags(
    index: Index, profile: ClaimProfile, uf: UnitFeatures, figures: list[Figure] | None = None
) -> list[dict[str, Any]]:
    """A unit repeats a recorded misreading when it says (nearly) all that one of the misreading's
    texts says, in concepts: the wording may differ, the ideas may not. Not when it speaks of no
    study, research or trial ("backward walking burns more calories" describes no study), nor when
    it gives, in place of the misreading's own result figure, the figure the study reports.
    ``figures``: the unit's figures when the caller has them (``post_figures`` of its text)."""
    if not _STUDY.search(uf.unit.text):  # a unit that speaks of no study describes none
        return []
    have = uf.have
    flags = []
    unit_figures = post_figures(uf.unit.text) if figures is None else figures
    repeating: dict[str, list[Figure]] = {}
    for fig, m in misread_figures(profile, uf, unit_figures):
        repeating.setdefault(m["study"] + m["claimed"], []).append(fig)
    own = [f for f in unit_figures if _studies_say(profile, f, uf.unit.text)]
    results = _misreading_results(profile)
    for misreading, texts in profile.misreadings:
        repeated = repeating.get(misreading["study"] + misreading["claimed"], [])
        # the unit gives the study's own figure where the misreading has its wrong one: it corrects
        # the misreading rather than repeating it ("lost almost 2.5% more body fat")
        if not repeated and any(f.quantity == r.quantity for f in own for r, m in results if m is misreading):
            continue
        best = 0.0
        for t in texts:
            concepts = [f for f in t if not f.startswith("w:")]
            total = sum(index.idf.get(f, 1.0) for f in concepts)
            if total:
                best = max(best, sum(index.idf.get(f, 1.0) for f in concepts if f in have) / total)
        if best < (MISREADING_WITH_FIGURE if repeated else MISREADING_COVERAGE):
            continue
        if not repeated and not _says_what_it_misreads(profile, misreading, texts, uf, unit_figures):
            continue  # the claim in the words any post making it has: no misreading of this study
        base = uf.unit.start
        flags.append({
            "code": FlagCode.MISDESCRIBED_STUDY,
            "message": f"The post repeats a known misreading of {misreading['short']}: '{misreading['claimed']}' What the study showed: {misreading['actual']}",
            "post_says": misreading["claimed"], "evidence_shows": misreading["actual"], "study": misreading["study"],
            "figures": [{"post_says": f.text, "span": {"start": base + f.start, "end": base + f.end}} for f in repeated],
        })  # fmt: skip
    return flags


def _says_what_it_misreads(
    profile: ClaimProfile,
    misreading: dict[str, Any],
    texts: list[frozenset[str]],
    uf: UnitFeatures,
    figures: list[Figure],
) -> bool:
    """Whether a unit that says a misreading's concepts, without its result figure, says what
    makes it a misreading of that study rather than the claim itself: a concept of the
    misreading that none of the claim's texts has ("beat forward walking" of a claim about knee
    osteoarthritis), the study by its year or first author ("a 2004 study": ``_named``), or a
    figure of its design that the misreading gives ("27 people", "2.5 mph"). A misreading whose
    concepts are the claim's ("A study found walking backward burns 20% more calories": wrong
    only in its figure) is not repeated by "New study: walking backward burns more calories"
    (new-user trial 2026-12-01: every post of the claim that spoke of a study was flagged).
    ``texts``: the features of the misreading's texts; ``figures``: the unit's."""
    own = profile.features
    if any(f in uf.have for t in texts for f in t if not f.startswith("w:") and f not in own):
        return True
    if _named(uf.unit.text, [misreading]):
        return True
    design = [
        f for t in (misreading["claimed"], *misreading.get("phrasings", ())) for f in _design_figures(t)
    ]
    return any(
        g.quantity == f.quantity and within(g.value, g.high, f.value, f.high or f.value)
        for g in figures
        for f in design
    )


@functools.lru_cache(maxsize=256)  # a misreading's texts, read once per process
def _design_figures(text: str) -> tuple[Figure, ...]:
    """The design figures (``DESIGN_QUANTITIES``) a misreading's text gives: "27 people", "2.5 mph"."""
    return tuple(f for f in post_figures(text) if f.quantity in DESIGN_QUANTITIES)
