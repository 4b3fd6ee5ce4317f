"""What a fact-checker is shown, through the API on both backends: the span of a match is the
sentence that decides its stance (a concession after a denial of the strong form), a post of
hashtags only states nothing to overclaim and says so, and a flag quotes the words it is about
(start/end/text in the client's characters)."""

from __future__ import annotations

import pytest
from claimids import BALANCE, CALORIES, ENERGY, KNEE_OA, KNEE_PAIN, STROKE
from fastapi.testclient import TestClient
from helpers import factcheck_body as check
from helpers import flag_codes as codes
from helpers import match_for


@pytest.mark.parametrize(
    ("text", "claim_id", "stance", "shown"),
    [
        # the concession is the next sentence: it asserts, and it is what is quoted
        ("Walking backwards won't cure your knee pain. But it helps.", KNEE_PAIN, "asserts", "But it helps."),
        ("Walking backwards won't cure knee pain. But it helps a lot.", KNEE_PAIN, "asserts", "But it helps a lot."),
        ("Walking backwards won't cure your knees. But it helps knee pain.", KNEE_PAIN, "asserts",
         "But it helps knee pain."),
        # passed on rather than said: the concession's own voice decides
        ("Walking backwards won't cure knee pain. But it helps, studies show.", KNEE_PAIN, "reports",
         "But it helps, studies show."),
        # a clause of the same sentence: the sentence from the denial through the concession
        ("Walking backwards won't cure your knee pain, but it can really help a lot of people.", KNEE_PAIN,
         "asserts", "Walking backwards won't cure your knee pain, but it can really help a lot of people."),
        ("Walking backwards is no cure for knee pain, but it can help", KNEE_PAIN, "asserts",
         "Walking backwards is no cure for knee pain, but it can help"),
        # no concession: the denial is the stance and the span
        ("Walking backwards won't cure your knee pain. It's fun though.", KNEE_PAIN, "denies",
         "Walking backwards won't cure your knee pain."),
    ],
)  # fmt: skip
def test_the_span_is_the_sentence_that_decides_the_stance(
    seed_client: TestClient, text: str, claim_id: str, stance: str, shown: str
) -> None:
    match = match_for(check(seed_client, text), claim_id)
    span = match["matched_text"]
    assert (match["stance"], span["text"]) == (stance, shown)
    assert text[span["start"] : span["end"]] == shown
    assert "overclaim" not in codes(match)  # "won't cure": the certainty word is denied


@pytest.mark.parametrize(
    "text",
    ["#walkingbackwards #kneepain", "#walkingbackwards #kneepain #cure 🦵", "#BackwardWalking #KneePain!"],
)
def test_a_post_of_hashtags_only_states_nothing_to_overclaim(seed_client: TestClient, text: str) -> None:
    body = check(seed_client, text)
    assert body["hashtags_only"] is True
    assert any("hashtags only" in w for w in body["warnings"])
    match = match_for(body, KNEE_PAIN)
    assert not codes(match) & {"overclaim", "population-mismatch"}


def test_a_hashtag_post_that_names_no_claim_says_so(seed_client: TestClient) -> None:
    # new-user trial: the warning spoke of "the claims below" above an empty list
    body = check(seed_client, "#sundayvibes #coffeetime")
    assert body["hashtags_only"] is True and body["matches"] == []
    (warning,) = [w for w in body["warnings"] if "hashtags only" in w]
    assert "below" not in warning and "names a curated claim" in warning
    named = check(seed_client, "#walkingbackwards #kneepain")
    assert any("The claims below" in w for w in named["warnings"])


def test_a_statement_with_hashtags_is_not_hashtags_only(seed_client: TestClient) -> None:
    body = check(seed_client, "#walkingbackwards cures my #kneepain")
    assert body["hashtags_only"] is False
    assert not any("hashtags only" in w for w in body["warnings"])
    assert "overclaim" in codes(match_for(body, KNEE_PAIN))
    assert match_for(body, KNEE_PAIN)["stance"] == "asserts"


@pytest.mark.parametrize(
    "text", ["#backwardwalking #kneepain", "#RetroWalking #KneePain 🦵", "#walkingbackwards #kneepain"]
)
def test_a_post_of_hashtags_only_names_its_topic_and_asserts_nothing(
    seed_client: TestClient, text: str
) -> None:
    """A trial user's report: "#backwardwalking #kneepain" read "the post asserts it"; tags name
    topics and state nothing (docs/factcheck.md): the stance is ``mentions``, on the API, the
    page and the command line alike."""
    assert match_for(check(seed_client, text), KNEE_PAIN)["stance"] == "mentions"
    page = seed_client.post("/factcheck", data={"text": text})
    assert page.status_code == 200
    assert "The post names this as its topic, stating nothing" in page.text
    assert "The post asserts this" not in page.text


