"""A post that mixes sentences in two scripts (English and Russian, Korean and English, Japanese and
Chinese, English and Arabic) is read one part per script, each in its own language, through the
API: each part's claim is matched, ``language.also`` names the other part, and a part in a
language that is not read gets its own warning while the other part is still matched."""

from __future__ import annotations

import pytest
from claimids import CALORIES, KNEE_PAIN, WEIGHT
from fastapi.testclient import TestClient
from helpers import claim_matches, factcheck_body


@pytest.mark.parametrize(
    ("text", "codes", "claims"),
    [
        (
            "Walking backwards burns 40% more calories. Ходьба задом наперёд снимает боль в колене.",
            {"en", "ru"},
            {CALORIES: "Walking backwards", KNEE_PAIN: "Ходьба"},
        ),
        (
            "Ходьба задом наперёд снимает боль в колене. Walking backwards burns 40% more calories.",
            {"en", "ru"},
            {CALORIES: "Walking backwards", KNEE_PAIN: "Ходьба"},
        ),
        (
            "뒤로 걷기는 무릎 통증을 줄여준다. Walking backwards burns 40% more calories than walking forward.",
            {"en", "ko"},
            {CALORIES: "Walking backwards", KNEE_PAIN: "뒤로"},
        ),
        (
            "後ろ歩きは膝の痛みを和らげる。倒着走能减肥。",
            {"ja", "zh"},
            {KNEE_PAIN: "後ろ歩き", WEIGHT: "倒着走"},
        ),
    ],
)
def test_each_script_is_read_in_its_own_language(
    seed_client: TestClient, text: str, codes: set[str], claims: dict[str, str]
) -> None:
    body = factcheck_body(seed_client, text)
    lang = body["language"]
    assert {lang["code"], *(part["code"] for part in lang["also"])} == codes
    found = claim_matches(body)
    for claim, start in claims.items():
        span = found[claim]["matched_text"]
        assert span["text"].startswith(start)
        assert text[span["start"] : span["end"]] == span["text"]


def test_a_part_in_a_language_not_read_is_warned_about_and_the_rest_still_matched(
    seed_client: TestClient,
) -> None:
    text = "Walking backwards burns 40% more calories. Το περπάτημα προς τα πίσω ανακουφίζει τον πόνο στο γόνατο."
    body = factcheck_body(seed_client, text)
    lang = body["language"]
    parts = {lang["code"]: lang, **{part["code"]: part for part in lang["also"]}}
    assert set(parts) == {"en", "el"}
    assert parts["el"]["handled"] is False
    assert any("Greek" in w for w in body["warnings"])
    assert CALORIES in claim_matches(body)


def test_a_japanese_sentence_of_ideographs_alone_stays_japanese(seed_client: TestClient) -> None:
    text = "後ろ歩きは膝の痛みを和らげる。膝痛改善。"
    lang = factcheck_body(seed_client, text)["language"]
    assert lang["code"] == "ja"
    assert [part["code"] for part in lang["also"]] == []
