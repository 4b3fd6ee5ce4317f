"""The fact-check index: each claim's features, required features, typed figures and text vectors.

Compiled once per build generation (``compile_index``, from the claims, their evidence figures and
studies, and data/concepts.yaml), stored as arrays in one file per generation and memory-mapped by
every worker of the host (``indexfile``; ``get_index`` pins it in the store):

- ``texts``: the features of the statement and of each curated phrasing (``analyzer``);
- ``core``: the features at least half of those texts share (what any way of making the claim
  mentions); ``postings`` maps each core feature to its claims, so finding candidates costs in
  proportion to the candidates, not to the size of the knowledge base;
- ``required``: per kind (activity, body or topic, outcome), the claim's concepts of that kind; a
  post unit must mention one of each kind the core has (the *gates*, ``scoring.passes_gates``);
- ``figures``: the evidence figures typed by quantity (``figures.evidence_quantity``) and the
  studies' sample sizes;
- ``vectors``: one unit vector per claim text (``embed``), rows ``text_rows[claim]``.

Representation (``Index``): features and claims are numbered; every per-claim set (core, all
features, each gate's concepts, each text's features) is a ``arrays.Ragged`` of feature numbers,
postings a ``Ragged`` of claim numbers, idf and weights float arrays, the vectors one float32
matrix, and what a match reports (the claim's summary, citations, figures, misreadings) one JSON
document per claim (zlib), decoded only for the claims a post matches. ``profiles[claim_id]`` rebuilds a
claim's ``ClaimProfile`` from them on demand (the same values ``_profile`` computed).
"""

from __future__ import annotations

import json
import math
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlmodel import Session, col, select

from app.bibfields import doi_url
from app.documents import claim_summary, short_citation
from app.factcheck.analyzer import Analyzer, ConceptDef
from app.factcheck.arrays import Ragged, StringTable, segment_max
from app.factcheck.embed import Encoder, Vectors, get_encoder
from app.factcheck.figures import evidence_quantity
from app.models import BuildInfo, Claim, Concept, Evidence, Study

CORE_SHARE = 0.5  # a feature in at least half of a claim's texts is part of its core
MATCH_KINDS = frozenset({"activity", "body", "outcome", "topic", "word"})
GATE_KINDS = {"activity": ("activity",), "subject": ("body", "topic"), "outcome": ("outcome",)}
BACKWARD = "backward"  # the concept a backward-locomotion claim cannot do without
GATES = (*GATE_KINDS, "backward")  # every name ``ClaimProfile.required`` may hold
FORMAT = 1  # bump when what the arrays mean changes (files of another format are rebuilt)


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


# --- compiling the index from a build's tables -----------------------------------------------------


def read_generation(session: Session) -> str | None:
    """The generation of the build ``session`` reads (None: no build yet)."""
    info = session.get(BuildInfo, 1)
    return info.generation if info else None


