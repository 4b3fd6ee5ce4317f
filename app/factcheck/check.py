"""``factcheck``: the one function the CLI, the API (single and batch) and the /factcheck page call."""

from __future__ import annotations

import functools
import re
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from app.documents import SUMMARY_FIELDS
from app.factcheck import language
from app.factcheck.analyzer import CJK_CHAR
from app.factcheck.figures import Figure, post_figures
from app.factcheck.flags import (
    activity_flags,
    denial_flags,
    denied_figures,
    exaggerations,
    figure_checks,
    misreading_flags,
    overclaim_flags,
    population_flags,
    rejected_flags,
)
from app.factcheck.index import BACKWARD, Index, get_index
from app.factcheck.scoring import (
    CARRIED_KINDS,
    MATCH_KINDS,
    Candidate,
    UnitFeatures,
    cut_off,
    lent_by,
    load_model,
    rank,
    unit_features,
)
from app.factcheck.sentences import (
    HASHTAG,
    Unit,
    clause_pieces,
    continues_without_subject,
    frame,
    opens_predicate,
    sentences,
    split,
)
from app.factcheck.stance import (
    Span,
    agreed_after,
    concession_at,
    contrasted_figures,
    echoed_verdicts,
    figure_negations,
    hypothesis,
    is_question,
    no_but_kept,
    quotations,
    reported,
    reported_around,
    stance,
    study_aim,
)
from app.store import Store
from app.vocab import PostStance

MAX_TEXT = 10_000