def test_the_command_line_says_a_hashtag_post_names_its_topic() -> None:
    from app.cli_text import _stance_words

    assert _stance_words("mentions") == "names it as its topic, stating nothing"
    assert (_stance_words("asserts"), _stance_words("reports")) == ("asserts it", "reports others saying it")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Walking backwards definitely cures knee pain!", ["definitely", "cures"]),
        ("Walking backwards cures knee pain", ["cures"]),
        ("Backward walking is proven to cure knee osteoarthritis, 100% guaranteed", ["proven", "cure", "100%", "guaranteed"]),
        # invisible and decomposed characters before the words: offsets into the text as sent
        ("Walking backwards 🚶\u200d♀️ at the cafe\u0301 definitely cures knee pain", ["definitely", "cures"]),
    ],
)  # fmt: skip
def test_an_overclaim_flag_quotes_its_words(seed_client: TestClient, text: str, words: list[str]) -> None:
    body = check(seed_client, text)
    flags = [f for m in body["matches"] for f in m["flags"] if f["code"] == "overclaim"]
    assert flags
    for flag in flags:
        spans = flag["spans"]
        # one word: it is also the flag's span, whose text post_says quotes (as a figure flag's)
        assert flag.get("span") == (spans[0] if len(spans) == 1 else None)
        assert flag["post_says"] == ", ".join(s["text"].lower() for s in spans)
        for span in spans:
            assert text[span["start"] : span["end"]] == span["text"]
        said = [s["text"].lower() for s in spans]
        assert set(said) <= {w.lower() for w in words} and said


def population_flag(match: dict) -> dict | None:
    return next((f for f in match["flags"] if f["code"] == "population-mismatch"), None)


@pytest.mark.parametrize(
    "text",
    [
        "Backward walking cured my knee pain. I have knee osteoarthritis.",
        "I have knee osteoarthritis. Backward walking cured my knee pain.",
    ],
)
def test_the_population_a_sentence_beside_names_is_read(seed_client: TestClient, text: str) -> None:
    """Who a post speaks of may be named a sentence apart: "I have knee osteoarthritis" beside the
    claim is the population it was tested in, not "The post names no condition"."""
    assert population_flag(match_for(check(seed_client, text), KNEE_OA)) is None


def test_a_group_a_sentence_beside_names_is_flagged_and_quoted(seed_client: TestClient) -> None:
    text = "Backward walking improves balance. Great for seniors."
    flag = population_flag(match_for(check(seed_client, text), BALANCE))
    assert flag is not None and flag["message"].startswith("The post applies this to older adults, a group")
    assert flag["span"] == {"start": 45, "end": 52, "text": "seniors"} and flag["post_says"] == "seniors"
    text = "Walking backwards eases knee osteoarthritis pain. It works for healthy people too."
    flag = population_flag(match_for(check(seed_client, text), KNEE_OA))
    assert flag is not None and flag["post_says"] == flag["span"]["text"] == "healthy people"


@pytest.mark.parametrize(
    "text",
    [
        # a sentence that names an activity makes a statement of its own; one two sentences away is
        # not read
        "Backward walking cured my knee pain. My wife runs for her arthritis.",
        "Backward walking cured my knee pain. After knee surgery, patients walk backwards on a treadmill.",
        "Backward walking cured my knee pain. Running is bad. I have arthritis.",
    ],
)
def test_an_unrelated_sentence_lends_no_population(seed_client: TestClient, text: str) -> None:
    flag = population_flag(match_for(check(seed_client, text), KNEE_PAIN))
    assert flag is not None and flag["post_says"] == "no condition named"


@pytest.mark.parametrize(
    ("text", "claim_id", "said"),
    [
        # the term, not the shorter term inside it ('older', 'healthy' were quoted)
        ("Backward walking improves balance in kids with cerebral palsy and in all older adults", BALANCE,
         "older adults"),
        ("Backward walking improves balance even in healthy people, not only in stroke patients", STROKE,
         "healthy people"),
        # a later clause that extends the claim: its words (no span was given, and post_says was
        # the concept's label 'healthy adults')
        ("Walking backwards eases knee osteoarthritis pain, and it works for healthy people too", KNEE_OA,
         "healthy people"),
    ],
)  # fmt: skip
def test_a_population_flag_quotes_the_whole_term(
    seed_client: TestClient, text: str, claim_id: str, said: str
) -> None:
    flag = population_flag(match_for(check(seed_client, text), claim_id))
    assert flag is not None and flag["post_says"] == said
    assert text[flag["span"]["start"] : flag["span"]["end"]] == flag["span"]["text"] == said


def test_an_overclaim_flag_quotes_a_term_once(seed_client: TestClient) -> None:
    """'scientifically proven' holds the term 'proven': one quote, not 'scientifically proven, proven'."""
    text = "Backward walking is scientifically proven to cure knee pain"
    (flag,) = [f for f in match_for(check(seed_client, text), KNEE_PAIN)["flags"] if f["code"] == "overclaim"]
    assert flag["post_says"] == "scientifically proven, cure"
    assert [s["text"] for s in flag["spans"]] == ["scientifically proven", "cure"]


