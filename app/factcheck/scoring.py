"""Which claims each unit of a post makes: gates, features and the calibrated score.

For each unit (sentence or clause, ``sentences.split``):

1. *Candidates* are the claims with at least two of their core features in the unit (one when the
   core has one), found through the index's postings.
2. *Gates* (``passes_gates``): a claim about backward locomotion needs "backward" (or retro,
   reverse, BW...) in the unit or in another sentence of the post, or a contrast with walking the
   usual way ("than forward walking", "unlike regular walking", "que caminar hacia adelante":
   ``contrasts_with_forward``, in English and the languages read through the concepts); and
   for each kind the claim's core mentions (activity; body part or topic; outcome) the unit needs
   one of the claim's concepts of that kind. Activities, body parts and topics named anywhere in
   the post count for every unit ("Runner's knee? Walking backwards eases the pain."); outcomes
   do not, but a condition the unit names itself stands for the outcome of a claim about it
   ("stroke survivors should try walking backwards": ``named_conditions``). Two readings across
   words come first: strength work named by the muscle it strengthens is the strength exercise
   ("strengthening these muscles, especially the quadriceps", ``strengthening_as_exercise``), and
   the knee and pain named apart in one unit are knee pain ("reduce stress and pain on knee
   joints", ``pain_of_a_part``), and a load on the knees is a load on the knee joint ("reduces
   stress on the knees", ``load_on_a_part``).
3. *Features* (``FEATURES``): weighted coverage of the claim's core, best coverage of one of its
   texts, core features missing, the cosine between the unit's and the claim's nearest text's
   embeddings, the share of the unit the claim explains, whether the claim has learned weights
   (``learned_known``), and the claim's *learned* evidence: the sum of the weights the claim's
   own logistic regression over development passages gives the unit's concepts and words
   (``learned_values``; 0 for a claim with no labelled passages). No
   feature compares a claim with the unit's other candidates: one clause often makes two claims
   ("burns more calories and costs more energy"), and a cosine margin over the next candidate,
   a feature until 2026-11-30, marked every second claim down (5-fold CV by site on dev: all
   expected claims in the top 3 of multi-claim passages 46.7% with it, 57.0% without).
4. *Score*: a logistic model's linear predictor over the features, mapped to the probability
   that the post makes the claim by an isotonic calibration map fitted out of fold (both by
   ``scripts/fit_factcheck.py`` on development passages only; weights and knots in
   ``data/score-model.json``). A claim is returned at the cut-off of the post's reading
   (``cut_off``) or more.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from app.factcheck.analyzer import STOPWORDS, Features
from app.factcheck.embed import Vectors
from app.factcheck.figures import ENERGY, ratio_spans
from app.factcheck.index import BACKWARD, FORWARD, GAITS, MATCH_KINDS, ClaimProfile, Index
from app.factcheck.sentences import HASHTAG, Unit
from app.factcheck.stance import negation_cues, precautions
from app.workpool import checkpoint

MODEL_FILE = Path(__file__).parent / "data" / "score-model.json"
FEATURES = (
    "core_coverage",
    "text_coverage",
    "missing_core",
    "cosine",
    "unit_share",
    "learned_known",
    "learned",
)
Learned = dict[str, dict[str, float]]  # claim id -> feature name -> weight (the model's "learned")
CARRIED_KINDS = frozenset({"activity", "body", "topic"})  # what earlier units lend to later ones
# "... than forward walking", "unlike regular walking", "compared with normal walking": a post that
# sets something against walking the usual way is about the other direction, even when the
# article's heading, not the passage, names it. "Forward" naming an exercise done in place
# ("easier on the knees than forward lunges", "than forward bends"), or pedalling forward ("more
# than pedalling forward": cycling), is no such contrast.
# The same contrast in the languages read through the concepts (``language``): per language, the
# words that set two things against each other and the ways of naming walking the usual way; the
# two may be up to two words apart ("que caminar rápidamente hacia adelante").
_CONTRASTS_ELSEWHERE = {
    "es": (r"que|a diferencia de|en comparación con|comparad[oa] con|frente a|en lugar de",
           r"hacia (?:adelante|delante)|(?:caminar|andar|correr|marcha|caminata|carrera)\s+"
           r"(?:normal(?:mente)?|convencional|tradicional|habitual|clásica)"),
    "fr": (r"que|contrairement à|par rapport à|comparée? à|au lieu de",
           r"en avant|vers l'avant|marcher normalement|(?:marche|course)\s+"
           r"(?:normale|avant|classique|traditionnelle|habituelle|conventionnelle)"),
    "de": (r"als|im vergleich zu[mr]?|anders als|statt|verglichen mit",
           r"vorwärts|(?:normale[sn]?|normal|herkömmliche[sn]?|gewöhnliche[sn]?)\s+(?:gehen|laufen)"),
    "pt": (r"que|ao contrário d[ao]|em comparação com|comparad[oa] com|em vez de",
           r"para (?:a )?frente|(?:caminhar|andar|correr)\s+normalmente|(?:caminhada|marcha|corrida)\s+"
           r"(?:normal|convencional|tradicional|comum)"),
    "it": (r"che|rispetto a(?:lla|l)?|a differenza de(?:lla|l)|invece di",
           r"in avanti|(?:camminare|correre)\s+normalmente|(?:camminata|corsa|marcia)\s+"
           r"(?:normale|classica|tradizionale|in avanti)"),
    "nl": (r"dan|in vergelijking met|anders dan|in plaats van",
           r"vooruit|voorwaarts|(?:normaal|gewoon)\s+(?:lopen|wandelen)"),
    "ru": (r"чем|по сравнению с|в отличие от|вместо",
           r"вперёд|вперед|обычн[а-я]*\s+(?:ходьб[а-я]*|бег[а-я]*)"),
    # pl "niż szybki marsz do przodu", "w przeciwieństwie do zwykłego chodzenia"; uk "ніж звичайна
    # ходьба", "порівняно з ходьбою вперед"; vi "so với đi bộ thường / thông thường / về phía trước"
    "pl": (r"niż|w porównaniu z|w przeciwieństwie do", r"do przodu|zwykł\w*\s+chodzeni\w*"),
    "uk": (r"ніж|порівняно з|на відміну від", r"вперед|звичайн\w*\s+ходьб\w*"),
    "vi": (r"so với|thay vì",
           r"(?:việc\s+)?(?:đi bộ|đi|chạy)\s+(?:bình thường|thông thường|thường|về phía trước)|về phía trước"),
}  # fmt: skip
# Turkish puts the comparison after what it compares with ("ileri yürümeye göre", "normal
# yürüyüşe kıyasla"): the usual way, then the word that sets it against
_CONTRASTS_AFTER = {
    "tr": (r"ileri\w*", r"göre|kıyasla"),
}  # fmt: skip
# Korean too names the usual way first and the comparison after it, glued to the word before it
# ("앞으로 걸을 때보다", "앞으로 걷기보다", "앞으로 걷는 것보다", "일반 걷기보다": than walking forward /
# than ordinary walking; "앞으로 걷기와는 다른", "앞으로 걸을 때와 다른": unlike walking forward), so
# without the word boundaries of the other languages; 걷 / 걸 (walk) right after the usual way, since
# 앞으로 alone is also "from now on"
_CONTRAST_KO = (
    r"(?:앞으로|일반|일반적인|보통|평소|정방향으로?)\s?(?:걷|걸)[\uac00-\ud7a3]*(?:\s[\uac00-\ud7a3]+){0,2}?"
    r"(?:보다|에\s?비해|와\s?비교|과\s?비교|와는?\s다른|과는?\s다른)"
)
CONTRAST_WITH_FORWARD = re.compile(
    r"\b(?:than|unlike|compared (?:to|with)|versus|vs\.?|instead of)\s+(?:(?!pedal|cycl)[a-z]+\s+){0,2}?"
    r"(?:forwards?(?!\s+(?:lunges?|lunging|bends?|folds?|rolls?|leans?)\b)"
    r"|(?:normal|normally|regular|traditional|conventional|ordinary|usual)\s+"
    r"(?:walk|walking|running|run|way|direction|gait|locomotion))\b"
    + "".join(
        rf"|\b(?:{than})\s+(?:[^\W\d_]+\s+){{0,2}}?(?:{usual})\b"
        for than, usual in _CONTRASTS_ELSEWHERE.values()
    )
    + "".join(
        rf"|\b(?:{usual})\s+(?:[^\W\d_]+\s+){{0,2}}?(?:{than})\b" for usual, than in _CONTRASTS_AFTER.values()
    )
    + "|"
    + _CONTRAST_KO,
    re.IGNORECASE,
)
# Another kind of walking (or another activity) named before the contrast is what the contrast is
# about: "Nordic walking burns 20% more calories than regular walking" compares poles with none,
# not backward with forward (new-user trial 2026-12-01: both calorie claims at 0.97).
_OTHER_GAIT = re.compile(
    r"\b(?:nordic|pole|brisk|power|race|speed|fast|incline[ds]?|uphill|downhill|hill|interval|japanese"
    r"|weighted|barefoot|stairs?|sideways|lateral|trail|marathon)\s+(?:walk|walking|running|run|jogging)\b"
    r"|\b(?:jogging|hiking|rucking|cycling|swimming|rowing|sprinting|skipping|elliptical|stair climbing"
    r"|nordic walking|nordisch\w*|marche nordique|marcha nórdica|camminata nordica|caminhada nórdica)\b",
    re.IGNORECASE,
)


# Walking named with its direction, forward, as only a comparison names it ("not noticeable when
# walking in the forward direction", "the same dose of forward gait training", "forward walkers",
# "forward locomotion"): a contrast with walking the usual way too, without a "than". Not a verb
# with "forward" after it ("walking forwards every day", "walk forward to the wall"), which is how
# anyone says they walk; not a step, a lean or a lunge forward. The development passages that name
# it so make a backward-walking claim.
FORWARD_NAMED = re.compile(
    r"\b(?:walk|walks|walking|walked)\s+in\s+(?:the|a)\s+forwards?\s+direction\b"
    r"|\bforwards?[\s-]+(?:walk|walking|walkers?|running|runners?|gait|locomotion)\b",
    re.IGNORECASE,
)


def contrasts_with_forward(text: str) -> bool:
    """``text`` sets something against walking the usual way (``CONTRAST_WITH_FORWARD``), or names
    walking forward as a direction (``FORWARD_NAMED``), and names no other kind of walking or
    activity (``_OTHER_GAIT``) before it that the contrast would be about; then the something is
    walking the other way, whether or not ``text`` says so."""
    found = CONTRAST_WITH_FORWARD.search(text) or FORWARD_NAMED.search(text)
    return found is not None and not _OTHER_GAIT.search(text, 0, found.start())


# A comparison said without naming what it is against ("improves VO2 max more", "get fitter
# faster", "better cardio", "beats"; in the languages read: "más", "plus", "mehr", "più", "meer",
# "больше", "więcej", "daha", "hơn", "більше"...): with walking forward named anywhere in the post
# (the "forward" concept, lent to every unit), what a claim that sets backward against forward needs
# (``index.FORWARD``, ``gated``). "Improved VO2 max by 5.2%" compares with nothing: it is a change,
# and the claim of a change is another claim.
COMPARATIVE = re.compile(
    r"\b(?:more|better|faster|quicker|greater|superior|outperforms?|beats?|than|"
    r"m[aá]s|mejor(?:es)?|plus|mieux|meilleure?s?|mehr|besser\w*|schneller|mais|melhor(?:es)?|"
    r"pi[uù]|meglio|migliore|meer|beter|sneller|больше|лучше|быстрее|эффективнее|"
    r"więcej|bardziej|daha|hơn|більше|швидше)\b",
    re.IGNORECASE,
)


@dataclass
class UnitFeatures:
    """One unit's features: ``own`` (every kind, with token spans), ``have`` (those that match
    claims, plus the activities ``carried`` from earlier units) and the unit's embedding."""

    unit: Unit
    own: dict[str, list[tuple[int, int]]]
    carried: set[str]
    vector: Vectors
    have: set[str] = field(default_factory=set)
    post: Features | None = None  # the whole post's features (token offsets for spans and flags)
    stated: set[str] = field(default_factory=set)  # features only in its stance words (``stated_only``)
    compares: bool = False  # says a comparison (``COMPARATIVE``): enough for the forward gate


