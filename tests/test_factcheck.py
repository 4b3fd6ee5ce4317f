"""The fact-check: quality on labelled posts, each flag kind on real posts, the API and the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from helpers import DATA_DIR, FIXTURES

from app import grading
from app.build import build_database
from app.db import Database
from app.factcheck import THRESHOLD, factcheck
from app.factcheck.analyzer import Analyzer, ConceptDef, raw_tokens
from app.factcheck.figures import post_figures
from app.settings import Settings
from app.store import Store

DEV_FILE = FIXTURES / "factcheck-dev.yaml"
HARD_FILE = FIXTURES / "factcheck-posts.yaml"


@pytest.fixture(scope="module")
def store(seed_sqlite: Settings) -> Store:
    return Store(Database(seed_sqlite))


def check(store: Store, text: str) -> dict:
    return factcheck(store, text)


def ids(result: dict) -> list[str]:
    return [m["claim"]["id"] for m in result["matches"]]


def flags(result: dict, code: str) -> list[dict]:
    return [f for m in result["matches"] for f in m["flags"] if f["code"] == code]


def run_eval(path: Path, tmp_path: Path, seed: Settings) -> dict:
    env = {
        "EVIDENCE_KB_DATABASE_URL": seed.database_url,  # the session's build of the shipped data
        "EVIDENCE_KB_DATA_DIR": str(DATA_DIR),
        "PATH": "",
    }
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "factcheck-eval", str(path), "--json"],
        capture_output=True, text=True, env=env, check=True, cwd=tmp_path,
    )  # fmt: skip
    return json.loads(out.stdout)


# --- quality on labelled posts ---------------------------------------------------------------


def test_dev_set_meets_the_thresholds(tmp_path: Path, seed_sqlite: Settings) -> None:
    """Development data (the score model is fitted on it): a regression guard, not a quality claim;
    held-out figures come from the real-text set's test part (docs/factcheck.md)."""
    report = run_eval(DEV_FILE, tmp_path, seed_sqlite)["system"]
    assert report["single_first_right"] >= 0.9, report["failures"]
    assert report["no_claim_silent"] == 1.0, report["failures"]
    assert report["figure_flagged_contradicting"] >= 0.5, report["failures"]


def test_eval_reports_stance_and_languages(tmp_path: Path, seed_sqlite: Settings) -> None:
    """The issue's sentences: a denial and a question, figures, English only."""
    path = DATA_DIR.parent / "tests/fixtures/factcheck-issue.yaml"
    report = run_eval(path, tmp_path, seed_sqlite)
    system = report["system"]
    assert system["denials_questions"] >= 2
    assert system["stance_right_when_returned"] == 1.0 and system["denials_questions_returned"] >= 2
    assert system["figure_flagged_not_contradicting"] == 0.0
    english = report["languages"]["en"]
    assert english["matched_by"] == ["text"] and english["single"] >= 3 and english["single_first_right"] > 0
    env = {"EVIDENCE_KB_DATABASE_URL": seed_sqlite.database_url, "EVIDENCE_KB_DATA_DIR": str(DATA_DIR),
           "PATH": ""}  # fmt: skip
    text = subprocess.run([sys.executable, "-m", "app.cli", "factcheck-eval", str(path)], capture_output=True,
                          text=True, env=env, check=True, cwd=tmp_path).stdout  # fmt: skip
    assert (
        "the same, of those whose claim is returned" in text and "  en: " in text and "read by text" in text
    )


