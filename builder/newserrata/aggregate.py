"""Many annotators to one record: soft labels, gold spans, agreement and the MQM score.

Everything works on sorted interval runs rather than per-character arrays, so the cost
grows with the number of spans, not with the length of the article.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

from newserrata.records import Annotation, Record, SoftLabel, Span
from newserrata.taxonomy import CATEGORY_ORDER, counts_as_error, weight

Interval = tuple[int, int]
Mark = tuple[int, int, str, str]
"""An annotator's span as the aggregation reads it: (start, end, category, severity). Plain tuples, so a
record read back from JSON (`newserrata validate`) is recomputed without building its objects."""


def merge(intervals: list[Interval]) -> list[Interval]:
    """Union of half-open intervals as sorted, disjoint, non-touching runs; empty ones vanish."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def marks(spans: list[Span]) -> list[Mark]:
    return [(s.start, s.end, s.category, s.severity) for s in spans]


def covered_marks(spans: list[Mark]) -> list[Interval]:
    """Characters these marks call an error (major/minor, not source issues)."""
    return merge([(start, end) for start, end, category, severity in spans if counts_as_error(category, severity)])


def covered(annotation: Annotation) -> list[Interval]:
    """Characters this annotator marks as an error (major/minor, not source issues)."""
    return covered_marks(marks(annotation.spans))


def coverage_runs(per_annotator: list[list[Interval]], length: int) -> list[tuple[int, int, int]]:
    """(start, end, k): consecutive runs over [0, length) where exactly k annotators cover each character."""
    events: dict[int, int] = {}
    for runs in per_annotator:
        for start, end in runs:
            events[start] = events.get(start, 0) + 1
            events[end] = events.get(end, 0) - 1
    out: list[tuple[int, int, int]] = []
    position, depth = 0, 0
    for point in sorted(events):
        if point > position:
            out.append((position, point, depth))
        position, depth = point, depth + events[point]
    if length > position:
        out.append((position, length, depth))
    return out


def soft_labels(per_annotator: list[list[Interval]], length: int) -> list[SoftLabel]:
    n = len(per_annotator)
    runs: list[list[float]] = []
    for start, end, k in coverage_runs(per_annotator, length):
        if not k:
            continue
        prob = k / n
        if runs and runs[-1][1] == start and runs[-1][2] == prob:
            runs[-1][1] = end
        else:
            runs.append([start, end, prob])
    return [SoftLabel(start, end, prob) for start, end, prob in runs]


def _majority(spans: list[Mark]) -> tuple[str, str]:
    severities: dict[str, int] = {}
    categories: dict[str, int] = {}
    for _, _, category, severity in spans:
        severities[severity] = severities.get(severity, 0) + 1
        categories[category] = categories.get(category, 0) + 1
    severity = max(severities, key=lambda s: (severities[s], s == "major"))
    category = min(categories, key=lambda c: (-categories[c], CATEGORY_ORDER[c]))
    return category, severity


def gold_spans(text: str, counted: list[list[Mark]], labels: list[SoftLabel]) -> list[Span]:
    """Runs of prob > 0.5, labelled by the majority of the annotators' counted spans they overlap."""
    runs = merge([(s.start, s.end) for s in labels if s.prob > 0.5])
    if not runs:
        return []
    voters = [m for spans in counted for m in spans if m[1] > m[0]]
    out = []
    for start, end in runs:
        overlapping = [m for m in voters if m[0] < end and m[1] > start]
        category, severity = _majority(overlapping)
        out.append(Span(start, end, text[start:end], category, severity))
    return out


def _overlap(a: list[Interval], b: list[Interval]) -> int:
    """Shared characters of two merged run lists, in one merge-like pass (every record pays for it)."""
    total, i, j, na, nb = 0, 0, 0, len(a), len(b)
    while i < na and j < nb:
        a_start, a_end = a[i]
        b_start, b_end = b[j]
        low = a_start if a_start > b_start else b_start
        high = a_end if a_end < b_end else b_end
        if high > low:
            total += high - low
        if a_end < b_end:
            i += 1
        else:
            j += 1
    return total


def iou(a: list[Interval], b: list[Interval]) -> float:
    """Character IoU of two merged run lists; two empty sets agree perfectly."""
    inter = _overlap(a, b)
    union = sum(e - s for s, e in a) + sum(e - s for s, e in b) - inter
    return inter / union if union else 1.0