@dataclass
class Candidate:
    claim_id: str
    unit: UnitFeatures
    values: list[float]  # in the order of FEATURES
    matched: set[str]  # the unit's features this claim accounts for
    mass: float  # their total weight
    score: float = 0.0
    z: float = 0.0  # the linear predictor the score calibrates (a tie-break)
    explained_away: bool = False
    ambiguous_with: list[str] = field(default_factory=list)
    # The claim's other units at the threshold or more, best first: the post makes it there too
    # (a headline's question and the sentence that answers it; a figure said twice).
    also: list[Candidate] = field(default_factory=list)


@cache
def load_model(path: Path = MODEL_FILE) -> dict[str, Any]:
    """The fitted score model: ``{"features", "coef", "intercept", "threshold", ...}``."""
    model: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if tuple(model["features"]) != FEATURES:
        raise ValueError(f"{path}: fitted on features {model['features']}, the code computes {FEATURES}")
    return model


def linear(values: list[float], model: dict[str, Any]) -> float:
    """The logistic model's linear predictor (log-odds before calibration)."""
    return float(model["intercept"] + sum(c * v for c, v in zip(model["coef"], values, strict=True)))


def cut_off(model: dict[str, Any], matched_by: str | None = "text") -> float:
    """The score a match must reach to be returned, for a post read in full (``"text"``) or
    through the concepts' terms of its language (``"concepts"``), as the model file gives them
    (``thresholds``; the fit now writes one pooled value for both: scripts/fit_factcheck.py
    ``system_cuts``)."""
    return float(model.get("thresholds", {}).get(matched_by or "text", model["threshold"]))


