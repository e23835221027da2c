"""Every metric of the benchmark, declared once: its name, how it is computed from the scorer's per-record
columns, its direction, whether it is a headline number, its report label, its one-line meaning and the
docs/scoring.md section defining it.

The scorer's tables, the baselines table, the card, the report page and the lm-evaluation-harness task all
read this registry when they run (never a copy taken at import), so a metric cannot be added, renamed or
dropped in one of them and not in the others, and a metric registered later is computed everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from newserrata.scoring_stats import (
    auroc_weighted,
    balanced_accuracy_weighted,
    kendall_weighted,
    nan_ratio,
    pearson_weighted,
)


@dataclass(frozen=True, slots=True)
class Inputs:
    """Every metric's inputs under R weightings of the same records: R bootstrap resamples, or one row of
    ones for the estimate itself. `sums` holds each per-record column summed under each weighting ((R,)
    arrays); the rank statistics weight their paired columns (`scoring_stats.Pairs`) themselves."""

    sums: dict[str, Any]
    group_weights: Any
    scored: Any
    verdicts: Any
    ranked: Any
    segments: Any
    by_source: tuple[Any, ...] = ()
    """Per source with enough records (`MIN_SUPPORT`), its (scored, ranked) pairs: the within-source metrics."""

    def __getattr__(self, name: str) -> Any:
        return self.sums[name]


@dataclass(frozen=True, slots=True)
class Section:
    """A docs/scoring.md section and the card's one-line definition of the metrics it defines."""

    heading: str
    card: str
    card_name: str | None = None


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    label: str
    description: str
    section: Section
    compute: Callable[[Inputs], Any]
    undefined: str
    higher_is_better: bool = True
    headline: bool = False
    support: str = ""
    """"classes": a per-source value needs MIN_SUPPORT records of each gold class; "records": MIN_SUPPORT records."""
    in_card: bool = True
    in_baselines: bool = False
    in_harness: bool = False


CHARACTER = Section("Character metrics", "micro precision, recall and F1 over all characters of the split")
SEVERITY = Section("Severity-aware F1 (`char_f1_sev`), WMT23 QE Task 2",
                   "character F1 where a matched character earns 1 with the gold severity and 0.5 with another")
SHROOM = Section("Mu-SHROOM metrics (`shroom_iou`, `shroom_cor`), SemEval-2025 Task 3",
                 "SemEval-2025 Mu-SHROOM per-record IoU and Spearman correlation of character probabilities, "
                 "averaged over records")
RECORD = Section("Record IoU (`record_iou`)", "per-record IoU over records where gold or prediction is non-empty")
DOCUMENT = Section("Document level", "AUROC and balanced accuracy of `has_error`; Kendall and Pearson correlation "
                   "with `mqm_score`; each pooled over the split and as a mean within source (`*_within`)",
                   card_name="document level")
SEGMENT = Section("Segment level", "Kendall and Pearson correlation of predicted segment scores with the segment MQM "
                  "scores (WMT QE)", card_name="segment level")
SECTIONS = (CHARACTER, SEVERITY, SHROOM, RECORD, DOCUMENT, SEGMENT)
REGISTRY: dict[str, Metric] = {}
MIN_SUPPORT = 10
"""Fewest records of each gold class (class metrics) or in all (correlations) for a per-source document value."""
NOTHING_PREDICTED = "nothing predicted"
NO_GOLD = "no gold error character"
NEITHER = "no gold and no predicted error character"
NO_RECORDS = "no records"
NO_RANKING = "fewer than two records, or the predicted score or the gold badness is constant"
NO_SOURCE = f"no source with enough records ({MIN_SUPPORT} of each class, or {MIN_SUPPORT} records) defines it"
NO_SEGMENTS = "fewer than two predicted rated segments, or the predicted or the gold segment score is constant"


