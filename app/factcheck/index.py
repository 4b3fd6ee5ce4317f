"""The fact-check index: each claim's features, required features, typed figures and text vectors.

Built once per knowledge base (``get_index`` pins it in the store) from the claims, their evidence
figures and studies, and data/concepts.yaml:

- ``texts``: the features of the statement and of each curated phrasing (``analyzer``);
- ``core``: the features at least half of those texts share (what any way of making the claim
  mentions); ``postings`` maps each core feature to its claims, so finding candidates costs in
  proportion to the candidates, not to the size of the knowledge base;
- ``required``: per kind (activity, body or topic, outcome), the claim's concepts of that kind; a
  post unit must mention one of each kind the core has (the *gates*, ``scoring.passes_gates``);
- ``figures``: the evidence figures typed by quantity (``figures.evidence_quantity``) and the
  studies' sample sizes;
- ``vectors``: one unit vector per claim text (``embed``), rows ``text_rows[claim]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlmodel import col, select

from app.bibfields import doi_url
from app.documents import claim_summary, short_citation
from app.factcheck.analyzer import Analyzer, ConceptDef
from app.factcheck.embed import Encoder, Vectors, get_encoder
from app.factcheck.figures import evidence_quantity
from app.models import Claim, Concept, Evidence, Study
from app.store import Store

CORE_SHARE = 0.5  # a feature in at least half of a claim's texts is part of its core
MATCH_KINDS = frozenset({"activity", "body", "outcome", "topic", "word"})
GATE_KINDS = {"activity": ("activity",), "subject": ("body", "topic"), "outcome": ("outcome",)}
BACKWARD = "backward"  # the concept a backward-locomotion claim cannot do without


@dataclass
class ClaimProfile:
    id: str
    texts: list[frozenset[str]]
    core: frozenset[str]
    features: frozenset[str]  # every feature of the claim's texts
    required: dict[str, frozenset[str]]  # gate name -> the claim's concepts of that kind
    tested_in: list[str]
    figures: list[dict[str, Any]]  # typed evidence figures + study sample sizes, each with its study
    misreadings: list[tuple[dict[str, Any], list[frozenset[str]]]]
    weighted_texts: list[tuple[frozenset[str], float]] = field(default_factory=list)
    core_weight: float = 0.0
    claim: dict[str, Any] = field(default_factory=dict)  # what a match reports (no query per post)


@dataclass
class Index:
    analyzer: Analyzer
    profiles: dict[str, ClaimProfile]
    postings: dict[str, list[str]]  # core feature -> claim ids
    idf: dict[str, float]
    encoder: Encoder
    vectors: Vectors  # (number of claim texts, dims), unit rows
    text_rows: dict[str, tuple[int, int]]  # claim id -> [start, end) rows of ``vectors``
    claim_order: list[str] = field(default_factory=list)
    text_owner: Any = None  # numpy int array: row -> position in claim_order
    texts: list[str] = field(default_factory=list)  # row -> the claim text (statement or phrasing)
    outcomes: frozenset[str] = frozenset()  # every outcome concept (the outcome gate)
    # language code -> the concepts with their terms in that language (concepts.yaml translations)
    translations: dict[str, list[ConceptDef]] = field(default_factory=dict)


def _core(texts: list[frozenset[str]]) -> frozenset[str]:
    counts: dict[str, int] = {}
    for features in texts:
        for f in features:
            counts[f] = counts.get(f, 0) + 1
    n = max(1, len(texts))
    core = {f for f, c in counts.items() if c / n >= CORE_SHARE}
    if len(core) < 2:  # few texts: fall back to the most shared features
        core |= set(sorted(counts, key=lambda f: (-counts[f], f))[:2])
    return frozenset(core)


def match_features(analyzer: Analyzer, text: str) -> frozenset[str]:
    return frozenset(f for f in analyzer.features(text).names() if analyzer.kind(f) in MATCH_KINDS)


def _required(
    analyzer: Analyzer, core: frozenset[str], features: frozenset[str]
) -> dict[str, frozenset[str]]:
    """Gate name -> the claim's concepts of that kind, for each kind its core mentions."""
    out = {}
    for gate, kinds in GATE_KINDS.items():
        if any(analyzer.kind(f) in kinds for f in core):
            out[gate] = frozenset(f for f in features if analyzer.kind(f) in kinds)
    if BACKWARD in core:
        out["backward"] = frozenset({BACKWARD})
    return out