def probability(values: list[float], model: dict[str, Any]) -> float:
    """The calibrated probability that the post makes the claim.

    With a ``calibration`` map in the model (``{"z": [...], "p": [...]}``, non-decreasing knots of
    isotonic regressions of the outcome on the linear predictor, fitted on out-of-fold predictions
    and averaged over bootstrap samples of the sites by scripts/fit_factcheck.py): linear
    interpolation between the knots, so the score says how
    often a match of that score was right on sites the fit had not seen. Without one: the
    logistic function of the linear predictor."""
    z = linear(values, model)
    calibration = model.get("calibration")
    if calibration:
        return float(np.interp(z, calibration["z"], calibration["p"]))
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def lent_by(index: Index, context: Features, text: str) -> frozenset[str]:
    """What a post's *context* (its page's title or heading, sent beside it) lends to every unit:
    its activities, body parts and topics (``CARRIED_KINDS``), and "backward" when it names
    backward locomotion or contrasts with walking the usual way, as another sentence of the post
    would; never an outcome (each unit must state its own). ``context``: the features of ``text``."""
    kind = index.analyzer.kind
    lent = {f for f in context.spans if kind(f) in CARRIED_KINDS}
    if BACKWARD in context.spans or contrasts_with_forward(text):
        lent.add(BACKWARD)
    return frozenset(lent)


def unit_features(
    index: Index, post: Features, units: list[Unit], from_context: frozenset[str] = frozenset()
) -> list[UnitFeatures]:
    """Split the post's features by unit; embed every unit in one call.

    The gates read the post as a whole: the activities, body parts and topics of every other unit
    (and "backward" or a contrast with forward walking anywhere in the post) are ``carried`` into
    each unit, because a post is about one activity even when only one of its sentences names it
    ("Walking backwards is big on TikTok. It eases knee pain, physios say."). Outcomes are not
    carried: each unit must state its own, and an outcome named only in hashtags ("... burns more
    calories #kneepain") is the post's topic, not an outcome it states: it is kept in ``own`` (the
    flags read it) but is not one of the unit's features (``have``). ``from_context``: what the
    post's context lends every unit (``lent_by``), carried like the post's own."""
    vectors = index.encoder.encode([u.text for u in units])
    kind = index.analyzer.kind
    post = pain_of_a_part(index, strengthening_as_exercise(index, post, units), units)
    post = load_on_a_part(index, ratio_as_effort(index, post, units))
    # Each span goes to the unit its first token starts in (units are in order and do not overlap):
    # one pass over the post's spans, not one per unit.
    unit_of = _unit_finder(post, units)
    owns: list[dict[str, list[tuple[int, int]]]] = [{} for _ in units]
    for feature, spans in post.spans.items():
        for i, j in spans:
            n = unit_of(i)
            if n >= 0 and post.tokens[i].start < units[n].end:
                owns[n].setdefault(feature, []).append((i, j))
    lent: list[set[str]] = []  # what each unit lends to the others
    for unit, own in zip(units, owns, strict=True):
        checkpoint()  # a long post stops here once its request is past its deadline
        gives = {f for f in own if kind(f) in CARRIED_KINDS}
        if BACKWARD in own or contrasts_with_forward(unit.text):
            gives.add(BACKWARD)
        lent.append(gives)
    lenders = Counter(f for gives in lent for f in gives)  # how many units lend each feature
    out: list[UnitFeatures] = []
    for n, (unit, vector, own) in enumerate(zip(units, vectors, owns, strict=True)):
        context = {f for f, count in lenders.items() if count > (f in lent[n])} | from_context
        # outcomes named only in closing hashtags or in the precaution of an instruction ("hold the
        # rails so you don't fall": advice, no risk the unit states) are not the unit's own
        aside = _hashtag_spans(unit) + [(unit.start + a, unit.start + b) for a, b in precautions(unit.text)]
        have = {f for f, spans in own.items() if kind(f) in MATCH_KINDS
                and not (kind(f) == "outcome" and aside and _only_in(post, spans, aside))}  # fmt: skip
        have |= context | (lent[n] & {BACKWARD})
        compares = bool(COMPARATIVE.search(unit.text))
        out.append(
            UnitFeatures(
                unit, own, context - set(own), vector, have, post, stated_only(post, unit, own), compares
            )
        )
    return out


