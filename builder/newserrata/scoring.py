"""`newserrata score`: every metric of the benchmark from one pass over the gold.

Each record is reduced to a handful of numbers (characters marked, matched, severity credit,
the two Mu-SHROOM values, the document-level inputs) computed on interval runs, so the cost
follows the number of spans and not the length of the articles. Corpus metrics, per-source
breakdowns and bootstrap intervals are then sums and ranks over those columns.
Definitions, and where they differ from the published scorers, are in docs/scoring.md.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import datasets
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from huggingface_hub import list_repo_refs
from tqdm import tqdm

from newserrata import predictions as preds
from newserrata import scoring_stats as stats
from newserrata.aggregate import Interval, merge
from newserrata.checks import Level, check_record
from newserrata.collector import fewer_collections
from newserrata.errors import InputError, Problem, Problems
from newserrata.metrics import HEADLINE, Inputs, compute, compute_rows, ratio, undefined
from newserrata.paths import check_readable
from newserrata.predictions import Located, PredictedSpan, Prediction
from newserrata.records import Record
from newserrata.records_io import check_layout, iter_records, layout, split_files, versions_beside
from newserrata.scoring_stats import Pairs, spearman_weights
from newserrata.taxonomy import weight

HUB_ID = re.compile(r"[\w.-]+/[\w.-]+@[^\s@]+")


def per_length(badness: float, length: int, mqm_per: int | None) -> float:
    """MQM badness per `mqm_per` characters (unchanged when None); an empty text counts as one character."""
    return badness if mqm_per is None else badness * mqm_per / max(length, 1)


@dataclass(slots=True)
class Gold:
    """What the scorer needs of a record; the text itself is dropped once predictions are checked.
    `segments` holds each segment's gold badness, None where the segment is unrated."""

    id: str
    group_id: str
    source: str
    length: int
    spans: list[tuple[int, int, str, str]]
    soft: list[tuple[int, int, float]]
    badness: float
    has_error: bool
    segments: list[float | None] = field(default_factory=list)

    @classmethod
    def from_dict(cls, r: dict[str, Any], mqm_per: int | None = None) -> Gold:
        spans = sorted((s["start"], s["end"], s["severity"], s["category"]) for s in r["spans"])
        soft = sorted((s["start"], s["end"], float(s["prob"])) for s in r["soft_labels"])
        segments = [None if s.get("mqm_score") is None else
                    per_length(-float(s["mqm_score"]), s["end"] - s["start"], mqm_per) for s in r.get("segments") or ()]
        return cls(r["id"], r["group_id"], r["source"], len(r["text"]), spans, soft,
                   per_length(-float(r["mqm_score"]), len(r["text"]), mqm_per), bool(r["has_error"]), segments)


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