def compile_index(
    session: Session, keep: list[ClaimProfile] | None = None
) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
    """(meta, arrays) of the index of the build ``session`` reads: what ``Index`` serves from and
    ``indexfile`` stores. Memory: the arrays, plus one claim's profile at a time (``keep``: a list
    that receives every profile, for tests)."""
    concepts = session.exec(select(Concept)).all()
    # Only the columns needed: whole rows (with every JSON column) cost seconds at scale.
    claims: list[Any] = session.exec(  # type: ignore[assignment]
        select(  # type: ignore[call-overload]
            Claim.id, Claim.kind, Claim.statement, Claim.phrasings, Claim.tested_in, Claim.verdict, Claim.grade_level,
            Claim.grade_reasons, Claim.calibrated, Claim.summary, Claim.reviewed, Claim.appearances,
            Claim.population, Claim.topics, Claim.study_count, Claim.participants, Claim.participants_unknown,
        ).order_by(col(Claim.position))
    ).all()  # fmt: skip
    links: list[Any] = session.exec(  # type: ignore[assignment]
        select(Evidence.claim_id, Evidence.study_key, Evidence.figures, Evidence.misreading).order_by(
            col(Evidence.position)
        )
    ).all()
    studies: dict[str, Any] = {
        row.key: row  # type: ignore[attr-defined]
        for row in session.exec(
            select(  # type: ignore[call-overload,misc]
                Study.key, Study.title, Study.authors, Study.year, Study.container, Study.sample_size,
                Study.enrolled, Study.doi, Study.url,
            )
        ).all()
    }  # fmt: skip
    generation = read_generation(session)
    encoder = get_encoder()
    concept_defs = [ConceptDef(c.id, c.kind, tuple(c.terms), c.group, c.label) for c in concepts]
    all_texts = [t for c in claims for t in (c.statement, *c.phrasings)]
    analyzer = Analyzer(concept_defs, vocabulary=dict.fromkeys(all_texts), lexicon=encoder.vocabulary())
    by_claim: dict[str, list[tuple[Any, Any]]] = {}
    for link in links:
        by_claim.setdefault(link.claim_id, []).append((link, studies[link.study_key]))
    shorts: dict[str, str] = {}
    memo: dict[str, frozenset[str]] = {}  # generated and real claims repeat their phrasings

    def features_of(text: str) -> frozenset[str]:
        found = memo.get(text)
        if found is None:
            found = memo[text] = match_features(analyzer, text)
        return found

    packer = _Packer()
    for claim in claims:
        profile = _profile(analyzer, claim, by_claim.get(claim.id, []), shorts, features_of)
        packer.add(profile)
        if keep is not None:
            keep.append(profile)
    unique = list(dict.fromkeys(all_texts))  # encoded once each (a row's vector depends on its text only)
    row_of = {t: i for i, t in enumerate(unique)}
    vectors = encoder.encode(unique)[np.asarray([row_of[t] for t in all_texts], dtype=np.int64)]
    meta, arrays = packer.finish(vectors)
    meta |= {
        "generation": generation,
        "concepts": [[c.id, c.kind, list(c.terms), c.group, c.label] for c in concept_defs],
        # language code -> [concept id, terms in that language] (concepts.yaml translations)
        "translations": {
            lang: [
                [c.id, list(terms)]
                for c in concepts
                for code, terms in (c.translations or {}).items()
                if code == lang
            ]
            for lang in sorted({code for c in concepts for code in (c.translations or {})})
        },
        "vocabulary": sorted(analyzer.vocabulary),
    }
    blob, offsets = StringTable.pack(all_texts)
    arrays |= {"texts": blob, "texts_at": offsets}
    return meta, arrays


class _Packer:
    """Numbers features and claims and turns profiles into the arrays ``Index`` reads."""

    def __init__(self) -> None:
        self.feature_ids: dict[str, int] = {}
        self.claim_ids: list[str] = []
        self.core: list[list[int]] = []
        self.features: list[list[int]] = []
        self.text_features: list[list[int]] = []
        self.text_ptr = [0]
        self.gates: dict[str, list[list[int]]] = {g: [] for g in GATES}
        self.docs: list[bytes] = []
        self.doc_freq: dict[int, int] = {}

    def ids(self, features: Iterable[str]) -> list[int]:
        out = []
        for f in sorted(features):
            i = self.feature_ids.get(f)
            if i is None:
                i = self.feature_ids[f] = len(self.feature_ids)
            out.append(i)
        return sorted(out)

    def add(self, p: ClaimProfile) -> None:
        unknown = set(p.required) - set(GATES)
        if unknown:
            raise ValueError(f"claim {p.id}: gates {sorted(unknown)} are not in index.GATES")
        self.claim_ids.append(p.id)
        self.core.append(self.ids(p.core))
        features = self.ids(p.features)
        self.features.append(features)
        for i in features:
            self.doc_freq[i] = self.doc_freq.get(i, 0) + 1
        self.text_features.extend(self.ids(t) for t in p.texts)
        self.text_ptr.append(len(self.text_features))
        for gate, rows in self.gates.items():
            rows.append(self.ids(p.required.get(gate, ())))
        doc = {
            "claim": p.claim,
            "tested_in": p.tested_in,
            "figures": [{**f, "measure_features": sorted(f["measure_features"])} for f in p.figures],
            "misreadings": [[m, [sorted(t) for t in texts]] for m, texts in p.misreadings],
            "has": sorted(p.required),  # gates present (a gate's concept set is never empty)
        }
        self.docs.append(
            zlib.compress(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(), 6)
        )

    def finish(self, vectors: Vectors) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
        n = max(1, len(self.claim_ids))
        names = sorted(self.feature_ids, key=self.feature_ids.__getitem__)
        # Rarer features say more about which claim a post makes (inverse document frequency).
        idf = np.asarray(
            [math.log(1 + n / self.doc_freq.get(i, 1)) for i in range(len(names))], dtype=np.float64
        )
        core = Ragged.build(self.core)
        texts = Ragged.build(self.text_features)
        every = np.arange(len(self.claim_ids), dtype=np.int64)
        postings: list[list[int]] = [[] for _ in names]
        for claim, row in enumerate(self.core):
            for f in row:
                postings[f].append(claim)
        text_ptr = np.asarray(self.text_ptr, dtype=np.int64)
        owner = np.repeat(every.astype(np.int32), np.diff(text_ptr))
        arrays: dict[str, npt.NDArray[Any]] = {
            "idf": idf,
            "core_weight": core.sums(every, idf),
            "text_weight": texts.sums(np.arange(len(texts), dtype=np.int64), idf),
            "text_ptr": text_ptr,
            "text_owner": owner,
            "vectors": np.ascontiguousarray(vectors, dtype=np.float32),
        }
        for name, ragged in (("core", core), ("features", Ragged.build(self.features)), ("text_features", texts),
                             ("postings", Ragged.build(postings)),
                             *((f"gate_{g}", Ragged.build(rows)) for g, rows in self.gates.items())):  # fmt: skip
            arrays[f"{name}_ptr"], arrays[f"{name}_ids"] = ragged.ptr, ragged.ids
        for name, strings in (("feature_names", names), ("claim_ids", self.claim_ids), ("docs", self.docs)):
            arrays[name], arrays[f"{name}_at"] = StringTable.pack(strings)
        return {"format": FORMAT, "gates": list(GATES), "claims": len(self.claim_ids)}, arrays


