"""Fact-check routes: POST /api/v1/factcheck and POST /api/v1/factcheck/batch.

The logic lives in ``app.factcheck`` (shared with the /factcheck page and the CLI); this module
validates the request and runs the work in the bounded pool (``app.workpool``: a process of its
own), on the build the request started with (``check.index_at``). Nothing a client sends is
stored.

Budgets (README "Limits"): the body is at most ``max_body_bytes`` (413, ``app.guard``); it is
parsed and validated in a worker thread, never on the event loop, and a 422 lists at most
``MAX_ERRORS`` problems; a batch holds at most ``MAX_BATCH`` posts and ``batch_max_chars``
characters in all; the work stops at the pool's deadline (503). The answer is serialised in the
pool too (a batch's answer runs to megabytes: validating and encoding it on the event loop would
stall every other request) and checked against ``max_response_bytes`` (422
``response-too-large``) before it is sent.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar, get_args

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from starlette.concurrency import run_in_threadpool

from app.factcheck import MAX_CONTEXT, MAX_TEXT, factcheck, index_at, is_blank
from app.http import (
    MAX_ERRORS,
    ApiError,
    check_response_size,
    get_store,
    json_body,
    plain_problem,
    unreadable_json,
)
from app.schemas import BODY_ERRORS, COMMON_ERRORS, BatchResult, FactCheckResult, dump_json, error_responses
from app.store import Store
from app.workpool import Budget, get_pool

router = APIRouter(prefix="/api/v1", tags=["fact-check"])
MAX_BATCH = 100
MAX_LIMIT = 20
M = TypeVar("M", bound=BaseModel)


def _json_integer(value: object) -> object:
    """A JSON integer as the schema means it: 5 or 5.0, never "5" or true (pydantic's lax mode
    takes both; its strict mode refuses 5.0, which JSON Schema calls an integer)."""
    if isinstance(value, bool | str):
        raise PydanticCustomError("int_type", "Input should be a whole number (a JSON number)")
    return value


JsonInt = BeforeValidator(_json_integer)


CONTEXT_HELP = (
    "Optional: the title or heading of the page the post comes from. It names what the post's "
    '"it" or "this exercise" is (its activity, body part or topic count for every sentence); '
    "it is never matched itself."
)


class FactCheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT, description="The post's text")]
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description="At most this many claims"), JsonInt] = 5
    context: Annotated[str | None, Field(max_length=MAX_CONTEXT, description=CONTEXT_HELP)] = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if is_blank(value):
            raise PydanticCustomError("blank", "is empty or only whitespace; give the text of a post")
        return value


class BatchPost(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[
        str | None,
        Field(
            max_length=200,
            description=(
                "Your id for the post, echoed back; unique in the batch (a post without one is "
                'known by its position: "0", "1", ...)'
            ),
        ),
    ] = None
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    context: Annotated[str | None, Field(max_length=MAX_CONTEXT, description=CONTEXT_HELP)] = None

    _not_blank = field_validator("text")(FactCheckRequest._not_blank.__func__)  # type: ignore[attr-defined]


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    posts: Annotated[
        list[BatchPost],
        Field(
            min_length=1, max_length=MAX_BATCH, description="The posts; their ids must differ (422 otherwise)"
        ),
    ]
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT), JsonInt] = 5


def post_ids(posts: list[BatchPost]) -> list[str]:
    """Each post's id as the answer echoes it: its own, or its position ("0", "1", ...).

    Raises ``RequestValidationError`` (422 ``invalid-request``) at the first id that repeats an
    earlier one (its own or a position), naming it and both posts, so that every result can be
    told apart by its id."""
    ids: list[str] = []
    first: dict[str, int] = {}
    for i, post in enumerate(posts):
        post_id = post.id if post.id is not None else str(i)
        if post_id in first:
            where = ("body", "posts", i, "id")
            message = (
                f"must be unique in the batch, and {post_id!r} is already the id of post {first[post_id]}"
                " (counting from 0; a post without an id is known by its position)"
            )
            raise RequestValidationError(
                [{"type": "duplicate_id", "loc": where, "msg": message, "input": post_id}]
            )
        first[post_id] = i
        ids.append(post_id)
    return ids


def _inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its ``$defs`` inlined (it is placed inside the OpenAPI
    document, where ``#/$defs/...`` would point at the wrong root). Our models are not recursive."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node and node["$ref"].startswith("#/$defs/"):
                return inline(defs[node["$ref"].rsplit("/", 1)[1]])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return inline(schema)  # type: ignore[no-any-return]


def _openapi(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline_schema(model)}},
        }
    }


ERRORS = error_responses(*COMMON_ERRORS, *BODY_ERRORS)


def _validate(model: type[M], raw: bytes) -> M:
    """Parse and validate in one pass (pydantic's JSON parser); raise the usual 422, capped, or
    the one saying what is wrong with the body's characters (``unreadable_json``)."""
    raw = json_body(raw)
    try:
        valid = model.model_validate_json(raw)
    except ValidationError as exc:
        if exc.errors()[0]["type"] == "json_invalid" and (problem := unreadable_json(raw)):
            raise problem from None
        # ctx holds the limits (max_length, ge, ...) and input what was sent: the 422 says both
        errors = exc.errors(include_url=False)[:MAX_ERRORS]
        capped = [{**_with_accepted(model, e), "loc": ("body", *e["loc"])} for e in errors]
        for err in capped:  # more posts than a batch holds: the code README names for the budget
            if err["type"] == "too_long" and err["loc"] == ("body", "posts"):
                message = plain_problem(err)
                details = [{"in": "body", "field": "posts", "message": message}]
                raise ApiError(422, "batch-too-large", message, details=details) from None
        raise RequestValidationError(capped) from None
    # pydantic keeps the last of repeated keys ({"text": "a", "text": "b"}) without a word; a
    # repeated query parameter is refused, so is a repeated key (the body is valid, so parsing it
    # again is bounded by the body limit and the nesting pydantic accepted).
    json.loads(raw, object_pairs_hook=_refuse_repeated_keys)
    return valid


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads`` hook: a JSON object as a dict; ``ApiError`` 422 if a key appears twice."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            message = f"The key {key} appears more than once in one JSON object; give it once."
            raise ApiError(
                422, "invalid-request", message, details=[{"in": "body", "field": key, "message": message}]
            )
        found[key] = value
    return found


def _with_accepted(model: type[BaseModel], error: Any) -> dict[str, Any]:
    """An unknown field's error with the fields its object accepts (``ctx["accepted"]``), found
    by following the error's place through the models (``posts.3.txt``: a ``BatchPost``)."""
    if error["type"] != "extra_forbidden":
        return dict(error)
    current: Any = model
    for part in error["loc"][:-1]:
        if isinstance(part, int):
            continue  # a list's position: its items are the list's model
        is_model = isinstance(current, type) and issubclass(current, BaseModel)
        field = current.model_fields.get(part) if is_model else None
        if field is None:
            return dict(error)
        annotation = field.annotation
        current = get_args(annotation)[0] if get_args(annotation) else annotation
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return dict(error)
    ctx = {"accepted": ", ".join(current.model_fields)}
    for other, route in _ROUTES.items():  # {"posts": [...]} sent to the single post's route
        if len(error["loc"]) == 1 and other is not model and error["loc"][0] in other.model_fields:
            ctx["instead"] = route
    return {**error, "ctx": ctx}


#: The body model of each fact-check route, and the route: a top-level field of the other
#: route's body names it (``_with_accepted``).
_ROUTES: dict[type[BaseModel], str] = {
    FactCheckRequest: "POST /api/v1/factcheck (one post)",
    BatchRequest: "POST /api/v1/factcheck/batch (a list of posts)",
}


async def parse_body(request: Request, model: type[M]) -> M:
    raw = await request.body()
    return await run_in_threadpool(_validate, model, raw)


def _answer(model: type[BaseModel], result: dict[str, Any], cap: int) -> bytes:
    """The JSON body (in the pool), or ``ResponseTooLarge`` when it passes ``cap`` bytes."""
    body = dump_json(model, result)
    advice = "send fewer posts, or ask for fewer claims per post (limit)"
    check_response_size(len(body), cap, advice)
    return body


@router.post(
    "/factcheck",
    summary="Fact-check a post: the claims it makes, with flags",
    openapi_extra=_openapi(FactCheckRequest),
    responses={200: {"model": FactCheckResult}, **ERRORS},
)
async def factcheck_post(request: Request) -> Response:
    body = await parse_body(request, FactCheckRequest)
    return await _check(request, [(None, body.text, body.context)], body.limit, batch=False)


@router.post(
    "/factcheck/batch",
    summary=f"Fact-check up to {MAX_BATCH} posts in one call",
    openapi_extra=_openapi(BatchRequest),
    responses={200: {"model": BatchResult}, **ERRORS},
)
async def factcheck_batch(request: Request) -> Response:
    body = await parse_body(request, BatchRequest)
    ids = post_ids(body.posts)
    total = sum(len(post.text) for post in body.posts)
    limit = request.app.state.settings.batch_max_chars
    if total > limit:
        raise ApiError(
            422,
            "batch-too-large",
            f"The posts hold {total:,} characters in all; one batch may hold at most {limit:,}.",
        )
    return await _check(
        request,
        [(i, post.text, post.context) for i, post in zip(ids, body.posts, strict=True)],
        body.limit,
        batch=True,
    )


async def _check(
    request: Request, posts: list[tuple[str | None, str, str | None]], limit: int, *, batch: bool
) -> Response:
    """Run ``check_posts`` in the pool, on the build the request started with."""
    store = get_store(request)
    generation = await run_in_threadpool(store.generation)
    cap = request.app.state.settings.max_response_bytes
    body = await get_pool(request).run(request, check_posts, generation, posts, limit, batch, cap)
    return Response(body, media_type="application/json")


def check_posts(
    store: Store,
    budget: Budget,
    generation: str | None,
    posts: list[tuple[str | None, str, str | None]],
    limit: int,
    batch: bool,
    cap: int,
) -> bytes:
    """A pool job (``app.workpool``, in the expensive-work process): the JSON answer of
    ``POST /api/v1/factcheck`` (one post, ``batch`` false) or of the batch route for ``posts``
    (``(id, text, context)``), read from build ``generation``'s index. Raises ``ResponseTooLarge`` when it
    passes ``cap`` bytes."""
    index = index_at(store, generation)
    results = []
    for i, (post_id, text, context) in enumerate(posts):
        budget.check()
        result = factcheck(store, text, limit, index=index, context=context)
        results.append({"id": post_id if post_id is not None else str(i), **result} if batch else result)
    if not batch:
        return _answer(FactCheckResult, results[0], cap)
    took = round(sum(r["took_ms"] for r in results), 3)
    return _answer(BatchResult, {"results": results, "took_ms": took}, cap)


def register(app: FastAPI) -> None:
    app.include_router(router)
