"""The read side: claims, studies, search with facets. Shared by the API, the pages and the CLI.

Data changes only when a build runs, so a ``Store`` keeps what it has read (the claim list for
facets and sorting, claim and study documents, rendered responses) in memory, keyed by the
build *generation*. A new build (on any host) changes the generation and empties the caches;
see ``Database.generation`` for how each backend notices.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, false, func, text
from sqlalchemy.orm import QueryableAttribute, load_only
from sqlmodel import Session, col, select

from app import facets as facets_
from app import grading, listing, search
from app.cache import BytesLRU
from app.db import Database, session_generation
from app.documents import claim_detail, claim_summary, study_detail, study_doc, year_suffixes
from app.models import Claim, Concept, Evidence, Study, StudyGroup, StudyList
from app.vocab import SORT_LABELS, SortOrder

T = TypeVar("T")

#: Above any claim position: ``rank * _POSITION_SPAN + position`` orders by rank, then position.
_POSITION_SPAN = 1 << 40

#: What ``documents.claim_summary`` reads of a claim.
_SUMMARY_COLUMNS: tuple[QueryableAttribute[Any], ...] = tuple(
    getattr(Claim, name)
    for name in (
        "id", "statement", "verdict", "grade_level", "grade_reasons", "calibrated", "summary",
        "population", "topics", "reviewed", "study_count", "participants", "participants_unknown",
    )
)  # fmt: skip
_PHRASINGS: QueryableAttribute[Any] = getattr(Claim, "phrasings")  # noqa: B009 (typed as a column)

SORTS = SORT_LABELS  # sort name -> label, in menu order
MAX_LIMIT = 100


@dataclass(frozen=True)
class ClaimRow:
    """What search, facets and sorting need for every claim (kept in memory)."""

    id: str
    statement: str
    verdict: str
    grade_level: str
    grade_rank: int
    topics: tuple[str, ...]
    reviewed: date
    appearances: int
    position: int


@dataclass
class ClaimQuery:
    q: str = ""
    topic: list[str] = field(default_factory=list)
    verdict: list[str] = field(default_factory=list)
    grade: list[str] = field(default_factory=list)
    sort: str = ""
    limit: int = 20
    offset: int = 0

    def effective_sort(self) -> SortOrder:
        """The order asked for; relevance needs a query, and is the default with one (without
        one: the claims repeated most)."""
        if self.sort in SORTS and (self.sort != SortOrder.RELEVANCE or self.q.strip()):
            return SortOrder(self.sort)
        return SortOrder.RELEVANCE if self.q.strip() else SortOrder.APPEARANCES


#: Sort keys per order (relevance sorts on the search ranks, see ``Store.search_claims``).
SORT_KEYS: dict[str, Callable[[ClaimRow], Any]] = {
    SortOrder.REVIEWED: lambda r: (-r.reviewed.toordinal(), r.position),
    SortOrder.GRADE: lambda r: (-r.grade_rank, r.position),
    SortOrder.STATEMENT: lambda r: r.statement.lower(),
    SortOrder.APPEARANCES: lambda r: (-r.appearances, r.position),
}


class BuildChanged(Exception):
    """The build a request started with is no longer the one this process reads, and what the
    request needs of it is gone (the worker answers 503 ``build-changed``: send it again)."""


class Store:
    def __init__(self, db: Database, *, cache_bytes: int = 64 * 1024 * 1024, generation_max_age: float = 1.0):
        self.db = db
        self.cache = BytesLRU(cache_bytes)
        self.generation_max_age = generation_max_age
        self._generation: str | None = None
        self._rows: dict[str, ClaimRow] | None = None
        self._rows_generation: str | None = None
        self._synonyms: search.SynonymIndex | None = None
        self._pinned: dict[str, tuple[str | None, Any]] = {}
        self._pinned_locks: dict[str, threading.Lock] = {}
        #: Values computed from one claim-row table (facet index, browse orders): kind -> (the
        #: rows they came from, value); valid only for those very rows, so a build swapped in
        #: meanwhile can never pair one build's rows with another's index.
        self._from_rows: dict[str, tuple[dict[str, ClaimRow], Any]] = {}
        self._lock = threading.Lock()

    # -- freshness ------------------------------------------------------------------------------

    def generation(self) -> str | None:
        """The build generation; empties every cache when it changed since the last call."""
        current = self.db.generation(self.generation_max_age)
        if current != self._generation:
            with self._lock:
                self.cache.clear()
                self._rows = None
                self._synonyms = None
                self._from_rows = {}
                self._generation = current
        return current

    @property
    def current_generation(self) -> str | None:
        return self._generation

    def expect_generation(self, generation: str | None) -> None:
        """Raise ``BuildChanged`` unless the store reads build ``generation`` (another process,
        the expensive-work child, continues a request the worker started). Asks the database
        again before giving up: this process may not have noticed a build yet."""
        if self.generation() != generation:
            self.db.invalidate()
            if self.generation() != generation:
                raise BuildChanged(f"build {generation} asked for, {self._generation} served")

    def peek(self, kind: str, key: Any, default: Any = None) -> Any:
        """The cached value for (kind, key) in the current build, or ``default``."""
        generation = self.generation()
        return self.cache.get((generation, kind, key), default)

    def pinned(self, kind: str, compute: Callable[[], T]) -> T:
        """A per-build value that the LRU never evicts (an index costly to rebuild)."""
        generation = self.generation()
        with self._lock:
            kind_lock = self._pinned_locks.setdefault(kind, threading.Lock())
        with kind_lock:  # one thread computes; the others wait for its result
            found = self._pinned.get(kind)
            if found is not None and found[0] == generation:
                return found[1]  # type: ignore[no-any-return]
            value = compute()
            self._pinned[kind] = (generation, value)
            # A pinned value is big and lives until the next build: move it (and what else is
            # alive by now) out of the cyclic garbage collector's sight. Otherwise every full
            # collection rescans it and stalls all requests (0.45 s for a 10,000-claim
            # fact-check index). It has no reference cycles, so it is freed when replaced.
            gc.freeze()
            return value

    def has_pinned(self, kind: str) -> bool:
        """Whether ``pinned(kind, ...)`` is computed for the current build (readiness checks)."""
        found = self._pinned.get(kind)
        return found is not None and found[0] == self.generation()

    def remember(self, generation: str | None, kind: str, key: Any, value: Any) -> None:
        """Keep ``value`` for (kind, key) of build ``generation`` as ``cached`` would, when it
        was computed elsewhere (the expensive-work process). Dropped with that build."""
        self.cache.put((generation, kind, key), value)

    def cached(self, kind: str, key: Any, compute: Callable[[], T]) -> T:
        generation = self.generation()
        return self.cache.get_or_compute((generation, kind, key), compute)

    # -- claims ---------------------------------------------------------------------------------

    def claim_rows(self) -> dict[str, ClaimRow]:
        """Every claim's ``ClaimRow`` in the current build, by id (kept until the next build)."""
        self.generation()
        rows = self._rows
        if rows is None:
            with self.db.session() as session:  # inside a request's session: that one
                rows, _ = self._rows_for(session)
        return rows

    def _rows_for(self, session: Session) -> tuple[dict[str, ClaimRow], bool]:
        """The claim rows of the build ``session`` reads, and whether they are the ones kept in
        memory: those when they are of that build, else read from ``session`` (and kept when
        that build is the current one; an older snapshot's rows serve this request only)."""
        generation = session_generation(session)
        self.generation()  # a worker that does not know it yet reads it on this session
        rows = self._rows
        if rows is not None and self._rows_generation == generation:
            return rows, True
        rows = self._load_rows(session)
        with self._lock:
            if generation != self._generation:
                return rows, False
            self._rows, self._rows_generation = rows, generation
        return rows, True

    def _load_rows(self, session: Session) -> dict[str, ClaimRow]:
        # SQLModel's select is typed for at most 4 columns.
        found: Sequence[Any] = session.exec(
            select(  # type: ignore[call-overload]
                Claim.id, Claim.statement, Claim.verdict, Claim.grade_level, Claim.grade_rank,
                Claim.topics, Claim.reviewed, Claim.appearances, Claim.position,
            ).order_by(col(Claim.position))
        ).all()  # fmt: skip
        return {
            r[0]: ClaimRow(r[0], r[1], r[2], r[3], r[4], tuple(r[5]), r[6], len(r[7]), r[8]) for r in found
        }

    def _rows_in(self, session: Session) -> tuple[dict[str, ClaimRow], dict[int, ClaimRow], bool]:
        """The claim rows (by id, by position) of the build ``session`` reads, and whether they
        are the ones kept in memory (False: read for this session only). They may differ
        from the one in memory while a build is being swapped in: a search then ranks, filters,
        counts and pages within one build, never a mix (the session is one snapshot: the SQLite
        file it opened, or a REPEATABLE READ transaction on PostgreSQL)."""
        rows, kept = self._rows_for(session)
        if not kept:
            return rows, {r.position: r for r in rows.values()}, False
        return rows, self._rows_by_position(), True

    def synonyms(self) -> search.SynonymIndex:
        current = self.generation()
        found = self._synonyms
        if found is None:
            with self.db.session() as session:  # inside a request's session: that one
                generation = session_generation(session)
                concepts = session.exec(select(Concept.kind, Concept.terms, Concept.translations)).all()
            found = search.SynonymIndex.from_concepts([(k, list(t), dict(tr)) for k, t, tr in concepts])
            if generation == current:  # an older snapshot's concepts serve this request only
                self._synonyms = found
        return found

    def search_vocabulary(self) -> search.Vocabulary:
        """The words of the searched claim texts (once per build), for "did you mean"."""

        def compute() -> search.Vocabulary:
            with self.db.session() as session:
                rows = session.exec(
                    select(Claim.statement, Claim.summary, Claim.phrasings, Claim.caveats)
                ).all()
            return search.Vocabulary.of(
                text_ for statement, summary, phrasings, caveats in rows
                for text_ in (statement, summary, *phrasings, *caveats)
            )  # fmt: skip

        return self.pinned("search-vocabulary", compute)

    def did_you_mean(self, query: ClaimQuery) -> dict[str, Any] | None:
        """For a query that found nothing: the query with its unknown words corrected from the
        index's own words (``search.suggest``) and what it finds with the same filters, when it
        finds something; else None."""
        corrected = search.suggest(query.q, self.search_vocabulary(), self.synonyms())
        if not corrected:
            return None
        total = self.search_claims(replace(query, q=corrected, limit=1, offset=0), facets=False)["total"]
        return {"q": corrected, "total": total} if total else None

    def search_claims(
        self, query: ClaimQuery, *, facets: bool = True, suggest: bool = False
    ) -> dict[str, Any]:
        """One page of claims for a query and its filters, with facet counts (the API's
        ``schemas.ClaimList``). Steps: rank by the full-text query (when there is one), filter
        and count, sort, load the page's summaries, add the matched snippets. With ``suggest``,
        a query that finds nothing gets ``did_you_mean`` (``Store.did_you_mean``)."""
        limit = max(1, min(query.limit, MAX_LIMIT))
        offset = max(0, query.offset)
        # One session for the ranks, the page and its snippets: one pooled connection (and on
        # PostgreSQL one liveness ping) per search instead of three, and one build throughout.
        sort = query.effective_sort()
        with self.db.session() as session:
            rows, by_position, current = self._rows_in(session)
            index = self._facet_index(rows, cacheable=current)
            compiled: search.SearchQuery | None = None
            place: dict[int, int] | None = None
            if query.q.strip():  # the matches, best first
                compiled, candidates = self._rank(session, query.q, rows, by_position)
                matches: frozenset[int] | None = frozenset(r.position for r in candidates)
            else:  # every claim, already in the order asked for
                candidates, place = self._in_order(rows, sort, cacheable=current)
                matches = None
            passing, counts = index.filter_and_count(matches, query.topic, query.verdict, query.grade, facets)
            matched = facets_.in_order(candidates, passing, place)
            if compiled is not None and sort != SortOrder.RELEVANCE:
                matched.sort(key=SORT_KEYS[sort])
            page = matched[offset : offset + limit]
            items = self.claim_summaries(
                [r.id for r in page], session=session, marks=compiled.marks if compiled else None
            )
        result: dict[str, Any] = {
            "items": items,
            "total": len(matched),
            "limit": limit,
            "offset": offset,
            "sort": sort,
        }
        if suggest and not matched and query.q.strip():
            result["did_you_mean"] = self.did_you_mean(query)
        if facets:
            result["facets"] = {
                "topic": _facet_counts(counts["topic"], query.topic),
                "verdict": _facet_counts(counts["verdict"], query.verdict, grading.VERDICTS),
                "grade": _facet_counts(counts["grade"], query.grade, grading.CERTAINTIES),
            }  # fmt: skip
        return result

    def _rank(
        self, session: Session, q: str, rows: dict[str, ClaimRow], by_position: dict[int, ClaimRow]
    ) -> tuple[search.SearchQuery | None, list[ClaimRow]]:
        """The compiled query and the matching claims, best first (rank, then curated order).

        The database ranks every match (cheap: the rule tests four weighted copies of the query
        on each matching row); the order is one sort of integers, not a key function per row.
        """
        dialect = "sqlite" if self.db.settings.is_sqlite else "postgresql"
        compiled = search.compile_query(q, dialect, self.synonyms())
        if compiled is None:
            return None, []
        lookup: dict[Any, ClaimRow] = by_position if compiled.by_position else rows
        found: dict[int, ClaimRow] = {}
        for key, rank in session.connection().execute(text(compiled.sql), compiled.params).all():
            row = lookup.get(key)
            if row is not None:
                found[int(rank) * _POSITION_SPAN + row.position] = row
        return compiled, [found[k] for k in sorted(found)]

    def _in_order(
        self, rows: dict[str, ClaimRow], sort: SortOrder, *, cacheable: bool
    ) -> tuple[list[ClaimRow], dict[int, int]]:
        """Every claim in a browse order, and each position's place in it (once per build)."""

        def compute() -> tuple[list[ClaimRow], dict[int, int]]:
            ordered = sorted(rows.values(), key=SORT_KEYS.get(sort, SORT_KEYS[SortOrder.APPEARANCES]))
            return ordered, {r.position: i for i, r in enumerate(ordered)}

        return self._computed_from(f"order-{sort}", rows, compute) if cacheable else compute()

    def _facet_index(self, rows: dict[str, ClaimRow], *, cacheable: bool) -> facets_.FacetIndex:
        def compute() -> facets_.FacetIndex:
            return facets_.FacetIndex.of(rows.values())

        return self._computed_from("facet-index", rows, compute) if cacheable else compute()

    def _computed_from(self, kind: str, rows: dict[str, ClaimRow], compute: Callable[[], T]) -> T:
        """``compute()`` once per claim-row table (kept until the next build)."""
        found = self._from_rows.get(kind)
        if found is not None and found[0] is rows:
            return found[1]  # type: ignore[no-any-return]
        value = compute()
        self._from_rows[kind] = (rows, value)
        return value

    def _rows_by_position(self) -> dict[int, ClaimRow]:
        return self.cached(
            "claim-rows-by-position", None, lambda: {r.position: r for r in self.claim_rows().values()}
        )

    def claim_summaries(
        self, ids: list[str], *, session: Session | None = None, marks: frozenset[str] | None = None
    ) -> list[dict[str, Any]]:
        """``claim_summary`` of each claim in ``ids`` that exists, in that order. Reads only the
        summary's columns (a claim row's history, outcomes and notes are most of its bytes).

        With a search's ``marks``, each adds where the query matched, as plain text (``snippet``)
        and marked (``snippet_marked``), and the claim's phrasing that matches best
        (``matched_phrasing``, marked: ``matched_phrasing_marked``; None when none matches).
        """
        if not ids:
            return []
        columns = _SUMMARY_COLUMNS if marks is None else (*_SUMMARY_COLUMNS, _PHRASINGS)
        with contextlib.nullcontext(session) if session is not None else self.db.session() as current:
            stmt = select(Claim).options(load_only(*columns)).where(col(Claim.id).in_(ids))
            claims = {c.id: c for c in current.exec(stmt).all()}
        items = []
        for claim_id in ids:
            claim = claims.get(claim_id)
            if claim is None:
                continue
            item = claim_summary(claim)
            if marks is not None:
                found = search.claim_snippet(claim.statement, claim.summary, claim.phrasings, marks)
                item["snippet"] = search.plain_snippet(found.text)
                item["snippet_marked"] = found.text
                # What people say (one of the claim's phrasings), when the search matched one.
                item["matched_phrasing"] = found.phrasing and search.plain_snippet(found.phrasing)
                item["matched_phrasing_marked"] = found.phrasing
            items.append(item)
        return items

    def claim(self, claim_id: str) -> dict[str, Any] | None:
        if not plausible_key(claim_id):
            return None
        return self.cached("claim", claim_id, lambda: self._load_claim(claim_id))

    def _load_claim(self, claim_id: str) -> dict[str, Any] | None:
        with self.db.session() as session:
            claim = session.get(Claim, claim_id)
            if claim is None:
                return None
            links = session.exec(
                select(Evidence, Study).join(Study, col(Study.key) == col(Evidence.study_key))
                .where(Evidence.claim_id == claim_id).order_by(col(Evidence.position))
            ).all()  # fmt: skip
            suffixes = study_suffixes(session, [study for _, study in links])
        return claim_detail(claim, list(links), suffixes)

    # -- studies --------------------------------------------------------------------------------

    def study(self, key: str) -> dict[str, Any] | None:
        if not plausible_key(key):
            return None
        return self.cached("study", key, lambda: self._load_study(key))

    def _load_study(self, key: str) -> dict[str, Any] | None:
        with self.db.session() as session:
            study = session.get(Study, key)
            if study is None:
                return None
            links = session.exec(
                select(Evidence, Claim).join(Claim, col(Claim.id) == col(Evidence.claim_id))
                .where(Evidence.study_key == key).order_by(col(Claim.position))
            ).all()  # fmt: skip
            suffix = study_suffixes(session, [study]).get(key, "")
        return study_detail(study, list(links), suffix)

    def year_letters(self, studies: Sequence[Study]) -> dict[str, str]:
        """APA's year letters of ``studies`` over the whole bibliography (``study_suffixes``), the
        same as their short labels: for an export or a reference of some of them."""
        with self.db.session() as session:
            return study_suffixes(session, studies)

    def studies_raw(self, keys: Iterable[str] | None = None) -> list[Study]:
        """Full study rows (with raw BibTeX fields) for export, in bibliography order."""
        with self.db.session() as session:
            stmt = select(Study).order_by(col(Study.position))
            if keys is not None:
                stmt = stmt.where(col(Study.key).in_(list(keys)))
            return list(session.exec(stmt).all())

    def list_studies(self, *, q: str = "", design: list[str] | None = None, cited: bool | None = None,
                     limit: int = 50, offset: int = 0) -> dict[str, Any]:  # fmt: skip
        """One page of studies in bibliography order, with the exact total (the API's
        ``schemas.StudyList``).

        Without a text query and with at most one design, the page is read by the build's
        listing order (``app.listing``: ``seq >= offset`` on an index) and the total from its
        counts, so a page costs the same at 50 studies or 500,000 and at any offset. A text
        query (words in the title, key or journal) or several designs filter in the database
        and count what they match (a scan of the bibliography; ``q`` at most 6 words).
        """
        limit = max(1, min(limit, MAX_LIMIT))
        offset = max(0, offset)
        designs = list(dict.fromkeys(design or []))
        with self.db.session() as session:
            if not q.strip() and len(designs) <= 1:
                total, page = _indexed_study_page(session, designs, cited, limit, offset)
            else:
                total, page = _filtered_study_page(session, q, designs, cited, limit, offset)
            suffixes = study_suffixes(session, [study for study, _ in page])
        items = [
            study_doc(study, suffix=suffixes.get(study.key, "")) | {"cited": bool(flag)}
            for study, flag in page
        ]
        return {"items": items, "total": total, "limit": limit, "offset": offset}

    def topic_ids(self) -> frozenset[str]:
        """The topics of the current build's claims (what the ``topic`` filter accepts)."""
        return self.cached(
            "topic-ids", None, lambda: frozenset(t for r in self.claim_rows().values() for t in r.topics)
        )

    # -- overview -------------------------------------------------------------------------------

    def overview(self) -> dict[str, Any]:
        def compute() -> dict[str, Any]:
            rows = self.claim_rows()
            with self.db.session() as session:
                # The build's own counts: no count of the whole bibliography per build and worker.
                info = session.exec(text("SELECT built_at, studies FROM build_info WHERE id = 1")).first()  # type: ignore[call-overload]
            return {
                "claims": len(rows),
                "studies": info[1] if info else 0,
                "built_at": str(info[0]) if info else None,
                "topics": _facet((t for r in rows.values() for t in r.topics), []),
                "verdicts": _facet((r.verdict for r in rows.values()), [], grading.VERDICTS),
                "grades": _facet((r.grade_level for r in rows.values()), [], grading.CERTAINTIES),
            }

        return self.cached("overview", None, compute)


