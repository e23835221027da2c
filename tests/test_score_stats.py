"""Our rank statistics against scipy and scikit-learn (dev-only dependencies) on data with ties."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

from newserrata import scoring_stats


@pytest.mark.parametrize("n", [2, 3, 7, 64, 1000, 4097])
def test_kendall_tau_b_matches_scipy(n: int) -> None:
    rng = np.random.default_rng(n)
    for levels in (3, 50, 10_000):
        x = rng.integers(0, levels, n).astype(float)
        y = (x * 0.3 + rng.integers(0, levels, n)).astype(float)
        expected = scipy_stats.kendalltau(x, y).statistic
        ours = scoring_stats.kendall_tau_b(x, y)
        if np.isnan(expected):
            assert ours is None
        else:
            assert ours == pytest.approx(expected, abs=1e-12)


def test_weighted_inversions_against_brute_force() -> None:
    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 33, 200):
        a = rng.integers(0, 6, n)
        w = rng.integers(0, 4, (3, n)).astype(float)
        brute = [sum(w[r, i] * w[r, j] for i in range(n) for j in range(i + 1, n) if a[i] > a[j]) for r in range(3)]
        assert scoring_stats.weighted_inversions(scoring_stats._inversion_plan(a), w).tolist() == brute


def test_weighted_statistics_equal_the_plain_ones_on_repeated_items() -> None:
    """A resample's weights are multiplicities: weighting must equal repeating the items."""
    rng = np.random.default_rng(11)
    n = 60
    x, y = rng.integers(0, 5, n).astype(float), rng.integers(0, 7, n).astype(float)
    labels = (x > 1).astype(float)
    groups = np.arange(n) // 3
    counts = rng.integers(0, 3, (4, groups.max() + 1)).astype(float)
    for row in counts:
        take = np.repeat(np.arange(n), row[groups].astype(int))
        for weighted, plain, first in ((scoring_stats.kendall_weighted, scipy_stats.kendalltau, x),
                                       (scoring_stats.pearson_weighted, scipy_stats.pearsonr, x)):
            got = weighted(scoring_stats.Pairs(first, y, groups), row[None, :])[0]
            assert got == pytest.approx(plain(first[take], y[take]).statistic, abs=1e-12)
        got = scoring_stats.auroc_weighted(scoring_stats.Pairs(labels, y, groups), row[None, :])[0]
        assert got == pytest.approx(roc_auc_score(labels[take], y[take]), abs=1e-12)
        got = scoring_stats.balanced_accuracy_weighted(scoring_stats.Pairs(labels, x > 2, groups), row[None, :])[0]
        assert got == pytest.approx(balanced_accuracy_score(labels[take] > 0, x[take] > 2), abs=1e-12)


def test_kendall_undefined_cases() -> None:
    assert scoring_stats.kendall_tau_b(np.array([1.0]), np.array([2.0])) is None
    assert scoring_stats.kendall_tau_b(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0])) is None


@pytest.mark.parametrize("n", [2, 10, 500])
def test_auroc_matches_scikit_learn(n: int) -> None:
    rng = np.random.default_rng(n)
    labels = rng.random(n) < 0.4
    labels[0], labels[1] = True, False
    scores = rng.integers(0, 4, n).astype(float)
    assert scoring_stats.auroc(labels, scores) == pytest.approx(roc_auc_score(labels, scores))
    assert scoring_stats.auroc(np.ones(n, dtype=bool), scores) is None


@pytest.mark.parametrize("n", [2, 10, 500])
def test_balanced_accuracy_matches_scikit_learn(n: int) -> None:
    rng = np.random.default_rng(n)
    labels, predicted = rng.random(n) < 0.3, rng.random(n) < 0.5
    labels[0], labels[1] = True, False
    assert scoring_stats.balanced_accuracy(labels, predicted) == pytest.approx(
        balanced_accuracy_score(labels, predicted))
    assert scoring_stats.balanced_accuracy(np.array([], dtype=bool), np.array([], dtype=bool)) is None


def test_pearson_matches_scipy_and_refuses_constants() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.random(50), rng.random(50)
    assert scoring_stats.pearson(x, y) == pytest.approx(scipy_stats.pearsonr(x, y).statistic)
    assert scoring_stats.pearson(np.ones(5), y[:5]) is None
    assert scoring_stats.pearson(x[:1], y[:1]) is None


def spearman_runs(runs: list[tuple[int, float, float]]) -> float:
    """`spearman_weights` fed from (length, x, y) runs, as the scorer feeds it from overlapping runs."""
    weight_x: dict[float, int] = {}
    weight_y: dict[float, int] = {}
    pairs: dict[tuple[float, float], int] = {}
    for w, x, y in runs:
        weight_x[x] = weight_x.get(x, 0) + w
        weight_y[y] = weight_y.get(y, 0) + w
        pairs[x, y] = pairs.get((x, y), 0) + w
    return scoring_stats.spearman_weights(weight_x, weight_y, pairs)


def test_spearman_on_runs_matches_scipy_on_expanded_vectors() -> None:
    rng = np.random.default_rng(9)
    for _ in range(200):
        k = int(rng.integers(2, 12))
        runs = [(int(rng.integers(1, 20)), float(rng.choice([0, 1 / 3, 0.5, 2 / 3, 1])),
                 float(rng.choice([0, 0.2, 0.9, 1]))) for _ in range(k)]
        x = np.repeat([r[1] for r in runs], [r[0] for r in runs])
        y = np.repeat([r[2] for r in runs], [r[0] for r in runs])
        if len(set(x)) < 2 or len(set(y)) < 2:
            continue
        assert spearman_runs(runs) == pytest.approx(scipy_stats.spearmanr(x, y).statistic, abs=1e-12)


def test_percentile_interval_skips_undefined_resamples() -> None:
    assert scoring_stats.percentile_interval([None, None]) is None
    low, high = scoring_stats.percentile_interval([None, *map(float, range(101))])
    assert (low, high) == (pytest.approx(2.5), pytest.approx(97.5))
