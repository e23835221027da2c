"""Scored rows to a report: corpus metrics, per-source rows with class counts, macro averages over the
sources large enough to count, per-category recall and bootstrap intervals."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from newserrata import scoring_stats as stats
from newserrata.metrics import REGISTRY, ratio, supported, undefined
from newserrata.scoring.bootstrap import Arrays, Columns, bootstrap_rows
from newserrata.scoring.format import MACRO_MIN_RECORDS, Report
from newserrata.scoring.match import RecordScore
from newserrata.scoring.options import Options


def per_source(rows: list[RecordScore] | Arrays, options: Options) -> tuple[dict[str, dict[str, Any]],
                                                                     dict[str, dict[str, list[float] | None]]]:
    """Each source's metrics with its record and class counts (a document metric without enough records
    of a class is None), and with a bootstrap, each source's intervals."""
    data = rows if isinstance(rows, Arrays) else Arrays(rows)
    out, intervals = {}, {}
    for source in sorted(set(data.source.tolist())):
        group = data.take(np.flatnonzero(data.source == source))
        errors = int(group.has_error.sum())
        clean = group.n - errors
        columns = Columns(group, options.resample)
        values = {name: value if supported(REGISTRY[name], errors, clean) else None
                  for name, value in columns.metrics().items()}
        out[source] = {"records": group.n, "with_error": errors, "without_error": clean} | values
        if options.bootstrap:
            samples = bootstrap_rows([columns], options.bootstrap, options.seed)[0]
            intervals[source] = {name: stats.percentile_interval(samples[name]) if values[name] is not None else None
                                 for name in samples}
    return out, intervals


def macro(sources: dict[str, dict[str, Any]]) -> tuple[dict[str, float | None], list[str]]:
    """Each metric's mean over the sources with at least MACRO_MIN_RECORDS records where it is defined."""
    counted = [name for name, m in sources.items() if m["records"] >= MACRO_MIN_RECORDS]
    out: dict[str, float | None] = {}
    for name in REGISTRY:
        values = [sources[s][name] for s in counted if sources[s].get(name) is not None]
        out[name] = sum(values) / len(values) if values else None
    return out, counted


def summarize(rows: list[RecordScore], categories: dict[str, Counter[str]], *, gold: str, missing: int,
              options: Options | None = None, ignored: int = 0) -> Report:
    options = options or Options()
    data = Arrays(rows)
    columns = Columns(data, options.resample)
    sources, source_intervals = per_source(data, options)
    per_category = {}
    for category in sorted(set(categories["gold_chars"]) | set(categories["predicted_chars"])):
        g, f = categories["gold_chars"][category], categories["found_chars"][category]
        p, m = categories["predicted_chars"][category], categories["predicted_in_gold"][category]
        per_category[category] = {"gold_chars": g, "found_chars": f, "recall": ratio(f, g),
                                  "predicted_chars": p, "predicted_in_gold": m, "precision": ratio(m, p)}
    intervals: dict[str, list[float] | None] = {}
    if options.bootstrap and rows:
        samples = bootstrap_rows([columns], options.bootstrap, options.seed)[0]
        intervals = {name: stats.percentile_interval(samples[name]) for name in samples}
    t = columns.totals
    localised = [r for r in rows if r.localised]
    counts = {
        "gold_chars": int(t["gold_chars"]),
        "predicted_chars": int(t["pred_chars"]),
        "matched_chars": int(t["matched"]),
        "severity_credit": float(t["credit"]),
        "empty_both": int(t["span_records"] - t["iou_records"]),
        "gold_with_error": int(sum(r.gold_has_error for r in rows)),
        "predicted_with_error": int(sum(r.pred_has_error for r in rows)),
        "segments_scored": int(columns.segment_count),
        "not_localised": len(rows) - len(localised),
    }
    verdicts, scores = sum(r.verdict_given for r in rows), sum(r.score_given for r in rows)
    document_from = {"has_error": {"verdict": verdicts, "spans": len(rows) - verdicts},
                     "score": {"prediction": scores, "spans": len(rows) - scores}}
    metrics = columns.metrics()
    groups = len({r.group_id for r in rows})
    averages, counted = macro(sources)
    return Report(gold, len(rows), missing, metrics, counts, per_category, sources, intervals, options.bootstrap,
                  options.seed, undefined(metrics), averages, options.resample, groups, document_from,
                  options.mqm_per, counted, source_intervals, options.subset, ignored)