def _indexed_study_page(
    session: Session, designs: list[str], cited: bool | None, limit: int, offset: int
) -> tuple[int, Sequence[Any]]:
    """(total, [(Study, cited)]) by the build's listing order and counts (``app.listing``)."""
    seq = col(getattr(StudyList, listing.SEQ_COLUMNS[(bool(designs), cited is not None)]))
    where: list[ColumnElement[bool]] = []
    groups: list[ColumnElement[bool]] = []
    if designs:
        where.append(col(StudyList.design) == designs[0])
        groups.append(col(StudyGroup.design) == designs[0])
    if cited is not None:
        where.append(col(StudyList.cited) == cited)
        groups.append(col(StudyGroup.cited) == cited)
    total = session.exec(select(func.coalesce(func.sum(StudyGroup.studies), 0)).where(*groups)).one()
    page = session.exec(
        select(Study, StudyList.cited).join(StudyList, col(StudyList.key) == col(Study.key))
        .where(*where, seq >= offset).order_by(seq).limit(limit)
    ).all()  # fmt: skip
    return int(total), page


def _filtered_study_page(
    session: Session, q: str, designs: list[str], cited: bool | None, limit: int, offset: int
) -> tuple[int, Sequence[Any]]:
    """(total, [(Study, cited)]) for a text query or several designs: filtered and counted here."""
    conditions: list[ColumnElement[bool]] = []
    if designs:
        conditions.append(col(Study.design).in_(designs))
    terms = search.query_terms(q)[:6] if q.strip() else []
    if q.strip() and not terms:  # "%" or punctuation only: nothing to match, as for claims
        conditions.append(false())
    for term in terms:
        like = f"%{_escape_like(term)}%"
        conditions.append(
            col(Study.title).ilike(like, escape="\\")
            | col(Study.key).ilike(like, escape="\\")
            | col(Study.container).ilike(like, escape="\\")
        )
    stmt = select(Study)
    count = select(func.count()).select_from(Study)
    if cited is not None:  # joined only when filtered by it
        stmt = stmt.join(StudyList, col(StudyList.key) == col(Study.key))
        count = count.join(StudyList, col(StudyList.key) == col(Study.key))
        conditions.append(col(StudyList.cited) == cited)
    total = session.exec(count.where(*conditions)).one()
    studies = session.exec(
        stmt.where(*conditions).order_by(col(Study.position)).offset(offset).limit(limit)
    ).all()
    flags = dict(
        session.exec(
            select(StudyList.key, StudyList.cited).where(col(StudyList.key).in_([s.key for s in studies]))
        ).all()
    )
    return int(total), [(study, flags.get(study.key, False)) for study in studies]


