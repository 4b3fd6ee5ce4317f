"""The study list's order and counts, computed once per build (both backends).

``derive`` fills ``study_list`` (one narrow row per study: cited or not, and its place in the
bibliography order overall, among the cited or uncited, within its design, and both) and
``study_group`` (how many studies per design and cited) from the tables the build wrote. A list
request then reads one page by an index (``seq >= offset``) and its total from ``study_group``:
it costs the same at 50 studies or 500,000, at the first page or the last (``Store.list_studies``).

Run by every build after the studies and evidence links are written (and by any build that
changes them: it recomputes both tables from scratch, in one statement each).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

#: The place columns of ``study_list`` by (design filtered, cited filtered).
SEQ_COLUMNS = {
    (False, False): "seq",
    (False, True): "cited_seq",
    (True, False): "design_seq",
    (True, True): "design_cited_seq",
}

_DERIVE = [
    "DELETE FROM study_list",
    "DELETE FROM study_group",
    """
    INSERT INTO study_list (key, position, design, cited, seq, cited_seq, design_seq, design_cited_seq)
    SELECT key, position, design, cited,
           row_number() OVER (ORDER BY position) - 1,
           row_number() OVER (PARTITION BY cited ORDER BY position) - 1,
           row_number() OVER (PARTITION BY design ORDER BY position) - 1,
           row_number() OVER (PARTITION BY design, cited ORDER BY position) - 1
    FROM (
        SELECT s.key, s.position, s.design, (c.study_key IS NOT NULL) AS cited
        FROM study s LEFT JOIN (SELECT DISTINCT study_key FROM evidence) c ON c.study_key = s.key
    ) marked
    """,
    """
    INSERT INTO study_group (design, cited, studies)
    SELECT design, cited, count(*) FROM study_list GROUP BY design, cited
    """,
]


def derive(conn: Any) -> None:
    """Recompute ``study_list`` and ``study_group`` from ``study`` and ``evidence`` (a
    SQLAlchemy connection inside the build's transaction)."""
    for statement in _DERIVE:
        conn.execute(text(statement))