@dataclass
class Report:
    """Everything `newserrata score` prints; None marks a value that is undefined for this data."""

    gold: str
    records: int
    missing: int
    metrics: dict[str, float | None]
    counts: dict[str, int | float]
    per_category: dict[str, dict[str, float | None]]
    per_source: dict[str, dict[str, float | None]]
    intervals: dict[str, list[float] | None] = field(default_factory=dict)
    bootstrap: int = 0
    seed: int = 0
    undefined: dict[str, str] = field(default_factory=dict)
    macro: dict[str, float | None] = field(default_factory=dict)
    resample: str = "groups"
    groups: int = 0
    document_from: dict[str, dict[str, int]] = field(default_factory=dict)
    mqm_per: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def table(self) -> str:
        lines = [f"{self.gold}: {self.records} record(s) of {self.groups} source document(s), {self.missing} "
                 "scored as empty (no prediction)", self.notes(), ""]
        lines.append(f"{'metric':<20}{'micro':>9}{'macro':>9}" + ("   95% interval" if self.intervals else ""))
        for name in HEADLINE:
            interval = self.intervals.get(name)
            ci = f"   [{_fmt(interval[0])}, {_fmt(interval[1])}]" if interval else ""
            lines.append(f"{name:<20}{_fmt(self.metrics[name]):>9}{_fmt(self.macro.get(name)):>9}{ci}")
        lines.append(f"{'empty-vs-empty':<20}{int(self.counts['empty_both']):>9}   records left out of record_iou")
        lines += ["", f"{'source':<24}{'records':>8}{'char_f1':>9}{'sev_f1':>9}{'shr_iou':>9}{'shr_cor':>9}"]
        for name, m in self.per_source.items():
            lines.append(f"{name:<24}{int(m['records'] or 0):>8}{_fmt(m['char_f1']):>9}{_fmt(m['char_f1_sev']):>9}"
                         f"{_fmt(m['shroom_iou']):>9}{_fmt(m['shroom_cor']):>9}")
        lines += ["", f"{'gold category':<26}{'chars':>8}{'recall':>9}{'pred chars':>12}{'precision':>10}"]
        for name, c in self.per_category.items():
            lines.append(f"{name:<26}{int(c['gold_chars'] or 0):>8}{_fmt(c['recall']):>9}"
                         f"{int(c['predicted_chars'] or 0):>12}{_fmt(c['precision']):>10}")
        return "\n".join(lines)

    def notes(self) -> str:
        """Where the document-level inputs came from, how MQM is scaled, and what the bootstrap resampled."""
        n, doc = self.records, self.document_from
        verdicts, scores = doc.get("has_error", {}).get("verdict", 0), doc.get("score", {}).get("prediction", 0)
        notes = [f"document has_error: {verdicts} from predicted verdicts, {n - verdicts} from spans; "
                 f"document score: {scores} predicted, {n - scores} from spans",
                 "macro: mean over sources (language pairs / summaries) of the per-source values"]
        if self.mqm_per:
            notes.append(f"MQM badness per {self.mqm_per} characters")
        if self.bootstrap:
            unit = "source documents (group_id)" if self.resample == "groups" else "records"
            notes.append(f"95% intervals: {self.bootstrap} resamples of {unit}, seed {self.seed}")
        return "\n".join(notes)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


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
    """How many characters carry each (gold value, predicted value) pair, from the runs' overlaps."""
    pairs: dict[tuple[float, float], int] = {}
    under_pred: dict[float, int] = {}
    starts = [s for s, _, _ in gold]
    for a, b, y in pred:
        i, covered = max(bisect.bisect_right(starts, a) - 1, 0), 0
        while i < len(gold) and gold[i][0] < b:
            start, end, x = gold[i]
            overlap = min(b, end) - max(a, start)
            if overlap > 0:
                pairs[x, y] = pairs.get((x, y), 0) + overlap
                under_pred[x] = under_pred.get(x, 0) + overlap
                covered += overlap
            i += 1
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
    by_severity: dict[str, list[Interval]] = {}
    by_category: dict[str, list[Interval]] = {}
    for s in hard:
        if s.end == s.start:
            continue
        by_severity.setdefault(s.severity, []).append((s.start, s.end))
        if s.category:
            by_category.setdefault(s.category, []).append((s.start, s.end))
    pred_all = merge([(s.start, s.end) for s in hard])
    gold_runs = [(s, e) for s, e, _, _ in gold.spans]
    found = _overlaps(gold_runs, pred_all)
    same_severity = 0
    for severity, intervals in by_severity.items():
        major = severity == "major"
        overlaps = _overlaps(gold_runs, _runs(intervals))
        same_severity += sum(n for n, g in zip(overlaps, gold.spans, strict=True) if (g[2] == "major") == major)
    for (start, end, _, category), n in zip(gold.spans, found, strict=True):
        categories["gold_chars"][category] += end - start
        categories["found_chars"][category] += n
    for category, intervals in by_category.items():
        runs = _runs(intervals)
        categories["predicted_chars"][category] += sum(e - s for s, e in runs)
        categories["predicted_in_gold"][category] += sum(_overlaps(runs, gold_runs))
    gold_chars = sum(e - s for s, e in gold_runs)
    pred_chars = sum(e - s for s, e in pred_all)
    matched = sum(found)
    union = gold_chars + pred_chars - matched
    pred_score = prediction.score
    if pred_score is None:
        pred_score = per_length(sum(weight(s.category or "other", s.severity) for s in hard), gold.length, mqm_per)
    segments = [(predicted, gold.segments[i]) for i, predicted in sorted(prediction.segments.items())
                if i < len(gold.segments) and gold.segments[i] is not None]
    return RecordScore(
        id=gold.id,
        group_id=gold.group_id,
        source=gold.source,
        gold_chars=gold_chars,
        pred_chars=pred_chars,
        matched=matched,
        credit=0.5 * matched + 0.5 * same_severity,
        shroom_iou=matched / union if union else 1.0,
        shroom_cor=shroom_cor(gold.length, gold.soft, prediction.spans),
        record_iou=matched / union if union else None,
        gold_has_error=gold.has_error,
        pred_has_error=pred_chars > 0 if prediction.has_error is None else prediction.has_error,
        pred_score=float(pred_score),
        gold_badness=gold.badness,
        verdict_given=prediction.has_error is not None,
        score_given=prediction.score is not None,
        segments=segments,
    )


