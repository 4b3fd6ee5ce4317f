"""Failures a new user reported (issue 14), each through the API on both backends and the CLI:
doubt and reported studies, denials that drop the claim's words, glued hashtags, and a figure that
a recorded misreading of a study states. The rules are general (cues, concept terms, typed
figures); each test also holds a variant the report did not name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from claimids import CALORIES, KNEE_OA, KNEE_PAIN
from fastapi.testclient import TestClient
from helpers import DATA_DIR, match_for
from helpers import factcheck_body as check

from app.factcheck.analyzer import Analyzer, ConceptDef
from app.settings import Settings


@pytest.mark.parametrize(
    ("text", "claim_id", "stance"),
    [
        ("I doubt that backward walking helps knee pain", KNEE_PAIN, "denies"),
        ("I'm sceptical that retro walking eases knee pain", KNEE_PAIN, "denies"),
        ("A 2019 study reported that backward walking reduces knee pain", KNEE_PAIN, "reports"),
        ("Researchers found that walking backwards relieves knee pain", KNEE_PAIN, "reports"),
        ("No doubt backward walking helps knee pain", KNEE_PAIN, "asserts"),  # not a doubt
        ("Walking backwards has been shown to relieve knee pain", KNEE_PAIN, "reports"),
        ("“Walking backwards eases knee pain,” she said.", KNEE_PAIN, "reports"),  # a quotation
        ("Physiotherapists say walking backwards relieves knee pain", KNEE_PAIN, "reports"),
        ("This study showed that backward walking reduces knee pain", KNEE_PAIN, "asserts"),  # the authors'
        ("We wanted to see if walking backwards could help knee pain", KNEE_PAIN, "asks"),
        ("walking backwards does nothing for knee OA", KNEE_OA, "denies"),
        ("There is little scientific evidence that backward walking eases knee pain", KNEE_PAIN, "denies"),
        ("Walking backwards cures knee pain. Think again.", KNEE_PAIN, "denies"),  # the next sentence
        ("Reverse walking did nothing for my arthritic knees", KNEE_OA, "denies"),
    ],
)
def test_doubt_reports_and_denials_without_the_claim_words(
    seed_client: TestClient, text: str, claim_id: str, stance: str
) -> None:
    match = match_for(check(seed_client, text), claim_id)
    assert match["stance"] == stance
    codes = {f["code"] for f in match["flags"]}
    if stance != "asserts":  # population and overclaim flags are for what the post asserts
        assert not codes & {"population-mismatch", "overclaim"}


@pytest.mark.parametrize(
    "text",
    [
        "#backwardwalking fixed my #kneepain",
        "Walking backwards healed my #kneepain",
        "#walkingbackwards #kneepainrelief",
    ],
)
def test_glued_hashtags_are_split_into_words(seed_client: TestClient, text: str) -> None:
    body = check(seed_client, text)
    assert body["matches"] and body["matches"][0]["claim"]["id"] == KNEE_PAIN


def test_hashtag_segmentation_rules() -> None:
    concepts = [ConceptDef("knee-pain", "outcome", ("knee pain",)), ConceptDef("knee", "body", ("knee",))]
    # "#kneepain" of a claim's phrasing is not a word of its own: the same hashtag in a post splits.
    analyzer = Analyzer(concepts, vocabulary=["#kneepain? build your quads", "walking backward"],
                        lexicon=["mileage", "for", "stronger", "knees"])  # fmt: skip
    assert "kneepain" not in analyzer.vocabulary
    assert [t.word for t in analyzer.tokens("#kneepain")] == ["knee", "pain"]
    features = analyzer.features("so much #kneepain")
    assert {"knee-pain", "knee"} <= features.names()
    # Hashtags split into the language's words too; a plain word only into the claims' words.
    assert [t.word for t in analyzer.tokens("#strongerknees")] == ["stronger", "knees"]
    assert [t.word for t in analyzer.tokens("strongerknees")] == ["strongerknees"]
    assert [t.word for t in analyzer.tokens("#mileage")] == ["mileage"]  # a word of the language stays whole
    # Offsets still point into the post.
    text = "ok #walkingbackward"
    assert [text[t.start : t.end] for t in analyzer.tokens(text)] == ["ok", "walking", "backward"]


def test_a_figure_of_a_recorded_misreading_is_named_not_passed(seed_client: TestClient) -> None:
    # Hooper 2004 reported no calories; "20% more calories" is its recorded misreading. The figure
    # lies inside the 17-20% intensity difference, so before it passed silently as consistent.
    for text in (
        "A study found backward walking burns 20% more calories.",
        "Walking backwards burns about 20 percent more calories, one study shows",
    ):
        match = match_for(check(seed_client, text), CALORIES)
        misread = [f for f in match["flags"] if f["code"] == "misdescribed-study"]
        assert misread and misread[0]["study"] == "hooper2004effects", match["flags"]
        said = misread[0]["figures"][0]
        assert text[said["span"]["start"] : said["span"]["end"]] == said["post_says"]
        listed = [u for u in match["unverified_figures"] if u.get("study") == "hooper2004effects"]
        assert listed and "misreading" in listed[0]["note"]
    # Another figure is not the misreading's: it is checked as before, not listed as misread.
    match = match_for(check(seed_client, "Walking backwards burns 35% more calories than forward"), CALORIES)
    assert not [u for u in match["unverified_figures"] if "misreading" in u.get("note", "")]
    assert all(not f.get("figures") for f in match["flags"])


def test_a_misreading_that_repeats_the_study_design_is_not_a_misread_figure(seed_client: TestClient) -> None:
    # The misreading's "2.5 mph" and "27 people" are Hooper's real speed and sample.
    text = (
        "Walking backward on a treadmill at 2.5 mph on various inclines improved VO2 max more than "
        "forward walking (2004 study of 27 people)."
    )
    body = check(seed_client, text)
    assert body["matches"]
    for match in body["matches"]:
        assert not [u for u in match["unverified_figures"] if u.get("study")]


def test_cli_prints_the_misreading_note(tmp_path: Path, seed_sqlite: Settings) -> None:
    env = {"EVIDENCE_KB_DATABASE_URL": seed_sqlite.database_url, "EVIDENCE_KB_DATA_DIR": str(DATA_DIR),
           "PATH": ""}  # fmt: skip
    args = [sys.executable, "-m", "app.cli", "factcheck"]
    text = "A study found backward walking burns 20% more calories."
    out = subprocess.run([*args, text], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "the post reports others saying it" in out.stdout and "misdescribed-study" in out.stdout
    assert (
        "? unverified figure: 20% (percent-change): the figure of a known misreading of Hooper" in out.stdout
    )
    out = subprocess.run([*args, "--json", "I doubt that backward walking helps knee pain"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)  # fmt: skip
    assert json.loads(out.stdout)["matches"][0]["stance"] == "denies"


# --- issue 15: a second new user's reports ------------------------------------------------------------


def test_each_study_is_cited_once_in_order(seed_client: TestClient) -> None:
    """A study that backs a claim through several evidence links is one citation (API and page)."""
    body = check(seed_client, "I doubt that walking backwards helps knee osteoarthritis")
    for match in body["matches"]:
        keys = [c["key"] for c in match["citations"]]
        assert keys and len(keys) == len(set(keys)), keys
    keys = [c["key"] for c in match_for(body, KNEE_OA)["citations"]]
    claim = seed_client.get(f"/api/v1/claims/{KNEE_OA}").json()
    cited = [link["study"]["key"] for link in claim["evidence"]]
    assert len(cited) > len(set(cited))  # the case reported: a study linked more than once
    assert keys == list(dict.fromkeys(cited))
    page = seed_client.get(
        "/factcheck", params={"text": "I doubt that walking backwards helps knee osteoarthritis"}
    )
    line = next(x for x in page.text.splitlines() if 'class="cite">Studies:' in x)
    assert line.count("/studies/") == len(keys)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Walking backwards relieves knee pain in people with osteoarthritis.", "en"),
        ("Caminar hacia atrás alivia el dolor de rodilla en personas con artrosis.", "es"),
        ("Rückwärtsgehen hilft bei Kniearthrose.", "de"),
        ("Marcher à reculons soulage l'arthrose du genou.", "fr"),  # not reported
    ],
)
def test_a_post_in_another_language_that_names_the_patients_is_not_a_population_mismatch(
    seed_client: TestClient, text: str, language: str
) -> None:
    body = check(seed_client, text)
    assert body["language"]["code"] == language
    match = match_for(body, KNEE_OA)
    assert match["stance"] == "asserts"
    assert "population-mismatch" not in {f["code"] for f in match["flags"]}


def test_a_post_in_another_language_that_names_no_patients_is_still_a_population_mismatch(
    seed_client: TestClient,
) -> None:
    for text in ("Walking backwards relieves knee pain.", "Caminar hacia atrás alivia el dolor de rodilla."):
        match = match_for(check(seed_client, text), KNEE_PAIN)
        assert "population-mismatch" in {f["code"] for f in match["flags"]}, text


@pytest.mark.parametrize(
    "text",
    [
        "Walking backwards burns 30% more calories than walking forward",
        "Walking backwards burns 40 percent more calories than walking forward",
        "Walking backwards raises heart rate 40% more than walking forward",
        "Walking backwards burns 45% more calories",  # not reported
    ],
)
def test_a_figure_only_inside_an_intensity_bound_is_listed_unverified(
    seed_client: TestClient, text: str
) -> None:
    """No like-for-like figure (the studies measured percent of VO2max, not calories): not a
    mismatch, but not passed silently either."""
    body = check(seed_client, text)
    assert body["matches"]
    for match in body["matches"]:
        if match["stance"] not in ("asserts", "reports"):
            continue
        assert "figure-mismatch" not in {f["code"] for f in match["flags"]}
        listed = [u for u in match["unverified_figures"] if u["quantity"] == "percent-change"]
        assert listed and "not a like-for-like figure" in listed[0]["note"], match["claim"]["id"]


@pytest.mark.parametrize(
    "text", ["Walking backwards burns twice as many calories", "Walking backwards burns 100% more calories"]
)
def test_a_change_outside_the_bound_is_a_mismatch_and_a_percent_change_is_not_certainty(
    seed_client: TestClient, text: str
) -> None:
    match = match_for(check(seed_client, text), CALORIES)
    codes = [f["code"] for f in match["flags"]]
    assert "figure-mismatch" in codes and "overclaim" not in codes


def test_100_percent_as_certainty_is_still_an_overclaim(seed_client: TestClient) -> None:
    match = match_for(check(seed_client, "Walking backwards is 100% effective for knee pain"), KNEE_PAIN)
    assert [f["post_says"] for f in match["flags"] if f["code"] == "overclaim"] == ["100%"]


@pytest.mark.parametrize(
    ("text", "claim_id", "stance", "overclaim"),
    [
        ("Backward walking doesn't just help knee OA, it cures it.", KNEE_OA, "asserts", True),
        ("Backward walking does not only help knee OA, it cures it.", KNEE_OA, "asserts", True),
        (
            "Contrary to what people say, backward walking does help knee osteoarthritis.",
            KNEE_OA,
            "asserts",
            False,
        ),
        ("Despite what doctors say, walking backwards relieves knee pain.", KNEE_PAIN, "asserts", False),
        ("Backward walking doesn't help knee OA.", KNEE_OA, "denies", False),  # a plain negation still denies
        ("People say backward walking helps knee osteoarthritis.", KNEE_OA, "reports", False),
    ],
)
def test_not_just_and_contrary_to_what_people_say_assert(
    seed_client: TestClient, text: str, claim_id: str, stance: str, overclaim: bool
) -> None:
    match = match_for(check(seed_client, text), claim_id)
    assert match["stance"] == stance
    assert ("overclaim" in {f["code"] for f in match["flags"]}) == overclaim


@pytest.mark.parametrize(
    "text",
    [
        "Walking backwards burns 40% more calories #kneepain",
        "Walking backwards burns more calories #kneepain #fitness",  # not reported
    ],
)
def test_a_closing_hashtag_is_topic_not_an_outcome_the_post_states(
    seed_client: TestClient, text: str
) -> None:
    body = check(seed_client, text)
    ids = [m["claim"]["id"] for m in body["matches"]]
    assert ids[0] == CALORIES and KNEE_PAIN not in ids, ids
    figure = text.find("40%")
    for match in body["matches"]:  # the post's figure is the calorie claim's, not a knee claim's
        for u in match["unverified_figures"]:
            assert u["span"]["start"] == figure and match["claim"]["id"] != KNEE_PAIN


def test_a_hashtag_inside_the_sentence_still_states_the_outcome(seed_client: TestClient) -> None:
    for text in ("Walking backwards for #KneePainRelief", "Walking backwards healed my #kneepain"):
        assert check(seed_client, text)["matches"][0]["claim"]["id"] == KNEE_PAIN, text


def test_cli_lists_each_source_once(tmp_path: Path, seed_sqlite: Settings) -> None:
    env = {"EVIDENCE_KB_DATABASE_URL": seed_sqlite.database_url, "EVIDENCE_KB_DATA_DIR": str(DATA_DIR),
           "PATH": ""}  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "factcheck", "I doubt that walking backwards helps knee osteoarthritis"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = [x.split("sources:", 1)[1] for x in out.stdout.splitlines() if "sources:" in x]
    assert lines
    for line in lines:
        sources = [s.strip() for s in line.split(";")]
        assert len(sources) == len(set(sources)), line


@pytest.mark.parametrize(
    ("post", "word"),
    [
        ("Walking backwards healed my knee pain.", "healed"),
        ("Rückwärtsgehen hat meine Knieschmerzen geheilt!", "geheilt"),
        ("Caminar hacia atrás en la cinta me quitó el dolor de rodilla en dos semanas.", "quitó el dolor"),
    ],
)
def test_healed_is_an_overclaim_like_cured(seed_client: TestClient, post: str, word: str) -> None:
    """'cured', 'heilt' and 'curó' were flagged, 'healed', 'geheilt' and 'me quitó' not (new-user trial)."""
    match = match_for(check(seed_client, post), "backward-walking-relieves-everyday-knee-pain")
    assert [f["post_says"] for f in match["flags"] if f["code"] == "overclaim"] == [word], match["flags"]


@pytest.mark.parametrize(
    ("post", "stance"),
    [
        ("Walking backwards helps your knees.", "asserts"),
        ("walking backwards fixes knees", "asserts"),
        ("It's a myth that walking backwards helps your knees. It does nothing.", "denies"),
        ("I don't think walking backwards helps knees at all.", "denies"),
    ],
)
def test_helps_your_knees_says_knee_pain_without_the_word(
    seed_client: TestClient, post: str, stance: str
) -> None:
    """Knee posts without the word 'pain' matched nothing (new-user trial), as 'good for your
    knees' already did; the same words about walking forward stay silent."""
    match = match_for(check(seed_client, post), "backward-walking-relieves-everyday-knee-pain")
    assert match["stance"] == stance
    assert check(seed_client, "Walking every day helps your knees.")["matches"] == []


