"""The fact-check's text units: sentences and clauses, stance rules, language detection."""

from __future__ import annotations

import pytest

from app.factcheck import language
from app.factcheck.sentences import split
from app.factcheck.stance import negation_cues, stance


def texts(post: str) -> list[str]:
    return [u.text for u in split(post)]


def test_sentences_keep_abbreviations_decimals_and_offsets() -> None:
    post = "Walking backward at 2.5 mph helps, e.g. for knees. Dr. Smith agrees! Does it work? Yes."
    assert texts(post) == [
        "Walking backward at 2.5 mph helps, e.g. for knees.",
        "Dr. Smith agrees!",
        "Does it work?",
        "Yes.",
    ]
    for unit in split(post):
        assert post[unit.start : unit.end] == unit.text


def test_clauses_split_at_contrast_when_both_sides_say_something() -> None:
    assert texts("It is not a cure; but it can help a lot with your knees over time") == [
        "It is not a cure",
        "but it can help a lot with your knees over time",
    ]
    assert texts("Great for knees, but why?") == ["Great for knees, but why?"]  # too short to stand alone


def test_line_breaks_and_bullets_end_units() -> None:
    assert texts("Line one\nLine two • third part") == ["Line one", "Line two", "third part"]
    assert texts("") == [] and texts("🤯 🤯") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Backward walking is NOT a cure for knee pain.", "denies"),
        ("Walking Backward Won't Fix Your Knee Pain", "denies"),
        ("There is no scientific evidence that 100 backward steps replace 1,000", "denies"),
        ("Does walking backwards help knee pain?", "asks"),
        ("Walking backward: the secret to fixing knee pain?", "asks"),
        ("This study aimed to compare retro and forward walking on pain", "asks"),
        ("According to TikTok, walking backwards fixes your knees", "reports"),
        ("Influencers claim that reverse walking burns more calories", "reports"),
        ("Walking backwards on the treadmill fixes knee pain", "asserts"),
        ("Not only does it strengthen your quads, it eases knee pain", "asserts"),
        ("No weights needed: retro walking builds your quads", "asserts"),
        ("my knees have never felt better since retro walking", "asserts"),
        ("Knee pain gone after two weeks, who knew?", "asserts"),
    ],
)
def test_stance_rules(text: str, expected: str) -> None:
    assert stance(text) == expected


def words(text: str, *phrases: str) -> list[tuple[int, int]]:
    """(start, end) of each phrase in ``text``: the claim's words, as ``check`` passes them."""
    return [(text.index(p), text.index(p) + len(p)) for p in phrases]


@pytest.mark.parametrize(
    ("text", "claim_words", "expected"),
    [
        # the negation's clause must hold the claim's words (NegEx scope), not just the activity
        ("Walking backward is used to improve balance, not heart health.", ("balance",), "asserts"),
        ("It works the quads, which are not as involved in forward walking.", ("quads",), "asserts"),
        ("Retro walking builds balance because you can not see where you go.", ("balance",), "asserts"),
        ("It burns more calories because your body isn't used to it.", ("burns", "calories"), "asserts"),
        ("Evidence confirms that quad work is a non-surgical fix for knee pain.", ("knee pain",), "asserts"),
        ("It doesn't strengthen your quads at all.", ("quads",), "denies"),
        ("If you want less knee pain, walking backwards shouldn't be all you do.", ("backwards",), "denies"),
        ("Myth: walking backwards burns double the calories", ("burns", "calories"), "denies"),
        # other languages
        ("Caminar hacia atrás no alivia el dolor de rodilla.", ("dolor de rodilla",), "denies"),
        ("La marche arrière ne soulage pas les genoux.", ("genoux",), "denies"),
        ("Rückwärtsgehen stärkt nicht nur die Oberschenkel.", ("Oberschenkel",), "asserts"),
        ("¿Caminar hacia atrás quema más calorías?", ("calorías",), "asks"),
        ("Laut Experten schont Rückwärtsgehen die Knie.", ("Knie",), "reports"),
    ],
)
def test_stance_scope(text: str, claim_words: tuple[str, ...], expected: str) -> None:
    assert stance(text, words(text, *claim_words)) == expected


def test_stance_reads_the_next_sentence() -> None:
    claim = "Walking backwards burns double the calories."
    assert stance(claim, words(claim, "burns", "calories"), "That's a myth.", []) == "denies"
    question = "Does walking backwards help knee pain?"
    assert stance(question, None, "Yes, it takes load off the kneecap.", None) == "asserts"
    assert stance(question, None, "No, not on its own.", None) == "denies"
    assert stance(question, None, "Let's look at the studies.", None) == "asks"
    # a claim put in doubt by the question after it
    promise = "Bloggers promise that walking backwards eases knee pain."
    assert stance(promise, words(promise, "knee pain"), "But is it really so?", []) == "asks"
    assert stance(promise, words(promise, "knee pain"), "Want to try it?", []) == "reports"
    russian = "Блогеры обещают: обратная ходьба поможет от болей в коленях."
    assert (
        stance(russian, words(russian, "болей в коленях"), "Но действительно ли всё так радужно?", [])
        == "asks"
    )
    assert (
        stance(
            "Обратная ходьба не помогает от боли в коленях.",
            words("Обратная ходьба не помогает от боли в коленях.", "боли в коленях"),
        )
        == "denies"
    )