def clean(text: str) -> str:
    """Drop control and format characters (NUL, RTL marks, zero-width joiners) but keep offsets
    meaningful: each is replaced by a space. What is read only: every span a response quotes is
    the client's own text at those offsets (``_as_sent``)."""
    return "".join(
        " " if (unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t") else ch for ch in text
    )


def post_units(
    index: Index, text: str, context: str | None = None
) -> tuple[list[UnitFeatures], dict[str, Any]]:
    """The post's units with their features, read as its language allows (``language.handling``:
    English in full, other languages through the concepts' terms in that language), and the
    language: ``{code, name, confidence, handled, matched_by, also}``. No units when the language
    is not read. The one reading of a post that the matcher and the score fit share.

    A post whose sentences are written in two scripts or more (``language.script_parts``: English
    and Japanese, English and Russian, Korean and English, Japanese and Chinese) is read as one
    part per script, each in its own language (parts read as the same language are read as one);
    ``language`` is then the longest part's and ``also`` holds the others'. A part in a language
    that is not read has its own warning, and the other parts are still matched.

    ``context``: the title or heading of the page the post comes from, when the caller has it
    ("Benefits of walking backwards" above "It strengthens your quads."): read in the post's
    language, its activities, body parts, topics and "backward" count for every unit
    (``scoring.lent_by``); it is never matched itself."""
    spans = sentences(text)  # split once: the parts and the units share it
    parts = language.script_parts(text, spans)
    if parts is None:
        return _read(index, text, spans, context)
    read = [_read(index, part, own, context, [spans.index(x) for x in own]) for part, own in parts]
    codes = [lang["code"] for _, lang in read]
    if len(set(codes)) < len(codes):  # two scripts read as one language: one part
        merged: dict[str, list[tuple[int, int]]] = {}
        for (_, own), code in zip(parts, codes, strict=True):
            merged.setdefault(code, []).extend(own)
        if len(merged) == 1:
            return _read(index, text, spans, context)
        parts = [(language.blanked(text, sorted(own)), sorted(own)) for own in merged.values()]
        read = [_read(index, part, own, context, [spans.index(x) for x in own]) for part, own in parts]
    units = sorted((uf for part_units, _ in read for uf in part_units), key=lambda uf: uf.unit.start)
    longest = max(range(len(parts)), key=lambda k: sum(e - s for s, e in parts[k][1]))
    lang = {**read[longest][1], "also": [read[k][1] for k in range(len(parts)) if k != longest]}
    return units, lang


def _read(
    index: Index,
    text: str,
    spans: list[tuple[int, int]],
    context: str | None = None,
    numbers: list[int] | None = None,
) -> tuple[list[UnitFeatures], dict[str, Any]]:
    """``post_units`` of a text in one language (``spans``: its sentences; ``numbers``: theirs in
    the whole post, for a part of a mixed post)."""
    post = index.analyzer.features(text)
    concepts = sum(1 for f in post.spans if not f.startswith("w:"))
    code, confidence = language.detect(text, concepts, lambda code: language.concept_count(index, text, code))
    how = language.handling(index, code)
    if how == "concepts":
        post = _features(index, text, how, code)
    lent = frozenset[str]()
    if context and how:
        heading = readable(context)
        lent = lent_by(index, _features(index, heading, how, code), heading)
    units = unit_features(index, post, split(text, spans, numbers), lent) if how else []
    return units, {"code": code, "name": language.NAMES.get(code, code), "confidence": round(confidence, 3),
                   "handled": how is not None, "matched_by": how, "also": []}  # fmt: skip


def _features(index: Index, text: str, how: str, code: str) -> Any:
    """The features of ``text`` read as ``how`` says (``language.handling``): in full for
    "text", through language ``code``'s concept terms for "concepts"; the post and its context
    are read the same way."""
    return language.features(index, text, code) if how == "concepts" else index.analyzer.features(text)


def analyse(
    index: Index, text: str, model: dict[str, Any] | None = None, *, top: int | None = None
) -> tuple[list[Candidate], dict[str, Any]]:
    """Every scored candidate of ``text`` (best first) and the post's language; the shared core
    of ``factcheck`` and ``evaluate`` (which needs the candidates below the threshold too).
    ``model``: the score model (default: the shipped one, ``scoring.load_model``);
    ``top``: only the best ``top`` claims at the threshold or more (``scoring.rank``); the
    threshold is the one of the post's reading (``scoring.cut_off``)."""
    units, lang = post_units(index, text)
    return _ranked(index, units, lang, model, top)[0], lang


def _ranked(
    index: Index,
    units: list[UnitFeatures],
    lang: dict[str, Any],
    model: dict[str, Any] | None,
    top: int | None,
) -> tuple[list[Candidate], float]:
    """The ranked candidates and the cut-off of the post's reading they were ranked with."""
    model = model or load_model()
    threshold = cut_off(model, lang["matched_by"])
    return rank(index, units, {**model, "threshold": threshold}, top=top), threshold


def _spans_in(post: Any, feature: str, unit: Unit) -> list[Span]:
    """(start, end) inside ``unit`` of each occurrence of ``feature`` in the post."""
    out = []
    for i, j in post.spans.get(feature, ()):
        start, end = post.tokens[i].start, post.tokens[j - 1].end
        if unit.start <= start and end <= unit.end:
            out.append((start - unit.start, end - unit.start))
    return out


_CLAIM_WORD_KINDS = frozenset({"body", "outcome", "topic"})


def _claim_words(
    index: Index, cand: Candidate, post: Any, unit: Unit, backward: bool = True, core: bool = False
) -> list[Span] | None:
    """(start, end) inside ``unit`` of the words that make the claim there, but the activity
    alone ("walking") and plain words: the concepts a negation must govern to deny the claim
    (``stance``), and the clauses a match's span is made of (``own_clause``: without
    "backward", which a post names once for all its clauses). ``core``: only the claim's core
    features. None when the unit has none."""
    kind = index.analyzer.kind
    profile = index.profiles[cand.claim_id]
    features = profile.core if core else profile.features | cand.matched
    out = [
        span
        for f in features
        if kind(f) in _CLAIM_WORD_KINDS or (backward and f == BACKWARD)
        for span in _spans_in(post, f, unit)
    ]
    return out or None


def _holds_claim_words(index: Index, post: Any, start: int, end: int) -> bool:
    """Whether ``post``'s text from ``start`` to ``end`` holds a word of any claim (an outcome, body
    part or topic concept: ``_CLAIM_WORD_KINDS``)."""
    kind = index.analyzer.kind
    return any(
        start <= post.tokens[i].start < end
        for f, spans in post.spans.items()
        if kind(f) in _CLAIM_WORD_KINDS
        for i, _ in spans
    )


def _names_own_words(index: Index, cand: Candidate, post: Any, unit: Unit) -> bool:
    """Whether ``unit`` names an outcome, body part or topic of ``cand``'s claim that is not
    generic (``_generic``: "improves" names no claim of its own). A unit that scores for a claim
    only through what the post lends all its units ("Six weeks of backward training raised VO2
    max by 40%. It also helps knee osteoarthritis.": knee osteoarthritis, lent to the first
    sentence) does not make it there, and its figures are not checked against it."""
    kind = index.analyzer.kind
    return any(
        kind(f) in _CLAIM_WORD_KINDS and not _generic(index, f) and _spans_in(post, f, unit)
        for f in index.profiles[cand.claim_id].features | cand.matched
    )


def _names_core_words(index: Index, cand: Candidate, post: Any, unit: Unit) -> bool:
    """Whether ``unit`` names a core outcome, body part or topic of ``cand``'s claim that is not
    generic: the words that make the claim there, not those of its phrasings and caveats ("calories"
    is a word of the quadriceps claim's notes, not of what it claims)."""
    kind = index.analyzer.kind
    return any(
        kind(f) in _CLAIM_WORD_KINDS and not _generic(index, f) and _spans_in(post, f, unit)
        for f in index.profiles[cand.claim_id].core
    )


def _names_another_claim(index: Index, cand: Candidate, post: Any, start: int, end: int) -> bool:
    """Whether ``post``'s text from ``start`` to ``end`` names an outcome, body part or topic that is
    none of ``cand``'s claim ("..., but it does strengthen your quads" after a denial about knee
    pain): a concession there concedes another claim, and the denial of this one stands."""
    kind = index.analyzer.kind
    own = index.profiles[cand.claim_id].features
    return any(
        kind(f) in _CLAIM_WORD_KINDS
        and f not in own
        and not _generic(index, f)
        and any(start <= post.tokens[i].start < end for i, _ in spans)
        for f, spans in post.spans.items()
    )


GENERIC_SHARE = 0.5  # a concept among the features of this share of the claims or more names none of them


def _generic(index: Index, feature: str) -> bool:
    """Whether ``feature`` is among the features of ``GENERIC_SHARE`` of the claims or more (an
    improvement, pain relief: "but it can help" names no claim of its own)."""
    at = index.feature_id.get(feature)
    return at is not None and index.claims_with[at] >= GENERIC_SHARE * len(index)


def _own_words(index: Index, cand: Candidate, post: Any, unit: Unit) -> list[Span] | None:
    """The words of ``unit`` that place ``cand``'s claim in it (``own_clause``): its core words
    that are not generic (``_generic``: "improves" is a word of half the claims, so in "Backward
    walking improves balance, and it improves memory too" it is no word of the balance claim's
    own), else its core words, else any of its words; a generic outcome word it shares with other
    claims does not pull in the clause of another claim."""
    own = [
        span
        for f in index.profiles[cand.claim_id].core
        if index.analyzer.kind(f) in _CLAIM_WORD_KINDS and not _generic(index, f)
        for span in _spans_in(post, f, unit)
    ]
    return (
        own
        or _claim_words(index, cand, post, unit, backward=False, core=True)
        or _claim_words(index, cand, post, unit, backward=False)
    )


def own_clause(
    index: Index, cand: Candidate, post: Any, text: str, rivals: Sequence[Candidate] = ()
) -> UnitFeatures:
    """The candidate's unit narrowed to the clauses that hold the claim's words
    (``sentences.clause_pieces``): from the first such clause to the last. Its span, stance, figures
    and flags are read there, so "cures" of the knee-pain clause is no overclaim of the calorie
    clause beside it. The unit itself when the claim's words are in every clause or in none.
    ``rivals``: the other claims returned for the post; where one of them is made in the same
    words by a noun of its own joined to this claim's by "and" / "or" ("Backward walking improves
    balance and memory"), each keeps its own noun (``_apart``).
    Features of the clauses left out stay with the narrowed unit only as what a post lends to all
    its units (activities, body parts, topics: ``scoring.CARRIED_KINDS``), not as its own."""
    uf = cand.unit
    unit = uf.unit
    pieces = clause_pieces(text, unit.start, unit.end)
    words = _own_words(index, cand, post, unit)
    if not words:
        return uf
    start, end = unit.start, unit.end
    if len(pieces) > 1:
        inside = [k for k, (s, e) in enumerate(pieces) if any(s <= unit.start + a < e for a, _ in words)]
        first, last = inside[0], inside[-1]
        if CJK_CHAR.search(unit.text):
            # Japanese and Chinese put what frames a claim around it, with no words of a claim of its
            # own: a source before it ("有研究表明，"), a verdict after it ("，这是误区", "、と言われている").
            while first > 0 and not _holds_claim_words(index, post, *pieces[first - 1]):
                first -= 1
            while last < len(pieces) - 1 and not _holds_claim_words(index, post, *pieces[last + 1]):
                last += 1
        start, end = pieces[first][0], pieces[last][1]
    start, end = _apart(index, cand, post, text, start, end, rivals)
    if (start, end) == (unit.start, unit.end):
        return uf
    kind = index.analyzer.kind
    own = post.within(start, end, uf.own)
    dropped = set(uf.own) - set(own)
    lent = {f for f in dropped if kind(f) in CARRIED_KINDS or f == BACKWARD} & uf.have
    return UnitFeatures(
        Unit(start, end, text[start:end], unit.sentence),
        own,
        uf.carried | lent,
        uf.vector,
        uf.have - (dropped - lent),
        uf.post,
    )


def _distinct(index: Index, cand: Candidate, post: Any, unit: Unit, other: Candidate) -> list[Span]:
    """(start, end) inside ``unit`` of ``cand``'s own core words (not generic: ``_own_words``) that
    are no feature of ``other``'s claim: the words that make ``cand``'s claim there and not
    ``other``'s ("balance" beside "memory")."""
    theirs = index.profiles[other.claim_id].features
    return [
        span
        for f in index.profiles[cand.claim_id].core
        if index.analyzer.kind(f) in _CLAIM_WORD_KINDS and not _generic(index, f) and f not in theirs
        for span in _spans_in(post, f, unit)
    ]


# What joins two nouns of one predicate ("balance and memory", "balance, memory", "balance as well
# as memory", "balance and even memory"): a conjunction and at most two words before the next noun.
_JOINS = re.compile(
    r"^\s*(?:,\s*)?(?:(?:and|or|plus|as well as)\s+|[&/]\s*|,\s*)(?:[\w'’-]+\s+){0,2}$", re.IGNORECASE
)
_REST_KINDS = frozenset({"population", "generaliser", "certainty", "body", "topic"})


def _apart(
    index: Index, cand: Candidate, post: Any, text: str, start: int, end: int, rivals: Sequence[Candidate]
) -> tuple[int, int]:
    """``start``-``end`` (the claim's clauses) narrowed to its own noun where a rival claim of the
    same unit is made there by another noun of the same predicate ("Backward walking improves
    balance and memory": the balance claim's span is "Backward walking improves balance", the
    memory claim's "and memory", which reads its stance with the words before it:
    ``_stance_and_span``). Only when each claim has words of its own there (``_distinct``), all of
    this claim's on one side of all of the rival's, only a conjunction between them (``_JOINS``),
    and nothing that may qualify both after the last of them (a population, a body part...: "...
    balance and memory in older adults" keeps the sentence)."""
    unit = cand.unit.unit
    for rival in rivals:
        if rival.claim_id == cand.claim_id or rival.unit.unit != unit:
            continue
        mine = [(unit.start + a, unit.start + b) for a, b in _distinct(index, cand, post, unit, rival)]
        theirs = [(unit.start + a, unit.start + b) for a, b in _distinct(index, rival, post, unit, cand)]
        mine = [w for w in mine if start <= w[0] < end]
        theirs = [w for w in theirs if start <= w[0] < end]
        if not mine or not theirs:
            continue
        last = max(b for _, b in mine + theirs)
        rest = post.within(last, end)
        if any(index.analyzer.kind(f) in _REST_KINDS for f in rest):
            continue
        if max(b for _, b in mine) <= min(a for a, _ in theirs):  # this claim's noun comes first
            gap = (max(b for _, b in mine), min(a for a, _ in theirs))
            if _JOINS.match(text[gap[0] : gap[1]]):
                end = gap[0]
        elif max(b for _, b in theirs) <= min(a for a, _ in mine):  # the rival's comes first
            gap = (max(b for _, b in theirs), min(a for a, _ in mine))
            if _JOINS.match(text[gap[0] : gap[1]]):
                start = gap[0] + len(text[gap[0] : gap[1]]) - len(text[gap[0] : gap[1]].lstrip(" ,"))
    return start, end


def moved(index: Index, uf: UnitFeatures, post: Any, text: str, start: int, end: int) -> UnitFeatures:
    """``uf`` read at another span of the post (``stance_and_span``: the words that decide its
    stance): the features there as its own, and what ``uf`` named that a post lends to all its
    units (activities, body parts, topics, "backward") as carried."""
    kind = index.analyzer.kind
    own = post.within(start, end)
    carried = (uf.carried | {f for f in uf.own if kind(f) in CARRIED_KINDS or f == BACKWARD}) - set(own)
    have = {f for f in own if kind(f) in MATCH_KINDS} | carried
    return UnitFeatures(
        Unit(start, end, text[start:end], uf.unit.sentence), own, carried, uf.vector, have, post
    )


DENIABLE_FIGURES = frozenset({"percent-change", "percent-of-max", "body-weights"})  # a result's size
# A figure put in the place of one the post denies: "... twice the calories? Nope. It's more like
# 20% more.", "doesn't burn twice the calories; it's closer to 20%". The words that say a figure is
# the right one instead (``correction``).
_CORRECTS = re.compile(
    r"\b(?:more like|closer to|nearer to|rather|actually|in (?:fact|reality)|really|only|just|at most|"
    r"at best|the (?:real|true|actual) (?:figure|number)|try|it'?s|it is|that'?s|that is)\b",
    re.IGNORECASE,
)
CORRECTION_SENTENCES = 2  # a correction follows the denied figure within this many sentences


Correction = tuple[Unit, list[Figure]]  # the unit that sets a denied figure right, and its figures


def correction(units: list[Unit], clause: Unit, denied: Sequence[Figure]) -> Correction | None:
    """The unit that puts a figure in the place of one of ``denied`` (figures of ``clause`` the post
    denies or answers no to), and those figures: a unit of the clause's sentence after it, or of
    the next ``CORRECTION_SENTENCES`` sentences, with a word that sets its figure right
    (``_CORRECTS``) and a figure of the same quantity (``post_figures``); the first such unit, or None."""
    quantities = {f.quantity for f in denied}
    if not quantities:
        return None
    for unit in units:
        if unit.start < clause.end or unit.sentence > clause.sentence + CORRECTION_SENTENCES:
            continue
        if not _CORRECTS.search(unit.text):
            continue
        found = [f for f in post_figures(unit.text) if f.quantity in quantities]
        if found:
            return unit, found
    return None


def stance_and_span(
    index: Index,
    cand: Candidate,
    units: list[Unit],
    post: Any,
    clause: Unit | None = None,
    quoted: Sequence[Span] = (),
    figures: Sequence[Figure] = (),
) -> tuple[PostStance, tuple[int, int] | None, list[Figure], Correction | None]:
    """The post's stance toward ``cand``'s claim; when what decides it lies beyond the clause, the
    (start, end) of the words that do; the figures the post denies without denying the claim; and
    the figures it puts in their place (``correction``, read once here for the match to check).

    The stance is read from the claim's clause (``clause``, default its unit), the claim's words
    there, and the next sentence of the post (a short verdict such as "That's a myth." after the
    claim). A clause that goes on without a subject of its own ("... and burns more calories") is
    read with what frames its sentence ("I doubt that", "According to TikTok,",
    ``sentences.frame``), and one that someone else's words surround is reported
    (``stance.reported_around``), as is one inside a quotation of the post (``quoted``:
    ``stance.quotations`` of its text). ``units``: the post's units (``sentences.split``, once
    per post).

    A denial of the strong form taken back by a concession after it ("Walking backwards won't
    cure your knee pain. But it helps.") asserts the claim, and a fact-checker quotes the words
    that assert it, not the denial they take back: the next sentence, or, when the concession is
    a clause of the same sentence ("..., but it can really help a lot of people"), the sentence
    from the denied clause through the concession (None: the clause itself).

    A negation of a figure ("Walking backwards doesn't burn twice the calories": ``figures``, the
    clause's typed figures, ``stance.figure_negations``) denies the figure, not the claim: the
    clause is read again without it, and when nothing else denies the claim its stance is what
    is left (asserts, or reports), with the denied figures returned for the match to note."""
    clause = clause or cand.unit.unit
    # "..., but not 5x like some say": the tail denies a figure and says nothing of the claim
    results = [f for f in figures if f.quantity in DENIABLE_FIGURES]
    kept = _kept_after_no(index, cand, units, post, clause) if results else None
    if kept is not None:  # "... 5x more calories? No, but it does burn more."
        return PostStance.ASSERTS, kept, results, correction(units, clause, results)
    tail, tail_figures = contrasted_figures(clause.text, [(f.start, f.end) for f in results])
    if tail is not None:
        untailed = clause.text[:tail] + " " * (len(clause.text) - tail)
        said, where = _stance_and_span(index, cand, units, post, clause, quoted, untailed)
        if said != PostStance.DENIES:
            denied = [f for f in results if (f.start, f.end) in tail_figures]
            return said, where, denied, correction(units, clause, denied)
    said, where = _stance_and_span(index, cand, units, post, clause, quoted)
    if said != PostStance.DENIES:
        return said, where, [], None
    if not results:
        return said, where, [], None
    cues = figure_negations(
        clause.text, _claim_words(index, cand, post, clause), [(f.start, f.end) for f in results]
    )
    if not cues:
        # denied from outside the clause ("... twice the calories? Nope.") and a figure put in its
        # place after it ("It's more like 20% more."): the post corrects the figure, and asserts
        # the claim with the figure it gives
        fixed = correction(units, clause, results)
        if fixed is None:
            return said, where, [], None
        quantities = {f.quantity for f in fixed[1]}
        return PostStance.ASSERTS, where, [f for f in results if f.quantity in quantities], fixed
    denied = [f for f in results if any(b <= f.start or f.start <= a < b <= f.end for a, b in cues)]
    # "..., that's a myth" after the denied figure, or "That's a myth." after its sentence, echoes
    # the figure's denial: the claim is read without either
    echoes = echoed_verdicts(clause.text, max(f.end for f in denied))
    blank = list(clause.text)
    for a, b in cues + echoes:
        blank[a:b] = " " * (b - a)
    again, where = _stance_and_span(index, cand, units, post, clause, quoted, "".join(blank), alone=True)
    if again == PostStance.DENIES:
        return said, where, [], None
    return again, where, denied, correction(units, clause, denied)


def _kept_after_no(
    index: Index, cand: Candidate, units: list[Unit], post: Any, clause: Unit
) -> tuple[int, int] | None:
    """The span from the question ``clause`` (one with a figure of a result: the caller's to
    say) through the next sentence when that sentence answers it "no" and takes the claim back up ("Walking backward burns 5x more calories? No, but it does
    burn more.", ``stance.no_but_kept``) naming no outcome or topic of another claim ("No, but it
    does improve balance" keeps another claim, and the denial of this one stands); else None."""
    if not is_question(clause.text):
        return None
    unit = cand.unit.unit
    following = next((u for u in units if u.sentence > unit.sentence), None)
    if following is None or not no_but_kept(following.text):
        return None
    if _names_another_claim(index, cand, post, following.start, following.end):
        return None
    return clause.start, following.end


def _stance_and_span(
    index: Index,
    cand: Candidate,
    units: list[Unit],
    post: Any,
    clause: Unit | None = None,
    quoted: Sequence[Span] = (),
    read_as: str | None = None,
    alone: bool = False,
) -> tuple[PostStance, tuple[int, int] | None]:
    """``stance_and_span`` but the figures; ``read_as``: the clause's text as read (the same
    length: a figure's negation blanked out); ``alone``: without the verdict of the sentence after
    it (one that echoes a denied figure)."""
    unit = cand.unit.unit
    clause = clause or unit
    text, words, shift = read_as or clause.text, _claim_words(index, cand, post, clause), 0
    if clause.start > unit.start and continues_without_subject(clause.text):
        before = unit.text[: clause.start - unit.start]
        # a noun joined to another claim's ("... improves balance and memory": ``_apart``) is
        # governed by all the words before it ("doesn't improve balance and memory" denies both)
        lead = frame(before) or ("" if opens_predicate(clause.text) else before.rstrip())
        if lead:
            text, shift = f"{lead} {text}", len(lead) + 1
            words = [(a + shift, b + shift) for a, b in words or ()] or None
    following = next((u for u in units if u.sentence > unit.sentence), None)
    if (
        following is not None
        and _claim_words(index, cand, post, following, backward=False, core=True) is None
        and _spans_in(post, BACKWARD, following)
        and not is_question(following.text)
    ) or alone:
        # The next sentence states something of its own about the activity going backward, with
        # none of this claim's core words ("But backward walking does not improve balance, I
        # doubt it."): no verdict on this claim. A question still puts it in doubt ("Is retro
        # walking really such a miracle?"). ``alone``: a verdict after it echoes a denied figure.
        following = None
    if following is not None and _judges_own_figure(following, clause):
        following = None
    said = stance(
        text,
        words,
        following.text if following else None,
        _claim_words(index, cand, post, following) if following else None,
        f"{cand.claim_id} {index.profiles[cand.claim_id].claim.get('statement', '')}",
        [(a + shift, b + shift) for a, b in _spans_in(post, BACKWARD, clause)],
    )
    if said == PostStance.DENIES:  # "It's no miracle cure, but it can help": the post asserts
        taken = _taken_back(index, cand, post, text, shift, clause, units, following)
        if taken is not None:
            return taken
    if said in (PostStance.ASSERTS, PostStance.REPORTS) and clause.text != unit.text and study_aim(unit.text):
        # "This trial examined backward walking and its effect on knee pain": the sentence states
        # a study's aim, and so does each clause of it
        return PostStance.ASKS, None
    before = " ".join(u.text for u in units if u.sentence == unit.sentence - 1)
    if said == PostStance.ASSERTS and hypothesis(text, before):
        return PostStance.ASKS, None
    said = _attributed(said, unit, clause, quoted)
    rest = " ".join(
        [
            unit.text[clause.end - unit.start :],
            *(u.text for u in units if u.sentence == unit.sentence and u.start >= unit.end),
        ]
    )
    # "She claims it burns twice the calories, and she's right.": the post agrees
    return (PostStance.ASSERTS if said == PostStance.REPORTS and agreed_after(rest) else said), None


def _judges_own_figure(following: Unit, clause: Unit) -> bool:
    """The sentence after ``clause`` states a result figure of its own (``DENIABLE_FIGURES``: "The
    '100 steps backward = 1,000 forward' rule is a myth.") and ``clause`` states none, neither of
    them a question: a verdict there judges that figure, not the claim the clause makes without it
    ("Walking backward is harder work." is not denied, and a post that denies a figure the evidence
    does not hold is right, not worth a ``denies-supported`` flag)."""
    if is_question(following.text) or is_question(clause.text):
        return False
    return _states_result(following.text) and not _states_result(clause.text)


@functools.lru_cache(maxsize=1024)  # pure; asked again for the same sentences by each match of a post
def _states_result(text: str) -> bool:
    """``text`` holds a typed figure of a result (``DENIABLE_FIGURES``)."""
    return any(f.quantity in DENIABLE_FIGURES for f in post_figures(text))


def _taken_back(
    index: Index,
    cand: Candidate,
    post: Any,
    text: str,
    shift: int,
    clause: Unit,
    units: list[Unit],
    following: Unit | None,
) -> tuple[PostStance, tuple[int, int] | None] | None:
    """The stance and span of a denial of the strong form that a concession takes back
    (``stance.concession_at``: "It's no miracle cure, but it can help" asserts), or None when
    nothing takes it back. ``text``: the clause as read, with ``shift`` characters of its
    sentence's frame before it. The concession is in the clause itself, in the rest of its
    sentence, or in the next sentence (``following``); one that names an outcome, body part or
    topic of another claim concedes that claim, not this one ("... is not proven to help knee
    pain, but it does strengthen your quads": the knee-pain claim stays denied)."""
    unit = cand.unit.unit
    later = [u for u in units if u.sentence == unit.sentence and u.start >= unit.end]
    inside = " ".join([unit.text[clause.end - unit.start :], *(u.text for u in later)]).strip()
    after = inside or (following.text if following else "")
    if concession_at(text, after) is None:
        return None
    sentence_end = max([unit.end, *(u.end for u in later)])
    # what concedes says it in its own voice or passes it on ("But it helps, studies show.")
    voice = PostStance.REPORTS if reported(after) else PostStance.ASSERTS
    taken: tuple[PostStance, tuple[int, int] | None]
    inner = concession_at(text)
    if inner is not None:  # the clause takes it back itself
        region, taken = (clause.start + max(0, inner - shift), clause.end), (PostStance.ASSERTS, None)
    elif inside:
        region, taken = (clause.end, sentence_end), (voice, (clause.start, sentence_end))
    else:
        assert following is not None
        region = (following.start, following.end)
        taken = (voice, region)
    return None if _names_another_claim(index, cand, post, *region) else taken


def _attributed(said: PostStance, unit: Unit, clause: Unit, quoted: Sequence[Span]) -> PostStance:
    """``said``, or ``reports`` for an assertion that someone else's words surround (``stance_and_span``)."""
    if said != PostStance.ASSERTS:
        return said
    if (clause.start, clause.end) != (unit.start, unit.end) and reported_around(
        unit.text[: clause.start - unit.start], unit.text[clause.end - unit.start :]
    ):
        return PostStance.REPORTS
    # Inside a quotation: someone else's words, even when the quotation began a sentence earlier.
    if any(s <= clause.start and clause.end <= e + 1 for s, e in quoted):
        return PostStance.REPORTS
    return said


_MENTION = re.compile(r"@[\w.]+")
_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|$)")  # a figure read across units holds none
HASHTAGS_ONLY = "The post is hashtags only: it names its topics but makes no statement."
# what follows it, by whether any claim was found (the trial: "the claims below" with none below)
HASHTAGS_NAMED = " The claims below are the ones its hashtags name; nothing is flagged as overclaiming."
HASHTAGS_UNNAMED = " None of its hashtags names a curated claim."


