"""Fit the fact-check's score model on the development passages; write app/factcheck/data/score-model.json.

    python scripts/fit_factcheck.py [--extra tests/fixtures/factcheck-real --part dev]

Inputs (development data only; the test part of the real-text set is never read here):
tests/fixtures/factcheck-dev.yaml, factcheck-posts.yaml, factcheck-issue.yaml and, when given,
the ``dev`` part of the real-text set. For every passage and every candidate claim that passes the
gates (``scoring.unit_candidates``), the claim's best unit gives one row of ``scoring.FEATURES``,
labelled 1 when the passage makes the claim. A logistic regression (scikit-learn, L2, C=1) turns
the features into a probability. Cut-offs (the system's and the BM25 and embedding-only
baselines'): the one that finds the most claims on the same passages while leaving at least 90%
of the no-claim passages without a match (``best_cut``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV_FILES = ["factcheck-dev.yaml", "factcheck-posts.yaml", "factcheck-issue.yaml"]
MIN_SILENCE = 0.9  # share of no-claim development passages a cut-off must leave without a match


def rows(index: Any, passages: list[Any]) -> tuple[list[list[float]], list[int]]:
    from app.factcheck.check import clean
    from app.factcheck.scoring import unit_candidates, unit_features
    from app.factcheck.sentences import split

    x, y = [], []
    for p in passages:
        text = clean(p.text)
        post = index.analyzer.features(text)
        best: dict[str, list[float]] = {}
        for uf in unit_features(index, post, split(text)):
            for c in unit_candidates(index, uf):
                key = c.values[0] + c.values[1] + c.values[3]
                if c.claim_id not in best or key > best[c.claim_id][0]:
                    best[c.claim_id] = [key, *c.values]
        for claim_id, values in best.items():
            x.append(values[1:])
            y.append(int(claim_id in p.expect))
    return x, y


def best_cut(scored: list[tuple[Any, list[tuple[str, float]]]], candidates: list[float]) -> float:
    """The cut-off that finds the most claims (mean of the single-claim and multi-claim accuracies)
    while keeping at least ``MIN_SILENCE`` of the no-claim passages silent (the issue's target);
    when no cut-off keeps them so, the most silent one."""
    results = []
    for cut in candidates:
        acc: dict[str, list[int]] = {"single": [], "multi": [], "none": []}
        for p, sc in scored:
            ids = [cid for cid, s in sc if s >= cut][:5]
            if not p.expect:
                acc["none"].append(not ids)
            elif len(p.expect) == 1:
                acc["single"].append(bool(ids) and ids[0] == p.expect[0])
            else:
                acc["multi"].append(set(p.expect) <= set(ids[:3]))
        share = {k: sum(v) / len(v) if v else 0.0 for k, v in acc.items()}
        results.append(
            (share["none"] >= MIN_SILENCE, (share["single"] + share["multi"]) / 2, share["none"], cut)
        )
    ok = [r for r in results if r[0]]
    best = max(ok, key=lambda r: (r[1], r[2])) if ok else max(results, key=lambda r: (r[2], r[1]))
    return best[3]


def system_cut(index: Any, passages: list[Any], model: dict[str, Any]) -> float:
    """The score a match must reach to be returned, chosen on the same development passages
    (scores stay probabilities; the cut only decides what is shown)."""
    from app.factcheck.check import clean
    from app.factcheck.scoring import rank, unit_features
    from app.factcheck.sentences import split

    model = {**model, "threshold": 0.5, "near_tie": 0.03}
    scored = []
    for p in passages:
        text = clean(p.text)
        units = unit_features(index, index.analyzer.features(text), split(text))
        scored.append((p, [(c.claim_id, c.score) for c in rank(index, units, model)]))
    return best_cut(scored, [round(0.1 + 0.05 * i, 2) for i in range(13)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--extra", type=Path, help="a further labelled file or directory (its dev part is used)"
    )
    parser.add_argument(
        "--part", default="dev", choices=["dev"], help="only the development part is ever fitted on"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "app/factcheck/data/score-model.json")
    args = parser.parse_args()

    from sklearn.linear_model import LogisticRegression

    from app.build import build_database
    from app.db import Database
    from app.factcheck.evaluate import Baselines, load_passages
    from app.factcheck.index import build_index
    from app.factcheck.scoring import FEATURES
    from app.settings import Settings
    from app.store import Store

    fixtures = ROOT / "tests/fixtures"
    passages = [p for f in DEV_FILES if (fixtures / f).exists() for p in load_passages(fixtures / f, None)]
    sources = [f for f in DEV_FILES if (fixtures / f).exists()]
    if args.extra:
        passages += load_passages(args.extra, "dev")
        sources.append(
            f"{args.extra.relative_to(ROOT) if args.extra.is_absolute() else args.extra} (dev part)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/kb.db", data_dir=ROOT / "data")
        build_database(settings, force=True)
        index = build_index(Store(Database(settings)))
        x, y = rows(index, passages)
        fit = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
        baselines = Baselines(index)
        cuts = {}
        for name in ("bm25", "embedding"):
            scored = [(p, baselines.scores(name, p.text)) for p in passages]
            cuts[name] = best_cut(scored, sorted({round(s, 3) for _, sc in scored for _, s in sc[:5]}))
        coef = [round(float(c), 5) for c in fit.coef_[0]]
        intercept = round(float(fit.intercept_[0]), 5)
        threshold = system_cut(
            index, passages, {"features": list(FEATURES), "coef": coef, "intercept": intercept}
        )
    model = {
        "features": list(FEATURES),
        "coef": coef,
        "intercept": intercept,
        "threshold": threshold,
        "near_tie": 0.03,
        "baselines": {k: round(v, 4) for k, v in cuts.items()},
        "fitted_on": {"sources": sources, "passages": len(passages), "rows": len(y), "positive_rows": sum(y),
                      "date": dt.date.today().isoformat(), "script": "scripts/fit_factcheck.py"},
    }  # fmt: skip
    args.out.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(model, indent=2))


if __name__ == "__main__":
    main()
