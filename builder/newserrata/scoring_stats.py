"""Rank statistics the scorer needs, written out because scipy is not a runtime dependency.

Every function returns None where the statistic is undefined (too few items, a constant
input, a single class) instead of a number that only looks like a result. The tests check
each one against scipy / scikit-learn on random data with ties.
"""

from __future__ import annotations

import math

import numpy as np


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


def auroc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve as the Mann-Whitney statistic (ties count one half)."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if not positives or not negatives:
        return None
    ranks = average_ranks(scores)
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def balanced_accuracy(labels: np.ndarray, predicted: np.ndarray) -> float | None:
    """Mean recall over the classes present in the gold (scikit-learn's definition)."""
    recalls = [float((predicted[labels == c] == c).mean()) for c in (False, True) if (labels == c).any()]
    return sum(recalls) / len(recalls) if recalls else None


def pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    """Each side is first scaled into [-1, 1] (r does not change): sums of squares of scores near the
    float limit would otherwise overflow to inf and give NaN, or a wrong 0.0."""
    if len(x) < 2 or not (np.isfinite(x).all() and np.isfinite(y).all()):
        return None
    dx, dy = _centred(x), _centred(y)
    denominator = math.sqrt(float(dx @ dx)) * math.sqrt(float(dy @ dy))
    return max(-1.0, min(1.0, float(dx @ dy) / denominator)) if denominator else None


def _centred(values: np.ndarray) -> np.ndarray:
    scale = float(np.abs(values).max())
    scaled = values / scale if scale else values
    return scaled - scaled.mean()


def _tied_pairs(values: np.ndarray) -> int:
    _, counts = np.unique(values, return_counts=True)
    return int((counts * (counts - 1) // 2).sum())


def _inversions(a: np.ndarray) -> int:
    """Pairs i < j with a[i] > a[j], by bottom-up merging in O(n log^2 n) numpy work.

    At each width, every element of a right half counts the elements of its left half that are
    larger: both halves are sorted from the previous pass, so one searchsorted over all blocks
    (keys offset by block number) answers every block at once.
    """
    n = len(a)
    if n < 2:
        return 0
    a = np.unique(a, return_inverse=True)[1].astype(np.int64).ravel()
    m = int(a.max()) + 1
    positions = np.arange(n)
    total, width = 0, 1
    while width < n:
        block = positions // (2 * width)
        right = (positions % (2 * width)) >= width
        keys = block * m + a
        left_keys = keys[~right]
        not_larger = np.searchsorted(left_keys, keys[right], side="right")
        left_end = np.searchsorted(left_keys, (block[right] + 1) * m, side="left")
        total += int((left_end - not_larger).sum())
        a = np.sort(keys) - block * m
        width *= 2
    return total


def kendall_tau_b(x: np.ndarray, y: np.ndarray) -> float | None:
    """Kendall's tau-b (scipy's default): ties in either variable shrink the denominator."""
    n = len(x)
    if n < 2:
        return None
    pairs = n * (n - 1) // 2
    ties_x, ties_y = _tied_pairs(x), _tied_pairs(y)
    ties_xy = _tied_pairs(np.unique(np.stack([x, y], axis=1), axis=0, return_inverse=True)[1].ravel())
    denominator = math.sqrt(float(pairs - ties_x) * float(pairs - ties_y))
    if not denominator:
        return None
    order = np.lexsort((y, x))
    discordant = _inversions(y[order])
    return (pairs - ties_x - ties_y + ties_xy - 2 * discordant) / denominator


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


def percentile_interval(samples: list[float | None], level: float = 0.95) -> list[float] | None:
    """Percentile bootstrap interval over the resamples where the statistic was defined."""
    defined = np.array([s for s in samples if s is not None], dtype=float)
    if not len(defined):
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(defined, [tail, 100 - tail])
    return [float(low), float(high)]