def hashtags_warning(matched: bool) -> str:
    """The warning of a hashtags-only post: ``HASHTAGS_ONLY`` and what its tags named (``matched``:
    whether any claim is returned)."""
    return HASHTAGS_ONLY + (HASHTAGS_NAMED if matched else HASHTAGS_UNNAMED)


def hashtags_only(text: str) -> bool:
    """True when the post is nothing but hashtags (and handles, emoji, punctuation): "#walkingbackwards
    #kneepain" names topics and states nothing, so the assertion flags (overclaim, population) do
    not apply, and the response says so (``HASHTAGS_ONLY``)."""
    if not HASHTAG.search(text):
        return False
    rest = _MENTION.sub(" ", HASHTAG.sub(" ", text))
    return not any(ch.isalnum() for ch in rest)


class PerPost:
    """What every match of one post shares, read once: its units (``sentences.split``, or those
    of ``post_units``) and each unit's figures."""

    def __init__(
        self,
        text: str,
        units: list[UnitFeatures] | None = None,
        sent: str | None = None,
        where: list[int] | None = None,
        ranked: Sequence[Candidate] = (),
    ):
        """``text``: the post as read (``clean``, ``compose``); ``sent``: as the client sent it
        (default ``text``), which every quoted span comes from; ``where``: the offset in ``sent`` of
        each offset of ``text`` (``compose``; None: the same offsets); ``ranked``: the claims
        returned, which share out the words of a unit they are made in (``own_clause``)."""
        self.text = text
        self.ranked = ranked
        self.sent = text if sent is None else sent
        self._where = where
        self.units = split(text) if units is None else [uf.unit for uf in units]
        self.hashtags_only = hashtags_only(text)
        self._figures: dict[tuple[int, int], list[Figure]] = {}

    def sent_offsets(self, start: int, end: int) -> tuple[int, int]:
        """The span ``start``-``end`` of ``text`` as offsets into ``sent``."""
        if self._where is None:
            return start, end
        return self._where[start], self._where[end]

    def quote(self, start: int, end: int) -> str:
        """The client's own characters of the span ``start``-``end`` of ``text``."""
        start, end = self.sent_offsets(start, end)
        return self.sent[start:end]

    @functools.cached_property
    def quotations(self) -> list[Span]:
        """The post's quotations (``stance.quotations``), read once for all its matches."""
        return quotations(self.text)

    def figures(self, unit: Unit) -> list[Figure]:
        """The typed figures of ``unit`` (offsets into its text), read once per unit; and a figure
        of the post that spans the unit's edge with no sentence end inside it (a unit split at a
        dash: "Walking 100 Steps Backward - Retro Walking - is Equivalent to 1,000 Steps Forward"
        stays a ratio in the part after the dash; it starts before the unit: a negative offset)."""
        found = self._figures.get((unit.start, unit.end))
        if found is not None:
            return found
        found = post_figures(unit.text)
        for f in self._spanning:
            if (
                f.start < unit.end
                and unit.start < f.end
                and not (unit.start <= f.start and f.end <= unit.end)
            ):
                shifted = replace(f, start=f.start - unit.start, end=f.end - unit.start)
                if not any(g.start < shifted.end and shifted.start < g.end for g in found):
                    found = sorted([*found, shifted], key=lambda g: g.start)
        self._figures[unit.start, unit.end] = found
        return found

    @functools.cached_property
    def _spanning(self) -> list[Figure]:
        """The post's figures read over its whole text that lie across two of its units and no
        sentence end ("." "!" "?" and their CJK forms): read once per post."""
        if len(self.units) < 2:
            return []
        edges = {u.end for u in self.units[:-1]}
        return [
            f
            for f in post_figures(self.text)
            if any(f.start < e < f.end for e in edges) and not _SENTENCE_END.search(f.text)
        ]