def test_eval_names_an_unknown_claim_id(
    tmp_path: Path, seed_sqlite: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A labelled claim id that is no claim of the build (a typo, a renamed claim) is an error naming
    the file, the passage and the id, with the id it most likely meant, before any measuring: it
    used to count silently as a miss of every ranker."""
    from app.cli import main

    labelled = tmp_path / "labelled.yaml"
    labelled.write_text(yaml.safe_dump([
        {"id": "p1", "text": "Walking backwards burns more calories.",
         "expect": ["backward-walking-burns-more-calories"]},
        {"id": "p2", "text": "Backward walking improves balance.",
         "claims": [{"id": "backward-walking-improve-balance", "stance": "asserts"}]},
        {"id": "p3", "text": "Does walking backwards help knee pain?", "expect": ["knee-magic"],
         "stance": {"knee-magic": "asks"}},
    ]))  # fmt: skip
    monkeypatch.setenv("EVIDENCE_KB_DATABASE_URL", seed_sqlite.database_url)
    monkeypatch.setenv("EVIDENCE_KB_DATA_DIR", str(DATA_DIR))
    assert main(["factcheck-eval", str(labelled)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.strip() == (
        f"evidence-kb factcheck-eval: {labelled}: passage p2: unknown claim id 'backward-walking-improve-balance' "
        f"(did you mean 'backward-walking-improves-balance'?); {labelled}: passage p3: unknown claim id "
        "'knee-magic'"
    )


def test_harder_posts(tmp_path: Path, seed_sqlite: Settings) -> None:
    """Our own posts: slang, hashtags, emoji, misspellings, multi-claim, numbers, look-alikes."""
    report = run_eval(HARD_FILE, tmp_path, seed_sqlite)
    system = report["system"]
    assert system["passages"] >= 40
    assert system["single_first_right"] >= 0.85, system["failures"]
    assert system["multi_all_in_top3"] >= 0.6, system[
        "failures"
    ]  # measured 3 of 5 (25 claims, near-duplicates)
    assert system["no_claim_silent"] >= 0.85, system["failures"]  # measured 0.889 (3 of 27 look-alikes)
    assert system["figure_flagged_not_contradicting"] <= 0.05, system["failures"]
    assert {"bm25", "embedding", "reliability"} <= set(report)
    assert report["reliability"]["ece_all"] is not None


@pytest.mark.parametrize(
    "text",
    [
        "Creatine is the most researched supplement and it boosts strength",
        "Cold plunges every morning reduce inflammation and knee pain",
        # squats are a quadriceps exercise, but knee sleeves are not strength work: no claim (a
        # known false positive of the 2026-11-30 model at 0.402; silent under the 2026-12-01 refit)
        "These knee sleeves stopped my knee pain during squats",
        "walking my dog backwards down the street lol",
        "Counting backwards from 100 helps you fall asleep",
        "",
        "🤯🤯🤯",
    ],
)
def test_unrelated_posts_match_nothing(store: Store, text: str) -> None:
    assert check(store, text)["matches"] == []


def test_a_post_with_three_claims_finds_each(store: Store) -> None:
    result = check(
        store, "Backward walking: burns more calories, builds your quads and improves balance #retrowalking"
    )
    assert {
        "backward-walking-burns-more-calories",
        "backward-walking-strengthens-quadriceps",
        "backward-walking-improves-balance",
    } <= set(ids(result)[:3])


def test_the_more_specific_claim_ranks_first(store: Store) -> None:
    result = check(
        store, "retro walking is a game changer for knee osteoarthritus, less pain and stronger quads"
    )
    assert ids(result)[0] == "backward-walking-eases-knee-osteoarthritis"


def test_scores_are_probabilities_with_one_threshold(store: Store) -> None:
    result = check(store, "Walking backwards on a treadmill relieves knee pain")
    assert result["threshold"] == THRESHOLD
    assert all(THRESHOLD <= m["score"] <= 1 for m in result["matches"])


def test_matched_text_points_into_the_post(store: Store) -> None:
    text = "lol ok so 🤯 #BackwardWalking builds your quads, no weights needed"
    match = check(store, text)["matches"][0]
    span = match["matched_text"]
    assert text[span["start"] : span["end"]] == span["text"]
    assert "Backward" in span["text"] and "quads" in span["text"]


# --- flags ---------------------------------------------------------------------------------------


def test_figure_mismatch_on_a_changed_percentage(store: Store) -> None:
    result = check(store, "Six weeks of backwards walk/run training improved VO2 max by 40%")
    assert ids(result)[0] == "backward-training-raises-predicted-vo2max"
    flag = flags(result, "figure-mismatch")[0]
    assert flag["post_says"] == "40%"
    assert flag["evidence_shows"] == "5.2%"
    assert flag["study"] == "terblanche2005effect"
    assert "predicted VO2 max" in flag["message"]


def test_no_figure_flag_when_the_figure_is_right(store: Store) -> None:
    result = check(store, "Six weeks of backwards walk/run training improved predicted VO2 max by 5.2%")
    assert ids(result)[0] == "backward-training-raises-predicted-vo2max"
    assert flags(result, "figure-mismatch") == []


def test_figure_mismatch_on_a_changed_sample_size(store: Store) -> None:
    result = check(
        store, "A 6-week backward walk/run training study of 200 women raised predicted VO2 max by 5.2%"
    )
    flag = flags(result, "figure-mismatch")[0]
    assert flag["post_says"] == "200 women"
    assert flag["study"] == "terblanche2005effect"


def test_population_mismatch_patients_to_everyone(store: Store) -> None:
    result = check(store, "Walking backwards on the treadmill relieves knee pain for everyone")
    flag = flags(result, "population-mismatch")[0]
    assert "The post applies this to everyone, but it was tested only in patients" in flag["message"]
    assert "osteoarthritis" in flag["evidence_shows"]


def test_population_mismatch_healthy_volunteers_to_patients(store: Store) -> None:
    result = check(store, "Running backwards cuts kneecap load, perfect for people with arthritic knees")
    assert ids(result)[0] == "backward-running-reduces-patellofemoral-force"
    flag = flags(result, "population-mismatch")[0]
    assert "healthy volunteers" in flag["message"]


def test_no_population_flag_when_the_post_names_the_studied_group(store: Store) -> None:
    result = check(
        store, "Knee osteoarthritis patients improved pain and quadriceps strength with retro-walking"
    )
    assert ids(result)[0] == "backward-walking-eases-knee-osteoarthritis"
    assert flags(result, "population-mismatch") == []


def test_overclaim_suggests_the_calibrated_wording(store: Store) -> None:
    result = check(store, "Science has PROVEN that walking backwards cures knee pain 100%")
    flag = flags(result, "overclaim")[0]
    assert "proven" in flag["post_says"] and "cures" in flag["post_says"]
    claim = result["matches"][0]["claim"]
    assert flag["suggestion"] == claim["calibrated"]


def test_misdescribed_study(store: Store) -> None:
    result = check(
        store,
        "A 2004 study of 27 people showed backward walking improves your VO2 max more than forward walking",
    )
    assert ids(result)[0] == "backward-walking-improves-vo2max-more-than-forward"
    flag = flags(result, "misdescribed-study")[0]
    assert flag["study"] == "hooper2004effects"
    assert "VO2max was never re-measured" in flag["evidence_shows"] or "never re-measured" in flag["message"]


def test_each_flag_names_its_study_and_both_sides(store: Store) -> None:
    posts = [
        "Six weeks of backwards walk/run training improved VO2 max by 40%",
        "Walking backwards on the treadmill relieves knee pain for everyone, guaranteed",
        "A 2004 study showed backward walking improves VO2 max more than forward walking",
    ]
    seen = set()
    for post in posts:
        for match in check(store, post)["matches"]:
            for flag in match["flags"]:
                seen.add(flag["code"])
                assert flag["message"] and flag["post_says"] and flag["evidence_shows"]
                assert flag.get("study") or flag.get("studies")
    assert seen == {
        "figure-mismatch",
        "population-mismatch",
        "overclaim",
        "misdescribed-study",
        "asserts-rejected",
    }


# --- matching internals ----------------------------------------------------------------------------


def test_text_normalisation() -> None:
    analyzer = Analyzer(
        [ConceptDef("vo2max", "outcome", ("vo2 max", "vo2max", "vo 2 max")), ConceptDef("knee-pain", "outcome", ("knee pain",)),
         ConceptDef("backward", "activity", ("backward", "retro")), ConceptDef("quadriceps", "body", ("quadriceps",))],
        vocabulary=["relief walking"],
    )  # fmt: skip
    assert [w for w, _, _ in raw_tokens("#BackwardWalking")] == ["Backward", "Walking"]
    assert {"vo2max"} <= analyzer.features("my VO₂ max went up").names()
    assert {"knee-pain"} <= analyzer.features("#kneepainrelief").names()  # glued hashtag split
    assert {"quadriceps"} <= analyzer.features("great for the quadricpes").names()  # one typo away
    assert {"backward"} <= analyzer.features("RETRO walking").names()


def test_japanese_and_chinese_are_read_one_character_at_a_time() -> None:
    assert [w for w, _, _ in raw_tokens("倒着走VO2max")] == ["倒", "着", "走", "VO", "2", "max"]
    analyzer = Analyzer(
        [
            ConceptDef("backward", "activity", ("後ろ歩き", "倒着走")),
            ConceptDef("knee", "body", ("ひざ", "膝")),
        ],
        language=None,
    )
    feats = analyzer.features("後ろ歩きはひざに効く。倒着走")
    assert feats.spans == {"backward": [(0, 4), (10, 13)], "knee": [(5, 7)]}  # token numbers
    assert "knee" not in analyzer.features("ひさしぶり").names()  # ざ keeps its voicing mark (not さ)
    # Devanagari vowel signs are combining marks: they stay inside their word
    assert [w for w, _, _ in raw_tokens("उल्टा चलना")] == ["उल्टा", "चलना"]


def test_typed_figures() -> None:
    def typed(text: str) -> list[tuple[str, float, float | None]]:
        return [(f.quantity, round(f.value, 1), f.high) for f in post_figures(text)]

    assert typed("six weeks, 200 women at 1.5-2.0 mph") == [
        ("duration-program", 42.0, None), ("sample-size", 200.0, None), ("speed", 1.5, 2.0)]  # fmt: skip
    assert typed("burns 40% more calories") == [("percent-change", 40.0, None)]
    assert typed("at 60% of your VO2 max on a 12 percent incline") == [
        ("percent-of-max", 60.0, None), ("incline", 12.0, None)]  # fmt: skip
    assert typed("double the calories") == [("percent-change", 100.0, None)]
    assert typed("twice as hard, 6 times more effort") == [
        ("percent-change", 100.0, None),
        ("percent-change", 500.0, None),
    ]
    assert typed("a third less pressure") == [("percent-change", -33.3, None)]
    assert typed("100 steps backwards equal 1,000 forwards") == [("percent-change", 900.0, None)]
    assert typed("5-10 minutes a day") == [("duration-session", 5.0, 10.0)]
    assert typed("25 percent of the time") == []  # no quantity: not typed, never compared


def test_a_new_topic_needs_only_data(tmp_path: Path) -> None:
    """Curators add a claim and a concept; the fact-check finds it with no code change."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini", data)
    claims = yaml.safe_load((data / "claims.yaml").read_text())
    claims.append({
        **claims[1], "id": "nordic-walking-eases-hip-pain",
        "statement": "Nordic walking eases hip pain.", "subject": "Nordic walking", "predicate": "ease hip pain",
        "phrasings": ["pole walking fixes sore hips", "nordic walking for hip pain", "walking with poles eases achy hips"],
    })  # fmt: skip
    (data / "claims.yaml").write_text(yaml.safe_dump(claims, sort_keys=False))
    with (data / "concepts.yaml").open("a") as f:
        f.write(
            "- id: nordic\n  kind: activity\n  terms: [nordic walking, pole walking, walking with poles, poles]\n"
        )
        f.write("- id: hip-pain\n  kind: outcome\n  terms: [hip pain, sore hips, achy hips, hips hurt]\n")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'kb.db'}", data_dir=data)
    build_database(settings, force=True)
    # The post says the claim in the new concepts' words ("pole walking", "sore hips") and its verb.
    # A claim no labelled passage makes has no learned weights, so a post that leaves out a core
    # word ("made my hips stop hurting": no "ease") scores near the cut-off (0.50 at the 0.525 of
    # the model fitted 2026-12-01), as calibrated for such claims.
    result = factcheck(Store(Database(settings)), "Pole walking eased my sore hips, they stopped hurting")
    assert ids(result)[:1] == ["nordic-walking-eases-hip-pain"]