def stated_only(post: Features, unit: Unit, own: dict[str, list[tuple[int, int]]]) -> set[str]:
    """The unit's features whose every token lies in its stance words (the negation and verdict cues
    of ``stance.negation_cues``: "won't", "isn't on their side", "no evidence", "a myth"): how the
    post takes a claim, not what it says, so they are no part of the unit a claim could explain
    (``unit_share``). ``own``: token spans."""
    cues = [(unit.start + a, unit.start + b) for a, b in negation_cues(unit.text)]
    if not cues:
        return set()
    tokens = post.tokens
    return {
        f for f, spans in own.items()
        if all(any(a <= tokens[k].start and tokens[k].end <= b for a, b in cues) for i, j in spans for k in range(i, j))
    }  # fmt: skip


# Strength work named by what it does to a muscle, not by an exercise: "strengthening these
# muscles, especially the quadriceps, can help reduce the pain", "exercises on the quadriceps
# muscle", "building strength is the best thing you can do for knee pain". The activity
# (``STRENGTH_EXERCISE``) is read from a strengthening word with a muscle in the same unit ("muscle",
# or a ``STRENGTHENED`` body part), or from "build" just before "strength" or "muscle", in a post
# that names no other activity: in "walking backward strengthens the quads" (or "... It
# strengthens the quads.") the strengthening is what walking does, not an exercise of its own.
STRENGTH_EXERCISE = "quadriceps-exercise"
STRENGTHENED = frozenset({"quadriceps"})  # the body parts the concept's exercises strengthen
_STRENGTHENING = frozenset({"strengthen", "exercis"})  # stems: strengthen(s, ing), exercise(s)
_BUILT = frozenset({"strength", "muscl"})  # what "build" builds as strength work
_MUSCLE = "muscl"  # the stem of muscle(s)
# Muscles other than the quadriceps: a unit that strengthens these and names no quadriceps
# ("strengthening the hamstrings and gluteus maximus muscles, which are key for knee strength") is
# strength work of other muscles, not the quadriceps exercise (stems: hamstring(s), glute(s),
# gluteus, gluteal, calf, calves)
_OTHER_MUSCLES = frozenset({"hamstr", "glute", "gluteus", "gluteal", "calf", "calv"})
_NOT_OTHER = frozenset({"training", STRENGTH_EXERCISE})  # activities that leave the reading open


def strengthening_as_exercise(index: Index, post: Features, units: list[Unit]) -> Features:
    """``post`` with ``STRENGTH_EXERCISE`` over each strengthening word that names strength work
    in its unit (see ``STRENGTH_EXERCISE``), as a new ``Features`` (the caller's is not changed);
    ``post`` itself when none does, when the post names another activity, or when the index has
    no such concept (a knowledge base without it)."""
    kind = index.analyzer.kind
    if STRENGTH_EXERCISE not in index.analyzer.concepts or any(
        kind(f) == "activity" and f not in _NOT_OTHER for f in post.spans
    ):
        return post
    tokens = post.tokens
    doing = [k for k, t in enumerate(tokens) if t.stem in _STRENGTHENING or t.stem == "build"]
    if not doing:
        return post
    unit_of = _unit_finder(post, units)
    quads = {unit_of(i) for f in STRENGTHENED for i, _ in post.spans.get(f, ())}
    others = {unit_of(k) for k, t in enumerate(tokens) if t.stem in _OTHER_MUSCLES} - quads
    muscled = {unit_of(k) for k, t in enumerate(tokens) if t.stem.startswith(_MUSCLE)} - others
    muscled |= quads
    found = [
        (k, k + 1)
        for k in doing
        if (tokens[k].stem == "build" and k + 1 < len(tokens) and tokens[k + 1].stem in _BUILT)
        or (tokens[k].stem != "build" and unit_of(k) in muscled)
    ]
    if not found:
        return post
    spans = {**post.spans, STRENGTH_EXERCISE: [*post.spans.get(STRENGTH_EXERCISE, []), *found]}
    return Features(spans, tokens)


def ratio_as_effort(index: Index, post: Features, units: list[Unit]) -> Features:
    """``post`` with the energy-cost outcome (``figures.ENERGY``) over each ratio of counts backward
    and forward (``figures.ratio_spans``: "100 steps backward = 1,000 forward", "100 backward steps
    are worth 1000 forward"), as a new ``Features``: the ratio says going backward is that much more
    work, and the figures check holds it to the evidence of effort; with its unit said once there
    are no words of effort to read ("steps forward" is a term of the concept). ``post`` itself when
    a unit has no ratio or the index has no such concept."""
    if ENERGY not in index.analyzer.concepts:
        return post
    found = [
        where
        for unit in units
        for start, end in ratio_spans(unit.text)
        if (where := post.token_range(unit.start + start, unit.start + end)) is not None
    ]
    if not found:
        return post
    return Features({**post.spans, ENERGY: [*post.spans.get(ENERGY, []), *found]}, post.tokens)


# Pain of a body part named apart from it: "reduce stress and pain on knee joints", "shifts the
# pressure away from the patellofemoral joint, which helps reduce pain", "the load on the kneecap,
# easing the stress that often causes pain". A unit that names the part and pain (not another
# part's pain: "strengthens your knees and eases back pain") names that part's pain, as the phrase
# would ("knee pain"). Part -> (pain concepts, the part's pain, other parts' pains).
PAIN_OF_PART = {"knee": (frozenset({"pain"}), "knee-pain", frozenset({"back-pain"}))}


