"""Quality of the fact-check on labelled passages, beside two baselines, with a reliability table.

Labelled passages (YAML list). Either the old short form (tests/fixtures/factcheck-dev.yaml)::

    {id, text, expect: [claim ids], none: true, numbers: true}

or with claims and stances (tests/fixtures/factcheck-issue.yaml, factcheck-real/)::

    {id, text, claims: [{id, stance}], figures_contradict: bool, language}
    {id, text, expect: [ids], stance: {id: stance}, figures: [...], figures_contradict: [...], language}

A passage's part (dev or test) is its ``split`` field or the name of its file (dev.yaml, test.yaml).
Every claim id a passage labels must be a claim of the build (``unknown_claims``): a misspelt id
would count as a miss of every ranker, never as the typo it is.

Rankers compared (each returns claim ids best first):

- ``system``: ``check.analyse`` (gates, features, calibrated score, threshold);
- ``bm25``: Okapi BM25 (rank-bm25) of the stemmed passage against each claim's statement and
  phrasings, a claim returned when its score passes the threshold fitted on the development part;
- ``embedding``: the cosine between the passage and the claim's nearest text, same rule.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.factcheck.check import analyse, readable
from app.factcheck.index import Index
from app.factcheck.scoring import cut_off, load_model
from app.factcheck.stance import STANCES
from app.problems import did_you_mean_key
from app.vocab import FlagCode

BANDS = [(i / 10, (i + 1) / 10) for i in range(10)]
MIN_BAND = 20  # bands with fewer matches are shown but not held to the calibration target


@dataclass
class Passage:
    id: str
    text: str
    expect: list[str]
    stances: dict[str, str]
    contradicts: bool | None  # None: not labelled
    language: str = "en"
    split: str = "dev"
    raw: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # the file it was read from (``load_passages``)


def normalise(item: dict[str, Any], n: int) -> Passage:
    """One labelled passage in either form (module doc); ``ValueError`` names what is wrong."""
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise ValueError(f"passage {n + 1}: expected a mapping with a 'text' string")
    claims = item.get("claims")
    if claims is not None:
        expect = [c["id"] if isinstance(c, dict) else str(c) for c in claims]
        stances = {c["id"]: c.get("stance", "asserts") for c in claims if isinstance(c, dict)}
    else:
        expect, stances = list(item.get("expect") or []), dict(item.get("stance") or {})
    for claim_id, s in stances.items():
        if s not in STANCES:
            raise ValueError(
                f"passage {item.get('id', n + 1)}: stance {s!r} for {claim_id} is not one of {STANCES}"
            )
    contradicts = item.get("figures_contradict") or item.get("numbers")
    if contradicts is None and item.get("figures"):
        contradicts = False  # figures labelled, none contradicting
    return Passage(str(item.get("id", n + 1)), item["text"], expect, stances,
                   None if contradicts is None else bool(contradicts), str(item.get("language") or "en"),
                   str(item.get("split") or "dev"), item)  # fmt: skip


def load_passages(path: Path, part: str | None = None, language: str | None = None) -> list[Passage]:
    """Labelled passages from a YAML file or a directory of them; ``part`` keeps only ``dev`` or
    ``test``, ``language`` only passages labelled with that language. ``ValueError`` on bad input."""
    import yaml

    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    passages: list[Passage] = []
    for file in files:
        items = yaml.safe_load(file.read_text(encoding="utf-8"))
        if isinstance(items, dict) and "passages" in items:
            items = items["passages"]
        if not isinstance(items, list):
            raise ValueError(f"{file}: expected a list of passages")
        for n, item in enumerate(items):
            passage = normalise(item, n)
            passage.source = str(file)
            if "split" not in item and file.stem in ("dev", "test"):
                passage.split = file.stem
            passages.append(passage)
    return [
        p
        for p in passages
        if (part is None or p.split == part) and (language is None or p.language == language)
    ]


def unknown_claims(passages: Iterable[Passage], known: Collection[str]) -> list[str]:
    """One message per claim id a passage labels (``expect``, ``claims``, ``stance``) that is not
    one of ``known`` (the build's claim ids), naming the file, the passage and the id, with the
    id it most likely meant (``problems.near_key``, as ``evidence-kb check`` says it): "dev.yaml:
    passage r012: unknown claim id 'backward-walking-improve-balance' (did you mean
    'backward-walking-improves-balance'?)". Empty when every id is known."""
    return [
        f"{p.source or 'passages'}: passage {p.id}: unknown claim id '{claim_id}'{did_you_mean_key(claim_id, known)}"
        for p in passages
        for claim_id in dict.fromkeys([*p.expect, *p.stances])
        if claim_id not in known
    ]


class Baselines:
    """BM25 and embedding-only rankers over the same index (claims' statements and phrasings)."""

    def __init__(self, index: Index) -> None:
        from rank_bm25 import BM25Okapi

        self.index = index
        self.order = index.claim_order
        docs = []
        for claim_id in self.order:
            start, end = index.text_rows[claim_id]
            docs.append(self._stems(" ".join(index.texts[start:end])))
        self.bm25 = BM25Okapi(docs)

    def _stems(self, text: str) -> list[str]:
        return [t.stem for t in self.index.analyzer.tokens(text) if len(t.word) > 2]

    def scores(self, name: str, text: str) -> list[tuple[str, float]]:
        if name == "bm25":
            values = self.bm25.get_scores(self._stems(text))
        else:
            vector = self.index.encoder.encode([text])[0]
            cos = self.index.vectors @ vector
            values = np.full(len(self.order), -1.0)
            np.maximum.at(values, self.index.text_owner, cos)
        top = np.argsort(-values, kind="stable")[:20]
        return [(self.order[i], float(values[i])) for i in top]


def run_ranker(
    index: Index,
    name: str,
    passages: list[Passage],
    baselines: Baselines | None,
    model: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Per passage: returned ids (best first), every scored (id, score, right), stances, flags, ms.
    ``model``: the score model and cut-offs (default: the shipped one)."""
    model = model or load_model()
    out = []
    for p in passages:
        started = time.perf_counter()
        text = readable(p.text)
        if name == "system":
            ranked, lang = analyse(index, text, model)
            scored = [(c.claim_id, c.score) for c in ranked]
            cut = cut_off(model, lang.get("matched_by"))  # the cut-off of the post's reading
            returned = [cid for cid, s in scored if s >= cut][:5]
            result = _system_details(index, ranked, returned, text)
        else:
            assert baselines is not None
            scored = baselines.scores(name, text)
            cut = model["baselines"][name]
            returned = [cid for cid, s in scored if s >= cut][:5]
            lang, result = {"code": "en"}, {"stances": None, "figure_flag": False}  # no stance, no flags
        out.append({"passage": p, "returned": returned, "scored": scored, "language": lang["code"],
                    "matched_by": lang.get("matched_by", "text"),
                    "ms": (time.perf_counter() - started) * 1000, **result})  # fmt: skip
    return out


def _system_details(index: Index, ranked: list[Any], returned: list[str], text: str) -> dict[str, Any]:
    from app.factcheck.check import PerPost, _match

    by_id = {c.claim_id: c for c in ranked}
    per_post = PerPost(text, ranked=[by_id[cid] for cid in returned])
    matches = [_match(index, by_id[cid], per_post, "", "") for cid in returned]
    return {
        "stances": {m["claim"]["id"]: m["stance"] for m in matches},
        "figure_flag": any(f["code"] == FlagCode.FIGURE_MISMATCH for m in matches for f in m["flags"]),
    }


def _share(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def metrics(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The Done-when figures of one ranker's runs (see README's fact-check section)."""
    c: dict[str, int] = dict.fromkeys(
        ("single", "single_ok", "multi", "multi_ok", "none", "none_ok", "contra", "contra_ok",
         "clean", "clean_flagged", "stance", "stance_ok", "stance_unmatched"), 0)  # fmt: skip
    failures = []
    for r in runs:
        p: Passage = r["passage"]
        ids = r["returned"]
        if not p.expect:
            c["none"] += 1
            ok = not ids
            c["none_ok"] += ok
        elif len(p.expect) == 1:
            c["single"] += 1
            ok = bool(ids) and ids[0] == p.expect[0]
            c["single_ok"] += ok
        else:
            c["multi"] += 1
            ok = set(p.expect) <= set(ids[:3])
            c["multi_ok"] += ok
        if p.contradicts:
            c["contra"] += 1
            c["contra_ok"] += r["figure_flag"]
        elif p.contradicts is not None or p.expect:
            c["clean"] += 1
            c["clean_flagged"] += r["figure_flag"]
        for claim_id, want in p.stances.items() if r["stances"] is not None else ():
            if want in ("denies", "asks"):
                c["stance"] += 1
                got = r["stances"].get(claim_id)
                c["stance_unmatched"] += got is None
                c["stance_ok"] += got == want
        if not ok:
            failures.append({"id": p.id, "text": p.text, "expected": p.expect or "none", "got": ids})
    ms = sorted(r["ms"] for r in runs)
    return {
        "passages": len(runs),
        "single_first_right": _share(c["single_ok"], c["single"]), "single": c["single"],
        "multi_all_in_top3": _share(c["multi_ok"], c["multi"]), "multi": c["multi"],
        "no_claim_silent": _share(c["none_ok"], c["none"]), "no_claim": c["none"],
        "figure_flagged_contradicting": _share(c["contra_ok"], c["contra"]), "contradicting": c["contra"],
        "figure_flagged_not_contradicting": _share(c["clean_flagged"], c["clean"]), "not_contradicting": c["clean"],
        "stance_right_denials_questions": _share(c["stance_ok"], c["stance"]), "denials_questions": c["stance"],
        "denials_questions_unmatched": c["stance_unmatched"],
        # the stance rules alone: of the denials and questions whose claim is returned
        "stance_right_when_returned": _share(c["stance_ok"], c["stance"] - c["stance_unmatched"]),
        "denials_questions_returned": c["stance"] - c["stance_unmatched"],
        "ms_p50": round(statistics.median(ms), 3) if ms else None,
        "ms_p99": round(ms[min(len(ms) - 1, math.ceil(0.99 * len(ms)) - 1)], 3) if ms else None,
        "failures": failures,
    }  # fmt: skip


def reliability(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Score bands of every scored candidate: count, mean score, share right; the expected
    calibration error over all candidates and over the returned ones (the matches shown)."""
    rows = []
    pairs = [(s, cid in r["passage"].expect) for r in runs for cid, s in r["scored"]]
    shown = [(s, cid in r["passage"].expect) for r in runs for cid, s in r["scored"] if cid in r["returned"]]
    for lo, hi in BANDS:
        inside = [(s, ok) for s, ok in pairs if lo <= s < hi or (hi == 1.0 and s == 1.0)]
        if inside:
            rows.append({"band": f"{lo:.1f}-{hi:.1f}", "count": len(inside),
                         "mean_score": round(sum(s for s, _ in inside) / len(inside), 3),
                         "share_right": round(sum(ok for _, ok in inside) / len(inside), 3),
                         "held_to_target": len(inside) >= MIN_BAND})  # fmt: skip

    def ece(selected: list[tuple[float, bool]]) -> float | None:
        if not selected:
            return None
        total = 0.0
        for lo, hi in BANDS:
            inside = [(s, ok) for s, ok in selected if lo <= s < hi or (hi == 1.0 and s == 1.0)]
            if inside:
                gap = abs(sum(s for s, _ in inside) - sum(ok for _, ok in inside)) / len(inside)
                total += len(inside) / len(selected) * gap
        return round(total, 4)

    worst = max((abs(r["mean_score"] - r["share_right"]) for r in rows if r["held_to_target"]), default=None)
    return {"bands": rows, "ece_all": ece(pairs), "ece_returned": ece(shown),
            "worst_gap_in_bands_of_20": None if worst is None else round(worst, 3)}  # fmt: skip


def evaluate(index: Index, passages: list[Passage]) -> dict[str, Any]:
    """The system and both baselines on ``passages``, with the system's reliability table."""
    baselines = Baselines(index)
    report: dict[str, Any] = {}
    for name in ("system", "bm25", "embedding"):
        runs = run_ranker(index, name, passages, baselines)
        report[name] = metrics(runs)
        if name == "system":
            report["reliability"] = reliability(runs)
            report["languages"] = per_language(runs)
    return report


def per_language(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per labelled language: passages, how many the detector named right, how the matcher read
    them (``matched_by``: text, concepts or none) and the three matching figures of ``metrics``."""
    by_language: dict[str, list[dict[str, Any]]] = {}
    for r in runs:
        by_language.setdefault(r["passage"].language, []).append(r)
    out: dict[str, Any] = {}
    for code, rows in by_language.items():
        m = metrics(rows)
        out[code] = {
            "passages": len(rows),
            "detected": sum(r["language"] == code for r in rows),
            "matched_by": sorted({str(r.get("matched_by")) for r in rows}),
            **{k: m[k] for k in ("single_first_right", "single", "multi_all_in_top3", "multi",
                                 "no_claim_silent", "no_claim")},
        }  # fmt: skip
    return out
