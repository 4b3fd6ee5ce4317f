"""Each match's span, stance and flags come from its own clause (issue 14), through the API on
both backends: a sentence that makes two claims in coordinated clauses gives each claim its clause,
a certainty word or a population of one clause does not flag the other claim, and what frames the
sentence ("I doubt that", "According to", "he says that") still governs a clause that goes on
without a subject. Questions without a question mark (headlines) ask; denial cues of a finding
that failed its test deny."""

from __future__ import annotations

import pytest
from claimids import CALORIES, KNEE_PAIN, QUADS
from fastapi.testclient import TestClient
from helpers import flag_codes as codes
from helpers import post_matches as matches

from app.factcheck.sentences import clause_pieces
from app.factcheck.stance import stance


@pytest.mark.parametrize(
    ("text", "knee_clause", "calorie_clause"),
    [
        (
            "Walking backwards cures knee pain and burns 40% more calories",
            "Walking backwards cures knee pain",
            "and burns 40% more calories",
        ),
        (
            "Walking backwards cures knee pain, and it burns 40% more calories.",
            "Walking backwards cures knee pain",
            "and it burns 40% more calories.",
        ),
        (
            "Walking backwards definitely cures knee pain, which is why physios love it, and burns more calories.",
            "Walking backwards definitely cures knee pain",
            "and burns more calories.",
        ),
    ],
)
def test_each_match_spans_its_own_clause_and_certainty_stays_there(
    seed_client: TestClient, text: str, knee_clause: str, calorie_clause: str
) -> None:
    found = matches(seed_client, text)
    knee, calories = found[KNEE_PAIN], found[CALORIES]
    for match, clause in ((knee, knee_clause), (calories, calorie_clause)):
        span = match["matched_text"]
        assert span["text"] == clause
        assert text[span["start"] : span["end"]] == clause
    assert "overclaim" in codes(knee)  # "cures" / "definitely" is said of knee pain
    assert "overclaim" not in codes(calories)  # not of the calories


def test_a_population_of_one_clause_does_not_flag_the_other_claim(seed_client: TestClient) -> None:
    found = matches(
        seed_client, "Walking backwards eases knee pain in older adults and burns 40% more calories."
    )
    assert found[KNEE_PAIN]["matched_text"]["text"] == "Walking backwards eases knee pain in older adults"
    assert "population-mismatch" not in codes(found[CALORIES])


def test_a_claim_made_across_two_clauses_spans_both(seed_client: TestClient) -> None:
    text = "Walking backwards strengthens your quads and reduces knee pain."
    found = matches(seed_client, text)
    assert found[QUADS]["matched_text"]["text"] == "Walking backwards strengthens your quads"
    assert found[KNEE_PAIN]["matched_text"]["text"] == "and reduces knee pain."


@pytest.mark.parametrize(
    ("text", "knee", "calories"),
    [
        # a study cited for the second clause does not make the first a report
        (
            "Walking backwards definitely cures knee pain, and studies show it burns 40% more calories.",
            "asserts",
            "reports",
        ),
        # the frame of the sentence governs a clause with no subject of its own
        ("I doubt that backward walking helps knee pain and burns more calories.", "denies", "denies"),
        (
            "According to TikTok, walking backwards cures knee pain and burns 40% more calories.",
            "reports",
            "reports",
        ),
        (
            "There's no evidence that walking backwards eases knee pain and burns more calories.",
            "denies",
            "denies",
        ),
        # a negation in the first clause stays there
        ("Walking backwards doesn't cure knee pain and burns more calories.", "denies", "asserts"),
        ("Walking backwards burns more calories but does nothing for knee pain.", "denies", "asserts"),
    ],
)
def test_stance_per_clause(seed_client: TestClient, text: str, knee: str, calories: str) -> None:
    found = matches(seed_client, text)
    assert (found[KNEE_PAIN]["stance"], found[CALORIES]["stance"]) == (knee, calories)
    assert found[KNEE_PAIN]["matched_text"]["text"] != found[CALORIES]["matched_text"]["text"]
    for match in found.values():
        if match["stance"] != "asserts":
            assert not codes(match) & {"overclaim", "population-mismatch"}