def pain_of_a_part(index: Index, post: Features, units: list[Unit]) -> Features:
    """``post`` with the part's pain concept (``PAIN_OF_PART``) over the pain words of each unit
    that names the part and pain apart, as a new ``Features``; ``post`` itself when no unit does
    (or the index lacks the concepts)."""
    concepts = index.analyzer.concepts
    unit_of = _unit_finder(post, units)
    added: dict[str, list[tuple[int, int]]] = {}
    for part, (pains, of_part, others) in PAIN_OF_PART.items():
        if part not in post.spans or of_part not in concepts:
            continue
        elsewhere = {k for f in others for i, j in post.spans.get(f, ()) for k in range(i, j)}
        pain = [(i, j) for f in pains for i, j in post.spans.get(f, ()) if not elsewhere & set(range(i, j))]
        named = {unit_of(i) for i, _ in post.spans[part]}
        found = [(i, j) for i, j in pain if unit_of(i) in named]
        if found:
            added[of_part] = [*post.spans.get(of_part, []), *found]
    return Features({**post.spans, **added}, post.tokens) if added else post


# A load said to fall on a body part is a load on its joint: "reduces stress on the knees", "less
# pressure on knees", "minimizing strain on the knees", "takes pressure off your knees", "reducing the
# load on your knees" say what "stress on the knee joint" says, and the knee joint is the
# patellofemoral joint the knee-load claim is about (its texts name the kneecap, the knee joint or the
# patellofemoral joint; the posts that pass it on name the knees). Part -> (the load concept, the
# joint concept); the part must lie inside the load's term ("save your knees"), follow it within
# ``LOAD_REACH`` words ("force through the front of the knee") or come just before it ("knee
# stress", "knee load"), in a post that names a gait (walking or running, ``GAITS``): the joint load
# of a lunge, a step or a kneel ("the backward motion reduces stress on the knees compared to
# forward lunges") is not what the claims measured.
LOAD_ON_PART = {"knee": ("compressive-force", "patellofemoral")}
LOAD_REACH = 6


def load_on_a_part(index: Index, post: Features) -> Features:
    """``post`` with the joint concept of ``LOAD_ON_PART`` over each span of the part that a load
    falls on (see ``LOAD_ON_PART``), as a new ``Features``; ``post`` itself when none does (or the
    index lacks the concepts)."""
    concepts = index.analyzer.concepts
    added: dict[str, list[tuple[int, int]]] = {}
    for part, (load, joint) in LOAD_ON_PART.items():
        if (
            part not in post.spans
            or load not in post.spans
            or joint not in concepts
            or GAITS.isdisjoint(post.spans)
        ):
            continue
        loads = post.spans[load]
        found = [
            (i, j)
            for i, j in post.spans[part]
            if any(a <= i <= b + LOAD_REACH - 1 or j == a for a, b in loads)
        ]
        if found:
            added[joint] = [*post.spans.get(joint, []), *found]
    return Features({**post.spans, **added}, post.tokens) if added else post


def _unit_finder(post: Features, units: list[Unit]) -> Callable[[int], int]:
    """token number of ``post`` -> the number of the unit its token starts in (-1: before the
    first; units are in order and do not overlap)."""
    starts = [u.start for u in units]
    return lambda k: bisect.bisect_right(starts, post.tokens[k].start) - 1


_TAG_BLOCK = re.compile(rf"(?:\s*{HASHTAG.pattern})+[\W_]*$")  # the hashtags that close a unit
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[^\w#]*$")


def _hashtag_spans(unit: Unit) -> list[tuple[int, int]]:
    """(start, end) in the post of the unit's *tags*: the hashtags that close it after a statement
    of its own ("... burns 40% more calories #kneepain #fitness"). A hashtag inside the sentence
    ("healed my #kneepain", "for #KneePainRelief") or a unit of hashtags only is read as words."""
    if "#" not in unit.text:
        return []
    block = _TAG_BLOCK.search(unit.text)
    if block is None:
        return []
    before = _WORD_BEFORE.search(unit.text[: block.start()])
    if before is None or before.group(1).lower() in STOPWORDS:
        return []
    return [
        (unit.start + m.start(), unit.start + m.end()) for m in HASHTAG.finditer(unit.text, block.start())
    ]


def _only_in(post: Features, spans: list[tuple[int, int]], tags: list[tuple[int, int]]) -> bool:
    """Every one of the token ``spans`` lies inside one of ``tags`` (character spans)."""
    return all(
        any(a <= post.tokens[i].start and post.tokens[j - 1].end <= b for a, b in tags) for i, j in spans
    )


def passes_gates(
    profile: ClaimProfile,
    have: set[str],
    outcomes: frozenset[str],
    compares: bool = False,
    named: frozenset[str] = frozenset(),
) -> bool:
    """Every required kind of the claim is present in the unit (see the module doc). The outcome
    gate asks for an outcome (any of ``outcomes``), not the claim's own wording of it: "less
    pounding" is an outcome the score then weighs, or one of the claim's conditions the unit
    names itself (``named``: ``named_conditions``); the forward gate walking forward named, or a
    comparison the unit says (``compares``: ``COMPARATIVE``). ``gated`` computes the same for
    every claim at once."""
    subject = profile.required.get("subject", frozenset())
    return all(
        required & have
        or (gate == "outcome" and (outcomes & have or named & subject))
        or (gate == FORWARD and compares)
        for gate, required in profile.required.items()
    )


@dataclass
class UnitValues:
    """The gated candidates of one unit as arrays: claim numbers, ``FEATURES`` values (one row per
    claim), the weight of the unit's words each accounts for, and the unit's features as a mask."""

    uf: UnitFeatures
    claims: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]
    mass: npt.NDArray[np.float64]
    mask: npt.NDArray[np.bool_]

    def candidate(self, index: Index, i: int) -> Candidate:
        claim = int(self.claims[i])
        matched = {index.feature_names[f] for f in index.features.row(claim).tolist() if self.mask[f]}
        return Candidate(
            index.claim_order[claim], self.uf, self.values[i].tolist(), matched, float(self.mass[i])
        )


