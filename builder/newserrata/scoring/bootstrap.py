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


class Arrays:
    """Scored rows as one array per column, made once: the whole split and each source's rows are then
    index selections, not new passes over the rows."""

    def __init__(self, rows: list[RecordScore]) -> None:
        self.n = len(rows)
        self.group = np.array([r.group_id for r in rows], dtype=object)
        self.source = np.array([r.source for r in rows], dtype=object)
        record_iou = [r.record_iou for r in rows]
        columns = [[r.gold_chars for r in rows], [r.pred_chars for r in rows], [r.matched for r in rows],
                   [r.credit for r in rows], [r.shroom_iou for r in rows], [r.shroom_cor for r in rows],
                   [v or 0.0 for v in record_iou], [v is not None for v in record_iou]]
        self.sums = np.ones((self.n, len(SUMS)))
        for i, column in enumerate(columns):
            self.sums[:, i] = column
        localised = np.array([r.localised for r in rows], dtype=bool)
        if not localised.all():
            self.sums[~localised, :SPAN_COLUMNS] = 0.0
            self.sums[~localised, SUMS.index("span_records")] = 0.0
        self.has_error = np.array([r.gold_has_error for r in rows], dtype=float)
        self.score = np.array([r.pred_score for r in rows], dtype=float)
        self.badness = np.array([r.gold_badness for r in rows], dtype=float)
        self.verdict = np.array([r.pred_has_error for r in rows], dtype=float)
        self.segments = [r.segments for r in rows]

    def take(self, index: Any) -> Arrays:
        out = object.__new__(Arrays)
        out.n = len(index)
        for name in ("group", "source", "sums", "has_error", "score", "badness", "verdict"):
            setattr(out, name, getattr(self, name)[index])
        out.segments = [self.segments[i] for i in index.tolist()]
        return out


class Columns:
    """Per-record numbers of a set of records, summed per resampling unit (a source document, `group_id`,
    or a record), so the metrics of any weighting of the units, the estimate itself (one row of ones) or
    a block of bootstrap resamples (a count matrix), are a matrix product and a few weighted rank
    statistics."""

    def __init__(self, rows: list[RecordScore] | Arrays, resample: str = "groups") -> None:
        data = rows if isinstance(rows, Arrays) else Arrays(rows)
        self.n = data.n
        keys = data.group.tolist() if resample == "groups" else range(self.n)
        units: dict[Any, int] = {}
        self.unit = np.array([units.setdefault(k, len(units)) for k in keys], dtype=np.int64)
        self.units = len(units)
        self.unit_sums = np.zeros((self.units, len(SUMS)))
        np.add.at(self.unit_sums, self.unit, data.sums)
        self.totals = dict(zip(SUMS, data.sums.sum(0).tolist(), strict=True))
        self.scored = Pairs(data.has_error, data.score, self.unit)
        self.verdicts = Pairs(data.has_error, data.verdict, self.unit)
        self.ranked = Pairs(data.score, data.badness, self.unit)
        segments = [(p, g, u) for pairs, u in zip(data.segments, self.unit.tolist(), strict=True) for p, g in pairs]
        seg = np.array(segments, dtype=float).reshape(len(segments), 3)
        self.segments = Pairs(seg[:, 0], seg[:, 1], seg[:, 2].astype(np.int64))
        self.segment_count = len(segments)
        self.by_source = self._by_source(list(data.source), data.has_error, data.score, data.badness)

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