def test_population_and_denial_flags_quote_their_words(seed_client: TestClient) -> None:
    text = "Walking backwards costs more energy than walking forwards for people with knee osteoarthritis."
    match = match_for(check(seed_client, text), ENERGY)
    flag = next(f for f in match["flags"] if f["code"] == "population-mismatch")
    assert flag["span"]["text"] == text[flag["span"]["start"] : flag["span"]["end"]] == "knee osteoarthritis"
    assert flag["post_says"] == "knee osteoarthritis"
    text = "Walking backwards does not cost more energy than walking forwards."
    match = match_for(check(seed_client, text), ENERGY)
    denial = next(f for f in match["flags"] if f["code"] == "denies-supported")
    assert denial["span"] == match["matched_text"]


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("Walking backwards doesn't burn twice the calories", "twice"),
        ("Retro walking won't burn 6 times more calories than walking forward", "6 times more"),
        ("Walking backwards does not burn double the calories of normal walking", "double"),
    ],
)
def test_a_denied_figure_is_noted_and_the_claim_not_denied(
    seed_client: TestClient, text: str, figure: str
) -> None:
    """The post denies the exaggerated figure, not that backward walking burns more: the stance is
    what is left without the figure's negation, the figure is listed (not flagged), and nothing
    says the post denies a supported claim."""
    match = match_for(check(seed_client, text), CALORIES)
    assert match["stance"] == "asserts"
    assert not codes(match) & {"figure-mismatch", "denies-supported"}
    denied = match["denied_figures"]
    assert [d["post_says"] for d in denied] == [text[d["span"]["start"] : d["span"]["end"]] for d in denied]
    assert figure in [d["post_says"] for d in denied]
    assert all(d["evidence_agrees"] is True and "does not support it either" in d["note"] for d in denied)


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Walking backwards doesn't burn more calories", "denies"),  # no figure: the claim is denied
        # a verdict after the denied figure ("..., that's a myth", "It's a myth.") echoes the figure's
        # denial: test_factcheck_stance4.py
        ("Walking backwards burns twice the calories", "asserts"),  # asserted: flagged as before
    ],
)
def test_a_denial_without_a_figure_of_its_own_still_denies(
    seed_client: TestClient, text: str, stance: str
) -> None:
    match = match_for(check(seed_client, text), CALORIES)
    assert match["stance"] == stance and match["denied_figures"] == []
    assert ("figure-mismatch" in codes(match)) == (stance == "asserts")


def test_the_page_and_the_cli_show_a_denied_figure(seed_client: TestClient, seed_settings: object,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from app.cli import main

    text = "Walking backwards doesn't burn twice the calories"
    page = seed_client.post("/factcheck", data={"text": text}, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "The post denies the figure “twice”, not the claim" in page.text
    monkeypatch.setenv("EVIDENCE_KB_DATABASE_URL", seed_settings.database_url)  # type: ignore[attr-defined]
    assert main(["factcheck", text]) == 0
    out = capsys.readouterr().out
    assert "the post asserts it" in out and "x denied figure: twice (percent-change)" in out


@pytest.mark.parametrize(
    "text",
    [
        "Reversing knee pain: why daily walking works",
        "How to reverse knee arthritis pain by walking every day",
        "Daily walks can reverse the damage of sitting and ease knee pain",
    ],
)
def test_reverse_as_undoing_a_condition_is_no_backward_walking(seed_client: TestClient, text: str) -> None:
    assert check(seed_client, text)["matches"] == []


@pytest.mark.parametrize(
    "text",
    [
        "Retro walking reverses knee pain",
        "Reverse walking for knee pain",
        "Walking in reverse eases knee pain",
        "Walk reverse on the treadmill to ease knee pain",
    ],
)
def test_reverse_as_a_direction_still_matches(seed_client: TestClient, text: str) -> None:
    match_for(check(seed_client, text), KNEE_PAIN)


def test_a_figure_passed_on_in_another_unit_making_the_claim_is_checked(seed_client: TestClient) -> None:
    """A claim made in several units is shown from its best, and the figures its other units pass
    on are checked there, each flag with its own span (new-user trial 2026-12-01: the headline's
    question was shown and "double the calories" in the answer went unflagged)."""
    text = ("Want to Burn Double the Calories? Run Backwards. It has been shown to improve balance and "
            "even burn double the calories.")  # fmt: skip
    match = match_for(check(seed_client, text), CALORIES)
    flagged = [f for f in match["flags"] if f["code"] == "figure-mismatch"]
    assert [text[f["span"]["start"] : f["span"]["end"]] for f in flagged] == ["double"]
    assert flagged[0]["span"]["start"] > text.index("shown")  # the answer's figure, not the question's
    text = "Does walking backwards burn more calories? Yes: walking backwards burns twice the calories of walking forwards."
    match = match_for(check(seed_client, text), CALORIES)
    assert match["stance"] == "asserts"
    flagged = [f for f in match["flags"] if f["code"] == "figure-mismatch"]
    assert [text[f["span"]["start"] : f["span"]["end"]] for f in flagged] == ["twice"]