@pytest.mark.parametrize(
    ("text", "claim_id", "stance"),
    [
        ("Does walking backwards help knee pain", KNEE_PAIN, "asks"),  # a headline: no "?"
        ("Can Walking Backwards Really Burn More Calories", CALORIES, "asks"),
        ("Is backward walking good for your knees", KNEE_PAIN, "asks"),
        ("How can walking backwards help your knee pain", KNEE_PAIN, "asks"),
        ("Should you walk backwards for knee pain", KNEE_PAIN, "asks"),
        ("Does wonders for knee pain: walking backwards!", KNEE_PAIN, "asserts"),  # no subject: a statement
        ("Can help knee pain: walking backwards", KNEE_PAIN, "asserts"),
        ("Is amazing for knee pain, walking backwards", KNEE_PAIN, "asserts"),  # "amazing": no gerund
        ("Was a game changer for my knee pain: walking backwards", KNEE_PAIN, "asserts"),
        ("The idea that walking backwards eases knee pain is groundless.", KNEE_PAIN, "denies"),
        (
            "When it comes to backward walking for knee pain, the science isn't on their side.",
            KNEE_PAIN,
            "denies",
        ),
        ("That walking backwards cures knee pain is unfounded.", KNEE_PAIN, "denies"),
        ("Backward walking for knee pain has yet to be proven.", KNEE_PAIN, "denies"),
        ("He says walking backwards eases his knee pain.", KNEE_PAIN, "reports"),
        # a finding passed on from a named body, practitioners' practice, a study by its setting
        (
            "The American College of Sports Medicine found that walking backwards burns 40% more calories.",
            CALORIES,
            "reports",
        ),
        ("I found that walking backwards eases my knee pain.", KNEE_PAIN, "asserts"),  # the writer's own
        ("I've found that walking backwards eases my knee pain.", KNEE_PAIN, "asserts"),
        ("Physiotherapists may recommend walking backwards for knee pain.", KNEE_PAIN, "reports"),
        ("In a recent study, walking backwards eased knee pain.", KNEE_PAIN, "reports"),
        ("Walking backwards is often recommended to ease knee pain.", KNEE_PAIN, "reports"),
        # a quotation that began a sentence earlier is still someone else's words
        (
            "“I see it every week in clinic. Walking backwards eases knee pain,” said a physiotherapist.",
            KNEE_PAIN,
            "reports",
        ),
        # a question answered at once, and one that trails off after an ellipsis
        ("Walking backwards helps knee pain? Hardly.", KNEE_PAIN, "denies"),
        ("Walking backwards helps knee pain? Doesn't work.", KNEE_PAIN, "denies"),
        ("So, your knee hurts . . . does walking backwards help?", KNEE_PAIN, "asks"),
        # a headline: its topic, then a question or a short verdict on it
        ("Walking Backwards: Does It Really Ease Knee Pain", KNEE_PAIN, "asks"),
        ("Walking backwards for knee pain – does it work", KNEE_PAIN, "asks"),
        ("Walking backwards for knee pain: overhyped and oversold.", KNEE_PAIN, "denies"),
        ("Knee pain: walking backwards helps.", KNEE_PAIN, "asserts"),
        # more than the evidence gives
        ("Walking backwards for knee pain is pseudoscience.", KNEE_PAIN, "denies"),
        ("Take the claims that walking backwards cures knee pain with a grain of salt.", KNEE_PAIN, "denies"),
        ("Walking backwards for weight loss is a gimmick.", "backward-walking-helps-weight-loss", "denies"),
        # the contrary of a claim that something gets better, said of the activity, not of another
        ("Walking backwards makes knee pain worse.", KNEE_PAIN, "denies"),
        ("Walking backwards can aggravate knee pain in some people.", KNEE_PAIN, "denies"),
        ("Walking backwards eases knee pain that running makes worse.", KNEE_PAIN, "asserts"),
        ("Unlike running, which makes knee pain worse, walking backwards relieves it.", KNEE_PAIN, "asserts"),
        ("Walking backwards is pointless for knee pain.", KNEE_PAIN, "denies"),
        # an imperative is no question; an open question asks
        ("Do it daily to ease your knee pain: walk backwards", KNEE_PAIN, "asserts"),
        ("Have your clients walk backwards to ease knee pain", KNEE_PAIN, "asserts"),
        ("Do you walk backwards for knee pain", KNEE_PAIN, "asks"),
        ("It remains unclear whether walking backwards eases knee pain.", KNEE_PAIN, "asks"),
        ("We asked three physios whether walking backwards eases knee pain.", KNEE_PAIN, "asks"),
        ("The idea that walking backwards cures knee pain is a misconception.", KNEE_PAIN, "denies"),
        ("Walking backwards for knee pain is an old wives' tale.", KNEE_PAIN, "denies"),
        # a statement, then a sentence that is nothing but a denial or a verdict on it
        ("Walking backwards cures knee pain. It doesn't.", KNEE_PAIN, "denies"),
        ("Walking backwards cures knee pain. I don't think so.", KNEE_PAIN, "denies"),
        ("TikTok says walking backwards cures knee pain. None of the studies agree.", KNEE_PAIN, "denies"),
        ("Walking backwards eases knee pain. No joke, it works.", KNEE_PAIN, "asserts"),
        ("Walking backwards eases knee pain. It doesn't burn more calories, though.", KNEE_PAIN, "asserts"),
        # a denial of the strong form that a "but" clause takes back asserts, with no overclaim
        ("Walking backwards is no cure for knee pain, but it can help.", KNEE_PAIN, "asserts"),
        ("It is not a miracle cure for knee pain, but walking backwards does help.", KNEE_PAIN, "asserts"),
        ("Walking backwards does not cure knee pain. But it helps.", KNEE_PAIN, "asserts"),
        ("Walking backwards is no cure for knee pain, but it is fun to try.", KNEE_PAIN, "denies"),
        ("Walking backwards is no cure for knee pain, but it won't help either.", KNEE_PAIN, "denies"),
        # a practice named by who uses it
        ("Walking backwards is recommended by physical therapists to ease knee pain.", KNEE_PAIN, "reports"),
        ("Walking backwards eases knee pain, the science is on its side.", KNEE_PAIN, "asserts"),
    ],
)
def test_headline_questions_and_verdicts(
    seed_client: TestClient, text: str, claim_id: str, stance: str
) -> None:
    match = matches(seed_client, text)[claim_id]
    assert match["stance"] == stance
    if stance != "asserts":
        assert not codes(match) & {"overclaim", "population-mismatch"}
    if "no cure" in text or "not a miracle cure" in text:  # a certainty word under a negation is not said
        assert "overclaim" not in codes(match)


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("It strengthens the quads and hamstrings more than walking.", 1),  # a list, not a clause
        ("It works the quads, glutes, and hamstrings.", 1),
        ("It eases knee pain and also burns more calories.", 2),
        ("It burns calories, which helps weight loss.", 2),
        ("It improves balance and reduced knee pain in older adults.", 2),
        ("It works the hamstrings, glutes, calves, and quadriceps more intensely than walking.", 1),
        ("It changes how the muscles of the hips and legs are engaged.", 1),  # "legs" has its own verb
        ("The moonwalk is so fluid, so effortless to watch.", 1),  # "so" without a subject: an adverb
        ("It is hard work, so it burns more calories.", 2),
        ("A study in the Journal of Science and Research Publications found it works.", 1),  # a name
    ],
)
def test_clause_pieces(text: str, pieces: int) -> None:
    assert len(clause_pieces(text, 0, len(text))) == pieces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Los investigadores descubrieron que caminar hacia atrás alivia el dolor de rodilla.", "reports"),
        ("Les chercheurs ont constaté que marcher à reculons soulage les genoux.", "reports"),
        ("Forscher fanden heraus, dass Rückwärtsgehen die Knie entlastet.", "reports"),
        # German reported speech: the subjunctive I, not the same form as first person or imperative
        ("Wenn das Knie schmerzt, entlaste die Bewegung das Bein und verbessere die Mobilität.", "reports"),
        ("Die Bewegung sei gut für die Knie.", "reports"),
        ("Ich verbessere meine Balance mit Rückwärtsgehen.", "asserts"),
        ("Entlaste dein Knie: geh rückwärts.", "asserts"),
    ],
)
def test_reports_in_the_languages_read_through_concepts(text: str, expected: str) -> None:
    assert stance(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the next sentence's own statement about the activity is no verdict on the claims before it
        (
            "Walking backwards cures knee pain and burns 40% more calories. "
            "But backward walking does not improve balance, I doubt it.",
            {KNEE_PAIN: "asserts", CALORIES: "asserts", "backward-walking-improves-balance": "denies"},
        ),
        # a bare verdict or "no" after the claim still denies it
        ("Walking backwards cures knee pain. I doubt it.", {KNEE_PAIN: "denies"}),
        (
            "Walking backwards cures knee pain. Backward walking for knee pain is a myth.",
            {KNEE_PAIN: "denies"},
        ),
        # a question naming the activity still puts the claim before it in doubt
        (
            "Walking backwards burns more calories, they say. Is walking backwards really such a miracle?",
            {CALORIES: "asks"},
        ),
    ],
)
def test_the_next_sentence_is_a_verdict_only_on_what_it_points_back_to(
    seed_client: TestClient, text: str, expected: dict[str, str]
) -> None:
    found = matches(seed_client, text)
    assert {claim: found[claim]["stance"] for claim in expected if claim in found} == expected
