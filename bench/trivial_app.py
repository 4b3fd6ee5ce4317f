"""The yardstick for HTTP figures: the smallest FastAPI app, served the same way as the product.

``bench/run.py http`` serves it with uvicorn (same worker count, no access log, same event loop
and HTTP parser) beside ``evidence-kb serve`` and reports every endpoint's throughput as a
ratio to this one. It is not part of the product.
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/trivial")
async def trivial() -> dict[str, bool]:
    return {"ok": True}
