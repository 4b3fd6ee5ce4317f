"""Fact-check a post: which curated claims it makes, how, and where it outruns the evidence.

One concern per module:

- ``analyzer``: text -> tokens, concepts and words (spelling repair, hashtags, stems);
- ``sentences``: a post -> sentences and clauses with offsets (the units matched);
- ``index``: the knowledge base -> per-claim features, gates, typed figures, text vectors;
- ``embed``: the static sentence-embedding model; ``language``: language detection;
- ``scoring``: units -> gated candidates, features, calibrated score, ranking and near-ties;
- ``stance``: asserts / denies / asks / reports for a unit;
- ``figures``: typed figures in posts and in the evidence; ``flags``: what a match is flagged for;
- ``check``: ``factcheck()``, the one function the CLI, API and page call;
- ``evaluate``: metrics on labelled passages beside BM25 and embedding-only baselines
  (the ``factcheck`` and ``factcheck-eval`` subcommands are in ``app/cli.py``).
"""

from app.factcheck.check import MAX_CONTEXT, MAX_TEXT, ambiguous_claims, factcheck, index_at, is_blank
from app.factcheck.index import get_index
from app.factcheck.scoring import load_model

__all__ = [
    "MAX_CONTEXT",
    "MAX_TEXT",
    "THRESHOLD",
    "ambiguous_claims",
    "factcheck",
    "get_index",
    "index_at",
    "is_blank",
    "load_model",
]


def __getattr__(name: str) -> float:
    if name == "THRESHOLD":  # the fitted model's cut-off (data/score-model.json)
        return float(load_model()["threshold"])
    raise AttributeError(name)
