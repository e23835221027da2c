"""Per-record numbers as columns summed per resampling unit, so that the estimate and every bootstrap
resample are the same computation: a matrix product and a few weighted rank statistics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from newserrata.metrics import MIN_SUPPORT, Inputs, compute, compute_rows
from newserrata.scoring.match import RecordScore
from newserrata.scoring_stats import Pairs

SUMS = ("gold_chars", "pred_chars", "matched", "credit", "shroom_iou", "shroom_cor", "record_iou", "iou_records",
        "records", "span_records")
SPAN_COLUMNS = 8
"""The first columns of SUMS describe spans: a record that is not localised contributes nothing to them."""
CHUNK_CELLS = 2_000_000
"""Resamples are drawn in blocks of about this many (resample, record) cells, which bounds memory."""


class Columns:
    """Per-record numbers of a set of records, summed per resampling unit (a source document, `group_id`,
    or a record), so the metrics of any weighting of the units, the estimate itself (one row of ones) or
    a block of bootstrap resamples (a count matrix), are a matrix product and a few weighted rank
    statistics."""

    def __init__(self, rows: list[RecordScore], resample: str = "groups") -> None:
        keys = [r.group_id for r in rows] if resample == "groups" else list(range(len(rows)))
        units: dict[Any, int] = {}
        self.unit = np.array([units.setdefault(k, len(units)) for k in keys], dtype=np.int64)
        self.units = len(units)
        self.n = len(rows)
        per_record = np.array([[r.gold_chars, r.pred_chars, r.matched, r.credit, r.shroom_iou, r.shroom_cor,
                                r.record_iou or 0.0, r.record_iou is not None, 1.0, 1.0] for r in rows],
                              dtype=float).reshape(self.n, len(SUMS))
        localised = np.array([r.localised for r in rows], dtype=bool)
        if not localised.all():
            per_record[~localised, :SPAN_COLUMNS] = 0.0
            per_record[~localised, SUMS.index("span_records")] = 0.0
        self.unit_sums = np.zeros((self.units, len(SUMS)))
        np.add.at(self.unit_sums, self.unit, per_record)
        self.totals = dict(zip(SUMS, per_record.sum(0).tolist(), strict=True))
        has_error = np.array([r.gold_has_error for r in rows], dtype=float)
        score = np.array([r.pred_score for r in rows], dtype=float)
        badness = np.array([r.gold_badness for r in rows], dtype=float)
        self.scored = Pairs(has_error, score, self.unit)
        self.verdicts = Pairs(has_error, np.array([r.pred_has_error for r in rows], dtype=float), self.unit)
        self.ranked = Pairs(score, badness, self.unit)
        segments = [(p, g, u) for r, u in zip(rows, self.unit.tolist(), strict=True) for p, g in r.segments]
        seg = np.array(segments, dtype=float).reshape(len(segments), 3)
        self.segments = Pairs(seg[:, 0], seg[:, 1], seg[:, 2].astype(np.int64))
        self.segment_count = len(segments)
        self.by_source = self._by_source([r.source for r in rows], has_error, score, badness)

    def _by_source(self, sources: list[str], has_error: Any, score: Any, badness: Any) -> tuple[Any, ...]:
        """(scored, ranked) pairs of each source with at least MIN_SUPPORT records, for the within-source
        metrics; the per-source class rule of AUROC is applied by the statistic (one class: undefined) and by
        `metrics.supported` in the per-source rows."""
        names = np.array(sources, dtype=object)
        out = []
        for name in sorted(set(sources)):
            mask = names == name
            errors = int(has_error[mask].sum())
            if int(mask.sum()) < MIN_SUPPORT:
                continue
            scored = Pairs(has_error[mask], score[mask], self.unit[mask]) if min(errors, int(mask.sum()) - errors) \
                >= MIN_SUPPORT else Pairs(np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64))
            out.append((scored, Pairs(score[mask], badness[mask], self.unit[mask])))
        return tuple(out)

    def inputs(self, unit_weights: Any) -> Inputs:
        sums = unit_weights @ self.unit_sums
        return Inputs({k: sums[:, i] for i, k in enumerate(SUMS)}, unit_weights, self.scored, self.verdicts,
                      self.ranked, self.segments, self.by_source)

    def rows(self, unit_weights: Any) -> dict[str, Any]:
        """Every registered metric under each row of `unit_weights` (resamples x units), NaN where undefined."""
        return compute_rows(self.inputs(unit_weights))

    def metrics(self) -> dict[str, float | None]:
        """Every registered metric on all the records."""
        return compute(self.inputs(np.ones((1, self.units))))


def resample_blocks(units: int, records: int, resamples: int, seed: int) -> Iterator[Any]:
    """Bootstrap count matrices (block of resamples x units): each row draws `units` units with replacement.
    The block size depends only on the number of records, so a seed gives the same resamples everywhere."""
    rng = np.random.default_rng(seed)
    size = max(1, min(resamples, CHUNK_CELLS // max(records, units, 1)))
    for first in range(0, resamples, size):
        rows = min(size, resamples - first)
        draws = rng.integers(0, units, (rows, units)) + units * np.arange(rows)[:, None]
        yield np.bincount(draws.ravel(), minlength=rows * units).reshape(rows, units).astype(float)


def bootstrap_rows(systems: list[Columns], resamples: int, seed: int) -> list[dict[str, Any]]:
    """Every metric of every system on the same resamples (paired): per system, name -> (R,) array.
    The systems were scored on the same records in the same order, so one count matrix serves them all."""
    first = systems[0]
    out: list[dict[str, list[Any]]] = [{} for _ in systems]
    if first.units:
        for counts in resample_blocks(first.units, first.n, resamples, seed):
            for system, values in zip(systems, out, strict=True):
                for name, row in system.rows(counts).items():
                    values.setdefault(name, []).append(row)
    return [{name: np.concatenate(v) for name, v in values.items()} for values in out]
