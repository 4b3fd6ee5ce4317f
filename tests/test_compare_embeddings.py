"""scripts/compare_embeddings.py (issue 14: the embedding model chosen by measurement) runs on what
is installed and reuses the fit script's functions: its main function on a slice of the
development passages, with the shipped static table, gives the table's rows. Fast (about ten
seconds): the first 30 passages of each development source, 3 folds."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from helpers import ROOT


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compare_embeddings", ROOT / "scripts" / "compare_embeddings.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_comparison_gives_each_rankers_cross_validated_figures_on_dev_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import app.factcheck.evaluate as evaluate

    script = _script()
    loaded: list[tuple[Path, str | None]] = []
    load = evaluate.load_passages

    def spy(path: Path, part: str | None = None, language: str | None = None) -> list[Any]:
        loaded.append((path, part))
        return load(path, part, language)

    monkeypatch.setattr(evaluate, "load_passages", spy)
    rows = script.main(["--limit", "30", "--folds", "3"])

    # the labelled real-text set is read for its development part only
    assert (script.REAL, "dev") in loaded
    assert all(part == "dev" for path, part in loaded if path == script.REAL)
    assert [r["ranker"] for r in rows] == [
        "BM25",
        "lexical only",
        "embedding only (static-256-int8)",
        "lexical + static-256-int8",
    ]
    for r in rows:
        assert all(r["counts"][k] > 0 for k in ("single", "multi", "no_claim")), r
        for metric in script.METRICS:
            assert 0.0 <= r[metric] <= 1.0, (r["ranker"], metric, r[metric])
    for r in rows[2:]:  # the encoder's cost beside its quality
        assert 0 < r["encode_ms"] < 1000 and math.isclose(r["size_mb"], 8.0, abs_tol=2.0), r
    printed = capsys.readouterr().out
    assert "3-fold cross-validation by site" in printed
    assert printed.count("\n| ") == len(rows) + 2  # the markdown table: header, rule, a line per row