# --- API (both backends) -----------------------------------------------------------------------------


def test_api_factcheck_shape(seed_client: TestClient) -> None:
    text = "Walking backward on a treadmill is the knee pain cure nobody talks about 🤯"
    r = seed_client.post("/api/v1/factcheck", json={"text": text, "limit": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["took_ms"] >= 0
    match = body["matches"][0]
    claim = match["claim"]
    assert claim["id"] == "backward-walking-relieves-everyday-knee-pain"
    assert {"id", "statement", "verdict", "grade", "summary", "url"} <= set(claim)
    assert claim["grade"]["level"] in grading.CERTAINTIES and claim["grade"]["reasons"]
    assert claim["url"].endswith("/claims/backward-walking-relieves-everyday-knee-pain")
    assert 0 <= match["score"] <= 1
    assert (
        text[match["matched_text"]["start"] : match["matched_text"]["end"]] == match["matched_text"]["text"]
    )
    keys = {c["key"] for c in match["citations"]}
    assert "alghadir2019effect" in keys
    alghadir = next(c for c in match["citations"] if c["key"] == "alghadir2019effect")
    assert (
        alghadir["doi"] == "10.1186/s12891-019-2537-9"
        and alghadir["url"] == "https://doi.org/10.1186/s12891-019-2537-9"
    )
    assert alghadir["short"] == "Alghadir et al. 2019"
    review = match["claim_review"]
    assert review["@type"] == "ClaimReview" and review["claimReviewed"] == claim["statement"]
    assert review["reviewRating"]["alternateName"] == "Unproven"
    assert {f["code"] for f in match["flags"]} >= {"population-mismatch", "overclaim"}


def test_api_names_how_a_language_is_read(seed_client: TestClient) -> None:
    r = seed_client.post(
        "/api/v1/factcheck", json={"text": "¿Caminar hacia atrás alivia el dolor de rodilla?"}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["language"] | {"confidence": 0} == {
        "code": "es", "name": "Spanish", "confidence": 0, "handled": True, "matched_by": "concepts", "also": []
    }  # fmt: skip
    assert "Spanish is matched through the concept vocabulary only" in body["warnings"][0]
    assert body["matches"][0]["stance"] == "asks"
    page = seed_client.post("/factcheck", data={"text": "Rückwärtsgehen stärkt die Oberschenkelmuskulatur."})
    assert "matched through the concept vocabulary only" in page.text


@pytest.mark.parametrize(
    ("text", "code", "name", "claim"),
    [
        ("後ろ歩きはひざの痛みを和らげる効果があります。", "ja", "Japanese", "backward-walking-relieves-everyday-knee-pain"),
        ("後ろ向きに歩くと、前向きに歩くよりカロリーを多く消費します。", "ja", "Japanese",
         "backward-walking-costs-more-energy-than-forward"),
        ("倒着走可以缓解膝盖疼痛。", "zh", "Chinese", "backward-walking-relieves-everyday-knee-pain"),  # simplified
        ("倒著走路能鍛鍊大腿肌肉，增強股四頭肌的力量。", "zh", "Chinese", "backward-walking-strengthens-quadriceps"),  # traditional
        # Korean, one syllable at a time: a term is found whatever particle follows it (무릎이, 걸으면)
        ("뒤로 걷기는 무릎 통증을 완화하는 데 효과적이다.", "ko", "Korean", "backward-walking-relieves-everyday-knee-pain"),
        ("뒤로 걷기는 균형 감각을 향상시킨다.", "ko", "Korean", "backward-walking-improves-balance"),
        ("뒤로 걸으면 허벅지 근육이 강화된다.", "ko", "Korean", "backward-walking-strengthens-quadriceps"),
    ],
)  # fmt: skip
def test_api_reads_japanese_and_chinese_through_concept_terms(
    seed_client: TestClient, text: str, code: str, name: str, claim: str
) -> None:
    body = seed_client.post("/api/v1/factcheck", json={"text": text}).json()
    assert body["language"] | {"confidence": 0} == {
        "code": code, "name": name, "confidence": 0, "handled": True, "matched_by": "concepts", "also": []
    }  # fmt: skip
    assert f"{name} is matched through the concept vocabulary only" in body["warnings"][0]
    first = body["matches"][0]
    assert first["claim"]["id"] == claim and first["stance"] == "asserts"
    assert first["matched_text"]["text"] == text


@pytest.mark.parametrize(
    "text",
    [
        "今日は友達と駅前のカフェでケーキを食べました。",  # another topic
        "毎朝ウォーキングをすると、ひざの痛みが和らぎます。",  # forward walking: no backward, no claim
        "오늘 공원에서 친구와 산책을 했다.",  # Korean: a walk in the park
        "매일 앞으로 걷기만 해도 무릎 통증이 줄어든다.",  # Korean: forward walking eases knee pain
    ],
)
def test_api_japanese_post_about_something_else_returns_nothing(seed_client: TestClient, text: str) -> None:
    body = seed_client.post("/api/v1/factcheck", json={"text": text}).json()
    assert body["language"]["code"] in ("ja", "ko") and body["language"]["matched_by"] == "concepts"
    assert body["matches"] == []
    assert "finding no claim does not mean the post is accurate" in body["warnings"][0]


def test_stance_in_japanese_and_chinese(seed_client: TestClient) -> None:
    def first(text: str) -> dict:
        return seed_client.post("/api/v1/factcheck", json={"text": text}).json()["matches"][0]

    safe = "backward-walking-is-safe-for-healthy-adults"
    # "does walking backward hurt the knees?", with no question mark
    asked = first("倒走會傷膝蓋嗎")
    assert asked["claim"]["id"] == safe and asked["stance"] == "asks"
    # "dangerous, as you cannot see where you are going": the contrary of "safe"
    danger = first("後ろ歩きは進行方向が見えないため危険です。")
    assert danger["claim"]["id"] == safe and danger["stance"] == "denies"


@pytest.mark.parametrize(
    "text",
    [
        "後ろ歩きで膝の痛みは治らない。",  # "does not cure": a verb's negative ending
        "後ろ歩きは膝の痛みに効きません。",  # polite "does not work"
        "後ろ歩きで膝の痛みが治るというのは嘘です。",  # "... is a lie"
        "倒着走不能治好膝盖疼痛。",  # "cannot cure"
        "倒着走治不了膝盖疼。",  # a potential complement negated
        "倒着走能治膝盖疼是谣言。",  # "... is a rumour"
        "Jalan mundur tidak menyembuhkan nyeri lutut.",  # Indonesian
        "뒤로 걷기는 무릎 통증을 치료하지 않는다.",  # Korean "does not cure"
        "뒤로 걷기가 무릎 통증에 효과가 있다는 것은 근거 없는 속설이다.",  # "... is a baseless belief"
        "뒤로 걷기는 무릎 통증에 효과가 없다.",  # "has no effect"
    ],
)
def test_denials_in_japanese_chinese_and_indonesian(seed_client: TestClient, text: str) -> None:
    """A denial is read as one in the languages read through the concepts, and a denial carries
    no overclaim or population flag (those apply to what a post asserts)."""
    body = seed_client.post("/api/v1/factcheck", json={"text": text}).json()
    knee = [m for m in body["matches"] if m["claim"]["id"] == "backward-walking-relieves-everyday-knee-pain"]
    assert knee and knee[0]["stance"] == "denies", body["matches"]
    assert not {f["code"] for f in knee[0]["flags"]} & {"overclaim", "population-mismatch"}


@pytest.mark.parametrize(
    "text",
    [
        "後ろ歩きは膝の痛みに効くという人もいる。",  # "some people say"
        "後ろ歩きは膝の痛みを和らげると言われています。",  # "it is said"
        "有人说倒着走能缓解膝盖疼痛。",  # "someone says"
        "据说倒着走可以缓解膝盖疼痛。",  # "reportedly"
        "전문가들에 따르면 뒤로 걷기는 무릎 통증을 완화한다.",  # Korean "according to experts"
        "뒤로 걷기가 무릎 통증을 줄여준다고 한다.",  # "they say"
    ],
)
def test_reported_speech_in_japanese_and_chinese(seed_client: TestClient, text: str) -> None:
    """Others' words are reported, not asserted, and carry no population flag (found by a new
    user's second trial)."""
    body = seed_client.post("/api/v1/factcheck", json={"text": text}).json()
    knee = [m for m in body["matches"] if m["claim"]["id"] == "backward-walking-relieves-everyday-knee-pain"]
    assert knee and knee[0]["stance"] == "reports", body["matches"]
    assert "population-mismatch" not in {f["code"] for f in knee[0]["flags"]}


@pytest.mark.parametrize(
    "text",
    [
        "後ろ歩きを続けたら膝の痛みがなくなった。",  # "the knee pain went away"
        "後ろ歩きは膝関節への負担が少ない。",  # 少ない "little" (strain), not a negation
        "倒着走以后膝盖不疼了。",  # "the knee no longer hurts"
        "後ろ歩きは普段使わない筋肉を鍛えて、膝の痛みを和らげる。",  # "muscles you do not use"
        "倒着走可以锻炼平时不用的肌肉，缓解膝盖疼痛。",  # the same in Chinese
        "뒤로 걷기는 무릎에 부담 없이 무릎 통증을 줄여준다.",  # Korean 부담 없이 "without strain"
        "뒤로 걷기를 했더니 무릎 통증이 없어졌다.",  # "the knee pain went away"
        "뒤로 걷기는 아프지 않고 무릎 통증을 완화한다.",  # "does not hurt"
    ],
)
def test_japanese_and_chinese_words_that_look_negative_do_not_deny(
    seed_client: TestClient, text: str
) -> None:
    body = seed_client.post("/api/v1/factcheck", json={"text": text}).json()
    assert body["matches"] and all(m["stance"] != "denies" for m in body["matches"]), body["matches"]


def test_a_post_mixing_english_and_japanese_is_read_in_both(seed_client: TestClient) -> None:
    """Each part of a post that mixes scripts is read in its own language (found by a new user's
    trial: the English sentence, with its figure, was ignored as Japanese)."""
    text = "Backward walking burns twice the calories! 後ろ歩きは膝の痛みに効く"
    body = seed_client.post("/api/v1/factcheck", json={"text": text}).json()
    by_id = {m["claim"]["id"]: m for m in body["matches"]}
    knee = by_id["backward-walking-relieves-everyday-knee-pain"]
    assert knee["matched_text"]["text"] == "後ろ歩きは膝の痛みに効く"
    calories = by_id["backward-walking-burns-more-calories"]
    assert calories["matched_text"]["text"] == "Backward walking burns twice the calories!"
    assert "figure-mismatch" in {f["code"] for f in calories["flags"]}
    codes = {body["language"]["code"]} | {part["code"] for part in body["language"]["also"]}
    assert codes == {"en", "ja"}
    assert any("Japanese is matched through the concept vocabulary only" in w for w in body["warnings"])
    # one script with a few words of another (hashtags, a name) is one language
    one = seed_client.post(
        "/api/v1/factcheck", json={"text": "後ろ歩きは膝に効く #backwardwalking #kneepain"}
    ).json()
    assert one["language"]["code"] == "ja" and one["language"]["also"] == []


CONTEXT_POST = "It strengthens your quads and improves balance."
CONTEXT = "The benefits of walking backwards on a treadmill"


def test_the_pages_heading_names_what_it_is(seed_client: TestClient) -> None:
    """A passage that leaves its activity to the page's heading ("It strengthens your quads") makes
    no claim alone and the claims its heading names when the caller sends it as ``context``; a
    heading about something else lends nothing; the heading itself is never matched."""

    def ids(**body: object) -> list[str]:
        r = seed_client.post("/api/v1/factcheck", json=body)
        assert r.status_code == 200, r.text
        return [m["claim"]["id"] for m in r.json()["matches"]]

    assert ids(text=CONTEXT_POST) == []
    assert set(ids(text=CONTEXT_POST, context=CONTEXT)) == {
        "backward-walking-strengthens-quadriceps", "backward-walking-improves-balance"}  # fmt: skip
    assert ids(text=CONTEXT_POST, context="Reverse lunges: how to do them right") == []
    assert ids(text="Here is what we found.", context="Walking backwards relieves knee pain") == []
    batch = seed_client.post("/api/v1/factcheck/batch", json={"posts": [
        {"id": "with", "text": CONTEXT_POST, "context": CONTEXT}, {"id": "without", "text": CONTEXT_POST}]})  # fmt: skip
    results = {r["id"]: [m["claim"]["id"] for m in r["matches"]] for r in batch.json()["results"]}
    assert results["with"] and results["without"] == []
    too_long = seed_client.post("/api/v1/factcheck", json={"text": CONTEXT_POST, "context": "x" * 301})
    assert too_long.status_code == 422 and "context" in too_long.text


def test_the_page_takes_the_heading(seed_client: TestClient, store: Store) -> None:
    page = seed_client.post("/factcheck", data={"text": CONTEXT_POST, "context": CONTEXT})
    assert page.status_code == 200
    assert "Walking backward strengthens the quadriceps" in page.text
    assert 'name="context"' in page.text and CONTEXT in page.text  # kept in the form, and in the link
    assert "context=The+benefits+of+walking+backwards" in page.text
    shared = seed_client.get("/factcheck", params={"text": CONTEXT_POST, "context": CONTEXT})
    assert "Walking backward strengthens the quadriceps" in shared.text
    assert factcheck(store, CONTEXT_POST, context=CONTEXT)["matches"]  # the one function behind both


@pytest.mark.parametrize("method", ["post", "get"])
def test_the_page_keeps_the_post_when_the_heading_is_too_long(seed_client: TestClient, method: str) -> None:
    """A trial user's report: a title over 300 characters gave a bare 'Error 400' page and the
    pasted post was lost. The form comes back with both and a sentence, as for too long a post."""
    heading = "A long headline" * 20 + "!" * 20  # 320 characters
    sent = {"text": CONTEXT_POST, "context": heading}
    page = (
        seed_client.post("/factcheck", data=sent)
        if method == "post"
        else seed_client.get("/factcheck", params=sent)
    )
    assert page.status_code == 422
    assert "The page title is 320 characters long; at most 300." in page.text
    assert 'name="text"' in page.text and CONTEXT_POST.replace("'", "&#39;") in page.text
    assert heading in page.text  # kept, to shorten


def test_the_page_says_when_the_post_came_as_a_file(seed_client: TestClient) -> None:
    """A trial user's report: a file sent as the form's text got the API's wording 'must be text
    (a JSON string)' on an error page."""
    page = seed_client.post("/factcheck", files={"text": ("post.txt", CONTEXT_POST.encode(), "text/plain")})
    assert page.status_code == 422
    assert "The post came as a file; paste its text into the box instead." in page.text
    assert "must be text" not in page.text and 'name="text"' in page.text


def test_closing_hashtags_belong_to_the_sentence_before(seed_client: TestClient) -> None:
    """Hashtags and emoji after a sentence's end are its tags, not a statement of their own: the
    match's span is the sentence with them, and the overclaim of "fixed" is flagged (found by a
    new user's trial: the hashtags were matched alone and the flag was lost)."""
    text = "Retro walking fixed my knees!!! 🔥🔥 #retrowalking #kneepain #backwardswalking"
    match = seed_client.post("/api/v1/factcheck", json={"text": text}).json()["matches"][0]
    assert match["claim"]["id"] == "backward-walking-relieves-everyday-knee-pain"
    assert match["matched_text"]["text"] == text
    assert "overclaim" in {f["code"] for f in match["flags"]}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "Walking backward on a treadmill carries no particular health risk for the average person",
            "asserts",
        ),
        ("There is no risk in walking backwards on a treadmill.", "asserts"),
        ("Walking backwards on a treadmill is not risk-free.", "denies"),
        ("Walking backwards on a treadmill is not safe.", "denies"),
    ],
)
def test_a_claim_worded_as_no_risk_is_asserted_by_no_risk(
    seed_client: TestClient, text: str, said: str
) -> None:
    """The safety claim says "no particular health risk": a post saying "no risk" agrees with it
    (a new user's second trial found the claim's own statement read as a denial)."""
    body = seed_client.post("/api/v1/factcheck", json={"text": text}).json()
    safe = [m for m in body["matches"] if m["claim"]["id"] == "backward-walking-is-safe-for-healthy-adults"]
    assert safe and safe[0]["stance"] == said, body["matches"]


