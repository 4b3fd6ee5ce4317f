"""The calibration map of scripts/fit_factcheck.py: knots rest on ``MIN_BLOCK`` rows or more
(the isotonic regression's small blocks pooled with their neighbours), and the map stays
monotone."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from helpers import ROOT


def _fit_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fit_factcheck", ROOT / "scripts" / "fit_factcheck.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_small_blocks_are_pooled_with_their_neighbours() -> None:
    fit = _fit_script()
    # isotonic blocks of 3, 50, 2, 45 and 10 rows, shares rising: 0/3, 10/50, 1/2, 30/45, 9/10
    blocks = [
        [(0.1 * i, 0) for i in range(3)],
        [(1 + 0.01 * i, int(i < 10)) for i in range(50)],
        [(2.0, 0), (2.1, 1)],
        [(3 + 0.01 * i, int(i < 30)) for i in range(45)],
        [(4 + 0.01 * i, int(i < 9)) for i in range(10)],
    ]
    pooled = fit._merged(blocks, 40)
    assert [len(b) for b in pooled] == [53, 57]  # 3+50, then 2+45+10 (the last too small alone)
    shares = [sum(y for _, y in b) / len(b) for b in pooled]
    assert shares == sorted(shares)  # still monotone
    assert sum(map(len, pooled)) == sum(map(len, blocks))
    # no pooling asked: the blocks as they were
    assert fit._merged(blocks, 0) == blocks
