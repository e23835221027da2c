"""One record's prediction against its gold: the handful of numbers every metric is built from.

Each record is reduced to characters marked, matched, severity credit, the two Mu-SHROOM values and the
document-level inputs, computed on interval runs, so the cost follows the number of spans and not the
length of the articles. Definitions, and where they differ from the published scorers, are in
docs/scoring.md.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field

from newserrata.aggregate import Interval, merge
from newserrata.predictions import PredictedSpan, Prediction
from newserrata.scoring.gold import Gold, per_length
from newserrata.scoring_stats import spearman_weights
from newserrata.taxonomy import weight

CATEGORY_COUNTS = ("gold_chars", "found_chars", "predicted_chars", "predicted_in_gold")


def category_counts() -> dict[str, Counter[str]]:
    return {k: Counter() for k in CATEGORY_COUNTS}


@dataclass(slots=True)
class RecordScore:
    id: str
    group_id: str
    source: str
    gold_chars: int
    pred_chars: int
    matched: int
    credit: float
    shroom_iou: float
    shroom_cor: float
    record_iou: float | None
    gold_has_error: bool
    pred_has_error: bool
    pred_score: float
    gold_badness: float
    verdict_given: bool = False
    score_given: bool = False
    segments: list[tuple[float, float]] = field(default_factory=list)
    """(predicted, gold) badness of each predicted, rated segment."""
    process: str = "unknown"
    localised: bool = True
    """False: the record's span values are left out of every character and span metric."""



def _overlaps(gold: list[Interval], pred: list[Interval]) -> list[int]:
    """For each gold run, how many of its characters the (merged, sorted) predicted runs cover."""
    out, j = [], 0
    for start, end in gold:
        while j < len(pred) and pred[j][1] <= start:
            j += 1
        total, k = 0, j
        while k < len(pred) and pred[k][0] < end:
            total += min(end, pred[k][1]) - max(start, pred[k][0])
            k += 1
        out.append(total)
    return out