def compose(text: str) -> tuple[str, list[int] | None]:
    """``text`` with its decomposed letters composed (NFC, one letter and its combining accents at a
    time), and where each offset of the result is in ``text`` (``len(result) + 1`` offsets; None
    when ``text`` is already composed). The matcher's rules (stance cues such as "d'après", figures,
    sentence ends) are written in composed letters; text pasted decomposed (NFD, as some macOS
    and web sources give) reads the same, and ``_as_sent`` maps every offset back."""
    if unicodedata.is_normalized("NFC", text):
        return text, None
    pieces: list[str] = []
    where: list[int] = []
    start = 0
    for end in range(1, len(text) + 1):
        if end < len(text) and unicodedata.combining(text[end]):
            continue  # a combining mark belongs with the letter before it
        piece = unicodedata.normalize("NFC", text[start:end])
        pieces.append(piece)
        where.extend(min(start + k, end - 1) for k in range(len(piece)))
        start = end
    where.append(len(text))
    return "".join(pieces), where


def is_blank(text: str) -> bool:
    """True when ``text`` holds nothing to read: whitespace, or only invisible characters (zero-width
    spaces and joiners, byte-order marks: ``clean`` turns them into spaces). The API, the page and
    the CLI refuse such a post as empty."""
    return not clean(text).strip()