def test_api_batch(seed_client: TestClient) -> None:
    posts = [
        {"id": "a", "text": "Retro walking builds strong quads"},
        {"text": "Just bought new running shoes"},
    ]
    r = seed_client.post("/api/v1/factcheck/batch", json={"posts": posts})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["id"] for x in results] == ["a", "1"]
    assert results[0]["matches"][0]["claim"]["id"] == "backward-walking-strengthens-quadriceps"
    assert results[1]["matches"] == []
    single = seed_client.post("/api/v1/factcheck", json={"text": posts[0]["text"]}).json()
    for key in ("matches", "language", "warnings", "threshold"):  # the same function as the single call
        assert results[0][key] == single[key]
    assert results[0]["matches"][0]["stance"] == "asserts" and results[0]["language"]["code"] == "en"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   \n\t "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"text": 42}, "text"),
        ({"text": ["a"]}, "text"),
        ({"text": "ok", "limit": 0}, "limit"),
        ({"text": "ok", "limit": "many"}, "limit"),
        ({"txt": "typo"}, "text"),
        ({}, "text"),
    ],
)
def test_api_rejects_bad_input_with_a_clear_4xx(seed_client: TestClient, body: dict, field: str) -> None:
    r = seed_client.post("/api/v1/factcheck", json=body)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid-request" and field in error["message"]


