"""Compiling the fact-check index: the arrays ``index.Index`` serves and ``indexfile`` stores.

Two ways, with the same result (tests/test_factcheck_update.py builds both and compares every
array):

- ``compile_index``: every claim. The vocabulary first (the words of every claim text, read
  alone), then ``SLICE`` claims at a time: each slice's records are read from the database (its
  claims, their evidence links, the studies they cite), analysed, encoded and packed (``Pack``),
  then dropped: memory holds one slice's records plus the packed arrays.
- ``update_index``: after an incremental build, from the previous build's index (its file, read
  by ``indexfile``): the claims the build added or read again (``Changes.claims``) are compiled as
  above; every other claim's rows are copied from the previous index (its vectors are not even
  read into memory: they go from the old file's map to the new file); removed claims are left
  out. It refuses (``Stale``, with the reason; the caller then compiles in full) when the concepts
  or the index's format changed.

Why copying is exact: a claim's rows depend on its own records, the concepts and, through
one narrow path, the vocabulary (the words of every claim text).
- An analyzer repairs (splits, corrects) only a word that is not in its vocabulary. Every word
  of a claim text is in the vocabulary, except a glued hashtag ("#kneepainrelief", which is
  split like the same hashtag in a post); so a claim's features depend on the other claims only
  through its glued hashtags. Each claim keeps the ones an analyzer may repair
  (``analyzer.repairable``: the "hashtags" table); when the vocabulary changes, the claims whose
  hashtags could be split or corrected otherwise (``analyzer.repair_depends_on``: a word that
  came or went is the hashtag, a piece of it, or one edit away) are compiled again too.
- The document (what a match reports) holds the claim's record, its studies' citations and
  figures, and the misreadings, but not the features of the figures' measures or of the
  misreadings: those texts are not claim texts, so their words may be repaired towards any
  claim's. ``Index.profile_at`` finds them when a profile is read, with the index's analyzer
  (the one that reads posts), as the compiler did before.

What depends on every claim is computed again from the rows each time, with array operations:
the feature numbers (the names in sorted order), idf and the weights, the postings, and the
vocabulary (``vocabulary_count``: how many claim texts use each word, so that an update takes
out the words of the claims it drops and adds those of the claims it compiles without reading
the others).
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlmodel import Session, col, select

from app import grading
from app.bibfields import doi_url
from app.documents import claim_summary, short_citation
from app.factcheck.analyzer import (
    Analyzer,
    ConceptDef,
    Features,
    repair_depends_on,
    repairable,
    vocabulary_words,
    whole_hashtags,
)
from app.factcheck.arrays import Chunks, Ints, Piece, Ragged, Spill, StringTable
from app.factcheck.embed import Encoder, Vectors, get_encoder
from app.factcheck.figures import DURATIONS, evidence_quantity, post_figures
from app.factcheck.index import FORMAT, GATES, MATCH_KINDS, _core, _required
from app.models import BuildInfo, Claim, Concept, Evidence, Study
from app.store import study_suffixes

SLICE = 1000  # claims read, analysed and encoded at a time
CHUNK = 5000  # values per ``IN (...)`` list
CLAIM_COLUMNS = (
    Claim.id, Claim.kind, Claim.statement, Claim.subject, Claim.phrasings, Claim.tested_in, Claim.verdict, Claim.grade_level,
    Claim.grade_reasons, Claim.calibrated, Claim.summary, Claim.reviewed, Claim.appearances,
    Claim.population, Claim.topics, Claim.study_count, Claim.participants, Claim.participants_unknown,
)  # fmt: skip
STUDY_COLUMNS = (
    Study.key, Study.title, Study.authors, Study.year, Study.container, Study.sample_size, Study.enrolled,
    Study.groups, Study.studies_included, Study.design, Study.duration, Study.doi, Study.url,
)  # fmt: skip
#: Per-claim sets, in feature numbers (``Index``): the claim's core and features, each gate's concepts.
CLAIM_SETS = ("core", "features", *(f"gate_{g}" for g in GATES))

Arrays = dict[str, Any]  # name -> numpy array, or ``Chunks`` (the vectors: written piece by piece)


@dataclass(frozen=True)
class Changes:
    """What an incremental build changed, for ``update_index``."""

    generation: str  # the previous build's (its index file is the one updated)
    claims: frozenset[str]  # ids of the claims added or read again: their rows are compiled


class Stale(Exception):
    """The previous index cannot be updated (the message says why): compile in full."""


def read_generation(session: Session) -> str | None:
    """The generation of the build ``session`` reads (None: no build yet)."""
    info = session.get(BuildInfo, 1)
    return info.generation if info else None


# --- one claim's rows ------------------------------------------------------------------------------


@dataclass
class ClaimRow:
    """What one claim contributes to the index (``_PackBuilder.add``)."""

    id: str
    texts: list[str]  # statement, then each phrasing
    text_features: list[frozenset[str]]
    core: frozenset[str]
    features: frozenset[str]
    required: dict[str, frozenset[str]]  # gate -> concepts (``index._required``)
    doc: dict[str, Any]  # what a match reports (``Index.profile_at`` reads it back)


def claim_row(
    analyzer: Analyzer,
    claim: Any,
    links: list[tuple[Any, Any]],
    shorts: dict[str, str],
    features_of: Callable[[str], Features],
) -> ClaimRow:
    """The rows of ``claim`` (its columns ``CLAIM_COLUMNS``), ``links``: its (evidence link,
    study) pairs in order; ``analyzer``: with the index's vocabulary; ``shorts``: study key ->
    short citation, filled as studies come; ``features_of``: ``analyzer.features``, memoised by
    the caller."""
    texts = texts_of(claim)
    text_features = [_match(analyzer, features_of(t)) for t in texts]
    core = _core(text_features)
    features = frozenset().union(*text_features)
    required = _required(analyzer, core, features)
    unknown = set(required) - set(GATES)
    if unknown:
        raise ValueError(f"claim {claim.id}: gates {sorted(unknown)} are not in index.GATES")
    figures: list[dict[str, Any]] = []
    misreadings = []
    for link, study in links:
        short = shorts.get(study.key) or shorts.setdefault(study.key, short_citation(study))
        figures.extend(_typed_figures(link.figures, study, short))
        if link.misreading:
            misreadings.append({**link.misreading, "study": study.key, "short": short})
    doc = {
        "claim": _claim_payload(claim, [(study, shorts[study.key]) for _, study in links]),
        "tested_in": list(claim.tested_in),
        "figures": figures,
        "misreadings": misreadings,
        "has": sorted(required),  # gates present (a gate's concept set is never empty)
    }
    return ClaimRow(claim.id, texts, text_features, core, features, required, doc)


def _match(analyzer: Analyzer, found: Features) -> frozenset[str]:
    return frozenset(f for f in found.spans if analyzer.kind(f) in MATCH_KINDS)


def _typed_figures(figures: list[dict[str, Any]], study: Any, short: str) -> list[dict[str, Any]]:
    """The figures of one evidence link that posts can state, typed, plus the study's sample sizes.

    Each: the recorded fields, ``quantity``, ``low``/``high`` in the quantity's unit, ``study``,
    ``short``; the typed ones also ``about``, the text whose features say what the figure
    measures (``Index.profile_at`` turns it into ``measure_features``)."""
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
                    "short": short, "about": about})  # fmt: skip
    # A post's count of people is held to every count the study reports: those analysed, those
    # enrolled, and each of its groups ("13 young women" of Terblanche 2005's 13 trained of 26);
    # each says the study's sample as its page does (``grading.sample_text``: "27 participants (29
    # enrolled)"), whichever count is the closest to the post's.
    counts = (study.sample_size, study.enrolled, *(g["n"] for g in study.groups or ()))
    shown = grading.sample_text(
        {"sample_size": study.sample_size, "enrolled": study.enrolled, "groups": study.groups,
         "studies_included": study.studies_included, "design": study.design},
        enrolled=True,
    )  # fmt: skip
    # A review's count is the total it pools over its studies (``pooled``): a post's "a trial of 500"
    # is not held to it, only a post that speaks of a review (``flags.pooled_sample``).
    pooled = bool(study.studies_included) or study.design in grading.REVIEW_DESIGNS
    for n in dict.fromkeys(x for x in counts if x):
        out.append({"measure": "participants", "value": n, "unit": "participants", "quantity": "sample-size",
                    "low": n, "high": n, "study": study.key, "short": short, "shown": shown,
                    "pooled": pooled})  # fmt: skip
    # A post's length of a programme is held to the study's ("6 weeks", "10 weeks (5-week run-in,
    # 5-week training)", "2-4 weeks of treatment": each length its ``duration`` field gives, in days)
    # (not what a bracket adds: "3 weeks (assessed at baseline, 1 week and 3 weeks)")
    for length in post_figures(re.sub(r"\([^)]*\)", " ", study.duration or ""), DURATIONS):
        if length.quantity == "duration-program":
            high = length.high if length.high is not None else length.value
            out.append({"measure": "programme length", "value": length.value, "unit": "days",
                        "quantity": "duration-program", "low": length.value, "high": high, "study": study.key,
                        "short": short, "shown": length.text})  # fmt: skip
    return out


def _claim_payload(claim: Any, studies: list[tuple[Any, str]]) -> dict[str, Any]:
    """The claim as a fact-check match reports it (the claims list's summary, ``claim_summary``),
    plus what its ClaimReview and flags need. ``studies``: (study, short citation) of each
    evidence link, in order; a study several links cite is cited once, where it first comes."""
    first: dict[str, tuple[Any, str]] = {}
    for study, short in studies:
        first.setdefault(study.key, (study, short))
    studies = list(first.values())
    return claim_summary(claim) | {
        "kind": claim.kind,
        "subject": claim.subject,  # the activity the studies used (``flags.activity_flags``)
        "appearances": claim.appearances,
        "study_keys": [study.key for study, _ in studies],
        "citations": [
            {"key": study.key, "doi": study.doi, "url": doi_url(study.doi) or study.url, "short": short}
            for study, short in studies
        ],
    }


def texts_of(claim: Any) -> list[str]:
    """The claim's texts: its statement, then each phrasing."""
    return [claim.statement, *claim.phrasings]


def hashtags(texts: Iterable[str], lexicon: frozenset[str]) -> str:
    """The glued hashtags of a claim's texts that an analyzer may repair, sorted, space-separated."""
    return " ".join(sorted({h for t in texts for h in whole_hashtags(t) if repairable(h, lexicon)}))


# --- packs: rows of claims in their own feature numbering --------------------------------------------


@dataclass
class Pack:
    """Rows of claims with their own feature numbering: a slice being compiled, or a previous
    index. ``names`` are sorted and every row's numbers ascend (so renumbering into another
    sorted list of names keeps them ascending). Strings are ``Ragged`` of UTF-8 bytes."""

    claim_ids: Ragged
    names: list[str]  # feature number -> name
    sets: dict[str, Ragged]  # ``CLAIM_SETS`` per claim; "text_features" per text
    text_ptr: Ints  # claim -> its rows of texts
    texts: Ragged
    docs: Ragged  # zlib-compressed JSON per claim
    hashtags: Ragged  # per claim (``hashtags``)
    vectors: Piece  # per text (a slice's: kept in a ``Spill``)

    @classmethod
    def of_index(cls, meta: dict[str, Any], arrays: dict[str, npt.NDArray[Any]]) -> Pack:
        """The rows of a stored index (``indexfile.read``): views of its arrays, no copies."""
        if meta.get("format") != FORMAT or list(meta.get("gates", ())) != list(GATES):
            raise Stale("the previous index has another format")
        names = list(StringTable(arrays["feature_names"], arrays["feature_names_at"]))
        if names != sorted(names):
            raise Stale("the previous index's features are not in order")
        return cls(
            Ragged(arrays["claim_ids_at"], arrays["claim_ids"]),
            names,
            {s: Ragged(arrays[f"{s}_ptr"], arrays[f"{s}_ids"]) for s in (*CLAIM_SETS, "text_features")},
            arrays["text_ptr"],
            Ragged(arrays["texts_at"], arrays["texts"]),
            Ragged(arrays["docs_at"], arrays["docs"]),
            Ragged(arrays["hashtags_at"], arrays["hashtags"]),
            arrays["vectors"],
        )

    def __len__(self) -> int:
        return len(self.claim_ids)


class _PackBuilder:
    """Collects ``ClaimRow``s (feature names) and packs them (``finish``)."""

    def __init__(self) -> None:
        self.claim_ids: list[str] = []
        self.rows: dict[str, list[list[str]]] = {s: [] for s in (*CLAIM_SETS, "text_features")}
        self.text_ptr = [0]
        self.texts: list[str] = []
        self.docs: list[bytes] = []
        self.hashtags: list[str] = []

    def add(self, row: ClaimRow, hashtags: str) -> None:
        self.claim_ids.append(row.id)
        self.hashtags.append(hashtags)
        self.rows["core"].append(sorted(row.core))
        self.rows["features"].append(sorted(row.features))
        for gate in GATES:
            self.rows[f"gate_{gate}"].append(sorted(row.required.get(gate, ())))
        self.rows["text_features"].extend(sorted(t) for t in row.text_features)
        self.texts.extend(row.texts)
        self.text_ptr.append(len(self.texts))
        doc = json.dumps(row.doc, ensure_ascii=False, separators=(",", ":")).encode()
        self.docs.append(zlib.compress(doc, 1))  # level 1: a third faster than 6, 10% larger

    def finish(self, vectors: Piece) -> Pack:
        names = sorted({f for row in self.rows["features"] for f in row})
        number = {f: i for i, f in enumerate(names)}
        sets = {s: Ragged.build([number[f] for f in row] for row in rows) for s, rows in self.rows.items()}
        return Pack(
            _bytes(self.claim_ids), names, sets, np.asarray(self.text_ptr, dtype=np.int64),
            _bytes(self.texts), _bytes(self.docs), _bytes(self.hashtags), vectors,
        )  # fmt: skip


def _bytes(strings: Sequence[str | bytes]) -> Ragged:
    blob, offsets = StringTable.pack(strings)
    return Ragged(offsets, blob)


# --- reading and compiling claims -------------------------------------------------------------------


@dataclass
class _Context:
    """What compiling claims needs besides their records (one per compile)."""

    analyzer: Analyzer  # with the index's vocabulary
    encoder: Encoder
    shorts: dict[str, str]  # study key -> short citation


def _in(session: Session, query: Any, column: Any, values: Sequence[Any]) -> Iterator[Any]:
    """The rows of ``query`` whose ``column`` is one of ``values`` (``CHUNK`` at a time)."""
    for start in range(0, len(values), CHUNK):
        yield from session.exec(query.where(col(column).in_(values[start : start + CHUNK]))).all()


Record = tuple[Any, list[tuple[Any, Any]]]  # a claim's columns, its (evidence link, study) pairs


def _read_claims(session: Session, ids: Sequence[str], shorts: dict[str, str] | None = None) -> list[Record]:
    """(claim, its (evidence link, study) pairs in order) for each id, in the order of ``ids``;
    ``shorts`` (study key -> short citation) gets the studies' labels."""
    claim_query = select(*CLAIM_COLUMNS)  # type: ignore[call-overload]
    claims = {row.id: row for row in _in(session, claim_query, Claim.id, ids)}
    links_query = select(Evidence.claim_id, Evidence.study_key, Evidence.figures, Evidence.misreading)
    links = list(_in(session, links_query.order_by(col(Evidence.position)), Evidence.claim_id, ids))
    keys = list(dict.fromkeys(link.study_key for link in links))
    study_query = select(*STUDY_COLUMNS)  # type: ignore[call-overload]
    studies = {row.key: row for row in _in(session, study_query, Study.key, keys)}
    if shorts is not None:  # the APA year letters, among all the studies of those years
        suffixes = study_suffixes(session, list(studies.values()))
        for key, row in studies.items():
            shorts.setdefault(key, short_citation(row, suffixes.get(key, "")))
    by_claim: dict[str, list[tuple[Any, Any]]] = {}
    for link in links:
        by_claim.setdefault(link.claim_id, []).append((link, studies[link.study_key]))
    return [(claims[i], by_claim.get(i, [])) for i in ids]


def _compile_claims(
    records: list[Record],
    context: _Context,
    known: tuple[Vectors, dict[str, int]] | None = None,
    spill: Spill | None = None,
) -> Pack:
    """The pack of the claims ``records`` (in that order). ``known``: vectors of texts already
    encoded, and text -> its row (copied: a text's vector depends on the text only); ``spill``:
    where the pack's vectors are kept (out of memory) until the index is written."""
    builder = _PackBuilder()
    memo: dict[str, Features] = {}  # a claim's phrasings may repeat its statement or each other
    lexicon = context.encoder.vocabulary()

    def features_of(text: str) -> Features:
        found = memo.get(text)
        if found is None:
            found = memo[text] = context.analyzer.features(text)
        return found

    for claim, links in records:
        row = claim_row(context.analyzer, claim, links, context.shorts, features_of)
        builder.add(row, hashtags(row.texts, lexicon))
    table, rows = known or (None, {})
    texts = builder.texts
    distinct = [t for t in dict.fromkeys(texts) if t not in rows]  # each text encoded once
    at = {t: i for i, t in enumerate(distinct)}
    vectors = np.empty(
        (len(texts), context.encoder.dims if table is None else table.shape[1]), dtype=np.float32
    )
    new = [i for i, t in enumerate(texts) if t in at]
    if new:
        vectors[new] = context.encoder.encode(distinct)[[at[texts[i]] for i in new]]
    copied = [i for i, t in enumerate(texts) if t not in at]
    if copied:
        vectors[copied] = table[[rows[texts[i]] for i in copied]]  # type: ignore[index]
    return builder.finish(vectors if spill is None else spill.store(vectors))


def _concepts(session: Session) -> tuple[list[ConceptDef], list[Any]]:
    concepts = list(session.exec(select(Concept)).all())
    return [ConceptDef(c.id, c.kind, tuple(c.terms), c.group, c.label) for c in concepts], concepts


def _context(defs: list[ConceptDef], counts: Counter[str]) -> _Context:
    """``counts``: vocabulary word -> claim texts that use it (``vocabulary_words``)."""
    encoder = get_encoder()
    words = [w for w, c in counts.items() if c > 0]
    return _Context(Analyzer(defs, vocabulary=words, lexicon=encoder.vocabulary()), encoder, {})


def _claim_order(session: Session) -> list[str]:
    return list(session.exec(select(Claim.id).order_by(col(Claim.position))).all())


def _count_words(counts: Counter[str], texts: Iterable[str], sign: int = 1) -> None:
    for text in texts:
        for word in vocabulary_words(text):
            counts[word] += sign


def compile_index(
    session: Session, previous: tuple[dict[str, Any], dict[str, npt.NDArray[Any]]] | None = None
) -> tuple[dict[str, Any], Arrays]:
    """(meta, arrays) of the index of the build ``session`` reads, from every claim (``SLICE``
    at a time). The vectors are ``Chunks`` (one piece per slice; ``Chunks.join`` for an array).
    ``previous``: an index of this code (``indexfile.read``) whose texts' vectors are copied
    instead of encoded (its concepts may differ: vectors depend on the text only)."""
    defs, concepts = _concepts(session)
    counts: Counter[str] = Counter()
    for statement, phrasings in session.exec(select(Claim.statement, Claim.phrasings)):
        _count_words(counts, [statement, *phrasings])
    context = _context(defs, counts)
    order = _claim_order(session)
    slices = [order[i : i + SLICE] for i in range(0, len(order), SLICE)] or [[]]
    spill = Spill()  # the vectors, slice by slice, until the file is written
    known = None
    if previous is not None:
        texts = previous[1]["texts"], previous[1]["texts_at"]
        known = previous[1]["vectors"], {t: i for i, t in enumerate(StringTable(*texts))}
    packs = [
        _compile_claims(_read_claims(session, ids, context.shorts), context, known, spill) for ids in slices
    ]
    src = np.repeat(np.arange(len(packs), dtype=np.int64), [len(p) for p in packs])
    row = np.concatenate([np.arange(len(p), dtype=np.int64) for p in packs])
    return _assemble(session, context, defs, concepts, packs, src, row, counts)


def update_index(
    session: Session, meta: dict[str, Any], arrays: dict[str, npt.NDArray[Any]], changed: Iterable[str]
) -> tuple[dict[str, Any], Arrays, int]:
    """(meta, arrays, claims compiled) of the index of the build ``session`` reads, from the
    previous build's index (``meta``, ``arrays``: ``indexfile.read``) and the claims ``changed``
    since (added or read again). Raises ``Stale`` when the previous index cannot be reused."""
    defs, concepts = _concepts(session)
    if sorted(meta.get("concepts", [])) != sorted(_concept_meta(defs)):
        raise Stale("the concepts changed")
    old = Pack.of_index(meta, arrays)
    position = {c: i for i, c in enumerate(StringTable(old.claim_ids.ids, old.claim_ids.ptr))}
    order = _claim_order(session)
    changed = set(changed)
    fresh = {c for c in order if c in changed or c not in position}
    shorts: dict[str, str] = {}
    records = dict(zip(sorted(fresh), _read_claims(session, sorted(fresh), shorts), strict=True))
    # The vocabulary: the previous counts, less the previous texts of the claims compiled again or
    # removed, plus the texts of those compiled.
    counts = Counter(dict(zip(meta["vocabulary"], arrays["vocabulary_count"].tolist(), strict=True)))
    texts = StringTable(old.texts.ids, old.texts.ptr)
    current = set(order)
    for claim_id, pos in position.items():
        if claim_id in fresh or claim_id not in current:
            _count_words(counts, texts[int(old.text_ptr[pos]) : int(old.text_ptr[pos + 1])], -1)
    for claim, _ in records.values():
        _count_words(counts, texts_of(claim))
    context = _context(defs, counts)
    context.shorts.update(shorts)
    came_or_went = set(meta["vocabulary"]) ^ context.analyzer.vocabulary
    if came_or_went:  # claims whose glued hashtags may now be split or corrected otherwise
        tags = StringTable(old.hashtags.ids, old.hashtags.ptr)
        moved = [c for c in order if c not in fresh and _depends(tags[position[c]], came_or_went)]
        records |= dict(zip(moved, _read_claims(session, moved, context.shorts), strict=True))
        fresh.update(moved)
    fresh_ids = [c for c in order if c in fresh]
    known = {  # the previous texts of the claims compiled again: their vectors are copied
        texts[t]: t
        for c in fresh_ids
        if c in position
        for t in range(int(old.text_ptr[position[c]]), int(old.text_ptr[position[c] + 1]))
    }
    pack = _compile_claims([records[c] for c in fresh_ids], context, (arrays["vectors"], known))
    fresh_at = {c: i for i, c in enumerate(fresh_ids)}
    src = np.asarray([1 if c in fresh_at else 0 for c in order], dtype=np.int64)
    row = np.asarray([fresh_at[c] if c in fresh_at else position[c] for c in order], dtype=np.int64)
    meta_out, arrays_out = _assemble(session, context, defs, concepts, [old, pack], src, row, counts)
    return meta_out, arrays_out, len(fresh_ids)


def _depends(tags: str, came_or_went: set[str]) -> bool:
    return any(repair_depends_on(tag, came_or_went) for tag in tags.split())


# --- assembling packs into the index ----------------------------------------------------------------


def _concept_meta(defs: list[ConceptDef]) -> list[list[Any]]:
    return [[c.id, c.kind, list(c.terms), c.group, c.label] for c in defs]


def _assemble(
    session: Session,
    context: _Context,
    defs: list[ConceptDef],
    concepts: list[Any],
    packs: list[Pack],
    src: Ints,
    row: Ints,
    counts: Counter[str],
) -> tuple[dict[str, Any], Arrays]:
    """The index whose claim ``k`` is row ``row[k]`` of pack ``src[k]``: the packs' rows
    renumbered into one sorted list of feature names, and everything global computed from them.
    ``counts``: vocabulary word -> the index's claim texts that use it."""
    n = len(src)
    runs = _runs(src, row)  # the index's claims as runs of consecutive rows of one pack
    text_runs = [(i, int(packs[i].text_ptr[a]), int(packs[i].text_ptr[a + k] - packs[i].text_ptr[a]))
                 for i, a, k in runs]  # fmt: skip
    lookups = _renumber(packs, runs)
    names = lookups.pop()
    arrays: Arrays = {}
    sets = {s: _merge([p.sets[s] for p in packs], runs, lookups) for s in CLAIM_SETS}
    sets["text_features"] = _merge([p.sets["text_features"] for p in packs], text_runs, lookups)
    text_ptr = _merge([Ragged(p.text_ptr, p.text_ptr[:0]) for p in packs], runs).ptr
    # Inverse document frequency: rarer features say more about which claim a post makes.
    doc_freq = np.bincount(sets["features"].ids, minlength=len(names)).tolist()
    idf = np.asarray([math.log(1 + max(1, n) / (d or 1)) for d in doc_freq], dtype=np.float64)
    core = sets["core"]
    owner = np.repeat(np.arange(n, dtype=np.int32), np.diff(core.ptr))
    postings_ptr = np.zeros(len(names) + 1, dtype=np.int64)
    np.cumsum(np.bincount(core.ids, minlength=len(names)), out=postings_ptr[1:])
    postings = Ragged(
        postings_ptr, owner[np.argsort(core.ids, kind="stable")]
    )  # each feature's claims, in order
    texts = int(text_ptr[-1])
    arrays |= {
        "idf": idf,
        "core_weight": core.sums(np.arange(n, dtype=np.int64), idf),
        "text_weight": sets["text_features"].sums(np.arange(texts, dtype=np.int64), idf),
        "text_ptr": text_ptr,
        "text_owner": np.repeat(np.arange(n, dtype=np.int32), np.diff(text_ptr)),
        "vectors": Chunks([packs[i].vectors[a : a + k] for i, a, k in text_runs], _no_rows(packs[0].vectors)),
    }
    for name, ragged in (*sets.items(), ("postings", postings)):
        arrays[f"{name}_ptr"], arrays[f"{name}_ids"] = ragged.ptr, ragged.ids
    arrays["feature_names"], arrays["feature_names_at"] = StringTable.pack(names)
    for name, tables, table_runs in (("claim_ids", [p.claim_ids for p in packs], runs),
                                     ("docs", [p.docs for p in packs], runs),
                                     ("texts", [p.texts for p in packs], text_runs),
                                     ("hashtags", [p.hashtags for p in packs], runs)):  # fmt: skip
        table = _merge(tables, table_runs)
        arrays[name], arrays[f"{name}_at"] = table.ids, table.ptr
    vocabulary = sorted(context.analyzer.vocabulary)  # the concepts' words and the claims'
    arrays["vocabulary_count"] = np.asarray([counts[w] for w in vocabulary], dtype=np.int64)
    meta = {
        "format": FORMAT,
        "gates": list(GATES),
        "claims": n,
        "generation": read_generation(session),
        "concepts": _concept_meta(defs),
        "translations": _translations(concepts),
        "vocabulary": vocabulary,
    }
    return meta, arrays


def _translations(concepts: list[Any]) -> dict[str, list[list[Any]]]:
    """Language code -> [concept id, terms in that language] (concepts.yaml translations).

    A population concept without terms of its own in a language is read there by the terms of the
    concepts it shares an English term with, as the English reading finds both in the same words
    ("osteoarthritis" is the topic and names the people with knee osteoarthritis; so does
    "artrosis" in Spanish): the population check reads non-English posts as it reads English ones.
    """
    langs = sorted({code for c in concepts for code in (c.translations or {})})
    english = {c.id: {t.lower() for t in c.terms} for c in concepts}
    out: dict[str, list[list[Any]]] = {lang: [] for lang in langs}
    for c in concepts:
        for lang in langs:
            terms = list((c.translations or {}).get(lang, ()))
            if not terms and c.kind == "population":
                shared = [o for o in concepts if o.id != c.id and english[o.id] & english[c.id]]
                terms = list(dict.fromkeys(t for o in shared for t in (o.translations or {}).get(lang, ())))
            if terms:
                out[lang].append([c.id, terms])
    return out


def _no_rows(like: Piece) -> Vectors:
    return np.zeros((0, *like.shape[1:]), dtype=like.dtype)


Run = tuple[int, int, int]  # (pack, first row, rows)


def _runs(src: Ints, row: Ints) -> list[Run]:
    """Rows ``row[k]`` of packs ``src[k]`` as runs of consecutive rows of one pack, in order (a
    full compile: one run per slice; an update: the previous index cut where claims changed)."""
    if len(src) == 0:
        return []
    breaks = (np.flatnonzero((np.diff(src) != 0) | (np.diff(row) != 1)) + 1).tolist()
    starts = [0, *breaks]
    ends = [*breaks, len(src)]
    return [(int(src[a]), int(row[a]), b - a) for a, b in zip(starts, ends, strict=True)]


def _renumber(packs: list[Pack], runs: list[Run]) -> list[Any]:
    """Per pack, an array from its feature numbers to the index's (-1: a feature none of its
    rows in ``runs`` has); then, last, the index's feature names (sorted)."""
    used = []
    for i, pack in enumerate(packs):
        ragged = pack.sets["features"]
        pieces = [ragged.ids[ragged.ptr[a] : ragged.ptr[a + k]] for j, a, k in runs if j == i]
        used.append(np.unique(np.concatenate(pieces)) if pieces else np.zeros(0, dtype=np.int32))
    names = sorted(set().union(*({p.names[i] for i in u.tolist()} for p, u in zip(packs, used, strict=True))))
    number = {f: i for i, f in enumerate(names)}
    lookups: list[Any] = []
    for pack, u in zip(packs, used, strict=True):
        lookup = np.full(len(pack.names), -1, dtype=np.int32)
        lookup[u] = np.asarray([number[pack.names[i]] for i in u.tolist()], dtype=np.int32)
        lookups.append(lookup)
    return [*lookups, names]


def _merge(sources: list[Ragged], runs: list[Run], lookups: list[Any] | None = None) -> Ragged:
    """The rows of ``runs`` (source, first row, rows) one after the other, each source's ids
    mapped through its lookup when given; a run is copied as one slice."""
    ptrs = [np.zeros(1, dtype=np.int64)]
    ids = [sources[0].ids[:0]]
    at = 0
    for i, first, count in runs:
        ragged = sources[i]
        low, high = int(ragged.ptr[first]), int(ragged.ptr[first + count])
        ptrs.append(ragged.ptr[first + 1 : first + count + 1] - low + at)
        piece = ragged.ids[low:high]
        ids.append(piece if lookups is None else lookups[i][piece])
        at += high - low
    return Ragged(np.concatenate(ptrs).astype(np.int64), np.concatenate(ids))