def test_nobody_has_proven_denies_and_is_no_overclaim(seed_client: TestClient) -> None:
    """'Nobody has proven that ...' was read as asserting both calorie claims, each flagged for
    overclaiming 'proven' (new-user trial); 'Nobody tells you ...' still asserts."""
    body = check(seed_client, "Nobody has proven that walking backwards burns more calories.")
    match = match_for(body, "backward-walking-burns-more-calories")
    assert match["stance"] == "denies" and not {f["code"] for f in match["flags"]} & {"overclaim"}
    told = check(seed_client, "Nobody tells you walking backwards burns more calories.")
    assert match_for(told, "backward-walking-burns-more-calories")["stance"] == "asserts"


def test_a_post_naming_no_condition_is_told_so_not_that_it_speaks_of_everyone(
    seed_client: TestClient,
) -> None:
    """'fixed my knee pain' was told it 'applies this to people in general, but the evidence comes
    only from patients' beside healthy-volunteer studies (new-user trial): the flag says the post
    names no condition and the claim was tested only in patients."""
    body = check(seed_client, "Walking backwards on a treadmill fixed my knee pain in two weeks!")
    match = match_for(body, "backward-walking-relieves-everyday-knee-pain")
    (flag,) = [f for f in match["flags"] if f["code"] == "population-mismatch"]
    assert flag["message"].startswith("The post names no condition, but it was tested only in patients (")
    assert flag["post_says"] == "no condition named"