def test_api_malformed_json_and_oversized_batch(seed_client: TestClient) -> None:
    r = seed_client.post(
        "/api/v1/factcheck", content=b'{"text": "unclosed', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and "not valid JSON" in r.json()["error"]["message"]
    r = seed_client.post("/api/v1/factcheck/batch", json={"posts": [{"text": "x"}] * 101})
    assert r.status_code == 422 and "100" in r.json()["error"]["message"]
    r = seed_client.post("/api/v1/factcheck/batch", json={"posts": []})
    assert r.status_code == 422


@pytest.mark.parametrize(
    "text",
    [
        "walking backwards\x00 fixes knee pain",  # NUL byte
        "\u202ewalking backwards fixes knee pain\u202c",  # RTL override
        "\u200fretro\u200d walking builds quads",  # RTL mark, zero-width joiner
        "🦵" * 9_999,  # 10,000 characters of emoji
        "<script>alert(1)</script> backwards walking fixes knee pain",
        "' OR 1=1; DROP TABLE claim; -- walking backwards",
    ],
)
def test_api_handles_hostile_text(seed_client: TestClient, text: str) -> None:
    r = seed_client.post("/api/v1/factcheck", json={"text": text})
    assert r.status_code == 200
    assert (
        seed_client.get("/api/v1/claims/backward-walking-improves-balance").status_code == 200
    )  # nothing dropped


# --- CLI -----------------------------------------------------------------------------------------------


def run_cli(tmp_path: Path, seed: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "EVIDENCE_KB_DATABASE_URL": seed.database_url,  # the session's build of the shipped data
        "EVIDENCE_KB_DATA_DIR": str(DATA_DIR),
        "PATH": "",
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env, cwd=tmp_path
    )


def test_cli_factcheck_human_and_json(tmp_path: Path, seed_sqlite: Settings) -> None:
    out = run_cli(
        tmp_path, seed_sqlite, "factcheck", "Six weeks of backwards walk/run training improved VO2 max by 40%"
    )
    assert out.returncode == 0, out.stderr
    assert "backward-training-raises-predicted-vo2max" in out.stdout and "figure-mismatch" in out.stdout
    assert "the post asserts it" in out.stdout and "language: en" in out.stdout
    assert (
        'post says (0-64): "Six weeks of backwards walk/run training improved VO2 max by 40%"' in out.stdout
    )
    out = run_cli(tmp_path, seed_sqlite, "factcheck", "Does walking backwards help knee pain?")
    assert "the post asks about it" in out.stdout and "the post asks it" not in out.stdout
    out = run_cli(
        tmp_path, seed_sqlite, "factcheck", "--json", "Yoga improves flexibility and reduces stress"
    )
    assert out.returncode == 0 and json.loads(out.stdout)["matches"] == []
    out = run_cli(tmp_path, seed_sqlite, "factcheck", "   ")
    assert out.returncode == 1 and "empty" in out.stderr and "Traceback" not in out.stderr


# --- sentence level, stance, gates, language -------------------------------------------------------


def test_each_claim_is_matched_in_its_own_sentence(store: Store) -> None:
    text = "Six weeks of backwards walk/run training raised VO2 max in 200 women. Walking backward also relieves my knee pain."
    result = check(store, text)
    by_id = {m["claim"]["id"]: m for m in result["matches"]}
    knee = by_id["backward-walking-relieves-everyday-knee-pain"]
    assert knee["matched_text"]["text"] == "Walking backward also relieves my knee pain."
    assert not any("200" in f.get("post_says", "") for f in knee["flags"])  # the other sentence's figure


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Backward walking is NOT a cure for knee pain.", "denies"),
        ("Does walking backwards help knee pain?", "asks"),
        ("TikTok claims that walking backwards on a treadmill fixes knee pain", "reports"),
        ("Walking backwards on the treadmill fixes knee pain", "asserts"),
        ("They say walking backwards on the treadmill fixes knee pain. That's a myth.", "denies"),
        (
            "Walking backwards on the treadmill cures knee pain, which does not mean you skip physio",
            "asserts",
        ),
    ],
)
def test_stance(store: Store, text: str, stance: str) -> None:
    match = check(store, text)["matches"][0]
    assert match["claim"]["id"] == "backward-walking-relieves-everyday-knee-pain"
    assert match["stance"] == stance
    codes = {f["code"] for f in match["flags"]}
    assert ("overclaim" in codes) == (stance == "asserts")  # "NOT a cure" is not an overclaim