SUMS = ("gold_chars", "pred_chars", "matched", "credit", "shroom_iou", "shroom_cor", "record_iou", "iou_records",
        "records")
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
        iou = [r.record_iou for r in rows]
        per_record = np.array([[r.gold_chars, r.pred_chars, r.matched, r.credit, r.shroom_iou, r.shroom_cor,
                                v or 0.0, v is not None, 1.0] for r, v in zip(rows, iou, strict=True)],
                              dtype=float).reshape(self.n, len(SUMS))
        self.unit_sums = np.zeros((self.units, len(SUMS)))
        np.add.at(self.unit_sums, self.unit, per_record)
        self.totals = dict(zip(SUMS, per_record.sum(0).tolist(), strict=True))
        has_error = np.array([r.gold_has_error for r in rows], dtype=float)
        score = np.array([r.pred_score for r in rows], dtype=float)
        self.scored = Pairs(has_error, score, self.unit)
        self.verdicts = Pairs(has_error, np.array([r.pred_has_error for r in rows], dtype=float), self.unit)
        self.ranked = Pairs(score, np.array([r.gold_badness for r in rows], dtype=float), self.unit)
        segments = [(p, g, u) for r, u in zip(rows, self.unit.tolist(), strict=True) for p, g in r.segments]
        seg = np.array(segments, dtype=float).reshape(len(segments), 3)
        self.segments = Pairs(seg[:, 0], seg[:, 1], seg[:, 2].astype(np.int64))
        self.segment_count = len(segments)

    def rows(self, unit_weights: Any) -> dict[str, Any]:
        """Every registered metric under each row of `unit_weights` (resamples x units), NaN where undefined."""
        sums = unit_weights @ self.unit_sums
        return compute_rows(Inputs({k: sums[:, i] for i, k in enumerate(SUMS)}, unit_weights, self.scored,
                                   self.verdicts, self.ranked, self.segments))

    def metrics(self) -> dict[str, float | None]:
        """Every registered metric on all the records."""
        sums = self.unit_sums.sum(0, keepdims=True)
        return compute(Inputs({k: sums[:, i] for i, k in enumerate(SUMS)}, np.ones((1, self.units)), self.scored,
                              self.verdicts, self.ranked, self.segments))


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
    """Every headline metric of every system on the same resamples (paired): per system, name -> (R,) array.
    The systems were scored on the same records in the same order, so one count matrix serves them all."""
    first = systems[0]
    out: list[dict[str, list[Any]]] = [{name: [] for name in HEADLINE} for _ in systems]
    if first.units:
        for counts in resample_blocks(first.units, first.n, resamples, seed):
            for system, values in zip(systems, out, strict=True):
                rows = system.rows(counts)
                for name in HEADLINE:
                    values[name].append(rows[name])
    return [{name: np.concatenate(v) if v else np.zeros(0) for name, v in values.items()} for values in out]


def per_source(rows: list[RecordScore], resample: str) -> dict[str, dict[str, float | None]]:
    by_source: dict[str, list[RecordScore]] = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row)
    return {source: {"records": len(group)} | Columns(group, resample).metrics()
            for source, group in sorted(by_source.items())}


def macro(sources: dict[str, dict[str, float | None]]) -> dict[str, float | None]:
    """Each headline metric's mean over the sources where it is defined (null where it is nowhere)."""
    out: dict[str, float | None] = {}
    for name in HEADLINE:
        values = [m[name] for m in sources.values() if m[name] is not None]
        out[name] = sum(values) / len(values) if values else None
    return out


