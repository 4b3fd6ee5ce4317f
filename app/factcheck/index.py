"""The fact-check index: each claim's features, required features, typed figures and text vectors.

Compiled once per build generation (``indexbuild``: in full, or updated from the previous
build's index for the claims an incremental build changed; from the claims, their evidence
figures and studies, and data/concepts.yaml), stored as arrays in one file per generation and
memory-mapped by every worker of the host (``indexfile``; ``get_index`` pins it in the store):

- ``texts``: the features of the statement and of each curated phrasing (``analyzer``);
- ``core``: the features at least half of those texts share (what any way of making the claim
  mentions); ``postings`` maps each core feature to its claims, so finding candidates costs in
  proportion to the candidates, not to the size of the knowledge base;
- ``required``: per kind (activity, body or topic, outcome), the claim's concepts of that kind; a
  post unit must mention one of each kind the core has (the *gates*, ``scoring.passes_gates``);
  and "backward" or "forward" when the core has it (a comparison with walking forward);
- ``figures``: the evidence figures typed by quantity (``figures.evidence_quantity``) and the
  studies' sample sizes;
- ``vectors``: one unit vector per claim text (``embed``), rows ``text_rows[claim]``.

Representation (``Index``): features and claims are numbered (features in the order of their
names); every per-claim set (core, all features, each gate's concepts, each text's features) is a
``arrays.Ragged`` of feature numbers, postings a ``Ragged`` of claim numbers, idf and weights
float arrays, the vectors one float32 matrix, and what a match reports (the claim's summary,
citations, figures, misreadings) one JSON document per claim (zlib), decoded only for the claims
a post matches. ``profiles[claim_id]`` rebuilds a claim's ``ClaimProfile`` from them on demand;
the features of its figures' measures and of its misreadings are found then, with the index's
analyzer (``aux_features``: they depend on the whole vocabulary, see ``indexbuild``).
"""

from __future__ import annotations

import functools
import json
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from app.factcheck.analyzer import Analyzer, ConceptDef
from app.factcheck.arrays import Chunks, Ragged, StringTable, segment_max
from app.factcheck.embed import Encoder, Vectors, get_encoder
from app.factcheck.figures import Figure