def test_a_denied_supported_claim_is_flagged(store: Store) -> None:
    result = check(
        store, "Backward walking does not raise your heart rate and oxygen use more than forward walking"
    )
    assert result["matches"]
    for match in result["matches"]:
        assert match["stance"] == "denies"
        codes = {f["code"] for f in match["flags"]}
        assert ("denies-supported" in codes) == (match["claim"]["verdict"] == "supported")
        assert not codes - {"denies-supported"}  # no figure, misreading or overclaim flag on a denial
    assert any(m["claim"]["verdict"] == "supported" for m in result["matches"])


@pytest.mark.parametrize(
    "text",
    [
        "Walking is associated with a lower risk of heart disease",  # no direction word
        "Uphill treadmill walking relieves pressure on the knee",
        "Yoga helps you find a good balance between mind and body",
        "Muscle balance matters for every dancer",
    ],
)
def test_gates_and_word_sense(store: Store, text: str) -> None:
    assert ids(check(store, text)) == []


def test_a_contrast_with_forward_walking_implies_the_other_direction(store: Store) -> None:
    """A passage under a heading that names backward walking often says only "than forward
    walking": the contrast satisfies the backward gate; a comparison with something else does not."""
    from app.factcheck.scoring import CONTRAST_WITH_FORWARD

    assert CONTRAST_WITH_FORWARD.search("It works the quads harder than regular walking does")
    assert CONTRAST_WITH_FORWARD.search("unlike walking forwards, it spares the kneecap")
    assert not CONTRAST_WITH_FORWARD.search("My knees hurt more than usual")
    assert not CONTRAST_WITH_FORWARD.search("harder compared to walking on a flat surface")
    # "forward" naming an exercise done in place is no contrast with walking
    assert not CONTRAST_WITH_FORWARD.search("kinder to the knees than forward lunges")
    assert CONTRAST_WITH_FORWARD.search("it burns more than forwards, and")
    found = ids(check(store, "It puts far less load on the kneecap than forward walking does."))
    assert found and found[0] == "backward-running-reduces-patellofemoral-force"
    assert ids(check(store, "Uphill walking puts more load on the kneecap than flat walking.")) == []
    # the same contrast in the languages read through the concepts
    assert CONTRAST_WITH_FORWARD.search("quema más calorías que caminar rápidamente hacia adelante")
    assert CONTRAST_WITH_FORWARD.search("verbrennt mehr Kalorien als normales Gehen")
    assert CONTRAST_WITH_FORWARD.search("сжигает больше калорий, чем обычная ходьба")
    assert not CONTRAST_WITH_FORWARD.search("caminar es mejor que correr")
    found = ids(check(store, "Este tipo de marcha quema más calorías que caminar hacia adelante."))
    assert "backward-walking-burns-more-calories" in found[:2]


