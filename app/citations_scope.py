"""Which studies a citation export covers: explicit studies, the studies behind claims, behind
the claims a search finds, or the whole knowledge base (``Scope`` -> ``select_studies``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.models import Study
from app.problems import did_you_mean_key

if TYPE_CHECKING:
    from app.store import ClaimQuery, Store


class UnknownKeys(LookupError):
    """Some requested studies or claims do not exist (``kind`` is "study" or "claim"); with
    ``known`` (the ids there are), the first unknown one says which it most likely meant
    ('No claim with id 'Knee-Pain' (did you mean 'knee-pain'?).')."""

    def __init__(self, kind: str, keys: Sequence[str], known: Iterable[str] = ()):
        self.kind = kind
        self.keys = list(keys)
        quoted = ", ".join(f"'{k}'" for k in self.keys)
        hint = did_you_mean_key(self.keys[0], known) if self.keys else ""
        super().__init__(f"No {kind} with id {quoted}{hint}.")


#: Why a scope selected no study (the API's 404 ``no-studies`` and ``evidence-kb export`` both say it).
NO_STUDY_REASON = "the search found no claim, or the claims it names have no studies"


@dataclass
class Scope:
    """Which studies to export: explicit studies, the studies behind claims, behind the claims a
    search finds (``query``), or, when nothing is given, the whole knowledge base."""

    studies: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    query: ClaimQuery | None = None

    @property
    def everything(self) -> bool:
        return not self.studies and not self.claims and self.query is None

    def cache_key(self) -> tuple[Any, ...]:
        q = self.query
        search = (q.q.strip(), tuple(q.topic), tuple(q.verdict), tuple(q.grade)) if q else None
        return (tuple(self.studies), tuple(self.claims), search)

    def filename_stem(self) -> str:
        """A file name for the download: the study key, ``claim-ID``, or a generic name."""
        if len(self.studies) == 1 and not self.claims and self.query is None:
            stem = self.studies[0]
        elif len(self.claims) == 1 and not self.studies and self.query is None:
            stem = f"claim-{self.claims[0]}"
        else:
            stem = "evidence-kb-references"
        return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "references"


def search_scope_query(q: str = "", topic: Iterable[str] = (), verdict: Iterable[str] = (),
                       grade: Iterable[str] = ()) -> ClaimQuery | None:  # fmt: skip
    """The search part of a scope, or None when no search filter is given."""
    from app.store import ClaimQuery

    topic, verdict, grade = list(topic), list(verdict), list(grade)
    if not (q.strip() or topic or verdict or grade):
        return None
    return ClaimQuery(q=q, topic=topic, verdict=verdict, grade=grade)


def select_studies(store: Store, scope: Scope) -> list[Study]:
    """The studies of a scope, each once, in a citing order: the studies named, then those behind
    each claim (in the claim's evidence order), then those behind the search results (best match
    first); the whole knowledge base in bibliography order."""
    return load_studies(store, resolve_keys(store, scope))


def resolve_keys(store: Store, scope: Scope) -> list[str] | None:
    """The study keys of a scope in citing order (see ``select_studies``), without loading the
    studies; None for the whole knowledge base. Raises ``UnknownKeys`` for unknown claims."""
    if scope.everything:
        return None
    keys: list[str] = list(scope.studies)
    missing_claims = []
    claim_ids = list(scope.claims)
    if scope.query is not None:
        claim_ids += _search_all(store, scope.query)
    for claim_id in claim_ids:
        claim = store.claim(claim_id)
        if claim is None:
            missing_claims.append(claim_id)
            continue
        keys += [link["study"]["key"] for link in claim["evidence"]]
    if missing_claims:
        raise UnknownKeys("claim", missing_claims, store.claim_rows())
    return list(dict.fromkeys(keys))


def load_studies(store: Store, keys: list[str] | None) -> list[Study]:
    """The study rows for ``resolve_keys``' answer, in that order. Raises ``UnknownKeys``."""
    if keys is None:
        return store.studies_raw()
    rows = {s.key: s for s in store.studies_raw(keys)}
    missing = [k for k in keys if k not in rows]
    if missing:
        raise UnknownKeys("study", missing)
    return [rows[k] for k in keys]


def _search_all(store: Store, query: ClaimQuery) -> list[str]:
    from dataclasses import replace

    from app.store import MAX_LIMIT

    ids: list[str] = []
    while True:
        page = store.search_claims(replace(query, limit=MAX_LIMIT, offset=len(ids)), facets=False)
        ids += [item["id"] for item in page["items"]]
        if not page["items"] or len(ids) >= page["total"]:
            return ids