def test_stance_contrary_of_safe() -> None:
    claim = "backward-walking-is-safe Walking backward carries no particular health risk."
    assert stance("Walking backwards increases your chances of falling.", None, None, None, claim) == "denies"
    assert stance("It may seem risky, but it is safe.", None, None, None, claim) == "asserts"


def test_negation_cues_point_at_the_words() -> None:
    text = "Walking backward isn't a cure"
    assert [text[s:e] for s, e in negation_cues(text)] == ["isn't"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Walking backwards on a treadmill relieves knee pain", "en"),
        ("Stronger quads = less knee pain", "en"),
        ("Caminar hacia atrás en la cinta alivia el dolor de rodilla", "es"),
        ("La marche arrière sur le tapis soulage les genoux", "fr"),
        ("Rückwärtsgehen auf dem Laufband stärkt die Oberschenkel", "de"),
        ("倒着走可以缓解膝盖疼痛", "zh"),
        ("後ろ歩きはひざの痛みを和らげます", "ja"),
        ("उल्टा चलना घुटने के दर्द में राहत देता है", "hi"),
        ("Jalan mundur dapat mengurangi nyeri lutut dan membakar lebih banyak kalori", "id"),
        # not read, but named as themselves: Slovak, Slovenian and Croatian were taken for Czech,
        # Bulgarian for Russian (and read through the Russian terms), Marathi for Hindi
        ("Chôdza dozadu na bežiacom páse posilňuje stehná a zlepšuje rovnováhu.", "sk"),
        ("Hoja nazaj na tekalni stezi krepi stegenske mišice in izboljša ravnotežje.", "sl"),
        ("Hodanje unatrag na traci za trčanje jača bedrene mišiće i poboljšava ravnotežu.", "hr"),
        ("Ходенето назад на бягащата пътека укрепва бедрените мускули и подобрява равновесието.", "bg"),
        ("Tagurpidi kõndimine jooksulindil tugevdab reielihaseid ja parandab tasakaalu.", "et"),
        ("उलट चालल्याने गुडघेदुखी कमी होते आणि तोल सुधारतो.", "mr"),
        ("వెనక్కి నడవడం మోకాలి నొప్పిని తగ్గిస్తుంది.", "te"),
    ],
)
def test_language(text: str, code: str) -> None:
    assert language.detect(text)[0] == code
    assert (language.warning(code) is None) == (code == "en")


def test_an_unsure_guess_with_english_concepts_stays_when_its_own_terms_find_as_many() -> None:
    text = "Retro walking untuk lutut yang sakit"  # Indonesian, guessed with about 0.6 confidence
    assert language.detect(text)[0] == "id"
    assert language.detect(text, 2)[0] == "en"  # "retro walking": the English analyser's concepts
    found = {"id": 4}  # backward, walking, knee, pain
    assert language.detect(text, 2, lambda code: found.get(code, 0))[0] == "id"
    assert language.detect(text, 5, lambda code: found.get(code, 0))[0] == "en"


def test_concept_translations_name_a_language_the_matcher_can_stem() -> None:
    from pydantic import ValidationError

    from app.claims_schema import ConceptIn

    ok = ConceptIn.model_validate({"id": "knee", "terms": ["knee"], "translations": {"es": ["rodilla"]}})
    assert ok.translations == {"es": ["rodilla"]}
    with pytest.raises(ValidationError, match="translations"):
        ConceptIn.model_validate({"id": "knee", "terms": ["knee"], "translations": {"xx": ["knie"]}})


@pytest.mark.parametrize(
    ("text", "quantity", "value"),
    [
        ("it burns double the calories", "percent-change", 100),
        ("up to 2-fold more calories", "percent-change", 100),
        ("a tenfold rise", "percent-change", 900),
        ("six times more effort", "percent-change", 500),
        ("A step backwards on a treadmill is equal to 6 steps forward", "percent-change", 500),
        ("quema el triple de calorías", "percent-change", 200),
        ("brûle deux fois plus de calories", "percent-change", 100),
        ("verbrennt doppelt so viele Kalorien", "percent-change", 100),
        ("perderam 2,4% a mais de peso", "percent-change", -2.4),
        ("lost 2.5 percent of their body weight", "percent-change", -2.5),
    ],
)
def test_figures_words_count_as_numbers(text: str, quantity: str, value: float) -> None:
    from app.factcheck.figures import post_figures

    (figure,) = post_figures(text)
    assert (figure.quantity, figure.value) == (quantity, pytest.approx(value))


def test_figures_that_are_not_multipliers() -> None:
    from app.factcheck.figures import post_figures

    assert post_figures("a double-blind trial, 3 times a week") == []


def test_intensity_difference_bounds_a_relative_change() -> None:
    from app.factcheck.figures import EFFORT_FLOOR, evidence_quantity, within

    hooper = {"measure": "extra percent of VO2max and of maximum heart rate, backward walking", "unit": "percent",
              "comparison": "higher than forward walking at the same speed and grade"}  # fmt: skip
    assert evidence_quantity(hooper) == ("intensity-difference", 1.0)
    assert within(40, None, 17, 20, "intensity-difference")  # 20 points over a forward effort of 50%
    assert not within(100, None, 17, 20, "intensity-difference")  # needs forward <= 20% of maximum
    assert 20 * 100 / EFFORT_FLOOR < 100