def gated(index: Index, uf: UnitFeatures) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(claim numbers, their core sizes) of the unit's candidates: two of their core features in
    the unit (or their only one), through the postings, and every gate passed (``passes_gates``),
    for all candidates at once."""
    have = uf.have
    mask = index.mask(have)
    claims, counts = index.hits(mask)
    core_size = index.core.sizes(claims)
    keep = (counts >= 2) | (core_size <= 1)  # two core features, or the only one
    claims, core_size = claims[keep], core_size[keep]
    any_outcome = bool(index.outcomes & have)
    named = named_conditions(index, uf)
    passes = np.ones(len(claims), dtype=np.bool_)
    for gate, concepts in index.gates.items():
        if (gate == "outcome" and any_outcome) or (gate == FORWARD and uf.compares):
            continue
        ok = (concepts.sizes(claims) == 0) | concepts.any(claims, mask)
        if gate == "outcome" and named:
            ok |= index.gates["subject"].any(claims, index.mask(named))
        passes &= ok
    return claims[passes], core_size[passes]


# What puts an activity to work for a condition: "for", "after", "should", "try", "therapy",
# "training", "rehab", "drills", "practise", "recommend", "add ... to", or a question naming the
# condition ("Runner's knee? Walk backward."); not a condition that only describes how people walk
# ("those with PD have impaired forward and backward walking").
FOR_A_CONDITION = re.compile(
    r"\?|\b(?:for|after|should|try|trying|therapy|therapies|treatment|rehab\w*|training|drills?|"
    r"practi[sc]e|recommend\w*|prescrib\w*|add)\b",
    re.IGNORECASE,
)


def named_conditions(index: Index, uf: UnitFeatures) -> set[str]:
    """The conditions the unit names itself (not lent by another sentence; ``index.conditions``)
    and puts the activity to work for (``FOR_A_CONDITION``): "runner's knee", "Parkinson's",
    "after surgery". The activity named for one of a claim's own conditions stands for the claim's
    outcome (``gated``): "stroke survivors should try walking backwards", "backward walking therapy
    for Parkinson's disease", "walk backwards on an incline after your ACL reconstruction" say it
    helps as plainly as "improves" would; the outcome word is still missing from the core, and the
    score weighs that."""
    if not FOR_A_CONDITION.search(uf.unit.text):
        return set()
    return {f for f in uf.have - uf.carried if f in index.conditions}


def unit_values(
    index: Index,
    uf: UnitFeatures,
    candidates: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None,
    cosine: npt.NDArray[np.float32] | None = None,
    learned: Learned | None = None,
) -> UnitValues | None:
    """The gated candidates of one unit with their feature values (None: no candidate).

    Computed for all candidates at once over the index's arrays (``index.Index``): the cost follows
    the number of candidates, with no Python work per candidate but the few claims with learned
    weights (``learned``: the score model's, ``learned_values``). ``candidates`` (``gated``) and
    their ``cosine`` may be given when computed for several units at once (``_passing``)."""
    claims, core_size = candidates if candidates is not None else gated(index, uf)
    if not len(claims):
        return None
    have = uf.have
    idf = index.idf_array
    mask = index.mask(have)
    weights = np.where(mask, idf, 0.0)
    # the unit's content: its words less those lent by other units and those that only state its
    # stance ("won't", "no evidence"), which no claim explains
    own_weight = sum(index.idf.get(f, 1.0) for f in have - uf.carried - uf.stated) or 1.0
    if cosine is None:
        cosine = index.cosine_table(claims, uf.vector[None, :])[:, 0]
    cos = cosine.astype(np.float64)
    own = index.mask(set(uf.own) - uf.stated)
    # backward walking stands for backward running in the core, and the other way round (``GAITS``)
    core_mask = index.mask(have | GAITS) if have & GAITS and BACKWARD in have else mask
    core_weights = np.where(core_mask, idf, 0.0)
    values = np.stack(
        [
            index.core.sums(claims, core_weights) / index.core_weight[claims],
            index.best_text(claims, weights),
            (core_size - index.core.counts(claims, core_mask)).astype(np.float64),
            cos,
            index.features.sums(claims, np.where(mask & own, idf, 0.0)) / own_weight,
            learned_known(index, learned, claims),
            learned_values(index, learned, claims, mask | own),
        ],
        axis=1,
    )
    return UnitValues(uf, claims, values, index.features.sums(claims, weights), mask)


def learned_known(
    index: Index, learned: Learned | None, claims: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Per claim of ``claims``: 1.0 when it has learned weights, else 0.0 (the ``learned_known``
    feature). A claim no labelled passage makes (a curator's new claim, a generated knowledge
    base) has no learned evidence, which is not evidence against it: the fit sees every row once
    more as if its claim had no weights (``scripts/fit_factcheck.py``), so this feature's weight
    is what a claim without weights is scored as lacking."""
    if not learned or not len(claims):
        return np.zeros(len(claims), dtype=np.float64)
    return _learned_table(index, learned)[0][claims].astype(np.float64)


def learned_values(
    index: Index, learned: Learned | None, claims: npt.NDArray[np.int64], present: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """Per claim of ``claims``: the sum of its learned weights over the features ``present`` (a
    mask over the index's features: the unit's own and those lent to it), 0 for a claim without
    weights. The weights are a per-claim logistic regression of "the passage makes this claim" on
    the concepts and words of the development passages (``scripts/fit_factcheck.py``: features of
    the index only, so a word no claim uses has no weight), without its intercept: the evidence
    the unit's words give for that claim beyond the general features. A knowledge base's other
    claims, with no labelled passages, get 0."""
    out = np.zeros(len(claims), dtype=np.float64)
    if not learned or not len(claims):
        return out
    has, table = _learned_table(index, learned)
    for i in np.flatnonzero(has[claims]).tolist():
        ids, weights = table[int(claims[i])]
        out[i] = float(weights[present[ids]].sum())
    return out


_LEARNED_TABLES = 4  # learned weight sets kept per index (the shipped model's, a fit's folds)


def _learned_table(
    index: Index, learned: Learned
) -> tuple[npt.NDArray[np.bool_], dict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]]:
    """``learned`` over ``index``'s numbering: which claims have weights, and per claim number its
    feature numbers and weights (features the index does not know are left out). Kept on the
    index with the weight set it was made from, the last ``_LEARNED_TABLES`` of them."""
    tables = index.learned_tables
    for held, has, table in tables:
        if held is learned:
            return has, table
    has = np.zeros(len(index.claim_order), dtype=np.bool_)
    table = {}
    for claim_id, weights in learned.items():
        pos = index.claim_pos.get(claim_id)
        known = [(index.feature_id[f], w) for f, w in weights.items() if f in index.feature_id]
        if pos is None or not known:
            continue
        has[pos] = True
        table[pos] = (np.array([f for f, _ in known], dtype=np.int64), np.array([w for _, w in known]))
    tables.append((learned, has, table))
    del tables[:-_LEARNED_TABLES]
    return has, table


def unit_candidates(index: Index, uf: UnitFeatures, learned: Learned | None = None) -> list[Candidate]:
    """The gated candidates of one unit with their feature values (score not yet set)."""
    found = unit_values(index, uf, learned=learned)
    return [found.candidate(index, i) for i in range(len(found.claims))] if found else []


def _explain_away(found: list[Candidate], threshold: float) -> None:
    """A partial match (a core feature missing) whose words an accepted, complete match of the same
    unit also accounts for, and more, adds nothing but a likely wrong answer: it is dropped."""
    accepted = [c for c in found if c.score >= threshold and c.values[2] == 0]
    for c in found:
        if c.values[2] > 0:
            c.explained_away = any(
                o.unit is c.unit and c.matched < o.matched and o.mass > c.mass for o in accepted
            )


def rank(
    index: Index, units: list[UnitFeatures], model: dict[str, Any], *, top: int | None = None
) -> list[Candidate]:
    """Every candidate of every unit, scored; per claim its best unit; best first.
    ``top``: only the best ``top`` claims scored at the threshold or more (``_rank_top``: what
    ``factcheck`` shows, without scoring the candidates it would not show).

    Order: score, then the linear predictor (the calibration map is flat in places), then the
    weight of the post's words the claim accounts for, then the cosine: evidence in the post,
    never the claim's id. A claim's other units at the threshold or more are its ``also`` (best
    first). Two accepted claims of the same unit whose scores
    differ by less than ``near_tie`` are marked ambiguous with each other."""
    if top is not None:
        return _rank_top(index, units, model, top)
    found: list[Candidate] = []
    for values in unit_values_all(index, units, model.get("learned")):
        cands = [values.candidate(index, i) for i in range(len(values.claims))]
        for c in cands:
            c.z = linear(c.values, model)
            c.score = probability(c.values, model)
        _explain_away(cands, model["threshold"])
        found.extend(c for c in cands if not c.explained_away)
    best: dict[str, Candidate] = {}
    for c in found:
        held = best.get(c.claim_id)
        if held is None or (c.score, c.z, c.mass) > (held.score, held.z, held.mass):
            best[c.claim_id] = c
    for c in sorted(found, key=_rank_order):
        if c.score >= model["threshold"] and c is not best[c.claim_id]:
            best[c.claim_id].also.append(c)
    ranked = sorted(best.values(), key=_rank_order)
    _mark_near_ties([c for c in ranked if c.score >= model["threshold"]], model)
    ranked = _condition_first(index, ranked, model["threshold"])
    return ranked


# A condition a claim is about: a topic concept named for a group of patients ("stroke-condition",
# "parkinsons-condition", "cerebral-palsy-condition", "patellofemoral-pain-condition").
CONDITION_SUFFIX = "-condition"


def _conditions(index: Index, claim_id: str) -> frozenset[str]:
    """The conditions in the claim's core (``CONDITION_SUFFIX``)."""
    kind = index.analyzer.kind
    return frozenset(
        f for f in index.profiles[claim_id].core if f.endswith(CONDITION_SUFFIX) and kind(f) == "topic"
    )


def _condition_first(index: Index, ranked: list[Candidate], threshold: float) -> list[Candidate]:
    """``ranked`` with each accepted claim about a condition the unit names in its own words moved
    before the accepted claims of the same unit that are about no condition: "adding backward
    walking training results in improvements in postural stability in children with cerebral
    palsy" is the cerebral palsy claim first, the balance claim after it, whatever their scores (a
    post that names the patients a claim was tested in is about that claim). Accepted claims come
    first in ``ranked`` (by score); the rest keep their place."""
    accepted = [c for c in ranked if c.score >= threshold]
    if len(accepted) < 2:
        return ranked
    conditions = {c.claim_id: _conditions(index, c.claim_id) for c in accepted}
    out = list(accepted)
    for c in accepted:
        if not conditions[c.claim_id] & c.unit.own.keys():
            continue
        at = out.index(c)
        before = next(
            (k for k, g in enumerate(out[:at]) if g.unit is c.unit and not conditions[g.claim_id]), None
        )
        if before is not None:
            out.insert(before, out.pop(at))
    return out + ranked[len(accepted) :]


def _rank_order(c: Candidate) -> tuple[float, float, float, float]:
    """``rank``'s order, best first: score, linear predictor, mass, cosine (``_rank_top``'s too)."""
    return (-c.score, -c.z, -c.mass, -c.values[3])


def _mark_near_ties(accepted: list[Candidate], model: dict[str, Any]) -> None:
    """Every two accepted candidates of one unit whose scores differ by less than ``near_tie``, not
    only neighbours in the ranking: a claim of another sentence ranked between two tied claims
    does not part them. (``check.factcheck`` then keeps the ties of the same clause only.)"""
    near = float(model.get("near_tie", 0.03))
    for i, a in enumerate(accepted):  # best first: the later ones only get further away
        for b in accepted[i + 1 :]:
            if a.score - b.score >= near:
                break
            if a.unit is b.unit:
                a.ambiguous_with.append(b.claim_id)
                b.ambiguous_with.append(a.claim_id)


def _rank_top(index: Index, units: list[UnitFeatures], model: dict[str, Any], top: int) -> list[Candidate]:
    """``rank``'s first ``top`` accepted claims, found without scoring every candidate in Python.

    Every unit's candidates get their linear predictor with array operations; those that may
    reach the threshold are visited best first (linear predictor, mass, cosine: ``rank``'s order,
    the score being a non-decreasing function of the predictor). A visited candidate is scored exactly (``probability``), skipped when below the
    threshold, explained away (``_explain_away``: against its unit's accepted complete candidates)
    or of a claim already taken (a claim's first candidate in this order is its best), else taken;
    the visit stops at ``top`` claims, then goes on through the accepted candidates of the claims
    taken (their ``also``) until the threshold. The result equals ``rank``'s accepted claims cut at
    ``top``."""
    threshold = model["threshold"]
    coef = np.asarray(model["coef"], dtype=np.float64)
    pool = _passing(index, units, model)
    if not pool:
        return []
    unit_no = np.concatenate([np.full(len(rows), n) for n, (_, rows) in enumerate(pool)])
    row_no = np.concatenate([rows for _, rows in pool])
    values = np.concatenate([found.values[rows] for found, rows in pool])
    mass = np.concatenate([found.mass[rows] for found, rows in pool])
    z = model["intercept"] + values @ coef
    order = np.lexsort((-values[:, 3], -mass, -z))
    complete: dict[int, list[Candidate]] = {}
    ranked: list[Candidate] = []
    taken: dict[str, Candidate] = {}
    for at in order.tolist():
        n = int(unit_no[at])
        found, rows = pool[n]
        i = int(row_no[at])
        held = taken.get(index.claim_order[int(found.claims[i])])
        if held is None and len(ranked) >= top:
            continue  # past ``top`` claims, only the other units of those taken are visited
        c = found.candidate(index, i)
        c.z, c.score = linear(c.values, model), probability(c.values, model)
        if c.score < threshold:
            if len(ranked) >= top:
                break  # the order is by the predictor: no later candidate reaches the threshold
            continue
        if c.values[2] > 0:
            if n not in complete:
                complete[n] = _accepted_complete(index, found, rows, model)
            if any(c.matched < o.matched and o.mass > c.mass for o in complete[n]):
                continue
        if held is not None:
            held.also.append(c)
            continue
        taken[c.claim_id] = c
        ranked.append(c)
    _mark_near_ties(ranked, model)
    return _condition_first(index, ranked, threshold)


def unit_values_all(
    index: Index, units: list[UnitFeatures], learned: Learned | None = None
) -> list[UnitValues]:
    """``unit_values`` of every unit of a post that has candidates, the cosines of all units in one
    matrix product over the union of their candidates: the units' candidates overlap (a post's
    activities and body parts are lent to all its units), so each claim's texts are read once."""
    found = []
    for uf in units:
        checkpoint()  # a long post stops here once its request is past its deadline
        candidates = gated(index, uf)
        if len(candidates[0]):
            found.append((uf, candidates))
    if not found:
        return []
    claims = np.unique(np.concatenate([c[0] for _, c in found]))
    table = index.cosine_table(claims, np.stack([uf.vector for uf, _ in found]))
    out = []
    for column, (uf, candidates) in enumerate(found):
        checkpoint()
        cosine = table[np.searchsorted(claims, candidates[0]), column]
        values = unit_values(index, uf, candidates, cosine, learned)
        if values is not None:
            out.append(values)
    return out


def _passing(
    index: Index, units: list[UnitFeatures], model: dict[str, Any]
) -> list[tuple[UnitValues, npt.NDArray[np.int64]]]:
    """Per unit with candidates: its values and the rows whose linear predictor may reach the
    threshold (``z_floor``; ``probability`` decides)."""
    floor = z_floor(model)
    coef = np.asarray(model["coef"], dtype=np.float64)
    pool = []
    for values in unit_values_all(index, units, model.get("learned")):
        rows = np.flatnonzero(model["intercept"] + values.values @ coef >= floor)
        if len(rows):
            pool.append((values, rows))
    return pool


def z_floor(model: dict[str, Any]) -> float:
    """A linear predictor below which no score reaches the threshold (the score is a
    non-decreasing function of it), less 1e-9 for rounding."""
    threshold = model["threshold"]
    calibration = model.get("calibration")
    if calibration:  # np.interp: flat outside the knots, linear between them
        below = [z for z, p in zip(calibration["z"], calibration["p"], strict=True) if p < threshold]
        return max(below) - 1e-9 if below else -math.inf
    return math.log(threshold / (1 - threshold)) - 1e-9 if 0 < threshold < 1 else -math.inf


def _accepted_complete(
    index: Index, found: UnitValues, rows: npt.NDArray[np.int64], model: dict[str, Any]
) -> list[Candidate]:
    """The unit's candidates (of ``rows``) with no core feature missing, scored at the threshold
    or more: what explains a partial candidate away (``_explain_away``)."""
    out = []
    for r in rows.tolist():
        if found.values[r, 2] == 0:
            c = found.candidate(index, r)
            c.z, c.score = linear(c.values, model), probability(c.values, model)
            if c.score >= model["threshold"]:
                out.append(c)
    return out
