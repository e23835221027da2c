"""Rank statistics the scorer needs, written out because scipy is not a runtime dependency.

Every function returns None where the statistic is undefined (too few items, a constant
input, a single class) instead of a number that only looks like a result. The tests check
each one against scipy / scikit-learn on random data with ties.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class Pairs:
    """Two per-item columns, ready to be weighted many times over: items are resampled in blocks of
    whole groups, so the distinct (x, y) pairs, the order that merges items into them and Kendall's merge
    plan are worked out once, and each block of resamples costs a few vector operations.

    Weights are integer multiplicities (how often a resample drew each group), so every statistic below is
    exactly the unweighted statistic of the resampled data with each drawn item repeated.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> None:
        self.n = len(x)
        self._plan: list[tuple[np.ndarray, ...]] | None = None
        if not self.n:
            self.x = self.y = np.zeros(0)
            return
        unique, inverse = np.unique(np.stack([np.asarray(x, float), np.asarray(y, float)], axis=1), axis=0,
                                    return_inverse=True)
        inverse = inverse.ravel()
        order = np.argsort(inverse, kind="stable")
        self.x, self.y = unique[:, 0], unique[:, 1]
        self._groups = np.asarray(groups)[order]
        self._starts = np.flatnonzero(np.r_[True, inverse[order][1:] != inverse[order][:-1]])

    def weights(self, group_weights: np.ndarray) -> np.ndarray:
        """(resamples, distinct pairs): how many items of each pair each resample holds."""
        if not self.n:
            return np.zeros((len(group_weights), 0))
        # Summing whole rows of the (groups x resamples) transpose is several times faster than summing
        # along the rows of the (resamples x groups) matrix.
        by_group = np.ascontiguousarray(group_weights.T)
        return np.add.reduceat(by_group[self._groups], self._starts, axis=0).T

    def plan(self) -> list[tuple[np.ndarray, ...]]:
        if self._plan is None:
            self._plan = _inversion_plan(self.y)
        return self._plan


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing the mean of the ranks they span (scipy's 'average')."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(values)]
    mean_rank = (starts + ends + 1) / 2.0
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def nan_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _levels(values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per resample, the weight at each distinct value (columns in ascending value order)."""
    if not len(values):
        return np.zeros((len(w), 0))
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    return np.add.reduceat(w[:, order], np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]), axis=1)


def auroc_weighted(pairs: Pairs, group_weights: np.ndarray) -> np.ndarray:
    """AUROC of scores `y` for labels `x` as the Mann-Whitney statistic (ties count one half)."""
    w = pairs.weights(group_weights)
    positive = pairs.x > 0
    pos = _levels(pairs.y, np.where(positive, w, 0.0))
    neg = _levels(pairs.y, np.where(positive, 0.0, w))
    below = np.cumsum(neg, axis=1) - neg
    p, n = pos.sum(1), neg.sum(1)
    return nan_ratio((pos * (below + neg / 2)).sum(1), p * n)


def balanced_accuracy_weighted(pairs: Pairs, group_weights: np.ndarray) -> np.ndarray:
    """Mean recall over the classes of labels `x` present, predictions `y` (scikit-learn's definition)."""
    w = pairs.weights(group_weights)
    recalls = []
    for c in (False, True):
        mask = (pairs.x > 0) == c
        total = w[:, mask].sum(1)
        right = w[:, mask & ((pairs.y > 0) == c)].sum(1)
        recalls.append(nan_ratio(right, total))
    stacked = np.stack(recalls)
    present = ~np.isnan(stacked)
    return nan_ratio(np.where(present, stacked, 0).sum(0), present.sum(0).astype(float))


def pearson_weighted(pairs: Pairs, group_weights: np.ndarray) -> np.ndarray:
    """Each side is first scaled into [-1, 1] and centred on its mean over all items (r does not change):
    sums of squares of scores near the float limit would otherwise overflow to inf and give NaN."""
    w = pairs.weights(group_weights)
    x, y = _centred(pairs.x), _centred(pairs.y)
    n = w.sum(1)
    mx, my = nan_ratio(w @ x, n), nan_ratio(w @ y, n)
    sxx = w @ (x * x) - n * mx * mx
    syy = w @ (y * y) - n * my * my
    sxy = w @ (x * y) - n * mx * my
    # A side that is constant in a resample leaves rounding noise, not variance.
    tiny = 1e-12
    defined = (n >= 2) & (sxx > tiny * (w @ (x * x))) & (syy > tiny * (w @ (y * y)))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.clip(sxy / np.sqrt(np.where(defined, sxx * syy, 1.0)), -1.0, 1.0)
    return np.where(defined, r, np.nan)


def kendall_weighted(pairs: Pairs, group_weights: np.ndarray) -> np.ndarray:
    """Kendall's tau-b (scipy's default): ties in either variable, drawn copies of one item included,
    shrink the denominator."""
    w = pairs.weights(group_weights)
    n = w.sum(1)
    total = (n * n - n) / 2
    ties_x, ties_y = _tied(_levels(pairs.x, w)), _tied(_levels(pairs.y, w))
    ties_xy = _tied(w)
    discordant = weighted_inversions(pairs.plan(), w)
    den = np.sqrt(np.maximum(total - ties_x, 0) * np.maximum(total - ties_y, 0))
    return nan_ratio(total - ties_x - ties_y + ties_xy - 2 * discordant, den)


def _tied(level_weights: np.ndarray) -> np.ndarray:
    return ((level_weights * level_weights - level_weights) / 2).sum(1)


def _inversion_plan(values: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """Bottom-up merge sort of `values` (in item order), recording per width which items are left and
    right halves and, for each right item, the range of its block's left items larger than it.

    At each width both halves of every block are sorted from the previous pass, so one searchsorted over
    all blocks (keys offset by block number) answers every block at once; the plan depends on the values
    only, so any number of weightings reuse it.
    """
    n = len(values)
    if n < 2:
        return []
    a = np.unique(values, return_inverse=True)[1].astype(np.int64).ravel()
    m = int(a.max()) + 1
    positions, item = np.arange(n), np.arange(n)
    plan, width = [], 1
    while width < n:
        block = positions // (2 * width)
        right = (positions % (2 * width)) >= width
        keys = block * m + a
        left_keys = keys[~right]
        not_larger = np.searchsorted(left_keys, keys[right], side="right")
        left_end = np.searchsorted(left_keys, (block[right] + 1) * m, side="left")
        plan.append((item[~right], item[right], not_larger, left_end))
        order = np.argsort(keys, kind="stable")
        a, item = keys[order] - block * m, item[order]
        width *= 2
    return plan


def weighted_inversions(plan: list[tuple[np.ndarray, ...]], w: np.ndarray) -> np.ndarray:
    """Per row of `w`, the sum of w[i] * w[j] over pairs i < j whose values are inverted."""
    total = np.zeros(len(w))
    for left, right, low, high in plan:
        cumulative = np.zeros((len(w), len(left) + 1))
        np.cumsum(w[:, left], axis=1, out=cumulative[:, 1:])
        total += (w[:, right] * (cumulative[:, high] - cumulative[:, low])).sum(1)
    return total


def _one(statistic: object, x: np.ndarray, y: np.ndarray) -> float | None:
    """A weighted statistic on unit weights: the plain statistic of the items."""
    value = float(statistic(Pairs(x, y, np.arange(len(x))), np.ones((1, len(x))))[0])  # type: ignore[operator]
    return None if math.isnan(value) else value


def auroc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    return _one(auroc_weighted, labels, scores)


def balanced_accuracy(labels: np.ndarray, predicted: np.ndarray) -> float | None:
    return _one(balanced_accuracy_weighted, labels, predicted)


def pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        return None
    return _one(pearson_weighted, x, y)


def kendall_tau_b(x: np.ndarray, y: np.ndarray) -> float | None:
    return _one(kendall_weighted, x, y)


def _centred(values: np.ndarray) -> np.ndarray:
    scale = float(np.abs(values).max()) if len(values) else 0.0
    scaled = values / scale if scale else values
    return scaled - scaled.mean() if len(scaled) else scaled


def spearman_weights(weight_x: dict[float, int], weight_y: dict[float, int],
                     pairs: dict[tuple[float, float], int]) -> float:
    """Spearman's rho of two per-character vectors given only as value counts, without expanding them.

    `weight_x` / `weight_y` count the characters carrying each value, `pairs` each (x, y) pair.
    A value's average rank follows from the count of smaller values, and the Pearson correlation
    of ranks is then a weighted sum over the pairs. Callers rule out constant vectors first
    (Mu-SHROOM gives those a fixed value), so the denominator is positive.
    """
    mean = (sum(weight_x.values()) + 1) / 2
    rank_x, var_x = _centred_ranks(weight_x, mean)
    rank_y, var_y = _centred_ranks(weight_y, mean)
    cov = sum(w * rank_x[x] * rank_y[y] for (x, y), w in pairs.items())
    return cov / math.sqrt(var_x * var_y)


def _centred_ranks(weights: dict[float, int], mean: float) -> tuple[dict[float, float], float]:
    """Average rank minus the mean rank for each value, and the weighted sum of their squares."""
    below, ranks, variance = 0, {}, 0.0
    for value in sorted(weights):
        w = weights[value]
        ranks[value] = below + (w + 1) / 2 - mean
        variance += w * ranks[value] ** 2
        below += w
    return ranks, variance


def percentile_interval(samples: Any, level: float = 0.95) -> list[float] | None:
    """Percentile bootstrap interval over the resamples where the statistic was defined (None or NaN elsewhere)."""
    values = np.array([np.nan if s is None else s for s in samples], dtype=float)
    defined = values[~np.isnan(values)]
    if not len(defined):
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(defined, [tail, 100 - tail])
    return [float(low), float(high)]
