"""Recall on real wording (issue 14): paraphrases a curator accepts for a claim's outcome or body
part, and words whose other sense must not make a claim. Through the API (both backends) with the
shipped data and score model, and on the concepts of data/concepts.yaml directly. The sentences
are written for these tests, not taken from the labelled set."""

from __future__ import annotations

import pytest
import yaml
from claimids import BALANCE, ENERGY, KNEE_OA, KNEE_PAIN, PARKINSONS, QUADS, SAFE, STROKE, WEIGHT
from fastapi.testclient import TestClient
from helpers import DATA_DIR, claims_of

from app.factcheck.analyzer import Analyzer, ConceptDef

VO2MAX = "backward-walking-improves-vo2max-more-than-forward"
SUDDEN = "sudden-training-increases-cause-knee-pain"
PFP = "backward-walking-eases-patellofemoral-pain"
LONGER = "higher-vo2max-means-longer-exercise"
QUAD_PAIN = "quadriceps-strengthening-reduces-knee-pain"
ATHLETIC = "backward-running-improves-athletic-performance"


@pytest.mark.parametrize(
    ("text", "first"),
    [
        # the quadriceps by their function or as the leg muscles a walking post means
        ("Retro walking builds stronger leg muscles than walking forward.", QUADS),
        ("Reverse treadmill walking trains the lower limb muscles harder.", QUADS),
        # aerobic fitness named as cardiovascular fitness
        ("Backward walking improves cardiovascular fitness more than forward walking.", VO2MAX),
        # energy cost in METs
        ("Walking backward is rated at about 6 METs, a MET value well above forward walking.", ENERGY),
        # a risk of falling is about safety, not the balance the training improves
        ("Walking backwards on a treadmill increases your chances of falling.", SAFE),
        # "at-risk" describes the people studied, not a risk of the exercise
        ("Backward walking has shown promise in at-risk populations for their balance.", BALANCE),
        # Parkinson's disease by its abbreviation
        ("Reverse walking helps people with PD walk better.", PARKINSONS),
        # weight loss as weight management
        ("Walking backwards on a treadmill supports weight management.", WEIGHT),
        # the condition with the hyphen British physios write
        ("Retro walking eases patello-femoral pain.", PFP),
        # "VO2" alone in capitals (it splits at them, as "VO2 max" does)
        ("Walking backward raises your VO2 more than walking forward does.", VO2MAX),
        # endurance as intensity sustained, or effort over long periods
        ("A higher VO2 max lets you sustain high intensity for long periods.", LONGER),
        ("Athletes with a higher VO2 max perform better over long periods.", LONGER),
        # a muscle trained as "a workout for" it
        ("Retro walking is a great workout for the quads.", QUADS),
        # strength work named without the muscle, as the claim's "strengthening exercises"
        ("Strength training eases knee pain.", QUAD_PAIN),
        # the 10% rule limits weekly mileage: a load and its increase
        ("The 10% rule prevents knee injuries.", SUDDEN),
        # a treatment that works is "effective" for its condition
        ("Retro walking is effective for knee osteoarthritis.", KNEE_OA),
        ("Backward walking is effective in stroke rehabilitation.", STROKE),
        # the joints a walking post means are the knees, as in the other languages
        ("Walking backwards on the treadmill eases joint pain.", KNEE_PAIN),
        ("Retro walking is great for people with achy joints.", KNEE_PAIN),
        # everyday wordings of a fresh user's trial, and others like them
        ("My physio says backward walking will sort out my runner's knee", PFP),
        ("Walking backwards sorted out my dodgy knee in a few weeks", KNEE_PAIN),
        ("Backward walking: good for knees.", KNEE_PAIN),
        ("Reverse walking is really kind to your knees", KNEE_PAIN),
        ("Backward walking helps me lose 10 kg in a month", WEIGHT),
        ("Lost 6 kilos since I started walking backwards on the treadmill", WEIGHT),
        ("Retro walking helped me lose a few kilos", WEIGHT),
        ("Walking backwards on the treadmill helped me lose 10 pounds in a month.", WEIGHT),
        ("Lost 12 lbs since I started retro walking", WEIGHT),
        ("Rückwärtslaufen macht Sportler schneller", ATHLETIC),
        ("Rückwärtslaufen macht dich schneller und fitter", ATHLETIC),
    ],
)
def test_paraphrases_find_their_claim_first(seed_client: TestClient, text: str, first: str) -> None:
    found = claims_of(seed_client, text)
    assert found and found[0] == first, found