def build_index(store: Any) -> Index:
    """The index of the store's current build, compiled in memory (no file: scripts and tests)."""
    with store.db.session() as session:
        meta, arrays = compile_index(session)
    return Index(meta, arrays)


# --- serving from the arrays ----------------------------------------------------------------------


class Index:
    """The fact-check index of one build, over arrays (in memory, or memory-mapped from the file
    ``indexfile`` wrote). Claims and features are numbered (``claim_pos``, ``feature_id``)."""

    def __init__(
        self, meta: dict[str, Any], arrays: Mapping[str, npt.NDArray[Any]], encoder: Encoder | None = None
    ):
        self.meta = meta
        self.arrays = arrays
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
        by_id = {c.id: c for c in concepts}
        #: language code -> the concepts with their terms in that language (``language.analyzer``)
        self.translations: dict[str, list[ConceptDef]] = {
            lang: [ConceptDef(i, by_id[i].kind, tuple(t), by_id[i].group, by_id[i].label) for i, t in found]
            for lang, found in meta.get("translations", {}).items()
        }
        self.text_rows = _TextRows(self)
        self.profiles = _Profiles(self)

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

    def profile_at(self, pos: int) -> ClaimProfile:
        """The claim's ``ClaimProfile``, rebuilt from the arrays and its JSON document."""
        doc = json.loads(zlib.decompress(self.docs.raw(pos)))
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
            [{**f, "measure_features": frozenset(f["measure_features"])} for f in doc["figures"]],
            [(m, [frozenset(t) for t in ts]) for m, ts in doc["misreadings"]],
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


def _profile(
    analyzer: Analyzer,
    claim: Any,
    links: list[tuple[Any, Any]],
    shorts: dict[str, str],
    features_of: Callable[[str], frozenset[str]] | None = None,
) -> ClaimProfile:
    """``features_of``: ``match_features`` with the analyzer bound (memoised while compiling)."""
    features_of = features_of or (lambda text: match_features(analyzer, text))
    texts = [features_of(t) for t in (claim.statement, *claim.phrasings)]
    core = _core(texts)
    features = frozenset().union(*texts)
    figures: list[dict[str, Any]] = []
    misreadings = []
    for link, study in links:
        short = shorts.get(study.key) or shorts.setdefault(study.key, short_citation(study))
        figures.extend(_typed_figures(features_of, link.figures, study, short))
        if link.misreading:
            m = link.misreading
            m_texts = [features_of(t) for t in (m["claimed"], *m.get("phrasings", []))]
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
    features_of: Callable[[str], frozenset[str]], figures: list[dict[str, Any]], study: Any, short: str
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
                    "short": short, "measure_features": features_of(about) - {"w:particip"}})  # fmt: skip
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


def get_index(store: Any) -> Index:
    """The current build's index: memory-mapped from its file (``indexfile``), which is written
    first when missing, stale or unreadable; pinned in the store until the next build."""
    from app.factcheck import indexfile

    return store.pinned("factcheck-index", lambda: indexfile.load_or_build(store))  # type: ignore[no-any-return]