def readable(text: str) -> str:
    """The text the matcher reads of a post: ``clean`` then ``compose`` (offsets then differ from
    the text as sent only for decomposed letters; ``factcheck`` maps them back). The fact-check,
    its evaluation and the score fit read posts through this one function."""
    return compose(clean(text))[0]


def _as_sent(found: Any, per_post: PerPost) -> Any:
    """``found`` (a match, JSON-ready, read from ``per_post.text``) with every span as offsets into
    the text the client sent and every quoted span (``matched_text``'s ``text``, a figure's
    ``post_says`` beside its ``span``, in messages too) as the client's own characters there:
    "🚶\u200d♀️" and not the "🚶 ♀️" that ``clean`` reads, decomposed accents as sent."""
    if isinstance(found, list):
        return [_as_sent(item, per_post) for item in found]
    if not isinstance(found, dict):
        return found
    out = {
        key: _as_sent(value, per_post) for key, value in found.items() if key not in ("span", "matched_text")
    }
    for key in ("span", "matched_text"):
        span = found.get(key)
        if isinstance(span, dict):
            start, end = per_post.sent_offsets(span["start"], span["end"])
            out[key] = {**span, "start": start, "end": end}
            if "text" in span:
                out[key]["text"] = per_post.sent[start:end]
    if isinstance(found.get("spans"), list):  # an overclaim flag's words, each a span of the post
        out["spans"] = [_as_sent({"span": sp}, per_post)["span"] for sp in found["spans"]]
    span = found.get("span")
    if isinstance(span, dict) and isinstance(found.get("post_says"), str):
        read = per_post.text[span["start"] : span["end"]]
        sent = per_post.sent[out["span"]["start"] : out["span"]["end"]]
        if found["post_says"] == read:
            out["post_says"] = sent
            if isinstance(found.get("message"), str):
                out["message"] = found["message"].replace(read, sent)
    return out