CORE_SHARE = 0.5  # a feature in at least half of a claim's texts is part of its core
MATCH_KINDS = frozenset({"activity", "body", "outcome", "topic", "word"})
GATE_KINDS = {"activity": ("activity",), "subject": ("body", "topic"), "outcome": ("outcome",)}
BACKWARD = "backward"  # the concept a backward-locomotion claim cannot do without
# Walking the usual way: a claim whose core sets backward against it ("improves VO2 max more than
# walking forward") needs a post that makes that comparison (``scoring.gated``)
FORWARD = "forward"
# The two gaits of backward locomotion. A claim is about one (running in the knee-force claim,
# walking in most), but posts pass it on with the other ("walking backwards takes stress off the
# knees" for the backward-running studies): for the core either gait stands for the other, and the
# ``activity-mismatch`` flag says which one the claim is about (``flags.activity_flags``). In 5-fold CV by site on
# the development part (2026-12-01, 1,067 passages) this raised single / multi / figure flags from
# 55.5 / 53.4 / 72.4% to 56.2 / 54.4 / 75.9%, silence unchanged (92.3%).
GAITS = frozenset({"walking", "running"})
GATES = (*GATE_KINDS, BACKWARD, FORWARD)  # every name ``ClaimProfile.required`` may hold
FORMAT = 2  # bump when what the arrays mean changes (files of another format are rebuilt)
AUX_MEMO = 4096  # features of figure and misreading texts kept per index (``Index.aux_features``)


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
    # The misreadings' result figures, each with its misreading (``flags._misreading_results``):
    # read from their texts once per profile, not again for each check of each match.
    misreading_results: list[tuple[Figure, dict[str, Any]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )


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
    for direction in (BACKWARD, FORWARD):
        if direction in core:
            out[direction] = frozenset({direction})
    return out


def conditions(concepts: Iterable[ConceptDef]) -> frozenset[str]:
    """The topics that are conditions: those sharing a term with a population of patients
    (data/concepts.yaml: "runner's knee", "stroke", "surgery"), not a setting or a piece of advice
    ("handrails", "start slow", "mileage"). A condition a unit names stands for the outcome of a
    claim about it (``scoring.named_conditions``)."""
    concepts = list(concepts)
    patients = {
        t.lower() for c in concepts if c.kind == "population" and c.group == "patients" for t in c.terms
    }
    return frozenset(
        c.id for c in concepts if c.kind == "topic" and any(t.lower() in patients for t in c.terms)
    )


# --- compiling (``indexbuild``) ---------------------------------------------------------------------


def build_index(store: Any) -> Index:
    """The index of the store's current build, compiled in memory (no file: scripts and tests)."""
    from app.factcheck.indexbuild import compile_index

    with store.db.session() as session:
        meta, arrays = compile_index(session)
    return Index(meta, arrays)


# --- serving from the arrays ----------------------------------------------------------------------


class Index:
    """The fact-check index of one build, over arrays (in memory, or memory-mapped from the file
    ``indexfile`` wrote). Claims and features are numbered (``claim_pos``, ``feature_id``)."""

    def __init__(
        self,
        meta: dict[str, Any],
        arrays: Mapping[str, npt.NDArray[Any] | Chunks],
        encoder: Encoder | None = None,
    ):
        """``arrays``: the file's (``indexfile.read``) or ``indexbuild``'s (``Chunks`` are joined)."""
        self.meta = meta
        self.arrays = {k: v.join() if isinstance(v, Chunks) else v for k, v in arrays.items()}
        arrays = self.arrays
        self.generation: str | None = meta.get("generation")
        self.encoder = encoder or get_encoder()
        self.feature_names: list[str] = list(StringTable(arrays["feature_names"], arrays["feature_names_at"]))
        self.feature_id = {f: i for i, f in enumerate(self.feature_names)}
        self.idf_array: npt.NDArray[np.float64] = arrays["idf"]
        self.idf: dict[str, float] = dict(zip(self.feature_names, self.idf_array.tolist(), strict=True))
        self.claim_order: list[str] = list(StringTable(arrays["claim_ids"], arrays["claim_ids_at"]))
        self.claim_pos = {c: i for i, c in enumerate(self.claim_order)}
        self.docs = StringTable(arrays["docs"], arrays["docs_at"])
        self.core = self._ragged("core")
        self.features = self._ragged("features")
        self.text_features = self._ragged("text_features")
        self.postings = self._ragged("postings")
        self.gates = {g: self._ragged(f"gate_{g}") for g in meta["gates"]}
        self.core_weight: npt.NDArray[np.float64] = arrays["core_weight"]
        self.text_weight: npt.NDArray[np.float64] = arrays["text_weight"]
        self.text_ptr: npt.NDArray[np.int64] = arrays["text_ptr"]
        self.text_owner = arrays["text_owner"]
        self.claim_texts = Ragged(self.text_ptr, self.text_ptr[:0])  # rows only (``gather``)
        self.vectors: Vectors = arrays["vectors"]
        self.texts = StringTable(arrays["texts"], arrays["texts_at"])
        concepts = [ConceptDef(i, k, tuple(t), g, label) for i, k, t, g, label in meta["concepts"]]
        # The claims' words: the analyzer folds and keeps them as it did from the claims' texts.
        self.analyzer = Analyzer(concepts, vocabulary=meta["vocabulary"], lexicon=self.encoder.vocabulary())
        self.outcomes = frozenset(c for c in self.analyzer.concepts if self.analyzer.kind(c) == "outcome")
        self.conditions = conditions(concepts)
        by_id = {c.id: c for c in concepts}
        #: language code -> the concepts with their terms in that language (``language.analyzer``)
        self.translations: dict[str, list[ConceptDef]] = {
            lang: [ConceptDef(i, by_id[i].kind, tuple(t), by_id[i].group, by_id[i].label) for i, t in found]
            for lang, found in meta.get("translations", {}).items()
        }
        self.text_rows = _TextRows(self)
        self.profiles = _Profiles(self)
        self._aux: dict[str, frozenset[str]] = {}
        #: (weights, has, table): the score models' learned weights over this index's numbering
        #: (``scoring._learned_table``)
        self.learned_tables: list[tuple[Any, Any, Any]] = []

    @functools.cached_property
    def claims_with(self) -> npt.NDArray[np.int64]:
        """How many claims have each feature (indexed by ``feature_id``) among their features."""
        return np.bincount(
            np.asarray(self.arrays["features_ids"], dtype=np.int64), minlength=len(self.feature_names)
        )

    def _ragged(self, name: str) -> Ragged:
        return Ragged(self.arrays[f"{name}_ptr"], self.arrays[f"{name}_ids"])

    def __len__(self) -> int:
        return len(self.claim_order)

    def mask(self, features: Iterable[str]) -> npt.NDArray[np.bool_]:
        """A bool per feature number: set for those of ``features`` any claim has."""
        out = np.zeros(len(self.feature_names), dtype=np.bool_)
        ids = [i for i in map(self.feature_id.get, features) if i is not None]
        out[ids] = True
        return out

    def hits(self, mask: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(claim numbers, how many of their core features are in ``mask``), for every claim with
        at least one, in claim order; through the postings (cost: the postings read)."""
        features = np.flatnonzero(mask)
        positions, _ = self.postings.gather(features)
        claims, counts = np.unique(self.postings.ids[positions], return_counts=True)
        return claims.astype(np.int64), counts.astype(np.int64)

    def cosine_table(self, claims: npt.NDArray[np.int64], vectors: Vectors, chunk: int = 4096) -> Vectors:
        """(claims, len(vectors)): per claim and vector (unit length), the cosine with the claim's
        nearest text; one matrix product per ``chunk`` claims (bounded memory)."""
        out = np.empty((len(claims), len(vectors)), dtype=np.float32)
        for start in range(0, len(claims), chunk):
            part = claims[start : start + chunk]
            positions, _ = self.claim_texts.gather(part)
            out[start : start + len(part)] = segment_max(
                self.vectors[positions] @ vectors.T, self.claim_texts.sizes(part)
            )
        return out

    def best_text(
        self, claims: npt.NDArray[np.int64], weights: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """Per claim: the largest share (by ``text_weight``) of one of its texts that ``weights``
        (per feature) covers; texts without features count 0."""
        texts, _ = self.claim_texts.gather(claims)
        covered = self.text_features.sums(texts, weights)
        total = self.text_weight[texts]
        share = np.divide(covered, total, out=np.zeros_like(covered), where=total > 0)
        return segment_max(share, self.claim_texts.sizes(claims))

    def names(self, ids: Iterable[int]) -> frozenset[str]:
        return frozenset(self.feature_names[i] for i in ids)

    def aux_features(self, text: str) -> frozenset[str]:
        """``match_features`` of a text that is not a claim text (a figure's measure, a
        misreading), with this index's analyzer: its words are repaired towards the vocabulary."""
        found = self._aux.get(text)
        if found is None:
            found = match_features(self.analyzer, text)
            if len(self._aux) >= AUX_MEMO:
                self._aux = {}
            self._aux[text] = found
        return found

    def profile_at(self, pos: int) -> ClaimProfile:
        """The claim's ``ClaimProfile``, rebuilt from the arrays and its JSON document."""
        doc = json.loads(zlib.decompress(self.docs.raw(pos)))
        figures = []
        for f in doc["figures"]:
            about = f.pop("about", None)  # typed figures: what they measure (``indexbuild``)
            measured = self.aux_features(about) - {"w:particip"} if about is not None else frozenset()
            figures.append({**f, "measure_features": measured})
        misreadings = [
            (m, [self.aux_features(t) for t in (m["claimed"], *m.get("phrasings", []))])
            for m in doc["misreadings"]
        ]
        texts = [
            self.names(self.text_features.row(t)) for t in range(self.text_ptr[pos], self.text_ptr[pos + 1])
        ]
        weights = self.text_weight[self.text_ptr[pos] : self.text_ptr[pos + 1]].tolist()
        return ClaimProfile(
            self.claim_order[pos],
            texts,
            self.names(self.core.row(pos)),
            self.names(self.features.row(pos)),
            {g: self.names(self.gates[g].row(pos)) for g in doc["has"]},
            doc["tested_in"],
            figures,
            misreadings,
            [(t, w) for t, w in zip(texts, weights, strict=True) if t],
            float(self.core_weight[pos]),
            doc["claim"],
        )


class _Profiles(Mapping[str, ClaimProfile]):
    """``index.profiles[claim_id]``: profiles rebuilt on demand, the last few hundred kept."""

    SIZE = 512

    def __init__(self, index: Index) -> None:
        self.index = index
        self._kept: dict[str, ClaimProfile] = {}
        self._lock = threading.Lock()

    def __getitem__(self, claim_id: str) -> ClaimProfile:
        found = self._kept.get(claim_id)
        if found is None:
            found = self.index.profile_at(self.index.claim_pos[claim_id])
            with self._lock:
                if len(self._kept) >= self.SIZE:
                    self._kept.pop(next(iter(self._kept)))
                self._kept[claim_id] = found
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.index.claim_order)

    def __len__(self) -> int:
        return len(self.index.claim_order)


class _TextRows(Mapping[str, tuple[int, int]]):
    """``index.text_rows[claim_id]``: the [start, end) rows of the claim's texts in ``vectors``."""

    def __init__(self, index: Index) -> None:
        self.index = index

    def __getitem__(self, claim_id: str) -> tuple[int, int]:
        pos = self.index.claim_pos[claim_id]
        return int(self.index.text_ptr[pos]), int(self.index.text_ptr[pos + 1])

    def __iter__(self) -> Iterator[str]:
        return iter(self.index.claim_order)

    def __len__(self) -> int:
        return len(self.index.claim_order)


def get_index(store: Any) -> Index:
    """The current build's index: memory-mapped from its file (``indexfile``), which is written
    first when missing, stale or unreadable; pinned in the store until the next build."""
    from app.factcheck import indexfile

    return store.pinned("factcheck-index", lambda: indexfile.load_or_build(store))  # type: ignore[no-any-return]