def register_metric(metric: Metric) -> Metric:
    if metric.name in REGISTRY:
        raise ValueError(f"metric {metric.name!r} is registered twice")
    REGISTRY[metric.name] = metric
    return metric


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _within(statistic: Callable[[Any, Any], Any], which: int) -> Callable[[Inputs], Any]:
    """The mean over sources of a document statistic computed within each source (NaN where none defines it):
    pooled values mostly rank sources against each other, within-source values rank records of one source."""

    def compute(c: Inputs) -> Any:
        values = [statistic(pairs[which], c.group_weights) for pairs in c.by_source]
        if not values:
            return np.full(len(c.group_weights), np.nan)
        stacked = np.stack(values)
        defined = ~np.isnan(stacked)
        return nan_ratio(np.where(defined, stacked, 0).sum(0), defined.sum(0).astype(float))

    return compute


for _metric in (
    Metric("char_p", "Char P", "hard-predicted characters that are gold error characters", CHARACTER,
           lambda c: nan_ratio(c.matched, c.pred_chars), NOTHING_PREDICTED, in_baselines=True),
    Metric("char_r", "Char R", "gold error characters that are hard-predicted", CHARACTER,
           lambda c: nan_ratio(c.matched, c.gold_chars), NO_GOLD, in_baselines=True),
    Metric("char_f1", "Char F1", "micro F1 over all characters of the split", CHARACTER,
           lambda c: nan_ratio(2 * c.matched, c.gold_chars + c.pred_chars), NEITHER, headline=True,
           in_baselines=True, in_harness=True),
    Metric("char_p_sev", "Severity P", "char_p with half credit for a match of the other severity", SEVERITY,
           lambda c: nan_ratio(c.credit, c.pred_chars), NOTHING_PREDICTED, in_card=False),
    Metric("char_r_sev", "Severity R", "char_r with half credit for a match of the other severity", SEVERITY,
           lambda c: nan_ratio(c.credit, c.gold_chars), NO_GOLD, in_card=False),
    Metric("char_f1_sev", "Severity F1", "char_f1 with half credit for a match of the other severity (WMT QE 2023)",
           SEVERITY, lambda c: nan_ratio(2 * c.credit, c.gold_chars + c.pred_chars), NEITHER, headline=True,
           in_baselines=True, in_harness=True),
    Metric("shroom_iou", "Mu-SHROOM IoU", "per-record character IoU, 1 for empty-vs-empty, mean over records",
           SHROOM, lambda c: nan_ratio(c.shroom_iou, c.span_records), NO_RECORDS, in_baselines=True,
           in_harness=True),
    Metric("shroom_cor", "Mu-SHROOM cor", "per-record Spearman correlation of character probabilities, mean over "
           "records", SHROOM, lambda c: nan_ratio(c.shroom_cor, c.span_records), NO_RECORDS, in_baselines=True,
           in_harness=True),
    Metric("record_iou", "Record IoU", "per-record character IoU over records where gold or prediction is "
           "non-empty", RECORD, lambda c: nan_ratio(c.record_iou, c.iou_records), "every record is empty-vs-empty",
           headline=True, in_baselines=True, in_harness=True),
    Metric("auroc", "AUROC", "area under the ROC curve of the predicted score for has_error, pooled over sources",
           DOCUMENT, lambda c: auroc_weighted(c.scored, c.group_weights), "the gold has only one class",
           support="classes", in_baselines=True),
    Metric("balanced_accuracy", "Balanced acc.", "mean per-class recall of the predicted has_error", DOCUMENT,
           lambda c: balanced_accuracy_weighted(c.verdicts, c.group_weights), NO_RECORDS, support="classes"),
    Metric("kendall", "Kendall τ", "Kendall's tau-b between the predicted score and the gold MQM badness, pooled "
           "over sources", DOCUMENT, lambda c: kendall_weighted(c.ranked, c.group_weights), NO_RANKING,
           support="records", in_baselines=True),
    Metric("pearson", "Pearson", "Pearson's r between the predicted score and the gold MQM badness, pooled over "
           "sources", DOCUMENT, lambda c: pearson_weighted(c.ranked, c.group_weights), NO_RANKING,
           support="records"),
    Metric("auroc_within", "AUROC within source", "mean over sources (with 10 records of each class) of the "
           "per-source AUROC", DOCUMENT, _within(auroc_weighted, 0), NO_SOURCE, headline=True,
           support="classes", in_baselines=True),
    Metric("kendall_within", "Kendall τ within source", "mean over sources (with 10 records) of the per-source "
           "Kendall's tau-b", DOCUMENT, _within(kendall_weighted, 1), NO_SOURCE, headline=True,
           support="records", in_baselines=True),
    Metric("pearson_within", "Pearson within source", "mean over sources (with 10 records) of the per-source "
           "Pearson's r", DOCUMENT, _within(pearson_weighted, 1), NO_SOURCE, support="records"),
    Metric("segment_kendall", "Segment Kendall τ", "Kendall's tau-b between predicted segment scores and the "
           "segment MQM badness, pooled over the split's rated segments", SEGMENT,
           lambda c: kendall_weighted(c.segments, c.group_weights), NO_SEGMENTS),
    Metric("segment_pearson", "Segment Pearson", "Pearson's r between predicted segment scores and the segment "
           "MQM badness, pooled over the split's rated segments", SEGMENT,
           lambda c: pearson_weighted(c.segments, c.group_weights), NO_SEGMENTS),
):
    register_metric(_metric)