def build_index(store: Store) -> Index:
    with store.db.session() as session:
        concepts = session.exec(select(Concept)).all()
        # Only the columns needed: whole rows (with every JSON column) cost seconds at scale.
        claims: list[Any] = session.exec(  # type: ignore[assignment]
            select(  # type: ignore[call-overload]
                Claim.id,
                Claim.kind,
                Claim.statement,
                Claim.phrasings,
                Claim.tested_in,
                Claim.verdict,
                Claim.grade_level,
                Claim.grade_reasons,
                Claim.calibrated,
                Claim.summary,
                Claim.reviewed,
                Claim.appearances,
                Claim.population,
                Claim.topics,
                Claim.study_count,
                Claim.participants,
                Claim.participants_unknown,
            ).order_by(col(Claim.position))
        ).all()
        links: list[Any] = session.exec(  # type: ignore[assignment]
            select(Evidence.claim_id, Evidence.study_key, Evidence.figures, Evidence.misreading).order_by(
                col(Evidence.position)
            )
        ).all()
        studies: dict[str, Any] = {
            row.key: row  # type: ignore[attr-defined]
            for row in session.exec(
                select(  # type: ignore[call-overload,misc]
                    Study.key,
                    Study.title,
                    Study.authors,
                    Study.year,
                    Study.container,
                    Study.sample_size,
                    Study.enrolled,
                    Study.doi,
                    Study.url,
                )
            ).all()
        }
    encoder = get_encoder()
    analyzer = Analyzer(
        [ConceptDef(c.id, c.kind, tuple(c.terms), c.group, c.label) for c in concepts],
        vocabulary=[t for c in claims for t in (c.statement, *c.phrasings)],
        lexicon=encoder.vocabulary(),
    )
    by_claim: dict[str, list[tuple[Any, Any]]] = {}
    for link in links:
        by_claim.setdefault(link.claim_id, []).append((link, studies[link.study_key]))
    shorts: dict[str, str] = {}

    profiles: dict[str, ClaimProfile] = {}
    postings: dict[str, list[str]] = {}
    doc_freq: dict[str, int] = {}
    all_texts: list[str] = []
    text_rows: dict[str, tuple[int, int]] = {}
    for claim in claims:
        claim_texts = [claim.statement, *claim.phrasings]
        text_rows[claim.id] = (len(all_texts), len(all_texts) + len(claim_texts))
        all_texts.extend(claim_texts)
        profile = _profile(analyzer, claim, by_claim.get(claim.id, []), shorts)
        profiles[claim.id] = profile
        for f in profile.core:
            postings.setdefault(f, []).append(claim.id)
        for f in profile.features:
            doc_freq[f] = doc_freq.get(f, 0) + 1
    n = max(1, len(claims))
    # Rarer features say more about which claim a post makes (inverse document frequency).
    idf = {f: math.log(1 + n / df) for f, df in doc_freq.items()}
    for profile in profiles.values():
        profile.weighted_texts = [(t, sum(idf[f] for f in t)) for t in profile.texts if t]
        profile.core_weight = sum(idf[f] for f in profile.core)
    order = [c.id for c in claims]
    owner = np.zeros(len(all_texts), dtype=np.int32)
    for i, claim_id in enumerate(order):
        start, end = text_rows[claim_id]
        owner[start:end] = i
    vectors = encoder.encode(all_texts)
    outcomes = frozenset(c for c in analyzer.concepts if analyzer.kind(c) == "outcome")
    translations: dict[str, list[ConceptDef]] = {}
    for c in concepts:
        for lang, terms in (c.translations or {}).items():
            translations.setdefault(lang, []).append(ConceptDef(c.id, c.kind, tuple(terms), c.group, c.label))
    return Index(
        analyzer,
        profiles,
        postings,
        idf,
        encoder,
        vectors,
        text_rows,
        order,
        owner,
        all_texts,
        outcomes,
        translations,
    )


def _profile(
    analyzer: Analyzer, claim: Any, links: list[tuple[Any, Any]], shorts: dict[str, str]
) -> ClaimProfile:
    texts = [match_features(analyzer, t) for t in (claim.statement, *claim.phrasings)]
    core = _core(texts)
    features = frozenset().union(*texts)
    figures: list[dict[str, Any]] = []
    misreadings = []
    for link, study in links:
        short = shorts.get(study.key) or shorts.setdefault(study.key, short_citation(study))
        figures.extend(_typed_figures(analyzer, link.figures, study, short))
        if link.misreading:
            m = link.misreading
            m_texts = [match_features(analyzer, t) for t in (m["claimed"], *m.get("phrasings", []))]
            misreadings.append(({**m, "study": study.key, "short": short}, m_texts))
    return ClaimProfile(
        claim.id,
        texts,
        core,
        features,
        _required(analyzer, core, features),
        list(claim.tested_in),
        figures,
        misreadings,
        claim=_claim_payload(claim, [(study, shorts[study.key]) for _, study in links]),
    )


def _typed_figures(
    analyzer: Analyzer, figures: list[dict[str, Any]], study: Any, short: str
) -> list[dict[str, Any]]:
    """The figures of one evidence link that posts can state, typed, plus the study's sample sizes.

    Each: the recorded fields, ``quantity``, ``low``/``high`` in the quantity's unit, ``study``,
    ``short`` and ``measure_features`` (what the figure measures, as features)."""
    out = []
    for fig in figures:
        typed = evidence_quantity(fig)
        if typed is None:
            continue
        quantity, factor = typed
        value = fig["value"]
        low, high = (value[0], value[1]) if isinstance(value, list | tuple) else (value, value)
        about = f"{fig['measure']} {fig.get('comparison', '')}"
        out.append({**fig, "quantity": quantity, "low": low * factor, "high": high * factor, "study": study.key,
                    "short": short, "measure_features": match_features(analyzer, about) - {"w:particip"}})  # fmt: skip
    for n in dict.fromkeys(x for x in (study.sample_size, study.enrolled) if x):
        out.append({"measure": "participants", "value": n, "unit": "participants", "quantity": "sample-size",
                    "low": n, "high": n, "study": study.key, "short": short, "measure_features": frozenset()})  # fmt: skip
    return out


def _claim_payload(claim: Any, studies: list[tuple[Any, str]]) -> dict[str, Any]:
    """The claim as a fact-check match reports it (the claims list's summary, ``claim_summary``),
    plus what its ClaimReview and flags need."""
    return claim_summary(claim) | {
        "kind": claim.kind,
        "appearances": claim.appearances,
        "study_keys": [study.key for study, _ in studies],
        "citations": [
            {"key": study.key, "doi": study.doi, "url": doi_url(study.doi) or study.url, "short": short}
            for study, short in studies
        ],
    }


def get_index(store: Store) -> Index:
    return store.pinned("factcheck-index", lambda: build_index(store))
