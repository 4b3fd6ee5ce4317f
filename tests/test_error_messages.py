"""The error contract as a client reads it (README "API overview" and "Limits"): every 422 says,
in a plain sentence, what is allowed (the limit itself, never "None") and what was sent."""

from __future__ import annotations

import json
from typing import Any, Literal

import pytest
from fastapi.testclient import TestClient

from app import http

FACTCHECK = "/api/v1/factcheck"
BATCH = "/api/v1/factcheck/batch"


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == response.status_code
    return body["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("route", "body", "expected"),
    [
        (FACTCHECK, {"text": ""}, "The field text must be at least 1 character long; 0 were sent."),
        (
            FACTCHECK,
            {"text": "x" * 10_001},
            "The field text must be at most 10,000 characters long; 10,001 were sent.",
        ),
        (FACTCHECK, {"text": "ok", "limit": 0}, "The field limit must be a number of at least 1; 0 is not."),
        (
            FACTCHECK,
            {"text": "ok", "limit": 21},
            "The field limit must be a number of at most 20; 21 is not.",
        ),
        (FACTCHECK, {"text": 42}, "The field text must be text (a JSON string); 42 is not."),
        (
            FACTCHECK,
            {"text": "ok", "txt": "typo"},
            "The field txt is not known here (accepted: text, limit, context)",
        ),
        (BATCH, {"posts": []}, "The field posts must hold at least 1 item; 0 were sent."),
        (
            BATCH,
            {"posts": [{"text": "a", "txt": "a"}]},
            "The field posts.0.txt is not known here (accepted: id, text, context)",
        ),
        (BATCH, {"posts": "knee"}, "The field posts must be a list (a JSON array); 'knee' is not."),
    ],
)
def test_a_422_names_the_limit_and_what_was_sent(
    seed_client: TestClient, route: str, body: dict[str, Any], expected: str
) -> None:
    response = seed_client.post(route, json=body)
    assert response.status_code == 422
    message = error(response)["message"]
    assert expected in message, message
    assert "None" not in message and "Input should" not in message and "Extra inputs" not in message


def test_the_query_limits_are_named_too(seed_client: TestClient) -> None:
    response = seed_client.get("/api/v1/claims", params={"limit": "101"})
    assert error(response)["message"] == "The parameter limit must be a number of at most 100; '101' is not."
    response = seed_client.get("/api/v1/claims", params={"q": "k" * 1000})
    assert (
        error(response)["message"] == "The parameter q must be at most 500 characters long; 1,000 were sent."
    )


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=5&limit=6", "limit"),
        ("q=knee&q=pain", "q"),
        ("sort=recent&verdict=supported&sort=relevance", "sort"),
    ],
)
def test_a_single_valued_parameter_given_twice_is_a_422(
    seed_client: TestClient, query: str, name: str
) -> None:
    """The last value used to win silently (``?q=knee&q=pain`` searched "pain")."""
    response = seed_client.get(f"/api/v1/claims?{query}")
    assert response.status_code == 422
    body = error(response)
    assert body["code"] == "invalid-request"
    assert [d["field"] for d in body["details"]] == [name]
    assert body["message"].startswith(f"The parameter {name} takes one value and was given 2 ("), body[
        "message"
    ]


def test_a_page_answers_a_repeated_parameter_with_the_error_page(seed_client: TestClient) -> None:
    """As any invalid parameter on a page: the friendly page, status 400 (main.py)."""
    response = seed_client.get("/claims?q=knee&q=pain", headers={"accept": "text/html"})
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert "The parameter q takes one value and was given 2" in response.text


def test_list_parameters_may_repeat(seed_client: TestClient) -> None:
    both = seed_client.get("/api/v1/claims?verdict=supported&verdict=contradicted")
    assert both.status_code == 200
    assert {c["verdict"] for c in both.json()["items"]} <= {"supported", "contradicted"}
    assert seed_client.get("/claims?topic=knee-pain&topic=back-pain").status_code == 200


def test_a_batch_of_too_many_posts_is_batch_too_large(seed_client: TestClient) -> None:
    """README "Limits": posts in a batch, characters per post and in all posts: 422 batch-too-large."""
    response = seed_client.post(BATCH, json={"posts": [{"text": "knee"}] * 101})
    assert response.status_code == 422
    body = error(response)
    assert body["code"] == "batch-too-large"
    assert body["message"] == "The field posts must hold at most 100 items; 101 were sent."


