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
from helpers import DATA_DIR, FIXTURES, make_settings

from app import grading
from app.build import build_database
from app.db import Database
from app.factcheck import THRESHOLD, factcheck
from app.settings import Settings
from app.store import Store
from app.textmatch import Analyzer, ConceptDef, quantities, raw_tokens

DEV_FILE = FIXTURES / "factcheck-dev.yaml"
HARD_FILE = FIXTURES / "factcheck-posts.yaml"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    settings = make_settings(f"sqlite:///{tmp_path_factory.mktemp('fc') / 'kb.db'}")
    build_database(settings, force=True)
    return Store(Database(settings))


def check(store: Store, text: str) -> dict:
    return factcheck(store, text)


def ids(result: dict) -> list[str]:
    return [m["claim"]["id"] for m in result["matches"]]


def flags(result: dict, code: str) -> list[dict]:
    return [f for m in result["matches"] for f in m["flags"] if f["code"] == code]


def run_eval(path: Path, tmp_path: Path) -> dict:
    env = {
        "EVIDENCE_KB_DATABASE_URL": f"sqlite:///{tmp_path / 'eval.db'}",
        "EVIDENCE_KB_DATA_DIR": str(DATA_DIR),
        "PATH": "",
    }
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "factcheck-eval", str(path), "--json"],
        capture_output=True, text=True, env=env, check=True, cwd=tmp_path,
    )  # fmt: skip
    return json.loads(out.stdout)


# --- quality on labelled posts ---------------------------------------------------------------


def test_dev_set_meets_the_thresholds(tmp_path: Path) -> None:
    report = run_eval(DEV_FILE, tmp_path)
    assert report["single_first_match_accuracy"] >= 0.95, report["failures"]
    assert report["multi_all_in_top3"] >= 0.95, report["failures"]
    assert report["no_match_correct"] == 1.0, report["failures"]
    assert report["figure_flagged"] == 1.0, report["failures"]


def test_harder_posts(tmp_path: Path) -> None:
    """Our own posts: slang, hashtags, emoji, misspellings, multi-claim, numbers, look-alikes."""
    report = run_eval(HARD_FILE, tmp_path)
    assert report["posts"] >= 40
    assert report["single_first_match_accuracy"] >= 0.9, report["failures"]
    assert report["multi_all_in_top3"] >= 0.9, report["failures"]
    assert report["no_match_correct"] == 1.0, report["failures"]
    assert report["figure_flagged"] == 1.0, report["failures"]


@pytest.mark.parametrize(
    "text",
    [
        "Creatine is the most researched supplement and it boosts strength",
        "Cold plunges every morning reduce inflammation and knee pain",
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
    result = check(store, "A 6-week backward training study of 200 women raised predicted VO2 max by 5.2%")
    flag = flags(result, "figure-mismatch")[0]
    assert flag["post_says"] == "200 women"
    assert flag["study"] == "terblanche2005effect"


def test_population_mismatch_patients_to_everyone(store: Store) -> None:
    result = check(store, "Walking backwards on the treadmill relieves knee pain for everyone")
    flag = flags(result, "population-mismatch")[0]
    assert "only from patients" in flag["message"]
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
    assert seen == {"figure-mismatch", "population-mismatch", "overclaim", "misdescribed-study"}


# --- matching internals ----------------------------------------------------------------------------


def test_text_normalisation() -> None:
    analyzer = Analyzer(
        [ConceptDef("vo2max", "outcome", ("vo2 max", "vo2max")), ConceptDef("knee-pain", "outcome", ("knee pain",)),
         ConceptDef("backward", "activity", ("backward", "retro")), ConceptDef("quadriceps", "body", ("quadriceps",))],
        vocabulary=["relief walking"],
    )  # fmt: skip
    assert [w for w, _, _ in raw_tokens("#BackwardWalking")] == ["Backward", "Walking"]
    assert {"vo2max"} <= analyzer.features("my VO₂ max went up").names()
    assert {"knee-pain"} <= analyzer.features("#kneepainrelief").names()  # glued hashtag split
    assert {"quadriceps"} <= analyzer.features("great for the quadricpes").names()  # one typo away
    assert {"backward"} <= analyzer.features("RETRO walking").names()


def test_quantities() -> None:
    found = {
        (q.value, q.high, q.unit)
        for q in quantities("six weeks, 40% up, 200 women at 1.5-2.0 mph, 25 percent")
    }
    assert found == {
        (6, None, "weeks"),
        (40, None, "percent"),
        (200, None, "participants"),
        (1.5, 2.0, "mph"),
        (25, None, "percent"),
    }


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
    result = factcheck(
        Store(Database(settings)), "Pole walking made my hips stop hurting, my sore hips are gone"
    )
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
    assert r.status_code == 422 and "malformed JSON" in r.json()["error"]["message"]
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


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "EVIDENCE_KB_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "EVIDENCE_KB_DATA_DIR": str(DATA_DIR),
        "PATH": "",
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env, cwd=tmp_path
    )


def test_cli_factcheck_human_and_json(tmp_path: Path) -> None:
    out = run_cli(tmp_path, "factcheck", "Six weeks of backwards walk/run training improved VO2 max by 40%")
    assert out.returncode == 0, out.stderr
    assert "backward-training-raises-predicted-vo2max" in out.stdout and "figure-mismatch" in out.stdout
    out = run_cli(tmp_path, "factcheck", "--json", "Yoga improves flexibility and reduces stress")
    assert out.returncode == 0 and json.loads(out.stdout)["matches"] == []
    out = run_cli(tmp_path, "factcheck", "   ")
    assert out.returncode == 1 and "empty" in out.stderr and "Traceback" not in out.stderr