def _match(index: Index, cand: Candidate, per_post: PerPost, base_url: str, publisher: str) -> dict[str, Any]:
    from app.claimreview import claim_review

    profile = index.profiles[cand.claim_id]
    claim = profile.claim
    text = per_post.text
    post = cand.unit.post or index.analyzer.features(text)
    uf, said, denied, fixed = _read_unit(index, cand, per_post, post)
    unit = uf.unit
    figures = per_post.figures(unit)
    # a ratio the post says does not hold ("≠", "isn't worth") is one it denies, whatever its stance
    denied = denied + [f for f in figures if f.negated and f not in denied and f.quantity in DENIABLE_FIGURES]
    # a figure the post denies ("doesn't burn twice the calories") is not one it passes on; one it
    # puts in its place (``fixed``: "It's more like 20% more.") is, and is checked as if said with
    # the claim
    said_figures = [f for f in figures if f not in denied]
    figure_flags, unverified = figure_checks(profile, post, uf, said_figures)
    unverified = _asked(unverified) if said == PostStance.ASKS else unverified
    corrected: list[tuple[Figure, Figure]] = []
    if fixed is not None:
        through = moved(index, uf, post, text, unit.start, fixed[0].end)  # the claim to the correction
        shift = fixed[0].start - unit.start
        shifted = [replace(f, start=f.start + shift, end=f.end + shift) for f in fixed[1]]
        more_flags, more_unverified = figure_checks(profile, post, through, shifted)
        figure_flags, unverified = figure_flags + more_flags, unverified + more_unverified
        corrected = [(d, shifted[0]) for d in denied if d.quantity == shifted[0].quantity]
    # The claim's other units (``Candidate.also``): the match shows its best, but a figure the
    # post passes on in another ("Want to burn double the calories? Run backwards. It has been
    # shown to burn double the calories.": the question is shown) is checked there too, with its
    # own span (new-user trial 2026-12-01: "double" went unflagged).
    if said == PostStance.DENIES:
        # the post denies the claim and the figures it gives with it ("My trainer says it burns 5
        # times more calories. I'm not convinced."): listed as denied, with what the evidence
        # shows of them, never dropped with the claim (those already listed as unverified stay so)
        listed = {(u["span"]["start"], u["span"]["end"]) for u in unverified}
        denied = [*denied, *(f for f in said_figures if f.quantity in DENIABLE_FIGURES
                             and (unit.start + f.start, unit.start + f.end) not in listed)]  # fmt: skip
    elsewhere: list[dict[str, Any]] = []
    for other in cand.also:
        more, more_unverified = _passed_on_figures(index, other, per_post, post)
        elsewhere += [f for f in more if f not in figure_flags + elsewhere]
        unverified += [u for u in more_unverified if u not in unverified]
    quoted, where = per_post.quote(unit.start, unit.end), (unit.start, unit.end)
    mentions = said == PostStance.ASSERTS and per_post.hashtags_only
    if mentions:  # a tag names a figure, the post states none: listed with what the evidence shows
        unverified += [_not_stated(f, "named in a hashtag") for f in elsewhere + figure_flags]
        elsewhere = figure_flags = []
    elif said == PostStance.ASKS:  # "Does it burn 5 times more calories?": the figure as asked,
        # with what the evidence shows (never flagged as the post's: it states nothing)
        # (one the post also states in another unit is flagged there: that one is listed)
        stated = {(e.get("quantity"), e.get("post_says")) for e in elsewhere}
        unverified += [
            _not_stated(f, "asked") for f in figure_flags if (f["quantity"], f["post_says"]) not in stated
        ]
    flags = list(elsewhere)
    if said in (PostStance.ASSERTS, PostStance.REPORTS) and not mentions:  # what the post passes on as true
        flags += figure_flags + misreading_flags(index, profile, uf, said_figures)
        if not per_post.hashtags_only:  # tags pass nothing on
            flags += rejected_flags(claim, said, quoted, where)
    if said == PostStance.ASSERTS and not per_post.hashtags_only:  # tags state nothing to overclaim
        flags += population_flags(index, profile, uf, cand.unit, text, per_post.units)
        flags += activity_flags(index, profile, uf, text)
        flags += overclaim_flags(index, post, uf, text, claim, figures, per_post.units)
    # "doesn't burn twice the calories" denies the exaggeration, not the claim; "burns 20% fewer
    # calories" denies the claim itself
    if not exaggerations(figure_flags):
        flags += denial_flags(claim, said, quoted, where)
    found = {
        "claim": {key: claim[key] for key in SUMMARY_FIELDS} | {"url": base_url.rstrip("/") + claim["url"]},
        "score": round(cand.score, 4),
        # tags name a topic: a post of hashtags only asserts nothing (docs/factcheck.md); its flags
        # are those of an assertion without the statement's (no overclaim, population, rejected)
        "stance": PostStance.MENTIONS if said == PostStance.ASSERTS and per_post.hashtags_only else said,
        "matched_text": {"start": unit.start, "end": unit.end, "text": unit.text},
        "ambiguous_with": cand.ambiguous_with,
        "flags": flags,
        "unverified_figures": unverified,
        "denied_figures": [
            d | _corrected_to(d, corrected, unit.start) for d in denied_figures(profile, post, uf, denied)
        ],
        "citations": claim["citations"],
        "claim_review": claim_review(claim, base_url=base_url, publisher=publisher),
    }  # fmt: skip
    return found if per_post.sent == text else _as_sent(found, per_post)