@pytest.mark.parametrize(
    "text",
    [
        "Nordic walking burns 20% more calories than regular walking.",
        "Pole walking burns more calories than normal walking.",
        "Incline walking works the quads harder than regular walking.",
        "Jogging burns more calories than regular walking.",
        "Nordic Walking verbrennt mehr Kalorien als normales Gehen.",
    ],
)
def test_a_contrast_about_another_kind_of_walking_is_not_backward(store: Store, text: str) -> None:
    """ "Than regular walking" after another kind of walking compares that kind, not backward
    walking (new-user trial 2026-12-01: Nordic walking matched both calorie claims at 0.97)."""
    from app.factcheck.scoring import contrasts_with_forward

    assert not contrasts_with_forward(text)
    assert ids(check(store, text)) == []
    assert contrasts_with_forward("It burns 20% more calories than regular walking.")


def test_spelling_correction_keeps_known_words(store: Store) -> None:
    from app.factcheck.index import get_index

    analyzer = get_index(store).analyzer
    assert analyzer.correct("dancer") == "dancer"
    assert analyzer.correct("quadricpes") == "quadriceps"


def test_other_languages_are_named_with_a_warning(store: Store) -> None:
    result = check(store, "Att gå baklänges lindrar smärta i knäna.")  # no terms in Swedish: not read
    assert result["language"]["code"] == "sv" and not result["language"]["handled"]
    assert result["language"]["matched_by"] is None
    assert result["matches"] == [] and "Swedish" in result["warnings"][0]
    english = check(store, "Stronger quads = less knee pain")
    assert english["language"]["code"] == "en" and english["language"]["matched_by"] == "text"
    assert english["warnings"] == []


@pytest.mark.parametrize(
    ("text", "code", "claim"),
    [
        ("Caminar hacia atrás en la cinta alivia el dolor de rodilla.", "es",
         "backward-walking-relieves-everyday-knee-pain"),
        ("La marche arrière améliore l'équilibre des personnes âgées.", "fr", "backward-walking-improves-balance"),
        ("Rückwärtsgehen stärkt die Oberschenkelmuskulatur.", "de", "backward-walking-strengthens-quadriceps"),
        ("Andar para trás queima mais calorias do que andar para a frente.", "pt",
         "backward-walking-burns-more-calories"),
        ("Jalan mundur dapat mengurangi nyeri lutut.", "id", "backward-walking-relieves-everyday-knee-pain"),
        # an English loanword ("retro walking") in an unsure guess: still read as Indonesian
        ("Pasien osteoartritis lutut yang melakukan retro walking merasakan nyeri berkurang.", "id",
         "backward-walking-eases-knee-osteoarthritis"),
        ("उल्टा चलने से जांघ की मांसपेशियां मजबूत होती हैं।", "hi", "backward-walking-strengthens-quadriceps"),
        # words the stemmers do not fold onto the older terms: compounds, plurals, loanwords
        ("Rückwärtsgehen lindert Knieschmerzen.", "de", "backward-walking-relieves-everyday-knee-pain"),
        ("Le retro walking soulage les douleurs articulaires.", "fr",
         "backward-walking-relieves-everyday-knee-pain"),
        ("Camminare all'indietro riduce i dolori dorsali.", "it", "backward-walking-relieves-low-back-pain"),
        ("При движении назад укрепляются квадрицепсы.", "ru", "backward-walking-strengthens-quadriceps"),
        ("Ходьба вперёд спиной улучшает координацию и равновесие.", "ru", "backward-walking-improves-balance"),
        ("Caminhar de costas fortalece os músculos das pernas.", "pt", "backward-walking-strengthens-quadriceps"),
        ("Caminar hacia atrás fortalece los músculos que rodean la rodilla.", "es",
         "backward-walking-strengthens-quadriceps"),
        ("Achteruitlopen vermindert gewrichtspijn.", "nl", "backward-walking-relieves-everyday-knee-pain"),
    ],
)  # fmt: skip
def test_other_languages_are_matched_through_concept_terms(
    store: Store, text: str, code: str, claim: str
) -> None:
    result = check(store, text)
    assert result["language"]["code"] == code and result["language"]["matched_by"] == "concepts"
    assert "concept vocabulary only" in result["warnings"][0]
    assert claim in [m["claim"]["id"] for m in result["matches"]][:2]