@pytest.mark.parametrize(
    "text",
    [
        # "reverse" as undoing something, driving a car backwards; "retro" as an old style
        "Let's reverse the trend: walking more reduces knee pain",
        "Walking every day helped reverse my type 2 diabetes and my knees ache less.",
        "Regular walking can reverse the damage that sitting does to your knees.",
        "I reversed my car into a post and now my knee hurts",
        "Reversing out of the driveway I twisted my knee.",
        "Went for a retro-themed walk in the old town, my knees are killing me",
        "Bought some retro sneakers for my evening walks, my knees feel great.",
        # lunges, in whichever direction, are an exercise in place
        "Reverse lunges are much easier on your knees",
        "Walking lunges are easier on the knees than forward lunges.",
        "Step-back lunges take stress off the front knee.",
    ],
)
def test_other_senses_of_reverse_and_retro_make_no_claim(seed_client: TestClient, text: str) -> None:
    assert claims_of(seed_client, text) == []


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Retro walking reverses knee pain.", KNEE_PAIN),
        ("Walking in reverse on a treadmill eases sore knees.", KNEE_PAIN),
    ],
)
def test_reverse_and_retro_still_name_backward_walking(
    seed_client: TestClient, text: str, first: str
) -> None:
    assert claims_of(seed_client, text)[:1] == [first]


@pytest.mark.parametrize(
    "text",
    [
        "I lost 30 kg by walking forwards every day",  # weight loss, but no backward walking
        "My plan is to sort out my diet this month",
    ],
)
def test_everyday_wordings_without_backward_walking_make_no_claim(seed_client: TestClient, text: str) -> None:
    assert claims_of(seed_client, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Knee pain has increased a lot in recent years.",
        "The number of people with knee pain doubled over the last decade.",
    ],
)
def test_a_rise_in_knee_pain_is_not_a_rise_in_training(seed_client: TestClient, text: str) -> None:
    assert SUDDEN not in claims_of(seed_client, text)


def test_a_rise_in_training_that_says_what_rose_still_matches(seed_client: TestClient) -> None:
    assert claims_of(seed_client, "Doubling my mileage in one week left my knees aching.")[:1] == [SUDDEN]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    items = yaml.safe_load((DATA_DIR / "concepts.yaml").read_text(encoding="utf-8"))
    return Analyzer([ConceptDef(c["id"], c["kind"], tuple(c["terms"]), c.get("group")) for c in items])


