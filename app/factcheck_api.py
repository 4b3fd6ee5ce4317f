"""Fact-check routes: POST /api/v1/factcheck and POST /api/v1/factcheck/batch.

The logic lives in ``app.factcheck`` (shared with the /factcheck page and the CLI); this module
only validates the request. Nothing a client sends is stored.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from app.factcheck import MAX_TEXT, factcheck
from app.store import Store

router = APIRouter(prefix="/api/v1", tags=["fact-check"])
MAX_BATCH = 100
MAX_LIMIT = 20


class FactCheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT, description="The post's text")]
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description="At most this many claims")] = 5

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty or only whitespace")
        return value


class BatchPost(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str | None, Field(max_length=200, description="Your id for the post, echoed back")] = None
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]

    _not_blank = field_validator("text")(FactCheckRequest._not_blank.__func__)  # type: ignore[attr-defined]


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    posts: Annotated[list[BatchPost], Field(min_length=1, max_length=MAX_BATCH)]
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 5


def _store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


@router.post("/factcheck", summary="Fact-check a post: the claims it makes, with flags")
async def factcheck_post(request: Request, body: FactCheckRequest) -> dict[str, Any]:
    return await run_in_threadpool(factcheck, _store(request), body.text, body.limit)


@router.post("/factcheck/batch", summary=f"Fact-check up to {MAX_BATCH} posts in one call")
async def factcheck_batch(request: Request, body: BatchRequest) -> dict[str, Any]:
    store = _store(request)

    def run() -> dict[str, Any]:
        results = []
        for i, post in enumerate(body.posts):
            result = factcheck(store, post.text, body.limit)
            results.append({"id": post.id if post.id is not None else str(i), **result})
        return {"results": results, "took_ms": round(sum(r["took_ms"] for r in results), 3)}

    return await run_in_threadpool(run)


def register(app: FastAPI) -> None:
    app.include_router(router)
