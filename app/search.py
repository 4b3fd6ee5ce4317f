"""Full-text search over claims: SQLite FTS5 or a PostgreSQL tsvector, same behaviour on both.

Both stem English (knees/knee, walking/walk, backwards/backward) and fold accents; user text
is never passed raw to the query syntax (every term is quoted or bound). Each query term is
expanded with the curated synonyms in data/concepts.yaml ("retro" finds "backward"), and
snippets mark the matched words with sentinels that ``highlight_html`` turns into ``<mark>``
after escaping, so the data can never inject markup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup
from sqlalchemy import text
from sqlmodel import Session

MARK_START, MARK_END = "\x02", "\x03"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
MAX_TERMS = 12
MAX_QUERY_CHARS = 500


def normalise(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).lower()
    value = value.replace("₂", "2")
    return "".join(ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch))


# PostgreSQL's English configuration drops these words; SQLite's FTS5 would require them. Dropping
# them from every query keeps the two backends' results the same ("the knee" = "knee").
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me
    more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with you your yours yourself yourselves""".split()
)


def query_terms(q: str) -> list[str]:
    """The searchable words of a query: normalised, stopwords dropped, at most ``MAX_TERMS``."""
    words = _WORD.findall(normalise(q[:MAX_QUERY_CHARS]))
    return [w for w in words if w not in STOPWORDS][:MAX_TERMS]


@dataclass(frozen=True)
class SynonymIndex:
    """Single-word synonyms from the concept list: word -> other words/phrases of its concepts."""

    groups: dict[str, tuple[str, ...]]

    @classmethod
    def from_concepts(cls, concepts: list[tuple[str, list[str]]]) -> SynonymIndex:
        groups: dict[str, set[str]] = {}
        for kind, terms in concepts:
            if kind not in ("topic", "activity", "outcome", "body", "intervention"):
                continue
            words = [normalise(t).lstrip("#") for t in terms]
            for word in words:
                if " " not in word:
                    groups.setdefault(word, set()).update(w for w in words if w != word)
        return cls({k: tuple(sorted(v))[:8] for k, v in groups.items()})

    def expand(self, term: str) -> tuple[str, ...]:
        return (term, *self.groups.get(term, ()))


EMPTY_SYNONYMS = SynonymIndex({})


@dataclass
class SearchQuery:
    """A compiled query: SQL producing (key, rank) rows, plus its parameters.

    The key is the claim id, or with ``by_position`` the claim's position (SQLite: the FTS rowid,
    which is read without loading each matching row's text; about 4x faster for common words).
    """

    sql: str
    params: dict[str, object]
    snippet_sql: str
    by_position: bool = False


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def compile_query(
    q: str, dialect: str, synonyms: SynonymIndex = EMPTY_SYNONYMS, pg_config: str = "english"
) -> SearchQuery | None:
    terms = query_terms(q)
    if not terms:
        return None
    if dialect == "sqlite":
        groups = []
        for term in terms:
            options = [_fts_phrase(t) for t in synonyms.expand(term)]
            groups.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
        match = " AND ".join(groups)
        sql = (
            "SELECT rowid, bm25(claim_search, 0.0, 10.0, 5.0, 2.0, 1.0) AS rank "
            "FROM claim_search WHERE claim_search MATCH :match"
        )
        snippet = (
            "SELECT rowid, snippet(claim_search, -1, :ms, :me, '…', 24) AS snippet "
            "FROM claim_search WHERE claim_search MATCH :match AND rowid IN ({ids})"
        )
        return SearchQuery(sql, {"match": match, "ms": MARK_START, "me": MARK_END}, snippet, by_position=True)

    params: dict[str, object] = {"cfg": pg_config}
    ands = []
    for i, term in enumerate(terms):
        ors = []
        for j, option in enumerate(synonyms.expand(term)):
            params[f"t{i}_{j}"] = option
            ors.append(f"phraseto_tsquery(CAST(:cfg AS regconfig), :t{i}_{j})")
        ands.append("(" + " || ".join(ors) + ")")
    tsquery = " && ".join(ands)
    sql = (
        f"SELECT claim_id, -ts_rank_cd(document, q) AS rank FROM claim_search, ({'SELECT ' + tsquery} AS q) qq "
        "WHERE document @@ q"
    )
    snippet = (
        f"SELECT claim_id, ts_headline(CAST(:cfg AS regconfig), statement || ' … ' || summary, ({'SELECT ' + tsquery}), "
        "'StartSel=\x02, StopSel=\x03, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"') AS snippet "
        "FROM claim_search WHERE claim_id IN ({ids})"
    )
    return SearchQuery(sql, params, snippet)


def snippets(session: Session, query: SearchQuery, keys: list[str] | list[int]) -> dict[Any, str]:
    """Marked snippets of the given claims: keys as the query's rows name them (id or position)."""
    if not keys:
        return {}
    names = {f"id{i}": key for i, key in enumerate(keys)}
    sql = query.snippet_sql.replace("{ids}", ", ".join(f":{n}" for n in names))
    rows = session.connection().execute(text(sql), {**query.params, **names}).all()
    return {row[0]: row[1] for row in rows}


def highlight_html(snippet: str) -> Markup:
    """Escape a snippet, then turn the match sentinels into ``<mark>`` elements."""
    escaped = escape(snippet.replace(MARK_END + " " + MARK_START, " "), quote=False)
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def plain_snippet(snippet: str) -> str:
    return snippet.replace(MARK_START, "").replace(MARK_END, "")