@pytest.mark.parametrize(
    ("text", "code", "has", "lacks"),
    [
        # "anche" is Italian for "also" as well as "hips": only "le/delle/alle/sulle anche" are the hips
        ("Camminare all'indietro rafforza anche le cosce.", "it", {"backward", "quadriceps"}, {"hip"}),
        ("Sollecita le anche e le caviglie.", "it", {"hip", "ankle"}, set()),
        # "à l'inverse" is "conversely", not the reversed treadmill ("tapis roulant inversé")
        ("À l'inverse, la marche améliore l'équilibre.", "fr", {"balance"}, {"backward"}),
        (
            "Sur un tapis roulant inversé, la marche améliore l'équilibre.",
            "fr",
            {"backward", "balance"},
            set(),
        ),
        # "Sicherheit" would stem to the everyday "sich"
        (
            "Es stellt sich heraus, dass Rückwärtsgehen die Muskeln stärkt.",
            "de",
            {"backward", "strength"},
            {"safety-risk"},
        ),
        # no spelling correction where the terms are the only words known: "ayant" is not "avant"
        # (forward), "forma" not "forza" (strength)
        ("Marcher ayant mal au genou soulage la douleur.", "fr", {"walking", "knee"}, {"forward"}),
        ("Camminare in buona forma fa bene alle ginocchia.", "it", {"walking", "knee"}, {"strength"}),
    ],
)
def test_concept_terms_in_other_languages(
    store: Store, text: str, code: str, has: set[str], lacks: set[str]
) -> None:
    from app.factcheck import language
    from app.factcheck.index import get_index

    names = language.features(get_index(store), text, code).names()
    assert has <= names and not lacks & names, names


@pytest.mark.parametrize(
    "text",
    [
        "Caminar hacia atrás alivia el dolor de rodilla, dice un estudio de 2004.",
        "La marche à reculons soulage la douleur au genou, explique une kinésithérapeute.",
        "Rückwärtsgehen lindert Knieschmerzen, sagt ein Physiotherapeut.",
    ],
)
def test_an_attribution_after_the_claim_reports_it(store: Store, text: str) -> None:
    """Who says it may come after what is said, in the languages read through the concepts
    (found by a new user's trial: "..., dice un estudio de 2004" was read as the post's own)."""
    match = check(store, text)["matches"][0]
    assert match["claim"]["id"] == "backward-walking-relieves-everyday-knee-pain"
    assert match["stance"] == "reports"


def test_stance_in_another_language(store: Store) -> None:
    match = check(store, "Caminar hacia atrás no alivia el dolor de rodilla.")["matches"][0]
    assert match["stance"] == "denies" and not any(f["code"] == "overclaim" for f in match["flags"])


def test_figures_compare_like_with_like(store: Store) -> None:
    # Hooper's 17-20% is a difference on a percent-of-maximum scale (points or relative): "40% more
    # calories" fits one reading; a doubling fits neither (figures.EFFORT_FLOOR)
    assert not flags(
        check(store, "Walking backward burns 40% more calories than walking forward"), "figure-mismatch"
    )
    for post in ("Walking backward burns double the calories of walking forward",
                 "Retro walking burns calories up to 2-fold compared with walking forward",
                 "100 steps backward equal 1,000 steps forward for your heart rate",
                 "Caminar hacia atrás quema el doble de calorías que caminar hacia adelante"):  # fmt: skip
        flag = flags(check(store, post), "figure-mismatch")[0]
        assert flag["quantity"] == "percent-change" and flag["evidence_shows"] == "17–20%", post
    # uphill backward against level forward: the studies compared the same grade
    result = check(
        store,
        "Walking backward uphill at a 5% grade doubles your energy use compared with walking forward on the flat",
    )
    assert not flags(result, "figure-mismatch")
    assert "doubles" in {u["post_says"] for m in result["matches"] for u in m["unverified_figures"]}
    # a study's body-fat figure given as body weight
    result = check(store, "Women who ran backwards for six weeks lost 2.4% of their body weight")
    flag = flags(result, "figure-mismatch")[0]
    assert "another measure" in flag["message"] and "body fat" in flag["measure"]
    # advice against advice: reported, not flagged
    result = check(store, "Beginners should walk backward on the treadmill at 1 mph and hold the handrails")
    assert not flags(result, "figure-mismatch")
    notes = [u.get("note") for m in result["matches"] for u in m["unverified_figures"]]
    assert any(n and "advice" in n for n in notes)
    # a figure with no counterpart of its kind is unverified, not a mismatch
    result = check(store, "Walk backwards for 5-10 minutes to relieve knee pain")
    match = result["matches"][0]
    assert not flags(result, "figure-mismatch")
    assert [u["post_says"] for u in match["unverified_figures"]] == ["5-10 minutes"]


@pytest.mark.parametrize("text", ["x", "12345", "🔥🔥🔥", "lol"])
def test_a_post_with_no_recognisable_language_says_so(seed_client: TestClient, text: str) -> None:
    body = seed_client.post("/api/v1/factcheck", json={"text": text}).json()
    assert body["language"]["code"] == "und"
    assert body["language"]["name"] == "undetermined"
    assert body["matches"] == []
    assert "could not be recognised" in body["warnings"][0]
    assert "looks like" not in " ".join(body["warnings"])
    page = seed_client.post("/factcheck", data={"text": text})
    assert page.status_code == 200 and "could not be recognised" in page.text


@pytest.mark.parametrize(
    "text",
    [
        "Caminar hacia atrás en la cinta cura el dolor de rodilla.",
        "Camminare all'indietro guarisce il dolore al ginocchio, scientificamente provato.",
    ],
)
def test_certainty_words_in_other_languages_are_overclaims(seed_client: TestClient, text: str) -> None:
    body = seed_client.post("/api/v1/factcheck", json={"text": text}).json()
    assert body["language"]["matched_by"] == "concepts"
    first = body["matches"][0]
    assert first["stance"] == "asserts"
    assert "overclaim" in [f["code"] for f in first["flags"]]


def test_a_pronoun_does_not_name_a_population(seed_client: TestClient) -> None:
    # "her" is the physio, not the people treated: no claim about women is made.
    text = (
        "My physio says retro walking helped her knee OA patients, and a 2019 trial of 68 people backs it up"
    )
    body = seed_client.post("/api/v1/factcheck", json={"text": text}).json()
    assert body["matches"], body
    for match in body["matches"]:
        assert "population-mismatch" not in [f["code"] for f in match["flags"]], match["flags"]