@pytest.mark.parametrize(
    ("text", "has", "lacks"),
    [
        ("my knees ache after running", {"pain", "knee"}, set()),
        ("sore knees", {"pain", "knee-pain"}, set()),
        ("it strengthens the knee extensors", {"quadriceps"}, set()),
        ("more muscles around the knee", {"quadriceps"}, set()),
        ("aerobic conditioning and cardiopulmonary fitness", {"vo2max"}, set()),
        ("knee pain increased", {"knee-pain"}, {"sudden-increase"}),
        ("double the calories", {"calorie-burn"}, {"sudden-increase"}),
        ("after I doubled my mileage", {"sudden-increase", "training-load"}, set()),
        ("mileage increases", {"sudden-increase"}, set()),
        ("your chances of falling", {"safety-risk"}, {"balance"}),
        ("it prevents falls", {"balance"}, set()),
        ("in at-risk populations", set(), {"safety-risk"}),
        ("overground gait training", {"walking"}, set()),
        ("improved gross motor skills", {"walking-ability"}, set()),
        ("the ten percent rule", {"sudden-increase", "training-load"}, set()),
        ("VO2 rose by 10%", {"vo2max"}, set()),
        # "sustain" alone is also an injury runners sustain
        ("runners who sustain an injury", set(), {"endurance"}),
        ("joint pain", {"knee-pain", "knee"}, set()),
        # bare "joints" is any joint ("good for joints and muscles")
        ("good for joints and muscles", set(), {"knee", "knee-pain"}),
        ("reverse the effects of sitting", set(), {"backward"}),
        ("she reversed into a parked van", set(), {"backward"}),
        ("retro style trainers", set(), {"backward"}),
        ("walking lunges", set(), {"walking", "backward"}),
        ("a lunge in reverse", set(), {"backward"}),
        ("retro walking", {"backward", "walking"}, set()),
        ("walk in reverse", {"backward", "walking"}, set()),
        # a term's "N" is any number in digits; digits in a term match as written
        ("I lost 12 kg", {"weight-loss"}, set()),
        ("now 3 kilos lighter", {"weight-loss"}, set()),
        ("lose kg", set(), {"weight-loss"}),
        ("over 60", {"older-adults"}, set()),
        ("over 6", set(), {"older-adults"}),
        ("sorted out my knee", {"pain-relief", "knee"}, set()),
    ],
)
def test_concept_terms(analyzer: Analyzer, text: str, has: set[str], lacks: set[str]) -> None:
    names = analyzer.features(text).names()
    assert has <= names, names
    assert not lacks & names, names


# --- the learned evidence (``scoring.learned_values``, fitted by scripts/fit_factcheck.py) ---------


