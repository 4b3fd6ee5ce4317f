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


def _rows(seed: int) -> tuple[list[float], list[int], list[str]]:
    """Out-of-fold rows as the fit sees them: 30 sites of 40 rows, z spread over -4..4, right with
    the logistic probability of z (seeded)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    z = rng.uniform(-4, 4, size=1200)
    y = (rng.uniform(size=1200) < 1 / (1 + np.exp(-z))).astype(int)
    return z.tolist(), y.tolist(), [f"site{i // 40}" for i in range(1200)]


def test_the_map_is_the_mean_of_maps_over_samples_of_the_sites() -> None:
    """``recalibrate``'s map: bagged over bootstrap samples of the sites, each sample's map the
    pooled isotonic one; monotone, bounded, the same on every run, and still calibrated."""
    import numpy as np

    fit = _fit_script()
    z, y, groups = _rows(1)
    knots = fit._bagged_map(z, y, groups)
    assert knots == fit._bagged_map(z, y, groups)  # seeded: a refit gives the same model file
    assert knots["z"] == sorted(knots["z"]) and len(set(knots["z"])) == len(knots["z"]) <= fit.GRID
    assert knots["p"] == sorted(knots["p"])  # a mean of non-decreasing maps
    assert all(fit.P_MIN <= p <= fit.P_MAX for p in knots["p"])
    scores = np.interp(z, knots["z"], knots["p"])
    assert abs(scores.mean() - np.mean(y)) < 0.02  # right as often as scored, over all rows
    # smoother than one pooled isotonic map: more knots, no step between two as large
    single_z, single_p = fit._block_knots(np.asarray(z), np.asarray(y))
    assert len(knots["z"]) > len(single_z)
    assert max(np.diff(knots["p"])) < max(np.diff(single_p))