def study_suffixes(session: Session, studies: Sequence[Any]) -> dict[str, str]:
    """The APA year letters of ``studies`` (``documents.year_suffixes``) among every study of the
    bibliography with the same year: 'Abdelraouf et al. 2019a' and '2019b' on every page, in the
    API and the fact-check, as the APA export says."""
    years = sorted({s.year for s in studies if s.year is not None})
    if not years:
        return {}
    wanted = {s.key for s in studies}
    columns = select(Study.key, Study.authors, Study.year, Study.title, Study.fields)  # type: ignore[call-overload]
    peers = session.exec(columns.where(col(Study.year).in_(years))).all()
    return {k: v for k, v in year_suffixes(peers).items() if k in wanted}


def _escape_like(term: str) -> str:
    """A search word matched literally by LIKE: ``%`` and ``_`` are not wildcards."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def plausible_key(key: str) -> bool:
    """Whether ``key`` could be a claim id or BibTeX key at all (never control characters).

    PostgreSQL rejects a NUL byte in a query parameter with an error, which must not turn a
    request for '/claims/%00' into a 503: such a key simply does not exist.
    """
    return 0 < len(key) <= 300 and key.isprintable()


def _facet(
    values: Iterable[str], selected: list[str], order: list[str] | None = None
) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return _facet_counts(counts, selected, order)


def _facet_counts(
    counts: dict[str, int], selected: list[str], order: list[str] | None = None
) -> list[dict[str, Any]]:
    counts = dict(counts)
    for s in selected:
        counts.setdefault(s, 0)
    if order:
        keys = [k for k in order if k in counts] + sorted(k for k in counts if k not in order)
    else:
        keys = sorted(counts, key=lambda k: (-counts[k], k))[:40]
    return [{"value": k, "count": counts[k], "selected": k in selected} for k in keys]