def test_a_verdict_on_a_clause_of_its_own_does_not_deny_the_sentence_before(seed_client: TestClient) -> None:
    """'Nobody has proven that it burns more calories' judges the calories, not the knee claim of
    the sentence before it (read as denied: found on the page while checking this session's
    fixes); a bare verdict still points back."""
    body = check(seed_client, "Walking backwards on a treadmill fixed my knee pain in two weeks! "
                              "Nobody has proven that it burns more calories though.")  # fmt: skip
    assert match_for(body, "backward-walking-relieves-everyday-knee-pain")["stance"] == "asserts"
    assert match_for(body, "backward-walking-burns-more-calories")["stance"] == "denies"
    bare = check(
        seed_client, "Walking backwards on a treadmill fixed my knee pain in two weeks! That's a myth."
    )
    assert match_for(bare, "backward-walking-relieves-everyday-knee-pain")["stance"] == "denies"


@pytest.mark.parametrize(
    ("post", "stance", "flagged"),
    [
        ("Walking backwards will help you lose 10 pounds in a month", "asserts", True),
        ("Walking backwards won't help you lose weight.", "denies", False),
        ("Does walking backwards help you lose weight?", "asks", False),
    ],
)
def test_passing_on_a_claim_rated_misleading_is_flagged(
    seed_client: TestClient, post: str, stance: str, flagged: bool
) -> None:
    """A post asserting a claim rated Misleading got no flag at all, so a bot that reads only
    ``flags`` saw nothing wrong (new-user trial): ``asserts-rejected``, the mirror of
    ``denies-supported``; not for a denial or a question."""
    match = match_for(check(seed_client, post), "backward-walking-helps-weight-loss")
    assert match["claim"]["verdict"] == "misleading" and match["stance"] == stance
    rejected = [f for f in match["flags"] if f["code"] == "asserts-rejected"]
    assert bool(rejected) == flagged
    if flagged:
        (flag,) = rejected
        assert "rated misleading" in flag["message"] and flag["span"]["text"] == post