def _fit_script():  # type: ignore[no-untyped-def]
    import importlib.util

    from helpers import ROOT

    spec = importlib.util.spec_from_file_location("fit_factcheck", ROOT / "scripts" / "fit_factcheck.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_learned_values_sum_the_claims_weights_of_the_features_present(index) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    from app.factcheck.scoring import learned_known, learned_values

    claims = np.array([index.claim_pos[BALANCE], index.claim_pos[SAFE], index.claim_pos[QUADS]])
    present = index.mask({"balance", "backward", "w:zzz-not-a-feature"})
    learned = {BALANCE: {"balance": 2.0, "backward": 0.5, "safety-risk": -1.0, "w:zzz-not-a-feature": 9.0},
               SAFE: {"safety-risk": 1.5, "balance": -0.25}}  # fmt: skip
    # absent features and features the index does not know add nothing; a claim without
    # weights (the quadriceps claim here, a generated knowledge base's every claim) gets 0
    assert learned_values(index, learned, claims, present).tolist() == [2.5, -0.25, 0.0]
    assert learned_values(index, None, claims, present).tolist() == [0.0, 0.0, 0.0]
    # which of them have weights at all: the score model's learned_known feature
    assert learned_known(index, learned, claims).tolist() == [1.0, 1.0, 0.0]
    assert learned_known(index, None, claims).tolist() == [0.0, 0.0, 0.0]


def test_the_fit_computes_the_learned_value_the_matcher_computes(index) -> None:  # type: ignore[no-untyped-def]
    """The rows the score model is fitted on carry the same learned value as ``scoring`` gives
    the same unit at run time (the fit sums weights over the unit's features by name)."""
    from app.factcheck.check import clean, post_units
    from app.factcheck.scoring import unit_candidates

    fit = _fit_script()
    text = "Walking backwards improves balance. It is also safe for your knees."
    units = [(post_units(index, clean(text))[0], "text")]
    base, features = fit.passage_rows(index, units)
    learned = {
        BALANCE: {"balance": 1.25, "improvement": 0.5, "safety-risk": -2.0},
        SAFE: {"safety-risk": 3.0},
    }
    rows = fit.with_learned(base, [learned])[0]
    at_run_time: dict[str, list[float]] = {}
    for uf in units[0][0]:
        for c in unit_candidates(index, uf, learned):
            at_run_time.setdefault(c.claim_id, []).append(c.values[-2:])
    assert {c: [r[-2:] for r in rs] for c, rs in rows.items()} == at_run_time
    assert {"balance", "safety-risk", "improvement"} <= features[0]


def test_the_fit_sees_every_row_also_as_a_claim_without_weights() -> None:
    """``select(unknown=True)``: each (passage, claim) row twice, the second with
    ``learned_known`` and ``learned`` 0 and the same label, so the regression learns how to score
    a claim no labelled passage makes (a curator's new claim: test_a_new_topic_needs_only_data)."""
    from app.factcheck.evaluate import Passage

    fit = _fit_script()
    rows = [
        {BALANCE: [[0.5, 0.5, 1.0, 0.3, 0.2, 1.0, 2.5], [0.9, 0.8, 0.0, 0.6, 0.4, 1.0, 3.0]]},
        {SAFE: [[1, 1, 0, 1, 1, 1, -1]]},
    ]
    passages = [Passage("a", "", [BALANCE], {}, None), Passage("b", "", [], {}, None)]
    x, y = fit.select(rows, passages, unknown=True)
    assert x == [[0.9, 0.8, 0.0, 0.6, 0.4, 1.0, 3.0], [0.9, 0.8, 0.0, 0.6, 0.4, 0.0, 0.0],
                 [1, 1, 0, 1, 1, 1, -1], [1, 1, 0, 1, 1, 0.0, 0.0]]  # fmt: skip
    assert y == [1, 1, 0, 0]
    assert fit.select(rows, passages)[1] == [1, 0]  # the real rows only (calibration, cut-offs)


def test_learned_weights_are_fitted_per_claim_with_enough_passages() -> None:
    from app.factcheck.evaluate import Passage

    fit = _fit_script()
    passages = [Passage(str(n), "", [BALANCE] if n % 2 else [], {}, None) for n in range(8)]
    features = [frozenset({"balance", "walking"} if n % 2 else {"walking", "speed"}) for n in range(8)]
    learned = fit.fit_learned(features, passages)
    assert set(learned) == {BALANCE}  # made by 4 passages; no other claim is made by any
    assert learned[BALANCE]["balance"] > 0 > learned[BALANCE]["speed"]


@pytest.mark.parametrize(
    "text",
    [
        # the claim compares with walking forward, and so must the post (tests/test_factcheck_figures3.py)
        "Caminar hacia atrás mejora el VO2 max más que caminar hacia adelante",  # es: "VO2" splits (vo / 2)
        "Rückwärtsgehen erhöht die VO2max stärker als Vorwärtsgehen",  # de
        "Marcher à reculons améliore la VO2 max plus que marcher en avant",  # fr
    ],
)
def test_vo2_max_in_capitals_is_read_in_the_languages_read_through_concepts(
    seed_client: TestClient, text: str
) -> None:
    assert claims_of(seed_client, text)[:1] == ["backward-walking-improves-vo2max-more-than-forward"]


def test_the_evaluation_reads_a_post_as_the_fact_check_does(index) -> None:  # type: ignore[no-untyped-def]
    """``factcheck-eval`` and the score fit read posts through ``check.readable``, as the
    fact-check does: a passage pasted with decomposed accents scores as the composed one."""
    import unicodedata

    from app.factcheck.evaluate import Passage, run_ranker

    text = "D'après les experts, marcher à reculons soulage la douleur au genou."
    passages = [Passage(str(n), form, [], {}, None, "fr") for n, form in enumerate(
        (text, unicodedata.normalize("NFD", text)))]  # fmt: skip
    composed, decomposed = run_ranker(index, "system", passages, None)
    assert composed["scored"] and composed["scored"] == decomposed["scored"]
    assert set(composed["stances"].values()) == {"reports"}  # "d'après" is a cue in composed letters
    assert composed["stances"] == decomposed["stances"]


@pytest.mark.parametrize(
    "text",
    [
        # strength work named by the muscle it strengthens, in the sentence or the one before
        "Weak thigh muscles are linked to knee arthritis. Strengthening these muscles can reduce the pain.",
        "Exercises for the quadriceps muscle ease knee pain in osteoarthritis.",
        "Building strength is the best thing you can do for chronic knee pain.",
    ],
)
def test_strengthening_a_muscle_is_the_strength_exercise(seed_client: TestClient, text: str) -> None:
    assert claims_of(seed_client, text)[:1] == [QUAD_PAIN]


@pytest.mark.parametrize(
    "text",
    [
        # what walking does to the muscles is not an exercise of its own
        "Walking backwards strengthens the muscles around your knees.",
        "Walking backwards is all the rage. It strengthens the muscles around your knees.",
    ],
)
def test_strengthening_done_by_walking_is_no_strength_exercise(seed_client: TestClient, text: str) -> None:
    assert QUAD_PAIN not in claims_of(seed_client, text)


@pytest.mark.parametrize(
    "text",
    [
        # performance named by what raises it, without "athletic" or "running"
        "Backward running is a great way of boosting your performance.",
        "Coaches use reverse running to improve performance in field sports.",
    ],
)
def test_performance_raised_is_athletic_performance(seed_client: TestClient, text: str) -> None:
    assert claims_of(seed_client, text)[:1] == [ATHLETIC]


@pytest.mark.parametrize(
    "text",
    [
        # pedalling backwards is cycling, and "than pedalling forward" no contrast with walking
        "Pedalling backwards strengthens your quads more than pedalling forward.",
        "Pedaling backward on the elliptical burns more calories than pedaling forward.",
        # not backward walking; the quadriceps claim (which names no activity) reached 0.48 at
        # the 0.475 cut-off of the morning's model and was a strict xfail; silent again since the
        # refit of 2026-12-01 06:45 (cut-off 0.5 by the fit's 93%-silence rule, not tuned to it)
        "Reverse pedaling on the elliptical strengthens the muscles around the knee.",
        "Backward pedaling on a stationary bike eases knee pain.",
    ],
)
def test_pedalling_backwards_is_not_backward_walking(seed_client: TestClient, text: str) -> None:
    assert claims_of(seed_client, text) == []


@pytest.mark.parametrize(
    "text",
    [
        # the knee and its pain named apart, in one sentence
        "Walking backwards can reduce stress and pain on the knee joints.",
        "Retro walking takes the load off the kneecap, easing the stress that often causes pain.",
    ],
)
def test_pain_named_apart_from_the_knee_is_knee_pain(seed_client: TestClient, text: str) -> None:
    assert KNEE_PAIN in claims_of(seed_client, text)[:2]


def test_another_parts_pain_beside_the_knee_is_not_knee_pain(index) -> None:  # type: ignore[no-untyped-def]
    from app.factcheck.check import clean, post_units

    units, _ = post_units(index, clean("Walking backwards strengthens the knees and eases lower back pain."))
    assert "back-pain" in units[0].have and "knee-pain" not in units[0].have
    units, _ = post_units(index, clean("Walking backwards strengthens the knees and eases the pain."))
    assert "knee-pain" in units[0].have


@pytest.mark.parametrize(
    ("text", "first"),
    [
        # rehabilitation is the recovery a treatment works for: an outcome, as "recovery" is
        ("Backward walking can be an important part of rehabilitation after a stroke.", STROKE),
        ("Retro walking is a staple of stroke rehab.", STROKE),
    ],
)
def test_rehabilitation_is_an_outcome(seed_client: TestClient, text: str, first: str) -> None:
    assert claims_of(seed_client, text)[:1] == [first]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        # a risk of falls is a risk; a risk of falls lowered is balance
        ("Walking backward may not suit everyone and can increase the risk of falls.", SAFE),
        ("Backward walking training reduces the risk of falls in older adults.", BALANCE),
    ],
)
def test_a_risk_of_falls_is_balance_only_when_lowered(seed_client: TestClient, text: str, first: str) -> None:
    assert claims_of(seed_client, text)[:1] == [first]
