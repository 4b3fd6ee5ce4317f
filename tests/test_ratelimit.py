"""Rate limits (app/ratelimit.py): per client address and per API key, separate budgets for
cheap and expensive routes, 429 with Retry-After and the RateLimit headers, counters in memory
or in Redis shared by several app processes (127.0.0.1:6379; skipped when it is not there)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import make_settings

from app.build import build_database
from app.main import create_app
from app.settings import Settings

REDIS = "redis://127.0.0.1:6379/0"


def _redis_reason() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except Exception as exc:
        return f"Redis not reachable at {REDIS}: {exc.__class__.__name__}"
    return None


@pytest.fixture
def built(tmp_path: Path, mini_data: Path) -> Settings:
    settings = make_settings(f"sqlite:///{tmp_path / 'kb.db'}", mini_data)
    build_database(settings)
    return settings


def client_for(settings: Settings, **limits: object) -> TestClient:
    # The jobs in threads: a child process started on a loaded machine can pass the deadline
    # (503), which is not what these tests are about.
    return TestClient(create_app(settings.model_copy(update={"expensive_isolation": "thread", **limits})))


@pytest.fixture
def limited(built: Settings) -> Iterator[TestClient]:
    with client_for(built, rate_limit="5/minute", rate_limit_expensive="2/minute",
                    api_keys=["s3cret-key"], rate_limit_api_key="50/minute",
                    rate_limit_api_key_expensive="10/minute") as client:  # fmt: skip
        yield client


def test_the_defaults_limit_both_kinds_of_route() -> None:
    fields = Settings.model_fields
    assert fields["rate_limit"].default == "600/minute"
    assert fields["rate_limit_expensive"].default == "30/minute"
    assert fields["rate_limit_storage"].default == "memory://"


def test_cheap_routes_answer_429_with_retry_after_and_ratelimit_headers(limited: TestClient) -> None:
    answers = [limited.get("/api/v1/methodology") for _ in range(6)]
    assert [r.status_code for r in answers] == [200] * 5 + [429]
    first, refused = answers[0], answers[-1]
    assert first.headers["ratelimit-limit"] == "5" and first.headers["ratelimit-remaining"] == "4"
    assert first.headers["ratelimit-policy"] == "5;w=60"
    assert 0 < int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-remaining"] == "0"
    body = refused.json()["error"]
    assert body["status"] == 429 and body["code"] == "rate-limited"
    assert limited.get("/static/site.css").status_code == 200  # static files are not counted


@pytest.fixture
def roomy(built: Settings) -> Iterator[TestClient]:
    """A general budget that the test does not spend; the expensive one of 2 a minute."""
    with client_for(built, rate_limit="20/minute", rate_limit_expensive="2/minute") as client:
        yield client


def test_expensive_work_has_its_own_budget(roomy: TestClient) -> None:
    post = {"text": "Walking backwards eases knee pain."}
    answers = [roomy.post("/api/v1/factcheck", json=post) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    assert [r.headers["ratelimit-limit"] for r in answers] == ["2"] * 3  # the expensive budget's
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "rate-limited" and 0 < int(refused.headers["retry-after"]) <= 60
    assert "expensive" in refused.json()["error"]["message"]
    assert roomy.get("/api/v1/citations", params={"format": "ris"}).status_code == 429
    methodology = roomy.get("/api/v1/methodology")  # the general budget counted them all
    assert methodology.status_code == 200 and methodology.headers["ratelimit-remaining"] == "15"


def test_a_shareable_fact_check_link_is_expensive(roomy: TestClient) -> None:
    # GET /factcheck?text=... runs a check; the bare form does not.
    assert [roomy.get("/factcheck").status_code for _ in range(3)] == [200] * 3
    link = [roomy.get("/factcheck", params={"text": "Walking backwards eases knee pain."}) for _ in range(3)]
    assert [r.status_code for r in link] == [200, 200, 429]
    assert roomy.post("/factcheck", data={"text": "Walking backwards eases knee pain."}).status_code == 429


def test_bad_input_costs_the_general_budget_not_the_expensive_one(roomy: TestClient) -> None:
    """A malformed request to an expensive route is answered 422 (or the form's 400) and counted
    like any request, but does no work, so it spends none of the client's fact-checks; the
    expensive budget then refuses real work only."""
    json_headers = {"Content-Type": "application/json"}
    bad = [
        roomy.post("/api/v1/factcheck", content=b'{"text": ', headers=json_headers),  # malformed JSON
        roomy.post("/api/v1/factcheck", json={"text": "   "}),  # empty
        roomy.post("/api/v1/factcheck", json={"txt": "Walking backwards eases knee pain."}),
        roomy.post("/api/v1/factcheck/batch", json={"posts": "not a list"}),
        roomy.get("/api/v1/citations", params={"format": "no-such-format"}),
        roomy.post("/factcheck", data={"text": ""}),  # the form, empty
    ]
    assert [r.status_code for r in bad] == [422] * 5 + [400]
    assert {r.headers["ratelimit-limit"] for r in bad} == {"20"}  # the general budget's
    post = {"text": "Walking backwards eases knee pain."}
    assert [roomy.post("/api/v1/factcheck", json=post).status_code for _ in range(3)] == [200, 200, 429]
    still = roomy.post("/api/v1/factcheck", content=b"{", headers=json_headers)
    assert still.status_code == 422 and still.headers["ratelimit-remaining"] == "10"
    spent = [roomy.post("/api/v1/factcheck", content=b"{", headers=json_headers) for _ in range(11)]
    assert [r.status_code for r in spent] == [422] * 10 + [429]  # bad input is limited too


def test_a_429_says_which_setting_sets_the_limit(built: Settings) -> None:
    """A new user testing on their own machine hit the 30 fact-checks a minute and the answer did
    not say where the number came from: each 429 names the setting of the budget spent."""
    post = {"text": "Walking backwards eases knee pain."}
    limits = {"rate_limit": "3/minute", "rate_limit_expensive": "1/minute", "api_keys": ["k1"],
              "rate_limit_api_key_expensive": "1/minute"}  # fmt: skip
    with client_for(built, **limits) as client:
        assert client.post("/api/v1/factcheck", json=post).status_code == 200
        expensive = client.post("/api/v1/factcheck", json=post).json()["error"]["message"]
        assert expensive.endswith(
            "The server sets this limit with EVIDENCE_KB_RATE_LIMIT_EXPENSIVE (e.g. '1000/minute'; empty "
            "turns it off); or send an API key, which has a budget of its own."
        ), expensive
        keyed = [client.post("/api/v1/factcheck", json=post, headers={"X-API-Key": "k1"}) for _ in range(2)]
        assert [r.status_code for r in keyed] == [200, 429]
        assert "EVIDENCE_KB_RATE_LIMIT_API_KEY_EXPENSIVE (" in keyed[1].json()["error"]["message"]
        assert "send an API key" not in keyed[1].json()["error"]["message"]
        cheap = [client.get("/api/v1/methodology") for _ in range(2)][-1]  # the third and fourth of 3
        assert cheap.status_code == 429
        assert "EVIDENCE_KB_RATE_LIMIT (e.g." in cheap.json()["error"]["message"]


def test_a_loopback_client_is_limited_like_any_other(built: Settings) -> None:
    """Not exempt (README, "What counts"): behind a reverse proxy that uvicorn is not told to
    trust, every reader's address is 127.0.0.1, and an exemption would switch the limits off."""
    app = create_app(built.model_copy(update={"expensive_isolation": "thread", "rate_limit": "2/minute"}))
    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        assert [local.get("/api/v1/methodology").status_code for _ in range(3)] == [200, 200, 429]


def test_an_api_key_has_budgets_of_its_own_and_an_unknown_key_is_refused(limited: TestClient) -> None:
    for _ in range(6):
        limited.get("/api/v1/methodology")
    assert limited.get("/api/v1/methodology").status_code == 429
    keyed = limited.get("/api/v1/methodology", headers={"X-API-Key": "s3cret-key"})
    assert keyed.status_code == 200 and keyed.headers["ratelimit-limit"] == "50"
    bearer = limited.get("/api/v1/methodology", headers={"Authorization": "Bearer s3cret-key"})
    assert bearer.status_code == 200 and bearer.headers["ratelimit-remaining"] == "48"
    wrong = limited.get("/api/v1/methodology", headers={"X-API-Key": "guess"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "bad-api-key"


def test_clients_are_counted_separately(built: Settings) -> None:
    app = create_app(built.model_copy(update={"rate_limit": "2/minute"}))
    with TestClient(app, client=("10.0.0.1", 1000)) as one, TestClient(app, client=("10.0.0.2", 1000)) as two:
        assert [one.get("/api/v1/methodology").status_code for _ in range(3)] == [200, 200, 429]
        assert two.get("/api/v1/methodology").status_code == 200


def test_an_empty_limit_turns_it_off(built: Settings) -> None:
    with client_for(built, rate_limit="") as client:
        answers = [client.get("/api/v1/methodology") for _ in range(30)]
    assert {r.status_code for r in answers} == {200}
    assert "ratelimit-limit" not in answers[0].headers


@pytest.mark.skipif(_redis_reason() is not None, reason=_redis_reason() or "")
def test_two_app_processes_share_counters_in_redis(built: Settings) -> None:
    import redis

    prefix = uuid.uuid4().hex  # a client address of our own: no other test's counters
    update = {"rate_limit": "4/minute", "rate_limit_storage": REDIS}
    one_app, two_app = (
        create_app(built.model_copy(update=update)),
        create_app(built.model_copy(update=update)),
    )
    client = (f"10.{int(prefix[:2], 16)}.{int(prefix[2:4], 16)}.{int(prefix[4:6], 16)}", 1)
    try:
        with TestClient(one_app, client=client) as one, TestClient(two_app, client=client) as two:
            codes = [c.get("/api/v1/methodology").status_code for c in (one, two, one, two, one, two)]
        assert codes == [200, 200, 200, 200, 429, 429]
    finally:
        r = redis.Redis.from_url(REDIS)
        for key in r.scan_iter(f"*{client[0]}*"):
            r.delete(key)


def test_an_unreachable_shared_store_lets_requests_through(built: Settings) -> None:
    update = {"rate_limit": "1/minute", "rate_limit_storage": "redis://127.0.0.1:1/0"}
    with client_for(built, **update) as client:
        codes = [client.get("/api/v1/methodology").status_code for _ in range(3)]
        limiter = client.app.middleware_stack.app.app  # type: ignore[attr-defined]
    assert codes == [200, 200, 200]
    assert limiter.store_failures == 3


def test_the_429_page_speaks_to_readers_not_to_operators(built: Settings) -> None:
    """The public /factcheck page showed "The server sets this limit with
    EVIDENCE_KB_RATE_LIMIT_EXPENSIVE ...; or send an API key": that is for the API's JSON."""
    html = {"accept": "text/html"}
    with client_for(built, rate_limit="3/minute", rate_limit_expensive="1/minute") as client:
        assert (
            client.post(
                "/factcheck", data={"text": "Walking backwards eases knee pain."}, headers=html
            ).status_code
            == 200
        )
        page = client.post("/factcheck", data={"text": "Walking backwards eases knee pain."}, headers=html)
        assert page.status_code == 429 and "Too many fact-checks" in page.text and "try again in" in page.text
        assert "EVIDENCE_KB_" not in page.text and "API key" not in page.text
        cheap = [client.get("/methodology", headers=html) for _ in range(2)][-1]
        assert cheap.status_code == 429 and "Too many requests" in cheap.text
        assert "EVIDENCE_KB_" not in cheap.text and "API key" not in cheap.text
        api = client.get("/api/v1/methodology")
        assert api.status_code == 429 and "EVIDENCE_KB_RATE_LIMIT (e.g." in api.json()["error"]["message"]