def _not_stated(flag: dict[str, Any], how: str) -> dict[str, Any]:
    """A figure-mismatch flag of a figure the post names without stating it as an
    ``unverified_figures`` entry, the note saying ``how`` ("named in a hashtag": a post of
    hashtags only, "#Burn2xCalories", stance ``mentions``; "asked": a question, "Does it burn 5
    times more calories?", stance ``asks``) and keeping what the evidence shows."""
    said = f"The post says {flag['post_says']}; "
    shows = flag["message"].removeprefix(said) if flag["message"].startswith(said) else flag["message"]
    return {
        "post_says": flag["post_says"], "quantity": flag["quantity"], "span": flag["span"],
        "note": f"{how}, not stated; {shows}", "study": flag["study"],
    }  # fmt: skip


def _asked(unverified: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``unverified_figures`` entries of the figures a question asks about ("Does it cut knee pain
    in half?"), each note opening "asked, not stated; " as ``_not_stated``'s for a contradicted one."""
    return [u | {"note": f"asked, not stated; {u['note']}"} for u in unverified]


def _read_unit(
    index: Index, cand: Candidate, per_post: PerPost, post: Any
) -> tuple[UnitFeatures, PostStance, list[Figure], Correction | None]:
    """``cand``'s own clause (moved to the words that decide its stance, if those lie beyond it),
    the post's stance there, the figures it denies and what it puts in their place
    (``stance_and_span``)."""
    # the span, stance, figures and flags of this claim
    uf = own_clause(index, cand, post, per_post.text, per_post.ranked)
    uf = _with_contrast_tail(index, uf, post, per_post)
    said, decides, denied, fixed = stance_and_span(
        index, cand, per_post.units, post, uf.unit, per_post.quotations, per_post.figures(uf.unit)
    )
    if decides is not None:  # the concession that decides the stance: its span is what is shown
        uf = moved(index, uf, post, per_post.text, *decides)
    return uf, said, denied, fixed


def _with_contrast_tail(index: Index, uf: UnitFeatures, post: Any, per_post: PerPost) -> UnitFeatures:
    """``uf`` through the end of its sentence when the rest of the sentence is a tail that denies a
    figure (``stance.contrasted_figures``: "Walking backwards burns more calories, but not 5x like
    some say"): the figure is the claim's, denied, and the span shows it; else ``uf``."""
    unit = uf.unit
    # the rest of its sentence, else the next sentence ("... calories. But not 5 times more.")
    for sentence in (unit.sentence, unit.sentence + 1):
        end = max((u.end for u in per_post.units if u.sentence == sentence), default=unit.end)
        if end <= unit.end:
            continue
        whole = Unit(unit.start, end, per_post.text[unit.start : end], unit.sentence)
        results = [(f.start, f.end) for f in per_post.figures(whole) if f.quantity in DENIABLE_FIGURES]
        tail, denied = contrasted_figures(whole.text, results)
        if tail is not None and tail >= len(unit.text.rstrip().rstrip(".!")):
            break
    else:
        return uf
    # through the clause of the figure ("..., but not 5x, and it improves balance": not the balance)
    last = unit.start + max(b for _, b in denied)
    pieces = clause_pieces(per_post.text, unit.start, end)
    through = next((b for a, b in pieces if a < last <= b), end)
    return moved(index, uf, post, per_post.text, unit.start, through)


def _passed_on_figures(
    index: Index, cand: Candidate, per_post: PerPost, post: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``figure_checks`` of a unit making the claim besides the one shown, when the post asserts or
    reports the claim there (a figure it asks about or denies is not one it passes on)."""
    uf, said, denied, _ = _read_unit(index, cand, per_post, post)
    if said not in (PostStance.ASSERTS, PostStance.REPORTS):
        return [], []
    # the claim is only lent to that unit: its figures are another claim's. Judged on the claim's
    # own clause there, before a concession that decides its stance widens it, by the claim's core
    # words ("Walking backwards doesn't burn twice the calories, but it does help my knee
    # arthritis": the calorie clause, widened through "but it does help my knee arthritis", names
    # the knee claim only there, and "twice" is the calorie claim's; new-user trial 2026-12-01)
    clause = own_clause(index, cand, post, per_post.text, per_post.ranked).unit
    if not _names_own_words(index, cand, post, uf.unit) or not _names_core_words(index, cand, post, clause):
        return [], []
    return figure_checks(
        index.profiles[cand.claim_id], post, uf, [f for f in per_post.figures(uf.unit) if f not in denied]
    )


def same_clause_ties(index: Index, ranked: list[Candidate], text: str) -> None:
    """Keep a near tie (``Candidate.ambiguous_with``, marked per sentence by ``scoring.rank``) only
    between claims whose own clauses (``own_clause``) overlap: two claims made in two clauses of
    one sentence ("retro walking eases patellofemoral pain, and backwards walking improves balance")
    are both made, not competing readings of the same words; and only where one of them has no
    words of its own there (``_distinct``): "improves balance and memory in older adults" makes
    both claims, each with its own outcome. Changes ``ranked`` in place."""
    clauses: dict[str, tuple[int, int]] = {}

    def clause(cand: Candidate) -> tuple[int, int]:
        if cand.claim_id not in clauses:
            post = cand.unit.post or index.analyzer.features(text)
            unit = own_clause(index, cand, post, text, ranked).unit
            clauses[cand.claim_id] = (unit.start, unit.end)
        return clauses[cand.claim_id]

    def apart(cand: Candidate, other: Candidate) -> bool:  # each has words of its own there
        post = cand.unit.post or index.analyzer.features(text)
        unit = cand.unit.unit
        return other.unit.unit == unit and all(
            _distinct(index, a, post, unit, b) for a, b in ((cand, other), (other, cand))
        )

    by_id = {c.claim_id: c for c in ranked}
    for cand in ranked:
        if cand.ambiguous_with:
            start, end = clause(cand)
            cand.ambiguous_with = [
                other for other in cand.ambiguous_with
                if other in by_id and clause(by_id[other])[0] < end and start < clause(by_id[other])[1]
                and not apart(cand, by_id[other])
            ]  # fmt: skip


def _corrected_to(
    denied: dict[str, Any], corrected: list[tuple[Figure, Figure]], base: int
) -> dict[str, Any]:
    """``{"corrected_to": {"post_says", "span"}}``: the figure the post gives in place of the denied
    one (``denied``, a ``denied_figures`` entry; ``corrected``: (denied, given) figures, offsets from
    ``base``), or nothing. The given figure is checked like any the post asserts (flags,
    ``unverified_figures``)."""
    for was, given in corrected:
        if denied["span"] == {"start": base + was.start, "end": base + was.end}:
            span = {"start": base + given.start, "end": base + given.end}
            return {"corrected_to": {"post_says": given.text, "span": span}}
    return {}


MAX_CONTEXT = 300  # characters of a page title or heading read as a post's context


def factcheck(
    store: Store, text: str, limit: int = 5, *, index: Index | None = None, context: str | None = None
) -> dict[str, Any]:
    """Match a post against the knowledge base; the result is JSON-ready (the API's shape).

    ``matches``: the claims the post makes, best first, at most ``limit``, each with its score (a
    calibrated probability), the unit of the post that makes it (``matched_text``, offsets into
    ``text``), the post's ``stance`` toward it, flags and unverified figures. ``language``: the
    detected language; ``warnings``: e.g. a language the matcher does not handle. ``index``: the
    index to read (``index_at``: the build a request started with); default: the store's current.
    ``context``: the title or heading of the page the post comes from, if known (``post_units``):
    it names what the post's "it" or "this exercise" is, and is never matched itself.

    Work per post is done once per post (splitting it, its features, its units' vectors), work per
    claim only for the claims shown."""
    started = time.perf_counter()
    sent = text[:MAX_TEXT]
    text, where = compose(clean(sent))
    index = index or get_index(store)
    units, lang = post_units(index, text, context[:MAX_CONTEXT] if context else None)
    # One more than shown: whether the last one shown is a near tie with the next.
    ranked, threshold = _ranked(index, units, lang, None, top=max(0, limit) + 1)
    same_clause_ties(index, ranked, text)
    settings = store.db.settings
    per_post = PerPost(text, units, sent, where, ranked[: max(0, limit)])
    matches = [  # flags, figures and the ClaimReview only for the matches returned
        _match(index, c, per_post, settings.base_url, settings.publisher_name)
        for c in ranked[: max(0, limit)]
    ]
    warnings = [language.warning(part["code"], part["matched_by"]) for part in (lang, *lang["also"])]
    warnings.append(hashtags_warning(bool(matches)) if per_post.hashtags_only else None)
    return {
        "matches": matches,
        "threshold": threshold,
        "language": lang,
        "hashtags_only": per_post.hashtags_only,
        "warnings": [w for w in warnings if w],
        "took_ms": round((time.perf_counter() - started) * 1000, 3),
    }


def ambiguous_claims(index: Index, result: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The claims a result's matches are ambiguous with (``ambiguous_with``: near ties), by id:
    ``{"statement", "path"}`` (the claim's page on this site), for the page and the CLI to name
    them; the API gives the ids only."""
    ids = {cid for m in result["matches"] for cid in m["ambiguous_with"]}
    claims = {cid: index.profiles[cid].claim for cid in ids if cid in index.profiles}
    return {
        cid: {"statement": str(c.get("statement", cid)), "path": str(c["url"])} for cid, c in claims.items()
    }


_older: dict[str | None, Index] = {}  # at most one: the index of a build a request started with
_older_lock = threading.Lock()


def index_at(store: Store, generation: str | None) -> Index:
    """The fact-check index of build ``generation``, for a request that started on that build
    (the worker knows it; the expensive-work process answering may already read a newer one):
    the store's current index when it is that build's, else that build's file (``indexfile``
    keeps the one before the newest), mapped once and kept until another is needed. Raises
    ``store.BuildChanged`` when neither is there (two builds since, or its file removed)."""
    from app.factcheck import indexfile
    from app.store import BuildChanged

    index = get_index(store)
    if index.generation == generation:
        return index
    store.db.invalidate()  # this process may not have noticed the build yet
    index = get_index(store)
    if index.generation == generation or generation is None:
        return index
    with _older_lock:
        found = _older.get(generation)
        if found is None:
            found = indexfile.open_generation(store.db.settings, generation)
            if found is None:
                raise BuildChanged(f"no fact-check index of build {generation} any more")
            _older.clear()
            _older[generation] = found
        return found