def summarize(rows: list[RecordScore], categories: dict[str, Counter[str]], *, gold: str, missing: int,
              bootstrap: int = 0, seed: int = 0, resample: str = "groups", mqm_per: int | None = None) -> Report:
    columns = Columns(rows, resample)
    sources = per_source(rows, resample)
    per_category = {}
    for category in sorted(set(categories["gold_chars"]) | set(categories["predicted_chars"])):
        g, f = categories["gold_chars"][category], categories["found_chars"][category]
        p, m = categories["predicted_chars"][category], categories["predicted_in_gold"][category]
        per_category[category] = {"gold_chars": g, "found_chars": f, "recall": ratio(f, g),
                                  "predicted_chars": p, "predicted_in_gold": m, "precision": ratio(m, p)}
    intervals: dict[str, list[float] | None] = {}
    if bootstrap and rows:
        samples = bootstrap_rows([columns], bootstrap, seed)[0]
        intervals = {name: stats.percentile_interval(samples[name]) for name in HEADLINE}
    t = columns.totals
    counts = {
        "gold_chars": int(t["gold_chars"]),
        "predicted_chars": int(t["pred_chars"]),
        "matched_chars": int(t["matched"]),
        "severity_credit": float(t["credit"]),
        "empty_both": int(t["records"] - t["iou_records"]),
        "gold_with_error": int(sum(r.gold_has_error for r in rows)),
        "predicted_with_error": int(sum(r.pred_has_error for r in rows)),
        "segments_scored": int(columns.segment_count),
    }
    verdicts, scores = sum(r.verdict_given for r in rows), sum(r.score_given for r in rows)
    document_from = {"has_error": {"verdict": verdicts, "spans": len(rows) - verdicts},
                     "score": {"prediction": scores, "spans": len(rows) - scores}}
    metrics = columns.metrics()
    groups = len({r.group_id for r in rows})
    return Report(gold, len(rows), missing, metrics, counts, per_category, sources, intervals, bootstrap, seed,
                  undefined(metrics), macro(sources), resample, groups, document_from, mqm_per)


@dataclass
class Options:
    """How records are scored and resampled, the same for `score`, `compare` and the report."""

    allow_missing: bool = False
    bootstrap: int = 0
    seed: int = 0
    resample: str = "groups"
    mqm_per: int | None = None


@dataclass
class Scored:
    """One predictions file's per-record scores on the gold, before any metric is computed."""

    rows: list[RecordScore] = field(default_factory=list)
    categories: dict[str, Counter[str]] = field(default_factory=lambda: {
        k: Counter() for k in ("gold_chars", "found_chars", "predicted_chars", "predicted_in_gold")})
    missing: int = 0

    def report(self, gold_name: str, options: Options) -> Report:
        return summarize(self.rows, self.categories, gold=gold_name, missing=self.missing,
                         bootstrap=options.bootstrap, seed=options.seed, resample=options.resample,
                         mqm_per=options.mqm_per)


def score_many(gold: Iterable[Located], predictions: list[tuple[str, dict[str, Prediction]]], problems: Problems,
               *, gold_name: str, options: Options, progress: bool = False) -> list[Scored]:
    """Stream the gold once past every (file, indexed predictions); any problem anywhere raises before a
    score exists. Every file's rows come in the gold's order, which the paired bootstrap relies on."""
    matchers = [preds.Matcher(indexed, problems, file=file, allow_missing=options.allow_missing, gold=gold_name)
                for file, indexed in predictions]
    scored = [Scored() for _ in predictions]
    seen: dict[str, str] = {}
    with fewer_collections():
        for where, line, record in tqdm(gold, desc="score", unit=" records", disable=not progress, leave=False):
            if not check_record(record, (where, line), problems, Level.GOLD, seen):
                continue
            gold_record = Gold.from_dict(record, options.mqm_per)
            for matcher, out in zip(matchers, scored, strict=True):
                prediction = matcher.take(record["id"], record["text"], len(gold_record.segments))
                out.rows.append(score_record(gold_record, prediction, out.categories, options.mqm_per))
    for matcher, out in zip(matchers, scored, strict=True):
        matcher.finish()
        out.missing = len(matcher.missing)
    problems.raise_if_any()
    return scored


def evaluate(gold: Iterable[Located], predictions: dict[str, Prediction], problems: Problems, *, file: str,
             gold_name: str, allow_missing: bool = False, bootstrap: int = 0, seed: int = 0,
             progress: bool = False, resample: str = "groups", mqm_per: int | None = None) -> Report:
    """Stream the gold past the indexed predictions; any problem anywhere raises before a report exists."""
    options = Options(allow_missing, bootstrap, seed, resample, mqm_per)
    return score_many(gold, [(file, predictions)], problems, gold_name=gold_name, options=options,
                      progress=progress)[0].report(gold_name, options)