def pairwise_agreement(per_annotator: list[list[Interval]]) -> float | None:
    """Mean of `iou` over all pairs (same value, same summation order); run lengths are summed once."""
    sizes = [sum(e - s for s, e in runs) for runs in per_annotator]
    total, pairs = 0.0, 0
    for i, j in itertools.combinations(range(len(per_annotator)), 2):
        inter = _overlap(per_annotator[i], per_annotator[j])
        union = sizes[i] + sizes[j] - inter
        total += inter / union if union else 1.0
        pairs += 1
    return total / pairs if pairs else None


def score_of(spans: list[Mark], source_issue_weight: float = 0.0) -> float:
    """One annotator's MQM score: minus the weights of its target and source spans, rounded."""
    total = sum(weight(category, severity, source_issue_weight) for _, _, category, severity in spans)
    return -round(total, 6) + 0.0


def annotation_score(annotation: Annotation, source_issue_weight: float = 0.0) -> float:
    return score_of(marks(annotation.spans + annotation.source_spans), source_issue_weight)


@dataclass(frozen=True, slots=True)
class Derived:
    """Every field a record derives from its annotations."""

    annotation_scores: list[float]
    soft_labels: list[SoftLabel]
    spans: list[Span]
    agreement: float | None
    mqm_score: float
    has_error: bool


def derive(text: str, target: list[list[Mark]], source: list[list[Mark]], source_issue_weight: float = 0.0, *,
           localised: bool = True, votes: list[bool] | None = None) -> Derived:
    """The derived fields from each annotator's target-side and source-side marks (and, for a record whose
    spans do not locate its errors, the whole-text votes): what the build stores and what `validate`
    recomputes, by the same code."""
    scores = [score_of(t + s, source_issue_weight) for t, s in zip(target, source, strict=True)]
    counted = [[m for m in t if counts_as_error(m[2], m[3])] for t in target]
    per_annotator = [merge([(m[0], m[1]) for m in c]) for c in counted]
    labels = soft_labels(per_annotator, len(text))
    mean = sum(scores) / len(scores) if scores else 0.0
    spans = gold_spans(text, counted, labels)
    return Derived(scores, labels, spans, pairwise_agreement(per_annotator), round(mean, 6) + 0.0,
                   bool(spans) if localised else verdict_says_wrong(votes or []))


def aggregate(record: Record) -> Record:
    """Fill the derived fields of a record from its annotations."""
    derived = derive(record.text, [marks(a.spans) for a in record.annotations],
                     [marks(a.source_spans) for a in record.annotations], record.source_issue_weight,
                     localised=record.localised, votes=[v.has_error for v in record.verdicts])
    annotations = [Annotation(annotator_id=a.annotator_id, annotator_kind=a.annotator_kind, spans=a.spans,
                              source_spans=a.source_spans, no_errors=a.no_errors, mqm_score=score)
                   for a, score in zip(record.annotations, derived.annotation_scores, strict=True)]
    return dataclasses.replace(
        record,
        annotations=annotations,
        soft_labels=derived.soft_labels,
        spans=derived.spans,
        agreement=derived.agreement,
        mqm_score=derived.mqm_score,
        has_error=derived.has_error,
    )


def verdict_says_wrong(votes: list[bool]) -> bool:
    """Without localised spans, the people who judged the whole text decide: most of them said it is wrong."""
    return sum(votes) * 2 > len(votes)


@dataclass
class Alpha:
    """Krippendorff's alpha, nominal, at character level (covered / not covered), accumulated
    record by record so a whole source streams through in constant memory."""

    pairable: float = 0.0
    ones: float = 0.0
    disagreement: float = 0.0

    def add(self, record: Record) -> None:
        m = record.num_annotators
        if m < 2:
            return
        for start, end, k in coverage_runs([covered(a) for a in record.annotations], len(record.text)):
            length = end - start
            self.pairable += length * m
            self.ones += length * k
            self.disagreement += length * k * (m - k) / (m - 1)

    def value(self) -> float | None:
        zeros = self.pairable - self.ones
        if self.pairable < 2 or not zeros or not self.ones:
            return None
        return 1.0 - (self.pairable - 1) * self.disagreement / (zeros * self.ones)