def registered() -> tuple[Metric, ...]:
    """Every metric, in registration order, as registered now."""
    return tuple(REGISTRY.values())


def headline() -> tuple[str, ...]:
    """The few numbers to cite and compare systems on: the leaderboard, the paired tests, the table's top."""
    return tuple(m.name for m in registered() if m.headline)


def baseline_metrics() -> tuple[str, ...]:
    return tuple(m.name for m in registered() if m.in_baselines)


def harness_metrics() -> tuple[Metric, ...]:
    return tuple(m for m in registered() if m.in_harness)


def compute_rows(inputs: Inputs) -> dict[str, Any]:
    """Every metric under each of the inputs' weightings, as (R,) arrays with NaN where undefined."""
    return {m.name: np.asarray(m.compute(inputs), dtype=float) for m in registered()}


def compute(inputs: Inputs) -> dict[str, float | None]:
    """Every metric under the inputs' single weighting; a value that is not a finite number is undefined
    (JSON has no NaN or Infinity)."""
    values = {name: float(v[0]) for name, v in compute_rows(inputs).items()}
    return {k: v if math.isfinite(v) else None for k, v in values.items()}


def undefined(values: dict[str, float | None]) -> dict[str, str]:
    """Why each undefined (None) metric is undefined."""
    return {name: REGISTRY[name].undefined for name, value in values.items() if value is None}


def supported(metric: Metric, with_error: int, without_error: int) -> bool:
    """Whether a per-source value of `metric` rests on enough records to be printed as a number."""
    if metric.support == "classes":
        return min(with_error, without_error) >= MIN_SUPPORT
    if metric.support == "records":
        return with_error + without_error >= MIN_SUPPORT
    return True


def card_rows() -> list[tuple[str, str]]:
    """(metric names, definition) per docs section, for the card's metric table."""
    rows = []
    for section in SECTIONS:
        names = [m.name for m in registered() if m.section is section and m.in_card]
        if names:
            rows.append((section.card_name or ", ".join(names), section.card))
    return rows


def card_text() -> list[str]:
    """The card's sentence after the metric table: which numbers are the headline, from the registry."""
    return ["Headline metrics (the leaderboard's, and the ones to cite): "
            + ", ".join(f"`{name}`" for name in headline()) + ". Document-level metrics are also given within "
            "each source (`*_within`: the mean of per-source values); cite those, since pooled values over "
            "sources also rank sources against each other, which text length alone does well (the `length` "
            "baseline below). The scorer "
            f"adds per-category recall, per-source rows (a per-source document metric on fewer than {MIN_SUPPORT} "
            "records of a class is n/a), subsets (`--source`, `--process`, `--language-pair`, "
            "`--exclude-human`) and seeded bootstrap 95% intervals."]


def labels() -> dict[str, str]:
    """What the report page calls each metric."""
    return {m.name: m.label for m in registered()}