def score(gold_records: Iterable[dict[str, Any] | Record], predictions: Iterable[dict[str, Any]], *,
          allow_missing: bool = False, bootstrap: int = 0, seed: int = 0, resample: str = "groups",
          mqm_per: int | None = None) -> Report:
    """Score prediction dicts against record dicts (or Records); raises InputError like the CLI.
    `resample="records"` bootstraps records instead of source documents; `mqm_per=100` scales MQM badness
    to 100 characters."""
    problems = Problems()
    indexed = preds.from_dicts(predictions, problems)
    gold = (("<gold>", n, r.to_dict() if isinstance(r, Record) else r) for n, r in enumerate(gold_records, 1))
    return evaluate(gold, indexed, problems, file="<predictions>", gold_name="<gold>", allow_missing=allow_missing,
                    bootstrap=bootstrap, seed=seed, resample=resample, mqm_per=mqm_per)


def load_gold(spec: str, *, split: str | None, config: str | None, problems: Problems
              ) -> tuple[Iterator[Located], str]:
    """A build folder, a records JSONL / parquet file, or a Hub dataset pinned as ORG/NAME@REVISION.
    A split, config or version that does not exist stops here, naming those that do."""
    path = Path(spec)
    if path.is_file() and (split or config):
        problems.add("--split" if split else "--config", None, "", f"does not apply to a single records file ({spec})",
                     "drop it: the whole file is read; pass a build folder to choose a split")
        problems.raise_if_any()
    split, config = split or "test", config or "default"
    if path.is_dir():
        check_layout(path, config, split, problems)
        return iter_records(path, problems, config, split), f"{spec} ({config}/{split})"
    if path.exists():
        return iter_records(path, problems), spec
    if HUB_ID.fullmatch(spec):
        return _hub_rows(spec, split, config), f"{spec} ({config}/{split})"

    others = versions_beside(path)
    problems.add(spec, None, "", "no such file or folder, and not a Hub id"
                 + (f"; versions beside it: {', '.join(others)}" if others else ""),
                 "pass dist/<version>, a records .jsonl/.parquet, or ORG/NAME@REVISION")
    problems.raise_if_any()
    return iter(()), spec


def _hub_rows(spec: str, split: str, config: str) -> Iterator[Located]:
    repo, revision = spec.split("@", 1)
    try:
        rows = datasets.load_dataset(repo, config, split=split, revision=revision)
    except (OSError, ValueError) as exc:  # not found, no such revision, config or split, no network
        found = _hub_choices(repo, revision, config) or str(exc)
        raise InputError([Problem(spec, None, "", f"cannot load {config}/{split}: {found}",
                                  "check ORG/NAME, the revision tag, --config and --split, and the network")]) from None
    for number, row in enumerate(rows, 1):
        yield spec, number, row


def _hub_choices(repo: str, revision: str, config: str) -> str:
    """What a Hub dataset does have, to name beside a revision, config or split it does not ("" if unknown)."""
    try:
        refs = list_repo_refs(repo, repo_type="dataset")
        tags = [t.name for t in refs.tags]
        if revision not in tags + [b.name for b in refs.branches]:
            return f"no revision {revision!r}; tags: {', '.join(sorted(tags)) or 'none'}"
        configs = datasets.get_dataset_config_names(repo, revision=revision)
        if config not in configs:
            return f"no config {config!r}; configs: {', '.join(sorted(configs))}"
        splits = sorted(datasets.get_dataset_split_names(repo, config, revision=revision))
        return f"splits of {config}: {', '.join(splits)}"
    except (OSError, ValueError):
        return ""


def elsewhere(folder: Path, config: str, split: str, ids: Iterable[str], problems: Problems) -> None:
    """Predictions made for another split of the same build: one line per split with a count, then stop."""


    def ids_of(file: Path) -> list[str]:
        try:
            check_readable(file)
            return pq.read_table(file, columns=["id"]).column("id").to_pylist()
        except (OSError, pa.ArrowException):  # a damaged shard of another split is not this command's business
            return []

    wanted = set(ids)
    for other in layout(folder).get(config, []):
        if other == split:
            continue
        found = sum(len(wanted.intersection(ids_of(f))) for f in split_files(folder, config, other))
        if found:
            problems.add(str(folder), None, "/id", f"{found} prediction id(s) are records of split {other!r}, not "
                         f"{split!r}", f"pass --split {other}, or predict the records of {split}")
    problems.raise_if_any()