def test_the_factcheck_page_answers_json_with_a_friendly_415(seed_client: TestClient) -> None:
    """The form takes what a form sends; JSON there was a 400 "Paste the text of a post"."""
    body = '{"text": "Walking backwards eases knee pain."}'
    response = seed_client.post("/factcheck", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 415 and response.headers["content-type"].startswith("text/html")
    assert "POST /api/v1/factcheck" in response.text and "Paste the text" not in response.text
    response = seed_client.post(
        "/factcheck", content=body, headers={"content-type": "application/json", "accept": "application/json"}
    )
    assert response.status_code == 415 and error(response)["code"] == "unsupported-media-type"
    form = seed_client.post("/factcheck", data={"text": ""})  # a form is still read: blank text
    assert form.status_code == 400 and "Paste the text" in form.text


# --- bodies whose characters, not their syntax, are wrong ------------------------------------------
#
# The parser's own words were "malformed JSON body (unexpected end of hex escape at line 1 column
# 22)" for a lone surrogate escape and "(expected value at line 1 column 1)" for a body saved
# with a byte-order mark.

LONE = '{"text": "knee \\ud800 pain"}'  # the JSON escape, as a client's encoder writes it


@pytest.mark.parametrize(
    ("route", "body", "field", "position", "code"),
    [
        (FACTCHECK, LONE, "text", 5, "d800"),
        (FACTCHECK, '{"text": "knee pain \\ud800"}', "text", 10, "d800"),  # nothing after it
        (FACTCHECK, '{"text": "\\udc00 knee"}', "text", 0, "dc00"),  # the second half alone
        (FACTCHECK, '{"text": "ab\\udc00\\ud800"}', "text", 2, "dc00"),  # a pair the wrong way round
        (FACTCHECK, '{"text": "knee", "context": "\\ud83d"}', "context", 0, "d83d"),
        (BATCH, '{"posts": [{"text": "ok"}, {"text": "\\u00e9\\ud800"}]}', "posts.1.text", 1, "d800"),
    ],
)
def test_a_lone_surrogate_is_named_with_its_field_and_position(
    seed_client: TestClient, route: str, body: str, field: str, position: int, code: str
) -> None:
    response = seed_client.post(route, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    problem = error(response)
    assert problem["code"] == "invalid-request"
    assert problem["message"].startswith(
        f"The field {field} holds an unpaired surrogate (\\u{code}) at position {position} "
    ), problem["message"]
    assert "malformed" not in problem["message"] and "hex escape" not in problem["message"]
    assert problem["details"] == [{"in": "body", "field": field, "message": problem["message"]}]


def test_a_lone_surrogate_in_a_key_is_named_too(seed_client: TestClient) -> None:
    response = seed_client.post(
        FACTCHECK, content='{"te\\ud800xt": "knee"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert error(response)["message"].startswith(
        "The key 'te\\ud800xt' holds an unpaired surrogate (\\ud800) at position 2 "
    )


def test_a_whole_surrogate_pair_is_one_character(seed_client: TestClient) -> None:
    body = '{"text": "Walking backwards eases knee pain \\ud83d\\ude00"}'
    response = seed_client.post(FACTCHECK, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("route", "body"),
    [
        (FACTCHECK, {"text": "Walking backwards on a treadmill eases knee pain."}),
        (BATCH, {"posts": [{"text": "Walking backwards on a treadmill eases knee pain."}]}),
    ],
)
def test_a_utf8_byte_order_mark_is_ignored(seed_client: TestClient, route: str, body: dict[str, Any]) -> None:
    """RFC 8259, section 8.1: a parser may ignore it (Windows tools save JSON with one)."""
    plain = seed_client.post(route, json=body)
    marked = seed_client.post(
        route,
        content=b"\xef\xbb\xbf" + json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    assert plain.status_code == marked.status_code == 200, marked.text

    def matches(answer: dict[str, Any]) -> list[Any]:
        return [r["matches"] for r in answer["results"]] if route == BATCH else answer["matches"]

    assert matches(plain.json()) == matches(marked.json()) != []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"text": "knee"}'.encode("utf-16"), "The body is UTF-16 (it starts with a UTF-16 byte-order mark)"),
        ('{"text": "knee"}'.encode("utf-32"), "The body is UTF-32 (it starts with a UTF-32 byte-order mark)"),
        ('{"text": "knee"}'.encode("utf-16-le"), "The body holds NUL bytes"),
        (b'{"text": "knee \xe9 pain"}', "The body is not UTF-8: the byte 0xe9 at byte 15 (line 1)"),
        (b'{"text": "knee \xed\xa0\x80 pain"}', "The body is not UTF-8: the byte 0xed at byte 15 (line 1)"),
    ],
)
def test_a_body_not_in_utf8_says_so(seed_client: TestClient, raw: bytes, expected: str) -> None:
    response = seed_client.post(FACTCHECK, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422
    message = error(response)["message"]
    assert message.startswith(expected) and message.endswith("send JSON in UTF-8 (RFC 8259)."), message


def test_a_syntax_error_keeps_the_parsers_position(seed_client: TestClient) -> None:
    response = seed_client.post(
        FACTCHECK, content='{"text": "knee",}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert error(response)["message"] == "The body is not valid JSON (trailing comma at line 1 column 17)."


def _pydantic_errors() -> list[tuple[str, str, dict[str, Any]]]:
    """Every error kind pydantic-core can raise, with its message as pydantic words it."""
    from pydantic_core._pydantic_core import list_all_errors

    kinds = []
    for e in list_all_errors():
        # the examples leave some values empty ("URL scheme should be "): a value, as sent
        ctx = {k: "x" if v in ("", None) else v for k, v in (e.get("example_context") or {}).items()}
        try:
            message = e["message_template_python"].format(**ctx)
        except (KeyError, IndexError, ValueError):
            continue  # a template its example cannot fill (plural forms): not a message pydantic sends
        kinds.append((e["type"], message, ctx))
    return kinds


@pytest.mark.parametrize(
    ("kind", "message", "ctx"), _pydantic_errors(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_no_validation_error_speaks_pydantics_words(kind: str, message: str, ctx: dict[str, Any]) -> None:
    """Two styles met a new user in 4xx bodies: ours ("The field posts must be a list (a JSON
    array)") and pydantic's ("Input should be a valid list"). Whatever the kind, the sentence
    is ours: the field first, then what it must be."""
    error_ = {"type": kind, "loc": ("body", "posts", 0, "id"), "msg": message, "input": [], "ctx": ctx}
    sentence = http.plain_problem(error_)
    if kind == "value_error":  # our own validators' messages, after the field (_own_wording)
        assert sentence == "The field posts.0.id: x.", sentence
        return
    assert sentence.startswith("The field posts.0.id "), sentence
    assert " should " not in sentence and not sentence.startswith("The field posts.0.id: "), sentence


def test_a_missing_parameter_with_a_few_values_lists_them(seed_client: TestClient) -> None:
    """A trial user's report: "The parameter format is required." and no word of the formats."""
    response = seed_client.get("/api/v1/citations", params={"study": "roos2012patellofemoral"})
    assert response.status_code == 422
    assert error(response)["message"] == (
        "The parameter format is required; give one of 'bibtex', 'ris', 'csl-json', 'apa', 'apa-html', "
        "'vancouver' or 'vancouver-html'."
    )


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [(Literal["a"], "'a'"), (Literal["a", "b", "c"], "'a', 'b' or 'c'"), (int, None), (str, None)],
)
def test_expected_values(annotation: Any, expected: str | None) -> None:
    assert http.expected_values(annotation) == expected


@pytest.mark.parametrize(
    ("route", "body", "expected"),
    [
        (
            FACTCHECK,
            {"posts": [{"text": "knee"}]},
            "The field posts is not known here (accepted: text, limit, context); it belongs to "
            "POST /api/v1/factcheck/batch (a list of posts).",
        ),
        (
            BATCH,
            {"posts": [{"text": "knee"}], "text": "knee"},
            "The field text is not known here (accepted: posts, limit); it belongs to "
            "POST /api/v1/factcheck (one post).",
        ),
        (
            BATCH,
            {"posts": [{"text": "knee", "posts": []}]},
            "The field posts.0.posts is not known here (accepted: id, text, context); leave it out.",
        ),
    ],
)
def test_a_field_of_the_other_factcheck_route_names_that_route(
    seed_client: TestClient, route: str, body: dict[str, Any], expected: str
) -> None:
    """A trial user sent {"posts": [...]} to the single post's route and was told to leave it out."""
    response = seed_client.post(route, json=body)
    assert response.status_code == 422
    assert expected in error(response)["message"], error(response)["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": "knee pain", "limit": "5"}, "The field limit must be a JSON number, not a string ('5')."),
        (
            {"text": "knee pain", "limit": "five"},
            "The field limit must be a JSON number, not a string ('five').",
        ),
        ({"text": "knee pain", "limit": 5.5}, "The field limit must be a whole number; 5.5 is not."),
        # the query string's "written in the digits 0-9" for true (a new user's check, 2026-12-01)
        ({"text": "knee pain", "limit": True}, "The field limit must be a JSON number, not true."),
        ({"text": "knee pain", "limit": [5]}, "The field limit must be a JSON number, not an array."),
    ],
)
def test_a_json_body_s_number_sent_as_a_string_is_named_as_such(
    seed_client: TestClient, body: dict[str, Any], message: str
) -> None:
    """A JSON body's types are JSON's: "digits 0-9" is the query string's rule and misleads a
    client that sent "5" (the digits are right, the quotes are not)."""
    response = seed_client.post(FACTCHECK, json=body)
    assert response.status_code == 422
    assert error(response)["message"] == message
