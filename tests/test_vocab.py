"""The vocabularies: each defined once in app.vocab, and everything that describes a value
(labels, grading constants, export formats) covers every member."""

from __future__ import annotations

from enum import StrEnum

import pytest

from app import certainty, charts, citations, grading, vocab
from app.vocab import (
    Certainty,
    Design,
    ExportFormat,
    FlagCode,
    GradeLevel,
    IndirectKind,
    SortOrder,
    Stance,
    Verdict,
)


@pytest.mark.parametrize(
    ("mapping", "enum"),
    [
        (vocab.LEVEL_LABELS, GradeLevel),
        (vocab.VERDICT_LABELS, Verdict),
        (vocab.DESIGN_LABELS, Design),
        (vocab.STANCE_LABELS, Stance),
        (vocab.INDIRECT_STANCE_LABELS, Stance),
        (vocab.INDIRECT_EXPLANATIONS, IndirectKind),
        (vocab.INDIRECT_SHORT, IndirectKind),
        (vocab.FLAG_DESCRIPTIONS, FlagCode),
        (vocab.SORT_LABELS, SortOrder),
        (grading.LEVEL_MEANINGS, Certainty),
        (vocab.CERTAINTY_LABELS, Certainty),
        (certainty.DESIGN_START, Design),
        (grading.VERDICT_RATING, Verdict),
        (charts.STANCE_GLYPHS, Stance),
        (charts.STANCE_COLOURS, Stance),
        (citations.FORMATS, ExportFormat),
    ],
)
def test_every_member_is_described(mapping: dict[str, object], enum: type[StrEnum]) -> None:
    assert set(mapping) == set(enum)


def test_members_are_plain_strings() -> None:
    assert Verdict.SUPPORTED == "supported" and f"{Verdict.SUPPORTED}" == "supported"
    assert {"partly-supported": 1}[Verdict.PARTLY_SUPPORTED] == 1
    assert [level.rank for level in GradeLevel] == [0, 1, 2, 3]
    assert grading.LEVELS == ["very-low", "low", "moderate", "high"]
    assert sorted(charts.STANCE_ORDER) == sorted(Stance)


def test_no_vocabulary_is_spelled_out_elsewhere() -> None:
    """No module but vocab.py lists a whole vocabulary as string literals (a Literal copy).

    The grade levels are left out: "high" and "low" are ordinary words in other contexts."""
    from pathlib import Path

    app_dir = Path(vocab.__file__).parent
    enums = [Verdict, Design, Stance, IndirectKind, FlagCode, ExportFormat, SortOrder]
    for path in app_dir.glob("*.py"):
        if path.name == "vocab.py":
            continue
        text = path.read_text(encoding="utf-8")
        for enum in enums:
            quoted = [f'"{member.value}"' for member in enum]
            assert not all(q in text for q in quoted), f"{path.name} spells out {enum.__name__}"