def _max_runs(spans: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Overlapping spans to disjoint runs carrying the highest probability that covers them."""
    spans = sorted(spans)
    if all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1)):
        return spans
    points = sorted({p for s, e, _ in spans for p in (s, e)})
    out: list[tuple[int, int, float]] = []
    for a, b in itertools.pairwise(points):
        probs = [p for s, e, p in spans if s <= a and e >= b]
        if probs:
            out.append((a, b, max(probs)))
    return out


def _level_weights(runs: list[tuple[int, int, float]], length: int) -> dict[float, int]:
    """How many characters carry each value; characters outside the runs carry 0."""
    weights: dict[float, int] = {}
    covered = 0
    for start, end, value in runs:
        weights[value] = weights.get(value, 0) + end - start
        covered += end - start
    if covered < length:
        weights[0.0] = weights.get(0.0, 0) + length - covered
    return weights


def _pair_weights(gold: list[tuple[int, int, float]], pred: list[tuple[int, int, float]],
                  gold_weights: dict[float, int]) -> dict[tuple[float, float], int]:
    """How many characters carry each (gold value, predicted value) pair, from the runs' overlaps. Both run
    lists are sorted and disjoint, so one pointer walks the gold runs once."""
    pairs: dict[tuple[float, float], int] = {}
    under_pred: dict[float, int] = {}
    i, n = 0, len(gold)
    for a, b, y in pred:
        while i < n and gold[i][1] <= a:
            i += 1
        covered, k = 0, i
        while k < n and gold[k][0] < b:
            start, end, x = gold[k]
            overlap = (end if end < b else b) - (start if start > a else a)
            pairs[x, y] = pairs.get((x, y), 0) + overlap
            under_pred[x] = under_pred.get(x, 0) + overlap
            covered += overlap
            k += 1
        if b - a > covered:
            pairs[0.0, y] = pairs.get((0.0, y), 0) + b - a - covered
            under_pred[0.0] = under_pred.get(0.0, 0) + b - a - covered
    for x, w in gold_weights.items():
        rest = w - under_pred.get(x, 0)
        if rest:
            pairs[x, 0.0] = pairs.get((x, 0.0), 0) + rest
    return pairs


def shroom_cor(length: int, gold_soft: list[tuple[int, int, float]], spans: list[PredictedSpan]) -> float:
    """Mu-SHROOM's per-record Spearman correlation, with its rules for constant vectors (see docs).

    A vector is constant when its values rounded to 8 digits are all equal. Two constant vectors
    agree (1.0) unless exactly one of them is all zero: the published scorer gives 1.0 there too,
    which hands a free point to "everything is an error" against an error-free reference.
    """
    if length == 0:
        return 1.0
    pred_soft = _max_runs([(s.start, s.end, s.prob) for s in spans if s.severity != "neutral" and s.end > s.start])
    gold_weights, pred_weights = _level_weights(gold_soft, length), _level_weights(pred_soft, length)
    xs = {round(v, 8) for v in gold_weights}
    ys = {round(v, 8) for v in pred_weights}
    if len(xs) == 1 and len(ys) == 1:
        return 1.0 if (0.0 in xs) == (0.0 in ys) else 0.0
    if len(xs) == 1 or len(ys) == 1:
        return 0.0

    return spearman_weights(gold_weights, pred_weights, _pair_weights(gold_soft, pred_soft, gold_weights))


def _runs(intervals: list[Interval]) -> list[Interval]:
    return intervals if len(intervals) == 1 else merge(intervals)


def score_record(gold: Gold, prediction: Prediction, categories: dict[str, Counter[str]],
                 mqm_per: int | None = None) -> RecordScore:
    # Hard predictions (what char_p/char_r, the IoUs and has_error see): prob above 0.5, not a neutral remark.
    hard = [s for s in prediction.spans if s.prob > 0.5 and s.severity != "neutral"]
    gold_runs = [(s, e) for s, e, _, _ in gold.spans]
    pred_all = merge([(s.start, s.end) for s in hard]) if hard else []
    found = _overlaps(gold_runs, pred_all) if pred_all and gold_runs else [0] * len(gold_runs)
    matched = sum(found)
    same_severity = 0
    if matched:  # no character matched: no severity credit, and no category's prediction is inside the gold
        by_severity: dict[bool, list[Interval]] = {}
        for s in hard:
            if s.end > s.start:
                by_severity.setdefault(s.severity == "major", []).append((s.start, s.end))
        for major, intervals in by_severity.items():
            overlaps = _overlaps(gold_runs, _runs(intervals))
            same_severity += sum(n for n, g in zip(overlaps, gold.spans, strict=True) if (g[2] == "major") == major)
    if gold.localised:
        gold_chars_of, found_of = categories["gold_chars"], categories["found_chars"]
        for (start, end, _, category), n in zip(gold.spans, found, strict=True):
            gold_chars_of[category] += end - start
            found_of[category] += n
        by_category: dict[str, list[Interval]] = {}
        for s in hard:
            if s.category and s.end > s.start:
                by_category.setdefault(s.category, []).append((s.start, s.end))
        for category, intervals in by_category.items():
            runs = _runs(intervals)
            categories["predicted_chars"][category] += sum(e - s for s, e in runs)
            if matched:
                categories["predicted_in_gold"][category] += sum(_overlaps(runs, gold_runs))
    gold_chars = sum(e - s for s, e in gold_runs)
    pred_chars = sum(e - s for s, e in pred_all)
    union = gold_chars + pred_chars - matched
    pred_score = prediction.score
    if pred_score is None:
        pred_score = per_length(sum(weight(s.category or "other", s.severity) for s in hard), gold.length, mqm_per)
    segments = [(predicted, gold.segments[i]) for i, predicted in sorted(prediction.segments.items())
                if i < len(gold.segments) and gold.segments[i] is not None] if prediction.segments else []
    return RecordScore(  # in field order: keywords cost a measurable share of the per-record time
        gold.id, gold.group_id, gold.source, gold_chars, pred_chars, matched, 0.5 * matched + 0.5 * same_severity,
        matched / union if union else 1.0, shroom_cor(gold.length, gold.soft, prediction.spans),
        matched / union if union else None, gold.has_error,
        pred_chars > 0 if prediction.has_error is None else prediction.has_error, float(pred_score), gold.badness,
        prediction.has_error is not None, prediction.score is not None, segments, gold.process, gold.localised)
